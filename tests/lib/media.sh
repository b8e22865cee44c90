# tests/lib/media.sh - generated test streams, made once and shared by all
# tests (and both test configurations) through tests/.media/.
#
#   . "$KC_ROOT/tests/lib/media.sh"
#   f=$(media calm10 -d 600 --seed 1)      # path of the .mp4
#   truth=${f%.mp4}.truth.jsonl
#
# The cache key covers the arguments and the generator itself, so a change
# to scripts/kc-genstream regenerates.  Parallel tests wait on a lock
# instead of generating the same stream twice.
#
#   boxes FILE        an MP4's top-level boxes in file order ("ftyp moov mdat")
#   faststart FILE    true when its moov box comes before its mdat box

media() {
	local name=$1; shift
	local key f
	key=$( { printf '%s\n' "$@"; cat "$KC_ROOT/scripts/kc-genstream"; } |
	    md5sum | cut -c1-10)
	f=$KC_MEDIA/$name-$key.mp4
	mkdir -p "$KC_MEDIA"
	(
		flock 9
		if [ ! -s "$f" ]; then
			"$KC_ROOT/scripts/kc-genstream" "$@" \
			    --truth "${f%.mp4}.truth.jsonl" "$f.part.mp4" >&2 &&
			    mv "$f.part.mp4" "$f"
		fi
	) 9>"$KC_MEDIA/.$name.lock"
	[ -s "$f" ] || return 1
	printf '%s\n' "$f"
}

# boxes FILE: the MP4's top-level boxes in file order ("ftyp moov mdat")
boxes() {
	python3 - "$1" <<'EOF'
import struct, sys
f = open(sys.argv[1], 'rb')
out = []
while True:
    h = f.read(8)
    if len(h) < 8:
        break
    size, kind = struct.unpack('>I4s', h)
    if size == 1:
        size = struct.unpack('>Q', f.read(8))[0]
        f.seek(size - 16, 1)
    elif size == 0:
        out.append(kind.decode('latin-1'))
        break
    else:
        f.seek(size - 8, 1)
    out.append(kind.decode('latin-1'))
print(' '.join(out))
EOF
}
# faststart FILE: its moov box comes before its mdat box
faststart() {
	boxes "$1" | awk '{ for (i = 1; i <= NF; i++) { if ($i == "moov" &&
	    !d) m = 1; if ($i == "mdat") d = 1 } } END { exit !(m && d) }'
}
