#!/bin/bash
# 25-chatfeat.t - kc-chatfeat on a generated 60 s stream and a chat log
# written here: ordinary chat at about one message a second, a crowd of
# 25 chatters laughing and asking for a clip at 34-38 s (the reaction to
# something at about 30 s), and bursts that follow nothing on screen: one
# chatter spamming at 12-14 s, a raid flood with a bot and a giveaway at
# 48-51 s.  The reaction must land on the hops before it (--lag), the
# non-events must not look like it, records pass through byte for byte,
# wall-clock logs agree with stream-time ones, the converters read their
# sample files, and bad logs fail the documented way.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

need ffmpeg jq kc-fetch kc-chatfeat kc-audiofeat kc-videofeat kc-score kc-clip kc-cut kc-db

ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc2=s=160x90:r=10:d=60" \
    -f lavfi -i "sine=d=60" -c:v mpeg4 -c:a aac -shortest "$T/s.mp4" ||
    bail "cannot generate test media"
kc-fetch "$T/s.mp4" >"$T/f" || bail "kc-fetch failed"

# the chat log: t, user, text (jq builds the lines)
jq -n -c '
  ([range(0; 60)] | map({t: (. + 0.3), user: "regular\(. % 7)",
     text: (["hi", "nice", "what game is this", "gg", "ok"][. % 5])})),
  ([range(0; 25)] | map({t: (34 + . * 0.16), user: "crowd\(.)",
     text: (["KEKW", "[emote:37226:KEKW] [emote:37226:KEKW]", "CLIP IT",
             "LMAO", "OMEGALUL"][. % 5])})),
  ([range(0; 20)] | map({t: (12 + . * 0.1), user: "spammer",
     text: "KEKW KEKW KEKW"})),
  ([range(0; 30)] | map({t: (48 + . * 0.1), user: "raider\(.)",
     text: "RAID HYPE"})),
  ([range(0; 15)] | map({t: (48.05 + . * 0.2), user: "Botrix",
     text: "Type !join for the giveaway"})),
  ([range(0; 15)] | map({t: (48.1 + . * 0.2), user: "viewer\(.)",
     text: "!join"}))
  | .[]' >"$T/chat.jsonl"

cf() { jq -c 'select(.type == "cfeat")' "$T/out"; }
at() { jq -s -r --argjson t "$1" "map(select(.t == \$t))[0].features.$2" "$T/cf"; }

run -i "$T/f" kc-chatfeat --chat "$T/chat.jsonl"
is "$RC" 0 "exit 0"
is "$ERR" "" "nothing on stderr"
cf >"$T/cf"
is "$(jq -s -c '[.[].t]' "$T/cf")" "$(jq -n -c '[range(0;60)]')" \
    "one cfeat per hop, t = 0..59"
is "$(jq -s -c '[.[].features | keys] | unique' "$T/cf")" \
    '[["caps_ratio","chatter_rate","clip_share","emote_share","hype_share","laugh_share","mean_len","msg_rate","noise_share","repeat_share"]]' \
    "every hop has the 10 features of docs/records.md"
is "$(grep -v '"type":"cfeat"' "$T/out" | grep -v '"type":"stream"')" \
    "$(grep -v '"type":"stream"' "$T/f")" \
    "every other record passes through byte for byte"
is "$(jq -c 'select(.type == "stream") | del(.chat)' "$T/out")" \
    "$(jq -c 'select(.type == "stream")' "$T/f")" \
    "... and the stream record gets only \"chat\""
is "$(jq -r 'select(.type == "stream") | .chat' "$T/out")" file \
    '... which says "file"' 

# the reaction at 34-38 s lands on the hops before it: [t + 5, t + 10)
peak=$(jq -s -r 'max_by(.features.msg_rate) | .t' "$T/cf")
cmp_ok "$peak" ">=" 25 "the busiest hop is the reaction's (t = $peak, >= 25)"
cmp_ok "$peak" "<=" 33 "... not after it (<= 33)"
cmp_ok "$(at 29 msg_rate)" ">" 3 "hop 29: more than 3 messages a second"
cmp_ok "$(at 29 laugh_share)" ">" 0.5 "hop 29: mostly laughter"
cmp_ok "$(at 29 clip_share)" ">" 0.1 "hop 29: clip calls"
cmp_ok "$(at 29 emote_share)" ">" 0.1 "hop 29: emotes"
cmp_ok "$(at 29 chatter_rate)" ">" 3 "hop 29: many chatters"
cmp_ok "$(at 5 msg_rate)" "<" 1.5 "hop 5: ordinary chat"
# the non-events: a spammer (hops 3-9 see 12-14 s), a raid, a bot and a
# giveaway (hops 39-46 see 48-51 s) stay near the ordinary rate
spam=$(jq -s '[.[] | select(.t >= 3 and .t <= 8) | .features.msg_rate] | max' "$T/cf")
raid=$(jq -s '[.[] | select(.t >= 39 and .t <= 45) | .features.msg_rate] | max' "$T/cf")
cmp_ok "$spam" "<" 2 "one chatter's spam stays under 2 messages a second ($spam)"
cmp_ok "$raid" "<" 2 "a raid flood, a bot and a giveaway stay under 2 ($raid)"
cmp_ok "$(jq -n "$(at 29 msg_rate) / $raid")" ">" 2 \
    "the reaction is more than twice any non-event"
cmp_ok "$(at 42 noise_share)" ">" 0.8 "hop 42: mostly noise, and says so"

# --lag 0: the same reaction five hops later
run -i "$T/f" kc-chatfeat --lag 0 --chat "$T/chat.jsonl"
cf >"$T/cf0"
is "$(jq -s -r 'max_by(.features.msg_rate) | .t' "$T/cf0")" "$((peak + 5))" \
    "--lag 0 moves the peak 5 hops later"

# wall-clock timestamps with --chat-start give the same features
jq -c '.t as $t | {timestamp: ((1767225600 + $t | floor | strftime("%Y-%m-%dT%H:%M:%S"))
    + ".\(($t * 1000 | round) % 1000 + 1000 | tostring | .[1:])Z"), user, text}' \
    "$T/chat.jsonl" >"$T/wall.jsonl"
run -i "$T/f" kc-chatfeat --chat "$T/wall.jsonl" --chat-start 2026-01-01T00:00:00Z
is "$RC" 0 "timestamp log: exit 0"
is "$(cf | md5sum)" "$(md5sum <"$T/cf")" "timestamp log: the same features"
run -i "$T/f" kc-chatfeat --chat "$T/wall.jsonl" --chat-start 1767225600
is "$(cf | md5sum)" "$(md5sum <"$T/cf")" "--chat-start in Unix seconds: the same"
run -i "$T/f" kc-chatfeat --chat "$T/wall.jsonl"
is "$RC" 1 "timestamp log without a start: exit 1"
like "$ERR" "chat-start" "... which names --chat-start"
is "$(jq -r 'select(.type == "error") | .stage' "$T/out")" kc-chatfeat \
    "... after an error record for the later stages"
run -i "$T/f" kc-chatfeat --chat "$T/wall.jsonl" --chat-start 2020-01-01T00:00:00Z
is "$RC" 0 "a start far from the chat: exit 0"
like "$ERR" "none of the 165 chat messages falls within" "... with a warning"

# bad logs and usage: a line that cannot be used is left out, with one
# warning; a log of which nothing can be read is no chat (one warning,
# "chat_error"); the run goes on either way
{
	cat "$T/chat.jsonl"
	printf '{"t": 2, "user": "b", "text": 5}\n{"user": "a", "text": "no time"}\n'
	printf '{"t": -3, "user": "c", "text": "before the stream"}\n'
	printf '{"t": 4, "user": "d", "text": "cut sh'
} >"$T/bad.jsonl"
n=$(wc -l <"$T/chat.jsonl")
run -i "$T/f" kc-chatfeat --chat "$T/bad.jsonl"
is "$RC" 0 "a log with bad lines: exit 0"
is "$ERR" "kc-chatfeat: $T/bad.jsonl: 3 lines not used (the first, $T/bad.jsonl:$((n + 1)): \"text\" is not a string); the chat is read without them" \
    "... one warning: how many, the first with its line and reason"
is "$(cf | md5sum)" "$(md5sum <"$T/cf")" "... the good lines' features, as without the bad ones"
is "$(jq -r 'select(.type == "stream") | .chat' <<<"$OUT")" file '... "chat": "file"'
printf '{"user": "a", "text": "no time"}\nnot json\n' >"$T/bad.jsonl"
run -i "$T/f" kc-chatfeat --chat "$T/bad.jsonl"
is "$RC" 0 "a log with no usable line: exit 0"
like "$ERR" "no chat: $T/bad.jsonl: no message could be read \\(2 lines; the first, $T/bad.jsonl:1: a message needs \"t\"" \
    "... one warning saying why, naming the first line"
is "$(grep -c '"type":"cfeat"' <<<"$OUT")" 0 "... no cfeat records"
is "$(jq -r 'select(.type == "stream") | "\(.chat) \(.chat_error | test("no message could be read"))"' <<<"$OUT")" \
    "none true" '... "chat": "none" and "chat_error" in the stream record'
run -i "$T/f" kc-chatfeat --chat "$T/none.jsonl"
is "$RC" 1 "a missing log: exit 1"
like "$ERR" "none.jsonl" "... named"
run -i "$T/f" kc-chatfeat
is "$RC" 0 "no --chat and a stream without Kick's chat: exit 0"
is "$(grep -c '"type":"cfeat"' <<<"$OUT")" 0 "... no cfeat records"
is "$(jq -r 'select(.type == "stream") | .chat' <<<"$OUT")" none \
    '... and the stream record says "chat": "none"'
run -i "$T/f" kc-chatfeat --chat "$T/chat.jsonl" --chat-log "$T/raw.jsonl"
is "$RC" 2 "--chat-log with --chat: usage error"
run -i "$T/f" kc-chatfeat --chat "$T/chat.jsonl" --lag 61
is "$RC" 2 "--lag 61: usage error"
run kc-chatfeat --help
is "$RC" 0 "--help: exit 0"
like "$OUT" "kick-replay" "--help says where the chat comes from"
like "$OUT" "no proxy" "... and that the WebSocket has no proxy"

# downstream: kc-audiofeat passes cfeat through, kc-score reads them.
# Audio for it: a quiet tone with two alike bursts of noise, at 8-11 s
# and at 28-31 s; the chat reacts to the second (its hops 25-33).
ffmpeg -nostdin -loglevel error -y -f lavfi -i "sine=d=60:f=300,volume=0.05" \
    -f lavfi -i "anoisesrc=d=3:c=white:a=0.5" -f lavfi -i "anoisesrc=d=3:c=white:a=0.5" \
    -filter_complex "[1]adelay=8000:all=1[b];[2]adelay=28000:all=1[c];[0][b][c]amix=inputs=3:duration=first:normalize=0[a]" \
    -map "[a]" -c:a aac "$T/bursts.m4a" || bail "cannot generate bursts.m4a"
kc-fetch "$T/bursts.m4a" | kc-chatfeat --chat "$T/chat.jsonl" | kc-audiofeat >"$T/withchat"
is "$(jq -c 'select(.type == "cfeat")' "$T/withchat" | wc -l)" 60 \
    "kc-audiofeat passes the cfeat records through"
run kc-score --no-model -t audio -d 10 -g 2 -a 2 "$T/withchat"
is "$RC" 0 "kc-score with the chat: exit 0"
is "$(printf '%s\n' "$OUT" | jq -c 'select(.type == "cfeat")' | wc -l)" 0 \
    "... which it reads (they go no further)"
like "$(printf '%s\n' "$OUT" | jq -c 'select(.type == "highlight") | .features | keys')" \
    '"msg_rate_z"' "... and gives the highlights the chat's z features"
best() { printf '%s\n' "$OUT" | jq -s -r '[.[] | select(.type == "highlight")] | max_by(.score) | "\(.t0) \(.score)"'; }
read -r t_with s_with < <(best)
cmp_ok "$t_with" ">=" 19 "with the chat the best burst is the one it reacted to (t0 $t_with)"
cmp_ok "$t_with" "<=" 28 "... (t0 <= 28)"
run kc-score --no-model --no-chat -t audio -d 10 -g 2 -a 2 "$T/withchat"
read -r t_without s_without < <(best)
cmp_ok "$s_with" ">" "$s_without" \
    "the chat lifts the best window's score ($s_without -> $s_with)"
run kc-score --no-model --no-chat -t audio -d 10 -g 2 -a 2 "$T/withchat"
is "$(printf '%s\n' "$OUT" | jq -s -r '[.[] | select(.type == "highlight") | .features.msg_rate_z != null] | all')" \
    true "--no-chat: the chat features are still there"
run kc-score --no-model --chat-weight 6 "$T/withchat"
is "$RC" 2 "--chat-weight 6: usage error"

# the chat's own highlights (--type chat): where the crowd reacted, not
# the spammer's burst (12-14 s) nor the raid and giveaway (48-51 s)
run kc-score --no-model -t chat -d 10 -g 2 --max-chat-clips 1 "$T/withchat"
is "$RC" 0 "--type chat: exit 0"
is "$(printf '%s\n' "$OUT" | jq -s -r '[.[] | select(.type == "highlight")] | map(.kind) | join(",")')" \
    chat "... one highlight, of kind chat"
t_chat=$(printf '%s\n' "$OUT" | jq -s -r '[.[] | select(.type == "highlight")][0].t0')
cmp_ok "$t_chat" ">=" 19 "... holding the event the chat reacted to (t0 $t_chat)"
cmp_ok "$t_chat" "<=" 28 "... (t0 <= 28: the event starts at 28 s)"
run kc-score --no-model -t chat -d 10 -g 2 --max-chat-clips 3 "$T/withchat"
is "$(printf '%s\n' "$OUT" | jq -s -r '[.[] | select(.type == "highlight")] | max_by(.score) | .t0 >= 19 and .t0 <= 28')" \
    true "--max-chat-clips 3: the best of them is still the reaction"
run kc-score --no-model -t all -d 10 -g 2 -a 1 --max-chat-clips 1 "$T/withchat"
is "$(printf '%s\n' "$OUT" | jq -s -r '[.[] | select(.type == "highlight") | .kind] | sort | join(",")')" \
    audio,chat "--type all: audio and chat highlights (this stream has no video)"
run kc-score --no-model -t chat -d 10 "$T/f"
is "$RC" 0 "--type chat without cfeat records: exit 0"
like "$ERR" "no chat features" "... saying there are no chat features"
run kc-score --live -t chat "$T/withchat"
is "$RC" 2 "--live --type chat: usage error (no live chat highlights)"

# the chat's own lag: a 6-minute stream with a burst every minute (at
# 30, 90, ... 330 s) whose chat reacts 13 s after each, 8 s later than
# kc-chatfeat's --lag 5 assumes.  Its cfeat hops are raised from 4 to 11
# s after each burst (a 5 s window from t + 5), so any shift of 3 to 9
# s puts the 3 s burst inside the reaction; the estimate takes the
# smallest of the best
ffmpeg -nostdin -loglevel error -y -f lavfi \
    -i "aevalsrc='0.05*sin(2*PI*300*t)+0.5*(random(0)*2-1)*lt(mod(t-30\,60)\,3)*gte(t\,30)':d=360:s=22050" \
    -c:a aac "$T/minute.m4a" || bail "cannot generate minute.m4a"
jq -n -c '([range(0; 360)] | map({t: (. + 0.5), user: "regular\(. % 9)",
     text: (["hi", "ok", "nice", "gg"][. % 4])})),
  ([range(0; 6)] | map(. as $b | [range(0; 30)] | map({t: (30 + 60 * $b + 13 + . * 0.13),
     user: "crowd\($b)-\(.)", text: "KEKW"})) | add) | .[]' >"$T/late.jsonl"
kc-fetch "$T/minute.m4a" | kc-chatfeat --chat "$T/late.jsonl" | kc-audiofeat >"$T/late.rec"
run kc-score --no-model -t audio -d 10 -g 2 -a 6 "$T/late.rec"
is "$RC" 0 "a late chat: exit 0"
like "$ERR" "reacts \+[3-9] s after kc-chatfeat's lag" "kc-score finds the chat late (+3 to +9 s)"
mean() { printf '%s\n' "$OUT" | jq -s '[.[] | select(.type == "highlight") | .score] | add / length'; }
auto=$(mean)
is "$(printf '%s\n' "$OUT" | jq -s -c '[.[] | select(.type == "highlight") | (.t0 + 3) / 60 | floor]')" \
    "[0,1,2,3,4,5]" "... and the six highlights are the six bursts"
run kc-score --no-model --chat-lag 0 -t audio -d 10 -g 2 -a 6 "$T/late.rec"
unlike "$ERR" "reacts" "--chat-lag 0: no estimate"
cmp_ok "$auto" ">" "$(mean)" "the estimated lag gives the bursts more of the chat ($(mean) -> $auto)"
run kc-score --no-model --chat-lag 61 "$T/late.rec"
is "$RC" 2 "--chat-lag 61: usage error"

# kc-clip passes a chat log on (--chat), or none (--no-chat)
run kc-clip --json -t audio -d 10 -g 2 -a 2 --db "$T/clip.db" --chat "$T/chat.jsonl" "$T/bursts.m4a"
is "$RC" 0 "kc-clip --chat: exit 0"
is "$(printf '%s\n' "$OUT" | jq -s -r '[.[] | select(.type == "highlight") | .features.msg_rate_z != null] | all')" \
    true "... its highlights carry the chat's features"
is "$(printf '%s\n' "$OUT" | jq -s -r '[.[] | select(.type == "highlight")] | max_by(.score) | .t0 >= 19 and .t0 <= 28')" \
    true "... and the best is where the chat reacted"
run kc-clip --json -t audio -d 10 -g 2 -a 2 --db "$T/clip.db" --no-chat "$T/bursts.m4a"
is "$(printf '%s\n' "$OUT" | jq -s -r '[.[] | select(.type == "highlight") | .features.msg_rate_z == null] | all')" \
    true "kc-clip --no-chat: no chat"
run kc-clip -c -q -t audio -d 10 -g 2 -a 2 --out "$T/clips" --db "$T/clip.db" --chat "$T/chat.jsonl" "$T/bursts.m4a"
is "$RC" 0 "kc-clip -c --chat: exit 0"
is "$(kc-db --db "$T/clip.db" list --json | jq -s '[.[] | select(.features.msg_rate_z != null)] | length')" 2 \
    "... the database keeps the clips' chat features (for the model)"
run kc-clip --chat "$T/none.jsonl" "$T/bursts.m4a"
is "$RC" 2 "kc-clip --chat with a missing log: usage error"
run kc-clip --chat-start 0 "$T/bursts.m4a"
is "$RC" 2 "kc-clip --chat-start without --chat: usage error"

# a chat log beside the media file (NAME.chat.jsonl) is used without
# --chat: by kc-clip, so by batch runs and kc-web too
cp "$T/chat.jsonl" "$T/bursts.chat.jsonl"
run kc-clip --json -t audio -d 10 -g 2 -a 2 --db "$T/clip.db" "$T/bursts.m4a"
is "$RC" 0 "kc-clip with a chat log beside the file: exit 0"
like "$ERR" "using the chat log .*bursts.chat.jsonl" "... which it names"
is "$(printf '%s\n' "$OUT" | jq -s -r '[.[] | select(.type == "highlight") | .features.msg_rate_z != null] | all')" \
    true "... and uses"
run kc-clip --json -q -t audio -d 10 -g 2 -a 2 --db "$T/clip.db" "$T/bursts.m4a"
unlike "$ERR" "using the chat log" "... which -q does not say"
is "$(printf '%s\n' "$OUT" | jq -s -r '[.[] | select(.type == "highlight") | .features.msg_rate_z != null] | all')" \
    true "... though it uses it"
run kc-clip --json -t audio -d 10 -g 2 -a 2 --db "$T/clip.db" --no-chat "$T/bursts.m4a"
is "$(printf '%s\n' "$OUT" | jq -s -r '[.[] | select(.type == "highlight") | .features.msg_rate_z == null] | all')" \
    true "... unless --no-chat"
printf '%s\n' "$T/bursts.m4a" >"$T/urls.txt"
make -s -f "$KC_ROOT/scripts/batch.mk" URLS="$T/urls.txt" OUT="$T/batch" DB="$T/batch.db" \
    KC_CLIP="$(command -v kc-clip)" ARGS="-t audio -d 10 -g 2 -a 2" >/dev/null 2>&1
is "$(kc-db --db "$T/batch.db" list --json | jq -s '[.[] | select(.features.msg_rate_z != null)] | length')" 2 \
    "a batch run's clips have the chat beside the file"
rm -f "$T/bursts.chat.jsonl"

# --- the converters -----------------------------------------------------------
D=$KC_ROOT/tests/data/chat
run jq -c -f "$KC_ROOT/scripts/chat-youtube.jq" "$D/youtube.live_chat.json"
is "$RC" 0 "chat-youtube.jq: exit 0"
is "$(printf '%s\n' "$OUT" | jq -s -c 'map([.t, .user, .type])')" \
    '[[1.5,"Alice","message"],[2.3,"Bob","message"],[3.1,"Carol","message"],[4,"Dave","message"],[5.2,"Erin","subscription"],[6,"Frank","gift"],[7.25,"Gina","message"]]' \
    "... messages, a Super Chat, notices; chat before the start and a ticker left out"
like "$OUT" '"text":"\[emote:UCkszU2WH9gy1mb0dV-11UJg/xQwcYZPfO4q8-QP3k4zJAw:yt\] CLIP IT"' \
    "... a custom emoji as an emote token"
like "$OUT" '"text":"LMAO 😂"' "... a standard emoji as itself"
printf '%s\n' "$OUT" >"$T/yt.jsonl"
run -i "$T/f" kc-chatfeat --lag 0 --window 2 --chat "$T/yt.jsonl"
is "$RC" 0 "kc-chatfeat reads it"
cmp_ok "$(cf | jq -s '[.[] | select(.t == 2) | .features.laugh_share] | .[0]')" ">" 0 \
    "... and hears the laughter"
is "$(cf | jq -s '[.[] | select(.t == 5) | .features | .msg_rate, .noise_share] | @csv' -r)" \
    "0,1" "... and counts the notices as noise, not messages"

run jq -c -f "$KC_ROOT/scripts/chat-twitch.jq" "$D/twitch.chat.json"
is "$RC" 0 "chat-twitch.jq: exit 0"
is "$(printf '%s\n' "$OUT" | jq -s -c 'map([.t, .user, .type])')" \
    '[[1,"alice","message"],[3.5,"bob","message"],[4,"nightbot","message"],[6,"carol","sub"],[8.25,"dave","message"]]' \
    "... every comment, a sub notice as one"
like "$OUT" '"text":"\[emote:425618:LUL\] that was funny"' "... emotes as tokens"
printf '%s\n' "$OUT" >"$T/tw.jsonl"
run -i "$T/f" kc-chatfeat --lag 0 --window 1 --chat "$T/tw.jsonl"
is "$(cf | jq -s -c '[.[] | select(.t >= 3 and .t <= 8) | .features.noise_share]')" \
    "[0,1,0,1,0,1]" "... the bot, the sub notice and the command are noise"

done_testing
