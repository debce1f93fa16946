// SPDX-License-Identifier: GPL-2.0
/* The first frame of a new kernel thread, as arch_context_switch() will pop it. */
#include <asm/switch.h>

extern const char arch_thread_start[];

/* The frame arch_context_switch() pops, lowest address first. */
struct initial_frame {
	uint64_t r15, r14, r13, r12, rbx, rbp;
	uint64_t rip;
	uint64_t pad; /* RSP is 16-byte aligned at arch_thread_start, as the ABI wants before a CALL */
};

void arch_context_init(struct arch_context *c, uint64_t stack_top, void (*entry)(void *),
		       void *arg)
{
	struct initial_frame *f = (struct initial_frame *)(stack_top - 8) - 1;

	*f = (struct initial_frame){
		.r12 = (uint64_t)arg,
		.rbx = (uint64_t)entry,
		.rip = (uint64_t)arch_thread_start,
	};
	c->rsp = (uint64_t)f;
}
