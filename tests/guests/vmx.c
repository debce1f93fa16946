/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hostile: VMX instructions inside a partition. An unknown hypercall must
 * fail with -ENOSYS; each real VMX instruction must raise #UD in the guest
 * (or Plinth stops the partition, ending the log after its HOSTILE line).
 */
#include "guest.h"

#define VEC_UD 6
#define HC_UNKNOWN 0x7fff

static uint8_t vmx_region[4096] __aligned(4096);
static uint64_t region_pa;	/* VMXON/VMPTRLD/VMCLEAR take a pointer to a physical address */
static struct {
	uint64_t eptp_or_vpid;
	uint64_t addr;
} descriptor;

static void expect_ud(const char *name, int vector, uint64_t rflags)
{
	if (vector == NO_TRAP)
		fail(name, "completed without an exception (rflags 0x%lx)", rflags);
	else
		check(vector == VEC_UD, name, "vector %d error 0x%lx, want #UD", vector,
		      trap_last.error_code);
}

/* Runs insn with RAX = &region_pa, RBX = &descriptor, RCX = 1, RDX = 0. */
#define VMX_TRY(name, insn)                                                     \
	do {                                                                    \
		uint64_t fl = 0, rax_ = (uintptr_t)&region_pa;                  \
		hostile("%s", name);                                            \
		trap_reset();                                                   \
		asm volatile(TRY_BEGIN insn "\n\tpushfq\n\tpopq %[fl]" TRY_END  \
			     : [fl] "+r"(fl), "+a"(rax_)                        \
			     : "b"(&descriptor), "c"(1ULL), "d"(0ULL)           \
			     : "r11", "memory", "cc");                          \
		expect_ud(name "-ud", trap_vector(), fl);                       \
	} while (0)

void guest_main(const struct boot_block *bb)
{
	(void)bb;
	region_pa = (uintptr_t)vmx_region;
	*(uint32_t *)vmx_region = 0x10;	/* a plausible VMCS revision id */
	descriptor.addr = 0;
	descriptor.eptp_or_vpid = 1;

	uint64_t r = HC_UNKNOWN;

	trap_reset();
	asm volatile(TRY_BEGIN "vmcall" TRY_END : "+a"(r) : : "r11", "memory");
	if (trap_vector() != NO_TRAP)
		fail("vmcall-unknown-enosys", "VMCALL 0x%x raised vector %d", HC_UNKNOWN,
		     trap_vector());
	else
		check((long)r == -GUEST_ENOSYS, "vmcall-unknown-enosys",
		      "VMCALL 0x%x returned %ld, want %d", HC_UNKNOWN, (long)r, -GUEST_ENOSYS);

	VMX_TRY("vmxon", "vmxon (%%rax)");
	VMX_TRY("vmread", "vmread %%rcx, %%rdx");
	VMX_TRY("vmwrite", "vmwrite %%rdx, %%rcx");
	VMX_TRY("vmptrld", "vmptrld (%%rax)");
	VMX_TRY("vmptrst", "vmptrst (%%rax)");
	VMX_TRY("vmclear", "vmclear (%%rax)");
	VMX_TRY("vmlaunch", "vmlaunch");
	VMX_TRY("vmresume", "vmresume");
	VMX_TRY("invept", "invept (%%rbx), %%rcx");
	VMX_TRY("invvpid", "invvpid (%%rbx), %%rcx");
	VMX_TRY("vmfunc", "xorl %%eax, %%eax\n\tvmfunc");
	VMX_TRY("vmxoff", "vmxoff");
}
