/* SPDX-License-Identifier: GPL-2.0 */
/* The VMCALL interface (vmm/include/vmm/hypercall.h). It only ever acts on the caller's partition. */
#include <plinth/errno.h>
#include <plinth/log.h>
#include <vmm/hypercall.h>
#include <vmm/io.h>
#include <vmm/partition.h>

static int64_t console_write(struct vcpu *v, uint64_t buf, uint64_t len)
{
	char data[256];
	uint64_t done = 0;

	if (len > HC_CONSOLE_MAX)
		return -E2BIG;
	while (done < len) {
		size_t chunk = MIN(sizeof(data), len - done);

		if (partition_copy_from_guest(v->part, data, gpa(buf + done), chunk) < 0)
			return -EFAULT;
		partition_console_put(v->part, data, chunk);
		done += chunk;
	}
	return (int64_t)done;
}

/* Returns <0 when the partition must stop, 1 for a reboot. */
int vmm_hypercall(struct vcpu *v)
{
	uint64_t nr = v->arch.gpr[REG_RAX], a1 = v->arch.gpr[REG_RBX], a2 = v->arch.gpr[REG_RCX];

	switch (nr) {
	case HC_CONSOLE_WRITE:
		v->arch.gpr[REG_RAX] = (uint64_t)console_write(v, a1, a2);
		return 0;
	case HC_POWEROFF:
		/* All 64 bits count: a status of 1 << 32 is a failure, not a success. */
		partition_stop(v->part, (int64_t)a1, "powered off by the guest (status %ld)",
			       (long)a1);
		return -1;
	case HC_REBOOT:
		return 1;
	default:
		v->arch.gpr[REG_RAX] = (uint64_t)-ENOSYS;
		return 0;
	}
}
