#!/bin/bash
# Live clipping end to end (issue 3), against tests/lib/kickserver.py on
# 127.0.0.1 only: a Kick channel (API fallback) airs a 2-minute stream with
# known events as a sliding window of 6 x 2 s segments, in real time, from
# 30 s in.  kc-clip -c cuts highlights from its local best-rendition buffer
# and records them while the playlist is still live; the first clip file
# exists within 20 s (wall clock) of the end of its event.  The one timing
# assertion of the suite, which the issue asks for.
. "$KC_ROOT/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"
. "$KC_ROOT/tests/lib/hls.sh"

need python3 curl ffprobe jq sqlite3
realtime_lock
WATCH=
trap '[ -n "$WATCH" ] && kill "$WATCH" 2>/dev/null; kick_stop' EXIT
cd "$T" || bail "no scratch dir"

f=$(media net120 -d 120 -n 4 --seed 7 --preset ultrafast) || bail "cannot generate the test stream"
truth=${f%.mp4}.truth.jsonl
live=$(make_live_hls "$f" "$T/live") || bail "make_live_hls failed"
OFF=30
cat >cfg.json <<EOF
{
  "channels": {
    "streamer": {"live": {"dir": "$live", "offset": $OFF, "title": "Live with events"}},
    "fastie": {"live": {"dir": "$live", "offset": 0, "speed": 5, "window": 30}}
  }
}
EOF
kick_start "$T/log.jsonl" --config cfg.json || bail "kickserver did not start"
ytdlp_local "$T/yt-dlp"
export KC_YTDLP=$T/yt-dlp TMPDIR=$T
now() { date +%s.%N; }
state() { curl -s --noproxy '*' --max-time 5 "$KICK_URL/_kc/state" |
    jq -r --arg p "$1" '.live[] | select(.prefix == $p) | .'"$2"; }

# A watcher notes when each clip file appears (kc-cut renames finished
# clips into place), whether the stream was still on air then, and when
# the database first has a clip.
mkdir -p clips
(
	seen=
	while :; do
		for c in clips/*.mp4; do
			[ -e "$c" ] || continue
			case " $seen " in *" $c "*) continue ;; esac
			seen="$seen $c"
			printf '%s %s %s\n' "$(now)" "$(state /live/streamer ended)" "$c" >>appeared
		done
		if [ ! -s dbfirst ] && [ "$(sqlite3 k.db 'select count(*) from clips' 2>/dev/null)" -gt 0 ] 2>/dev/null; then
			printf '%s %s\n' "$(now)" "$(state /live/streamer ended)" >dbfirst
		fi
		sleep 0.2
	done
) &
WATCH=$!

t0=$(now)
run kc-clip -c -o clips --db k.db -d 20 --json --curve --kick-api "$KICK_URL" https://kick.com/streamer
t1=$(now)
kill "$WATCH" 2>/dev/null
WATCH=
is "$RC" 0 "live Kick channel: kc-clip exits 0 when the stream ends" || diag "$ERR"
records clip "$T/out" >clips.jsonl
like "$ERR" "trying Kick's API" "yt-dlp blocked: resolved through Kick's API"
# --curve: the stream record first and once, then the curve in pieces
# as the stream aired (written as they came), each kind's end to end
is "$(jq -s -c '[.[0].type, ([.[] | select(.type == "stream")] | length)]' "$T/out")" '["stream",1]' \
    "--json --curve: the stream record first, once"
is "$(jq -s -c '[.[] | select(.type == "curve") | .kind] | unique' "$T/out")" '["audio","video"]' \
    "... then each kind's curve"
cmp_ok "$(jq -s '[.[] | select(.type == "curve" and .live == true)] | length' "$T/out")" ">" 10 \
    "... in pieces, each marked live"
is "$(jq -s '[.[] | select(.type == "curve")] | group_by(.kind) | map(. as $c |
    [range(1; $c | length) as $i | $c[$i - 1] as $p
     | select(($c[$i].t0 - ($p.t0 + $p.hop * ($p.values | length))) | fabs > 0.001)] | length) | add' "$T/out")" 0 \
    "... each piece starting where the one before ended"
cmp_ok "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" ">" 60 \
    "it followed the stream in real time until its end (the stream airs for 90 s)"
started=$(state /live/streamer started)
ends=$(awk -v s="$started" -v o="$OFF" 'BEGIN { printf "%.3f", s + 120 - o }')
n=$(jq -s length clips.jsonl)
cmp_ok "$n" ">=" 1 "clips of the live stream ($n)"
cmp_ok "$(wc -l <appeared 2>/dev/null || echo 0)" ">=" 1 "the watcher saw clip files appear"
touch appeared dbfirst	# (the watcher may have seen nothing)
read -r first_t first_ended first_clip <appeared ||
    { first_t=0 first_ended=none first_clip=; }
is "$first_ended" false "the first clip file appeared while the playlist was still live"
cmp_ok "$first_t" "<" "$ends" "... before the last segment aired"
read -r db_t db_ended <dbfirst || { db_t=0 db_ended=none; }
is "$db_ended" false "the database had a clip while the stream was live"
diag "the database had it $(awk -v a="$db_t" -v b="$first_t" 'BEGIN { printf "%.1f", a - b }') s after the file appeared"

# Which event is the first clip's: stream time 0 is the first analysis
# segment kc-fetch took (2 s each), and the truth is in source time.
i0=$(jq -r 'select(.path | test("^/live/streamer/160p30/[0-9]+\\.ts$")) | .path' "$KICK_LOG" |
    head -1 | sed 's/.*\/\([0-9]*\)\.ts$/\1/')
c=$(jq -c --arg b "${first_clip##*/}" 'select(.path | endswith("/" + $b))' clips.jsonl | head -1)
like "$c" '"type":"clip"' "the first clip file has its clip record" || diag "$(cat clips.jsonl)"
ev=$(jq -c -s --argjson c "${c:-null}" --argjson sh "$((2 * i0))" '
    [.[] | select(.kind == $c.kind and .t0 < $c.want_t1 + $sh and .t1 > $c.want_t0 + $sh)] | first' "$truth")
isnt "$ev" null "the first clip covers a known $(jq -r .kind <<<"$c") event (source $(jq -c '[.t0, .t1]' <<<"$ev" 2>/dev/null))"
evend=$(jq -r .t1 <<<"$ev" 2>/dev/null)
lat=$(awk -v a="$first_t" -v s="$started" -v o="$OFF" -v e="${evend:-0}" 'BEGIN { printf "%.1f", a - (s + e - o) }')
diag "first clip $first_clip: its event ended at source ${evend}s; the file appeared ${lat}s later"
cmp_ok "$lat" "<=" 20 "the first clip file exists within 20 s of its event's end (${lat}s)"
cmp_ok "$lat" ">" 0 "... and after it (the clip holds the event)"
is "$(ffprobe -v error -select_streams v -show_entries stream=height -of csv=p=0 "$first_clip")" 720 \
    "live clips are cut from the best rendition"
is "$(jq -r 'select(.path | test("^/live/streamer/720p30/[0-9]+\\.ts$")) | .path' "$KICK_LOG" | sort | uniq -d | head -3)" "" \
    "each best-rendition segment was fetched once: clips are cut from the local buffer"
is "$(sqlite3 k.db 'select count(*) from clips')" "$n" "every clip is in the database"
is "$(sqlite3 k.db 'select live || " " || title || " " || channel from streams')" "1 Live with events Streamer" \
    "the stream is recorded as live, with Kick's title and channel"
is "$(find "$T" -maxdepth 1 -name 'kc-spool.*' | wc -l)" 0 "the spool and the live buffer are removed at the end"

# --duration stops a live stream: 5x speed, 20 s of stream time (a window
# of 30 segments, so a busy machine that fetches late loses none)
run kc-clip -o fast --db fast.db --kick-api "$KICK_URL" --no-ytdlp --duration 20 https://kick.com/fastie
is "$RC" 0 "--duration: kc-clip exits 0" || diag "$ERR"
like "$ERR" "analysed 0:(1[89]|2[0-4]) of media" "--duration 20: about 20 s analysed"
is "$(state /live/fastie ended)" false "... while the stream was still on air"
done_testing
