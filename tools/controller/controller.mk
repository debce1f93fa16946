# The controller side of the management plane (issue 10), hosted C under tools/controller:
# plinth-controller (daemon), plinthctl (CLI) and fake-agent (the scenario tests' agent),
# in build/controller/. Built with ASan and UBSan by default, as the tests run them;
# `make controller CTL_SANITIZE=` builds them without.
#
# The shared protocol codec (kernel/mgmt/) is compiled once more here, hosted, with the
# unit tests' definition PLINTH_HOST_TEST (its snprintf becomes plinth_snprintf, the C
# library's headers take the place of plinth/string.h), into a small static library. Only
# tools/controller/mio.c sees plinth/ headers, and it includes no more than
# plinth/mgmt/{wire,msg}.h, so the kernel's errno and log headers never meet the C library's.

CTL_DIR := build/controller
CTL_SANITIZE ?= -fsanitize=address,undefined -fno-sanitize-recover=all
CTL_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer -pthread \
	-D_GNU_SOURCE $(CTL_SANITIZE) -DPLINTH_HOST_TEST -Ikernel/include
CTL_LDFLAGS := -pthread $(CTL_SANITIZE)

CTL_MGMT_SRCS := kernel/mgmt/frame.c kernel/mgmt/tlv.c kernel/mgmt/msg.c kernel/mgmt/session.c \
	kernel/lib/vsnprintf.c kernel/lib/strlcpy.c
CTL_MGMT_LIB := $(CTL_DIR)/libplinth-mgmt.a

CTL_DAEMON_SRCS := controller.c agent.c agent_session.c agent_link.c hub.c api.c api_json.c api_metrics.c \
	http.c store_sqlite.c ca.c mio.c util.c api_ops.c images.c web.c
CTL_CLI_SRCS := plinthctl.c plinthctl_table.c plinthctl_vm.c plinthctl_console.c
CTL_FAKE_SRCS := tests/fake-agent.c tests/fake-agent-tls.c tests/fake-agent-serve.c ca.c mio.c \
	util.c

ctl_objs = $(patsubst %.c,$(CTL_DIR)/obj/%.o,$(1))

$(CTL_DIR)/obj/%.o: tools/controller/%.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(CTL_CFLAGS) -MMD -c $< -o $@

$(CTL_DIR)/mgmt/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(CTL_CFLAGS) -MMD -c $< -o $@

$(CTL_MGMT_LIB): $(patsubst %.c,$(CTL_DIR)/mgmt/%.o,$(CTL_MGMT_SRCS))
	rm -f $@
	ar rcs $@ $^

$(CTL_DIR)/plinth-controller: $(call ctl_objs,$(CTL_DAEMON_SRCS)) $(CTL_MGMT_LIB)
	$(HOST_CC) $(CTL_LDFLAGS) -o $@ $^ -lcivetweb -ljansson -lsqlite3 -lssl -lcrypto

$(CTL_DIR)/plinthctl: $(call ctl_objs,$(CTL_CLI_SRCS))
	$(HOST_CC) $(CTL_LDFLAGS) -o $@ $^ -lcurl -ljansson -lcivetweb

$(CTL_DIR)/fake-agent: $(call ctl_objs,$(CTL_FAKE_SRCS)) $(CTL_MGMT_LIB)
	$(HOST_CC) $(CTL_LDFLAGS) -o $@ $^ -lssl -lcrypto

include tools/controller/web/web.mk

.PHONY: controller
controller: $(CTL_DIR)/plinth-controller $(CTL_DIR)/plinthctl $(CTL_DIR)/fake-agent
