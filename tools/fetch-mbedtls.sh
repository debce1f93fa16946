#!/bin/bash
# fetch-mbedtls.sh OUTDIR: mbedTLS 2.28 from Debian bookworm's source package, pinned and checked
# by SHA-256 (tools/fetch-deb-source.sh), unpacked with Debian's patches into
# OUTDIR/mbedtls-VERSION.
set -euo pipefail
exec "$(dirname "$0")/fetch-deb-source.sh" "$1" mbedtls 2.28.3-1 \
	mbedtls_2.28.3-1.dsc=a8bf91b5ffb40654efb0ebe0c962ac1e87b8eed5e104880982eaa70dd4bb33e3 \
	mbedtls_2.28.3.orig.tar.gz=3b4953aa55a681e084d31892d9904cc5328d6b4958ea57b90ae4b4f94ae69a8d \
	mbedtls_2.28.3-1.debian.tar.xz=3e03c61f63c7bbcd0bf695b53e6663ab448cc2e15429cd67d0e4f32e699645a9
