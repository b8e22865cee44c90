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
