#!/bin/bash
# 15-jq.t - scripts/highlights.jq, the seed-style highlights JSON, on
# hand-made "highlight" records (kc-score) and "clip" records (kc-db add
# --print): the object's fields, the stream's fields, each item's fields
# taken from its record, best first per kind (audio, video and chat), and
# H:MM:SS timestamps
# (checked against an awk spelling of the same times).
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

need jq
HJ=$KC_ROOT/scripts/highlights.jq
[ -r "$HJ" ] || bail "no $HJ"
cd "$T" || bail "cannot cd to $T"

GEN=2026-01-02T03:04:05+0100
# hj FILE [jq args] : the highlights JSON of FILE
hj() { local f=$1; shift; jq -s -f "$HJ" "$@" "$f"; }
# hms SECONDS : H:MM:SS of the whole seconds, by awk
hms() { awk -v s="$1" 'BEGIN { s = int(s); printf "%d:%02d:%02d\n", s / 3600,
    (s % 3600) / 60, s % 60 }'; }

# hl KIND T0 SCORE RANK : a highlight record as kc-score writes it
hl() {
	jq -nc --arg k "$1" --argjson t "$2" --argjson s "$3" --argjson r "$4" \
	    '{type: "highlight", kind: $k, t0: $t, t1: ($t + 30), score: $s,
	    heuristic: $s, model: null, model_weight: 0, rank: $r,
	    features: {f: $t, g: ($s * 2)}}'
}
# clip KIND T0 SCORE ID : a clip record as kc-db add --print writes it
# (cut from the keyframe 1.5 s before the window)
clip() {
	jq -nc --arg k "$1" --argjson t "$2" --argjson s "$3" --argjson id "$4" \
	    '{type: "clip", path: "/c/clip_\($id).mp4", t0: ($t - 1.5),
	    t1: ($t + 30), want_t0: $t, want_t1: ($t + 30), kind: $k,
	    score: $s, heuristic: $s, model: null, model_weight: 0,
	    features: {f: $t}, mode: "copy", url: "/m/a b.mp4",
	    stream: "0123456789abcdef", id: $id}'
}
STREAM='{"type":"stream","v":1,"id":"0123456789abcdef","url":"/m/a b.mp4","analysis":"/m/a b.mp4","cut":"/m/a b.mp4","duration":40000.5,"live":false,"title":"A \"title\"","channel":"chan","start":0,"end":40000.5,"has_audio":true,"has_video":true,"hop":1}'

# --- highlight records, in time order as kc-score writes them ---------------
{
	echo "$STREAM"
	echo '{"type":"afeat","t":0,"dur":1,"features":{"loudness_db":-30}}'
	hl audio 0 0.31 3
	hl video 59.9 0.9 1
	hl audio 61 0.85 1
	hl chat 120 0.4 2
	hl video 3599.5 0.2 3
	hl chat 1800 0.7 1
	hl audio 3600 0.5 2
	hl video 36125.7 0.6 2
	echo '{"type":"end","stream":"0123456789abcdef"}'
} >h.jsonl
hj h.jsonl --arg generated "$GEN" >h.json
is "$?" 0 "highlights: jq exits 0"
is "$(jq -r type h.json)" object "highlights: one JSON object"
is "$(jq -c 'keys' h.json)" \
    '["audio_highlights","channel","chat_highlights","duration","generated","stream_url","title","video_highlights"]' \
    "highlights: the seed's top-level fields, and chat_highlights"
is "$(jq -c '[.stream_url, .title, .channel, .duration, .generated]' h.json)" \
    "$(jq -c --arg g "$GEN" '[.url, .title, .channel, .duration, $g]' <<<"$STREAM")" \
    "highlights: url, title, channel, duration from the stream record; generated from --arg"
is "$(jq -c '[.audio_highlights, .video_highlights, .chat_highlights] | map(length)' h.json)" "[3,3,2]" \
    "highlights: 3 audio, 3 video and 2 chat items (no afeat, no end)"
is "$(jq -c '[.audio_highlights[], .video_highlights[], .chat_highlights[]] | map(keys) | unique' h.json)" \
    '[["duration","end","features","heuristic_score","ml_score","rank","score","start","timestamp","type"]]' \
    "highlights: every item has the seed's fields"
for kr in audio:1,2,3 video:1,2,3 chat:1,2; do
	k=${kr%%:*}
	is "$(jq -c ".${k}_highlights | map(.score)" h.json)" \
	    "$(jq -s -c --arg k $k '[.[] | select(.type == "highlight" and .kind == $k)
	    | .score] | sort | reverse' h.jsonl)" "highlights: $k best first"
	is "$(jq -c ".${k}_highlights | map(.type) | unique" h.json)" "[\"$k\"]" \
	    "highlights: $k items are of type $k"
	is "$(jq -c ".${k}_highlights | map(.rank)" h.json)" "[${kr#*:}]" \
	    "highlights: $k ranks ${kr#*:} in that order"
done
# each item against its record
is "$(jq -n --slurpfile r h.jsonl --slurpfile o h.json '
    [$o[0].audio_highlights[], $o[0].video_highlights[],
     $o[0].chat_highlights[]] as $items
    | [$items[] | . as $i | [$r[] | select(.type == "highlight" and .t0 == $i.start)][0]
      | select(. == null or $i.end != .t1 or $i.duration != .t1 - .t0 or
        $i.score != .score or $i.heuristic_score != .heuristic or
        $i.ml_score != .model or $i.rank != .rank or $i.features != .features or
        $i.type != .kind)] | length')" 0 \
    "highlights: start, end, duration, scores, rank, features from each record"
for t in 0 59.9 61 120 1800 3599.5 3600 36125.7; do
	is "$(jq -r --argjson t "$t" '[.audio_highlights[], .video_highlights[], .chat_highlights[]]
	    | map(select(.start == $t))[0].timestamp' h.json)" "$(hms "$t")" \
	    "timestamp of $t s is $(hms "$t")"
done

# --- clip records (kc-db add --print) -----------------------------------------
{
	echo "$STREAM"
	clip audio 100 0.4 7
	clip video 200 0.95 8
	clip audio 300 0.8 9
	clip audio 7322 0.6 10
	clip chat 900 0.7 12
	jq -c 'del(.want_t0, .want_t1)' <<<"$(clip video 500 0.5 11)"
	echo '{"type":"end","stream":"0123456789abcdef"}'
} >c.jsonl
hj c.jsonl --arg generated "$GEN" >c.json
is "$?" 0 "clips: jq exits 0"
is "$(jq -c '.audio_highlights | map(.score)' c.json)" "[0.8,0.6,0.4]" "clips: audio best first"
is "$(jq -c '.video_highlights | map(.score)' c.json)" "[0.95,0.5]" "clips: video best first"
is "$(jq -c '.chat_highlights | map([.type, .clip_id])' c.json)" '[["chat",12]]' "clips: the chat clip"
is "$(jq -c '[.audio_highlights[], .video_highlights[], .chat_highlights[]] | map(keys) | unique' c.json)" \
    '[["clip_id","clip_path","cut_end","cut_start","duration","end","features","heuristic_score","ml_score","rank","score","start","timestamp","type"]]' \
    "clips: items add clip_path, cut_start, cut_end, clip_id"
is "$(jq -c '.audio_highlights[0] | [.start, .end, .duration, .cut_start, .cut_end, .clip_path, .clip_id, .timestamp]' c.json)" \
    "$(jq -c --arg ts "$(hms 300)" '[.want_t0, .want_t1, .want_t1 - .want_t0, .t0, .t1, .path, .id, $ts]' <<<"$(clip audio 300 0.8 9)")" \
    "clips: start/end are the wanted window, cut_start/cut_end what was cut"
is "$(jq -r '.audio_highlights[1].timestamp' c.json)" "$(hms 7322)" "clips: timestamp of 7322 s"
is "$(jq -c '.video_highlights[1] | [.start, .end, .cut_start]' c.json)" "[498.5,530,498.5]" \
    "clips: without want_t0/want_t1, start/end fall back to t0/t1"
# clip records carry no rank; the JSON still says which is best
is "$(jq -c '[.audio_highlights, .video_highlights] | map(map(.rank))' c.json)" \
    "[[1,2,3],[1,2]]" "clips: rank is 1, 2, ... best first (not null)"

# --- no stream, no highlights; default "generated" -------------------------------
echo '{"type":"end","stream":"x"}' >e.jsonl
hj e.jsonl >e.json
is "$?" 0 "empty: jq exits 0"
is "$(jq -c '[.stream_url, .title, .audio_highlights, .video_highlights, .chat_highlights]' e.json)" \
    '[null,null,[],[],[]]' "empty: no stream fields, empty arrays"
like "$(jq -r .generated e.json)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' \
    "without --arg generated: the current UTC time, ISO 8601"

done_testing
