/* SPDX-License-Identifier: GPL-2.0 */
/*
 * int vmx_enter(uint64_t *gpr, bool launched, uint64_t *host_rsp)
 * Loads the guest's general registers (array indexed by x86 register number;
 * the RSP slot is unused, RSP lives in the VMCS) and enters the guest. A VM
 * exit lands at vmx_exit_entry with RSP = HOST_RSP, saves the guest registers
 * back and returns 0. A failed VMLAUNCH/VMRESUME returns 1 (VMfailInvalid) or
 * 2 (VMfailValid, error number in the VMCS).
 *
 * *host_rsp caches what HOST_RSP holds: the stack depth is the same on every
 * entry from the vCPU loop, so the VMWRITE is paid once, not per exit.
 */
#define HOST_RSP 0x6c14

	.text
	.globl vmx_enter, vmx_exit_entry
vmx_enter:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi			/* gpr pointer, found again at exit */
	cmp %rsp, (%rdx)
	je 3f
	mov $HOST_RSP, %eax
	vmwrite %rsp, %rax
	jbe .Lfail_before
	mov %rsp, (%rdx)
3:	mov %rdi, %rax
	cmpb $0, %sil
	mov 8(%rax), %rcx
	mov 16(%rax), %rdx
	mov 24(%rax), %rbx
	mov 40(%rax), %rbp
	mov 48(%rax), %rsi
	mov 56(%rax), %rdi
	mov 64(%rax), %r8
	mov 72(%rax), %r9
	mov 80(%rax), %r10
	mov 88(%rax), %r11
	mov 96(%rax), %r12
	mov 104(%rax), %r13
	mov 112(%rax), %r14
	mov 120(%rax), %r15
	mov 0(%rax), %rax
	je 1f
	vmresume
	jmp .Lfail
1:	vmlaunch
.Lfail:
	mov $1, %eax
	jc 2f
	mov $2, %eax
2:	pop %rdi
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
.Lfail_before:
	mov $2, %eax
	jmp 2b

vmx_exit_entry:
	push %rax
	mov 8(%rsp), %rax
	mov %rcx, 8(%rax)
	mov %rdx, 16(%rax)
	mov %rbx, 24(%rax)
	mov %rbp, 40(%rax)
	mov %rsi, 48(%rax)
	mov %rdi, 56(%rax)
	mov %r8, 64(%rax)
	mov %r9, 72(%rax)
	mov %r10, 80(%rax)
	mov %r11, 88(%rax)
	mov %r12, 96(%rax)
	mov %r13, 104(%rax)
	mov %r14, 112(%rax)
	mov %r15, 120(%rax)
	pop %rcx
	mov %rcx, 0(%rax)
	/*
	 * Refill the return-stack buffer with harmless entries before the first
	 * RET: otherwise the host's returns could be predicted to targets the
	 * guest trained (SpectreRSB). 32 calls, each leaving a capture loop.
	 */
	mov $16, %ecx
4:	call 5f
6:	pause
	lfence
	jmp 6b
5:	call 7f
8:	pause
	lfence
	jmp 8b
7:	dec %ecx
	jnz 4b
	add $(32 * 8), %rsp
	lfence
	xor %eax, %eax
	jmp 2b

	.section .note.GNU-stack, "", @progbits
