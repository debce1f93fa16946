# Host unit tests: every tests/unit/test_NAME.c is linked with the sources
# listed (one per line, relative to the top) in tests/unit/test_NAME.srcs and
# run under ASan and UBSan against cmocka. An optional tests/unit/test_NAME.libs
# holds extra linker flags (the controller's tests: -lsqlite3 -ljansson -lcrypto).

HOST_CC ?= gcc
HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -DPLINTH_HOST_TEST \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-Ikernel/include -Iarch/x86_64/include -Ivmm/include -Idrivers -Itests/unit
HOST_LDLIBS := -lcmocka

UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS := $(addprefix build/host/,$(UNIT_TESTS))

define unit_rule
build/host/$(1): tests/unit/$(1).c $$(shell cat tests/unit/$(1).srcs 2>/dev/null) $$(wildcard tests/unit/$(1).libs) $$(wildcard kernel/include/plinth/*.h drivers/*/*.h vmm/include/vmm/*.h vmm/include/vmm/*/*.h) | build/host
	$$(HOST_CC) $$(HOST_CFLAGS) -o $$@ $$(filter %.c,$$^) $$(HOST_LDLIBS) $$(shell cat tests/unit/$(1).libs 2>/dev/null)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

build/host:
	mkdir -p $@

.PHONY: unit-build
unit-build: $(UNIT_BINS)
