# highlights.jq - turn kc records into the seed's highlights_YYYYMMDD_HHMMSS.json
#
#   jq -s -f scripts/highlights.jq [--arg generated 2026-11-25T10:00:00Z] records.jsonl
#
# Reads "highlight" records (kc-score) or "clip" records (kc-cut, kc-db add
# --print) and the "stream" record; writes one JSON object with the audio
# and video highlights, best first, as the Python seed exported them, and
# the chat highlights (a kind the seed did not have) the same way.  A
# highlight whose cut failed (kc-cut's "error" record with its "kind") is
# listed too, with "clip_error" (the reason) instead of "clip_path".

def hms: (. // 0 | floor) as $s
  | "\($s / 3600 | floor):\($s % 3600 / 60 | floor | tostring | if length < 2 then "0" + . else . end):\($s % 60 | tostring | if length < 2 then "0" + . else . end)";

def item:
  (.want_t0 // .t0) as $a | (.want_t1 // .t1) as $b
  | { start: $a, end: $b, duration: ($b - $a), timestamp: ($a | hms),
      type: .kind, score: .score, heuristic_score: .heuristic,
      ml_score: .model, rank: .rank, features: .features }
  + (if .type == "clip"
     then { clip_path: .path, cut_start: .t0, cut_end: .t1, clip_id: .id }
     elif .type == "error" then { clip_path: null, clip_error: .message }
     else {} end);

# best first; a record without "rank" is ranked by its place in that order
def ranked: sort_by(-.score) | to_entries | map(.value + {rank: (.value.rank // (.key + 1))});

(map(select(.type == "stream")) | first // {}) as $s
| [ .[] | select(.type == "highlight" or .type == "clip"
     or (.type == "error" and .stage == "kc-cut" and .kind != null)) ] as $h
| { stream_url: $s.url, title: $s.title, channel: $s.channel,
    duration: $s.duration,
    generated: ($ARGS.named.generated // (now | todate)),
    audio_highlights: [ $h[] | select(.kind == "audio") | item ] | ranked,
    video_highlights: [ $h[] | select(.kind == "video") | item ] | ranked,
    chat_highlights: [ $h[] | select(.kind == "chat") | item ] | ranked }
