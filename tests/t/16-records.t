#!/bin/bash
# 16-records.t - every stage checks the records it reads with the one
# shared checker (docs/records.md, "What every reader checks"): the same
# bad record is refused by each stage that reads it, with exit 1 and the
# same words after "PROG: <stdin>:LINE: ", naming the value.  Values that
# made stages crash, allocate gigabytes or lose data (item 6 of issue 8)
# are among them.  What a stage stored before the bad record stays.  No
# media is needed: each record is refused before anything is decoded.
# kc-fetch checks the stream record it writes (an HLS VOD it serves here).
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

need jq ffmpeg python3 kc-fetch kc-audiofeat kc-videofeat kc-score kc-cut kc-db kc-train

cd "$T" || bail "cannot cd to $T"
mkdir -p clips

STREAM='{"type":"stream","v":1,"id":"0123456789abcdef","url":"/m/a.mp4","analysis":"/m/a.mp4","cut":"/m/a.mp4","duration":60,"live":false,"title":"A","channel":null,"start":0,"end":60,"has_audio":true,"has_video":true,"hop":1}'
END='{"type":"end","stream":"0123456789abcdef"}'

# stage NAME: the command line that runs stage NAME on stdin
stage() {
	case $1 in
	kc-db) echo "kc-db --db $T/r.db add" ;;
	kc-cut) echo "kc-cut --out $T/clips -j 1 -q" ;;
	kc-train) echo "kc-train --dry-run --quiet --folds 0" ;;
	*) echo "$1" ;;
	esac
}

# refused DESC LINE WANT STAGE... < input: each STAGE exits 1 (or
# $REFUSED_RC) and its first line on stderr is "STAGE: <stdin>:LINE: WANT"
refused() {
	local desc=$1 line=$2 want=$3 s in=$T/in.jsonl rc=${REFUSED_RC:-1}
	shift 3
	cat >"$in"
	for s; do
		# shellcheck disable=SC2046
		run -i "$in" $(stage "$s")
		is "$RC" "$rc" "$desc: $s exits $rc"
		is "$(head -n 1 "$T/err")" "$s: <stdin>:$line: $want" \
		    "$desc: $s says why, with the value"
	done
}

READ_STREAM="kc-audiofeat kc-videofeat kc-score kc-cut kc-db"

# --- stream and end: read by every stage of the pipeline ------------------
v=$(jq -c '.v = "1"' <<<"$STREAM")
refused 'v "1"' 1 'stream: "v" is not a records version (an integer from 1): "1"' \
    $READ_STREAM <<<"$v"
refused 'v null' 1 'stream: "v" is null' $READ_STREAM <<<"$(jq -c '.v = null' <<<"$STREAM")"
refused 'v 2' 1 'stream: records version 2 is newer than this program reads (1)' \
    $READ_STREAM <<<"$(jq -c '.v = 2' <<<"$STREAM")"
refused 'start after end' 1 'stream: "end" before "start": start 50, end 10' \
    $READ_STREAM <<<"$(jq -c '.start = 50 | .end = 10' <<<"$STREAM")"
refused 'hop "1"' 1 'stream: "hop" is not a number: "1"' \
    $READ_STREAM <<<"$(jq -c '.hop = "1"' <<<"$STREAM")"
refused 'hop 1e-9' 1 'stream: "hop" out of range 0.05 to 60: 1e-9' \
    $READ_STREAM <<<"$(jq -c '.hop = 1e-9' <<<"$STREAM")"
refused 'end without its stream' 2 'end: missing "stream"' \
    $READ_STREAM <<<"$STREAM
{\"type\":\"end\"}"

# --- segment: read by the feature filters --------------------------------
seg() { printf '%s\n%s\n' "$STREAM" "$1"; }
refused 'segment t0 1e19' 2 'segment: "t0" out of range 0 to 1000000: 1e19' \
    kc-audiofeat kc-videofeat <<<"$(seg '{"type":"segment","seq":0,"t0":1e19,"t1":2e19,"file":"/m/a.mp4","range":[0,7]}')"
refused 'segment range 1e17' 2 'segment: "range" is not [a, b] with 0 <= a <= b <= 1000000: [1e17,1e17]' \
    kc-audiofeat kc-videofeat <<<"$(seg '{"type":"segment","seq":0,"t0":0,"t1":7,"file":"/m/a.mp4","range":[1e17,1e17]}')"
refused 'segment range shorter than t0..t1' 2 'segment: "range" [0, 1] is not as long as "t0" to "t1": t0 0, t1 1000000' \
    kc-audiofeat kc-videofeat <<<"$(seg '{"type":"segment","seq":0,"t0":0,"t1":1000000,"file":"/m/a.mp4","range":[0,1]}')"
refused 'segment t1 before t0' 2 'segment: "t1" before "t0": t0 7, t1 3' \
    kc-audiofeat kc-videofeat <<<"$(seg '{"type":"segment","seq":0,"t0":7,"t1":3,"path":"/m/a.mp4"}')"
refused 'segment with file and path' 2 'segment: needs "file" and "range", or "path" (not both)' \
    kc-audiofeat kc-videofeat <<<"$(seg '{"type":"segment","seq":0,"t0":0,"t1":3,"path":"/m/a.mp4","file":"/m/a.mp4","range":[0,3]}')"

# --- afeat/vfeat: read by kc-score ------------------------------------------
F='"features":{"rms_mean":0.1,"loudness_db":-20}'
refused 'afeat t 1e19' 3 'afeat: "t" out of range 0 to 1000000: 1e19' \
    kc-score <<<"$STREAM
{\"type\":\"afeat\",\"t\":0,\"dur\":1,$F}
{\"type\":\"afeat\",\"t\":1e19,\"dur\":1,$F}
$END"
refused 'vfeat t 1e9' 2 'vfeat: "t" out of range 0 to 1000000: 1000000000.0' \
    kc-score <<<"$STREAM
{\"type\":\"vfeat\",\"t\":1e9,\"dur\":1,$F}"
refused 'afeat t -3' 2 'afeat: "t" out of range 0 to 1000000: -3' \
    kc-score <<<"$STREAM
{\"type\":\"afeat\",\"t\":-3,\"dur\":1,$F}"
refused 'afeat dur 0' 2 'afeat: "dur" out of range above 0 to 60: 0' \
    kc-score <<<"$STREAM
{\"type\":\"afeat\",\"t\":0,\"dur\":0,$F}"
refused 'afeat feature as a string' 2 'afeat: feature "rms_mean" is not a number or null: "0.1"' \
    kc-score <<<"$STREAM
{\"type\":\"afeat\",\"t\":0,\"dur\":1,\"features\":{\"rms_mean\":\"0.1\"}}"

# a record far from the others must not make kc-score allocate the gap
# between them: a minute of hops, then one at t = 999999
{
	echo "$STREAM" | jq -c '.end = null | .duration = null'
	for t in $(seq 0 59); do echo "{\"type\":\"afeat\",\"t\":$t,\"dur\":1,$F}"; done
	echo "{\"type\":\"afeat\",\"t\":999999,\"dur\":1,$F}"
	echo "$END"
} >sparse.jsonl
run -i sparse.jsonl kc-score
is "$RC" 1 "a far, sparse afeat: kc-score exits 1"
like "$ERR" '^kc-score: <stdin>:62: afeat: "t" 999999 is far from the other feature records: they span 0 to 999999 s \(1000000 hops of 1 s\) and hold 61 hops' \
    "a far, sparse afeat: the message names the record, its t and the span"
unlike "$OUT" '"highlight"' "a far, sparse afeat: no highlight"
# the far end is named: a stray first record, or the stream's start
{
	echo "$STREAM" | jq -c '.end = null | .duration = null'
	echo "{\"type\":\"afeat\",\"t\":5,\"dur\":1,$F}"
	for t in $(seq 999000 999059); do echo "{\"type\":\"afeat\",\"t\":$t,\"dur\":1,$F}"; done
	echo "$END"
} >early.jsonl
run -i early.jsonl kc-score
like "$ERR" '^kc-score: <stdin>:2: afeat: "t" 5 is far from the other feature records' \
    "a stray first afeat: named"
jq -c 'select(.t != 5)' early.jsonl >late.jsonl
run -i late.jsonl kc-score
is "$RC" 1 "a stream starting long before its feature records: exit 1"
like "$ERR" '^kc-score: <stdin>:1: stream: "start" 0 is far from the feature records: they span 0 to 999059 s' \
    "a stream starting long before its feature records: the stream record is named"
# the same minute with a 12-hour hole in it (an outage of the source) is
# a stream with a gap
{
	echo "$STREAM" | jq -c '.end = null | .duration = null'
	for t in $(seq 0 59) $(seq 43260 43319); do echo "{\"type\":\"afeat\",\"t\":$t,\"dur\":1,$F}"; done
	echo "$END"
} >gap.jsonl
run -i gap.jsonl kc-score
is "$RC" 0 "a 12-hour hole between hops is scored"
like "$OUT" '"highlight"' "a 12-hour hole: highlights"

# --- highlight: read by kc-cut ------------------------------------------------
# a bad highlight is one failed cut: kc-cut goes on and exits 3 (partly done)
REFUSED_RC=3
H='"kind":"audio","score":0.5,"heuristic":0.5,"model":null,"model_weight":0,"rank":1,"features":{}'
refused 'highlight t0 1.8e302' 2 'highlight: "t0" out of range 0 to 1000000: 1.8e302' \
    kc-cut <<<"$STREAM
{\"type\":\"highlight\",\"t0\":1.8e302,\"t1\":1.9e302,$H}"
refused 'highlight t1 = t0' 2 'highlight: "t1" not after "t0": t0 5, t1 5' \
    kc-cut <<<"$STREAM
{\"type\":\"highlight\",\"t0\":5,\"t1\":5,$H}"
refused 'highlight kind ../x' 2 'highlight: "kind" is not "audio", "video" or "chat": "../x"' \
    kc-cut <<<"$STREAM
{\"type\":\"highlight\",\"t0\":5,\"t1\":9,$(sed 's|"audio"|"../x"|' <<<"$H")}"
REFUSED_RC=1
jq -c 'select(.type == "error")' "$T/out" >err.jsonl
is "$(jq -c '[.stage, .fatal, (.message | test("kind"))]' err.jsonl)" '["kc-cut",false,true]' \
    "a refused highlight is an error record for the later stages"

# --- clip, featstats, error: read by kc-db add --------------------------------
C='{"type":"clip","path":"/o/c.mp4","kind":"audio","t0":5,"t1":9,"score":0.5}'
refused 'clip t0 1e19' 2 'clip: "t0" out of range 0 to 1000000: 1e19' \
    kc-db <<<"$STREAM
$(jq -c '.t0 = 1e19' <<<"$C")"
refused 'clip kind "speech"' 2 'clip: "kind" is not "audio", "video" or "chat": "speech"' \
    kc-db <<<"$STREAM
$(jq -c '.kind = "speech"' <<<"$C")"
refused 'featstats hops -1' 2 'featstats: "audio"."hops" is not an integer 0 to 1000000000: -1' \
    kc-db <<<"$STREAM
{\"type\":\"featstats\",\"stream\":\"0123456789abcdef\",\"audio\":{\"hops\":-1}}"
refused 'error without message' 2 'error: missing "message"' \
    kc-db <<<"$STREAM
{\"type\":\"error\",\"stage\":\"kc-cut\"}"
# what was committed before the bad record stays
S2=$(jq -c '.id = "s2"' <<<"$STREAM")
run -i <(printf '%s\n' "$STREAM" "$C" "$END" "$S2" "$(jq -c '.t1 = 1e7 | .path = "/o/d.mp4" | .stream = "s2"' <<<"$C")") \
    kc-db --db "$T/kept.db" add
is "$RC" 1 "kc-db add: a bad clip after a committed stream: exit 1"
like "$ERR" '^kc-db: <stdin>:5: clip: "t1" out of range 0 to 1000000: 10000000' \
    "kc-db add: the bad clip is named"
is "$(kc-db --db "$T/kept.db" list --json | jq -r .path)" /o/c.mp4 \
    "kc-db add: the clip committed before it stays"

# --- rated: read by kc-train -------------------------------------------------------
R='{"type":"rated","id":1,"stream":"s","channel":null,"kind":"audio","t0":0,"t1":30,"stars":5,"features":{"a_z":1}}'
refused 'rated stars 6' 1 'rated: "stars" out of range 1 to 5: 6' \
    kc-train <<<"$(jq -c '.stars = 6' <<<"$R")"
refused 'rated t1 1e19' 2 'rated: "t1" out of range 0 to 1000000: 1e19' \
    kc-train <<<"$R
$(jq -c '.t1 = 1e19' <<<"$R")"
# the kind is the model's first input, as kc-score gives it: audio 0,
# video 1, chat 2 (kept as they are by the nearest neighbours' rows)
for k in audio video chat audio chat video; do
	jq -c --arg k "$k" '.kind = $k | .features.a_z = (.id + 0.5)' <<<"$R"
done | jq -c --slurp 'to_entries[] | .value + {id: (.key + 1)}' >kinds.jsonl
run -i kinds.jsonl kc-train --objective knn --folds 0 --quiet --model "$T/kinds.model"
is "$RC" 0 "kc-train on rated audio, video and chat clips: exit 0"
is "$(jq -c '[.features[0], (.knn.rows | map(.[0]))]' "$T/kinds.model/model.json")" \
    '["kind",[0,1,2,0,2,1]]' "kc-train: the kind as a number, audio 0, video 1, chat 2"
# many rated records each with its own feature names must not make the
# training matrix quadratic in the input
jq -nc '[range(1100)] | .[] | {type: "rated", id: (. + 1), stream: "s",
    channel: null, kind: "audio", t0: 0, t1: 30, stars: (. % 5 + 1),
    features: {("f\(.)_z"): 1}}' >many.jsonl
run -i many.jsonl kc-train --dry-run --quiet --folds 0
is "$RC" 1 "rated records with 1100 feature names: exit 1"
like "$ERR" '^kc-train: <stdin>:1025: rated: more than 1024 different "\*_z" features in the input: "f1024_z"' \
    "... naming the record and the feature"

# --- kc-fetch checks the stream record it writes the same way ---------------------
# an HLS VOD whose playlist claims two segments of 999999 s, served here
mkdir -p web
ffmpeg -v error -f lavfi -i sine=d=1 -c:a aac -f mpegts web/s0.ts ||
    bail "ffmpeg cannot make a segment"
printf '#EXTM3U\n#EXT-X-TARGETDURATION:999999\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:999999,\ns0.ts\n#EXTINF:999999,\ns0.ts\n#EXT-X-ENDLIST\n' >web/long.m3u8
python3 -c 'import functools, http.server, os, sys
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
h.log_message = lambda *a: None
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
open(sys.argv[2] + ".tmp", "w").write(str(s.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
s.serve_forever()' web port &
SERVER=$!
for i in $(seq 1 300); do [ -s port ] && break; kill -0 $SERVER 2>/dev/null || break; sleep 0.1; done
[ -s port ] || bail "the test server did not start"
URL=http://127.0.0.1:$(cat port)/long.m3u8
run kc-fetch --no-ytdlp --spool "$T" "$URL"
is "$RC" 1 "kc-fetch: a stream past the records' bounds: exit 1"
is "$(tail -n 1 "$T/err")" "kc-fetch: $URL: stream: \"end\" out of range 0 to 1000000: 1999998.0 (kc records go up to 1000000 s: use --start/--end)" \
    "kc-fetch: says why, with the value and what to do"
is "$OUT" "" "kc-fetch: no record written"
run kc-fetch --no-ytdlp --spool "$T" --end 1000 --consumers none "$URL"
is "$RC" 0 "kc-fetch --end 1000: the same stream is fine"
is "$(head -n 1 "$T/out" | jq -c '[.duration, .start, .end]')" '[1999998,0,999999]' \
    "kc-fetch --end 1000: the media's duration may pass the bounds, its range not"

# Kick's API answers are outside input too (lib/kick.c): a playlist that
# is not an http(s) URL is refused, and named
mkdir -p web/api/v2/channels
echo '{"slug":"evil","playback_url":"file:///etc/passwd","livestream":{"id":5}}' \
    >web/api/v2/channels/evil
run kc-fetch --no-ytdlp --kick-api "http://127.0.0.1:$(cat port)" https://kick.com/evil
is "$RC" 1 "kc-fetch: a Kick playback_url that is a file: exit 1"
is "$(tail -n 1 "$T/err")" "kc-fetch: https://kick.com/evil: Kick API /api/v2/channels/evil: playback_url is not an http(s) URL: file:///etc/passwd" \
    "kc-fetch: a Kick playback_url that is a file: says so"
kill $SERVER
wait $SERVER 2>/dev/null

# --- records passed through are not checked -------------------------------------
printf '%s\n' "$STREAM" '{"type":"highlight","t0":-1}' '{"type":"clip","t0":"x"}' "$END" >pass.jsonl
for s in kc-audiofeat kc-videofeat kc-score; do
	# shellcheck disable=SC2046
	run -i pass.jsonl $(stage "$s")
	is "$RC" 0 "$s: records it does not read pass through unchecked"
done

done_testing
