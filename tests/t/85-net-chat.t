#!/bin/bash
# Kick's chat end to end (issue 12), against tests/lib/kickserver.py on
# 127.0.0.1 only.  A 2-minute stream with four events; its chat (written
# here from the truth): ordinary chat, a crowd reacting 5-9 s after the
# first three events (the fourth gets none), and a raid flood and a gift
# train that follow nothing.
#   - The replay: kc-chatfeat pages through Kick's chat replay of a VOD
#     and gives the very features the same chat gives as a log file.
#   - A chat endpoint that answers 403: kc-clip still cuts the audio and
#     video clips, exits 0, and says so once.
#   - Live: kc-clip follows a live channel and its Pusher chat, which the
#     server drops once (kc-chatfeat connects again); a clip file exists
#     within 20 s after its last second aired, and its features hold the
#     chat's.
. "$KC_ROOT/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"
. "$KC_ROOT/tests/lib/hls.sh"

need python3 curl ffprobe jq sqlite3 kc-fetch kc-chatfeat kc-clip
WATCH=
trap '[ -n "$WATCH" ] && kill "$WATCH" 2>/dev/null; kick_stop' EXIT
cd "$T" || bail "no scratch dir"

f=$(media net120 -d 120 -n 4 --seed 7 --preset ultrafast) || bail "cannot generate the test stream"
truth=${f%.mp4}.truth.jsonl
vod=$(make_hls "$f" "$T/vod") || bail "make_hls failed"
live=$(make_live_hls "$f" "$T/live") || bail "make_live_hls failed"

# the chat, in stream time ("t"): one ordinary message a second from 12
# regulars; 30 chatters reacting from 5 s after the onset of each of the
# first three events, for 4 s; a raid flood at 58-61 s and a gift train
# at 88-91 s (no event within 9 s of either)
jq -s -c '
  [([range(0; 120)] | map({t: (. + 0.4), user: "regular\(. % 12)",
     text: (["hi", "nice", "what game is this", "gg", "ok", "lol"][. % 6])})),
  ([.[0:3][] | .t0] | map(. as $e | [range(0; 30)] | map({t: ($e + 5 + . * 0.13),
     user: "crowd\($e)-\(.)",
     text: (["KEKW", "[emote:37226:KEKW] [emote:37226:KEKW]", "CLIP IT", "OMEGALUL",
             "LMAO"][. % 5])})) | add),
  ([range(0; 30)] | map({t: (58 + . * 0.1), user: "raider\(.)", text: "",
     type: "raid"})),
  ([range(0; 20)] | map({t: (88 + . * 0.15), user: "gifter\(. % 3)", text: "",
     type: "gift"}))]
  | add | sort_by(.t) | .[]' "$truth" >chat.jsonl || bail "cannot write the chat"
cp chat.jsonl live-chat.jsonl

uuid=0c0ffee0-1234-4abc-8def-00000000c4a7
uuid2=0c0ffee0-1234-4abc-8def-00000000c4a8
OFF=30
cat >cfg.json <<EOF
{
  "ws_drop_after": 25,
  "channels": {
    "streamer": {"id": 4242, "videos": [{"uuid": "$uuid", "dir": "$vod", "title": "VOD with chat",
                                          "chat": "chat.jsonl"}]},
    "shy": {"id": 4343, "videos": [{"uuid": "$uuid2", "dir": "$vod", "title": "Chat refused",
                                     "chat": "chat.jsonl"}]},
    "lively": {"id": 4444, "live": {"dir": "$live", "offset": $OFF, "title": "Live with chat",
                                     "chat": "live-chat.jsonl"}}
  },
  "faults": [{"prefix": "/api/v2/channels/4343/messages", "p403": 1}]
}
EOF
kick_start "$T/log.jsonl" --config cfg.json || bail "kickserver did not start"
export TMPDIR=$T

# ---------------------------------------------------------------- the replay
kc-fetch --no-ytdlp --kick-api "$KICK_URL" "https://kick.com/streamer/videos/$uuid" >vod.rec ||
    bail "kc-fetch failed"
is "$(jq -c 'select(.type == "stream") | .kick | [.channel_id, .chatroom_id]' vod.rec)" "[4242,null]" \
    "kc-fetch: the stream record has the channel's id for the chat"
run -i vod.rec kc-chatfeat --chat-log raw.jsonl
is "$RC" 0 "kc-chatfeat on a Kick VOD: exit 0"
is "$ERR" "" "... nothing on stderr"
printf '%s\n' "$OUT" >replay.rec
is "$(jq -r 'select(.type == "stream") | .chat' replay.rec)" kick-replay \
    '... the stream record says "chat": "kick-replay"'
nh=$(jq -s '[.[] | select(.type == "cfeat")] | length' replay.rec)
is "$nh" 120 "... one cfeat record per hop"
pages=$(jq -s '[.[] | select(.path | test("^/api/v2/channels/4242/messages"))] | length' "$KICK_LOG")
cmp_ok "$pages" ">=" 24 "it paged through the replay ($pages pages of 5 s or less)"
run -i vod.rec kc-chatfeat --chat chat.jsonl
is "$(jq -c 'select(.type == "cfeat")' replay.rec)" "$(printf '%s\n' "$OUT" | jq -c 'select(.type == "cfeat")')" \
    "the replay's features are the chat log's, hop for hop"
is "$(jq -s '[.[] | select(.type == "cfeat") | .features.msg_rate] | max > 3' replay.rec)" true \
    "... with the crowd's reactions in them"
is "$(jq -s 'length' raw.jsonl)" "$(jq -s '[.[] | select(.t >= 5)] | length' chat.jsonl)" \
    "--chat-log: every message from --lag on, raw"
is "$(jq -r 'select(.type == "raid") | .user' raw.jsonl | head -1)" raider0 \
    "... with user names and notices"
run -i raw.jsonl kc-chatfeat --chat raw.jsonl vod.rec
is "$RC" 0 "the raw log reads back as a chat log (timestamps placed by the VOD's start)"
unlike "$(cat replay.rec)" "crowd" "the records hold no user names"
unlike "$(cat replay.rec)" "KEKW" "... and no message texts"

# the replay's features through kc-score: the chat's own highlights are
# the three reactions, not the raid or the gift train
kc-audiofeat <replay.rec | kc-videofeat >feat.rec || bail "feature filters failed"
run kc-score --no-model -t chat -d 15 -g 2 --max-chat-clips 3 feat.rec
is "$RC" 0 "kc-score --type chat on the replay's features: exit 0"
hits=$(printf '%s\n' "$OUT" | jq -s -c --slurpfile tr "$truth" '
    [.[] | select(.type == "highlight") | . as $h
     | $tr[0:3] | map(select(.t0 >= $h.t0 and .t0 < $h.t1)) | length > 0] | map(select(.)) | length')
is "$hits" 3 "... the three chat highlights hold the three events the chat reacted to"

# ---------------------------------------------------------------- refused
run kc-clip -c -o shy --db shy.db -a 1 -v 1 -d 20 --json --no-ytdlp --kick-api "$KICK_URL" \
    "https://kick.com/shy/videos/$uuid2"
is "$RC" 0 "a VOD whose chat answers 403: kc-clip exits 0" || diag "$ERR"
is "$(printf '%s\n' "$OUT" | jq -s '[.[] | select(.type == "clip")] | length')" 2 \
    "... with its audio and video clips"
is "$(printf '%s\n' "$ERR" | grep -ci 'chat')" 1 "... and one line about the chat on stderr"
like "$ERR" "no chat: .*403" "... saying the chat answered 403"
is "$(sqlite3 shy.db 'select count(*) from clips')" 2 "the clips are in the database"
cmp_ok "$(jq -s '[.[] | select(.path | test("^/api/v2/channels/4343/messages"))] | length' "$KICK_LOG")" \
    ">=" 1 "the chat was asked for"

# ---------------------------------------------------------------- live
# The channel airs the stream from 30 s in, as 2 s segments in real time;
# its chat comes over the WebSocket, which the server drops 25 s after
# the subscription.  A watcher notes when each clip file appears.
realtime_lock
now() { date +%s.%N; }
state() { curl -s --noproxy '*' --max-time 5 "$KICK_URL/_kc/state" |
    jq -r --arg p "$1" '.live[] | select(.prefix == $p) | .'"$2"; }
mkdir -p lclips
(
	seen=
	while :; do
		for c in lclips/*.mp4; do
			[ -e "$c" ] || continue
			case " $seen " in *" $c "*) continue ;; esac
			seen="$seen $c"
			printf '%s %s\n' "$(now)" "$c" >>appeared
		done
		sleep 0.2
	done
) &
WATCH=$!
KC_PUSHER_URL=ws://${KICK_URL#http://} run kc-clip -c -o lclips --db live.db -d 20 --json --no-ytdlp \
    --kick-api "$KICK_URL" https://kick.com/lively
kill "$WATCH" 2>/dev/null
WATCH=
is "$RC" 0 "a live Kick channel with its chat: kc-clip exits 0 at the end" || diag "$ERR"
printf '%s\n' "$OUT" >live.jsonl
is "$(jq -s -r '[.[] | select(.ws == "subscribe") | .channel] | unique | join(",")' "$KICK_LOG")" \
    chatrooms.4444.v2 "kc-chatfeat subscribed to the channel's chatroom"
is "$(jq -s '[.[] | select(.ws == "subscribe")] | length' "$KICK_LOG")" 2 \
    "... and again after the server dropped the connection"
like "$ERR" "1 dropped and 0 failed connections, made again" "... which it reports"
cmp_ok "$(jq -s '[.[] | select(.ws == "close") | .sent] | add' "$KICK_LOG")" ">" 50 \
    "chat messages came over the WebSocket"
# stream time 0 is the first analysis segment kc-fetch took (2 s each)
i0=$(jq -r 'select(.path | test("^/live/lively/160p30/[0-9]+\\.ts$")) | .path' "$KICK_LOG" |
    head -1 | sed 's/.*\/\([0-9]*\)\.ts$/\1/')
sh=$((2 * i0))
started=$(state /live/lively started)
# the explosion at 71-79 s, which the chat reacted to: its audio clip
c=$(jq -c --argjson sh "$sh" 'select(.type == "clip" and .kind == "audio" and
    .t0 + $sh <= 71 and .t1 + $sh > 71)' live.jsonl | head -1)
like "$c" '"type":"clip"' "a live audio clip holds the explosion the chat reacted to" ||
    diag "$(cat live.jsonl)"
p=$(jq -r .path <<<"$c")
is "$(jq -s '[.[] | select(.type == "clip") | .features.msg_rate_z != null] | all' live.jsonl)" true \
    "... and the live clips' features hold the chat's"
appeared_t=$(awk -v b="${p##*/}" '$2 ~ "/" b "$" { print $1; exit }' appeared)
# its last second is in the playlist once the 2 s segment holding it is
last=$(jq -r --argjson sh "$sh" '(.t1 + $sh) / 2 | ceil * 2' <<<"$c")
lat=$(awk -v a="$appeared_t" -v s="$started" -v o="$OFF" -v e="$last" 'BEGIN { printf "%.1f", a - (s + e - o) }')
diag "the explosion's clip (source $(jq -c --argjson sh "$sh" '[.t0 + $sh, .t1 + $sh]' <<<"$c")): its last segment aired at ${last}s, the file appeared ${lat}s later"
cmp_ok "$lat" "<=" 20 "the clip file exists within 20 s after its last second aired (${lat}s)"

done_testing
