/* SPDX-License-Identifier: GPL-2.0 */
/* The VMX MSR-bitmap format (asm/vmx_msr_bitmap.h). */
#include <asm/vmx_msr_bitmap.h>
#include <plinth/string.h>

static void bitmap_allow(uint8_t *bm, uint32_t msr)
{
	uint32_t read_off, idx;

	if (msr <= 0x1fffU) {
		read_off = 0x000;
		idx = msr;
	} else if (msr >= 0xc0000000U && msr <= 0xc0001fffU) {
		read_off = 0x400;
		idx = msr - 0xc0000000U;
	} else {
		return; /* outside the bitmap: always exits */
	}
	bm[read_off + idx / 8] &= (uint8_t)~(1U << (idx % 8));
	bm[read_off + 0x800 + idx / 8] &= (uint8_t)~(1U << (idx % 8));
}

void vmx_msr_bitmap_build(uint8_t bitmap[VMX_MSR_BITMAP_SIZE], const uint32_t *msrs,
			  unsigned int count)
{
	if (!bitmap)
		return;
	memset(bitmap, 0xff, VMX_MSR_BITMAP_SIZE);
	for (unsigned int i = 0; msrs && i < count; i++)
		bitmap_allow(bitmap, msrs[i]);
}
