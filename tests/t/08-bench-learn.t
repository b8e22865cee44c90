#!/bin/bash
# 08-bench-learn.t - the learning evaluation's judge (bench/learn-eval,
# issue 11) on hand-made input: its rater gives the stars the tests' own
# rater (tests/lib/rater.jq) gives, and the top 8's liked share and
# NDCG@8 are what they should be by hand, a top 8 with neither liked nor
# disliked events included.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

need jq python3
L=$KC_ROOT/bench/learn-eval
cd "$T" || bail "cannot cd to $T"

cat >truth.jsonl <<'TRUTH'
{"kind":"audio","type":"shout","t0":100,"t1":110}
{"kind":"video","type":"flash","t0":150,"t1":158}
{"kind":"audio","type":"music","t0":200,"t1":216}
{"kind":"video","type":"cuts","t0":300,"t1":310}
{"kind":"none","type":"talk","fools":"audio","t0":400,"t1":420}
{"kind":"audio","type":"shout","t0":500,"t1":510}
TRUTH
hl() {	# T0 SCORE : a 12 s highlight
	printf '{"type":"highlight","kind":"audio","t0":%s,"t1":%s,"score":%s}\n' "$1" "$(($1 + 12))" "$2"
}
# by score: shout (liked: 5), cuts (disliked: 1), half of music (shown:
# 5), nothing (3), half of flash (shown, neither liked nor disliked: 3),
# the talk non-event (3), shout again (5), music's last 2 s only (not
# shown: 3); the ninth is not judged
{
	hl 99 0.9	# shout 100-110 inside
	hl 298 0.8	# cuts 300-310 inside
	hl 196 0.7	# music 200-216: 200-208, exactly half
	hl 600 0.6	# nothing
	hl 142 0.5	# flash 150-158: 150-154, half
	hl 405 0.4	# talk: not an event
	hl 499 0.3	# shout
	hl 214 0.2	# music 214-216 only
	hl 100 0.1	# a ninth: not in the top 8
} >hl.jsonl
run python3 "$L" judge --truth truth.jsonl --like shout,music --dislike cuts,horn hl.jsonl
is "$RC" 0 "learn-eval judge: exit 0" || diag "$ERR"
want=$(jq -r -s --slurpfile ev truth.jsonl 'include "rater" {search: "'"$KC_ROOT"'/tests/lib"};
    sort_by(-.score) | .[:8] | map(stars($ev; ["shout","music"]; ["cuts","horn"]) | tostring) | join("")' hl.jsonl)
is "$(jq -r .stars <<<"$OUT")" "$want" "its stars are the tests' rater's ($want)"
is "$(jq -r .stars <<<"$OUT")" "51533353" "... which are, by hand, 5 1 5 3 3 3 5 3"
# liked 3, disliked 1: 3 / 4
is "$(jq -r .share <<<"$OUT")" 0.75 "liked share: liked / (liked + disliked) = 3/4"
# NDCG@8: gains 15 0 15 3 3 3 15 3 (2^(s-1) - 1), ideal 8 x 15
ndcg=$(awk 'BEGIN { split("15 0 15 3 3 3 15 3", g, " "); for (i = 1; i <= 8; i++) {
	d += g[i] / (log(i + 1) / log(2)); id += 15 / (log(i + 1) / log(2)) }; printf "%.4f", d / id }')
is "$(jq -r '.ndcg' <<<"$OUT" | awk '{ printf "%.4f", $1 }')" "$ndcg" "NDCG@8 by hand: $ndcg"
run python3 "$L" judge --truth truth.jsonl --like horn --dislike speech hl.jsonl
is "$(jq -c '[.share, .stars]' <<<"$OUT")" '[null,"33333333"]' \
    "a top 8 with neither liked nor disliked events: no share (the report counts it 0.5)"

# bench/chat-eval simulate: the chat bench/quality --chat gives a stream
C=$KC_ROOT/bench/chat-eval
printf '%s\n' '{"t0":100,"t1":103,"kind":"audio","type":"shout"}' \
    '{"t0":200,"t1":203,"kind":"video","type":"flash"}' \
    '{"t0":300,"t1":303,"kind":"none","type":"talk"}' >ev.jsonl
run python3 "$C" simulate s1 ev.jsonl 600
is "$RC" 0 "chat-eval simulate: exit 0" || diag "$ERR"
printf '%s\n' "$OUT" >chat.jsonl
is "$(jq -s '[.[].t] | . == sort' chat.jsonl)" true "... messages in time order"
cmp_ok "$(jq -s length chat.jsonl)" ">" 300 "... ordinary chat all along"
run python3 "$C" simulate s1 ev.jsonl 600
is "$(printf '%s\n' "$OUT" | md5sum)" "$(md5sum <chat.jsonl)" "... the same again (seeded by the name)"
cmp_ok "$(jq -s '[.[] | select(.user | startswith("raider"))] | length' chat.jsonl)" ">" 20 \
    "... with a raid"
is "$(jq -s '[.[] | select(.type == "gift")] | length > 10' chat.jsonl)" true "... and a gift train"

done_testing
