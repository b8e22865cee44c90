#!/bin/bash
# 71-clip-stop.t - stopping kc-clip (issue #8, item 12).  On a local file
# one SIGINT (Ctrl-C), or one SIGTERM (what timeout(1) sends), stops the
# run at once: exit 130 / 143, no clip cut, every stage and every ffmpeg
# of the run gone, the journal kept so the same command resumes; the same
# during the cutting: no half clip file, the clips recorded before stay.
# A live stream keeps its own rule: the first SIGINT finishes what is in
# flight (exit 0), a second aborts.  Every wait is on an event (a record,
# a file, a process exiting) with a generous guard, never on the clock.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"
. "$KC_ROOT/tests/lib/hls.sh"

need ffmpeg ffprobe jq sqlite3 pgrep python3 curl
for p in kc-clip kc-fetch kc-audiofeat kc-videofeat kc-score kc-cut kc-db; do
	[ -x "$KC_BIN/$p" ] || skip_all "$p not built"
done
unset KC_DB KC_WEIGHTS KC_DATADIR KC_MODEL
CPID=
trap '[ -n "$CPID" ] && kill -9 "$CPID" 2>/dev/null; kick_stop' EXIT
cd "$T" || bail "cannot cd to $T"
T=$(pwd -P)

# 10 minutes: a full run takes tens of seconds, so a stop lands mid-run.
# A name in $T, so the processes of this run are told from those of other
# tests (pgrep -f "$T/").
src=$(media main -d 600 --seed 1) || bail "cannot generate the 10-minute stream"
ln "$src" "$T/main.mp4" 2>/dev/null || cp "$src" "$T/main.mp4" || bail "cannot copy the stream"
f=$T/main.mp4

# start NAME ARGS... : kc-clip in the background, stdout NAME.out, stderr
# NAME.err; sets CPID
start() {
	local n=$1
	shift
	kc-clip "$@" </dev/null >"$n.out" 2>"$n.err" &
	CPID=$!
}
# until_ok CMD... : polls CMD until it succeeds (0) or kc-clip has exited
# (1); a guard of 300 s against a hang, not a timing check
until_ok() {
	local i
	for i in $(seq 3000); do
		"$@" && return 0
		kill -0 "$CPID" 2>/dev/null || { "$@"; return; }
		sleep 0.1
	done
	return 1
}
# finish : waits for kc-clip to exit (guard 300 s, then SIGKILL); sets RC
finish() {
	local i
	for i in $(seq 3000); do
		kill -0 "$CPID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$CPID" 2>/dev/null; then
		diag "kc-clip did not exit: killed"
		kill -9 "$CPID"
	fi
	wait "$CPID"
	RC=$?
	CPID=
}
# analysing NAME [SECS] : a progress record with more than SECS (0) of
# media analysed is in NAME.out
analysing() { jq -n -e --argjson s "${2:-0}" '[inputs | select(.type == "progress" and .done > $s)] | length > 0' "$1.out" >/dev/null 2>&1; }
# left PATTERN : pids of processes whose command line holds PATTERN
left() { pgrep -f -- "$1" | paste -sd' '; }
# gone PATTERN : waits until no process holds PATTERN (guard 60 s)
gone() {
	local i
	for i in $(seq 600); do
		[ -z "$(left "$1")" ] && return 0
		sleep 0.1
	done
	return 1
}
rows() { if [ -e k.db ]; then sqlite3 k.db 'SELECT count(*) FROM clips'; else echo 0; fi; }
results() { jq -s '[.[] | select(.type == "clip" or .type == "highlight")] | length' "$1.out"; }
lastdone() { jq -s '[.[] | select(.type == "progress")] | last | .done' "$1.out"; }
parts() { find out -name '*.part*' | wc -l; }
journal() { find out/.kc-state -name 'journal-*.jsonl' -size +0 2>/dev/null | wc -l; }
args=(-c -o out --db k.db -d 20 --json --json-progress "$f")

# --- one SIGINT while analysing ---------------------------------------------------------
start a "${args[@]}"
# past the first whole segment (60 s), so that there is something to
# resume from, however slowly a busy machine gets there
ok "kc-clip analyses (a progress record past the first segment)" until_ok analysing a 61
kill -INT "$CPID"
finish
is "$RC" 130 "one SIGINT: kc-clip exits 130" || diag "$(tail -5 a.err)"
like "$(cat a.err)" "kc-clip: interrupted by SIGINT" "it says it was interrupted"
is "$(results a)" 0 "no highlight and no clip: the run stopped before scoring"
cmp_ok "$(lastdone a)" "<" 600 "the analysis stopped before the end ($(lastdone a) of 600 s)"
ok "no stage and no ffmpeg of the run is left" gone "$T/"
is "$(parts)" 0 "no unfinished file in the clips folder"
is "$(rows)" 0 "nothing stored"
is "$(journal)" 1 "the journal stays"

# --- one SIGTERM (timeout's signal): the same, and the run resumes ---------------------------
start b "${args[@]}"
ok "the same command runs again" until_ok analysing b
kill -TERM "$CPID"
finish
is "$RC" 143 "one SIGTERM: kc-clip exits 143" || diag "$(tail -5 b.err)"
like "$(cat b.err)" "resuming an interrupted run" "it had resumed the interrupted run"
like "$(cat b.err)" "kc-clip: interrupted by SIGTERM" "it says SIGTERM interrupted it"
is "$(results b)" 0 "no clip"
ok "nothing of the run is left" gone "$T/"
is "$(journal)" 1 "the journal stays"

# --- the same command completes the run ---------------------------------------------------
start c "${args[@]}"
finish
is "$RC" 0 "the same command again: exit 0" || diag "$(tail -5 c.err)"
like "$(cat c.err)" "resuming an interrupted run" "it resumed"
n=$(rows)
cmp_ok "$n" ">" 0 "its clips are recorded ($n)"
is "$(results c)" "$n" "one clip record per stored clip"

# --- one SIGINT while cutting: no half file, the recorded clips stay ----------------------
# The journal of a resumed run stays, so this run replays the analysis and
# goes on to cut again (re-encoding, slower, so a cut is caught in flight;
# --again: every highlight is stored already, and kc-db fresh would leave
# nothing to cut).
cutting() { [ -n "$(find out -name '.*.part*' -print -quit)" ]; }
start d "${args[@]}" --accurate --again
if until_ok cutting && kill -0 "$CPID" 2>/dev/null; then
	kill -INT "$CPID"
	finish
	is "$RC" 130 "SIGINT while cutting: exit 130" || diag "$(tail -5 d.err)"
	ok "no stage and no ffmpeg of the run is left" gone "$T/"
	is "$(parts)" 0 "the clip being cut is removed (no half file)"
	is "$(rows)" "$n" "the clips recorded before stay"
	bad=0
	for c in $(sqlite3 k.db 'SELECT path FROM clips'); do
		[ -z "$(ffmpeg -nostdin -v error -i "$c" -f null - 2>&1)" ] || bad=$((bad + 1))
	done
	is "$bad" 0 "every recorded clip file is whole (ffmpeg decodes it without error)"
else
	finish
	skip "no cut was caught in flight (kc-clip exited $RC first)"
fi

# --- live: the first SIGINT finishes what is in flight, a second aborts --------------------
f2=$(media net120 -d 120 -n 4 --seed 7 --preset ultrafast) || bail "cannot generate the live stream"
live=$(make_live_hls "$f2" "$T/live") || bail "make_live_hls failed"
kick_start "$T/kick.jsonl" --live /l="$live" --live-offset 30 || bail "kickserver did not start"
export TMPDIR=$T	# the spool, where the stages' ffmpeg read
start e -o lout --db l.db --json --json-progress --no-ytdlp "$KICK_URL/l/master.m3u8"
ok "live: kc-clip analyses" until_ok analysing e
kill -INT "$CPID"
finish
is "$RC" 0 "live, one SIGINT: exit 0 (what was in flight is finished)" || diag "$(tail -5 e.err)"
like "$(cat e.err)" "stopping after what is in flight" "it says so"
unlike "$(cat e.err)" "interrupted by" "it is not an abort"
live_gone() { gone "$KICK_URL/l/" && gone "$T/kc-spool"; }
ok "nothing of the live run is left" live_gone

# the second SIGINT once the first was seen (two pending SIGINTs would be
# one).  With little in flight the stop may finish before the second
# arrives (exit 0, not interrupted): that run says nothing of the abort, so
# it is tried again, up to 10 times; the stderr is polled closely, so the
# second SIGINT follows the first's message within some 10 ms.
stopping() { grep -q "stopping after what is in flight" g.err; }
for try in 1 2 3 4 5 6 7 8 9 10; do
	start g -o lout --db l.db --json --json-progress --no-ytdlp "$KICK_URL/l/master.m3u8"
	until_ok analysing g || break
	kill -INT "$CPID"
	for i in $(seq 30000); do
		stopping || { kill -0 "$CPID" 2>/dev/null && sleep 0.01 && continue; }
		break
	done
	kill -INT "$CPID"
	finish
	[ "$RC" -eq 0 ] && ! grep -q "interrupted by" g.err || break
	diag "try $try: the stop finished before the second SIGINT; again"
done
ok "live again: kc-clip analyses" analysing g
ok "the first SIGINT is taken as a stop" stopping
[ -n "$CPID" ] && finish
is "$RC" 130 "live, SIGINT twice: aborted, exit 130" || diag "$(tail -5 g.err)"
like "$(cat g.err)" "kc-clip: interrupted by SIGINT" "it says it was interrupted"
ok "nothing of the aborted live run is left" live_gone

done_testing
