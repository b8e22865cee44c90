#!/bin/bash
# 75-batch.t - scripts/batch.mk over a list of three short generated
# streams (a plain path, a path with spaces, a file:// URL, plus a comment
# and a blank line): one folder per URL named by its SHA-1, each processed
# once, every clip in the one database; a rerun does nothing; a bad entry
# fails alone (-k lets the rest finish) and is retried on the next run,
# finished ones are not; odd names in the list never reach a shell.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"

need make sha1sum sqlite3 ffmpeg ffprobe jq
[ -x "$KC_BIN/kc-clip" ] || skip_all "kc-clip not built"

unset KC_DB KC_WEIGHTS KC_DATADIR MAKEFLAGS MFLAGS
cd "$T" || bail "cannot cd to $T"
T=$(pwd -P)

m1=$(media short -d 120 -n 3 --size 320x180 --preset ultrafast) &&
    m2=$(media b60 -d 60 -n 2 --seed 2 --size 320x180 --preset ultrafast) &&
    m3=$(media c60 -d 60 -n 2 --seed 3 --size 320x180 --preset ultrafast) ||
    bail "cannot generate the test streams"
mkdir -p "in dir"
ln -f "$m2" "in dir/b 60.mp4" 2>/dev/null || cp "$m2" "in dir/b 60.mp4"
U1=$m1 U2="$T/in dir/b 60.mp4" U3=file://$m3
printf '# three short streams\n%s\n\n%s\n   \n%s\n' "$U1" "$U2" "$U3" >urls.txt

OUT=$T/out DB=$T/kc.db
# batch ARGS... : make -f batch.mk with this test's list, folder, database
# and kc-clip; sets RC, OUT_ (stdout), ERR_ (stderr)
batch() {
	make -f "$KC_ROOT/scripts/batch.mk" URLS=urls.txt OUT="$OUT" DB="$DB" \
	    KC_CLIP="$KC_BIN/kc-clip" "$@" >make.out 2>make.err </dev/null
	RC=$?
	OUT_=$(cat make.out) ERR_=$(cat make.err)
}
id() { printf '%s' "$1" | sha1sum | cut -c1-12; }
rows() { sqlite3 "$DB" 'SELECT count(*) FROM clips'; }
nclips() { find "$OUT" -name '*.mp4' | wc -l; }
# started URL : how many times make started URL
started() { grep -cF "batch: $1 -> $OUT/$(id "$1")" make.out; }
mtimes() { for u; do stat -c %y "$OUT/$(id "$u")/.done" 2>/dev/null || echo none; done; }
no_pwned() { [ -z "$(find "$T" "$KC_ROOT" -maxdepth 3 -name 'pwned*' 2>/dev/null)" ]; }

# --- first run -------------------------------------------------------------------
batch -j4
is "$RC" 0 "make -j4: exit 0" || diag "$ERR_"
like "$OUT_" "batch: 3 URLs done in $OUT/" "make -j4: says 3 URLs done"
is "$(find "$OUT" -mindepth 1 -maxdepth 1 -type d | sort | paste -sd' ')" \
    "$(for u in "$U1" "$U2" "$U3"; do echo "$OUT/$(id "$u")"; done | sort | paste -sd' ')" \
    "one folder per URL, named by the URL's SHA-1, none for the comment or blank lines"
for u in "$U1" "$U2" "$U3"; do
	d=$OUT/$(id "$u")
	is "$(started "$u")" 1 "$u: processed once"
	is "$(cat "$d/url" 2>/dev/null)" "$u" "$u: url file holds the URL"
	ok "$u: .done, clips.txt and log exist" test -e "$d/.done" -a -s "$d/clips.txt" -a -e "$d/log"
	n=$(find "$d" -name '*.mp4' | wc -l)
	cmp_ok "$n" ">" 0 "$u: clips in its folder ($n)"
	is "$(grep -cE '/[^/]+_[0-9]{3}_[0-9]{2}m[0-9]{2}s_[0-9]{3}_(audio|video)\.mp4$' "$d/clips.txt")" "$n" \
	    "$u: clips.txt lists each clip"
	is "$(grep -ci 'error\|fail' "$d/log")" 0 "$u: no error in its log"
done
is "$(rows)" "$(nclips)" "database rows equal the clip files ($(nclips))"
is "$(sqlite3 "$DB" 'SELECT path FROM clips' | sort | paste -sd' ')" \
    "$(find "$OUT" -name '*.mp4' | sort | paste -sd' ')" "the rows are the clip files"

# --- a rerun does nothing ------------------------------------------------------
before=$(mtimes "$U1" "$U2" "$U3") nrows=$(rows)
batch -j4
is "$RC" 0 "rerun: exit 0"
unlike "$OUT_" ' -> ' "rerun: no URL started again"
like "$OUT_" "batch: 3 URLs done" "rerun: still says 3 URLs done"
is "$(mtimes "$U1" "$U2" "$U3")" "$before" "rerun: .done files untouched"
is "$(rows)" "$nrows" "rerun: no new rows"

# --- a bad entry and an odd name added -------------------------------------------
bad="$T/no such/missing.mp4"
mkdir -p "odd"
U5="$T/odd/x; \$(touch pwned) 'q\" \`touch pwned2\`.mp4"
ln -f "$m2" "$U5" 2>/dev/null || cp "$m2" "$U5"
printf '%s\n%s\n' "$bad" "$U5" >>urls.txt
batch -k -j4
isnt "$RC" 0 "bad entry: make fails"
like "$ERR_" "batch: $bad failed" "bad entry: make says which URL failed"
d=$OUT/$(id "$bad")
ok "bad entry: no .done" test ! -e "$d/.done"
like "$(cat "$d/log" 2>/dev/null)" "missing\.mp4: No such file" "bad entry: its log names the problem"
ok "odd name: processed, .done" test -e "$OUT/$(id "$U5")/.done"
cmp_ok "$(find "$OUT/$(id "$U5")" -name '*.mp4' | wc -l)" ">" 0 "odd name: clips cut"
ok "odd name: no file pwned anywhere" no_pwned
is "$(mtimes "$U1" "$U2" "$U3")" "$before" \
    "adding URLs to the list does not redo the finished ones (.done untouched)"
is "$(for u in "$U1" "$U2" "$U3"; do started "$u"; done | paste -sd' ')" "0 0 0" \
    "adding URLs to the list does not restart the finished ones"
is "$(rows)" "$(nclips)" "database rows still equal the clip files"

# --- the failed entry is retried, nothing else --------------------------------------
before5=$(mtimes "$U5")
batch -k -j4
isnt "$RC" 0 "rerun with the bad entry: make fails again"
is "$(started "$bad")" 1 "rerun: the failed entry is retried"
is "$(for u in "$U1" "$U2" "$U3" "$U5"; do started "$u"; done | paste -sd' ')" "0 0 0 0" \
    "rerun: the finished ones are not"
is "$(mtimes "$U5")" "$before5" "rerun: the odd name's .done untouched"
ok "rerun: still no file pwned" no_pwned

done_testing
