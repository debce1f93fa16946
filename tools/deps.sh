#!/bin/bash
# Installs the Debian packages Plinth needs to build and test; silent when all are present.
set -euo pipefail
PKGS=(gcc make binutils gnu-efi libcmocka-dev mtools dosfstools qemu-system-x86 ovmf
      bochs bochs-term bochsbios vgabios python3 util-linux clang acpica-tools e2fsprogs dpkg-dev xz-utils
      libcivetweb-dev libjansson-dev libsqlite3-dev libssl-dev libcurl4-openssl-dev openssl curl
      chromium)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The web console's npm packages and its browser test need Node.js and npm. By command, not by
# package: a Node.js from elsewhere (e.g. NodeSource's, which conflicts with Debian's npm) will do.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
