#!/bin/bash
# Network faults end to end (issue 3), against tests/lib/kickserver.py on
# 127.0.0.1 only.  A Kick VOD (API fallback) whose every request, API
# included, meets 30 % Cloudflare 403s, a 403 burst for each new
# User-Agent, 10 % connections dropped mid-body and occasional stalls is
# analysed and clipped with the default retries and backoff, and no gap;
# one permanently missing segment makes exactly one "gap" record, and the
# rest of the run is done.
. "$KC_ROOT/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"
. "$KC_ROOT/tests/lib/hls.sh"

need python3 ffprobe jq sqlite3
trap kick_stop EXIT
cd "$T" || bail "no scratch dir"

f=$(media net120 -d 120 -n 4 --seed 7 --preset ultrafast) || bail "cannot generate the test stream"
vod=$(make_hls "$f" "$T/vod") || bail "make_hls failed"
uuid=0c0ffee0-1234-4abc-8def-0000000000f0
cat >cfg.json <<EOF
{
  "seed": 3,
  "mounts": {"/miss": "$vod"},
  "channels": {"streamer": {"videos": [{"uuid": "$uuid", "dir": "$vod"}]}},
  "faults": [
    {"prefix": "/miss/", "missing": ["160p30/5.ts"]},
    {"match": "^/(api|vod)/", "p403": 0.3, "burst": 2, "pdrop": 0.1, "pstall": 0.1, "stall": 2}
  ]
}
EOF
kick_start "$T/log.jsonl" --config cfg.json || bail "kickserver did not start"
export TMPDIR=$T

# ---------------------------------------------------------------- survive
run kc-clip -c -o clips --db k.db -a 1 -v 1 -d 20 --json --no-ytdlp --kick-api "$KICK_URL" \
    "https://kick.com/streamer/videos/$uuid"
is "$RC" 0 "a VOD under 403s, bursts, drops and stalls: kc-clip exits 0" || diag "$ERR"
records clip "$T/out" >clips.jsonl
flt() { jq -s --arg f "$1" --arg re "$2" '[.[] | select(.fault == $f and (.path | test($re)))] | length' "$KICK_LOG"; }
n403=$(flt 403 .) nburst=$(flt burst .) ndrop=$(flt drop .) nstall=$(flt stall .)
diag "server: $(jq -s length "$KICK_LOG") requests, $n403 random 403s, $nburst burst 403s, $ndrop drops, $nstall stalls"
cmp_ok "$n403" ">=" 3 "the server answered 403 at random ($n403)"
cmp_ok "$(flt burst '^/api/')" ">=" 4 "the first requests of each User-Agent got 403 (burst: the API's)"
cmp_ok "$ndrop" ">=" 1 "connections were dropped mid-body ($ndrop)"
cmp_ok "$nstall" ">=" 1 "transfers stalled ($nstall)"
is "$(jq -s '[.[] | select(.path | test("/160p30/[0-9]+\\.ts$")) | select(.status == 200 or .status == 206) | select(.dropped | not) | .path] | unique | length' "$KICK_LOG")" \
    "$(hls_segments "$vod" 160p30 | wc -l)" "every analysis segment was received whole in the end"
like "$ERR" 'kc-fetch: [0-9]+ requests, [1-9][0-9]* retries, [1-9][0-9]* answered 403 \([1-9][0-9]* by Cloudflare\).*, 0 gaps' \
    "kc-fetch's summary: retries, 403s, 0 gaps" || diag "$ERR"
unlike "$ERR" "lost " "no gap on the way"
like "$ERR" "kc-clip: 2 clips; .*realtime\), cut in [0-9.]+ s$" "kc-clip: two clips, no gap in its summary"
is "$(jq -r .path clips.jsonl | while read -r p; do ffprobe -v error -show_entries format=duration -of csv=p=0 "$p"; done |
    awk '$1 > 19 && $1 < 22' | wc -l)" 2 "both clip files are whole (about 20 s)"
is "$(sqlite3 k.db 'select count(*) from clips')" 2 "both are in the database"

# ---------------------------------------------------------------- one missing segment
run kc-fetch --consumers none --no-ytdlp "$KICK_URL/miss/master.m3u8"
is "$RC" 0 "a permanently missing segment: kc-fetch exits 0" || diag "$ERR"
printf '%s\n' "$OUT" >miss.jsonl
is "$(jq -c 'select(.type == "gap") | [.t0, .t1, .stage]' miss.jsonl)" '[50,60,"kc-fetch"]' \
    "exactly one gap record, for the missing segment's 10 s"
is "$(jq -c 'select(.type == "segment") | [.t0, .t1]' miss.jsonl | tr '\n' ' ')" "[0,50] [60,120] " \
    "every other second is in a segment (10 s HLS segments joined up to 60 s, up to the gap)"
is "$(jq -r 'select(.type == "segment") | .path' miss.jsonl | while read -r p; do [ -s "$p" ] && echo y; done | wc -l)" 2 \
    "... with its file"
is "$(jq -r 'select(.type == "segment") | .path' miss.jsonl | xargs -I{} ffprobe -v error -show_entries format=duration -of csv=p=0 {} |
    awk '{ printf "%.0f ", $1 }')" "50 60 " "... which holds that much media"
is "$(tail -1 miss.jsonl | jq -r .type)" end "the run ends with an end record"
like "$ERR" "lost 50.0-60.0 s: .*404" "stderr says what was lost and why"
like "$ERR" ", 1 gap, " "the summary counts one gap"
is "$(jq -s '[.[] | select(.path | endswith("/miss/160p30/5.ts"))] | length' "$KICK_LOG")" 1 \
    "a 404 is not retried"
run kc-clip -c -o miss --db miss.db -a 1 -v 1 -d 20 --json --no-ytdlp "$KICK_URL/miss/master.m3u8"
is "$RC" 0 "kc-clip over the missing segment: exit 0" || diag "$ERR"
like "$ERR" "kc-clip: 2 clips; .*; 1 gap$" "kc-clip: the clips, and one gap in its summary"
is "$(sqlite3 miss.db 'select count(*) from clips')" 2 "... the clips are in the database"
done_testing
