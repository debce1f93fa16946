# mbedTLS 2.28 from Debian's source package (tools/fetch-mbedtls.sh), built freestanding with the
# kernel's flags into build/mbedtls/obj and linked into the kernel. Never committed. Configured by
# kernel/tls/port/mbedtls_config.h; kernel/tls/port/ and kernel/libc/ stand in for libc's headers.
MBEDTLS_VERSION := 2.28.3-1
MBEDTLS_DIR := $(BUILD)/mbedtls/mbedtls-$(MBEDTLS_VERSION)
MBEDTLS_STAMP := $(MBEDTLS_DIR)/.plinth-stamp
MBEDTLS_INCLUDES := -Ikernel/tls/port -Ikernel/libc -I$(MBEDTLS_DIR)/include \
	'-DMBEDTLS_CONFIG_FILE="mbedtls_config.h"'
MBEDTLS_CRYPTO := aes asn1parse asn1write base64 bignum cipher cipher_wrap constant_time ctr_drbg \
	ecdh ecdsa ecp ecp_curves entropy gcm md oid pem pk pk_wrap pkparse pkwrite platform \
	platform_util sha256 sha512
MBEDTLS_X509 := x509 x509_create x509_crt x509write_csr
MBEDTLS_TLS := ssl_ciphersuites ssl_cli ssl_msg ssl_srv ssl_tls
MBEDTLS_SRCS := $(patsubst %,library/%.c,$(MBEDTLS_CRYPTO) $(MBEDTLS_X509) $(MBEDTLS_TLS))
MBEDTLS_OBJS := $(MBEDTLS_SRCS:%=$(BUILD)/mbedtls/obj/%.o)
# mbedTLS's own code is built without -Werror: its warnings are not ours to fix.
MBEDTLS_CFLAGS := $(filter-out -Werror,$(KERNEL_CFLAGS)) $(INCLUDES_KERNEL) $(MBEDTLS_INCLUDES)

$(MBEDTLS_STAMP): tools/fetch-mbedtls.sh tools/fetch-deb-source.sh
	@tools/fetch-mbedtls.sh $(BUILD)/mbedtls

$(BUILD)/mbedtls/obj/%.c.o: $(MBEDTLS_STAMP) $(wildcard kernel/tls/port/*.h kernel/libc/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC [mbedtls] $*.c"
	@$(CC) $(MBEDTLS_CFLAGS) -MMD -c $(MBEDTLS_DIR)/$*.c -o $@

# Plinth's files that include mbedTLS's headers need them unpacked first.
$(patsubst %,$(BUILD)/kernel/%.o,$(wildcard kernel/tls/*.c kernel/agent/*.c)): | $(MBEDTLS_STAMP)
