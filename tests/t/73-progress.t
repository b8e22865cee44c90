#!/bin/bash
# 73-progress.t - progress people can follow (issue 13, item 6).  With
# stderr in a file (a batch log, not a terminal) kc-clip writes plain
# progress lines, no carriage return: "analysing N%" at each tenth of the
# analysis (or each minute), then "cutting N/M clips" as each clip is cut,
# up to M/M; --quiet and --json-progress (a front end reads the records)
# leave them out.  A resumed run's summary says where it resumed from, and
# its speed counts only the media this run analysed, in this run's time.
# Every wait is on an event, never on the clock.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"

need ffmpeg ffprobe jq sqlite3 awk
for p in kc-clip kc-fetch kc-audiofeat kc-videofeat kc-score kc-cut kc-db; do
	[ -x "$KC_BIN/$p" ] || skip_all "$p not built"
done
unset KC_DB KC_WEIGHTS KC_DATADIR KC_MODEL
CPID=
trap '[ -n "$CPID" ] && kill -9 "$CPID" 2>/dev/null' EXIT
cd "$T" || bail "cannot cd to $T"
T=$(pwd -P)

f=$(media short -d 120 -n 3 --size 320x180 --preset ultrafast) ||
    bail "cannot generate the test stream"
# secs H:MM:SS|M:SS : seconds
secs() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }' <<<"$1"; }

# --- a log: plain lines for the analysis and the cutting ----------------------
run kc-clip -c --json -a 2 -v 2 --db k.db -o c1 "$f"
is "$RC" 0 "stderr in a file: exit 0" || diag "$ERR"
cp "$T/err" c1.err
ok "no carriage return on stderr" bash -c "! grep -q \$'\\r' c1.err"
grep '^kc-clip: analysing' c1.err >c1.an
cmp_ok "$(wc -l <c1.an)" ">" 1 "analysis progress lines ($(wc -l <c1.an))"
like "$(head -n 1 c1.an)" '^kc-clip: analysing +[0-9]+\.[0-9]%' "... with a percentage"
is "$(tail -n 1 c1.an | grep -o '[0-9.]*%')" "100.0%" "... the last at 100.0%"
like "$(cat c1.an)" '[0-9.]+x realtime' "... and the speed"
# one a tenth (or a minute), not one a hop: 120 hops here
cmp_ok "$(wc -l <c1.an)" "<" 40 "... not one per record"
ok "... the percentages only go up" awk '{ p = $3 + 0; if (p < last) exit 1; last = p }' c1.an
m=$(records clip "$T/out" | wc -l)
cmp_ok "$m" ">" 0 "clips cut ($m)"
grep '^kc-clip: cutting' c1.err >c1.cut
like "$(head -n 1 c1.cut)" "^kc-clip: cutting [0-9]+/$m clips\$" "cutting: N/$m clips"
is "$(tail -n 1 c1.cut)" "kc-clip: cutting $m/$m clips" "cutting: the last line reaches $m/$m"
# 0/M first, unless the first clip was out before kc-score's end record
# (a line repeats only after a minute without a clip)
cmp_ok "$(sort -u c1.cut | wc -l)" "<=" "$((m + 1))" "cutting: a line per clip, no more"
ok "... counting up" awk '{ split($3, a, "/"); if (a[1] + 0 < last) exit 1; last = a[1] + 0 }' c1.cut
ok "cutting lines come after the analysis" awk '/analysing/ { if (c) exit 1 } /cutting/ { c = 1 }' c1.err
like "$(tail -n 1 c1.err)" "^kc-clip: $m clips; analysed 2:00 of media in [0-9.]+ s \\([0-9.]+x realtime\\), cut in [0-9.]+ s\$" \
    "the summary (not resumed: no resume point): the analysis's speed, then the cutting's time"
an1=$(sed -n 's/.* of media in \([0-9.]*\) s (.*/\1/p' c1.err)
cut1=$(sed -n 's/.*, cut in \([0-9.]*\) s$/\1/p' c1.err)
ok "... both times there, the cutting's apart (${an1} s analysing, ${cut1} s cutting)" \
    awk -v a="$an1" -v c="$cut1" 'BEGIN { exit !(a > 0 && c > 0) }'


# --- --quiet and --json-progress: no lines --------------------------------------
run kc-clip -c -q -a 2 -v 2 --db k.db -o c2 "$f"
is "$RC" 0 "--quiet: exit 0"
unlike "$ERR" 'analysing|cutting|realtime' "--quiet: no progress line"
run kc-clip -c --json --json-progress -a 2 -v 2 --db k.db -o c3 "$f"
is "$RC" 0 "--json-progress: exit 0"
unlike "$ERR" 'analysing|cutting [0-9]' "--json-progress: the records, no progress lines"
cmp_ok "$(records progress "$T/out" | wc -l)" ">" 0 "... the progress records are there"

# --- a resumed run: its own media and time ---------------------------------------
src=$(media main -d 600 --seed 1) || bail "cannot generate the 10-minute stream"
ln "$src" "$T/main.mp4" 2>/dev/null || cp "$src" "$T/main.mp4" || bail "cannot copy the stream"
args=(-o r --db r.db -d 20 --json)
analysing() { jq -n -e '[inputs | select(.type == "progress" and .done > 61)] | length > 0' a.out >/dev/null 2>&1; }
kc-clip "${args[@]}" --json-progress "$T/main.mp4" </dev/null >a.out 2>a.err &
CPID=$!
# past the first whole segment (60 s), so there is something to resume from
for _ in $(seq 3000); do
	analysing && break
	kill -0 "$CPID" 2>/dev/null || break
	sleep 0.1
done
ok "the first run analyses past the first segment" analysing
kill -INT "$CPID"
wait "$CPID"
is "$?" 130 "stopped by SIGINT: exit 130"
CPID=
run kc-clip "${args[@]}" "$T/main.mp4"
is "$RC" 0 "the same command again: exit 0" || diag "$ERR"
from=$(sed -n 's/^kc-clip: resuming an interrupted run from \([0-9:]*\)$/\1/p' "$T/err")
like "$from" '^[0-9:]+$' "it resumes from $from"
sum=$(grep '^kc-clip: [0-9]* highlights;' "$T/err")
like "$sum" "; resumed from $from, analysed [0-9:]+ of media in [0-9.]+ s \\([0-9.]+x realtime\\)\$" \
    "the summary says it resumed from $from"
an=$(sed -n 's/.* analysed \([0-9:]*\) of media in \([0-9.]*\) s (\([0-9.]*\)x realtime).*/\1/p' <<<"$sum")
wall=$(sed -n 's/.* of media in \([0-9.]*\) s (.*/\1/p' <<<"$sum")
speed=$(sed -n 's/.*(\([0-9.]*\)x realtime).*/\1/p' <<<"$sum")
a=$(secs "$an") r=$(secs "$from")
diag "resumed from $r s, analysed $a s in $wall s at ${speed}x"
ok "the media analysed is what came after the resume point ($a + $r s of 600 s)" \
    awk -v a="$a" -v r="$r" 'BEGIN { d = a + r - 600; exit !(r > 0 && d <= 2 && d >= -2) }'
ok "the speed is that media over this run's time (${speed}x = $a s / $wall s)" \
    awk -v a="$a" -v w="$wall" -v s="$speed" \
    'BEGIN { d = s * w - a; if (d < 0) d = -d; exit !(w > 0 && d <= 0.05 * (s + w) + 1.5) }'
grep '^kc-clip: analysing' "$T/err" >b.an
cmp_ok "$(wc -l <b.an)" ">" 0 "the resumed run shows its progress too"
ok "... without a carriage return" bash -c "! grep -q \$'\\r' '$T/err'"

done_testing
