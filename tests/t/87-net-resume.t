#!/bin/bash
# shellcheck disable=SC2016 # kill_at conditions are eval'd later
# kill -9 at several points of a network VOD run (issue 3): kc-clip -c on an
# HLS VOD served (slowly) by tests/lib/kickserver.py is killed with
# SIGKILL, the whole process tree or kc-clip alone, while fetching, in the
# middle of the analysis, while cutting and while recording; each time the
# same command is started again.  The run completes, the database passes
# PRAGMA integrity_check, and it holds exactly the clips of an
# uninterrupted run: no duplicate clips, rows or files.
. "$KC_ROOT/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"
. "$KC_ROOT/tests/lib/hls.sh"

need python3 ffprobe jq sqlite3 ps
trap 'kill_tree; kick_stop' EXIT
cd "$T" || bail "no scratch dir"

f=$(media net120 -d 120 -n 4 --seed 7 --preset ultrafast) || bail "cannot generate the test stream"
vod=$(make_hls "$f" "$T/vod") || bail "make_hls failed"
# 1.5 MB/s: the analysis rendition takes a few seconds to arrive.  And
# while $T/release does not exist, the server holds back the analysis
# rendition's last segment: a kill "in the analysis" then comes before
# the analysis can end, however slowly a busy machine gets to it.
low=$(jq -r '.renditions | min_by(.height) | .name' "$vod/hls.json")
lastseg=$(hls_segments "$vod" "$low" | tail -n 1 | awk '{ print $5 }')
jq -n --arg vod "$vod" --arg low "$low" --arg seg "$lastseg" --arg rel "$T/release" \
    '{mounts: {"/vod": $vod}, faults: [{prefix: "/vod/", rate: 1500000},
      {prefix: ("/vod/" + $low + "/"), match: ("/" + $seg + "$"), hold: $rel}]}' >cfg.json
kick_start "$T/log.jsonl" --config cfg.json || bail "kickserver did not start"
touch release
export TMPDIR=$T
URL=$KICK_URL/vod/master.m3u8
args=(-c -a 2 -v 2 -d 20 --json --no-ytdlp)

# the reference: an uninterrupted run
run kc-clip "${args[@]}" -o ref --db ref.db "$URL"
is "$RC" 0 "uninterrupted run: exit 0" || diag "$ERR"
ref=$(sqlite3 ref.db "select kind || ' ' || printf('%.3f', t0) || ' ' || printf('%.3f', t1) from clips order by t0")
nref=$(sqlite3 ref.db 'select count(*) from clips')
cmp_ok "$nref" ">=" 2 "it makes clips ($nref)"
rm -f release	# the analysis cannot end until a kill point releases it

# kc-clip in a session of its own, so the whole tree can be found
PID=
start() {
	setsid kc-clip "${args[@]}" -o clips --db k.db "$URL" >run.out 2>run.err &
	PID=$!
}
tree() { [ -n "$PID" ] && ps -o pid= -s "$PID" 2>/dev/null | tr -d ' '; }
# kill_tree: kill -9 every process of the session, again while any is
# left (a stage may have started a child meanwhile); LEFT: what is still
# there after that, which must be nothing
kill_tree() {
	local sid=$PID p _
	LEFT=
	[ -n "$sid" ] || return 0
	for _ in $(seq 100); do
		p=$(ps -o pid= -s "$sid" 2>/dev/null | tr -d ' ')
		[ -z "$p" ] && break
		# shellcheck disable=SC2086
		kill -9 $p 2>/dev/null
		wait "$sid" 2>/dev/null
		sleep 0.1
	done
	LEFT=$(ps -o pid=,comm= -s "$sid" 2>/dev/null)
	PID=
}
# waits (at most 5 minutes: a guard, not a time limit) for a shell
# condition; 0 when it held while the run was still going
until_() {
	local i
	for i in $(seq 3000); do
		eval "$1" && return 0
		kill -0 "$PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
journal() { cat clips/.kc-state/journal-*.jsonl 2>/dev/null; }
# how far the audio analysis got, in stream seconds (-1: not started)
jt() { journal | grep '"type":"afeat"' | tail -1 | jq '.t' 2>/dev/null | grep . || echo -1; }
nclips() { sqlite3 k.db 'select count(*) from clips' 2>/dev/null || echo 0; }

point=0
kill_at() {	# DESC CONDITION tree|driver
	point=$((point + 1))
	start
	if ! until_ "$2"; then
		fail "kill point $point ($1): reached before the run ended"
		diag "$(cat run.err)"
		kill_tree
		return
	fi
	if [ "$3" = driver ]; then
		kill -9 "$PID"	# kc-clip alone; its stages are left to themselves
		wait "$PID" 2>/dev/null
		for _ in $(seq 1200); do [ -z "$(tree)" ] && break; sleep 0.1; done
		is "$(tree)" "" "kill point $point ($1): the orphaned stages end by themselves"
		is "$(find clips -maxdepth 1 -name '*.mp4' | wc -l)" 0 \
		    "... and kc-score did not score the torn stream: nothing was cut"
		PID=
	else
		kill_tree
		is "$LEFT" "" "kill point $point ($1): killed the whole tree"
	fi
}

# (kc-fetch joins the 10 s HLS segments into 60 s spool files; the
# conditions are evaluated later, by until_)
kill_at "fetching the first segments" 'journal | grep -q "\"type\":\"stream\""' tree
kill_at "mid-analysis, kc-clip alone" '[ "$(jt | cut -d. -f1)" -ge 20 ]' driver
# (the first 60 s spool file is all the analysis can get while held)
kill_at "later in the analysis" '[ "$(jt | cut -d. -f1)" -ge 45 ]' tree
touch release
kill_at "cutting" 'ls clips/.kc-cut.* >/dev/null 2>&1 || ls clips/*.mp4 >/dev/null 2>&1' tree
kill_at "recording" '[ "$(nclips)" -ge 1 ]' tree
run kc-clip "${args[@]}" -o clips --db k.db "$URL"
is "$RC" 0 "started again after $point kills: the run completes" || diag "$ERR"
like "$ERR" "resuming an interrupted run|kc-clip: [0-9]+ clips" "it resumed or finished"
is "$(sqlite3 k.db 'PRAGMA integrity_check')" ok "PRAGMA integrity_check: ok"
got=$(sqlite3 k.db "select kind || ' ' || printf('%.3f', t0) || ' ' || printf('%.3f', t1) from clips order by t0")
is "$got" "$ref" "the database holds the clips of the uninterrupted run, each once"
is "$(sqlite3 k.db 'select count(*) from streams')" 1 "one stream row"
is "$(sqlite3 k.db 'select count(*) from (select 1 from clips group by stream_id, kind, t0 having count(*) > 1)')" 0 \
    "no duplicate clip rows"
is "$(find clips -maxdepth 1 -name '*.mp4' | wc -l)" "$nref" "as many clip files as clips"
is "$(sqlite3 k.db 'select path from clips' | while read -r p; do [ -s "$p" ] && echo y; done | wc -l)" "$nref" \
    "every clip row has its file"
is "$(find clips -maxdepth 1 \( -name '.kc-cut.*' -o -name '*.part' \) | wc -l)" 0 \
    "no scratch folder or unfinished clip of a killed kc-cut is left"
# a resumed analysis is not bit for bit the one of a run in one go, so its
# journal stays: the same command once more makes the same clips
is "$(find clips/.kc-state -name 'journal-*' | wc -l)" 1 "the journal of the resumed run stays"
run kc-clip "${args[@]}" -o clips --db k.db "$URL"
is "$RC" 0 "the same command once more: exit 0" || diag "$ERR"
is "$(sqlite3 k.db "select kind || ' ' || printf('%.3f', t0) || ' ' || printf('%.3f', t1) from clips order by t0")" "$ref" \
    "... the same clips, no new rows"
is "$(find clips -maxdepth 1 -name '*.mp4' | wc -l)" "$nref" "... and no new files"
run kc-clip "${args[@]}" --no-resume -o clips --db k.db "$URL"
is "$(find clips/.kc-state -name 'journal-*' | wc -l)" 0 "--no-resume: the run starts over, and its journal goes when it completes"
done_testing
