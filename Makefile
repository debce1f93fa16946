# Plinth: one EFI executable carrying the kernel. See README.md.
.DEFAULT_GOAL := all
SHELL := /bin/bash

BUILD := build
CC := gcc
LD := ld
OBJCOPY := objcopy

# Layers point down: boot -> kernel <- arch <- vmm. Each layer sees only the
# headers of the layers below it, so a wrong-way include fails to build.
INCLUDES_KERNEL := -Ikernel/include -Iarch/x86_64/include -Idrivers
INCLUDES_ARCH := -Ikernel/include -Iarch/x86_64/include
INCLUDES_VMM := $(INCLUDES_ARCH) -Ivmm/include
INCLUDES := $(INCLUDES_KERNEL)
WARN := -Wall -Wextra -Werror

# Kernel: freestanding, no red zone (interrupts use the stack), no SSE state to save.
KERNEL_CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -fno-pic -fno-pie \
	-mno-red-zone -mgeneral-regs-only -mcmodel=kernel -fno-stack-protector \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-asynchronous-unwind-tables -fno-common
KERNEL_ASFLAGS := -D__ASSEMBLY__
# Include path by layer, from the source's top directory.
layer_includes = $(if $(filter vmm/%,$(1)),$(INCLUDES_VMM),$(if $(filter arch/%,$(1)),$(INCLUDES_ARCH),$(INCLUDES_KERNEL) $(if $(filter kernel/net/% kernel/agent/%,$(1)),$(LWIP_INCLUDES)) $(if $(filter kernel/tls/% kernel/agent/%,$(1)),$(MBEDTLS_INCLUDES))))
KERNEL_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=4096 -z noexecstack -T linker.ld

KERNEL_SRCS := $(wildcard arch/x86_64/*.c arch/x86_64/*.S arch/x86_64/vmx/*.c arch/x86_64/vmx/*.S \
	kernel/*.c kernel/lib/*.c kernel/mm/*.c kernel/acpi/*.c kernel/sched/*.c kernel/net/*.c kernel/mgmt/*.c \
	kernel/tls/*.c kernel/agent/*.c kernel/image/*.c vmm/*/*.c drivers/*/*.c)
KERNEL_OBJS := $(patsubst %,$(BUILD)/kernel/%.o,$(KERNEL_SRCS))
include kernel/net/lwip.mk
include kernel/tls/mbedtls.mk

# UEFI stage: gnu-efi, position independent, Microsoft calling convention for firmware calls.
EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib
EFI_CFLAGS := -std=gnu11 -O2 $(WARN) -Wno-unused-parameter $(INCLUDES) -I$(EFI_INC) \
	-I$(EFI_INC)/x86_64 -Iboot -fpic -fshort-wchar -ffreestanding -fno-stack-protector \
	-fno-stack-check -mno-red-zone -maccumulate-outgoing-args -mgeneral-regs-only \
	-DGNU_EFI_USE_MS_ABI -DPLINTH_LOADER
EFI_LDFLAGS := -nostdlib -znocombreloc -z noexecstack -T $(EFI_LIB)/elf_x86_64_efi.lds -shared \
	-Bsymbolic -L$(EFI_LIB) $(EFI_LIB)/crt0-efi-x86_64.o
# Shared with the kernel: the config parser, formatter and ELF reader.
LOADER_SHARED := kernel/config.c kernel/config_values.c kernel/config_agent.c \
	kernel/lib/vsnprintf.c kernel/lib/strlcpy.c kernel/elf.c
LOADER_SRCS := $(wildcard boot/*.c boot/*.S) $(LOADER_SHARED)
LOADER_OBJS := $(patsubst %,$(BUILD)/loader/%.o,$(LOADER_SRCS)) $(BUILD)/loader/string-weak.o

.PHONY: all kernel deps run test unit clean
all: $(BUILD)/plinth.efi

deps:
	@tools/deps.sh

$(BUILD)/kernel/%.c.o: %.c Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KERNEL_CFLAGS) $(call layer_includes,$<) -MMD -c $< -o $@

$(BUILD)/kernel/%.S.o: %.S Makefile
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KERNEL_ASFLAGS) $(call layer_includes,$<) -MMD -c $< -o $@

$(BUILD)/kernel.elf: $(KERNEL_OBJS) $(LWIP_OBJS) $(MBEDTLS_OBJS) linker.ld
	$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(LWIP_OBJS) $(MBEDTLS_OBJS)

kernel: $(BUILD)/kernel.elf

$(BUILD)/loader/%.c.o: %.c Makefile
	@mkdir -p $(dir $@)
	@echo "  CC [efi] $<"
	@$(CC) $(EFI_CFLAGS) -MMD -c $< -o $@

$(BUILD)/loader/boot/kernel_blob.S.o: boot/kernel_blob.S $(BUILD)/kernel.elf
	@mkdir -p $(dir $@)
	$(CC) -DKERNEL_ELF_PATH='"$(BUILD)/kernel.elf"' -c $< -o $@

$(BUILD)/loader/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

# libefi brings its own memcpy/memset; ours stay as weak fall-backs.
$(BUILD)/loader/string-weak.o: kernel/lib/string.c
	@mkdir -p $(dir $@)
	$(CC) $(EFI_CFLAGS) -c $< -o $@.tmp
	$(OBJCOPY) --weaken $@.tmp $@
	@rm -f $@.tmp

$(BUILD)/plinth.so: $(LOADER_OBJS)
	$(LD) $(EFI_LDFLAGS) $(LOADER_OBJS) -o $@ -lefi -lgnuefi

$(BUILD)/plinth.efi: $(BUILD)/plinth.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@
	@echo "built $@ ($$(stat -c %s $@) bytes)"

include tests/unit/unit.mk
include tests/fuzz/fuzz.mk
include tests/guests/guests.mk
include tools/controller/controller.mk

# `make run`: a demo partition running Debian's stock kernel, this terminal at its shell
# (tools/run-demo: QEMU with KVM where nested VT-x exists, Bochs otherwise).
run: all
	@tools/run-demo

unit: unit-build
	@tests/unit/run.sh

test:
	@tools/deps.sh
	@tests/run.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
