# lwIP 2.1.3 from Debian's source package (tools/fetch-lwip.sh), built freestanding with the
# kernel's flags into build/lwip/obj and linked into the kernel. Never committed.
LWIP_VERSION := 2.1.3+dfsg1-2
LWIP_DIR := $(BUILD)/lwip/lwip-$(LWIP_VERSION)
LWIP_STAMP := $(LWIP_DIR)/.plinth-stamp
LWIP_INCLUDES := -Ikernel/net/port -Ikernel/libc -I$(LWIP_DIR)/src/include
LWIP_CORE := def dns inet_chksum init ip mem memp netif pbuf raw stats sys tcp tcp_in tcp_out \
	timeouts udp
LWIP_IPV4 := autoip dhcp etharp icmp igmp ip4 ip4_addr ip4_frag
LWIP_SRCS := $(LWIP_CORE:%=src/core/%.c) $(LWIP_IPV4:%=src/core/ipv4/%.c) src/netif/ethernet.c
LWIP_OBJS := $(LWIP_SRCS:%=$(BUILD)/lwip/obj/%.o)
# lwIP's own code is built without -Werror: its warnings are not ours to fix.
LWIP_CFLAGS := $(filter-out -Werror,$(KERNEL_CFLAGS)) -Wno-unused-parameter -Wno-sign-compare \
	-Wno-address $(INCLUDES_KERNEL) $(LWIP_INCLUDES)

$(LWIP_STAMP): tools/fetch-lwip.sh tools/fetch-deb-source.sh
	@tools/fetch-lwip.sh $(BUILD)/lwip

$(BUILD)/lwip/obj/%.c.o: $(LWIP_STAMP) $(wildcard kernel/net/port/*.h kernel/net/port/arch/*.h kernel/libc/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC [lwip] $*.c"
	@$(CC) $(LWIP_CFLAGS) -MMD -c $(LWIP_DIR)/$*.c -o $@

# Plinth's files that include lwIP's headers need them unpacked first.
$(patsubst %,$(BUILD)/kernel/%.o,$(wildcard kernel/net/*.c kernel/agent/*.c)): | $(LWIP_STAMP)
