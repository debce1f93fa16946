#!/bin/bash
# fetch-lwip.sh OUTDIR: lwIP 2.1.3 from Debian bookworm's source package, pinned and checked by
# SHA-256 (tools/fetch-deb-source.sh), unpacked with Debian's patches into OUTDIR/lwip-VERSION.
set -euo pipefail
exec "$(dirname "$0")/fetch-deb-source.sh" "$1" lwip 2.1.3+dfsg1-2 \
	lwip_2.1.3+dfsg1-2.dsc=8d8f944db8e6d542fc2d6f01559078fb1b5dda71651c67ee5fa3571ed1342c50 \
	lwip_2.1.3+dfsg1.orig.tar.xz=0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24 \
	lwip_2.1.3+dfsg1-2.debian.tar.xz=c5a48413d362cc757032cdd58f528f75eb64ee781ca46ca24f010b49b0e62a90
