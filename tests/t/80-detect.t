#!/bin/bash
# Detection on generated streams with known events: every one of the top-4
# audio and top-4 video highlights must cover an event of its kind.
. "$KC_ROOT/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"

# check NAME FILE : run kc-clip (analysis only) and score the top-4 per kind
check() {
	local name=$1 f=$2 truth=${2%.mp4}.truth.jsonl kind
	run kc-clip --json -q --out "$T/out-$name" "$f"
	is "$RC" 0 "$name: kc-clip exits 0" || { diag "$ERR"; return; }
	printf '%s\n' "$OUT" >"$T/$name.hl.jsonl"
	for kind in audio video; do
		# a highlight hits when it holds at least half of an event
		hits=$(jq -n -r --arg k "$kind" --slurpfile h "$T/$name.hl.jsonl" \
		    --slurpfile e "$truth" '
		    [ $h[] | select(.type == "highlight" and .kind == $k and .rank <= 4) ] as $top
		    | [ $top[] | . as $x | [ $e[] | select(.kind == $k)
		        | (([.t1, $x.t1] | min) - ([.t0, $x.t0] | max)) as $ov
		        | select($ov >= (.t1 - .t0) / 2) ] | length > 0 ] as $ok
		    | "\($ok | map(select(.)) | length) \($top | length)"')
		set -- $hits
		is "$1/$2" "4/4" "$name: top-4 $kind highlights each hold an $kind event"
		[ "$1" = 4 ] || diag "$(jq -c --arg k "$kind" 'select(.type == "highlight" and .kind == $k) | [.rank, .t0, .t1, .score]' "$T/$name.hl.jsonl")" \
		    "events: $(jq -c --arg k "$kind" 'select(.kind == $k) | [.type, .t0, .t1]' "$truth" | tr '\n' ' ')"
	done
}

f=$(media main -d 600 --seed 1) || bail "cannot generate the test stream"
check main "$f"

# other seeds, orders and sizes than the one the weights were tuned on
f=$(media alt2 -d 600 --seed 2 --size 320x180 --preset ultrafast \
    -t cuts,music,life,shout,flash,explosion,pan,horn,cellauto,cheer) ||
    bail "cannot generate alt2"
check alt2 "$f"
f=$(media alt3 -d 720 -n 12 --seed 3 --size 480x270 --fps 25 --preset ultrafast \
    -t horn,cellauto,cheer,flash,shout,pan,music,cuts,explosion,life) ||
    bail "cannot generate alt3"
check alt3 "$f"

done_testing
