#!/bin/bash
# fetch-lwip.sh OUTDIR: lwIP from Debian's source package, pinned by version and checked by
# SHA-256, unpacked with Debian's patches applied into OUTDIR/lwip-VERSION (never committed).
# apt runs with a private configuration under OUTDIR (one deb-src line for bookworm, its own
# lists and cache), so the system's apt sources are neither needed nor changed.
set -euo pipefail
out=$1
pkg=lwip
ver=2.1.3+dfsg1-2
declare -A want=(
	[lwip_2.1.3+dfsg1-2.dsc]=8d8f944db8e6d542fc2d6f01559078fb1b5dda71651c67ee5fa3571ed1342c50
	[lwip_2.1.3+dfsg1.orig.tar.xz]=0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24
	[lwip_2.1.3+dfsg1-2.debian.tar.xz]=c5a48413d362cc757032cdd58f528f75eb64ee781ca46ca24f010b49b0e62a90
)
src=$out/lwip-$ver
[ -f "$src/.plinth-stamp" ] && exit 0
mkdir -p "$out/apt/lists/partial" "$out/apt/cache/archives/partial" "$out/dl"
out=$(cd "$out" && pwd)
src=$out/lwip-$ver
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" \
	>"$out/apt/sources.list"
opts=(-o "Dir::Etc::SourceList=$out/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$out/apt/lists" -o "Dir::Cache=$out/apt/cache" -o Debug::NoLocking=1
	-o APT::Sandbox::User=root)
if ! apt-get "${opts[@]}" -qq update >"$out/apt/update.log" 2>&1; then
	echo "fetch-lwip: apt-get update failed (no access to deb.debian.org?):" >&2
	tail -n 5 "$out/apt/update.log" >&2
	exit 1
fi
if ! (cd "$out/dl" && apt-get "${opts[@]}" -qq source --download-only "$pkg=$ver") \
	>"$out/apt/source.log" 2>&1; then
	echo "fetch-lwip: apt-get source $pkg=$ver failed:" >&2
	tail -n 5 "$out/apt/source.log" >&2
	exit 1
fi
for f in "${!want[@]}"; do
	got=$(sha256sum "$out/dl/$f" 2>/dev/null | cut -d' ' -f1)
	if [ "$got" != "${want[$f]}" ]; then
		echo "fetch-lwip: $f has SHA-256 '${got:-missing}', want ${want[$f]}: refusing it" >&2
		exit 1
	fi
done
rm -rf "$src"
# The hashes above are the trust anchor; dpkg-source applies debian/patches (upstream fixes).
dpkg-source --no-check -x "$out/dl/lwip_2.1.3+dfsg1-2.dsc" "$src" >"$out/apt/unpack.log" 2>&1 || {
	echo "fetch-lwip: dpkg-source -x failed:" >&2
	tail -n 5 "$out/apt/unpack.log" >&2
	exit 1
}
echo "$pkg $ver" >"$src/.plinth-stamp"
echo "fetch-lwip: $pkg $ver in $src"
