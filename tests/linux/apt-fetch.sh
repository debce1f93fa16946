# Sourced by fetch-kernel.sh and mkinitramfs.sh (bash). apt_fetch PKG VER: downloads
# PKG=VER with apt-get into a fresh temporary directory (removed when the script exits) and
# unpacks it to $work/root; sets work and deb. Nothing is installed on the host.
apt_fetch() {
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	# apt's sandbox user cannot write to a private temp dir: download as ourselves.
	(cd "$work" && apt-get download -o APT::Sandbox::User=root "$1=$2" >/dev/null 2>&1 ||
		apt-get download "$1=$2" >/dev/null)
	deb=$(ls "$work"/*.deb)
	dpkg-deb -x "$deb" "$work/root"
}
