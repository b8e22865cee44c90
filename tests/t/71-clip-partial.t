#!/bin/bash
# 71-clip-partial.t - a run whose cuts partly fail is "partly done", not a
# failure: the other clips are cut and stored, kc-clip prints its table
# and writes the highlights JSON with the failed highlights marked, exits 3
# and keeps its journal, and the same command again cuts the failed ones
# without analysing again.  The failure is a real one: the test server
# answers 404 for one segment of the rendition clips are cut from (the
# analysis reads another).  kc-web shows such a job as "partial" with the
# failed cuts listed.  Also: with -c the highlights JSON names the stream
# (it used to have stream_url, title, channel and duration null), and an
# analysis without -c and --out creates no output folder.
. "$KC_ROOT/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"
. "$KC_ROOT/tests/lib/hls.sh"

need python3 curl ffprobe jq sqlite3 kc-clip kc-web
trap 'kick_stop; [ -n "${WPID:-}" ] && kill "$WPID" 2>/dev/null' EXIT
cd "$T" || bail "no scratch dir"
T=$(pwd -P)
export HOME=$T/home TMPDIR=$T
unset XDG_STATE_HOME KC_DB KC_MODEL
mkdir -p "$HOME"

f=$(media net120 -d 120 -n 4 --seed 7 --preset ultrafast) || bail "cannot generate the test stream"
vod=$(make_hls "$f" "$T/vod") || bail "make_hls failed"
kick_start "$T/log0.jsonl" --mount /vod="$vod" || bail "kickserver did not start"
URL=$KICK_URL/vod/master.m3u8
args=(-a 2 -v 2 --no-ytdlp)

# --- an analysis alone writes nothing into the current folder -------------
mkdir a && cd a || bail "cd a"
run kc-clip --json "${args[@]}" "$URL"
cd "$T" || bail "cd back"
is "$RC" 0 "analysis: exit 0" || diag "$ERR"
records highlight "$T/out" >hl.jsonl
cmp_ok "$(wc -l <hl.jsonl)" ">=" 3 "analysis: highlights found ($(wc -l <hl.jsonl))"
is "$(ls -A a)" "" "analysis without -c and --out: no output_clips/ (nothing at all) in the current folder"
is "$(find "$HOME" -type f | wc -l)" 0 "... its journal (in ~/.local/state/kc) went when it completed"
ok "... which is where it was kept" test -d "$HOME/.local/state/kc"
kick_stop

# The segment of the cut rendition (the best) under the first highlight's
# start goes missing: that cut fails, the others must not.
best=$(jq -r '.renditions | max_by(.height) | .name' "$vod/hls.json")
t0=$(jq -s 'sort_by(.t0) | .[0].t0' hl.jsonl)
seg=$(hls_segments "$vod" "$best" | awk -v t="$t0" '$2 <= t + 1 && t + 1 < $2 + $3 { print $5 }')
[ -n "$seg" ] || bail "no $best segment under $t0 s"
# highlights whose window overlaps that segment: those cuts must fail
s0=$(hls_segments "$vod" "$best" | awk -v u="$seg" '$5 == u { print $2 }')
s1=$(hls_segments "$vod" "$best" | awk -v u="$seg" '$5 == u { print $2 + $3 }')
nbad=$(jq -s --argjson a "$s0" --argjson b "$s1" '[.[] | select(.t0 < $b and .t1 > $a)] | length' hl.jsonl)
nall=$(wc -l <hl.jsonl)
diag "missing $best/$seg ($s0-$s1 s): $nbad of $nall highlights need it"
kick_start "$T/log1.jsonl" --mount /vod="$vod" --missing "$best/$seg" || bail "kickserver did not start"
URL=$KICK_URL/vod/master.m3u8

# --- the CLI: partly done -----------------------------------------------------
run kc-clip -c "${args[@]}" --retries 0 -o clips --db k.db "$URL"
is "$RC" 3 "a failed cut: kc-clip exits 3 (partly done)" || diag "$ERR"
like "$ERR" "partly done: $nbad cuts? failed" "stderr says partly done, and how many failed"
is "$(grep -c 'FAILED: ' "$T/out")" "$nbad" "the table lists the failed highlights, marked FAILED"
is "$(grep -cE '^ +[0-9]+  (audio|video) ' "$T/out")" "$((nall - nbad))" "... and every clip that was cut"
is "$(sqlite3 k.db 'select count(*) from clips')" "$((nall - nbad))" "the other clips are stored"
is "$(find clips -maxdepth 1 -name '*.mp4' | wc -l)" "$((nall - nbad))" "... and their files are there"
J=$(ls clips/highlights_*.json 2>/dev/null | head -n 1)
ok "the highlights JSON is written" test -s "$J"
is "$(jq '[.audio_highlights[], .video_highlights[]] | length' "$J")" "$nall" \
    "it lists every highlight"
is "$(jq '[.audio_highlights[], .video_highlights[] | select(.clip_error != null)] | length' "$J")" "$nbad" \
    "... the failed ones with clip_error"
like "$(jq -r '[.audio_highlights[], .video_highlights[] | .clip_error // empty][0]' "$J")" "$seg|404|Not Found" \
    "clip_error says why"
is "$(jq -r '[.stream_url, (.title | type), (.duration | type)] | join(" ")' "$J")" "$URL string number" \
    "with -c the JSON names the stream (url, title, duration)"
is "$(find clips/.kc-state -name 'journal-*' | wc -l)" 1 "the journal stays for a retry"

run kc-clip -c "${args[@]}" --retries 0 --json -o clips2 --db k2.db "$URL"
is "$RC" 3 "--json: exit 3 too"
is "$(records error "$T/out" | jq -s 'map(select(.stage == "kc-cut" and .kind != null)) | length')" "$nbad" \
    "--json writes the failed cuts' error records"
is "$(records clip "$T/out" | wc -l)" "$((nall - nbad))" "... and the clip records"
kick_stop

# --- the same command again cuts the failed ones, without analysing ----------
kick_start "$T/log2.jsonl" --mount /vod="$vod" || bail "kickserver did not start"
URL2=$KICK_URL/vod/master.m3u8
[ "$URL2" = "$URL" ] || {
	# another port: the journal is keyed by the URL; retry on that port is
	# not the same command, so serve on the old one
	kick_stop
	port=${URL#http://127.0.0.1:}; port=${port%%/*}
	kick_start "$T/log2.jsonl" --port "$port" --mount /vod="$vod" || bail "kickserver did not start on $port"
}
run kc-clip -c "${args[@]}" -o clips --db k.db "$URL"
is "$RC" 0 "the same command again: exit 0" || diag "$ERR"
is "$(sqlite3 k.db 'select count(*) from clips')" "$nall" "every clip is stored now, each once"
low=$(jq -r '.renditions | min_by(.height) | .name' "$vod/hls.json")
cmp_ok "$(jq -s --arg l "/$low/" '[.[] | select(.path | contains($l) and endswith(".ts"))] | length' "$T/log1.jsonl")" ">" 0 \
    "(the first run fetched the analysis rendition's segments, $low)"
is "$(jq -s --arg l "/$low/" '[.[] | select(.path | contains($l) and endswith(".ts"))] | length' "$T/log2.jsonl")" 0 \
    "no analysis segment was fetched again (the analysis came from the journal)"
kick_stop

# --- kc-web: a partly failed Generate job ----------------------------------------
kick_start "$T/log3.jsonl" --mount /vod="$vod" --missing "$best/$seg" || bail "kickserver did not start"
URL=$KICK_URL/vod/master.m3u8
mkdir -p wclips
kc-web --listen 127.0.0.1:0 --db "$T/w.db" --clips "$T/wclips" </dev/null 2>web.log &
WPID=$!
PORT=
for _ in $(seq 600); do
	PORT=$(sed -n 's|^kc-web: listening on http://[^ ]*:\([0-9]*\)/.*|\1|p' web.log)
	[ -n "$PORT" ] && break
	kill -0 "$WPID" 2>/dev/null || break
	sleep 0.1
done
[ -n "$PORT" ] || bail "kc-web did not start: $(cat web.log)"
W=http://127.0.0.1:$PORT
is "$(curl -sS --noproxy '*' -o job.json -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d "{\"url\":\"$URL\",\"max_audio_clips\":2,\"max_video_clips\":2}" "$W/api/jobs")" 202 "kc-web: job started"
id=$(jq -r .id job.json)
# wait for kc-clip to end (the server's log says so), at most 10 minutes
for _ in $(seq 6000); do
	grep -q "job $id " web.log && break
	kill -0 "$WPID" 2>/dev/null || break
	sleep 0.1
done
curl -sS --noproxy '*' -o job.json "$W/api/jobs/$id"
is "$(jq -r '"\(.status) \(.exit)"' job.json)" "partial 3" "kc-web: the job is partial, exit 3"
is "$(jq '.failed | length' job.json)" "$nbad" "kc-web: the failed cuts are listed"
is "$(jq '.clips | length' job.json)" "$((nall - nbad))" "kc-web: and the clips that were cut"
ok "kc-web: each failed cut has kind, times and a reason" \
    jq -e '.failed | all(.kind != null and .t0 != null and .t1 != null and (.message | length) > 0)' job.json
is "$(sqlite3 w.db 'select count(*) from clips')" "$((nall - nbad))" "kc-web: the clips that were cut are stored"
done_testing
