/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_PARTITION_H
#define VMM_PARTITION_H

#include <plinth/boot_info.h>
#include <plinth/byte_ring.h>
#include <plinth/config.h>
#include <plinth/spinlock.h>
#include <vmm/console_line.h>
#include <vmm/cpuid_policy.h>
#include <vmm/dev/ioapic.h>
#include <vmm/dev/uart16550.h>
#include <vmm/ept.h>
#include <vmm/guest_layout.h>
#include <vmm/io_bus.h>
#include <vmm/pc_devices.h>
#include <vmm/vcpu.h>
#include <vmm/virtio/virtqueue.h>

#define PARTITION_MAX_VCPUS 64
#define TESTDEV_PORT_BYTES 16
#define TESTDEV_MMIO_BYTES 0x1000
/* What a partition's console sent, kept for a reader that comes later. */
#define PARTITION_CONSOLE_LOG_SIZE (64 * 1024)

/* The life of a partition: vmm/include/vmm/lifecycle.h. */
enum partition_state {
	PARTITION_READY,    /* created, never started: CPUs and devices, no memory */
	PARTITION_RUNNING,  /* memory, EPT and vCPU threads */
	PARTITION_STOPPING, /* asked to stop; its vCPUs are leaving */
	PARTITION_STOPPED,  /* memory scrubbed and released; may start again or go */
	PARTITION_DELETED,  /* only in notifications: the slot is free again */
};

#define PARTITION_REASON_MAX 192

struct partition {
	char name[CONFIG_NAME_MAX];
	uint64_t id;         /* unique over Plinth's life: a slot's next tenant differs */
	unsigned int slot;   /* its index for partition_get() */
	struct partition_config spec; /* its own copy: the creator's may go */
	const struct partition_config *cfg; /* &spec */
	/* Copies of the creator's descriptors; the memory they describe must stay. */
	struct boot_module image_mod, initrd_mod, disk_mod;
	const struct boot_module *image, *initrd;
	unsigned int cpus[PARTITION_MAX_VCPUS]; /* each vCPU's CPU, chosen at creation */
	char stop_reason[PARTITION_REASON_MAX]; /* why it last stopped, under lock */
	unsigned int runs; /* how often it was started */
	bool from_config;  /* made at boot from plinth.cfg, not at run time */
	uint64_t mem_size;
	struct guest_layout layout; /* where that RAM is guest-physically: the one map */
	paddr_t *chunks; /* host frames backing guest RAM, one per 2 MiB of backing offset */
	uint64_t chunk_count;
	struct ept ept;
	struct cpuid_policy cpuid;
	unsigned int vcpu_count;
	struct vcpu *vcpus[PARTITION_MAX_VCPUS];
	volatile enum partition_state state;
	volatile unsigned int vcpus_running;
	volatile unsigned int vcpus_scrubbed; /* have zeroed their share before the first run */
	int64_t exit_status; /* 0, a negative errno, or the guest's 64-bit power-off status */
	volatile bool rebooting;   /* vCPU 0 is resetting the partition; the others wait */
	volatile unsigned int reboot_acks;
	volatile unsigned int reboot_gen; /* counts completed reboots, for the vCPUs that wait */
	unsigned int reboots;
	uint64_t start_ns; /* when its first vCPU got a CPU; 0 before */
	uint64_t time_limit_ns;
	spinlock_t lock;

	/* devices, placed on the bus by vmm_devices_init() */
	struct io_bus bus;
	struct console_line console; /* under lock */
	/* It has the console and console_raw is set: output bypasses the line log. */
	bool console_raw;
	struct byte_ring console_log; /* its console output, under lock (partition_console_read) */
	uint8_t console_log_buf[PARTITION_CONSOLE_LOG_SIZE];
	struct vuart16550 uart;      /* COM1, under uart_lock */
	spinlock_t uart_lock;
	/* Interrupt routing: the I/O APIC and every vCPU's LAPIC (vmm/include/vmm/irq.h). */
	spinlock_t irq_lock;
	struct ioapic ioapic;
	/* PIT, RTC, ACPI PM, PCI host, i8042, reset control, 8259s (vmm/include/vmm/pc_devices.h). */
	struct pc_devices pc;
	/*
	 * The virtual PCI bus is pc.pci.bus (set up by vmm_pci_init(); a reboot
	 * resets it with vmm_virtio_reset()); its virtio functions and backends
	 * (vmm/include/vmm/virtio_wiring.h) reach guest RAM through virtq_mem.
	 */
	struct virtq_mem_ops virtq_mem;
	const struct boot_module *disk;
	struct virtio_blk *blk;
	struct virtio_fn *fn_blk;
	char blk_name[CONFIG_NAME_MAX + 16];
	struct virtio_net *net;
	struct virtio_fn *fn_net;
	char net_name[CONFIG_NAME_MAX + 16];
	uint8_t testdev_port[TESTDEV_PORT_BYTES];
	uint8_t testdev_mmio[TESTDEV_MMIO_BYTES];
	uint64_t testdev_mmio_accesses;
	unsigned int ignored_ports;
};

int partitions_create(const struct plinth_config *cfg, const struct boot_info *bi);
void partitions_start(void);
unsigned int partitions_active(void);
/*
 * The partition in slot i (0 <= i < CONFIG_MAX_PARTITIONS), NULL for a free
 * slot or past the table: iterate over every slot, holes included. Boot-time
 * partitions take the first slots in config order; a deleted partition's
 * slot goes to the next one created. The pointer is good on CPU 0 until the
 * running thread gives the CPU up (a partition is deleted only there).
 */
struct partition *partition_get(unsigned int i);

/* Stops the partition (all its vCPUs) and records why; callable from any vCPU. */
void partition_stop(struct partition *p, int64_t status, const char *fmt, ...) __printf(3, 4);
/* vCPU 0 only: resets memory, image and vCPUs in place. 0, or <0 after partition_stop(). */
int partition_reboot(struct partition *p);
/*
 * Called by each vCPU thread on its CPU before the partition first runs: it
 * zeroes its share of the memory; vCPU 0 then waits for the others and loads
 * the image (v->boot of every vCPU is set). <0 if the partition stopped.
 */
int partition_vcpu_ready(struct vcpu *v);
/*
 * Called by each vCPU thread as it leaves: it zeroes its share of the
 * partition's memory on its CPU, and the last one releases the memory.
 */
void partition_vcpu_exited(struct vcpu *v);

/*
 * Copies between Plinth and the partition's RAM for emulation and hypercalls.
 * -EFAULT unless every byte is RAM in p->layout (and mapped so in the EPT);
 * on error neither side changed. Device pages never qualify, whatever the
 * EPT maps there.
 */
int partition_copy_from_guest(struct partition *p, void *dst, gpa_t src, size_t len);
int partition_copy_to_guest(struct partition *p, gpa_t dst, const void *src, size_t len);
/*
 * A host pointer to [at, at + len) if it is RAM contiguous on the host (one
 * 2 MiB backing chunk), else NULL; valid until the partition's memory is
 * released. For the virtqueue rings (vmm/core/virtio_wiring.c).
 */
void *partition_map_ram(struct partition *p, gpa_t at, uint64_t len);

#endif
