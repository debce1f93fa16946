/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Linux loader against a real bzImage, when the machine has one:
 * $PLINTH_BZIMAGE, else the first /boot/vmlinuz-*. Without one the case
 * passes with a message; the suite never depends on it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>

#include <plinth/errno.h>
#include <plinth/string.h>
#include <vmm/boot_image.h>

#include "sparse_ram.h"

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

static uint32_t le(const uint8_t *b, int n)
{
	uint32_t v = 0;

	while (n--)
		v = v << 8 | b[n];
	return v;
}

static void test_real_bzimage(void **state)
{
	static const uint8_t initrd[8192] = { 0x1f, 0x8b };
	const char *path = getenv("PLINTH_BZIMAGE");
	struct boot_image_params p = { .mode = BOOT_LINUX, .vcpu_count = 1 };
	struct guest_layout layout;
	struct sparse_ram ram;
	struct guest_mem_ops mem;
	struct vcpu_regs regs;
	char err[240], pathbuf[512];
	size_t len = 0, pm_off;
	uint64_t kernel;
	uint8_t *img, *got;
	glob_t g;
	int ret;

	(void)state;
	if (!path || !*path) {
		memset(&g, 0, sizeof(g));
		if (glob("/boot/vmlinuz-*", 0, NULL, &g) == 0 && g.gl_pathc) {
			snprintf(pathbuf, sizeof(pathbuf), "%s", g.gl_pathv[0]);
			path = pathbuf;
		}
		globfree(&g);
	}
	img = path ? read_file(path, &len) : NULL;
	if (!img) {
		print_message("skipped: no readable bzImage (%s); set PLINTH_BZIMAGE to test one\n",
			      path ? path : "no /boot/vmlinuz-*");
		return;
	}
	assert_true(len > 0x268);
	print_message("%s: %zu bytes, protocol %u.%02u, setup_sects %u, loadflags 0x%02x, xloadflags 0x%04x\n",
		      path, len, img[0x207], img[0x206], img[0x1f1], img[0x211],
		      le(img + 0x236, 2));
	print_message("  relocatable %u, kernel_alignment 0x%x, pref_address 0x%llx, init_size 0x%x, cmdline_size %u, initrd_addr_max 0x%x\n",
		      img[0x234], le(img + 0x230, 4),
		      (unsigned long long)le(img + 0x258, 4) |
			      (unsigned long long)le(img + 0x25c, 4) << 32,
		      le(img + 0x260, 4), le(img + 0x238, 4),
		      le(img + 0x22c, 4));

	assert_int_equal(guest_layout_build(&layout, MIB(512)), 0);
	sparse_ram_init(&ram, &layout, 1u << 16);
	mem = (struct guest_mem_ops){ .write = sparse_ram_write, .ctx = &ram,
				      .layout = &layout };
	p.image = img;
	p.image_size = len;
	p.cmdline = "console=ttyS0 earlyprintk=serial";
	p.module = initrd;
	p.module_size = sizeof(initrd);
	ret = boot_image_load(&mem, &p, &regs, err, sizeof(err));
	if (ret)
		fail_msg("%s refused: %s (%d)", path, err, ret);
	kernel = regs.rip - LINUX_ENTRY64_OFFSET;
	pm_off = ((img[0x1f1] ? img[0x1f1] : 4) + 1) * 512;
	print_message("  loaded at 0x%llx, initrd at 0x%x, %u e820 entries\n",
		      (unsigned long long)kernel,
		      sparse_ram_rd32(&ram, LINUX_BOOT_PARAMS + 0x218),
		      sparse_ram_byte(&ram, LINUX_BOOT_PARAMS + 0x1e8));
	got = malloc(len - pm_off);
	assert_non_null(got);
	sparse_ram_read(&ram, kernel, got, len - pm_off);
	assert_memory_equal(got, img + pm_off, len - pm_off);
	assert_int_equal(regs.gpr[REG_RSI], LINUX_BOOT_PARAMS);
	assert_int_equal(sparse_ram_byte(&ram, LINUX_BOOT_PARAMS + 0x210), 0xff);
	free(got);
	free(img);
	sparse_ram_free(&ram);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_bzimage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
