#!/bin/bash
# 24-genchat.t - the synthetic chat of a generated stream (kc-genstream
# --chat, scripts/kc-genchat), checked in the log itself: a 300 s stream
# with 4 events, small and silent (seed 7: the chat reacts to 3 of them).
# The log must be JSON Lines in time order; laughter, hype and "clip it"
# only 2-15 s after the onsets of the events --chat-reactions says got a
# reaction, and none after the other; a raid, a giveaway, a gift train
# and off-topic chatter, each 20 s or more from every onset; an ordinary
# rate that drifts (over 30 minutes of chat of the same truth); the same
# seed the same log, another seed another; --lag-shift moving every
# reaction; kc-chatfeat reading it; bad input failing the documented way.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

need ffmpeg jq python3 kc-fetch kc-chatfeat

G=$KC_ROOT/scripts/kc-genstream
C=$KC_ROOT/scripts/kc-genchat
cd "$T" || bail "cannot cd to $T"

run "$G" -d 300 -n 4 -t pan,cuts,flash --calm-audio silence --size 160x90 --fps 5 \
    --preset ultrafast --seed 7 --chat chat.jsonl --chat-reactions react.jsonl s.mp4
is "$RC" 0 "kc-genstream --chat --chat-reactions: exit 0" || bail "no stream: $ERR"
unlike "$ERR" "left out" "... every chat event found room"

# --- the log ------------------------------------------------------------------
is "$(jq -c . chat.jsonl | wc -l)" "$(wc -l <chat.jsonl)" "one JSON value a line"
is "$(jq -s '[.[] | select(type == "object" and (.t | type) == "number"
    and (.user | type) == "string" and (.text | type) == "string"
    and ((.type // "") | type) == "string")] | length' chat.jsonl)" "$(wc -l <chat.jsonl)" \
    "... each a message: a number t, a string user and text, maybe a type"
is "$(jq -s '[.[].t] | . == sort' chat.jsonl)" true "... in time order"
cmp_ok "$(jq -s length chat.jsonl)" ">" 150 "... ordinary chat all along ($(jq -s length chat.jsonl))"

# --- the reactions -------------------------------------------------------------
is "$(jq -c 'select(has("burst") | not) | [.t, .kind, .type]' react.jsonl)" \
    "$(jq -c '[.t0, .kind, .type]' s.truth.jsonl)" \
    "the reactions file lists the truth's events, in order"
reacted=$(jq -s '[.[] | select(.reacted == true)] | length' react.jsonl)
cmp_ok "$reacted" ">=" 1 "the chat reacts to some events ($reacted)"
cmp_ok "$(jq -s '[.[] | select(.reacted == false)] | length' react.jsonl)" ">=" 1 \
    "... and not to every one"
is "$(jq -s 'map(select(.reacted) | .react_t - .t | . >= 2 and . <= 15) | all' react.jsonl)" \
    true "each reaction starts 2-15 s after the onset, says the file"

# check.py CHAT REACT TRUTH [SHIFT]: what the log itself says, one line a
# check.  A reaction message is laughter, hype, an emote or "clip it";
# each event's window runs from its onset to the next's (30 s at most).
cat >check.py <<'EOF'
import json, re, sys
chat = [json.loads(l) for l in open(sys.argv[1])]
said = [json.loads(l) for l in open(sys.argv[2])]
onsets = [json.loads(l)["t0"] for l in open(sys.argv[3])]
shift = float(sys.argv[4]) if len(sys.argv) > 4 else 0
REACT = re.compile(r"^(KEKW|CLIP IT|OMEGALUL|W|POG|LMAO|NO WAY|clip that|HOLY|LETS GOOO)$"
                   r"|\[emote:|\U0001F602")
react = [m["t"] for m in chat if REACT.search(m["text"])]
bad, inwin = [], 0
for i, e in enumerate(s for s in said if "burst" not in s):
    end = min(e["t"] + 30, onsets[i + 1] if i + 1 < len(onsets) else 1e9)
    ts = [t for t in react if e["t"] <= t < end]
    inwin += len(ts)
    if e["reacted"] and not (len(ts) >= 5 and e["t"] + 2 + shift <= ts[0] <= e["t"] + 15 + shift):
        bad.append("%g: %d messages from %s" % (e["t"], len(ts), ts[:1]))
    if not e["reacted"] and ts:
        bad.append("%g (no reaction): %d messages from %s" % (e["t"], len(ts), ts[0]))
print("windows", "; ".join(bad) or "ok")
print("outside", len(react) - inwin)
# the chat events: the messages that show them, and their distance to onsets
kinds = {"raid": lambda m: m["user"].startswith("raider"),
         "giveaway": lambda m: m["text"] == "!join" or m["user"] == "Botrix",
         "gift-train": lambda m: m.get("type") == "gift"}
for k, f in kinds.items():
    ts = [m["t"] for m in chat if f(m)]
    print(k, len(ts), round(min([abs(t - o) for t in ts for o in onsets], default=-1), 2))
# the off-topic chatter: its span (from the file), and its ordinary
# messages' rate there against the whole log's
talk = [s for s in said if s.get("burst") == "talk"][0]
ordinary = [m["t"] for m in chat if m["user"].startswith("regular") and not REACT.search(m["text"])]
n = sum(1 for t in ordinary if talk["t0"] <= t <= talk["t1"])
def away(a, b, o):	# how far o is from [a, b]
    return a - o if o < a else o - b if o > b else 0
print("talk", round(min(away(talk["t0"], talk["t1"], o) for o in onsets), 2),
      "%.2f" % (n / (talk["t1"] - talk["t0"]) / (len(ordinary) / max(ordinary))))
EOF
check() { python3 check.py "$@" | sed -n "s/^$K //p"; }
set -- chat.jsonl react.jsonl s.truth.jsonl
K=windows; is "$(check "$@")" ok \
    "the log: a reaction 2-15 s after each onset said reacted to, none after the other"
K=outside; is "$(check "$@")" 0 "... and none anywhere else"
for K in raid giveaway gift-train; do
	read -r n near <<<"$(check "$@")"
	cmp_ok "$n" ">=" 5 "a $K in the log ($n messages)"
	cmp_ok "$near" ">=" 20 "... $near s or more from every onset (>= 20)"
done
K=talk; read -r near ratio <<<"$(check "$@")"
cmp_ok "$near" ">=" 20 "off-topic chatter $near s or more from every onset (>= 20)"
cmp_ok "$ratio" ">" 2 "... $ratio times the log's ordinary rate"

# the ordinary rate drifts over minutes: over 30 minutes of chat of the
# same truth, the regulars' rate (outside the chatter burst) per third
"$C" --seed 7 --reactions r1800.jsonl s.truth.jsonl 1800 >c1800.jsonl
thirds=$(jq -n -c --slurpfile c c1800.jsonl --slurpfile r r1800.jsonl '
    ($r[] | select(.burst == "talk")) as $b |
    [$c[] | select((.user | startswith("regular")) and (.t < $b.t0 or .t > $b.t1))
     | .t / 600 | floor | select(. < 3)] | group_by(.) | map(length)')
ratio=$(jq -n "$thirds | max / min")
cmp_ok "$ratio" ">" 1.25 "the ordinary rate drifts: per 10 minutes $thirds (max / min $ratio)"

# --- seeds and the lag ---------------------------------------------------------
run "$C" --seed 7 --reactions r2.jsonl s.truth.jsonl 300
is "$(printf '%s\n' "$OUT" | md5sum)" "$(md5sum <chat.jsonl)" \
    "kc-genchat --seed 7 gives kc-genstream --seed 7's log again"
is "$(md5sum <r2.jsonl)" "$(md5sum <react.jsonl)" "... and its reactions file"
run "$C" --seed 8 s.truth.jsonl 300
isnt "$(printf '%s\n' "$OUT" | md5sum)" "$(md5sum <chat.jsonl)" "--seed 8: another log"

"$C" --seed 7 --lag-shift 4 --reactions r4.jsonl s.truth.jsonl 300 >c4.jsonl
is "$(jq -s -r --slurpfile a react.jsonl '[., $a] | transpose | map(select(.[0].reacted)
    | .[0].react_t - .[1].react_t | . > 3.99 and . < 4.01) | [length, all] | @text' r4.jsonl)" \
    "[$reacted,true]" "--lag-shift 4: every reaction starts 4 s later"
K=windows; is "$(check c4.jsonl r4.jsonl s.truth.jsonl 4)" ok \
    "... in the log: 6-19 s after the onset"

# --- kc-chatfeat -----------------------------------------------------------------
kc-fetch s.mp4 >f.jsonl || bail "kc-fetch failed"
run -i f.jsonl kc-chatfeat --chat chat.jsonl
is "$RC" 0 "kc-chatfeat reads the log: exit 0"
is "$ERR" "" "... nothing on stderr"
is "$(jq -s '[.[] | select(.type == "cfeat")] | length' "$T/out")" 300 "... one cfeat a hop"

# --- bad input ------------------------------------------------------------------
# events every 30 s leave the chat events no room 20 s from every onset
jq -n -c 'range(1; 10) | {kind: "audio", type: "shout", t0: (. * 30), t1: (. * 30 + 8)}' >dense.jsonl
run "$C" --reactions rd.jsonl dense.jsonl 300
is "$RC" 0 "no room for the chat events: exit 0"
like "$ERR" "no room for the raid 20 s from every event's onset" "... with a warning"
is "$(jq -s '[.[] | select(.user | startswith("raider"))] | length' "$T/out")" 0 "... and no raid"
is "$(jq -s '[.[] | select(.burst)] | length' rd.jsonl)" 0 "... nor any other chat event"
run "$C" none.jsonl 300
is "$RC" 1 "a missing truth file: exit 1"
like "$ERR" "none.jsonl" "... named"
printf '{"t0": 5}\nnot json\n' >bad.jsonl
run "$C" bad.jsonl 300
is "$RC" 1 "a truth line that is not JSON: exit 1"
like "$ERR" "bad.jsonl:2" "... naming the file and line"
run "$C" --lag-shift 60 s.truth.jsonl 300
is "$RC" 2 "--lag-shift 60: usage error"
run "$C" s.truth.jsonl 5m
is "$RC" 2 "SECONDS 5m: usage error"
run "$G" --chat-reactions r.jsonl x.mp4
is "$RC" 2 "kc-genstream --chat-reactions without --chat: usage error"

done_testing
