/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel start-up on the boot CPU, in two halves: kernel_main runs on the
 * loader's page tables and the static boot stack until the kernel has its
 * own tables, heap and per-CPU area; kernel_main_late continues on the boot
 * CPU's guarded stack and brings up the rest of the machine.
 */
#include <asm/cpu.h>
#include <asm/cpufeatures.h>
#include <asm/io_apic.h>
#include <asm/lapic.h>
#include <asm/percpu.h>
#include <asm/reset.h>
#include <asm/timer.h>
#include <asm/trap.h>
#include <plinth/acpi_kernel.h>
#include <plinth/boot_info.h>
#include <plinth/config.h>
#include <plinth/console.h>
#include <plinth/image_store.h>
#include <plinth/log.h>
#include <plinth/mm.h>
#include <plinth/sched.h>
#include <plinth/selftest.h>
#include <plinth/service.h>
#include <plinth/smp.h>
#include <plinth/string.h>
#include <plinth/symbols.h>
#include <plinth/time.h>
#include <plinth/version.h>
#include <pci/pci.h>
#include <uart/uart16550.h>

static struct plinth_config config;
static struct percpu bsp_early;
static uint8_t early_ist_stacks[IST_COUNT][4096] __aligned(16);

static void early_cpu_setup(void)
{
	for (int i = 0; i < IST_COUNT; i++)
		bsp_early.ist_top[i] = (uint64_t)early_ist_stacks[i + 1];
	percpu_install(&bsp_early);
	idt_init();
	idt_load();
	log_percpu_ready();
}

static void __noreturn exit_after_fatal(void)
{
	pr_info("test exit: FAILURE (boot CPU faulted)\n");
	machine_exit(2, true);
}

static void load_config(const struct boot_info *bi)
{
	struct config_error err;
	int ret;

	ret = config_parse(phys_to_virt(bi->config_phys), bi->config_size, &config, &err);
	if (ret < 0)
		config_defaults(&config); /* the loader already accepted it: cannot happen */
	if (uart16550_init(config.serial_port, config.baud) < 0)
		uart16550_init(0x3f8, 115200);
	log_set_sink(uart16550_write);
	console_input_set(uart16550_read);
	log_set_level(config.log_level);
	if (config.test_exit)
		boot_cpu_fatal_hook = exit_after_fatal;
	if (ret < 0)
		pr_err("config: %s:%u: %s (using defaults)\n", bi->config_path, err.line,
		       err.message);
}

static void log_partitions(void)
{
	for (unsigned int i = 0; i < config.partition_count; i++) {
		const struct partition_config *p = &config.partitions[i];

		pr_info("config: partition '%s': %lu MiB, %u vCPUs, image %s\n", p->name,
			p->memory >> 20, p->vcpus, p->kernel);
	}
}

static unsigned int services_active(void)
{
	unsigned int n = 0;

	for_each_service(s)
		n += s->active();
	return n;
}

/*
 * Plinth's service poller, a thread on SCHED_SERVICE_CPU: calls every
 * service's poll hook and sleeps until the earliest time one asked to be
 * called again (none: until woken). The console router reads the serial
 * input this way, since Plinth drives no host interrupt line for the UART.
 */
static void service_poller(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t next = 0;

		for_each_service(s) {
			uint64_t ns = s->poll ? s->poll() : 0;

			if (ns && (!next || ns < next))
				next = ns;
		}
		sched_block(next ? rdtsc() + next * tsc_hz() / NSEC_PER_SEC + 1 : 0);
	}
}

static void start_service_poller(void)
{
	const struct thread_spec spec = {
		.name = "service-poll",
		.fn = service_poller,
		.cpu = SCHED_SERVICE_CPU,
	};
	struct thread *t = thread_create(&spec);

	if (!t || thread_start(t) < 0)
		pr_err("services: cannot start the poller thread: no console input\n");
}

static void __noreturn finish_boot(const struct boot_info *bi, unsigned int failed)
{
	uint64_t now = rdtsc();

	pr_info("boot: firmware exit at %lu ms, ready at %lu ms after the loader started\n",
		tsc_to_ns(bi->tsc_exit_boot_services - bi->tsc_loader_start) / NSEC_PER_MSEC,
		tsc_to_ns(now - bi->tsc_loader_start) / NSEC_PER_MSEC);
	pr_info("Plinth ready\n");
	for_each_service(s)
		s->start();
	start_service_poller();
	if (config.test_exit) {
		/* Test runs end once every service is done; they wake us as they finish. */
		while (services_active())
			sched_wait();
		pr_info("all partitions stopped\n");
		pr_info("test exit: %s\n", failed ? "FAILURE" : "SUCCESS");
		machine_exit(failed ? 1 : 0, true);
	}
	/* From here on CPU 0 runs Plinth's service threads (plinth/sched.h). */
	sched_idle();
}

static void __noreturn kernel_main_late(void *arg)
{
	const struct boot_info *bi = arg;
	unsigned int failed = 0;

	if (acpi_init(bi, config.acpi_dump) < 0)
		pr_err("acpi: unusable tables, continuing with the boot CPU only\n");
	cpu_features_detect(&cpu_virt);
	cpu_features_report(&cpu_virt);

	if (lapic_setup(acpi.lapic_base ? acpi.lapic_base : 0xfee00000) < 0) {
		pr_err("lapic: cannot map the local APIC\n");
		cpu_park();
	}
	lapic_enable();
	this_cpu()->apic_id = lapic_id();
	xcall_init();
	if (timer_calibrate(&boot_timer) < 0) {
		pr_err("timer: calibration against %s failed\n", boot_timer.reference);
		cpu_park();
	}
	time_init(boot_timer.tsc_hz, bi->tsc_loader_start);
	time_wall_init(&bi->wall_clock);
	if (bi->wall_clock.year)
		pr_info("time: firmware clock reads %04u-%02u-%02u %02u:%02u:%02u\n",
			bi->wall_clock.year, bi->wall_clock.month, bi->wall_clock.day,
			bi->wall_clock.hour, bi->wall_clock.minute, bi->wall_clock.second);
	else
		pr_warn("time: the firmware has no wall clock; partitions' RTCs start in 2000\n");
	pr_info("timer: TSC %lu kHz, LAPIC timer %lu kHz (measured against the %s)\n",
		boot_timer.tsc_hz / 1000, boot_timer.lapic_hz / 1000, boot_timer.reference);

	smp_boot_aps(bi->trampoline_phys);
	io_apic_init();
	irq_enable();
	pci_init();
	if (image_store_setup() < 0)
		pr_err("images: the image store cannot be set up\n");
	log_partitions();
	if (config.selftest)
		failed = selftest_run_all();
	for_each_service(s)
		if (s->create(&config, bi) < 0)
			pr_err("%s: cannot be set up\n", s->name);
	finish_boot(bi, failed);
}

void kernel_main(paddr_t boot_info_phys)
{
	const struct boot_info *bi = phys_to_virt(boot_info_phys);

	early_cpu_setup();
	if (bi->magic != BOOT_INFO_MAGIC || bi->version != BOOT_INFO_VERSION ||
	    bi->size != sizeof(*bi)) {
		uart16550_init(0x3f8, 115200);
		log_set_sink(uart16550_write);
		pr_err("boot: loader and kernel disagree on boot info (version %u, size %u)\n",
		       bi->version, bi->size);
		cpu_park();
	}
	load_config(bi);
	pr_info("Plinth %s starting, config %s\n", PLINTH_VERSION, bi->config_path);
	symbols_init(phys_to_virt(bi->kernel_elf_phys), bi->kernel_elf_size);

	if (mm_init(bi) < 0 || paging_init(bi) < 0) {
		pr_err("mem: cannot set up memory management\n");
		cpu_park();
	}
	paging_activate();
	heap_setup();
	pr_info("mem: kernel page tables active\n");
	smp_bsp_setup((void (*)(void *))kernel_main_late, (void *)bi);
}
