#!/bin/bash
# 72-xdg.t - where kc keeps its files without being told: the default
# database and its model under $XDG_DATA_HOME/kc (the one-time note about a
# ./kc.db that is not used; KC_DB, the config file's db and --db first), and
# the configuration file $XDG_CONFIG_HOME/kc/config (kc-clip's and kc-db's
# defaults, the command line winning, a bad line an error naming FILE:LINE,
# --no-config, KC_CONFIG).  tests/run gives each test a HOME and XDG
# folders of its own; this test checks that too.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"

need ffmpeg ffprobe jq sqlite3
for p in kc-clip kc-fetch kc-audiofeat kc-videofeat kc-score kc-cut kc-db kc-train kc-web; do
	[ -x "$KC_BIN/$p" ] || skip_all "$p not built"
done

unset KC_DB KC_MODEL KC_CONFIG KC_RETRAIN_EVERY KC_WEIGHTS KC_DATADIR
cd "$T" || bail "cannot cd to $T"
T=$(pwd -P)

# --- the runner's isolation ----------------------------------------------------
for v in HOME XDG_DATA_HOME XDG_CONFIG_HOME XDG_STATE_HOME; do
	like "${!v}" "^$KC_ROOT/tests/\\.tmp/" "tests/run: \$$v is a scratch folder ($v=${!v})"
done
D=$XDG_DATA_HOME/kc
CONF=$XDG_CONFIG_HOME/kc/config

f=$(media short -d 120 -n 3 --size 320x180 --preset ultrafast) ||
    bail "cannot generate the test stream"
clip=(-t audio -d 10 -g 2 -q)
naudio() { jq -s '[.[] | select(.type == "highlight" and .kind == "audio")] | length' "$T/out"; }

# --- the default database --------------------------------------------------------
mkdir -p w1 w2 w3
cd w1 || bail "cd w1"
run kc-clip -c "${clip[@]}" -a 2 --out "$T/clips" "$f"
is "$RC" 0 "kc-clip -c without --db: exit 0" || diag "$ERR"
ok "the database is \$XDG_DATA_HOME/kc/kc.db" test -f "$D/kc.db"
is "$(stat -c %a "$D")" 700 "its folder was made 0700"
ok "its model directory is \$XDG_DATA_HOME/kc/kc.db.model" test -d "$D/kc.db.model"
is "$(ls -A)" "" "nothing in the current folder (no ./kc.db)"
unlike "$ERR" "note:" "no ./kc.db here: no note"
cd ../w2 || bail "cd w2"
run kc-db stats --json
is "$(jq -r .clips "$T/out")" 2 "kc-db stats from another folder: the 2 clips"
run kc-db rate --retrain-every 2 1 5
run kc-db rate --retrain-every 2 2 1
is "$RC" 0 "kc-db rate: exit 0"
like "$ERR" "retrained the model after 2 ratings: $D/kc\\.db\\.model/" \
    "the model retrained into the XDG model directory"
ok "... model.json there" test -f "$D/kc.db.model/model.json"

# an analysis alone makes no folder: a fresh data home stays empty
run env XDG_DATA_HOME="$T/fresh" kc-clip "${clip[@]}" -a 1 "$f"
is "$RC" 0 "analysis alone with a fresh data folder: exit 0"
ok "... which it does not create" test ! -e "$T/fresh"

# --- the one-time note about ./kc.db ---------------------------------------------
cd ../w3 || bail "cd w3"
: >kc.db
run kc-db list
is "$RC" 0 "kc-db list beside a ./kc.db: exit 0"
like "$ERR" "^kc-db: note: using $D/kc\\.db; \\./kc\\.db here is not used \\(give --db \\./kc\\.db, or set KC_DB\\)\$" \
    "the note names both databases and what to do"
run kc-db list
unlike "$ERR" "note:" "the note comes once"
# (--again: the stream's best audio moment is stored already, from w1)
run kc-clip -c "${clip[@]}" -a 1 --again --out "$T/clips3" "$f"
is "$RC" 0 "kc-clip beside ./kc.db: exit 0"
unlike "$ERR" "note:" "... and once per user, not per program"
is "$(wc -c <kc.db)" 0 "./kc.db untouched"
is "$(sqlite3 "$D/kc.db" 'SELECT count(*) FROM clips')" 3 "the clip went to the default database"
rm -f "$D/.noted-local-db"
run env KC_DB="$T/env.db" kc-db list
unlike "$ERR" "note:" "KC_DB given: no note"
run kc-db --db kc.db list
unlike "$ERR" "note:" "--db given: no note"
cd "$T" || bail "cd $T"

# --- which database wins ----------------------------------------------------------------
dbof() { sed -n 's/^kc-db: \(.*\): no such database.*/\1/p' "$T/err"; }
mkdir -p "$(dirname "$CONF")"
printf '# the test config\n\ndb = %s\n' "$T/conf.db" >"$CONF"
run kc-db list
is "$(dbof)" "$T/conf.db" "the config file's db beats the default"
run env KC_DB="$T/env.db" kc-db list
is "$(dbof)" "$T/env.db" "KC_DB beats the config file"
run env KC_DB="$T/env.db" kc-db --db "$T/opt.db" list
is "$(dbof)" "$T/opt.db" "--db beats KC_DB"
run env KC_DB="$T/env.db" kc-db list --db "$T/opt.db"
is "$(dbof)" "$T/opt.db" "--db after the command beats KC_DB too"
run kc-db --no-config stats --json
is "$(jq -r .clips "$T/out")" 3 "--no-config: the default database again"
printf 'db = ~/home.db\n' >"$CONF"
run kc-db list
is "$(dbof)" "$HOME/home.db" "a value's ~/ is \$HOME"

# --- kc-clip's defaults from the file --------------------------------------------
printf 'max-audio-clips = 1\nmin-gap=2\n  clip-duration =  10  \n# out = nowhere\n' >"$CONF"
run kc-clip --json -t audio -q "$f"
is "$RC" 0 "config max-audio-clips 1: exit 0" || diag "$ERR"
is "$(naudio)" 1 "config max-audio-clips 1: one audio highlight"
run kc-clip --json -t audio -q -a 3 "$f"
is "$(naudio)" 3 "-a 3 beats the config file: three"
run kc-clip --json -t audio -q --no-config -d 10 -g 2 "$f"
cmp_ok "$(naudio)" ">" 1 "--no-config: the built-in default (more than one)"
printf 'out = %s\n' "$T/confout" >"$CONF"
run kc-clip -c "${clip[@]}" -a 1 --db "$T/out.db" "$f"
is "$RC" 0 "config out: exit 0"
is "$(find "$T/confout" -name '*.mp4' | wc -l)" 1 "config out: the clip is in its folder"
n=$(ls "$T/confout" | wc -l)
run kc-clip "${clip[@]}" -a 1 "$f"
is "$(ls "$T/confout" | wc -l)" "$n" "config out without -c and --out: nothing written there"

# KC_CONFIG names another file
printf 'max-audio-clips = 2\n' >"$T/other.conf"
run env KC_CONFIG="$T/other.conf" kc-clip --json -t audio -d 10 -g 2 -q "$f"
is "$(naudio)" 2 "KC_CONFIG: its file, not the default one"
run env KC_CONFIG="$T/none.conf" kc-clip --json "$f"
is "$RC" 2 "KC_CONFIG naming a missing file: exit 2"
like "$ERR" "^kc-clip: KC_CONFIG: $T/none\\.conf: No such file or directory" "... naming it"

# kc-db's retrain-every; KC_RETRAIN_EVERY and the option beat it
printf 'retrain-every = 0\n' >"$CONF"
run kc-db --db "$D/kc.db" rate 3 4
is "$RC" 0 "config retrain-every 0: rate exits 0"
unlike "$ERR" "retrain" "config retrain-every 0: no retraining"
printf 'retrain-every = 1\n' >"$CONF"
run env KC_RETRAIN_EVERY=0 kc-db --db "$D/kc.db" rate 3 4
unlike "$ERR" "retrain" "KC_RETRAIN_EVERY beats the config file"

# --- bad files ----------------------------------------------------------------------
badconf() {	# badconf NAME CONTENT LINE MESSAGE PROGRAM ARGS...
	local name=$1 content=$2 line=$3 msg=$4
	shift 4
	printf '%b' "$content" >"$CONF"
	run "$@"
	is "$RC" 2 "$name: exit 2"
	like "$ERR" "^$1: $CONF:$line: $msg" "$name: the error names FILE:LINE"
	is "$(wc -l <"$T/err")" 1 "$name: one line"
}
badconf "unknown key" '# c\nmax-audio-clips = 2\nmax-audo-clips = 1\n' 3 \
    "unknown key 'max-audo-clips'" kc-clip --json "$f"
badconf "bad value" '\nmax-audio-clips = 0\n' 2 \
    "--max-audio-clips: '0': out of range \\(1 to 25\\)" kc-clip --json "$f"
badconf "bad min-score" 'min-score = high\n' 1 "--min-score: 'high'" kc-clip --json "$f"
badconf "no =" 'max-audio-clips 2\n' 1 'want "key = value"' kc-clip --json "$f"
badconf "no value" 'out =\n' 1 "out: no value" kc-clip --json "$f"
badconf "kc-db unknown key" 'colour = blue\n' 1 "unknown key 'colour'" kc-db list
badconf "kc-db retrain-every" 'retrain-every = often\n' 1 \
    "retrain-every: 'often': " kc-db --db "$D/kc.db" rate 3 4
badconf "kc-web unknown key" 'port = 80\n' 1 "unknown key 'port'" kc-web --listen 127.0.0.1:0

printf 'max-audio-clips = 0\n' >"$CONF"
run kc-clip --json -t audio -d 10 -g 2 -q -a 1 --no-config "$f"
is "$RC" 0 "--no-config: a bad file is not read"
run kc-clip --help
is "$RC" 0 "--help despite a bad file"
run kc-db list --help
is "$RC" 0 "kc-db list --help despite a bad file"
run kc-db --no-config --db "$D/kc.db" list
is "$RC" 0 "kc-db --no-config: a bad file is not read"
# nor by the programs they start: kc-clip's kc-db add, kc-db rate's
# retraining (kc-db export)
printf 'colour = blue\n' >"$CONF"
run kc-clip -c -t audio -d 10 -g 2 -q -a 2 --no-config --db "$T/nc.db" -o "$T/nc" "$f"
is "$RC" 0 "kc-clip -c --no-config: exit 0 (kc-db add does not read the bad file)" ||
    diag "$(cat "$T/err")"
is "$(sqlite3 "$T/nc.db" 'SELECT count(*) FROM clips')" 2 "kc-clip -c --no-config: its clips stored"
kc-db --no-config --db "$T/nc.db" rate --retrain-every 2 1 4 2>/dev/null
run kc-db --no-config --db "$T/nc.db" rate --retrain-every 2 2 1
is "$RC" 0 "kc-db --no-config rate: exit 0"
like "$ERR" "retrained the model after 2 ratings" \
    "kc-db --no-config rate: the retraining's export does not read the bad file either"
# a key another program takes is no error here
printf 'max-audio-clips = 3\n' >"$CONF"
run kc-db --db "$D/kc.db" list
is "$RC" 0 "kc-db: kc-clip's keys are no error"

done_testing
