/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multiboot v1 test kernel: header and 32-bit entry. Plinth starts us in
 * flat protected mode with paging off, EAX = boot magic, EBX = multiboot
 * info; ESP is undefined, so we switch to our own stack before any call.
 */
#include <vmm/hypercall.h>

#define MB_MAGIC 0x1badb002
/* Bit 0: page-align modules, bit 1: memory info. No bit 16: this is ELF. */
#define MB_FLAGS 0x00000003
#define STACK_SIZE 16384

	.section .multiboot, "a"
	.balign 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.code32
	.globl mb_start
mb_start:
	cli
	cld
	/* rep stosb below needs EAX, ECX and EDI: keep the loader's values. */
	movl %eax, %ebp
	movl %ebx, %esi
	/* The loader zeroes memsz beyond filesz, but do not depend on it. */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $stack_top, %esp
	pushl %esi		/* mb_main(magic, info) */
	pushl %ebp
	call mb_main
	/* mb_main powers off; if it ever returns, stop here. */
1:	cli
	hlt
	jmp 1b

/* void mb_poweroff(uint32_t status): returns only if Plinth ignores it. */
	.globl mb_poweroff
mb_poweroff:
	pushl %ebx
	movl 8(%esp), %ebx
	movl $HC_POWEROFF, %eax
	vmcall
	popl %ebx
	ret

	.bss
	.balign 16
stack:
	.skip STACK_SIZE
stack_top:

	.section .note.GNU-stack, "", @progbits
