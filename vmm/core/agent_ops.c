// SPDX-License-Identifier: GPL-2.0
/*
 * The controller's operations on partitions (MGMT_OP), on the network
 * thread through the lifecycle API (vmm/lifecycle.h), which runs on CPU 0
 * and only asks: a partition stops and reboots on its own vCPUs, and the
 * controller hears the end from the events that follow.
 *
 * A partition created here boots from images in the kernel's image store
 * (plinth/image_store.h), named by SHA-256: it holds a reference to each
 * for as long as it exists, so an image cannot be deleted under a guest
 * that may reboot from it.
 */
#include <plinth/errno.h>
#include <plinth/image_store.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include <vmm/lifecycle.h>
#include "agent_ops.h"

enum { IMG_KERNEL, IMG_INITRD, IMG_DISK, IMG_COUNT };

/* The images each run-time partition holds; a slot per partition there can be. */
static struct held_images {
	char name[CONFIG_NAME_MAX];	/* "" for a free entry */
	struct image *img[IMG_COUNT];
} held[CONFIG_MAX_PARTITIONS];

static void answer(struct mgmt_result *res, int32_t status, uint32_t error, const char *fmt, ...)
	__printf(4, 5);

static void answer(struct mgmt_result *res, int32_t status, uint32_t error, const char *fmt, ...)
{
	va_list ap;

	res->status = status;
	res->error = error;
	va_start(ap, fmt);
	vsnprintf(res->text, sizeof(res->text), fmt, ap);
	va_end(ap);
}

/* The lifecycle's errors as the controller's kinds. */
static uint32_t error_kind(int err)
{
	switch (err) {
	case -ENODEV:
		return MGMT_ERR_NO_VIRT;
	case -ENOSPC:
	case -ENOMEM:
		return MGMT_ERR_CAPACITY;
	case -EEXIST:
		return MGMT_ERR_EXISTS;
	case -ENOENT:
		return MGMT_ERR_NOT_FOUND;
	case -EBUSY:
	case -EALREADY:
		return MGMT_ERR_STATE;
	case -EINVAL:
		return MGMT_ERR_INVALID;
	default:
		return MGMT_ERR_INTERNAL;
	}
}

static const char *const state_names[] = {
	[PARTITION_READY] = "not started",
	[PARTITION_RUNNING] = "running",
	[PARTITION_STOPPING] = "stopping",
	[PARTITION_STOPPED] = "stopped",
	[PARTITION_DELETED] = "deleted",
};

/* Only a running partition can be stopped or rebooted; the others say where they are. */
static bool running(struct partition *p, const struct mgmt_op *op, struct mgmt_result *res)
{
	enum partition_state s = agent_state_now(p);

	if (s == PARTITION_RUNNING)
		return true;
	answer(res, s == PARTITION_READY ? -EINVAL : -EALREADY, MGMT_ERR_STATE,
	       "cannot %s partition %s: it is %s", agent_op_name(op->kind), p->name,
	       state_names[s]);
	return false;
}

static void op_stop(struct partition *p, const struct mgmt_op *op, struct mgmt_result *res)
{
	int ret;

	if (!running(p, op, res))
		return;
	ret = partition_power_off(p->name, "stopped by the controller");
	if (ret < 0)
		answer(res, ret, error_kind(ret), "cannot stop partition %s: %s", p->name,
		       strerror(ret));
	else
		answer(res, 0, MGMT_ERR_NONE, "partition %s stopping", p->name);
}

static void op_reboot(struct partition *p, const struct mgmt_op *op, struct mgmt_result *res)
{
	int ret;

	if (!running(p, op, res))
		return;
	ret = partition_request_reboot(p->name);
	if (ret < 0)
		answer(res, ret, error_kind(ret), "cannot reboot partition %s: %s", p->name,
		       strerror(ret));
	else
		answer(res, 0, MGMT_ERR_NONE, "partition %s rebooting", p->name);
}

static void op_start(struct partition *p, const struct mgmt_op *op, struct mgmt_result *res)
{
	enum partition_state s = agent_state_now(p);
	char err[MGMT_TEXT_MAX - 40];
	int ret;

	if (s != PARTITION_READY && s != PARTITION_STOPPED) {
		answer(res, -EBUSY, MGMT_ERR_STATE, "cannot %s partition %s: it is %s",
		       agent_op_name(op->kind), p->name, state_names[s]);
		return;
	}
	err[0] = '\0';
	ret = partition_start(p->name, err, sizeof(err));
	if (ret < 0)
		answer(res, ret, error_kind(ret), "cannot start partition %s: %s", p->name,
		       err[0] ? err : strerror(ret));
	else
		answer(res, 0, MGMT_ERR_NONE, "partition %s started", p->name);
}

static struct held_images *held_find(const char *name)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(held); i++)
		if (held[i].name[0] && !strcmp(held[i].name, name))
			return &held[i];
	return NULL;
}

/* A free entry: its name is "", which held_find never matches. */
static struct held_images *held_free_entry(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(held); i++)
		if (!held[i].name[0])
			return &held[i];
	return NULL;
}

static void held_release(struct held_images *h)
{
	for (unsigned int k = 0; k < IMG_COUNT; k++) {
		if (h->img[k])
			image_put(h->img[k]);
		h->img[k] = NULL;
	}
	h->name[0] = '\0';
}

void agent_ops_deleted(const char *name)
{
	struct held_images *h = held_find(name);

	if (h)
		held_release(h);
}

/* One key of the new partition's spec, checked as plinth.cfg's would be. */
static bool set_key(struct partition_config *spec, enum config_key key, const char *value,
		    struct mgmt_result *res)
{
	char msg[96];

	if (config_set_key(NULL, spec, key, value, strlen(value), msg, sizeof(msg)) == 0)
		return true;
	answer(res, -EINVAL, MGMT_ERR_INVALID, "%s: %s", config_key_name(key), msg);
	return false;
}

/* The spec of a CREATE, from the op's fields, through plinth.cfg's own checks. */
static bool build_spec(const struct mgmt_op *op, struct partition_config *spec,
		       struct mgmt_result *res)
{
	char num[24];

	memset(spec, 0, sizeof(*spec));
	if (!config_name_ok(op->partition, strlen(op->partition))) {
		answer(res, -EINVAL, MGMT_ERR_INVALID,
		       "partition name '%s' is not 1-31 of A-Z a-z 0-9 _ -", op->partition);
		return false;
	}
	strlcpy(spec->name, op->partition, sizeof(spec->name));
	spec->entry = ENTRY_LINUX;
	spec->on_crash = ON_CRASH_STOP;
	snprintf(num, sizeof(num), "%lu", op->memory);
	if (!set_key(spec, CONFIG_KEY_MEMORY, num, res))
		return false;
	snprintf(num, sizeof(num), "%u", op->vcpus ? op->vcpus : 1);
	if (!set_key(spec, CONFIG_KEY_VCPUS, num, res))
		return false;
	if (op->cmdline[0] && !set_key(spec, CONFIG_KEY_CMDLINE, op->cmdline, res))
		return false;
	if (op->net_switch[0] && !set_key(spec, CONFIG_KEY_SWITCH, op->net_switch, res))
		return false;
	/* The images' paths are their hashes: what logs and reports show. */
	strlcpy(spec->kernel, op->kernel_sha, sizeof(spec->kernel));
	strlcpy(spec->initrd, op->initrd_sha, sizeof(spec->initrd));
	strlcpy(spec->disk, op->disk_sha, sizeof(spec->disk));
	return true;
}

static bool take_image(const char *sha, const char *what, struct image **out,
		       struct mgmt_result *res)
{
	*out = NULL;
	if (!sha[0])
		return true;
	*out = image_get(&kernel_images, sha);
	if (*out)
		return true;
	answer(res, -ENOENT, MGMT_ERR_NOT_FOUND, "%s image %.16s... not on this host", what, sha);
	return false;
}

static void op_create(struct partition *p, const struct mgmt_op *op, struct mgmt_result *res)
{
	static const char *const what[IMG_COUNT] = { "kernel", "initrd", "disk" };
	const char *sha[IMG_COUNT] = { op->kernel_sha, op->initrd_sha, op->disk_sha };
	static struct partition_config spec;	/* big; the net thread is the only caller */
	struct held_images *h = held_free_entry();
	struct partition_images images;
	char err[MGMT_TEXT_MAX - 40];
	int ret;

	(void)p;
	if (!op->kernel_sha[0]) {
		answer(res, -EINVAL, MGMT_ERR_INVALID, "a kernel image is required");
		return;
	}
	if (!build_spec(op, &spec, res))
		return;
	if (!h) {
		answer(res, -ENOSPC, MGMT_ERR_CAPACITY, "no room for another partition");
		return;
	}
	for (unsigned int k = 0; k < IMG_COUNT; k++) {
		if (!take_image(sha[k], what[k], &h->img[k], res)) {
			held_release(h);
			return;
		}
	}
	images = (struct partition_images){
		.kernel = &h->img[IMG_KERNEL]->module,
		.initrd = h->img[IMG_INITRD] ? &h->img[IMG_INITRD]->module : NULL,
		.disk = h->img[IMG_DISK] ? &h->img[IMG_DISK]->module : NULL,
	};
	err[0] = '\0';
	ret = partition_create(&spec, &images, err, sizeof(err));
	if (ret < 0) {
		held_release(h);
		answer(res, ret, error_kind(ret), "cannot create partition %s: %s", op->partition,
		       err[0] ? err : strerror(ret));
		return;
	}
	strlcpy(h->name, op->partition, sizeof(h->name));
	answer(res, 0, MGMT_ERR_NONE, "partition %s created", op->partition);
}

static void op_delete(struct partition *p, const struct mgmt_op *op, struct mgmt_result *res)
{
	char err[MGMT_TEXT_MAX - 40], name[CONFIG_NAME_MAX];
	int ret;

	(void)op;
	strlcpy(name, p->name, sizeof(name));
	err[0] = '\0';
	ret = partition_delete(name, err, sizeof(err));
	if (ret < 0)
		answer(res, ret, error_kind(ret), "cannot delete partition %s: %s", name,
		       err[0] ? err : strerror(ret));
	else
		answer(res, 0, MGMT_ERR_NONE, "partition %s deleted", name);
}

/*
 * What this host does for each kind of operation. run() gets the partition
 * the op names, which exists (else MGMT_ERR_NOT_FOUND), or for a kind that
 * creates one, NULL: the name is free (else MGMT_ERR_EXISTS).
 */
struct op_handler {
	bool creates;
	void (*run)(struct partition *p, const struct mgmt_op *op, struct mgmt_result *res);
};

static const struct op_handler op_handlers[MGMT_OP_KIND_COUNT] = {
	[MGMT_OP_CREATE] = { .creates = true, .run = op_create },
	[MGMT_OP_START] = { .run = op_start },
	[MGMT_OP_STOP] = { .run = op_stop },
	[MGMT_OP_REBOOT] = { .run = op_reboot },
	[MGMT_OP_DELETE] = { .run = op_delete },
};

/* The kinds that need a guest to run: refused up front on a host without virtualization. */
static bool runs_guest(uint32_t kind)
{
	return kind == MGMT_OP_CREATE || kind == MGMT_OP_START || kind == MGMT_OP_REBOOT;
}

void agent_run_op(const struct mgmt_op *op, struct mgmt_result *res, agent_progress_fn *progress,
		  void *ctx)
{
	const struct op_handler *h = op->kind < MGMT_OP_KIND_COUNT ? &op_handlers[op->kind] : NULL;
	struct partition *p;

	(void)progress;
	(void)ctx;
	if (runs_guest(op->kind) && !partition_virt_usable()) {
		answer(res, -ENODEV, MGMT_ERR_NO_VIRT, "no hardware virtualization on this host");
		return;
	}
	if (!h || !h->run) {
		answer(res, -ENOTSUP, MGMT_ERR_INVALID, "operation %s not supported by this host",
		       agent_op_name(op->kind));
		return;
	}
	p = partition_find(op->partition);
	if (h->creates && p) {
		answer(res, -EEXIST, MGMT_ERR_EXISTS, "partition %s exists", op->partition);
		return;
	}
	if (!h->creates && !p) {
		answer(res, -ENOENT, MGMT_ERR_NOT_FOUND, "no partition %s", op->partition);
		return;
	}
	h->run(p, op, res);
}
