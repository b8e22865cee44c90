#!/bin/bash
# 89-net-live-end.t - a live stream that ends without ENDLIST (issue #8,
# item 8), against tests/lib/kickserver.py's live mode on 127.0.0.1 only.
# kc-fetch follows a live playlist; once it has written a segment the
# server is switched (GET /_kc/live) to what an ended IVS/Kick broadcast
# does: every path a 404, or a playlist that stays 200 but never changes.
# kc-fetch must then end by itself after --live-timeout without a new
# segment: the "end" record, exit 0.  A 404 outage shorter than that (a
# CDN hiccup) is ridden out: the segments that left the window meanwhile
# are a "gap", and following goes on.  A playlist that fails otherwise
# (403) for that long is an unreachable source: exit 1 and no "end".
# Every wait is on an event (a record, a logged request, the process
# exiting) with a generous guard; nothing is asserted on the clock.
. "$KC_ROOT/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"
. "$KC_ROOT/tests/lib/hls.sh"

need python3 curl jq
[ -x "$KC_BIN/kc-fetch" ] || skip_all "kc-fetch not built"
FPID=
trap '[ -n "$FPID" ] && kill -9 "$FPID" 2>/dev/null; kick_stop' EXIT
cd "$T" || bail "no scratch dir"

f=$(media net120 -d 120 -n 4 --seed 7 --preset ultrafast) || bail "cannot generate the test stream"
live=$(make_live_hls "$f" "$T/live") || bail "make_live_hls failed"
# one mount per case, each with its own clock (started by its first request)
cat >cfg.json <<EOF
{
  "live": {
    "/gone": {"dir": "$live", "offset": 30},
    "/stall": {"dir": "$live", "offset": 30},
    "/blocked": {"dir": "$live", "offset": 30},
    "/hiccup": {"dir": "$live", "offset": 0, "speed": 4},
    "/tail": {"dir": "$live", "offset": 0, "speed": 8, "window": 200}
  }
}
EOF
kick_start "$T/log.jsonl" --config cfg.json || bail "kickserver did not start"

# fetch NAME ARGS... : kc-fetch in the background on mount /NAME; records
# in NAME.out, stderr in NAME.err; sets FPID
fetch() {
	local n=$1
	shift
	kc-fetch --no-ytdlp --consumers none --spool "$T" "$@" "$KICK_URL/$n/master.m3u8" \
	    </dev/null >"$n.out" 2>"$n.err" &
	FPID=$!
}
# until_ok CMD... : polls CMD until it succeeds (0) or kc-fetch has exited
# (1); a guard of 120 s against a hang, not a timing check
until_ok() {
	local i
	for i in $(seq 1200); do
		"$@" && return 0
		kill -0 "$FPID" 2>/dev/null || { "$@"; return; }
		sleep 0.1
	done
	return 1
}
# finish : waits for kc-fetch to exit (guard 120 s, then SIGKILL); sets RC
finish() {
	local i
	for i in $(seq 1200); do
		kill -0 "$FPID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$FPID" 2>/dev/null; then
		diag "kc-fetch did not exit within the guard: killed"
		kill -9 "$FPID"
	fi
	wait "$FPID"
	RC=$?
	FPID=
}
ctl() { curl -sS --noproxy '*' --max-time 30 -o /dev/null -w '%{http_code}' "$KICK_URL/_kc/live?prefix=/$1&$2"; }
count() { jq -n --arg t "$2" '[inputs | select(.type == $t)] | length' "$1.out" 2>/dev/null || echo 0; }
has() { [ "$(count "$1" "$2")" -gt 0 ]; }
last_type() { tail -n 1 "$1.out" | jq -r .type; }
# failed_reloads NAME FAULT : playlist requests of mount NAME answered with FAULT
failed_reloads() {
	jq -n --arg p "/$1/160p30/playlist.m3u8" --arg f "$2" \
	    '[inputs | select(.path == $p and .fault == $f)] | length' "$KICK_LOG"
}

# --- the playlist starts answering 404 (IVS after a broadcast, no ENDLIST) ---------------------
fetch gone --live-timeout 6
ok "gone: kc-fetch follows the live stream (a segment record)" until_ok has gone segment
is "$(ctl gone fail=404)" 200 "the server now answers 404 for every path of the stream"
finish
is "$RC" 0 "gone: kc-fetch ends by itself, exit 0" || diag "$(tail -3 gone.err)"
is "$(last_type gone)" end "the last record is end"
is "$(jq -r 'select(.type == "end") | .stream' gone.out)" "$(jq -r 'select(.type == "stream") | .id' gone.out)" \
    "... of the stream"
like "$(cat gone.err)" 'no new segment for 6 s \(HTTP 404[^)]*\): taking the stream as ended' \
    "stderr: no new segment for --live-timeout, the playlist a 404"
cmp_ok "$(failed_reloads gone gone)" ">=" 1 "it did reload the playlist meanwhile (the server log)"

# --- the playlist stays 200 but never changes again (stalled) ------------------------------------
fetch stall --live-timeout 6
ok "stall: kc-fetch follows the live stream" until_ok has stall segment
is "$(ctl stall freeze=1)" 200 "the server now holds the stream where it is"
finish
is "$RC" 0 "stall: kc-fetch ends by itself, exit 0" || diag "$(tail -3 stall.err)"
is "$(last_type stall)" end "the last record is end"
like "$(cat stall.err)" 'no new segment for 6 s \(the playlist did not change\): taking the stream as ended' \
    "stderr: the playlist did not change"
is "$(count stall gap)" 0 "nothing was lost: no gap"

# --- a 404 hiccup shorter than --live-timeout (default 60 s) is ridden out -------------------------
# At 4x, the window of 6 segments (12 s of stream) lasts 3 s: two failed
# reloads (kc-fetch waits a target duration, 2 s, between them) let
# segments leave the window unseen, whatever the machine's load.
fetch hiccup
ok "hiccup: kc-fetch follows the live stream" until_ok has hiccup segment
is "$(ctl hiccup fail=404)" 200 "the server answers 404 for a while"
twice() { [ "$(failed_reloads hiccup gone)" -ge 2 ]; }
ok "kc-fetch keeps reloading the playlist (two 404s in the server log)" until_ok twice
is "$(ctl hiccup fail=0)" 200 "the server answers again"
# a segment record after a gap record
after_gap() { jq -n -e '[inputs | .type] | (index("gap") // 1e9) < (rindex("segment") // -1)' hiccup.out >/dev/null 2>&1; }
ok "kc-fetch goes on after the hiccup: a gap, then new segments" until_ok after_gap
ok "... it is still following the stream" kill -0 "$FPID"
kill -TERM "$FPID"
finish
is "$RC" 0 "SIGTERM: kc-fetch stops, exit 0" || diag "$(tail -3 hiccup.err)"
is "$(last_type hiccup)" end "the last record is end"
is "$(jq -r 'select(.type == "gap") | [.stage, .reason] | join(": ")' hiccup.out | sort -u)" \
    "kc-fetch: segments left the live playlist before they were fetched" \
    "the gap names the segments that left the playlist during the hiccup"
like "$(cat hiccup.err)" "the live playlist loads again" "stderr: the playlist loads again"
unlike "$(cat hiccup.err)" "taking the stream as ended" "it did not take the hiccup for the end"

# --- blocked (403) for --live-timeout: an unreachable source -----------------------------------
fetch blocked --live-timeout 6 --retries 0
ok "blocked: kc-fetch follows the live stream" until_ok has blocked segment
is "$(ctl blocked fail=403)" 200 "the server now answers 403 (Cloudflare) for every path"
finish
is "$RC" 1 "blocked: kc-fetch gives up, exit 1" || diag "$(tail -3 blocked.err)"
is "$(count blocked end)" 0 "no end record: the stream did not end"
like "$(cat blocked.err)" 'no new segment for 6 s, and the live playlist cannot be reloaded: HTTP 403' \
    "stderr: why"
like "$(tail -n 1 blocked.err)" "^kc-fetch: .*: the live stream became unreachable$" "the last line says it gave up"

# --- the last highlight is written at the stream's end: it is still cut ------------------------
# The stream's last event (video, source 98-112 s of 120) is clipped by the
# window kc-score writes when the "end" record reaches it, after kc-fetch
# has finished: the live cut buffer must still be there for kc-cut.  (On
# a stream this short the live history is short too: --live-threshold 1
# lets kc-score write that window; at the default it writes one, 34-64 s.)
mkdir -p tailtmp
XDG_STATE_HOME=$T/state TMPDIR=$T/tailtmp run kc-clip -c -q --json -o tailclips --db tail.db --no-ytdlp \
    --live-threshold 1 --live-timeout 30 "$KICK_URL/tail/master.m3u8"
is "$RC" 0 "tail: kc-clip exits 0 when the stream ends" || diag "$ERR"
printf '%s\n' "$OUT" >tail.jsonl
is "$(jq -r 'select(.type == "error") | .message' tail.jsonl)" "" "no cut failed"
i0=$(jq -r 'select(.path | test("^/tail/160p30/[0-9]+\\.ts$")) | .path' "$KICK_LOG" |
    sed 's/.*\/\([0-9]*\)\.ts$/\1/' | sort -n | head -1)
last=$(jq -c -s --argjson sh "$((2 * ${i0:-0}))" 'map(select(.type == "clip" and .kind == "video"))
    | max_by(.want_t0) | {want_t0: (.want_t0 + $sh), want_t1: (.want_t1 + $sh), path}' tail.jsonl)
diag "the last video clip: $last (source time)"
cmp_ok "$(jq -r .want_t1 <<<"$last")" ">" 112 "the last video clip is of the stream's last event (98-112 s)"
ok "... and its file is there" test -s "$(jq -r .path <<<"$last")"
is "$(find tailtmp -maxdepth 1 -name 'kc-spool.*' | wc -l)" 0 "the spool and the live buffer are removed at the end"

done_testing
