#!/bin/bash
# mkdisk.sh OUT.img [LABEL]: a fresh 8 MiB ext4 image (mke2fs -d, no root needed) for one guest
# of the two-partition virtio test: /payload.bin, 1 MiB of deterministic bytes (SHA-256 of
# "plinth-virtio-payload LABEL <block number>", block after block, so each LABEL gets its own
# content), and /payload.sha256 with its hash in sha256sum's format. The same hash goes to
# OUT.img.sha256 on the host, for the test to compare with what the guest prints. The guest
# writes to the image (written-by-a / written-by-b), so every test run needs a fresh one.
set -euo pipefail
img=$1 label=${2:-plinth}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir/payload.bin" "$label" <<'EOF'
import hashlib, sys
with open(sys.argv[1], "wb") as f:
    for i in range((1 << 20) // 32):
        f.write(hashlib.sha256(b"plinth-virtio-payload %s %d" % (sys.argv[2].encode(), i)).digest())
EOF
sum=$(cd "$dir" && sha256sum payload.bin)
echo "$sum" >"$dir/payload.sha256"
touch -d @1700000000 "$dir" "$dir"/*
rm -f "$img"
# A fixed UUID, hash seed and time (E2FSPROGS_FAKE_TIME) make the same LABEL give the same image.
E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -F -t ext4 -L "plinth-$label" \
	-U 5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0 -E hash_seed=0b1c2d3e-4f50-4617-a8b9-cadbecfd0e1f \
	-d "$dir" "$img" 8M >/dev/null
echo "payload-sha256 ${sum%% *}" >"$img.sha256"
cat "$img.sha256"
