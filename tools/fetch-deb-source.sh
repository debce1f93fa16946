#!/bin/bash
# fetch-deb-source.sh OUTDIR PKG VERSION FILE=SHA256...: one of Debian bookworm's source packages,
# pinned by version and checked by SHA-256 (every FILE of the package, .dsc first), unpacked with
# Debian's patches applied into OUTDIR/PKG-VERSION (never committed). apt runs with a private
# configuration under OUTDIR (one deb-src line for bookworm, its own lists and cache), so the
# system's apt sources are neither needed nor changed.
set -euo pipefail
me=fetch-deb-source
if [ $# -lt 4 ]; then
	echo "usage: $0 OUTDIR PKG VERSION FILE=SHA256..." >&2
	exit 2
fi
out=$1 pkg=$2 ver=$3
shift 3
me=fetch-$pkg
declare -A want=()
dsc=
for pair in "$@"; do
	f=${pair%%=*} h=${pair#*=}
	if [ "$f" = "$pair" ] || ! [[ $h =~ ^[0-9a-f]{64}$ ]] || [[ $f == */* ]]; then
		echo "$me: '$pair' is not FILE=SHA256" >&2
		exit 2
	fi
	want[$f]=$h
	[[ $f == *.dsc ]] && dsc=$f
done
if [ -z "$dsc" ]; then
	echo "$me: no .dsc among the pinned files" >&2
	exit 2
fi
src=$out/$pkg-$ver
# Already unpacked: the stamp is touched so a changed fetch script does not rerun this each build.
if [ -f "$src/.plinth-stamp" ] && [ "$(cat "$src/.plinth-stamp")" = "$pkg $ver" ]; then
	touch "$src/.plinth-stamp"
	exit 0
fi
mkdir -p "$out/apt/lists/partial" "$out/apt/cache/archives/partial" "$out/dl"
out=$(cd "$out" && pwd)
src=$out/$pkg-$ver
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" \
	>"$out/apt/sources.list"
opts=(-o "Dir::Etc::SourceList=$out/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$out/apt/lists" -o "Dir::Cache=$out/apt/cache" -o Debug::NoLocking=1
	-o APT::Sandbox::User=root)
if ! apt-get "${opts[@]}" -qq update >"$out/apt/update.log" 2>&1; then
	echo "$me: apt-get update failed (no access to deb.debian.org?):" >&2
	tail -n 5 "$out/apt/update.log" >&2
	exit 1
fi
if ! (cd "$out/dl" && apt-get "${opts[@]}" -qq source --download-only "$pkg=$ver") \
	>"$out/apt/source.log" 2>&1; then
	echo "$me: apt-get source $pkg=$ver failed:" >&2
	tail -n 5 "$out/apt/source.log" >&2
	exit 1
fi
for f in "${!want[@]}"; do
	got=$(sha256sum "$out/dl/$f" 2>/dev/null | cut -d' ' -f1)
	if [ "$got" != "${want[$f]}" ]; then
		echo "$me: $f has SHA-256 '${got:-missing}', want ${want[$f]}: refusing it" >&2
		exit 1
	fi
done
# A file the .dsc names but nobody pinned would be unpacked unchecked.
for f in $(sed -n '/^Files:/,/^[^ ]/s/^ [0-9a-f]\{32\} [0-9]* //p' "$out/dl/$dsc"); do
	if [ -z "${want[$f]:-}" ]; then
		echo "$me: $dsc names $f, which has no pinned SHA-256: refusing it" >&2
		exit 1
	fi
done
rm -rf "$src"
# The hashes above are the trust anchor; dpkg-source applies debian/patches (upstream fixes).
dpkg-source --no-check -x "$out/dl/$dsc" "$src" >"$out/apt/unpack.log" 2>&1 || {
	echo "$me: dpkg-source -x failed:" >&2
	tail -n 5 "$out/apt/unpack.log" >&2
	exit 1
}
echo "$pkg $ver" >"$src/.plinth-stamp"
echo "$me: $pkg $ver in $src"
