#!/bin/bash
# 40-score.t - kc-score on hop features made here with awk (a calm stream
# with a loud stretch and motion spikes at known times) and on the real
# features of a short generated stream.  Highlights must follow
# docs/records.md (fields, time order, window length, gap, count, rank),
# find the planted events, respect --type/--start/--end, pass every other
# record through byte for byte with "end" after the highlights, and fail
# the documented ways (exit 1 naming the place or file, exit 2 naming the
# option, nothing at all when the reader goes away).
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"

need jq awk cmp kc-score

unset KC_WEIGHTS KC_DATADIR
cd "$T" || bail "cannot cd to $T"

# stream ID START END [HAS_VIDEO] : a stream record as kc-fetch writes it
stream() {
	jq -nc --arg id "$1" --argjson s "$2" --argjson e "$3" \
	    --argjson v "${4:-true}" '{type: "stream", v: 1, id: $id,
	    url: ("/media/" + $id + ".mp4"), analysis: "x", cut: "x",
	    duration: $e, live: false, title: $id, channel: null, start: $s,
	    end: $e, has_audio: true, has_video: $v, hop: 1}'
}
end() { printf '{"type":"end","stream":"%s"}\n' "$1"; }

# feats n=HOPS [seed=N] [off=T] [loud=A-B] [spikes=A-B,C-D] [kinds=av]
# One afeat and/or vfeat per 1 s hop from t = off: loudness -35 dB +- 1 and
# a little motion, except a loud stretch (hops [A, B) from off, -10 dB) and
# motion spikes (hops [A, B)), so where the highlights belong is known.
feats() {
	local a=() kv
	for kv; do a+=(-v "$kv"); done
	awk "${a[@]}" 'BEGIN {
	    srand(seed + 1); if (kinds == "") kinds = "av"
	    la = lb = -1; if (loud != "") { split(loud, L, "-"); la = L[1]; lb = L[2] }
	    ns = spikes == "" ? 0 : split(spikes, S, ",")
	    for (i = 0; i < n; i++) {
		t = off + i
		if (kinds ~ /a/) {
		    l = i >= la && i < lb
		    db = l ? -10 + rand() : -35 + 2 * (rand() - 0.5)
		    printf "{\"type\":\"afeat\",\"t\":%d,\"dur\":1,\"features\":{" \
			"\"loudness_db\":%.3f,\"lufs_shortterm\":%.3f," \
			"\"rms_max\":%.5f,\"flux_mean\":%.4f,\"centroid_mean\":%.1f}}\n",
			t, db, db - 2 + rand(), 10 ^ ((db + 3) / 20),
			(l ? 3 : 1) + 0.2 * rand(), 1000 + 100 * rand()
		}
		if (kinds ~ /v/) {
		    m = 0
		    for (k = 1; k <= ns; k++) {
			split(S[k], P, "-"); if (i >= P[1] && i < P[2]) m = 1
		    }
		    printf "{\"type\":\"vfeat\",\"t\":%d,\"dur\":1,\"features\":{" \
			"\"motion_mean\":%.4f,\"motion_frac\":%.4f,\"motion_max\":%.4f," \
			"\"scene_cuts\":%d,\"edge_mean\":%.4f}}\n",
			t, m ? 0.35 + 0.02 * rand() : 0.02 + 0.006 * rand(),
			m ? 0.6 + 0.05 * rand() : 0.05 + 0.02 * rand(),
			m ? 0.5 : 0.04 + 0.01 * rand(), m ? 3 : 0, 0.1 + 0.01 * rand()
		}
	    }
	}'
}

# check FILE DUR GAP NA NV : "ok", or each way the highlights of FILE break
# docs/records.md and the options
check() {
	jq -rs --argjson d "$2" --argjson g "$3" --argjson na "$4" \
	    --argjson nv "$5" '
	  [.[] | select(.type == "highlight")] as $h
	  | [ (if ($h | length) == 0 then "no highlights" else empty end),
	    ([$h[].t0] | if . != sort then "not in time order: \(.)" else empty end),
	    ($h[] | select(["kind", "t0", "t1", "score", "heuristic", "model",
	        "model_weight", "rank", "features"] - keys != [])
	        | "fields missing in \(tojson)"),
	    ($h[] | select(.model != null or .model_weight != 0)
	        | "model \(.model), model_weight \(.model_weight)"),
	    ($h[] | select((.score | type) != "number" or .score < 0 or
	        .score > 1 or .heuristic < 0 or .heuristic > 1 or
	        .score != .heuristic) | "score \(.score) heuristic \(.heuristic)"),
	    ($h[] | select(.kind != "audio" and .kind != "video") | "kind \(.kind)"),
	    ($h[] | select((.features | type) != "object" or
	        (.features | length) == 0) | "no features at \(.t0)"),
	    ($h[] | select((.t1 - .t0 - $d | fabs) > 1e-6)
	        | "\(.kind) window \(.t0)-\(.t1) is not \($d) s"),
	    ($h[] | select((.rank | type) != "number" or .rank != (.rank | floor))
	        | "rank \(.rank)"),
	    ($h[] | select((.peak | type) != "number" or .peak < .t0 or .peak > .t1)
	        | "\(.kind) peak \(.peak) outside its window \(.t0)-\(.t1)"),
	    (["audio", "video"][] as $k
	      | [$h[] | select(.kind == $k)] as $x
	      | (if ($x | length) > (if $k == "audio" then $na else $nv end)
	          then "\($x | length) \($k) highlights" else empty end),
	        ([range(1; $x | length) as $i
	          | select($x[$i].t0 - $x[$i - 1].t0 < $d + $g - 1e-6)
	          | "\($k) at \($x[$i - 1].t0) and \($x[$i].t0) closer than \($d + $g) s"][]),
	        (if ([$x[].rank] | sort) != [range(1; ($x | length) + 1)]
	          then "\($k) ranks \([$x[].rank])" else empty end),
	        ($x | sort_by(.rank) | [range(1; length) as $i
	          | select(.[$i].score > .[$i - 1].score)] | if length > 0
	          then "\($k) rank order is not score order" else empty end))
	    ] | if length == 0 then "ok" else join("; ") end' "$1"
}

hls() { jq -c 'select(.type == "highlight")' "$1"; }
count() { jq -s --arg k "${2:-}" '[.[] | select(.type == "highlight" and
    (.kind == $k or $k == ""))] | length' "$1"; }
# top FILE KIND : "t0 t1" of the rank-1 highlight of KIND
top() { jq -r --arg k "$2" 'select(.type == "highlight" and .kind == $k and
    .rank == 1) | "\(.t0) \(.t1)"' "$1"; }
one_line() { [ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ]; }

# --- usage -------------------------------------------------------------------
run kc-score --help
is "$RC" 0 "--help exits 0"
like "$(printf '%s' "$OUT" | tr '\n' ' ')" 'exit status: 0 ok, 1 .*2 usage' \
    "--help documents exit statuses"

for bad in "--max-audio-clips 0" "--max-audio-clips 26" "--max-audio-clips x" \
    "--max-video-clips 0" "--clip-duration 2" "--clip-duration 601" \
    "--min-gap -1" "--type some" "--start x" "--start 100 --end 50"; do
	set -- $bad
	run kc-score "$@"
	is "$RC:$OUT" "2:" "$bad: exit 2, nothing on stdout"
	like "$(head -n 1 "$T/err")" "^kc-score: (${1}: '${2}'|--end must be after --start)" \
	    "$bad: first line names the option and the value"
done

# --- hand-made features: a loud stretch at 300-310 s, spikes at 100, 450 ---
{ stream s1 0 600; feats n=600 seed=1 loud=300-310 spikes=100-105,450-455; end s1; } >a.jsonl

run -i a.jsonl kc-score
is "$RC" 0 "defaults: exit 0"
is "$ERR" "" "defaults: nothing on stderr"
cp "$T/out" d.out
is "$(check d.out 30 10 10 10)" ok "defaults: highlights follow records.md and the options"
cmp_ok "$(count d.out audio)" ">=" 3 "defaults: several audio highlights"
cmp_ok "$(count d.out video)" ">=" 3 "defaults: several video highlights"

read -r a0 a1 <<<"$(top d.out audio)"
cmp_ok "$(awk -v a="$a0" 'BEGIN { c = a + 3 - 300; print c < 0 ? -c : c }')" \
    "<=" 1 "loud stretch 300-310 is rank 1 audio, its onset the default --pre-roll 3 s into it (window $a0-$a1)"
run -i a.jsonl kc-score --pre-roll 8
read -r p0 p1 <<<"$(top "$T/out" audio)"
cmp_ok "$(awk -v a="$p0" 'BEGIN { c = a + 8 - 300; print c < 0 ? -c : c }')" \
    "<=" 1 "--pre-roll 8: the onset 8 s in (window $p0-$p1)"
is "$(check "$T/out" 30 10 10 10)" ok "--pre-roll 8: highlights follow records.md and the options"
run -i a.jsonl kc-score --pre-roll off
read -r p0 p1 <<<"$(top "$T/out" audio)"
cmp_ok "$(awk -v a="$p0" -v b="$p1" 'BEGIN { c = (a + b) / 2 - 305; print c < 0 ? -c : c }')" \
    "<=" 2 "--pre-roll off: the best window, centred on the stretch (window $p0-$p1)"
for bad in "--pre-roll 30" "--pre-roll -1" "--pre-roll x" "--min-score 1.5" "--min-score -0.1"; do
	set -- $bad
	run -i a.jsonl kc-score "$@"
	is "$RC:$OUT" "2:" "$bad: exit 2, nothing on stdout"
done
# --min-score: only what stands out enough; stderr says what was left out
n_all=$(count d.out audio)
run -i a.jsonl kc-score --min-score 0.6
is "$RC" 0 "--min-score 0.6: exit 0"
n_min=$(count "$T/out" audio)
cmp_ok "$n_min" ">=" 1 "--min-score 0.6: the loud stretch is still picked ($n_min)"
cmp_ok "$n_min" "<" "$n_all" "--min-score 0.6: fewer audio highlights than without ($n_min < $n_all)"
like "$ERR" "audio: [0-9]+ of $n_all highlights left out: they score under --min-score 0.6" \
    "--min-score: stderr says how many were left out and why"
is "$(jq -s '[.[] | select(.type == "highlight" and .score < 0.6)] | length' "$T/out")" 0 \
    "--min-score 0.6: no highlight scores under it"
cmp_ok "$(jq 'select(.type == "highlight" and .kind == "audio" and .rank == 1)
    | .heuristic' d.out)" ">=" 0.5 "the loud stretch stands out (heuristic >= 0.5)"
is "$(jq -s -c '[.[] | select(.type == "highlight" and .kind == "video" and
    .rank <= 2) | [(.t0 <= 100 and .t1 >= 105), (.t0 <= 450 and .t1 >= 455)]]
    | transpose | map(any)' d.out)" "[true,true]" \
    "the two motion spikes are the top-2 video highlights"

# two motion events 15 s apart and a third at 120 s: the first and the
# third get a clip starting 3 s before them; the second cannot (less than
# clip + gap after the first), yet -v 3 still gives 3 highlights, the gap
# kept (the one left is picked as without --pre-roll)
{ stream s2 0 180; feats n=180 seed=2 kinds=v spikes=40-45,55-60,120-125; end s2; } >close.jsonl
run -i close.jsonl kc-score -v 3 -t video
is "$RC:$(count "$T/out" video)" "0:3" "events closer than clip + gap: -v 3 still gives 3 video highlights"
is "$(check "$T/out" 30 10 10 3)" ok "... which keep the gap and follow records.md"
is "$(jq -s -c '[.[] | select(.type == "highlight") | .t0] | sort
    | [any(. >= 36 and . <= 38), any(. >= 116 and . <= 118)]' "$T/out")" "[true,true]" \
    "... two start at their event's pre-roll (37 and 117 s)"

# --- live: each window judged as it closes, placed like a VOD's -------------
# live FILE : "kind t0 t1 decided" of each highlight of a --live run
lhl() { jq -r 'select(.type == "highlight") | "\(.kind) \(.t0) \(.t1) \(.decided) \(.live) \(.rank)"' "$1"; }
run -i a.jsonl kc-score --live
is "$RC" 0 "--live: exit 0"
lhl "$T/out" >live.txt
is "$(awk '$1 == "audio" && $2 >= 296 && $2 <= 298' live.txt | wc -l)" 1 \
    "--live: the loud stretch 300-310 is an audio highlight with its onset --pre-roll 3 s in" || diag "$(cat live.txt)"
is "$(awk '$1 == "video" && (($2 >= 96 && $2 <= 98) || ($2 >= 446 && $2 <= 448))' live.txt | wc -l)" 2 \
    "--live: so are the motion spikes at 100 and 450, as video"
is "$(awk '$4 < $3 || $5 != "true" || $6 != "null"' live.txt)" "" \
    "--live: each written once its placed window has closed (decided >= t1), live, no rank"
# --curve live: each kind's curve in pieces as it airs, joined end to end
run -i a.jsonl kc-score --curve
vod_hops=$(jq -s -c '[.[] | select(.type == "curve") | {(.kind): (.values | length)}] | add' "$T/out")
run -i a.jsonl kc-score --live --curve
is "$RC" 0 "--live --curve: exit 0"
is "$(jq -s -c '[.[] | select(.type == "curve")] | group_by(.kind)
    | map({(.[0].kind): (map(.values | length) | add)}) | add' "$T/out")" "$vod_hops" \
    "--live --curve: each kind's pieces hold every hop, as many as a VOD's curve ($vod_hops)"
is "$(jq -s '[.[] | select(.type == "curve")] | group_by(.kind) | map(. as $c |
    [range(1; $c | length) as $i | $c[$i - 1] as $p | select($c[$i].t0 != $p.t0 + $p.hop * ($p.values | length))]
    | length) | add' "$T/out")" 0 "... each piece starting where the one before ended"
is "$(jq -s -c '[.[] | select(.type == "curve") | [(.live == true), (.values | length <= 10)]] | unique' "$T/out")" \
    '[[true,true]]' "... pieces of at most 10 hops, marked live"
cmp_ok "$(jq -s '[.[] | .type] | index("curve")' "$T/out")" "<" \
    "$(jq -s '[.[] | .type] | index("highlight")' "$T/out")" "... written as the stream goes, before its first highlight"
run -i a.jsonl kc-score --live --curve -t audio
is "$(jq -s -c '[.[] | select(.type == "curve") | .kind] | unique' "$T/out")" '["audio"]' \
    "--live --curve -t audio: the audio curve only"
run -i a.jsonl kc-score --live --pre-roll off
lhl "$T/out" >off.txt
is "$(awk '$1 == "audio" && $2 >= 280 && $2 <= 290' off.txt | wc -l)" 1 \
    "--live --pre-roll off: the window as detected, the stretch late in it" || diag "$(cat off.txt)"
run -i a.jsonl kc-score --live --min-score 0.99
is "$RC:$(count "$T/out")" "0:0" "--live --min-score 0.99: no highlight stands out that much"
like "$ERR" "audio: 1 live highlights left out: they score under --min-score 0.99" \
    "--live --min-score: stderr says how many were left out (each event once)"
# the weights file's live_floor: the smallest window-score spread a live
# window is measured against, per kind
jq '.video.live_floor = 1000' "$KC_ROOT/data/weights.json" >floor.json
run -i a.jsonl kc-score --live -w floor.json
is "$RC:$(count "$T/out" video)" "0:0" \
    "--live, video live_floor 1000: no video window stands out by 2 such spreads"
is "$(awk '$1 == "audio" && $2 >= 296 && $2 <= 298' <(lhl "$T/out") | wc -l)" 1 \
    "--live, video live_floor 1000: the audio highlight is still there"

# the window's features: the mean and maximum of its hops' values
want=$(jq -s --argjson a "$a0" --argjson b "$a1" '[.[] | select(.type == "afeat"
    and .t >= $a and .t < $b) | .features.loudness_db] | "\(add / length) \(max)"' -r a.jsonl)
got=$(jq -r 'select(.type == "highlight" and .kind == "audio" and .rank == 1)
    | "\(.features.loudness_db) \(.features.loudness_db_max)"' d.out)
cmp_ok "$(awk -v w="$want" -v g="$got" 'BEGIN { split(w, W, " "); split(g, G, " ")
    d = W[1] - G[1]; e = W[2] - G[2]; d = d < 0 ? -d : d; e = e < 0 ? -e : e
    print (G[1] == "" || G[2] == "") ? 99 : (d > e ? d : e) }')" "<" 0.001 \
    "features.loudness_db(_max) are the window's hop mean and max ($want vs $got)"
is "$(jq -c 'select(.type == "highlight" and .kind == "video" and .rank == 1)
    | .features | [has("motion_mean"), has("scene_cuts_max"), has("loudness_db")]' d.out)" \
    "[true,true,true]" "video highlight features: means, key maxima, and the audio means"

# other settings
run -i a.jsonl kc-score --clip-duration 20 --min-gap 5 --max-audio-clips 25 \
    --max-video-clips 25
is "$RC" 0 "-d 20 -g 5 -a 25 -v 25: exit 0"
is "$(check "$T/out" 20 5 25 25)" ok "-d 20 -g 5 -a 25 -v 25: windows of 20 s, 25 s apart, at most 25"
cmp_ok "$(count "$T/out" audio)" ">=" 12 "-a 25: many audio windows fit in 600 s"

run -i a.jsonl kc-score -a 3 -v 2
is "$(check "$T/out" 30 10 3 2)" ok "-a 3 -v 2: valid"
is "$(count "$T/out" audio):$(count "$T/out" video)" "3:2" "-a 3 -v 2: 3 audio and 2 video highlights"

run -i a.jsonl kc-score --type audio
is "$RC" 0 "--type audio: exit 0"
is "$(jq -r 'select(.type == "highlight") | .kind' "$T/out" | sort -u)" audio \
    "--type audio: only audio highlights"
is "$(top "$T/out" audio)" "$a0 $a1" "--type audio: same rank-1 audio window"
run -i a.jsonl kc-score --type video
is "$(jq -r 'select(.type == "highlight") | .kind' "$T/out" | sort -u)" video \
    "--type video: only video highlights"

run -i a.jsonl kc-score --start 120 --end 420
is "$RC" 0 "--start 120 --end 420: exit 0"
is "$(check "$T/out" 30 10 10 10)" ok "--start/--end: valid"
is "$(jq -s '[.[] | select(.type == "highlight" and (.t0 < 120 or .t1 > 420))] | length' "$T/out")" \
    0 "--start/--end: every window inside [120, 420]"
read -r b0 b1 <<<"$(top "$T/out" audio)"
is "$b0 $b1" "$a0 $a1" "--start/--end: the loud stretch is still rank 1 audio"
run -i a.jsonl kc-score --start 5:20
is "$(jq -s '[.[] | select(.type == "highlight" and .t0 < 320)] | length' "$T/out"):$RC" \
    "0:0" "--start 5:20: no window before 320 s"
cmp_ok "$(count "$T/out")" ">" 0 "--start 5:20: still highlights after it"
# a range with no whole hop in it is an error, wherever it lies
for st in 599.5 700; do
	run -i a.jsonl kc-score --start $st
	is "$RC" 1 "--start $st on a 600 s stream: exit 1"
	unlike "$OUT" '"highlight"' "--start $st: no highlights"
	like "$ERR" '^kc-score: .*range.*hop' "--start $st: says the range holds no hop"
done

# audio only (no vfeat at all): audio highlights and a note
{ stream s2 0 600 false; feats n=600 seed=2 loud=300-310 kinds=a; end s2; } >ao.jsonl
run -i ao.jsonl kc-score
is "$RC" 0 "audio only: exit 0"
is "$(jq -r 'select(.type == "highlight") | .kind' "$T/out" | sort -u)" audio \
    "audio only: only audio highlights"
like "$ERR" "^kc-score: .*no video" "audio only: a note on stderr says there is no video"
ok "audio only: the note is one line" one_line "$ERR"

# shorter than the clip: one window covering all of it, per kind
{ stream s3 0 20; feats n=20 seed=3 loud=8-12 spikes=3-5; end s3; } >short.jsonl
run -i short.jsonl kc-score
is "$RC" 0 "20 s stream, 30 s clips: exit 0"
is "$(jq -s -c '[.[] | select(.type == "highlight") | [.kind, .t0, .t1, .rank]]' "$T/out")" \
    '[["audio",0,20,1],["video",0,20,1]]' "20 s stream: one highlight of each kind covering 0-20"

# pass-through: unknown records byte for byte, in order; "end" last
{
	stream s4 0 600
	printf '{"type":"segment","seq":0,"t0":0,"t1":600,"file":"x","range":[0,600]}\n'
	printf '{ "type" : "x-note",  "text":"caf\xc3\xa9 \\u00e9 \\"q\\"", "n":1.50 }\n'
	feats n=300 seed=4 loud=200-210 spikes=50-55
	printf '{"type":"gap","t0":300,"t1":301,"stage":"kc-audiofeat","reason":"test"}\n'
	printf '{"z":1,"type":"x-other","a":[1,2,{"b":null}]}   \n'
	feats n=300 seed=5 off=300 spikes=100-105
	end s4
} >pt.jsonl
run -i pt.jsonl kc-score
is "$RC" 0 "pass-through: exit 0"
grep -v -e '"type":"afeat"' -e '"type":"vfeat"' pt.jsonl >pt.want
grep -v '"type":"highlight"' "$T/out" >pt.got
if cmp -s pt.want pt.got; then pass "pass-through: every other record byte for byte, in order"
else fail "pass-through: every other record byte for byte, in order"; diag "$(diff pt.want pt.got | head -5)"; fi
is "$(tail -n 1 "$T/out")" '{"type":"end","stream":"s4"}' "pass-through: end is the last line"
is "$(jq -r .type "$T/out" | awk '$0 == "highlight" { h = NR } $0 == "gap" { g = NR }
    END { print (h > g) }')" 1 "pass-through: highlights come after the records before them"
cmp_ok "$(count "$T/out")" ">" 0 "pass-through: highlights were written"

# two streams in one input: each stream's highlights before its own end
{
	stream sa 0 300; feats n=300 seed=6 loud=60-70 spikes=200-205; end sa
	stream sb 0 300; feats n=300 seed=7 loud=220-230 spikes=20-25; end sb
} >two.jsonl
run -i two.jsonl kc-score
is "$RC" 0 "two streams: exit 0"
is "$(jq -r 'if .type == "highlight" then "h" else .type + (.id // .stream) end' "$T/out" |
    uniq | paste -sd' ')" "streamsa h endsa streamsb h endsb" \
    "two streams: stream, its highlights, end; twice"
awk '/"type":"stream","v":1,"id":"sb"/ { s = 1 } { print > (s ? "two.b" : "two.a") }' "$T/out"
is "$(check two.a 30 10 10 10):$(check two.b 30 10 10 10)" "ok:ok" "two streams: each valid alone"
read -r x0 x1 <<<"$(top two.a audio)"
read -r y0 y1 <<<"$(top two.b audio)"
ok "two streams: stream a's loud stretch (60-70) is its rank 1 audio ($x0-$x1)" \
    awk -v a="$x0" -v b="$x1" 'BEGIN { exit !(a <= 60 && b >= 70) }'
ok "two streams: stream b's loud stretch (220-230) is its rank 1 audio ($y0-$y1)" \
    awk -v a="$y0" -v b="$y1" 'BEGIN { exit !(a <= 220 && b >= 230) }'
run kc-score two.jsonl
is "$RC" 0 "two streams from a FILE operand: exit 0"
is "$(jq -c 'select(.type == "highlight")' "$T/out" | md5sum)" \
    "$(jq -c 'select(.type == "highlight")' two.a two.b | md5sum)" \
    "a FILE operand gives the same highlights as stdin"

# --curve: one per kind, one value per hop, before the highlights
run -i a.jsonl kc-score --curve
is "$RC" 0 "--curve: exit 0"
is "$(jq -s -c '[.[] | select(.type == "curve") | [.kind, .t0, .hop, (.values | length)]] | sort' "$T/out")" \
    '[["audio",0,1,600],["video",0,1,600]]' "--curve: audio and video, t0 0, hop 1, 600 values"
is "$(jq -s '[.[] | select(.type == "curve") | .values[] | select(type != "number")] | length' "$T/out")" \
    0 "--curve: every value a number"
is "$(jq -s -r '[.[] | select(.type == "curve" and .kind == "audio") | .values]
    | .[0] | indices(max)[0] | . >= 300 and . < 310' "$T/out")" true \
    "--curve: the audio curve peaks in the loud stretch"
is "$(jq -r 'select(.type == "highlight" and .kind == "audio" and .rank == 1)
    | .peak >= 300 and .peak <= 310 and (.peak - 0.5 | . == floor)' "$T/out")" true \
    "the best audio highlight's peak is in the loud stretch, in the middle of a hop"
is "$(jq -r .type "$T/out" | grep -v -e afeat -e vfeat | uniq | paste -sd' ')" \
    "stream curve highlight end" "--curve: curves before the highlights, end last"
is "$(jq -c 'select(.type == "highlight")' "$T/out")" "$(hls d.out)" \
    "--curve: the highlights are the same as without"

# real features of a generated stream
f=$(media short -d 120 -n 3 --size 320x180 --preset ultrafast) ||
    bail "cannot generate the test stream"
truth=${f%.mp4}.truth.jsonl
kc-fetch "$f" | kc-audiofeat | kc-videofeat >real.jsonl 2>real.err ||
    bail "feature pipeline failed: $(cat real.err)"
run -i real.jsonl kc-score
is "$RC" 0 "real features: exit 0"
is "$(check "$T/out" 30 10 10 10)" ok "real features: highlights follow records.md and the options"
cmp_ok "$(count "$T/out" audio):$(count "$T/out" video)" "!=" "0:0" "real features: highlights found"
for k in audio video; do
	is "$(jq -n --arg k $k --slurpfile h "$T/out" --slurpfile e "$truth" '
	    [$h[] | select(.type == "highlight" and .kind == $k and .rank == 1)][0] as $x
	    | [$e[] | select(.kind == $k) | (([.t1, $x.t1] | min) - ([.t0, $x.t0] | max))
	        as $ov | select($ov >= (.t1 - .t0) / 2)] | length > 0')" true \
	    "real features: rank-1 $k highlight holds half of a $k event"
done
run -i real.jsonl kc-score -d 10 -g 0 -a 25 -v 25
is "$(check "$T/out" 10 0 25 25)" ok "real features, -d 10 -g 0 -a 25: valid"

# --- bad records ---------------------------------------------------------------
{ stream s5 0 600; feats n=3; echo '{"type": nope}'; feats n=3 off=3; end s5; } >bad.jsonl
run -i bad.jsonl kc-score
is "$RC" 1 "malformed line: exit 1"
like "$ERR" "^kc-score: <stdin>:8: " "malformed line: message names <stdin>:8"
ok "malformed line: one line" one_line "$ERR"
run kc-score bad.jsonl
like "$ERR" "^kc-score: bad.jsonl:8: " "malformed line in a FILE: message names bad.jsonl:8"

{ stream s6 0 600; feats n=2; echo '{"type":"afeat","dur":1,"features":{"loudness_db":-30}}'; end s6; } >not.jsonl
run -i not.jsonl kc-score
is "$RC" 1 "afeat without \"t\": exit 1"
like "$ERR" '^kc-score: <stdin>:6: .*"t"' "afeat without \"t\": names the line and the field"
ok "afeat without \"t\": one line" one_line "$ERR"
sed 's/"t":1,/"t":"1",/' a.jsonl | head -n 20 >strt.jsonl
run -i strt.jsonl kc-score
is "$RC" 1 "\"t\" as a string: exit 1"
like "$ERR" '"t"' "\"t\" as a string: names the field"

{ stream s7 0 600 | sed 's/"v":1/"v":99/'; feats n=60; end s7; } >v99.jsonl
run -i v99.jsonl kc-score
is "$RC" 1 "stream v 99: exit 1"
like "$ERR" '^kc-score: <stdin>:1: .*99.*\(1\)' "stream v 99: names both versions"
ok "stream v 99: one line" one_line "$ERR"

# --- weights -----------------------------------------------------------------
printf '{"version": 1, "audio": {"features": \n' >broken.json
KC_WEIGHTS=$T/broken.json run -i a.jsonl kc-score
is "$RC:$OUT" "1:" "broken KC_WEIGHTS file: exit 1, nothing on stdout"
like "$ERR" "^kc-score: $T/broken.json" "broken KC_WEIGHTS file: message names the file"
ok "broken KC_WEIGHTS file: one line" one_line "$ERR"
KC_WEIGHTS=$T/none.json run -i a.jsonl kc-score
is "$RC" 1 "missing KC_WEIGHTS file: exit 1"
like "$ERR" "$T/none.json" "missing KC_WEIGHTS file: message names the file"
run -i a.jsonl kc-score --weights "$T/broken.json"
like "$RC:$ERR" "^1:kc-score: $T/broken.json" "--weights broken file: exit 1 naming it"

# --- the reader goes away ------------------------------------------------------
{ stream s8 0 600; for i in $(seq 3000); do
	printf '{"type":"segment","seq":%d,"t0":0,"t1":1,"path":"/no/such/file/with/a/long/name.mp4"}\n' "$i"
  done; feats n=600; end s8; } >big.jsonl
kc-score <big.jsonl 2>head.err | head -n 1 >head.out
st=${PIPESTATUS[0]}
is "$(cat head.err)" "" "kc-score | head -1: nothing on stderr"
like "$st" '^(0|141)$' "kc-score | head -1: exit 0 or SIGPIPE, not an error ($st)"
is "$(cat head.out)" "$(head -n 1 big.jsonl)" "kc-score | head -1: head got the stream record"

# --- a 4x longer stream: the same number of highlights -------------------------
{ stream s9 0 2400; feats n=2400 seed=9 loud=1500-1510 spikes=100-105,2000-2005; end s9; } >long.jsonl
run -i long.jsonl kc-score -a 5 -v 5
is "$RC" 0 "2400 hops: exit 0"
n4=$(count "$T/out")
run -i a.jsonl kc-score -a 5 -v 5
is "$n4" "$(count "$T/out")" "2400 hops: as many highlights as 600 hops ($n4)"
is "$(kc-score -a 5 -v 5 <long.jsonl | jq -r \
    'select(.type == "highlight" and .kind == "audio" and .rank == 1) | .t0 <= 1500 and .t1 >= 1510')" \
    true "2400 hops: the loud stretch is still rank 1 audio"

# --- a kind that ends early: no highlight of it where it is missing ---------
# The picture stops at 200 s, the sound goes on to 600 s (a video track
# shorter than the audio, or a lost stretch): asked for 5 video
# highlights, kc-score gives those it has, all where there is video (it
# filled the count with windows in the gap, cut from the last keyframe).
{
	stream vend 0 600
	feats n=600 seed=31 loud=400-405 kinds=a
	feats n=200 seed=32 spikes=50-53,150-153 kinds=v
	end vend
} | jq -c 'select(.type != "vfeat" or .t < 200)' >vend.jsonl
run kc-score -d 30 -g 10 -a 2 -v 5 vend.jsonl
is "$RC" 0 "video ends early: exit 0"
is "$(jq -r 'select(.type == "highlight" and .kind == "video" and .t0 + 15 > 200) | .t0' "$T/out")" "" \
    "video ends early: no video highlight mostly past its end"
cmp_ok "$(jq -r 'select(.type == "highlight" and .kind == "video") | .t0' "$T/out" | wc -l)" ">=" 2 \
    "video ends early: the video highlights there are (the spikes)"
is "$(jq -r 'select(.type == "highlight" and .kind == "audio" and .t0 <= 400 and .t1 >= 405) | .kind' "$T/out")" \
    audio "video ends early: the loud stretch past it still has its audio highlight"

# --- an event right after a gap: the highlight starts where media is -------
# Hops 100-109 were lost (a 404 segment); the sound comes back loud at
# 110.  Placed by its onset the window would begin at 107, in the gap,
# and its cut would fail on every run (the segment is gone): it begins
# at 110.
{
	stream gapd 0 300
	feats n=300 seed=41 loud=110-114 kinds=a
	printf '{"type":"gap","t0":100,"t1":110,"reason":"HTTP 404"}\n'
	end gapd
} | jq -c 'select(.type != "afeat" or .t < 100 or .t >= 110)' >gapd.jsonl
run kc-score -t audio -d 20 -g 10 -a 3 gapd.jsonl
is "$RC" 0 "an event after a gap: exit 0"
is "$(jq -r 'select(.type == "highlight" and .t1 > 110 and .t0 < 114) | .t0' "$T/out")" 110 \
    "an event after a gap: its highlight starts at 110, where the sound is back"
is "$(jq -r 'select(.type == "highlight" and .t0 >= 100 and .t0 < 110) | .t0' "$T/out")" "" \
    "an event after a gap: no highlight starts in it"

# --- a fatal error upstream: no highlights of the broken stream ------------
# (a hand-made pipeline without --require-end: its highlights were cut,
# then dropped by kc-db add, leaving clip files without rows)
{
	stream brk 0 300
	feats n=120 seed=51 loud=60-65
	printf '{"type":"error","stage":"kc-videofeat","message":"<stdin>:46: malformed record","fatal":true}\n'
	# the other feature stage's last hops, flushed after it at EOF
	feats n=3 seed=52 off=120 kinds=a
} >brk.jsonl
run kc-score -d 20 -g 10 -a 2 -v 2 brk.jsonl
is "$RC" 1 "a fatal error upstream: exit 1"
is "$(jq -r .type "$T/out" | paste -sd' ')" "stream error" \
    "a fatal error upstream: the stream and the error passed on, no highlight"
like "$ERR" "kc-videofeat failed: no highlights for a broken stream" "a fatal error upstream: says so"

done_testing
