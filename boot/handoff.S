/* SPDX-License-Identifier: GPL-2.0 */
/*
 * void plinth_handoff(u64 cr3, u64 entry, u64 boot_info_phys)
 * Runs from identity-mapped loader memory, which the new tables map too.
 * The kernel sets up its own stack, GDT and IDT; interrupts stay off.
 */
	.text
	.globl plinth_handoff
plinth_handoff:
	cli
	mov %rdi, %cr3
	mov %rdx, %rdi
	xor %ebp, %ebp
	jmp *%rsi
	.section .note.GNU-stack, "", @progbits
