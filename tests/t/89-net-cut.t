#!/bin/bash
# Cuts from HLS shaped like real streams (issue 8), served by
# tests/lib/kickserver.py on 127.0.0.1 only.  A Kick-like ladder (x264
# veryfast, High profile with B-frames, 10 s MPEG-TS segments of 2 s GOPs,
# timestamps from 1234.567 s, a 720p60 top rendition) gives kc-clip -c 6 of
# 6 clips, 29-31 s, audio and video starting within 50 ms; so does HLS
# made by ffmpeg -hls_time 4 from a B-frame stream, in MPEG-TS and fMP4.
# A clip holds only the continuous run of segments where it starts (not
# what follows a discontinuity).  kc-cut fetches each segment once and,
# like a long live run must, keeps no clip's scratch file after its job
# and no segment a later highlight cannot need; it fetches a clip's
# segments several at a time (--connections) into the same clip, and a
# missing one fails that clip only.  A playlist fetched over
# http(s) that names local files is refused by kc-cut and kc-fetch, and a
# live one that comes to name one ends kc-fetch's run with exit 1.
. "$KC_ROOT/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"
. "$KC_ROOT/tests/lib/hls.sh"

need python3 ffmpeg ffprobe jq sqlite3 kc-clip kc-cut kc-fetch
trap kick_stop EXIT
cd "$T" || bail "no scratch dir"

ff() { ffmpeg -nostdin -v error -y "$@"; }

# A 3-minute 640x360 stream (kc-genstream: veryfast, B-frames, 2 s GOPs)
f=$(media cut180 -d 180 -n 6 --seed 11) || bail "cannot generate the test stream"
kick=$(make_hls "$f" "$T/kick" --preset veryfast --renditions "160 360 720p60") ||
    bail "make_hls failed"
# ffmpeg -hls_time 4 from the B-frame stream itself: MPEG-TS and fMP4
mkdir -p h4 f4
ff -i "$f" -c copy -f hls -hls_time 4 -hls_playlist_type vod \
    -hls_segment_filename 'h4/%d.ts' h4/playlist.m3u8 || bail "cannot make h4"
ff -i "$f" -c copy -f hls -hls_time 4 -hls_playlist_type vod -hls_segment_type fmp4 \
    -hls_fmp4_init_filename init.mp4 -hls_segment_filename 'f4/%d.m4s' f4/playlist.m3u8 ||
    bail "cannot make f4"
# the same segments from 20 s on, after a discontinuity, come from another
# encoder's clock (a stream restart)
mkdir -p h4b disc
ff -i "$f" -c copy -output_ts_offset 5000 -f hls -hls_time 4 -hls_playlist_type vod \
    -hls_segment_filename 'h4b/%d.ts' h4b/playlist.m3u8 || bail "cannot make h4b"
awk '/^[0-9]+\.ts$/ { i = $0 + 0; if (i == 5) print "#EXT-X-DISCONTINUITY"
	print (i < 5 ? "../h4/" : "../h4b/") $0; next } { print }' h4/playlist.m3u8 >disc/playlist.m3u8
# a playlist on the server that names local files (real media: cut from,
# they would make a clip)
mkdir -p evil
{
	printf '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-PLAYLIST-TYPE:VOD\n'
	for i in 0 1 2 3; do printf '#EXTINF:10.000,\nfile://%s/720p60/%d.ts\n' "$(readlink -f "$kick")" "$i"; done
	printf '#EXT-X-ENDLIST\n'
} >evil/media.m3u8
printf '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=284x160\nfile://%s/160p30/playlist.m3u8\n' \
    "$(readlink -f "$kick")" >evil/master.m3u8
# ... and a live one whose third segment, once it airs, is a local file
mkdir -p evlive
for i in $(seq 0 11); do ln -s "$T/h4/$i.ts" "evlive/$i.ts"; done
awk -v f="file://$T/h4/2.ts" '/^#EXTINF/ { inf = $0; next }
	/^[0-9]+\.ts$/ { if (++n > 12) exit; print inf; print ($0 == "2.ts" ? f : $0); next }
	/^#EXT-X-(PLAYLIST-TYPE|ENDLIST)/ { next } { print }' h4/playlist.m3u8 >evlive/playlist.m3u8

# the same segments again, one of them missing
mkdir -p miss
for i in $(seq 0 44); do [ -e "h4/$i.ts" ] && [ "$i" != 6 ] && ln -s "$T/h4/$i.ts" "miss/$i.ts"; done
cp h4/playlist.m3u8 miss/
# /slow: h4's segments sent at 400 kB/s, so a download is still going
# when the next one starts
kick_start "$T/log.jsonl" --mount /kick="$kick" --mount /h4="$T/h4" --mount /f4="$T/f4" \
    --mount /h4b="$T/h4b" --mount /disc="$T/disc" --mount /evil="$T/evil" --live /evlive="$T/evlive" \
    --mount /slow="$T/h4" --mount /miss="$T/miss" \
    --fault-prefix /slow/ --fault-match '\.ts$' --rate 400000 ||
    bail "kickserver did not start"
export TMPDIR=$T

# av FILE: "duration vstart astart" of a clip, from ffprobe
av() {
	ffprobe -v error -show_entries stream=codec_type,start_time:format=duration -of json "$1" |
	    jq -r '[.format.duration, ([.streams[] | select(.codec_type == "video")][0].start_time // "none"),
	        ([.streams[] | select(.codec_type == "audio")][0].start_time // "none")] | join(" ")'
}
# synced N FILE...: how many files have audio and video starting within 50 ms
# and last 29-31 s (N: check the length, "-": do not)
synced() {
	local len=$1 p d v a; shift
	for p; do
		read -r d v a <<<"$(av "$p")"
		awk -v d="$d" -v v="$v" -v a="$a" -v l="$len" 'BEGIN {
			x = v - a; if (x < 0) x = -x
			exit !(v != "none" && a != "none" && x <= 0.05 && (l == "-" || (d >= 29 && d <= 31))) }' &&
		    echo "$p"
	done | wc -l
}
# clip_diag FILE...: each clip's numbers, for a failure's diagnostics
clip_diag() { local p; for p; do diag "${p##*/}: $(av "$p")"; done; }

# ---------------------------------------------------------------- the ladder itself
v720=$(ffprobe -v error -select_streams v -show_entries stream=profile,has_b_frames,r_frame_rate,height:format=start_time \
    -of json "$kick/720p60/3.ts" | jq -r '[.streams[0].profile, .streams[0].has_b_frames, .streams[0].r_frame_rate,
    .streams[0].height, (.format.start_time | tonumber | floor)] | join(" ")')
is "$v720" "High 2 60/1 720 1265" "the top rendition: High profile with B-frames, 720p60, timestamps from 1235 s"
is "$(grep -c '^#EXTINF:10.000,' "$kick/720p60/playlist.m3u8")" 18 "... in 18 segments of 10 s"
is "$(ffprobe -v error -select_streams v -show_entries packet=flags -of csv=p=0 "$kick/720p60/3.ts" | grep -c K)" 5 \
    "... each of 5 GOPs of 2 s"

# ---------------------------------------------------------------- kc-clip on the Kick-like ladder
# (on this 3-minute stream two of the three audio events start less than
# clip + gap apart: the third clip is then picked without onset placement,
# and kc-clip still gives the 3 asked for)
run kc-clip -c -a 3 -v 3 -o kc --db kc.db --json --no-ytdlp "$KICK_URL/kick/master.m3u8"
is "$RC" 0 "Kick-like ladder: kc-clip -c -a 3 -v 3 exits 0" || diag "$ERR"
printf '%s\n' "$OUT" >kc.jsonl
mapfile -t clips < <(jq -r 'select(.type == "clip") | .path' kc.jsonl)
is "${#clips[@]}" 6 "... 6 clips" || diag "$OUT"
unlike "$ERR" "bad clip|cuts? failed" "... no cut failed"
is "$(synced 30 "${clips[@]}")" 6 "... each 29-31 s, its audio and video starting within 50 ms" ||
    clip_diag "${clips[@]}"
is "$(ffprobe -v error -select_streams v -show_entries stream=height,r_frame_rate -of csv=p=0 "${clips[0]}")" "720,60/1" \
    "... cut from the 720p60 rendition"
is "$(sqlite3 kc.db 'select count(*) from clips')" 6 "... and all 6 are in the database"

# ---------------------------------------------------------------- ffmpeg -hls_time 4, B-frames
run kc-clip -c -a 3 -v 3 -o h4clips --db h4.db --json --no-ytdlp "$KICK_URL/h4/playlist.m3u8"
is "$RC" 0 "-hls_time 4 from a B-frame stream: kc-clip exits 0" || diag "$ERR"
printf '%s\n' "$OUT" >h4.jsonl
mapfile -t clips < <(jq -r 'select(.type == "clip") | .path' h4.jsonl)
is "${#clips[@]}" 6 "... 6 clips" || diag "$OUT"
is "$(synced 30 "${clips[@]}")" 6 "... each 29-31 s, audio and video within 50 ms" || clip_diag "${clips[@]}"

# hlin URL T0...: a stream record for a media playlist and one 30 s
# highlight at each T0
hlin() {
	local u=$1 t; shift
	jq -nc --arg u "$u" '{type: "stream", v: 1, cut: $u, has_audio: true,
	    has_video: true, duration: 180, pdt0: null}'
	for t; do
		jq -nc --argjson a "$t" '{type: "highlight", kind: "audio", t0: $a,
		    t1: ($a + 30), score: 0.5}'
	done
}
# starts: the stream's first keyframe, a segment's first keyframe, just
# after one, mid-segment, and near the end (the clip is shorter: from the
# keyframe at 164 s to the end at 180 s)
T0S="0 4 8.05 12.5 37.9 100 165"
for d in h4 f4; do
	run -i <(hlin "$KICK_URL/$d/playlist.m3u8" $T0S) kc-cut -o "k$d"
	is "$RC" 0 "kc-cut on $d (-hls_time 4, $([ $d = f4 ] && echo fMP4 || echo MPEG-TS)): exit 0" || diag "$ERR"
	records clip "$T/out" >"$d.clips"
	mapfile -t clips < <(jq -r '.path' "$d.clips")
	is "${#clips[@]}" 7 "... 7 clips"
	is "$(synced - "${clips[@]}")" 7 "... audio and video within 50 ms in each" || clip_diag "${clips[@]}"
	is "$(for p in "${clips[@]}"; do av "$p"; done | awk '{ printf "%.0f ", $1 }')" "30 30 30 30 30 30 16 " \
	    "... 30 s long, the last one up to the end of the media"
	# (the stream's first picture is a B-frame delay after 0)
	is "$(jq -c 'select(.t0 > .want_t0 + 0.1 or .t0 <= .want_t0 - 2) | [.want_t0, .t0]' "$d.clips")" "" \
	    "... each from the keyframe of the 2 s GOP its highlight starts in"
done

# ---------------------------------------------------------------- a discontinuity inside a clip
run -i <(hlin "$KICK_URL/disc/playlist.m3u8" 12.5) kc-cut -o kdisc
is "$RC" 0 "a discontinuity 7.5 s into the clip: exit 0" || diag "$ERR"
p=$(records clip "$T/out" | jq -r .path)
read -r d v a <<<"$(av "$p")"
cmp_ok "$(awk -v d="$d" 'BEGIN { print (d > 7.5 && d < 8.5) }')" "==" 1 \
    "... the clip ends there: 8 s from the keyframe at 12 s to the discontinuity at 20 s ($d s)"
is "$(synced - "$p")" 1 "... audio and video within 50 ms ($v, $a)"
is "$(records clip "$T/out" | jq '.t0 > 12 and .t0 < 12.1 and .t1 > 20 and .t1 < 20.1')" true \
    "... and its record says so (t0 and t1 a B-frame delay after 12 and 20 s)"

# ---------------------------------------------------------------- scratch files, fetches
# Highlights come one at a time, the next when the previous clip's record
# is out, as in a live run.  After each, the scratch folder holds no clip
# file (it went with its job) and only the segments that end after that
# highlight's start (highlights come in time order: earlier ones are never
# needed again).  Overlapping highlights share their segments: each is
# fetched once.
until_() {	# CONDITION: waits for it while kc-cut runs (at most 120 s)
	local i
	for i in $(seq 1200); do
		eval "$1" && return 0
		kill -0 "$cpid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
n0=$(wc -l <"$KICK_LOG")
mkfifo feed
kc-cut -o kfeed -j 1 <feed >feed.out 2>feed.err &
cpid=$!
exec 3>feed
hlin "$KICK_URL/kick/720p60/playlist.m3u8" >&3
# [t, t + 30) needs the 10 s segments 0-3 (t = 5), 2-4 (20), 3-6 (35),
# 10-12 (100) and 14-16 (140)
k=0 snaps=
for t in 5 20 35 100 140; do
	hlin x "$t" | tail -n 1 >&3
	k=$((k + 1))
	until_ "[ \"\$(grep -c . feed.out)\" -ge $((k + 1)) ]" || break
	snaps+="$(find "kfeed/.kc-cut.$cpid" -name 'clip*' | wc -l):$(find "kfeed/.kc-cut.$cpid" -name '*.seg' | wc -l) "
done
exec 3>&-
wait "$cpid"
is "$?" 0 "highlights fed one by one: kc-cut exits 0" || diag "$(cat feed.err)"
is "$(records clip feed.out | jq -r .path | while read -r p; do [ -s "$p" ] && echo y; done | wc -l)" 5 \
    "... 5 clips"
is "$snaps" "0:4 0:3 0:4 0:3 0:3 " \
    "after each clip: no clip scratch file, only the segments (of 10 s) ending after its start"
is "$(tail -n +"$((n0 + 1))" "$KICK_LOG" | jq -r 'select(.path | test("^/kick/720p60/[0-9]+\\.ts$")) | .path' |
    sed 's/.*\///; s/\.ts$//' | sort -n | tr '\n' ' ')" "0 1 2 3 4 5 6 10 11 12 14 15 16 " \
    "each segment under the clips was fetched once, overlapping clips' too"
is "$(find kfeed -maxdepth 1 -name '.kc-cut.*' | wc -l)" 0 "the scratch folder is gone at the end"

# ---------------------------------------------------------------- --connections
# A clip's segments (30 s from 12.5 s: the 8 of 4 s from 12 s) downloaded
# 4 at a time (the default) or 1 at a time: the same clip; with 4 the
# server saw requests overlap, with 1 never.
# waits (a guard of 20 s, not a time limit) until the server has logged
# N requests since log line L: it logs a request once its body is sent,
# which may be just after the client has it
logged() { local i; for i in $(seq 200); do
	[ "$(tail -n +"$(($1 + 1))" "$KICK_LOG" | wc -l)" -ge "$2" ] && return; sleep 0.1; done; }
# the most segment downloads in flight at once in log lines L+1..M
inflight() { sed -n "$(($1 + 1)),$2p" "$KICK_LOG" | jq -r 'select(.path | test("\\.ts$")) | "\(.t) 1\n\(.t + .dur) -1"' |
    sort -n | awk '{ n += $2; if (n > m) m = n } END { print m + 0 }'; }
n0=$(wc -l <"$KICK_LOG")
run -i <(hlin "$KICK_URL/slow/playlist.m3u8" 12.5) kc-cut -o kc1 --connections 1
is "$RC" 0 "kc-cut --connections 1: exit 0" || diag "$ERR"
c1=$(records clip "$T/out" | jq -r .path)
logged "$n0" 9
n1=$(wc -l <"$KICK_LOG")
run -i <(hlin "$KICK_URL/slow/playlist.m3u8" 12.5) kc-cut -o kc4
is "$RC" 0 "kc-cut with --connections 4 (the default): exit 0" || diag "$ERR"
c4=$(records clip "$T/out" | jq -r .path)
is "$(cmp "$c1" "$c4" && echo same)" same "... the same clip as one at a time"
logged "$n1" 9
n2=$(wc -l <"$KICK_LOG")
is "$(sed -n "$((n1 + 1)),${n2}p" "$KICK_LOG" | jq -r 'select(.path | test("\\.ts$")) | .path' | sort -t/ -k3n |
    sed 's/.*\///' | tr '\n' ' ')" "3.ts 4.ts 5.ts 6.ts 7.ts 8.ts 9.ts 10.ts " "... from the 8 segments, each fetched once"
is "$(inflight "$n0" "$n1")" 1 "... one download at a time with --connections 1"
cmp_ok "$(inflight "$n1" "$n2")" ">=" 2 "... several at once with 4"
run -i <(hlin "$KICK_URL/miss/playlist.m3u8" 12.5 100) kc-cut -o kmiss
is "$RC" 3 "a clip whose segments include a missing one (404): that cut fails (exit 3)" || diag "$ERR"
is "$(records error "$T/out" | jq -r '.message | test("miss/6\\.ts.*404")')" true \
    "... its error record names the segment and the 404" || diag "$OUT"
is "$(records clip "$T/out" | jq -r '.path' | while read -r p; do [ -s "$p" ] && echo y; done | wc -l)" 1 \
    "... and the other clip is cut"
is "$(find kmiss -name '.kc-cut.*' | wc -l)" 0 "... with no scratch folder left"
run kc-cut --connections 17 </dev/null
is "$RC" 2 "kc-cut --connections 17: usage error, exit 2"
like "$ERR" "connections" "... naming the option"

# ---------------------------------------------------------------- local files in a remote playlist
run -i <(hlin "$KICK_URL/evil/media.m3u8" 5) kc-cut -o kevil
is "$RC" 3 "kc-cut: a remote playlist naming local files: that cut fails (exit 3)"
like "$ERR" "$KICK_URL/evil/media\\.m3u8: line 5: \"file://[^\"]*/720p60/0\\.ts\" is not an http\\(s\\) URI" \
    "... the message names the playlist, the line and the URI"
is "$(records error "$T/out" | jq -r '.message | test("line 5: .*not an http")')" true "... in the error record too"
is "$(find kevil -name '*.mp4' | wc -l)" 0 "... and no clip was cut from the local files"
run kc-fetch --consumers none --no-ytdlp "$KICK_URL/evil/media.m3u8"
is "$RC" 1 "kc-fetch: the same playlist: exit 1"
like "$ERR" "evil/media\\.m3u8: line 5: \"file://[^\"]*/720p60/0\\.ts\" is not an http\\(s\\) URI" \
    "... naming the playlist, the line and the URI"
is "$(jq -r 'select(.type == "segment") | .type' <<<"$OUT" | wc -l)" 0 "... and reads no segment"
run kc-fetch --consumers none --no-ytdlp "$KICK_URL/evil/master.m3u8"
is "$RC" 1 "kc-fetch: a remote master with a local variant playlist: exit 1"
like "$ERR" "evil/master\\.m3u8: line 3: \"file://[^\"]*/160p30/playlist\\.m3u8\" is not an http\\(s\\) URI" \
    "... naming the master, the line and the URI"
# live: followed in real time until the reload that lists the local file
# (a timeout only bounds a broken run: the stream airs for 48 s)
run timeout 120 kc-fetch --consumers none --no-ytdlp "$KICK_URL/evlive/playlist.m3u8"
is "$RC" 1 "kc-fetch following a live playlist that comes to name a local file: exit 1" || diag "$ERR"
like "$ERR" "evlive/playlist\\.m3u8: line [0-9]+: \"file://[^\"]*/h4/2\\.ts\" is not an http\\(s\\) URI" \
    "... naming the playlist, the line and the URI"
like "$ERR" "stopping: the segments fetched are analysed and kept" "... it stops following"
is "$(jq -r .type <<<"$OUT" | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')" "end:1 segment:2 stream:1 " \
    "... and passes on what it fetched before (segments 0 and 1), then the end record"
is "$(jq -r 'select(.path | test("^/evlive/.*\\.ts$")) | .path' "$KICK_LOG" | tr '\n' ' ')" \
    "/evlive/0.ts /evlive/1.ts " "... having fetched no segment after the refused playlist"
done_testing
