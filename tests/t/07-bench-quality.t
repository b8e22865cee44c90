#!/bin/bash
# 07-bench-quality.t - the quality benchmark's parts (issue 9): bench/judge's
# arithmetic on a hand-made truth, hand-made highlights and hand-made hop
# features (hits by either rule, the 5 s tail, one hit per event by a
# maximum matching, duplicates, non-events of the pick's kind, offsets,
# K, the baselines' windows and gap rule, the chance level), and
# kc-genstream --profile busy on a short stream: media, events and
# non-events in the truth, the same stream again for the same seed, and
# the non-events louder / moving more than the stream's ordinary hops.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

need jq python3 ffmpeg ffprobe sox espeak-ng kc-fetch kc-audiofeat kc-videofeat
J=$KC_ROOT/bench/judge
cd "$T" || bail "cannot cd to $T"

# --- bench/judge on hand-made input -------------------------------------
cat >truth.jsonl <<'EOF'
{"kind":"audio","type":"shout","t0":100,"t1":110}
{"kind":"video","type":"action","t0":150,"t1":158}
{"kind":"video","type":"flash","t0":170,"t1":178}
{"kind":"audio","type":"explosion","t0":300,"t1":310}
{"kind":"none","type":"talk","fools":"audio","t0":400,"t1":420}
{"kind":"none","type":"travel","fools":"video","t0":450,"t1":470}
{"kind":"audio","type":"drop","t0":600,"t1":620}
{"kind":"audio","type":"shout","t0":700,"t1":710}
EOF
hl() {	# KIND RANK T0 : a highlight of 30 s as kc-score writes it
	printf '{"type":"highlight","kind":"%s","rank":%d,"t0":%s,"t1":%s,"score":0.5}\n' \
	    "$1" "$2" "$3" "$(($3 + 30))"
}
{
	printf '{"type":"stream","v":1,"id":"x","hop":1,"start":0,"end":800}\n'
	hl audio 1 95	# holds the onset 100 with 25 s after it: hit, offset 5
	hl audio 2 272	# onset 300 in its last 5 s, centre 287 not near: no hit
	hl audio 3 395	# on the loud talk: a non-event
	hl audio 4 605	# after the onset 600, centre 620 within 600-620 +-5: hit, offset -5
	hl audio 5 690	# would hit 700, but K = 4 audio events: not judged
	hl video 1 145	# holds 150 and 170 ...
	hl video 2 130	# ... this one only 150: both hit when 145 takes 170
	hl video 3 445	# K = 2: not judged
	hl audio 6 98	# not judged either
	printf '{"type":"end","stream":"x"}\n'
} >kc.jsonl
# hop features: quiet and still, but loud over the talk (400-419) and
# half as loud over the shout at 100 (100-109); motion over 450-469
awk 'BEGIN {
	printf "{\"type\":\"stream\",\"v\":1,\"id\":\"x\",\"hop\":1,\"start\":0,\"end\":800}\n"
	for (t = 0; t < 800; t++) {
		l = (t >= 400 && t < 420) ? -10 : (t >= 100 && t < 110) ? -20 : -40
		m = (t >= 450 && t < 470) ? 0.5 : 0.01
		printf "{\"type\":\"afeat\",\"t\":%d,\"dur\":1,\"features\":{\"loudness_db\":%d}}\n", t, l
		printf "{\"type\":\"vfeat\",\"t\":%d,\"dur\":1,\"features\":{\"motion_mean\":%g}}\n", t, m
	}
	printf "{\"type\":\"end\",\"stream\":\"x\"}\n"
}' >feat.jsonl
cat >manifest.json <<EOF
{"mode": "vod", "split": "test", "clip_duration": 30, "min_gap": 10, "title": "t",
 "streams": [{"profile": "busy", "seed": 1, "truth": "$T/truth.jsonl",
              "features": "$T/feat.jsonl", "kc": "$T/kc.jsonl"}]}
EOF
run "$J" report manifest.json --json rep.json --text rep.txt
is "$RC" 0 "judge report exits 0" || diag "$ERR"
like "$OUT" "== busy: 1 streams" "the table names the profile"
cmp -s rep.txt "$T/out" && pass "the text file is what it printed" || fail "the text file is what it printed"
k() { jq -r ".profiles.busy.kinds.$1" rep.json; }
is "$(k 'audio.kc | [.k, .events, .picks, .hits, .nonevents, .precision, .recall, .nonevent_share, .median_offset] | @tsv')" \
    "$(printf '4\t4\t4\t2\t1\t0.5\t0.5\t0.25\t0')" \
    "kc audio: K 4, 2 hits (onset rule, centre rule), 1 non-event, offsets 5 and -5"
is "$(jq -c '[.streams[0].kinds.audio.kc.judged[].verdict]' rep.json)" \
    '["hit","miss","nonevent","hit"]' "each judged pick's verdict, in rank order"
is "$(k 'video.kc | [.k, .hits, .nonevents, .median_offset] | @tsv')" "$(printf '2\t2\t0\t22.5')" \
    "kc video: a maximum matching gives both picks a hit (offsets 25 and 20)"
# baselines: loudness windows [390,420] (talk), [80,110] (shout, offset 20),
# then the quiet [0,30] and [40,70] (40 s = clip + gap from both)
run "$J" picks feat.jsonl --feature loudness_db --count 4
is "$(jq -r '"\(.t0)-\(.t1)"' "$T/out" | tr '\n' ' ')" "390-420 80-110 0-30 40-70 " \
    "loudness top-4: best mean first, earliest of equals, nothing within clip + gap"
is "$(k 'audio.loudness | [.hits, .nonevents, .median_offset] | @tsv')" "$(printf '1\t1\t20')" \
    "loudness baseline on audio: 1 hit, 1 non-event"
run "$J" picks feat.jsonl --record vfeat --feature motion_mean --count 2
is "$(jq -r '"\(.t0)-\(.t1)"' "$T/out" | head -1)" "440-470" "frame-difference top-1 is the travel"
is "$(k 'video.framediff | [.hits, .nonevents] | @tsv')" "$(printf '0\t1')" \
    "frame-difference baseline on video: the travel is a non-event, no hit"
# chance: 46 of the 771 windows (starts 0-770) hit a video event, 36 more a
# travel
is "$(k 'video.chance | [.precision, .nonevent_share] | @tsv')" "$(printf '0.0597\t0.0467')" \
    "chance level: the share of possible windows that hit (video)"
# the same manifest in live mode: K = the clips found after the warm-up
# (the highlights as live clips, a warm-up of 140 s)
sed 's/"mode": "vod"/"mode": "live", "warmup": 140/' manifest.json >live.json
jq -c 'select(.type == "highlight") | .type = "clip" | .want_t0 = .t0 | .want_t1 = .t1 | .rank = null' \
    kc.jsonl >live-kc.jsonl
# and a failed cut: kc chose the window all the same (a duplicate of 690's hit)
printf '{"type":"error","stage":"kc-cut","message":"no segment covers it","fatal":false,"kind":"audio","t0":700,"t1":730}\n' \
    >>live-kc.jsonl
sed -i "s|$T/kc.jsonl|$T/live-kc.jsonl|" live.json
run "$J" report live.json --json live-rep.json
is "$RC" 0 "judge report (live) exits 0" || diag "$ERR"
like "$OUT" "failed cut: seed [0-9]+ 700.0-730.0 s: no segment covers it" \
    "live: the report says why each failed cut failed"
is "$(jq -r '.profiles.busy.kinds.audio.kc | [.k, .events, .hits, .nonevents, .precision, .failed_cuts] | @tsv' live-rep.json)" \
    "$(printf '5\t3\t2\t1\t0.4\t1')" \
    "live audio: the 5 clips after the warm-up (a failed cut too) are K, judged against the 3 events after it"
is "$(jq -r '.profiles.busy.kinds.video.kc | [.k, .events, .hits, .nonevents] | @tsv' live-rep.json)" \
    "$(printf '2\t2\t1\t1')" "live video: the clip at 130, before the warm-up, is not judged"
printf '{"mode": "vod", "streams": [{"profile": "busy", "seed": 1, "truth": "%s/nope", "features": "x", "kc": "x"}]}\n' "$T" >bad.json
run "$J" report bad.json
is "$RC" 1 "a missing truth file: exit 1" && like "$ERR" "nope" "... naming it"
run "$KC_ROOT/bench/quality" --split tuning
is "$RC" 2 "bench/quality: a bad --split is a usage error"

# judge chat: K = the real events the chat reacted to (not the one it let
# pass, not the non-event it reacted to); picks on a burst are non-events
cat >ct.truth.jsonl <<'EOF2'
{"kind":"audio","type":"shout","t0":100,"t1":110}
{"kind":"video","type":"pan","t0":200,"t1":210}
{"kind":"audio","type":"boom","t0":300,"t1":306}
{"kind":"none","type":"talk","t0":400,"t1":410}
EOF2
cat >ct.react.jsonl <<'EOF2'
{"t":100,"kind":"audio","type":"shout","reacted":true,"react_t":105}
{"t":200,"kind":"video","type":"pan","reacted":true,"react_t":206}
{"t":300,"kind":"audio","type":"boom","reacted":false}
{"t":400,"kind":"none","type":"talk","reacted":true,"react_t":404}
{"burst":"raid","t0":500,"t1":505}
EOF2
hl chat 1 95 >ct.kc.jsonl	# hits 100
hl chat 2 495 >>ct.kc.jsonl	# the raid
hl chat 3 195 >>ct.kc.jsonl	# not judged: K = 2
run "$J" chat ct.truth.jsonl ct.react.jsonl ct.kc.jsonl
is "$RC" 0 "judge chat exits 0" || diag "$ERR"
is "$(jq -r '[.k, .hits, .nonevents, .precision, .moments] | @tsv' <<<"$OUT")" "$(printf '2\t1\t1\t0.5\t2')" \
    "judge chat: K = the 2 reacted real events; one hit, one pick on the raid; 2 moments"
sed -i 's/"t0":200,"t1":210/"t0":110,"t1":120/; s/"t":200,/"t":110,/' ct.truth.jsonl ct.react.jsonl
run "$J" chat ct.truth.jsonl ct.react.jsonl ct.kc.jsonl
is "$(jq -r '[.k, .moments] | @tsv' <<<"$OUT")" "$(printf '2\t1')" \
    "... two reacted events 10 s apart are one moment (the gap rule keeps one clip for them)"

# --- kc-genstream --profile busy ------------------------------------------
gen() {	# OUT [more args] : a 60 s busy stream, small and quick
	local o=$1; shift
	"$KC_ROOT/scripts/kc-genstream" --profile busy -d 60 -n 2 --non-events 2 --size 320x180 \
	    --preset ultrafast "$@" "$o"
}
run gen b1.mp4 --seed 5
is "$RC" 0 "kc-genstream --profile busy exits 0" || diag "$ERR"
like "$ERR" "2 events and 2 non-events" "it says what it wrote"
is "$(ffprobe -v error -show_entries stream=codec_type -of csv=p=0 b1.mp4 | sort | tr '\n' ' ')" \
    "audio video " "the stream has a picture and sound"
cmp_ok "$(ffprobe -v error -show_entries format=duration -of csv=p=0 b1.mp4)" ">=" 59.9 "... 60 s of it"
is "$(jq -r '"\(.kind)/\(.fools // "-")"' b1.truth.jsonl | sort | tr '\n' ' ')" \
    "audio/- none/audio none/video video/- " "truth: one event of each kind, a non-event for each"
is "$(jq -s 'map(.t0) == (map(.t0) | sort) and all(.[]; .t0 < .t1 and .t1 <= 60)' b1.truth.jsonl)" \
    true "truth lines in order of onset, each inside the stream"
run gen b2.mp4 --seed 5
cmp -s b1.truth.jsonl b2.truth.jsonl && pass "the same seed gives the same truth" ||
    fail "the same seed gives the same truth"
cmp -s b1.mp4 b2.mp4 && pass "... and the same stream" || fail "... and the same stream"
run gen b3.mp4 --seed 6 --no-video
cmp -s b1.truth.jsonl b3.truth.jsonl && fail "another seed, another layout" ||
    pass "another seed, another layout"
is "$(jq -r .kind b3.truth.jsonl | sort -u | tr '\n' ' ')" "audio none " "--no-video: only audio things"
# what the non-events are for: louder or more moving than ordinary hops
kc-fetch b1.mp4 | kc-audiofeat | kc-videofeat >b1.feat.jsonl || bail "no features of b1.mp4"
# mean of FEATURE over [T0, T1) against its median over the stream
stand() {
	jq -s -r --arg f "$1" --argjson a "$2" --argjson b "$3" '
	    [.[] | select(.features[$f] != null) | {t, v: .features[$f]}] as $h
	    | ($h | map(.v) | sort | .[length / 2 | floor]) as $med
	    | ($h | map(select(.t >= $a and .t < $b) | .v) | add / length) as $in
	    | "\($in) \($med)"' b1.feat.jsonl
}
talk=$(jq -r 'select(.type == "talk") | "\(.t0) \(.t1)"' b1.truth.jsonl)
travel=$(jq -r 'select(.type == "travel") | "\(.t0) \(.t1)"' b1.truth.jsonl)
read -r in med <<<"$(stand loudness_db $talk)"
cmp_ok "$in" ">" "$(awk -v m="$med" 'BEGIN { print m + 6 }')" \
    "the loud talk is > 6 dB above the stream's median hop ($in vs $med dB)"
read -r in med <<<"$(stand motion_mean $travel)"
cmp_ok "$in" ">" "$(awk -v m="$med" 'BEGIN { print 1.5 * m }')" \
    "the fast travel moves > 1.5 x the median hop ($in vs $med)"
done_testing
