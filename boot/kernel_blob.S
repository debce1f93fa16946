/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel ELF travels inside the EFI file, so there is one file to install. */
	.section .rodata.kernel_blob, "a"
	.balign 4096
	.globl kernel_blob_start, kernel_blob_end
kernel_blob_start:
	.incbin KERNEL_ELF_PATH
kernel_blob_end:
	.section .note.GNU-stack, "", @progbits
