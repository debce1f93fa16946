# libFuzzer targets (clang only; tests/fuzz/run.sh runs each briefly in `make test`): every
# tests/fuzz/fuzz_NAME.c is linked like a unit test, with the sources listed
# in tests/fuzz/fuzz_NAME.srcs. `make fuzz-build` builds them; `make fuzz`
# also runs each for FUZZ_SECONDS, keeping its corpus in build/fuzz/.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -DPLINTH_HOST_TEST \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-Ikernel/include -Iarch/x86_64/include -Ivmm/include -Itests/unit

FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(addprefix build/fuzz/,$(FUZZ_TARGETS))

define fuzz_rule
build/fuzz/$(1): tests/fuzz/$(1).c $$(shell cat tests/fuzz/$(1).srcs 2>/dev/null) $$(wildcard kernel/include/plinth/*.h vmm/include/vmm/*.h vmm/include/vmm/*/*.h tests/unit/*.h) | build/fuzz
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ $$(filter %.c,$$^)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

build/fuzz:
	mkdir -p $@

.PHONY: fuzz-build fuzz
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p build/fuzz/corpus-$$t && \
		build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-$$t || exit 1; \
	done
