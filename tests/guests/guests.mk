# SPDX-License-Identifier: GPL-2.0
# Test guests Plinth runs as partitions: build/guests/NAME.bin (flat images).
# Included from the top Makefile; see tests/guests/GUEST_ABI.md.
#   long mode (entry 0x100000): tests/guests/NAME.c + tests/guests/lib/
#   real mode (4 KiB image ending at 0x100000): tests/guests/NAME.S
#   multiboot (ELF32 i386 at 1 MiB, the ELF is the image): build/guests/multiboot.elf

GUEST_DIR := tests/guests
GUEST_OUT := $(or $(BUILD),build)/guests
GUEST_CC := $(or $(CC),gcc)
GUEST_LD := $(or $(LD),ld)
GUEST_OBJCOPY := $(or $(OBJCOPY),objcopy)

GUEST_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-builtin \
	-nostdlib -static -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only \
	-mcmodel=small -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns -fcf-protection=none -fno-common \
	-I$(GUEST_DIR)/lib -Ivmm/include
GUEST_ASFLAGS := -I$(GUEST_DIR)/lib -Ivmm/include -D__ASSEMBLY__
GUEST_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=4096 -z noexecstack \
	--build-id=none --no-warn-rwx-segments

GUEST_LONG := cpuid msr portio mmio hlt-timer apic exceptions smp probe triplefault spin \
	vmx ports bench reboot leakw leakr nmi status devtables echo pcdev virtio-hostile \
	virtio-notify lifecycle
GUEST_REAL := modeswitch
# Guests of the hardening scenario (tests/boot/harden-*.cfg), one list per group.
GUEST_HARDEN_CPU := xsetbv crs debugregs
GUEST_HARDEN_PRIV := user acdb
GUEST_HARDEN_REAL := taskswitch
GUEST_LONG += $(GUEST_HARDEN_CPU) $(GUEST_HARDEN_PRIV)
GUEST_REAL += $(GUEST_HARDEN_REAL)

GUEST_BINS := $(patsubst %,$(GUEST_OUT)/%.bin,$(GUEST_LONG) $(GUEST_REAL))
GUEST_LIB_OBJS := $(patsubst $(GUEST_DIR)/lib/%,$(GUEST_OUT)/lib/%.o, \
	$(wildcard $(GUEST_DIR)/lib/*.c $(GUEST_DIR)/lib/*.S))
# Everything a guest object may include, plus this file: coarse but complete.
GUEST_DEPS := $(wildcard $(GUEST_DIR)/lib/*.h $(GUEST_DIR)/*.h) \
	vmm/include/vmm/hypercall.h vmm/include/vmm/platform.h $(GUEST_DIR)/guests.mk

# Images Plinth loads as ELF files rather than flat binaries.
GUEST_ELFS := $(GUEST_OUT)/multiboot.elf

.PHONY: guests
guests: $(GUEST_BINS) $(GUEST_ELFS)

$(GUEST_OUT)/lib/%.c.o: $(GUEST_DIR)/lib/%.c $(GUEST_DEPS)
	@mkdir -p $(dir $@)
	@echo "  CC [guest] $<"
	@$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/lib/%.S.o: $(GUEST_DIR)/lib/%.S $(GUEST_DEPS)
	@mkdir -p $(dir $@)
	@echo "  AS [guest] $<"
	@$(GUEST_CC) $(GUEST_ASFLAGS) -c $< -o $@

$(GUEST_OUT)/obj/%.c.o: $(GUEST_DIR)/%.c $(GUEST_DEPS)
	@mkdir -p $(dir $@)
	@echo "  CC [guest] $<"
	@$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/obj/%.S.o: $(GUEST_DIR)/%.S $(GUEST_DEPS)
	@mkdir -p $(dir $@)
	@echo "  AS [guest] $<"
	@$(GUEST_CC) $(GUEST_ASFLAGS) -c $< -o $@

# The SMP guest also carries its real-mode AP trampoline.
$(GUEST_OUT)/smp.elf: $(GUEST_OUT)/obj/smp-tramp.S.o

$(GUEST_OUT)/%.elf: $(GUEST_OUT)/obj/%.c.o $(GUEST_LIB_OBJS) $(GUEST_DIR)/guest.ld
	@echo "  LD [guest] $@"
	@$(GUEST_LD) $(GUEST_LDFLAGS) -T $(GUEST_DIR)/guest.ld -o $@ $(filter %.o,$^)

$(patsubst %,$(GUEST_OUT)/%.elf,$(GUEST_REAL)): $(GUEST_OUT)/%.elf: $(GUEST_OUT)/obj/%.S.o \
		$(GUEST_DIR)/realmode.ld
	@echo "  LD [guest] $@"
	@$(GUEST_LD) $(GUEST_LDFLAGS) -T $(GUEST_DIR)/realmode.ld -o $@ $(filter %.o,$^)

# Multiboot kernel: 32-bit code, its own runtime (no tests/guests/lib).
GUEST_CFLAGS32 := -m32 -march=i686 -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding \
	-fno-builtin -nostdlib -static -fno-pic -fno-pie -mgeneral-regs-only \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns -fcf-protection=none -fno-common -Ivmm/include
GUEST_MB_OBJS := $(GUEST_OUT)/obj32/multiboot.S.o $(GUEST_OUT)/obj32/multiboot32.c.o

$(GUEST_OUT)/obj32/%.c.o: $(GUEST_DIR)/%.c $(GUEST_DEPS)
	@mkdir -p $(dir $@)
	@echo "  CC [guest32] $<"
	@$(GUEST_CC) $(GUEST_CFLAGS32) -c $< -o $@

$(GUEST_OUT)/obj32/%.S.o: $(GUEST_DIR)/%.S $(GUEST_DEPS)
	@mkdir -p $(dir $@)
	@echo "  AS [guest32] $<"
	@$(GUEST_CC) -m32 $(GUEST_ASFLAGS) -c $< -o $@

$(GUEST_OUT)/multiboot.elf: $(GUEST_MB_OBJS) $(GUEST_DIR)/multiboot.ld
	@echo "  LD [guest32] $@"
	@$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) -T $(GUEST_DIR)/multiboot.ld -o $@ \
		$(filter %.o,$^)

$(GUEST_OUT)/%.bin: $(GUEST_OUT)/%.elf
	@$(GUEST_OBJCOPY) -O binary $< $@
	@echo "  GUEST   $@ ($$(stat -c %s $@) bytes)"

# Keep the ELF files: objdump them to check entry points and layout.
.PRECIOUS: $(GUEST_OUT)/%.elf $(GUEST_OUT)/obj/%.c.o $(GUEST_OUT)/obj/%.S.o \
	$(GUEST_OUT)/lib/%.c.o $(GUEST_OUT)/lib/%.S.o \
	$(GUEST_OUT)/obj32/%.c.o $(GUEST_OUT)/obj32/%.S.o
