#!/bin/bash
# Installs the web console's third-party code from the npm registry, at the exact versions of
# tools/controller/web/package-lock.json, into build/web (npm ci), then copies xterm.js, its
# stylesheet and its fit add-on to build/controller/web/vendor, where plinth-controller serves
# them. puppeteer-core (the browser test's driver) comes with it. Nothing is fetched at run time.
# Silent when build/web already holds this lock file's install.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=tools/controller/web
NPM_DIR=build/web
VENDOR=build/controller/web/vendor

if ! cmp -s "$SRC/package-lock.json" "$NPM_DIR/package-lock.json" ||
	[ ! -d "$NPM_DIR/node_modules/@xterm/xterm" ]; then
	command -v npm >/dev/null || { echo "fetch-web: npm not found (make deps)" >&2; exit 1; }
	rm -rf "$NPM_DIR"
	mkdir -p "$NPM_DIR"
	cp "$SRC/package.json" "$SRC/package-lock.json" "$NPM_DIR/"
	echo "fetch-web: npm ci in $NPM_DIR"
	# No install scripts: nothing here needs one, and puppeteer-core must not fetch a browser.
	(cd "$NPM_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
fi
mkdir -p "$VENDOR"
M=$NPM_DIR/node_modules/@xterm
for f in "$M/xterm/lib/xterm.js" "$M/xterm/css/xterm.css" "$M/addon-fit/lib/addon-fit.js"; do
	cmp -s "$f" "$VENDOR/$(basename "$f")" || cp "$f" "$VENDOR/"
done
