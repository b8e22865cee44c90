#!/bin/bash
# The network test infrastructure itself: HLS made by tests/lib/hls.sh and
# tests/lib/kickserver.py (files with Range, the request log, Cloudflare-like
# 403s and per-User-Agent bursts, 429, drops, stalls, missing segments,
# cookies, the Kick-like API, the live sliding window, the chat replay and
# the Pusher WebSocket of live chat), read by curl, ffprobe, the real yt-dlp
# and a small WebSocket client.  Everything stays on 127.0.0.1.
. "$KC_ROOT/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"
. "$KC_ROOT/tests/lib/hls.sh"

need python3 curl ffprobe jq
trap kick_stop EXIT

# seconds since a date +%s.%N
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'; }
# curl that never uses a proxy: loopback only
c() { curl -s --noproxy '*' --max-time 20 "$@"; }
# the log entries of one path (or path ERE)
logof() { jq -c --arg re "$1" 'select(.path | test($re))' "$KICK_LOG"; }
# wait until the log has a line that the jq FILTER selects (a request's
# line is written once it is answered, maybe after the client has its answer)
waitlog() {
	local _
	for _ in $(seq 600); do
		[ -n "$(jq -c "$1" "$KICK_LOG")" ] && return 0
		sleep 0.1
	done
	return 1
}

f=$(media net120 -d 120 -n 4 --seed 7 --preset ultrafast) || bail "cannot generate the test stream"

# ---------------------------------------------------------------- hls.sh
vod=$(make_hls "$f" "$T/vod") || bail "make_hls failed"
live=$(make_live_hls "$f" "$T/live") || bail "make_live_hls failed"
is "$(cut -f1 "$vod/bytes.tsv" | tr '\n' ' ')" "720p30 360p30 160p30 " \
    "make_hls: three renditions, highest first"
is "$(grep '^#EXT-X-STREAM-INF:BANDWIDTH=[0-9]' "$vod/master.m3u8" | grep 'RESOLUTION=[0-9]*x[0-9]*' |
    grep 'CODECS="avc1\.[0-9a-f]*,mp4a\.40\.2"' | grep -c 'FRAME-RATE=30\.000')" 3 \
    "master: BANDWIDTH, RESOLUTION, CODECS with audio, FRAME-RATE per variant"
pl=$vod/160p30/playlist.m3u8
is "$(grep -c '^#EXTINF:10.000,' "$pl") $(grep -c '^#EXT-X-PROGRAM-DATE-TIME:2026-03-01T18:0' "$pl") $(tail -1 "$pl")" \
    "12 12 #EXT-X-ENDLIST" "VOD media playlist: 12 x 10 s segments with PROGRAM-DATE-TIME, ENDLIST"
is "$(ffprobe -v error -select_streams v -show_entries packet=flags -of csv=p=0 "$vod/720p30/4.ts" | head -1 | cut -c1)$(ffprobe -v error -show_entries stream=codec_type -of csv=p=0 "$vod/720p30/4.ts" | sort -u | tr '\n' ,)" \
    "K,audio,video," "a segment starts with a keyframe and has audio and video"
is "$(jq '[.renditions[] | (.bytes == ([.segments[].bytes] | add))] | all' "$vod/hls.json")" true \
    "hls.json: rendition bytes = sum of its segments"
is "$(hls_bytes "$vod" 160p30)" "$(cat "$vod"/160p30/*.ts | wc -c)" "hls_bytes counts the .ts files"
is "$(hls_bytes "$vod")" "$(hls_bytes "$vod" 160p30)" "hls_bytes without a name: the lowest rendition"
is "$(hls_range_bytes "$vod" 720p30 15 25)" "$(cat "$vod"/720p30/1.ts "$vod"/720p30/2.ts | wc -c)" \
    "hls_range_bytes: the segments over [15, 25)"
is "$(hls_segments "$vod" 160p30 | sed -n 4p | cut -d' ' -f1-3,5)" "3 30 10 3.ts" "hls_segments"
like "$(cat "$live/master.m3u8")" 'EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="720p30".*' "live master is IVS-style"
is "$(grep -c '^#EXTINF:2.000,' "$live/160p30/playlist.m3u8")" 60 "live: 60 x 2 s segments"
t0=$(date +%s.%N)
make_hls "$f" "$T/vod2" >/dev/null
cmp_ok "$(since "$t0")" "<" 10 "make_hls again: from the cache, not re-encoded"
is "$(readlink -f "$T/vod2")" "$(readlink -f "$vod")" "same arguments, same cached directory"

# ---------------------------------------------------------------- server
# chat logs (kc's format; no type: a message): a VOD's, 60 messages in
# [5, 8) s around the edges of a 5 s replay window, and a live's from its
# offset (10 s) on, after one said before it
awk 'BEGIN {
	print "{\"t\": 4.999, \"user\": \"early\", \"text\": \"before the window\"}"
	for (i = 0; i < 60; i++)
		printf "{\"t\": %.2f, \"user\": \"fan%d\", \"text\": \"msg %d\"}\n", 5 + i * 0.05, i % 7, i
	print "{\"t\": 10, \"user\": \"Edge\", \"text\": \"at 10 s\"}"
	print "{\"t\": 20, \"user\": \"Raider\", \"text\": \"\", \"type\": \"raid\"}"
	print "{\"t\": 21.5, \"user\": \"Alice\", \"text\": \"hi\", \"type\": \"message\"}"
}' >"$T/chat-vod.jsonl"
cat >"$T/chat-live.jsonl" <<EOF
{"t": 3, "user": "early", "text": "said before the subscription"}
{"t": 10.4, "user": "Alice", "text": "hello from chat"}
{"t": 10.6, "user": "Raider", "text": "", "type": "raid"}
{"t": 10.8, "user": "Gifter", "text": "gifted a sub!", "type": "gift"}
{"t": 11, "user": "Subber", "text": "", "type": "subscription"}
EOF
uuid1=0c0ffee0-1234-4abc-8def-000000000001
uuid2=0c0ffee0-1234-4abc-8def-000000000002
cat >"$T/cfg.json" <<EOF
{
  "seed": 7,
  "mounts": {"/clean": "$vod", "/f403": "$vod", "/burst": "$vod", "/drop": "$vod",
             "/stall": "$vod", "/stallc": "$vod", "/miss": "$vod", "/r429": "$vod",
             "/cookie": "$vod", "/slow": "$vod"},
  "channels": {
    "streamer": {"username": "Streamer", "bio": "kc test channel",
                 "live": {"dir": "$live", "title": "Live: events ahead", "offset": 30},
                 "videos": [{"uuid": "$uuid1", "dir": "$vod", "title": "First VOD"},
                            {"uuid": "$uuid2", "dir": "$vod", "title": "Second VOD", "v1": true}]},
    "fastie": {"live": {"dir": "$live", "speed": 20, "offset": 100}},
    "sleepy": {"username": "Sleepy"},
    "chatty": {"id": 4242, "live": {"dir": "$live", "offset": 10, "chat": "chat-live.jsonl"},
               "videos": [{"dir": "$vod", "chat": "chat-vod.jsonl"},
                          {"dir": "$vod", "chat": "chat-vod.jsonl",
                           "start_time": "2026-03-02T18:00:00Z"}]}
  },
  "live": {"/lgone": {"dir": "$live", "speed": 20, "gone": 10},
           "/lctl": {"dir": "$live", "offset": 30}},
  "faults": [
    {"prefix": "/f403/", "match": "\\\\.ts\$", "p403": 0.3},
    {"prefix": "/burst/", "burst": 3},
    {"prefix": "/drop/", "pdrop": 0.5},
    {"prefix": "/stall/", "pstall": 1, "stall": 1},
    {"prefix": "/stallc/", "pstall": 1, "stall": 0.5, "stall_close": true},
    {"prefix": "/slow/", "pstall": 1, "stall": 4},
    {"prefix": "/miss/", "missing": ["3.ts"]},
    {"prefix": "/r429/", "p429": 1, "retry_after": 2},
    {"prefix": "/cookie/", "cookie": "cf_clearance=ok"}
  ]
}
EOF
kick_start "$T/log.jsonl" --config "$T/cfg.json" || bail "kickserver did not start"
like "$KICK_PORT" '^[0-9]+$' "server prints its port"
U=$KICK_URL

# files, Range, HEAD, keep-alive, the log
seg=$vod/160p30/0.ts
size=$(stat -c %s "$seg")
c -o "$T/full.ts" "$U/clean/160p30/0.ts"
ok "GET serves the file" cmp "$T/full.ts" "$seg"
hdr=$(c -D- -o "$T/part" -r 1000-1999 "$U/clean/160p30/0.ts" | tr -d '\r')
like "$hdr" "^HTTP/1.1 206" "Range: 206"
like "$hdr" "Content-Range: bytes 1000-1999/$size" "Range: Content-Range"
ok "Range: the right bytes" cmp "$T/part" <(tail -c +1001 "$seg" | head -c 1000)
is "$(c -r -500 "$U/clean/160p30/0.ts" | wc -c)" 500 "suffix range bytes=-500"
is "$(c -o /dev/null -w '%{http_code}' -r "$size-" "$U/clean/160p30/0.ts")" 416 "range past the end: 416"
hdr=$(c -I "$U/clean/160p30/0.ts" | tr -d '\r')
like "$hdr" "Content-Length: $size" "HEAD: Content-Length"
like "$hdr" "Content-Type: video/mp2t" "HEAD: .ts is video/mp2t"
like "$(c -I "$U/clean/master.m3u8" | tr -d '\r')" "Content-Type: application/vnd.apple.mpegurl" \
    ".m3u8 content type"
c -A keepalive-test -o /dev/null -o /dev/null "$U/clean/160p30/1.ts" "$U/clean/160p30/2.ts"
is "$(jq -r 'select(.ua == "keepalive-test") | .conn' "$KICK_LOG" | sort -u | wc -l)" 1 \
    "two requests, one kept-alive connection"
e=$(logof '^/clean/160p30/0.ts$' | head -1)
is "$(jq -r '[.method, .status, .bytes, .length, .dropped] | join(" ")' <<<"$e")" \
    "GET 200 $size $size false" "log: method, status, bytes sent, length" || diag "$e"
like "$(jq -r .ua <<<"$e")" '^curl/' "log: the User-Agent"
is "$(logof '^/clean/160p30/0.ts$' | jq -r 'select(.range == "bytes=1000-1999") | "\(.status) \(.bytes)"')" \
    "206 1000" "log: the range and the bytes of a 206"
is "$(logof '^/clean/160p30/0.ts$' | jq -r 'select(.method == "HEAD") | .bytes')" 0 "log: HEAD sends 0 bytes"
is "$(c -o /dev/null -w '%{http_code}' "$U/clean/nope.ts") $(c -o /dev/null -w '%{http_code}' "$U/clean/../cfg.json")" \
    "404 404" "unknown file and .. : 404"

# 403 fraction, reproducible from the seed
urls=()
for r in 160p30 360p30 720p30; do for i in $(seq 0 11); do urls+=("$U/f403/$r/$i.ts"); done; done
for u in "${urls[@]}"; do c -o /dev/null -r 0-99 "$u"; done
n403=$(logof '^/f403/' | jq -s '[.[] | select(.status == 403)] | length')
cmp_ok "$n403" ">=" 5 "p403=0.3: some of 36 requests get 403 ($n403)"
cmp_ok "$n403" "<=" 18 "p403=0.3: not too many"
is "$(logof '^/f403/' | jq -s '[.[] | select(.status == 403 and .fault == "403")] | length')" "$n403" \
    "log: fault 403"
# (a retry of a path draws again, so look at a 403 that always happens)
c -D "$T/h403" -o "$T/b403" "$U/cookie/360p30/0.ts"
c -o /dev/null -A other "$U/f403/master.m3u8"
like "$(cat "$T/b403")" '<title>Just a moment...</title>' "403 body is Cloudflare's challenge page"
like "$(tr -d '\r' <"$T/h403")" '[Ss]erver: cloudflare' "403: server: cloudflare"
like "$(tr -d '\r' <"$T/h403" | tr A-Z a-z)" 'cf-ray: [0-9a-f]{16}-[a-z]{3}' "403: cf-ray header"
is "$(logof '^/f403/master' | jq -r .status)" 200 "the rule's match (\\.ts\$) spares the playlist"
list1=$(logof '^/f403/' | jq -r 'select(.status == 403 and .range == "bytes=0-99") | .path' | sort)
kick_stop
kick_start "$T/log2.jsonl" --config "$T/cfg.json" || bail "kickserver did not restart"
for u in "${urls[@]}"; do c -o /dev/null -r 0-99 "${u/$U/$KICK_URL}"; done
list2=$(logof '^/f403/' | jq -r 'select(.status == 403) | .path' | sort)
is "$list2" "$list1" "same seed, same 403s"
kick_stop
kick_start "$T/log3.jsonl" --config "$T/cfg.json" --seed 8 || bail "kickserver did not restart"
for u in "${urls[@]}"; do c -o /dev/null -r 0-99 "${u/$U/$KICK_URL}"; done
list3=$(logof '^/f403/' | jq -r 'select(.status == 403) | .path' | sort)
isnt "$list3" "$list1" "--seed 8: other 403s"
kick_stop
# --latency: a round trip before each answer and before a new connection's
# first; two requests on one connection: at least 3 round trips (a lower
# bound, so a busy machine cannot break it)
kick_start "$T/loglat.jsonl" --mount /v="$vod" --latency 300 || bail "kickserver --latency did not start"
t=$(c -o /dev/null -o /dev/null -w '%{time_total}\n' "$KICK_URL/v/master.m3u8" "$KICK_URL/v/master.m3u8" | tail -1)
cmp_ok "$(awk -v t="$t" 'BEGIN { print t * 1000 }')" ">=" 300 "--latency 300: a request on a kept-alive connection takes a round trip ($t s)"
t0=$(date +%s.%N)
c -o /dev/null -o /dev/null "$KICK_URL/v/master.m3u8" "$KICK_URL/v/master.m3u8"
cmp_ok "$(since "$t0")" ">=" 0.9 "--latency 300: a new connection and two requests take 3 round trips"
is "$(jq -r .conn "$KICK_LOG" | sort -u | wc -l) $(wc -l <"$KICK_LOG")" "2 4" "--latency: the 4 requests came over 2 connections (kept alive)"
kick_stop
kick_start "$T/log.jsonl" --config "$T/cfg.json" || bail "kickserver did not restart"
U=$KICK_URL

# per-User-Agent bursts
st=
for ua in A A A A A B B B B; do
	st+="$ua$(c -o /dev/null -w '%{http_code}' -A "agent $ua" "$U/burst/160p30/0.ts") "
done
is "$st" "A403 A403 A403 A200 A200 B403 B403 B403 B200 " "burst=3: the first 3 requests of each UA get 403"
is "$(logof '^/burst/' | jq -s '[.[] | select(.fault == "burst")] | length')" 6 "log: 6 burst 403s"

# 429 with Retry-After
hdr=$(c -D- -o /dev/null "$U/r429/160p30/0.ts" | tr -d '\r')
like "$hdr" '^HTTP/1.1 429' "p429=1: 429"
like "$hdr" 'Retry-After: 2' "429 has Retry-After"

# dropped connections
drc=
for i in $(seq 0 11); do
	c -o /dev/null "$U/drop/360p30/$i.ts"
	drc+="$? "
done
nd=$(logof '^/drop/' | jq -s '[.[] | select(.dropped)] | length')
cmp_ok "$nd" ">=" 2 "pdrop=0.5: some of 12 bodies dropped ($nd)"
cmp_ok "$nd" "<=" 10 "pdrop=0.5: not all"
is "$(logof '^/drop/' | jq -s '[.[] | select(.dropped) | .bytes < .length and .bytes > 0] | all')" true \
    "a dropped body: headers with the full length, part of the body"
is "$(logof '^/drop/' | jq -s '[.[] | select(.dropped | not) | .bytes == .length] | all')" true \
    "the others complete"
is "$(tr ' ' '\n' <<<"$drc" | grep -c '^18$')" "$nd" "curl sees each drop as a partial transfer (exit 18)"

# stalls
t0=$(date +%s.%N)
c -o "$T/stalled.ts" "$U/stall/160p30/0.ts"
rc=$?
el=$(since "$t0")
is "$rc" 0 "stall then continue: the transfer completes"
ok "stalled body is intact" cmp "$T/stalled.ts" "$seg"
cmp_ok "$el" ">=" 0.95 "it took the stall (${el}s)"
e=$(logof '^/stall/' | tail -1)
is "$(jq -r '"\(.fault) \(.stalled >= 0.95) \(.dropped)"' <<<"$e")" "stall true false" "log: stalled, not dropped"
c -o /dev/null "$U/stallc/160p30/0.ts"
is "$?" 18 "stall then close: partial transfer"
is "$(logof '^/stallc/' | jq -r '"\(.stalled > 0) \(.dropped) \(.bytes < .length)"')" "true true true" \
    "log: stalled and dropped"
# (curl averages the speed over ~5 s: the limit must be above what the
# part before the stall makes the average)
c -o /dev/null -y 1 -Y 1000000 "$U/slow/160p30/1.ts"
is "$?" 28 "a client with a low-speed limit times out in a stall"

# permanent 404
st=
for i in 2 3 3 3 4; do st+="$(c -o /dev/null -w '%{http_code}' "$U/miss/160p30/$i.ts") "; done
is "$st" "200 404 404 404 200 " "missing 3.ts: always 404, its neighbours 200"

# required cookie
is "$(c -o /dev/null -w '%{http_code}' "$U/cookie/160p30/0.ts")" 403 "no cookie: 403"
is "$(logof '^/cookie/' | jq -r .fault | sort -u)" cookie "log: fault cookie"
is "$(c -o /dev/null -w '%{http_code}' -b 'a=1; cf_clearance=ok' "$U/cookie/160p30/0.ts")" 200 \
    "with the cookie: 200"
is "$(logof '^/cookie/' | jq -r 'select(.status == 200) | .cookie')" "a=1; cf_clearance=ok" \
    "log: the Cookie header"

# ---------------------------------------------------------------- Kick API
A=$U/api/v2/channels
j=$(c "$A/streamer")
is "$(jq -r '[.slug, .user.username, .livestream.is_live, .livestream.session_title] | join("|")' <<<"$j")" \
    "streamer|Streamer|true|Live: events ahead" "channel: slug, user.username, livestream"
like "$(jq -r .playback_url <<<"$j")" "^$U/live/streamer/master.m3u8\\?token=" \
    "channel: playback_url on this server, with a token"
like "$(jq -r .livestream.created_at <<<"$j")" '^20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9:]{8}$' \
    "livestream.created_at like Kick's"
is "$(jq -r '[(.id | type), (.user_id | type), (.user.id | type), .livestream.channel_id == .id] | join(" ")' <<<"$j")" \
    "number number number true" "ids are numbers"
is "$(c "$A/streamer/livestream" | jq -r '.data.playback_url == $p' --arg p "$(jq -r .playback_url <<<"$j")")" \
    true "/livestream: data.playback_url"
is "$(c "$A/sleepy" | jq -c .livestream)" null "offline channel: livestream null"
is "$(c "$A/sleepy/livestream" | jq -c .data)" null "offline /livestream: data null"
is "$(c -o /dev/null -w '%{http_code}' "$A/nobody")" 404 "unknown channel: 404"
is "$(c -o /dev/null -w '%{http_code}' -d x "$A/streamer")" 405 "POST: 405"
v=$(c "$A/streamer/videos")
is "$(jq -r 'length' <<<"$v")" 2 "/videos: both VODs"
is "$(jq -r '.[0] | [.video.uuid, .session_title, .duration, .start_time, .is_live] | join("|")' <<<"$v")" \
    "$uuid1|First VOD|120000|2026-03-01 18:00:00|false" \
    "/videos: video.uuid, session_title, duration (ms), start_time"
is "$(jq -r '.[0].source' <<<"$v")" "$U/vod/$uuid1/master.m3u8" "/videos: source is the m3u8 here"
is "$(c -o /dev/null -w '%{http_code}' "$U/api/v1/video/$uuid1")" 404 "/api/v1/video: 404 by default"
is "$(c "$U/api/v1/video/$uuid2" | jq -r '[.source, .livestream.channel.user.username, .livestream.duration] | join("|")')" \
    "$U/vod/$uuid2/master.m3u8|Streamer|120000" "/api/v1/video with v1: the old shape"
hdr=$(c -D- -o /dev/null "$A/streamer" | tr -d '\r' | tr A-Z a-z)
like "$hdr" 'content-type: application/json' "API: application/json"
like "$hdr" 'set-cookie: xsrf-token=' "API: sets XSRF-TOKEN like kick.com"

# ---------------------------------------------------------------- chat replay
# chatty (id 4242): its videos start at 2026-03-01 and 03-02 18:00:00 UTC
M="$A/4242/messages?start_time"
ms0=$(date -u -d 2026-03-01T18:00:00Z +%s)000
# the ISO time of ms since the epoch, as a client turns a cursor into start_time
iso_of() { date -u -d "@$(($1 / 1000)).$(printf %03d $(($1 % 1000)))" +%Y-%m-%dT%H:%M:%S.%3NZ; }
p=$(c "$M=2026-03-01T18:00:05.000Z")
is "$(jq -r '.data | [(.messages | length), .messages[0].content, .messages[-1].content,
    .messages[0].created_at, .cursor] | join("|")' <<<"$p")" \
    "50|msg 0|msg 49|2026-03-01T18:00:05.000000Z|$((ms0 + 7451))" \
    "replay: 50 messages at most, oldest first; the cursor just after the last one (+1 ms)"
is "$(jq -c '[.status, .data.pinned_message]' <<<"$p")" '[{"error":false,"code":200,"message":"SUCCESS"},null]' \
    "replay: Kick's status object"
is "$(jq -r '.data.messages[0] | [(.id | test("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$")),
    .chat_id, .user_id == .sender.id, .sender.username, .sender.slug, .type, .metadata,
    (.sender.identity.color | test("^#[0-9A-F]{6}$")), (.sender.identity.badges | length)] | join("|")' <<<"$p")" \
    "true|4242|true|fan0|fan0|message||true|0" \
    "replay: a message's id, chat_id, user_id = sender.id, sender, type (default message)"
cur=$(jq -r .data.cursor <<<"$p")
p2=$(c "$M=$(iso_of "$cur")")
is "$(jq -r '.data | [(.messages | length), .messages[0].content, .messages[-1].content, .cursor] | join("|")' <<<"$p2")" \
    "11|msg 50|at 10 s|$((cur + 5000))" "replay from the cursor: the rest, and the cursor 5 s on"
is "$(c "$M=2026-03-01T18:00:00.000Z" | jq -r '.data | [.messages[].content, .cursor] | join("|")')" \
    "before the window|$((ms0 + 5000))" "replay: [start, start + 5 s) (4.999 s in, 5.000 s out)"
is "$(c "$M=2026-03-01T18:00:20.000Z" | jq -r '[.data.messages[] | .type, .content, .sender.username,
    .sender.slug] | join("|")')" "raid||Raider|raider|message|hi|Alice|alice" \
    "replay: a notice keeps its type"
is "$(c "$M=2026-03-02T18:00:20Z" | jq -r '[.data.messages[].type] | join(" ")')" "raid message" \
    "replay: the channel's videos merged (the second one's chat)"
is "$(c "$M=2026-03-01T18:00:05.000Z" | jq -c '[.data.messages[].id]')" "$(jq -c '[.data.messages[].id]' <<<"$p")" \
    "replay: stable ids"
is "$(c -w ' %{http_code}' "$A/4242/messages") $(c -w ' %{http_code}' "$M=yesterday")" \
    '{"message":"start_time is invalid"} 400 {"message":"start_time is invalid"} 400' \
    "replay: no or a bad start_time: 400"
is "$(c -o /dev/null -w '%{http_code}' "$A/99/messages?start_time=2026-03-01T18:00:05Z")" 404 \
    "replay: an unknown channel id: 404"
is "$(logof '^/api/v2/channels/4242/messages$' | jq -r 'select(.query == "start_time=yesterday") | .status')" 400 \
    "log: replay requests with their query"

# ---------------------------------------------------------------- Pusher WebSocket
# ws.py PORT PATH STEP... : a WebSocket client (RFC 6455, masked frames)
# that prints one JSON line {"at": epoch s, "op", "data"} per event: the
# status and Sec-WebSocket-Accept, then each frame received (text, pong,
# close: its code) and eof.  Steps: "send JSON", "frag JSON" (in two
# frames), "ping", "close", "get PATH" (a plain HTTP GET), "sleep S",
# "until ERE" (read until a line matches), "eof" (read until it closes).
# Exit 1 after 60 s of silence or at an eof before "until" matched.
cat >"$T/ws.py" <<'EOF'
import http.client, json, os, re, socket, struct, sys, time
port, path = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=60)
s.sendall(("GET %s?protocol=7&client=js&version=8.4.0&flash=false HTTP/1.1\r\n"
           "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
           % path).encode())
f = s.makefile("rb")
def out(op, data=None):
    line = json.dumps({"at": time.time(), "op": op, "data": data})
    print(line, flush=True)
    return line
status = int(f.readline().split()[1])
hdr = dict(l.decode().rstrip().split(": ", 1) for l in iter(f.readline, b"\r\n"))
out("status", status)
out("accept", hdr.get("Sec-WebSocket-Accept"))
def send(op, data, fin=True):
    m, n = os.urandom(4), len(data)
    ln = bytes([0x80 | n]) if n < 126 else struct.pack("!BH", 254, n) if n < 65536 else struct.pack("!BQ", 255, n)
    s.sendall(bytes([op | 0x80 * fin]) + ln + m + bytes(b ^ m[i % 4] for i, b in enumerate(data)))
def recv():
    h = f.read(2)
    if len(h) < 2:
        return out("eof")
    n = h[1] & 0x7F
    if n > 125:
        n = struct.unpack("!H" if n == 126 else "!Q", f.read(2 if n == 126 else 8))[0]
    data, op = f.read(n), h[0] & 0x0F
    if op == 8:
        return out("close", struct.unpack("!H", data[:2])[0] if data else None)
    return out({1: "text", 10: "pong"}.get(op, "op%d" % op), data.decode())
try:
    for step in sys.argv[3:] if status == 101 else []:
        cmd, _, arg = step.partition(" ")
        if cmd in ("send", "frag"):
            b = arg.encode()
            if cmd == "frag":
                send(1, b[:5], fin=False)
                b = b[5:]
            send(1 if cmd == "send" else 0, b)
        elif cmd == "ping":
            send(9, b"kc")
        elif cmd == "close":
            send(8, struct.pack("!H", 1000))
        elif cmd == "get":
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request("GET", arg)
            c.getresponse().read()
        elif cmd == "sleep":
            time.sleep(float(arg))
        else:
            while True:
                line = recv()
                if cmd == "until" and re.search(arg, line):
                    break
                if '"op": "eof"' in line:
                    sys.exit(cmd != "eof")
except socket.timeout:
    out("timeout")
    sys.exit(1)
EOF
ws() { python3 "$T/ws.py" "$KICK_PORT" "$@"; }
# a pusher:subscribe step: CHANNEL [AUTH]
sub() { printf 'send {"event":"pusher:subscribe","data":{"auth":"%s","channel":"%s"}}' "${2-}" "$1"; }
# the Pusher messages (text frames) a run received
pusher() { jq -c 'select(.op == "text") | .data | fromjson' <<<"$OUT"; }
# the first line of the run's output that the jq FILTER selects
first() { jq -c "select($1)" <<<"$OUT" | head -1; }
KEY=32cbd69e4b950bf97679
# subscribe, ping twice, subscribe with a 64-bit-long frame, then start the
# live's clock (10 s aired) and read until its last chat message has come
run ws /app/$KEY "until connection_established" "$(sub chatrooms.4242.v2)" "until subscription_succeeded" \
    'frag {"event":"pusher:ping","data":{}}' "until pusher:pong" ping 'until "op": "pong"' \
    "$(sub chatrooms.999.v2 "$(printf '%070000d' 0)")" "until chatrooms.999" \
    "get /live/chatty/master.m3u8" "until SubscriptionEvent" close 'until "op": "close"'
is "$RC" 0 "WebSocket: the client got every answer it waited for" || diag "$OUT" "$ERR"
is "$(jq -r 'select(.op == "status" or .op == "accept") | .data' <<<"$OUT" | tr '\n' ' ')" \
    "101 s3pPLMBiTxaQ9kYGzzhZRbK+xOo= " "WebSocket handshake: 101, Sec-WebSocket-Accept of RFC 6455's sample key"
P=$(pusher)
is "$(head -1 <<<"$P" | jq -r '.event, (.data | fromjson | (.socket_id | test("^[0-9]+\\.[0-9]+$")), .activity_timeout)' |
    tr '\n' ' ')" "pusher:connection_established true 120 " \
    "Pusher: connection_established first, its data a JSON string (socket_id, activity_timeout)"
is "$(jq -r 'select(.event == "pusher_internal:subscription_succeeded") | "\(.channel) \(.data)"' <<<"$P" | tr '\n' ' ')" \
    "chatrooms.4242.v2 {} chatrooms.999.v2 {} " \
    "subscribe: subscription_succeeded, for an unknown chatroom too (its 70 kB frame read)"
is "$(jq -r 'select(.event == "pusher:pong") | .data' <<<"$P")" "{}" "pusher:ping (sent in two fragments): pusher:pong"
is "$(jq -r 'select(.op == "pong") | .data' <<<"$OUT")" kc "a ping frame: a pong frame with its payload"
is "$(jq -r 'select(.channel == "chatrooms.4242.v2" and (.event | startswith("App"))) | .event' <<<"$P" | tr '\n' ' ')" \
    'App\Events\ChatMessageEvent App\Events\StreamHostEvent App\Events\GiftedSubscriptionsEvent App\Events\SubscriptionEvent ' \
    "live chat: message, raid, gift, subscription in order; what was said before the subscription is not replayed"
msg=$(jq -c 'select(.event == "App\\Events\\ChatMessageEvent") | .data | fromjson' <<<"$P")
is "$(jq -r '[.content, .type, .chatroom_id, .sender.username, .sender.slug, (.sender.id | type),
    (.id | test("^[0-9a-f-]{36}$"))] | join("|")' <<<"$msg")" "hello from chat|message|4242|Alice|alice|number|true" \
    "ChatMessageEvent: content, type, chatroom_id, sender, id"
is "$(jq -r 'select(.event | test("Host|Gifted|Subscription")) | .data | fromjson |
    [.host_username, .number_viewers, .gifter_username, (.gifted_usernames | arrays | length), .username,
    .months, .chatroom_id] |
    map(select(. != null)) | join(",")' <<<"$P" | tr '\n' ' ')" "Raider,123,4242 Gifter,1,4242 Subber,1,4242 " \
    "notices: StreamHostEvent, GiftedSubscriptionsEvent, SubscriptionEvent with Kick's fields"
pl=$(c "$U/live/chatty/160p30/playlist.m3u8")
pdt0=$(( $(date -d "$(sed -n 's/^#EXT-X-PROGRAM-DATE-TIME://p' <<<"$pl" | head -1)" +%s%3N) -
    $(sed -n 's/^#EXT-X-MEDIA-SEQUENCE://p' <<<"$pl") * 2000 ))
st=$(( $(date -d "$(jq -r .created_at <<<"$msg")" +%s%3N) - pdt0 ))
cmp_ok "$(( st > 10400 ? st - 10400 : 10400 - st ))" "<=" 1000 \
    "created_at - PROGRAM-DATE-TIME of stream time 0 = the message's stream time 10.4 s ($st ms)"
started=$(c "$U/_kc/state" | jq '.live[] | select(.prefix == "/live/chatty") | .started')
cmp_ok "$(first '.op == "text" and (.data | test("ChatMessageEvent"))' | jq .at)" ">=" \
    "$(awk -v s="$started" 'BEGIN { printf "%.3f", s + 0.4 - 0.005 }')" \
    "sent once stream time 10.4 had aired (0.4 s after the clock started at 10)"
is "$(c "$M=$(jq -r .created_at <<<"$msg")" | jq -c '.data.messages[0] | [.content, .id]')" \
    "$(jq -c '[.content, .id]' <<<"$msg")" "replay: the aired live chat, at its created_at, with the same id"
waitlog "select(.path == \"/app/$KEY\" and .ws == \"close\")" || diag "no close in the log"
is "$(jq -r --arg p /app/$KEY 'select(.path == $p) | [.ws, .status, .channel, .sent, .why] |
    map(select(. != null)) | join(" ")' "$KICK_LOG" | tr '\n' ',')" \
    "connect 101,subscribe 101 chatrooms.4242.v2,subscribe 101 chatrooms.999.v2,close 101 4 close," \
    "log: the WebSocket's connect, subscriptions, and close with the chat messages sent"
run ws /app/nope "until pusher:error" eof
is "$(pusher | jq -r '"\(.event) \(.data.code)"')" "pusher:error 4001" "a wrong app key: pusher:error 4001"
like "$(pusher | jq -r .data.message)" '^App key nope not in this cluster' "... saying so"
is "$(jq -r 'select(.op == "close" or .op == "eof") | .op' <<<"$OUT" | tr '\n' ' ') $(first '.op == "close"' | jq .data)" \
    "close eof  4001" "... then a close frame 4001 and the end"

# ---------------------------------------------------------------- ffprobe, yt-dlp
src=$(jq -r '.[0].source' <<<"$v")
pr=$(ffprobe -v error -show_entries format=duration:stream=codec_type,height -of json "$src")
is "$(jq -r '[.streams[] | select(.codec_type == "video") | .height] | sort | join(" ")' <<<"$pr")" \
    "160 360 720" "ffprobe reads the VOD master: three video renditions"
is "$(jq -r '[.streams[] | select(.codec_type == "audio")] | length' <<<"$pr")" 3 "... each with audio"
cmp_ok "$(jq -r .format.duration <<<"$pr")" "==" 120 "... 120 s"

if command -v yt-dlp >/dev/null; then
	ytdlp() { yt-dlp --ignore-config --no-cache-dir --proxy '' --no-check-certificate \
	    --socket-timeout 10 "$@"; }
	run ytdlp -J "$src"
	is "$RC" 0 "yt-dlp -J on the local master exits 0" || diag "$ERR"
	printf '%s\n' "$OUT" >"$T/yt.json"
	is "$(jq -r '[.formats[].height] | join(" ")' "$T/yt.json")" "160 360 720" \
	    "yt-dlp: one format per rendition, lowest first"
	is "$(jq -r '[.formats[] | .protocol] | unique | join(" ")' "$T/yt.json")" m3u8_native \
	    "yt-dlp: protocol m3u8_native"
	is "$(jq -r '.formats[0] | [.url, .manifest_url, .width, .fps, .vcodec, .acodec] | join(" ")' "$T/yt.json")" \
	    "$U/vod/$uuid1/160p30/playlist.m3u8 $src 284 30 avc1.4d400c mp4a.40.2" \
	    "yt-dlp: url = media playlist, manifest_url = master, width, fps, codecs"
	is "$(jq -r '[.extractor, .url, (.duration | tostring)] | join(" ")' "$T/yt.json")" \
	    "generic $U/vod/$uuid1/720p30/playlist.m3u8 null" \
	    "yt-dlp: generic extractor, best = top rendition, no duration"
	like "$(jq -r '[.formats[].format_id] | join(" ")' "$T/yt.json")" '^[0-9]+ [0-9]+ [0-9]+$' \
	    "yt-dlp: VOD format_ids are the kbit/s"
	run ytdlp -J "$(jq -r .playback_url <<<"$j")"
	is "$(jq -r '[.formats[].format_id] | join(" ")' <<<"$OUT")" "160p30 360p30 720p30" \
	    "yt-dlp on the live playback_url: format_ids are the IVS group names"
	is "$(jq -r '[.formats[] | .url | test("^http://127.0.0.1:[0-9]+/live/streamer/[0-9]+p30/playlist.m3u8$")] | all' <<<"$OUT")" \
	    true "... and the urls the media playlists (token dropped)"
	is "$(jq -r '.formats[0].manifest_url' <<<"$OUT")" "$(jq -r .playback_url <<<"$j")" \
	    "... manifest_url: the URL as given, query and all"
	is "$(jq -c '[.duration, .is_live, .live_status]' <<<"$OUT")" "[null,null,null]" \
	    "... no duration, is_live or live_status for a live m3u8 either"
	is "$(logof . | jq -r 'select(.ua | test("Mozilla")) | .path' | sort -u | tr '\n' ' ')" \
	    "/live/streamer/master.m3u8 /vod/$uuid1/master.m3u8 " "yt-dlp -J fetched only the masters"
else
	skip "yt-dlp is not installed"
fi

# ---------------------------------------------------------------- live
# streamer: real time from offset 30 s (15 segments aired), window 6
L=$U/live/streamer/160p30/playlist.m3u8
seqof() { sed -n 's/^#EXT-X-MEDIA-SEQUENCE://p' <<<"$1"; }
# the live clock, in segments (2 s) aired since it started
slot() { c "$U/_kc/state" | jq -r '.live[] | select(.prefix == "/live/streamer") |
    .elapsed / 2 | floor'; }
# fetch the playlist inside one clock slot (the slot read before and after
# the fetch agrees), however slowly a busy machine answers; SLOT and P set
fetch_in_slot() {
	local a b _
	for _ in $(seq 50); do
		a=$(slot); P=$(c "$L"); b=$(slot)
		[ -n "$a" ] && [ "$a" = "$b" ] && { SLOT=$a; return 0; }
	done
	return 1
}
c -o /dev/null "$U/live/streamer/master.m3u8"	# starts the clock
fetch_in_slot || bail "cannot read the live playlist within one segment"
p1=$P n1=$SLOT
# wait (on the server's clock) until the next segment has aired
for _ in $(seq 600); do [ "$(slot)" -gt "$n1" ] && break; sleep 0.1; done
fetch_in_slot || bail "cannot read the live playlist within one segment"
p2=$P n2=$SLOT
s1=$(seqof "$p1") s2=$(seqof "$p2")
is "$((s2 - s1))" "$((n2 - n1))" "live: MEDIA-SEQUENCE moves on one per segment aired ($s1 -> $s2 over $((n2 - n1)))" ||
    diag "$p1" "$p2"
cmp_ok "$s1" ">=" 9 "live: the window starts at the offset"
is "$(grep -c '^#EXTINF:2.000,' <<<"$p2") $(grep -c '^#EXT-X-PROGRAM-DATE-TIME:' <<<"$p2")" "6 6" \
    "live: a window of 6 segments with PROGRAM-DATE-TIME"
unlike "$p2" 'ENDLIST|PLAYLIST-TYPE' "live: no ENDLIST, no PLAYLIST-TYPE while on air"
last=$(grep -v '^#' <<<"$p2" | tail -1)
is "$(c -o /dev/null -w '%{http_code}' "$U/live/streamer/160p30/$last")" 200 "live: the newest segment is there"
next=$((${last%.ts} + 10))
is "$(c -o /dev/null -w '%{http_code}' "$U/live/streamer/160p30/$next.ts")" 404 "live: a segment not aired yet: 404"
is "$(logof "/live/streamer/160p30/$next.ts" | jq -r .fault)" not_aired "log: fault not_aired"
ok "live segment is the file" cmp <(c "$U/live/streamer/160p30/$last") "$live/160p30/$last"
a=$(sed -n 's/^#EXT-X-PROGRAM-DATE-TIME://p' <<<"$p2" | head -2 | tr '\n' ' ')
set -- $a
is "$(( $(date -d "$2" +%s%3N) - $(date -d "$1" +%s%3N) ))" 2000 "live: PROGRAM-DATE-TIME 2 s apart"
c "$U/live/streamer/master.m3u8?token=x" | grep -q '^160p30/playlist.m3u8$'
is "$?" 0 "live master points at the live media playlists"

# fastie: 20x speed from 100 s: ENDLIST after (120 - 100) / 20 = 1 s
F=$U/live/fastie/360p30/playlist.m3u8
q1=$(c "$F")
is "$(c "$A/fastie" | jq -r '.livestream.is_live')" true "fast live channel is live"
unlike "$q1" ENDLIST "fast live: on air"
# poll until the server's clock has aired the rest (1 s; 60 s is a guard)
for _ in $(seq 600); do q2=$(c "$F"); grep -q ENDLIST <<<"$q2" && break; sleep 0.1; done
like "$q2" '#EXT-X-ENDLIST' "fast live: ENDLIST once the last segment has aired"
is "$(seqof "$q2") $(grep -v '^#' <<<"$q2" | tail -1)" "54 59.ts" "... with the last 6 segments"
is "$(c "$A/fastie" | jq -c '.livestream')" null "ended live: channel livestream null"
ok "ffprobe reads a live playlist" ffprobe -v error "$U/live/streamer/160p30/playlist.m3u8"

# lgone: 20x from 0, gone at stream time 10 (0.5 s after the first request):
# then every path is a 404, without ENDLIST ever (an IVS broadcast's end)
G=$U/lgone/160p30/playlist.m3u8
code() { c -o /dev/null -w '%{http_code}' "$1"; }
is "$(code "$G")" 200 "gone: on air at first"
n=0
while [ "$(code "$G")" = 200 ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
is "$(code "$G")" 404 "gone: the playlist becomes a 404 (no ENDLIST)"
is "$(logof '^/lgone/160p30/playlist' | tail -1 | jq -r '[.status, .fault] | join(" ")')" "404 gone" \
    "log: fault gone"
is "$(code "$U/lgone/160p30/0.ts") $(code "$U/lgone/master.m3u8")" "404 404" "... and so are segments and the master"
lstate() { c "$U/_kc/state" | jq -c --arg p "$1" ".live[] | select(.prefix == \$p) | $2"; }
is "$(lstate /lgone .failing)" 404 "state: failing 404"

# lctl: switched by /_kc/live
C=$U/lctl/160p30/playlist.m3u8
is "$(code "$C")" 200 "control: on air"
is "$(c "$U/_kc/live?prefix=/lctl&freeze=1" | jq -c '.live[] | select(.prefix == "/lctl") | .frozen')" true \
    "control: freeze=1 holds the stream"
p1=$(c "$C")
sleep 2.2
is "$(c "$C")" "$p1" "frozen: the playlist stays the same a segment duration later"
is "$(code "$U/_kc/live?prefix=/lctl&fail=503")" 200 "control: fail=503"
is "$(code "$C") $(logof '^/lctl/160p30/playlist' | tail -1 | jq -r .fault)" "503 fail" "then every path answers 503"
is "$(code "$U/_kc/live?prefix=/lctl&fail=0&freeze=0")" 200 "control: fail=0, freeze=0"
is "$(code "$C") $(lstate /lctl '[.failing, .frozen]')" "200 [0,false]" "answering and running again"
is "$(code "$U/_kc/live?prefix=/nope&fail=404")" 400 "control: an unknown mount is a 400"
is "$(code "$U/_kc/live?prefix=/lctl&fail=200")" 400 "control: fail=200 is a 400"

# ---------------------------------------------------------------- stop
pid=$KICK_PID
kill -TERM "$pid"
t0=$(date +%s.%N)
wait "$pid"
is "$?" 0 "SIGTERM: exit 0"
cmp_ok "$(since "$t0")" "<" 5 "... promptly"
KICK_PID=
is "$(c -o /dev/null -w '%{http_code}' "$U/clean/master.m3u8")" 000 "stopped: nothing listens"
is "$(jq -c . "$KICK_LOG" >/dev/null && echo valid)" valid "the log is valid JSON Lines"
is "$(jq -r 'select(.status == null) | .path' "$KICK_LOG" | head -3)" "" "every logged request has a status"

# ---------------------------------------------------------------- WebSocket faults
# another server: its own app key, the first upgrade refused, the first
# subscribed connection dropped after 1 s, and the chat replay 403'd by a
# fault rule while the rest of the API works
cat >"$T/cfg-ws.json" <<EOF
{"pusher_key": "kc-test-key", "ws_refuse": 1, "ws_drop_after": 1,
 "channels": {"chatty": {"id": 4242, "live": {"dir": "$live", "offset": 10, "chat": "chat-live.jsonl"}}},
 "faults": [{"prefix": "/api/", "match": "/messages", "p403": 1}]}
EOF
kick_start "$T/logws.jsonl" --config "$T/cfg-ws.json" || bail "kickserver did not start with cfg-ws.json"
A=$KICK_URL/api/v2/channels
is "$(c -o /dev/null -w '%{http_code}' "$A/chatty") $(c -o "$T/b403m" -w '%{http_code}' "$A/4242/messages?start_time=2026-03-01T18:00:05Z")" \
    "200 403" "a fault rule matching /messages: the replay gets 403, the channel API 200"
like "$(cat "$T/b403m")" '<title>Just a moment...</title>' "... Cloudflare's page"
run ws /app/kc-test-key "until connection_established"
is "$(first '.op == "status"' | jq .data)" 403 "ws_refuse 1: the first upgrade gets 403"
waitlog 'select(.fault == "ws_refuse")' || diag "no ws_refuse in the log"
is "$(logof '^/app/' | jq -r '"\(.status) \(.fault) \(.ws)"')" "403 ws_refuse refused" "log: fault ws_refuse"
run ws /app/kc-test-key "until connection_established" "$(sub chatrooms.4242.v2)" "until subscription_succeeded" eof
is "$RC $(jq -r 'select(.op == "close" or .op == "eof") | .op' <<<"$OUT")" "0 eof" \
    "ws_drop_after: the server ends the connection, abruptly (no close frame)" || diag "$OUT"
t_sub=$(logof '^/app/' | jq 'select(.ws == "subscribe") | .t')
cmp_ok "$(first '.op == "eof"' | jq .at)" ">=" "$(awk -v t="$t_sub" 'BEGIN { printf "%.4f", t + 0.999 }')" \
    "... 1 s after the subscription"
ok "log: the close of a dropped WebSocket says why: drop" waitlog 'select(.ws == "close" and .why == "drop")'
run ws /app/kc-test-key "$(sub chatrooms.4242.v2)" "until subscription_succeeded" "sleep 1.5" \
    'send {"event":"pusher:ping","data":{}}' "until pusher:pong" close 'until "op": "close"'
is "$RC" 0 "... the first connection only: a later one is served 1.5 s after its subscription"
# SIGTERM while a WebSocket is open
ws /app/kc-test-key "$(sub chatrooms.4242.v2)" "until subscription_succeeded" eof >"$T/ws-term.out" &
wspid=$!
for _ in $(seq 600); do grep -q subscription_succeeded "$T/ws-term.out" && break; sleep 0.1; done
kill -TERM "$KICK_PID"
t0=$(date +%s.%N)
wait "$KICK_PID"
is "$?" 0 "SIGTERM with a WebSocket open: exit 0"
cmp_ok "$(since "$t0")" "<" 5 "... promptly"
KICK_PID=
wait "$wspid"
is "$? $(jq -r 'select(.op == "close") | .data' "$T/ws-term.out")" "0 1001" \
    "... the WebSocket got a close frame 1001 (going away)"
is "$(jq -r 'select(.ws == "close") | .why' "$KICK_LOG" | tr '\n' ' ')" "drop close stop " \
    "log: every WebSocket's close, with why"
done_testing
