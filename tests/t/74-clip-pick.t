#!/bin/bash
# 74-clip-pick.t - analyse, pick, cut: "kc-clip --json" writes the stream
# record with the highlights, and "kc-clip --from-highlights FILE" cuts a
# chosen few of them, their windows moved, into clips and database rows
# without analysing again (run from a bin folder that has no analysis
# stage at all).  Reruns store nothing twice; every kind of bad file is
# refused before anything is cut, with one line naming the problem.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"

need ffmpeg ffprobe jq sqlite3
for p in kc-clip kc-fetch kc-audiofeat kc-videofeat kc-score kc-cut kc-db; do
	[ -x "$KC_BIN/$p" ] || skip_all "$p not built"
done
unset KC_DB KC_MODEL
cd "$T" || bail "cannot cd to $T"
T=$(pwd -P)

f=$(media short -d 120 -n 3 --size 320x180 --preset ultrafast) ||
    bail "cannot generate the test stream"
rows() { if [ -e "$1" ]; then sqlite3 "$1" 'SELECT count(*) FROM clips'; else echo 0; fi; }
fdur() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }

# --- analyse: the stream record comes first ----------------------------------
run kc-clip --json -q -a 3 -v 3 -d 10 -g 2 --no-config "$f"
is "$RC" 0 "analyse: exit 0"
printf '%s\n' "$OUT" >an.jsonl
is "$(jq -r .type an.jsonl | uniq | paste -sd' ')" "stream highlight" \
    "analyse: --json writes the stream record, then the highlights"
nh=$(jq -s 'map(select(.type == "highlight")) | length' an.jsonl)
cmp_ok "$nh" ">=" 4 "analyse: at least 4 highlights to pick from"
is "$(jq -r 'select(.type == "stream") | .cut' an.jsonl)" "file:$f" \
    "analyse: the stream record names the file to cut"

# --- pick 3, move their windows ---------------------------------------------
# the 1st, 2nd and 4th highlight in the file; starts 2 s later, ends 1 s
# earlier
jq -c 'select(.type == "stream")' an.jsonl >pick.jsonl
jq -c 'select(.type == "highlight")' an.jsonl | sed -n '1p;2p;4p' |
    jq -c '.t0 += 2 | .t1 -= 1' >>pick.jsonl
want=$(jq -r 'select(.type == "highlight") | "\(.t0) \(.t1)"' pick.jsonl | sort -n | paste -sd, -)
[ -n "$want" ] || bail "no highlights picked"
# a bin folder with the cutting stages only: nothing can be analysed
mkdir -p cutbin
cp "$KC_BIN/kc-clip" "$KC_BIN/kc-cut" "$KC_BIN/kc-db" cutbin/
# (kc-clip's highlights.jq, found beside the bin folder as kc_datafile
# looks for it: ../share/kc, ../data, ../../data, ../scripts, ../../scripts)
for d in data scripts share; do
	for up in .. ../..; do
		if [ -d "$KC_BIN/$up/$d" ]; then
			ln -sfn "$(cd "$KC_BIN/$up/$d" && pwd)" "$d"
			break
		fi
	done
done
ok "the cutting stages' folder has highlights.jq beside it" \
    test -n "$(ls data/highlights.jq scripts/highlights.jq share/kc/highlights.jq 2>/dev/null)"
run env PATH="$T/cutbin:/usr/bin:/bin" "$T/cutbin/kc-clip" --from-highlights pick.jsonl \
    --db "$T/k.db" --out "$T/clips" --json
is "$RC" 0 "from-highlights: exit 0" || diag "$(cat "$T/err")"
printf '%s\n' "$OUT" >cut.jsonl
is "$(jq -r .type cut.jsonl | uniq | paste -sd' ')" "stream clip" \
    "from-highlights --json: the stream record, then the clips"
is "$(rows k.db)" 3 "from-highlights: 3 rows, one per picked highlight"
is "$(sqlite3 k.db "SELECT printf('%g %g', want_t0, want_t1) FROM clips ORDER BY want_t0" | paste -sd, -)" "$want" \
    "from-highlights: each row holds its moved window"
n=0
for c in $(jq -r 'select(.type == "clip") | .path' cut.jsonl); do
	[ -s "$c" ] && [ "$(printf '%.0f' "$(fdur "$c")")" -ge 5 ] && n=$((n + 1))
done
is "$n" 3 "from-highlights: 3 clip files of the moved windows' length"
is "$(sqlite3 k.db 'SELECT count(*) FROM streams WHERE title IS NOT NULL')" 1 \
    "from-highlights: the stream row from the file's stream record"
ok "from-highlights: the highlights JSON written" test -n "$(ls clips/highlights_*.json 2>/dev/null)"
like "$(cat "$T/err")" "3 clips of the 3 highlights in pick.jsonl" \
    "from-highlights: the summary counts the picked highlights"

# again: nothing stored twice, no new file
ls clips | sort >ls1
run env PATH="$T/cutbin:/usr/bin:/bin" "$T/cutbin/kc-clip" --from-highlights pick.jsonl \
    --db "$T/k.db" --out "$T/clips" -q
is "$RC" 0 "from-highlights again: exit 0"
is "$(rows k.db)" 3 "from-highlights again: no new row"
is "$(ls clips | grep -vc '^highlights_')" "$(grep -vc '^highlights_' ls1)" \
    "from-highlights again: no new clip file"

# from stdin, another highlight
{ jq -c 'select(.type == "stream")' an.jsonl
  jq -c 'select(.type == "highlight")' an.jsonl | sed -n 3p; } >third.jsonl
run -i third.jsonl kc-clip --from-highlights - --db "$T/k.db" --out "$T/clips" -q
is "$RC" 0 "from-highlights - (stdin): exit 0"
is "$(rows k.db)" 4 "from-highlights -: its one highlight stored"

# --- bad files: refused before anything is cut -------------------------------
bad() {	# name, expected message, file
	run kc-clip --from-highlights "$3" --db "$T/bad.db" --out "$T/badclips"
	is "$RC" 1 "$1: exit 1"
	like "$ERR" "$2" "$1: says why"
	is "$(rows bad.db)" 0 "$1: nothing stored"
	is "$(ls badclips 2>/dev/null | wc -l)" 0 "$1: nothing cut"
}
bad "a missing file" "--from-highlights: nofile.jsonl: No such file" nofile.jsonl
jq -c 'select(.type == "highlight")' an.jsonl >nostream.jsonl
bad "highlights without a stream record" "nostream.jsonl:1: a highlight before the stream record" nostream.jsonl
jq -c 'select(.type == "stream")' an.jsonl >nohl.jsonl
bad "a stream record without highlights" "nohl.jsonl: no highlight records: nothing to cut" nohl.jsonl
: >empty.jsonl
bad "an empty file" "empty.jsonl: no stream record" empty.jsonl
{ jq -c 'select(.type == "stream") | .live = true' an.jsonl
  jq -c 'select(.type == "highlight")' an.jsonl | head -1; } >live.jsonl
bad "a live stream's highlights" "live.jsonl:1: .* is a live stream" live.jsonl
{ jq -c 'select(.type == "stream")' an.jsonl
  jq -c 'select(.type == "highlight") | .t1 = .t0 - 5' an.jsonl | head -1; } >backwards.jsonl
bad "a highlight that ends before it starts" "backwards.jsonl:2: highlight: " backwards.jsonl
{ jq -c 'select(.type == "stream")' an.jsonl
  jq -c 'select(.type == "stream")' an.jsonl; } >twostreams.jsonl
bad "two stream records" "twostreams.jsonl:2: a second stream record" twostreams.jsonl
{ jq -c 'select(.type == "stream")' an.jsonl; echo '{"type":"highlight",'; } >torn.jsonl
bad "a torn line" "torn.jsonl:2: " torn.jsonl

run kc-clip --from-highlights pick.jsonl "$f"
is "$RC" 2 "--from-highlights with a SOURCE: usage error"
like "$ERR" "takes no SOURCE" "--from-highlights with a SOURCE: says why"
run kc-clip --format square "$f"
is "$RC" 2 "--format square: usage error"
like "$ERR" "--format: 'square': want landscape or vertical" "--format square: names the formats"
run kc-clip --vertical fit "$f"
is "$RC" 2 "--vertical without --format vertical: usage error"

done_testing
