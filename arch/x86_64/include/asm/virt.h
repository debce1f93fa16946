/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ASM_VIRT_H
#define ASM_VIRT_H

/*
 * The hardware-virtualization backend, as vmm/ sees it. One table of
 * operations (like KVM's kvm_x86_ops or Xen's hvm_funcs) is picked at boot
 * from CPUID, so the same EFI file serves VT-x and, later, AMD-V.
 *
 * The backend enters the guest and decodes each exit into a vendor-neutral
 * struct virt_exit; it emulates nothing a guest asked for and never stops a
 * partition: what the exit means is decided above it, in vmm/. Exits that
 * are the backend's own business (a host interrupt, an interrupt window, the
 * preemption timer, VMX instructions raising #UD) come back as VEXIT_NONE.
 */
#include <asm/vcpu_arch.h>
#include <asm/vcpu_regs.h>
#include <plinth/types.h>

enum virt_exit_kind {
	VEXIT_NONE,       /* handled by the backend: enter again */
	VEXIT_CPUID,
	VEXIT_MSR_READ,
	VEXIT_MSR_WRITE,
	VEXIT_IO,
	VEXIT_MMIO,       /* an access to guest-physical memory that is not RAM */
	VEXIT_HLT,
	VEXIT_HYPERCALL,
	VEXIT_CR_WRITE,   /* MOV to CR0/CR4/CR8 from a register */
	VEXIT_CR_READ,    /* MOV from CR8 */
	VEXIT_XSETBV,
	VEXIT_FATAL,      /* the partition cannot go on; reason says why */
	VEXIT_SHUTDOWN,   /* the guest shut its CPU down: a triple fault */
};

/* What made an access to guest-physical memory that is not RAM. */
enum virt_mmio_source {
	VIRT_MMIO_INSN,     /* the instruction at RIP, on a linear address of its own */
	VIRT_MMIO_WALK,     /* the CPU walking the guest's page tables */
	VIRT_MMIO_DELIVERY, /* delivering an event: IDT, stack, handler fetch */
	VIRT_MMIO_UNKNOWN,  /* no linear address reported */
};

/* Bound on the backends' own exit reasons (VT-x basic reasons are < 70), for statistics. */
#define VIRT_EXIT_REASONS 80

struct virt_exit {
	enum virt_exit_kind kind;
	uint16_t reason; /* the backend's exit reason, < VIRT_EXIT_REASONS: statistics only */
	unsigned int insn_len; /* length of the exiting instruction, where known */
	union {
		struct {
			uint32_t index;
			uint64_t value; /* VEXIT_MSR_WRITE */
		} msr;
		struct {
			uint16_t port;
			uint8_t size;      /* 1, 2 or 4 */
			uint8_t addr_size; /* string forms: 2, 4 or 8 */
			uint8_t seg;       /* OUTS: source segment, VSEG_*; INS always ES */
			bool in, string, rep;
		} io;
		struct {
			gpa_t addr;
			uint64_t linear;  /* when linear_valid */
			bool write, fetch;
			bool linear_valid;
			enum virt_mmio_source source; /* only VIRT_MMIO_INSN may be emulated */
		} mmio;
		struct {
			uint8_t cr;  /* 0, 4 or 8 */
			uint8_t reg; /* REG_* source or destination */
		} cr;
		struct {
			uint32_t index;
			uint64_t value;
		} xsetbv;
		struct {
			int err; /* negative errno recorded as the partition's status */
			char reason[120];
		} fatal;
	};
};

/* Guest registers the backend keeps in its control block. */
enum virt_reg {
	VREG_RIP,
	VREG_RSP,
	VREG_RFLAGS,
	VREG_CR0,      /* as the guest sees it */
	VREG_CR2,
	VREG_CR3,
	VREG_CR4,      /* as the guest sees it */
	VREG_EFER,     /* writing it also switches the entry into or out of long mode */
	VREG_PAT,
	VREG_DEBUGCTL,
	VREG_SPEC_CTRL, /* loaded into the real MSR around guest execution */
	VREG_COUNT,
};

enum virt_seg { VSEG_ES, VSEG_CS, VSEG_SS, VSEG_DS, VSEG_FS, VSEG_GS, VSEG_LDTR, VSEG_TR, VSEG_COUNT };

/* What a backend needs to set up one vCPU. */
struct virt_vcpu_config {
	hpa_t npt_root;   /* root of the partition's nested page table */
	unsigned int index; /* vCPU number in its partition; 0 is the BSP */
};

struct virt_ops {
	const char *name;
	int (*check_support)(void);     /* logs what is missing; -ENODEV */
	int (*cpu_enable)(void);        /* on each CPU that may run vCPUs */
	/*
	 * Called once before the first vCPU, with the MSRs a guest may reach
	 * without an exit (vmm's policy; the bitmap format is the backend's).
	 */
	int (*set_passthrough_msrs)(const uint32_t *msrs, unsigned int count);
	int (*vcpu_init)(struct vcpu_arch *a, const struct virt_vcpu_config *c);
	void (*vcpu_reset)(struct vcpu_arch *a);   /* power-on state outside the control block */
	void (*vcpu_destroy)(struct vcpu_arch *a);
	/*
	 * On the vCPU's CPU, interrupts off, after a switch from another thread:
	 * makes its control block current and puts its guest-owned registers
	 * back (saving those of the vCPU that had them). Cheap when it already
	 * had them. Also before vcpu_init, so a new vCPU does not clobber them.
	 */
	void (*vcpu_load)(struct vcpu_arch *a);
	/* Whether the CPU may go to another vCPU now (false for a few exits inside an NMI handler). */
	bool (*preemptible)(struct vcpu_arch *a);
	void (*load_state)(struct vcpu_arch *a, const struct vcpu_regs *r);
	void (*run)(struct vcpu_arch *a, struct virt_exit *e); /* one entry and its exit */
	uint64_t (*get_reg)(struct vcpu_arch *a, enum virt_reg r);
	/* -EFAULT when the CPU refused the value (VREG_SPEC_CTRL): the guest gets #GP. */
	int (*set_reg)(struct vcpu_arch *a, enum virt_reg r, uint64_t value);
	void (*get_segment)(struct vcpu_arch *a, enum virt_seg s, struct segment *out);
	unsigned int (*cpl)(struct vcpu_arch *a);
	void (*skip_insn)(struct vcpu_arch *a, unsigned int len); /* and end an STI/MOV SS shadow */
	void (*inject_exception)(struct vcpu_arch *a, uint8_t vector, bool has_error,
				 uint32_t error);
	bool (*can_inject_irq)(struct vcpu_arch *a);
	bool (*can_inject_nmi)(struct vcpu_arch *a);
	void (*inject_irq)(struct vcpu_arch *a, uint8_t vector);
	void (*inject_nmi)(struct vcpu_arch *a);
	void (*irq_window)(struct vcpu_arch *a, bool on);
	void (*nmi_window)(struct vcpu_arch *a, bool on);
	void (*set_time_slice)(struct vcpu_arch *a, uint64_t tsc_ticks);
	/*
	 * The guest's RDTSC/RDTSCP read the host TSC plus offset (mod 2^64).
	 * 0 after vcpu_init and after every vcpu_reset.
	 */
	void (*set_tsc_offset)(struct vcpu_arch *a, uint64_t offset);
	/* Whether guests may execute RDTSCP (else it raises #UD): CPUID follows it. */
	bool (*guest_has_rdtscp)(void);
	/* Checked by vmm against the guest's CPUID; -EFAULT if the CPU still refuses it. */
	int (*set_xcr0)(struct vcpu_arch *a, uint64_t xcr0);
	void (*branch_barrier)(void); /* IBPB where the CPU has it */
	void (*dump)(struct vcpu_arch *a); /* registers into the log, for stop reports */
	const char *(*exit_reason_name)(unsigned int reason); /* for virt_exit.reason */
};

/* The backend picked by virt_select(); NULL until then or when none fits. */
extern const struct virt_ops *virt;

/* Picks the backend from CPUID. -ENODEV, logged, when this CPU has none Plinth has. */
int virt_select(void);

#endif
