#!/bin/bash
# Network VODs end to end (issue 3), against tests/lib/kickserver.py on
# 127.0.0.1 only: a Kick VOD URL resolved through the Kick API fallback
# (yt-dlp "blocked"), and a pasted .m3u8 resolved by the real yt-dlp, both
# give clips through kc-clip; the server log shows that only the lowest
# rendition and the best rendition's segments under the clips were fetched
# (<= 1.1 x those bytes, never the whole top rendition).  URLs with shell
# metacharacters reach no shell; other schemes are a clear usage error.
. "$KC_ROOT/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"
. "$KC_ROOT/tests/lib/hls.sh"

need python3 curl ffprobe jq sqlite3 yt-dlp
trap kick_stop EXIT
cd "$T" || bail "no scratch dir"

f=$(media net120 -d 120 -n 4 --seed 7 --preset ultrafast) || bail "cannot generate the test stream"
vod=$(make_hls "$f" "$T/vod") || bail "make_hls failed"
uuid=0c0ffee0-1234-4abc-8def-0000000000a5
cat >cfg.json <<EOF
{
  "mounts": {"/hls": "$vod", "/ck": "$vod"},
  "faults": [{"prefix": "/ck/", "cookie": "cf_clearance=ok"}],
  "channels": {"streamer": {"videos": [{"uuid": "$uuid", "dir": "$vod", "title": "Big VOD"}]}}
}
EOF
kick_start "$T/log.jsonl" --config cfg.json || bail "kickserver did not start"
ytdlp_local "$T/yt-dlp"
export KC_YTDLP=$T/yt-dlp TMPDIR=$T

# bytes the clips of a kc-clip --json output need from rendition NAME:
# every segment overlapping one of the clips, each once
need_bytes() {
	jq -s --slurpfile h "$vod/hls.json" --arg n "$2" '
	    [.[] | select(.type == "clip") | [.t0, .t1]] as $c
	    | [$h[0].renditions[] | select(.name == $n) | .segments[]
	       | select(. as $s | any($c[]; $s.t0 < .[1] and $s.t0 + $s.dur > .[0])) | .bytes]
	    | add // 0' "$1"
}
# body bytes the server sent under a path prefix since log line $2
sent() { tail -n +"$(($2 + 1))" "$KICK_LOG" | jq -n --arg re "$1" \
    '[inputs | select(.path | test($re)) | .bytes] | add // 0'; }
low=$(hls_bytes "$vod" 160p30)
top=$(hls_bytes "$vod" 720p30)

# ---------------------------------------------------------------- Kick VOD via the API
n0=$(wc -l <"$KICK_LOG")
run kc-clip -c -o kick --db kick.db -a 1 -v 1 -d 20 --json --kick-api "$KICK_URL" \
    "https://kick.com/streamer/videos/$uuid"
is "$RC" 0 "Kick VOD URL: kc-clip exits 0" || diag "$ERR"
# the clip records (kc-clip --json writes the stream record first)
records clip "$T/out" >kick.jsonl
is "$(sed -n '/^--end--$/q;p' yt-dlp.log | tail -1)" "https://kick.com/streamer/videos/$uuid" \
    "yt-dlp was asked first, with the page URL"
like "$ERR" "yt-dlp: .*403.*trying Kick's API" "yt-dlp blocked: kc-fetch says it falls back to Kick's API"
is "$(jq -r 'select(.path | test("^/api/") and (test("/messages$") | not)) | .path' "$KICK_LOG" | sort -u | tr '\n' ' ')" \
    "/api/v2/channels/streamer/videos " "the API fallback asked for the channel's videos"
like "$(jq -r 'select(.path | test("^/api/")) | .path' "$KICK_LOG" | sort -u)" \
    "/api/v2/channels/[0-9]+/messages" "... and kc-chatfeat for its chat replay (the channel's id from that answer)"
is "$(jq -r 'select(.path | test("^/api/")) | .ua' "$KICK_LOG" | head -1 | cut -c1-11)" "Mozilla/5.0" \
    "... with a browser User-Agent"
nk=$(jq -s 'length' kick.jsonl)
is "$nk" 2 "Kick VOD: two clips (one audio, one video)"
is "$(jq -r '.path' kick.jsonl | while read -r p; do [ -s "$p" ] && echo y; done | wc -l)" "$nk" \
    "... and their files exist"
is "$(jq -r '.path' kick.jsonl | head -1 | xargs ffprobe -v error -select_streams v \
    -show_entries stream=height -of csv=p=0)" 720 "clips are cut from the best rendition (720p)"
is "$(sqlite3 kick.db "select count(*) || ' ' || group_concat(distinct title) || ' ' || group_concat(distinct channel) from streams")" \
    "1 Big VOD streamer" "the database has the stream with the title and channel from the API"
is "$(sqlite3 kick.db 'select count(*) from clips')" "$nk" "... and the clips"
got=$(sent . "$n0")
need=$(need_bytes kick.jsonl 720p30)
cmp_ok "$need" ">" 0 "the clips need some top-rendition segments ($need bytes)"
cmp_ok "$got" "<=" "$(( (low + need) * 11 / 10 ))" \
    "Kick VOD: bytes fetched $got <= 1.1 x (analysis $low + clip segments $need)"
diag "kick VOD: fetched $got bytes = $(awk -v a="$got" -v b="$((low + need))" 'BEGIN { printf "%.3f", a / b }') x (analysis + clip segments); top rendition $top"
cmp_ok "$(sent '^/vod/.*/720p30/' "$n0")" "<" "$top" "... never the whole top rendition"
is "$(sent '^/vod/.*/360p30/.*ts$' "$n0")" 0 "... nothing of the middle rendition"
is "$(sent '^/vod/.*/160p30/.*ts$' "$n0")" "$low" "... the analysis rendition once"

# ---------------------------------------------------------------- .m3u8 via yt-dlp
: >yt-dlp.log
n0=$(wc -l <"$KICK_LOG")
run kc-clip -c -o m3u8 --db m3u8.db -a 1 -v 1 -d 20 --json "$KICK_URL/hls/master.m3u8"
is "$RC" 0 ".m3u8: kc-clip exits 0" || diag "$ERR"
records clip "$T/out" >m3u8.jsonl
is "$(grep -c -- '^--end--$' yt-dlp.log) $(grep -xc -- "$KICK_URL/hls/master.m3u8" yt-dlp.log)" "1 1" \
    ".m3u8: resolved by the real yt-dlp, once"
unlike "$ERR" "yt-dlp:" "... which did not fail"
is "$(tail -n +"$((n0 + 1))" "$KICK_LOG" | jq -r 'select(.path == "/hls/master.m3u8") | .ua' | head -1 | cut -c1-7)" \
    Mozilla "... and fetched the master itself"
nm=$(jq -s 'length' m3u8.jsonl)
cmp_ok "$nm" ">=" 1 ".m3u8: clips ($nm)"
is "$(jq -r '.path' m3u8.jsonl | while read -r p; do [ -s "$p" ] && echo y; done | wc -l)" "$nm" \
    "... and their files exist"
got=$(sent . "$n0")
need=$(need_bytes m3u8.jsonl 720p30)
cmp_ok "$got" "<=" "$(( (low + need) * 11 / 10 ))" \
    ".m3u8: bytes fetched $got <= 1.1 x (analysis $low + clip segments $need)"
diag "m3u8: fetched $got bytes = $(awk -v a="$got" -v b="$((low + need))" 'BEGIN { printf "%.3f", a / b }') x (analysis + clip segments)"
cmp_ok "$(sent '^/hls/720p30/' "$n0")" "<" "$top" "... never the whole top rendition"

# ---------------------------------------------------------------- cookies
# a CDN that wants a browser's clearance cookie for every file
printf '127.0.0.1\tFALSE\t/\tFALSE\t2147483647\tcf_clearance\tok\n' >cookies.txt
run kc-clip -c -o nock --db ck.db -a 1 -v 1 -d 20 --json --no-ytdlp --retries 0 "$KICK_URL/ck/master.m3u8"
is "$RC" 1 "no cookies where the server wants them: exit 1"
like "$ERR" "403.*try --cookies FILE" "... and the message says to try --cookies"
run kc-clip -c -o ck --db ck.db -a 1 -v 1 -d 20 --json --no-ytdlp --cookies cookies.txt "$KICK_URL/ck/master.m3u8"
is "$RC" 0 "--cookies: kc-clip exits 0" || diag "$ERR"
is "$(records clip "$T/out" | wc -l)" 2 "... with the clips, cut by kc-cut with the cookies too"
is "$(jq -s '[.[] | select(.path | startswith("/ck/")) | select(.status == 200) | .cookie] | unique' -c "$KICK_LOG")" \
    '["cf_clearance=ok"]' "every file was fetched with the cookie"

# ---------------------------------------------------------------- --connections
# an HLS VOD's segments downloaded 4 at a time (the default) or 1 at a
# time: the same records (spool paths aside), the same bytes; with 4 the
# server saw requests overlap (bodies sent slowly, at 400 kB/s, so a
# download is still going when the next one starts)
kick_stop
jq -n --arg vod "$vod" '{mounts: {"/slow": $vod}, faults: [{prefix: "/slow/", match: "\\.ts$", rate: 400000}]}' >slow.json
kick_start "$T/logc.jsonl" --config slow.json || bail "kickserver did not restart"
recs() { jq -c 'del(.path, .ack, .cut_ack)' <<<"$OUT"; }
# waits (a guard of 20 s, not a time limit) until the server has logged
# the 8 requests of a run since log line $1: it logs a request once its
# body is sent, which may be just after the client has it
logged() { local i; for i in $(seq 200); do
	[ "$(tail -n +"$(($1 + 1))" "$KICK_LOG" | wc -l)" -ge 8 ] && return; sleep 0.1; done; }
mkdir -p sp1 sp4
n0=$(wc -l <"$KICK_LOG")
run kc-fetch --no-ytdlp --consumers none --spool sp1 --connections 1 -e 60 "$KICK_URL/slow/master.m3u8"
is "$RC" 0 "--connections 1: exit 0" || diag "$ERR"
logged "$n0"
r1=$(recs) b1=$(sent '^/slow/' "$n0")
n0=$(wc -l <"$KICK_LOG")
run kc-fetch --no-ytdlp --consumers none --spool sp4 -e 60 "$KICK_URL/slow/master.m3u8"
is "$RC" 0 "--connections 4 (the default): exit 0" || diag "$ERR"
is "$(recs)" "$r1" "... the same records as one at a time"
logged "$n0"
is "$(sent '^/slow/' "$n0")" "$b1" "... the same bytes fetched ($b1)"
is "$(cmp "$(find sp1 -name 'a*.ts' | sort | head -1)" "$(find sp4 -name 'a*.ts' | sort | head -1)" && echo same)" same \
    "... the same spool file"
# the most downloads in flight at once, from the server's log (start t,
# duration dur of each segment request)
inflight() { tail -n +"$(($1 + 1))" "$KICK_LOG" | jq -r 'select(.path | test("\\.ts$")) | "\(.t) 1\n\(.t + .dur) -1"' |
    sort -n | awk '{ n += $2; if (n > m) m = n } END { print m + 0 }'; }
cmp_ok "$(inflight "$n0")" ">=" 2 "... and with 4 the server had several segment requests in flight at once"
run kc-fetch --connections 0 "$KICK_URL/slow/master.m3u8"
is "$RC" 2 "--connections 0: usage error, exit 2"
like "$ERR" "connections" "... naming the option"
kick_stop
kick_start "$T/log.jsonl" --config cfg.json || bail "kickserver did not restart"

# ---------------------------------------------------------------- no shell, clear errors
# shellcheck disable=SC2016 # the $(...) and backquotes are meant literally
q='x=1;touch${IFS}pwned1&y=$(touch pwned2)|`touch pwned3`>pwned4'"'"'"'
: >yt-dlp.log
run kc-fetch --consumers none -e 10 "$KICK_URL/hls/master.m3u8?$q"
is "$RC" 0 "an .m3u8 URL with shell metacharacters in its query works" || diag "$ERR"
is "$(jq -r 'select(.type == "stream") | .url' <<<"$OUT")" "$KICK_URL/hls/master.m3u8?$q" \
    "... the stream record has the URL as given"
is "$(sed -n '/^--end--$/q;p' yt-dlp.log | tail -1)" "$KICK_URL/hls/master.m3u8?$q" \
    "... and yt-dlp got it as one argument, unchanged"
# shellcheck disable=SC2016
for u in "https://kick.com/\$(touch pwned5)" 'https://kick.com/a;touch pwned6' \
    "https://kick.com/video/\`touch pwned7\`"; do
	run kc-fetch --no-ytdlp --kick-api "$KICK_URL" "$u"
	is "$RC:$OUT" 1: "$u: exit 1, nothing on stdout"
	like "$ERR" "not a Kick channel or video URL" "$u: says it is not a Kick URL"
done
# shellcheck disable=SC2016
run kc-clip -c -o meta --db meta.db --no-ytdlp --kick-api "$KICK_URL" 'https://kick.com/x`touch pwned8`'
is "$RC" 1 "kc-clip: a Kick URL with a backquote: exit 1"
is "$(find "$T" -name 'pwned*' | head -3)" "" "no shell ran: no file 'pwned*' anywhere"
# the host as RFC 3986 reads it (libcurl's URL parser): userinfo, a port
# and the case of the name do not hide kick.com (before: "user@kick.com"
# was taken for another host, and its page fetched as a plain URL)
for u in "https://viewer:pw@kick.com/streamer/videos/$uuid" "https://KICK.com:443/streamer/videos/$uuid"; do
	run kc-fetch --no-ytdlp --kick-api "$KICK_URL" "$u"
	is "$RC" 0 "$u: read as a Kick VOD page, exit 0" || diag "$ERR"
	like "$OUT" '"type":"end"' "$u: resolved through Kick's API and analysed to the end"
done
for u in ftp://127.0.0.1:1/a.m3u8 'gopher://127.0.0.1/;id' rtmp://127.0.0.1/live; do
	run kc-clip -o meta "$u"
	isnt "$RC" 0 "kc-clip $u: fails"
	like "$ERR" "\"${u%%:*}\"" "kc-clip $u: the message names the scheme"
	unlike "$ERR" "failed \\(" "kc-clip $u: a clear message, not a crashed stage"
done
# ---------------------------------------------------------------- what kc does not read yet
# fragmented MP4 segments (EXT-X-MAP): said at once, exit 1 (it analysed
# nothing and said "0 clips, 2 gaps", exit 0); a master whose sound is a
# rendition of its own: the picture alone, and a warning saying why
mkdir -p fmp4 alt
ffmpeg -nostdin -v error -y -i "$f" -t 30 -c copy -f hls -hls_time 10 -hls_playlist_type vod \
    -hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4 -hls_segment_filename 'fmp4/s%03d.m4s' \
    fmp4/index.m3u8 || bail "cannot make the fMP4 HLS"
(cd alt && ffmpeg -nostdin -v error -y -i "$f" -t 30 -map 0:v -map 0:a -c copy -f hls -hls_time 10 \
    -hls_playlist_type vod -hls_segment_filename 'r%v/s%03d.ts' -master_pl_name master.m3u8 \
    -var_stream_map "a:0,agroup:aud v:0,agroup:aud" 'r%v/index.m3u8') || bail "cannot make the HLS with its own sound"
kick_stop
printf '{"mounts": {"/fmp4": "%s", "/alt": "%s"}}\n' "$T/fmp4" "$T/alt" >more.json
kick_start "$T/logm.jsonl" --config more.json || bail "kickserver did not restart"
run kc-clip --no-ytdlp "$KICK_URL/fmp4/index.m3u8"
is "$RC" 1 "fMP4 segments: exit 1"
like "$ERR" "fragmented MP4 segments \\(EXT-X-MAP\\), which kc cannot analyse yet" "fMP4 segments: says so at once"
unlike "$ERR" "gap" "fMP4 segments: no segment tried for nothing"
run kc-clip --no-ytdlp -d 10 "$KICK_URL/alt/master.m3u8"
is "$RC" 0 "sound in a rendition of its own: exit 0"
like "$ERR" "the picture's segments have no sound, which is a rendition of its own" \
    "sound in a rendition of its own: a warning says why there is no sound"
done_testing
