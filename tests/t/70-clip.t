#!/bin/bash
# 70-clip.t - kc-clip end to end on a short generated stream: analysis only
# (the records and the seed's highlights JSON), cutting into a folder and a
# database (checked with ffprobe, ffmpeg and sqlite3), reruns, every kind of
# bad input (exit 1 or 2, one line naming the problem, nothing stored, no
# crash), media without audio or video, names that must never reach a
# shell, blame for the stage that failed (stages that fail on purpose, in
# a private copy of the bin directory) and the progress line on a terminal
# (plain progress lines in a file: 73-progress.t).
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"

need ffmpeg ffprobe jq sqlite3 script
for p in kc-clip kc-fetch kc-audiofeat kc-videofeat kc-score kc-cut kc-db; do
	[ -x "$KC_BIN/$p" ] || skip_all "$p not built"
done

unset KC_DB KC_WEIGHTS KC_DATADIR
cd "$T" || bail "cannot cd to $T"
T=$(pwd -P)

f=$(media short -d 120 -n 3 --size 320x180 --preset ultrafast) ||
    bail "cannot generate the test stream"
fna=$(media shortna -d 120 -n 3 --size 320x180 --preset ultrafast --no-audio) ||
    bail "cannot generate the stream without audio"
fnv=$(media shortnv -d 120 -n 3 --size 320x180 --preset ultrafast --no-video) ||
    bail "cannot generate the stream without video"

rows() { if [ -e "$1" ]; then sqlite3 "$1" 'SELECT count(*) FROM clips'; else echo 0; fi; }
plays() { [ -z "$(ffmpeg -nostdin -v error -i "$1" -f null - 2>&1)" ]; }
fdur() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }
abs() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; print d < 0 ? -d : d }'; }
# errlines : stderr lines of the last run, less the usual "Try --help" hint
errlines() { grep -cv "^Try '[^']*--help' for more information\.\$" "$T/err"; }
is_object() { jq -s -e 'length == 1 and (.[0] | type) == "object"' "$1" >/dev/null; }
no_pwned() { [ -z "$(find "$T" "$KC_ROOT" -maxdepth 3 -name 'pwned*' 2>/dev/null)" ]; }

# --- usage -------------------------------------------------------------------
run kc-clip --help
is "$RC" 0 "--help exits 0"
like "$(printf '%s' "$OUT" | tr '\n' ' ')" 'exit status: 0 ok.*2 usage' \
    "--help documents exit statuses"
like "$(printf '%s' "$OUT" | tr '\n' ' ')" '--max-chat-clips N +chat highlights.*--type KIND +audio, video, chat, both' \
    "--help documents the chat kind"

# --- analysis only -------------------------------------------------------------
run kc-clip --json --out "$T/a1" "$f"
is "$RC" 0 "analyse only: exit 0"
cp "$T/err" a1.err
records highlight "$T/out" >a1.hl
is "$(jq -r .type "$T/out" | uniq | paste -sd' ')" "stream highlight" \
    "analyse only: --json writes the stream record, then highlight records"
kc-fetch "$f" | kc-audiofeat | kc-videofeat | kc-score 2>/dev/null |
    jq -c 'select(.type == "highlight")' >a1.want
is "$(jq -c . a1.hl | md5sum)" "$(md5sum <a1.want)" \
    "analyse only: the same highlights as the pipeline run by hand"
cmp_ok "$(wc -l <a1.hl)" ">" 1 "analyse only: highlights found"
ls a1 >a1.ls
like "$(cat a1.ls)" '^highlights_[0-9]{8}_[0-9]{6}\.json$' \
    "analyse only: OUT holds highlights_YYYYMMDD_HHMMSS.json and nothing else"
J=a1/$(head -n 1 a1.ls)
like "$ERR" "wrote $T/a1/highlights_" "analyse only: stderr says where the JSON went"
ok "highlights JSON: valid JSON, one object" is_object "$J"
is "$(jq -c '[.audio_highlights, .video_highlights] | map(type)' "$J")" '["array","array"]' \
    "highlights JSON: audio_highlights and video_highlights arrays"
is "$(jq -r .stream_url "$J")" "$f" "highlights JSON: stream_url is the source"
for k in audio video; do
	is "$(jq -c "[.${k}_highlights[].score]" "$J")" \
	    "$(jq -s -c --arg k $k '[.[] | select(.kind == $k) | .score] | sort | reverse' a1.hl)" \
	    "highlights JSON: every $k highlight, best first"
	is "$(jq -c "[.${k}_highlights[].start]" "$J")" \
	    "$(jq -s -c --arg k $k '[.[] | select(.kind == $k)] | sort_by(.rank) | map(.t0)' a1.hl)" \
	    "highlights JSON: $k items in rank order"
done
like "$(jq -r .generated "$J")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "highlights JSON: generated time"

# the highlights JSON never replaces a file: a name taken (another run's
# in the same second; here every second of the next 30 minutes) gets _2
mkdir a2
now=$(date +%s)
for i in $(seq 0 1800); do
	echo keep >"a2/highlights_$(date -d "@$((now + i))" +%Y%m%d_%H%M%S).json"
done
run kc-clip --out "$T/a2" "$f"
is "$RC" 0 "analyse only, the name taken: exit 0"
w=$(printf '%s\n' "$ERR" | sed -n 's|^kc-clip: wrote ||p')
like "$w" "^$T/a2/highlights_[0-9]{8}_[0-9]{6}_2\.json\$" "the name taken: written as NAME_2.json"
ok "the name taken: NAME_2.json is the highlights JSON" is_object "$w"
is "$(cat a2/highlights_*_??????.json | sort -u)" keep "the name taken: no file replaced"
is "$(find a2 -name '.highlights*' | wc -l)" 0 "the name taken: no temporary file left"
# runs into one folder at once: each its own JSON, whole
for i in 1 2 3 4; do kc-clip --out "$T/a3" "$f" 2>a3.err$i & done
wait
is "$(ls a3 | grep -c '^highlights_.*\.json$')" 4 "4 runs at once: 4 highlights JSONs"
is "$(cat a3.err? | sed -n 's|^kc-clip: wrote ||p' | sort -u | wc -l)" 4 "4 runs at once: 4 names"
bad=0
for j in a3/highlights_*.json; do is_object "$j" || bad=$((bad + 1)); done
is "$bad" 0 "4 runs at once: every JSON whole"

# --- cutting clips ---------------------------------------------------------------
DB=$T/c.db
run kc-clip --generate-clips --json --db "$DB" --out "$T/c1" "$f"
is "$RC" 0 "--generate-clips: exit 0"
records clip "$T/out" >c1.clips
n=$(wc -l <c1.clips)
cmp_ok "$n" ">" 1 "--generate-clips: clip records on stdout"
find c1 -name '*.mp4' -printf '%f\n' | sort >c1.files
id8=$(jq -r '.stream[0:8]' c1.clips | sort -u)
like "$id8" '^[0-9a-f]{8}$' "--generate-clips: the clips are of one stream"
is "$(grep -cvE "^kc-test-stream-seed-1-${id8}_[0-9]{3}_[0-9]{2}m[0-9]{2}s_[0-9]{3}_(audio|video)\\.mp4\$" c1.files)" 0 \
    "clip files are named like kc-test-stream-seed-1-${id8}_001_00m12s_085_audio.mp4 (title, id, seed style)"
is "$(jq -r '.path | sub(".*/"; "")' c1.clips | sort | paste -sd' ')" "$(paste -sd' ' c1.files)" \
    "one clip record per clip file"
is "$(jq -r '(.path | sub(".*/[^/]*-[0-9a-f]{8}_[0-9]+_"; "")) == ("\((.want_t0 / 60 | floor) |
    tostring | if length < 2 then "0" + . else . end)m\((.want_t0 % 60 | floor) |
    tostring | if length < 2 then "0" + . else . end)s_\(.score * 100 | round |
    tostring | ("00" + .)[-3:])_\(.kind).mp4")' c1.clips | sort -u)" true \
    "each name says the window's start, score and kind"
is "$(rows "$DB")" "$n" "database: one row per clip file ($n)"
is "$(sqlite3 "$DB" 'SELECT path FROM clips' | sort | paste -sd' ')" \
    "$(sed "s|^|$T/c1/|" c1.files | sort | paste -sd' ')" "database: the rows are the clip files"
bad=0 long=
while read -r p; do
	plays "$p" || { bad=$((bad + 1)); diag "does not play: $p"; }
	d=$(fdur "$p")
	awk -v d="$d" 'BEGIN { exit !(d != "" && d >= 29 && d <= 31) }' ||
	    long="$long $(basename "$p")=$d"
done < <(jq -r .path c1.clips)
is "$bad" 0 "every clip plays without an ffmpeg error"
is "$long" "" "every copy clip lasts 30 s +/- 1 s"
is "$(ls c1 | grep -c '^highlights_.*\.json$')" 1 "--generate-clips: highlights JSON written too"
is "$(jq '[.audio_highlights[], .video_highlights[]] | length' c1/highlights_*.json)" "$n" \
    "--generate-clips: the JSON lists every clip"

run kc-clip --generate-clips --db "$DB" --out "$T/c1" "$f"
is "$RC" 0 "rerun: exit 0"
is "$(rows "$DB")" "$n" "rerun: no duplicate rows"
is "$(find c1 -name '*.mp4' | wc -l)" "$n" "rerun: no extra clip files"

# A model moves the scores, and so kc-cut's names: the same stream again
# gets no second clip of a moment stored already (kc-db fresh lists the
# stored clip instead), only clips of its new highlights; --again cuts
# every highlight anew.
cp "$DB" f.db
stars=5
for id in $(sqlite3 f.db 'SELECT id FROM clips ORDER BY id LIMIT 4'); do
	kc-db --db f.db rate --retrain-every 2 "$id" "$stars" >/dev/null 2>&1
	stars=$((stars == 5 ? 1 : 5))
done
ok "a model was trained" test -f f.db.model/model.json
run kc-clip --generate-clips --json --db "$T/f.db" --out "$T/f1" "$f"
is "$RC" 0 "rerun with a model: exit 0"
records clip "$T/out" >f1.clips
old=$(jq -r .id c1.clips | sort -n | tail -n 1)
nold=$(jq --argjson old "$old" 'select(.id <= $old)' f1.clips | jq -s length)
nnew=$(jq --argjson old "$old" 'select(.id > $old)' f1.clips | jq -s length)
cmp_ok "$nold" ">" 0 "rerun with a model: highlights stored already ($nold), listed with their clips"
like "$ERR" "kc-db: fresh: $nold of $((nold + nnew)) highlights stored already \\(clips [0-9, ]+\\): not cut again" \
    "rerun with a model: one line says how many were stored already"
is "$(jq -r 'select(.score != null) | (.score * 100 | round | tostring) as $s | .path | test("_0*" + $s + "_(audio|video)\\.mp4$")' \
    <(jq --argjson old "$old" 'select(.id <= $old)' f1.clips) | sort -u)" true \
    "rerun with a model: the stored clips keep their names and scores"
is "$(sqlite3 f.db 'SELECT count(*) FROM clips')" "$((n + nnew))" \
    "rerun with a model: rows only for the new highlights ($nnew)"
is "$(find f1 -name '*.mp4' | wc -l)" "$nnew" "rerun with a model: files only for them"
is "$(sqlite3 f.db 'SELECT count(*) FROM clips a JOIN clips b ON a.id < b.id
    AND a.stream_id = b.stream_id AND a.kind = b.kind
    AND min(a.want_t1, b.want_t1) - max(a.want_t0, b.want_t0) >
        0.5 * max(a.want_t1 - a.want_t0, b.want_t1 - b.want_t0)')" 0 \
    "rerun with a model: no moment stored twice"
run kc-clip --generate-clips --json --again --db "$T/f.db" --out "$T/f2" "$f"
is "$RC" 0 "--again: exit 0"
nh=$(records clip "$T/out" | wc -l)
unlike "$ERR" "stored already" "--again: nothing taken for stored"
is "$(find f2 -name '*.mp4' | wc -l)" "$nh" "--again: every highlight cut anew"

# --- two streams, one folder, one database ----------------------------------------
# The same pictures and sound under another title: the very same
# highlights, and other bytes in every clip (its title tag).  Named in the
# seed's style alone, the second stream's clips took the first's names:
# its files replaced the first's, whose rows (and ratings) then described
# another video, and it got no rows of its own ("already known").
fb=$T/second.mp4
ffmpeg -nostdin -v error -y -i "$f" -map 0 -c copy -metadata title="Second stream" "$fb" ||
    bail "cannot remux the test stream"
kc-db --db "$DB" rate "$(sqlite3 "$DB" 'SELECT min(id) FROM clips')" 4 ||
    bail "cannot rate a clip"
sA=$(jq -r .stream c1.clips | head -n 1)
# snap STREAM: the stream's rows (path, stream, t0, t1, rating)
snap() {
	sqlite3 "$DB" "SELECT path || '|' || stream_id || '|' || t0 || '|' || t1 || '|' ||
	    ifnull(rating, '-') FROM clips WHERE stream_id = '$1' ORDER BY id"
}
snap "$sA" >a.rows
(cd c1 && md5sum -- *.mp4) >a.md5
is "$(grep -c '|4$' a.rows)" 1 "two streams: the first stream has a rated clip"
run kc-clip --generate-clips --json --db "$DB" --out "$T/c1" "$fb"
is "$RC" 0 "two streams: the second stream's run into the same folder and database: exit 0"
records clip "$T/out" >c2.clips
sB=$(jq -r .stream c2.clips | sort -u)
isnt "$sB" "$sA" "two streams: the second stream has an id of its own"
# (the same windows and kinds; scores to 4 places: the second stream is
# normalised against the channel's first too, which may move the 7th)
is "$(jq -c '[.want_t0, .kind, (.score * 1e4 | round)]' c2.clips)" \
    "$(jq -c '[.want_t0, .kind, (.score * 1e4 | round)]' c1.clips)" \
    "two streams: the same highlights"
ok "two streams: every file of the first stream is as it was (md5)" \
    sh -c 'cd c1 && md5sum --quiet -c ../a.md5'
is "$(snap "$sA")" "$(cat a.rows)" \
    "two streams: the first stream's rows (path, stream, t0, t1, rating) are as they were"
is "$(snap "$sB" | wc -l)" "$n" "two streams: the second stream has its $n rows"
is "$(jq -r .path c2.clips | sort | paste -sd' ')" \
    "$(snap "$sB" | cut -d'|' -f1 | sort | paste -sd' ')" "two streams: its rows are its clips"
is "$(sort -u <(jq -r .path c1.clips) <(jq -r .path c2.clips) | wc -l)" "$((2 * n))" \
    "two streams: no path is shared"
is "$(find c1 -name '*.mp4' | wc -l) $(rows "$DB")" "$((2 * n)) $((2 * n))" \
    "two streams: $((2 * n)) files, $((2 * n)) rows"
# every file holds the video its row names: ffmpeg copies the title tag
bad=0
while IFS='|' read -r p title; do
	got=$(ffprobe -v error -show_entries format_tags=title -of csv=p=0 "$p")
	[ "$got" = "$title" ] || { bad=$((bad + 1)); diag "$p: title tag '$got', row's stream '$title'"; }
done < <(sqlite3 "$DB" 'SELECT c.path || '"'|'"' || s.title FROM clips c JOIN streams s ON s.id = c.stream_id')
is "$bad" 0 "two streams: each file's title tag is its row's stream title"
(cd c1 && md5sum -- *.mp4) >ab.md5
run kc-clip --generate-clips --db "$DB" --out "$T/c1" "$fb"
is "$RC" 0 "two streams: the second stream again: exit 0"
is "$(find c1 -name '*.mp4' | wc -l) $(rows "$DB")" "$((2 * n)) $((2 * n))" \
    "two streams: the second stream again: no file or row more"
ok "two streams: the second stream again: every file as it was" \
    sh -c 'cd c1 && md5sum --quiet -c ../ab.md5'
is "$(snap "$sA")" "$(cat a.rows)" "two streams: and the first stream's rows still as they were"

# --- --curve and --json-progress (what kc-web reads) ----------------------------
run kc-clip --generate-clips --json --curve --json-progress --db "$T/cp.db" --out "$T/cp" "$f"
is "$RC" 0 "--curve --json-progress: exit 0"
is "$(jq -r .type "$T/out" | uniq | paste -sd' ')" "progress stream curve clip" \
    "--curve --json-progress: progress records, then the stream record, curves, clips"
is "$(jq -s -c '[.[] | select(.type == "curve") | .kind] | sort' "$T/out")" '["audio","video"]' \
    "--curve: one curve per kind, through kc-cut and kc-db add --print"
is "$(jq -s '[.[] | select(.type == "curve" and .kind == "audio")][0].values | length' "$T/out")" 120 \
    "--curve: one value per 1 s hop of the 120 s stream"
is "$(jq -s -c '[.[] | select(.type == "progress")] | last | [.done, .total, .eta]' "$T/out")" \
    '[120,120,0]' "--json-progress: the last progress record says all 120 s are done"
is "$(records clip "$T/out" | wc -l)" "$(rows "$T/cp.db")" "--curve: clip records as without it"
run kc-clip --curve "$f"
is "$RC" 2 "--curve without --json: usage error"

# --- bad input: exit 1 or 2, one line naming the problem, nothing stored -------
printf 'this is not a video\n' >text.mp4
ffmpeg -nostdin -v error -y -i "$f" -c copy moovend.mp4 &&
    ffmpeg -nostdin -v error -y -i "$f" -c copy -movflags +faststart fast.mp4 ||
    bail "cannot remux the test stream"
head -c $(($(stat -c %s moovend.mp4) / 2)) moovend.mp4 >cut-moovend.mp4
head -c $(($(stat -c %s fast.mp4) / 2)) fast.mp4 >cut-fast.mp4

# badcase NAME RC REGEX ARGS... : kc-clip --generate-clips ARGS
badcase() {
	local name=$1 want=$2 re=$3 db=$T/bad-$1.db
	shift 3
	rm -rf "$db" "$T/bad-$name"
	run kc-clip --generate-clips --db "$db" --out "$T/bad-$name" "$@"
	is "$RC" "$want" "$name: exit $want"
	is "$(errlines)" 1 "$name: exactly one line on stderr" ||
	    diag "stderr: $(paste -sd'|' "$T/err")"
	like "$ERR" "$re" "$name: the message names the problem"
	is "$(rows "$db")" 0 "$name: nothing in the database"
	is "$(find "$T/bad-$name" -name '*.mp4' 2>/dev/null | wc -l)" 0 "$name: no clip files"
}
# a file cut short (a crashed recording): clips of what it holds
run kc-clip --generate-clips --db "$T/cutfast.db" --out "$T/cutfast" cut-fast.mp4
is "$RC" 0 "a file cut short: exit 0"
like "$ERR" "kc-fetch: cut-fast\.mp4: file is cut short: .*; analysing what it holds" \
    "a file cut short: says so"
dataend=$(ffprobe -v error -show_entries packet=pts_time -of csv=p=0 cut-fast.mp4 2>/dev/null | sort -n | tail -n 1)
cmp_ok "$(rows "$T/cutfast.db")" ">" 0 "a file cut short: clips stored"
# (a clip that runs into the cut ends in a broken last packet, as the
# file does; the others play without an error)
bad=0
for p in $(sqlite3 "$T/cutfast.db" "SELECT path FROM clips WHERE t1 < $dataend - 1"); do
	plays "$p" || bad=$((bad + 1))
done
is "$bad" 0 "a file cut short: every clip before the cut plays"
bad=0
for p in $(sqlite3 "$T/cutfast.db" 'SELECT path FROM clips'); do
	[ "$(fdur "$p" | cut -d. -f1)" -ge 10 ] || bad=$((bad + 1))
done
is "$bad" 0 "a file cut short: every clip lasts 10 s or more"
is "$(sqlite3 "$T/cutfast.db" "SELECT count(*) FROM clips WHERE t0 > $dataend")" 0 \
    "a file cut short: no clip starts past its data ($dataend s)"
badcase missing 1 "missing\.mp4: No such file" missing.mp4
badcase text 1 "text\.mp4" text.mp4
badcase cut-moovend 1 "cut-moovend\.mp4" cut-moovend.mp4
badcase ftp 2 "ftp://x/y.*(scheme|ftp)" ftp://x/y
badcase audio0 2 "^kc-clip: --max-audio-clips: '0'" --max-audio-clips 0 "$f"
badcase audio99 2 "^kc-clip: --max-audio-clips: '99'" --max-audio-clips 99 "$f"
badcase video0 2 "^kc-clip: --max-video-clips: '0'" --max-video-clips 0 "$f"
badcase chat0 2 "^kc-clip: --max-chat-clips: '0'" --max-chat-clips 0 "$f"
badcase chat26 2 "^kc-clip: --max-chat-clips: '26'" --max-chat-clips 26 "$f"
badcase typex 2 "^kc-clip: --type: 'chats': want audio, video, chat, both or all " \
    --type chats "$f"

# --- media with one kind only ------------------------------------------------------
for m in na:video:"$fna" nv:audio:"$fnv"; do
	IFS=: read -r tag kind src <<<"$m"
	run kc-clip --generate-clips --json --db "$T/$tag.db" --out "$T/$tag" "$src"
	is "$RC" 0 "no ${tag#n} stream: exit 0 (only $kind highlights)"
	is "$(records clip "$T/out" | jq -r .kind | sort -u)" "$kind" \
	    "no ${tag#n} stream: only $kind clips"
	cmp_ok "$(rows "$T/$tag.db")" ">" 0 "no ${tag#n} stream: $kind clips stored"
	is "$(rows "$T/$tag.db")" "$(find "$T/$tag" -name '*.mp4' | wc -l)" \
	    "no ${tag#n} stream: rows equal clip files"
done

# --- chat highlights: --type all and chat, --max-chat-clips -------------------------
# the regulars' chat all along, and two bursts of laughter (at 30 and 80
# s): chat highlights are picked from it, cut, stored and listed
jq -n -c '([range(0; 120)] | map({t: (. + 0.3), user: "regular\(. % 7)",
    text: (["hi", "nice", "gg", "ok", "what game is this"][. % 5])})),
  ([range(0; 25)] | map({t: (30 + . * 0.16), user: "crowd\(.)", text: "KEKW LMAO"})),
  ([range(0; 25)] | map({t: (80 + . * 0.16), user: "fan\(.)", text: "CLIP IT KEKW"}))
  | .[]' >chat.jsonl
run kc-clip --generate-clips --json --type all --max-chat-clips 2 -a 1 -v 1 \
    --chat chat.jsonl --db "$T/chat.db" --out "$T/chat" "$f"
is "$RC" 0 "--type all: exit 0"
records clip "$T/out" >chat.clips
is "$(jq -r 'select(.kind != "chat") | .kind' chat.clips | sort | paste -sd' ')" "audio video" \
    "--type all: one audio and one video clip beside the chat's"
nchat=$(jq -r 'select(.kind == "chat") | .id' chat.clips | wc -l)
ok "--type all --max-chat-clips 2: one or two chat clips ($nchat)" test "$nchat" -ge 1 -a "$nchat" -le 2
is "$(sqlite3 "$T/chat.db" "SELECT count(*) FROM clips WHERE kind = 'chat'")" "$nchat" \
    "--type all: the chat clips are in the database"
is "$(jq -r 'select(.kind == "chat") | .path' chat.clips | grep -c '_chat\.mp4$')" "$nchat" \
    "--type all: the chat clips' files are named after their kind"
n=0
for p in $(jq -r 'select(.kind == "chat") | .path' chat.clips); do plays "$p" && n=$((n + 1)); done
is "$n" "$nchat" "--type all: the chat clips play"
is "$(jq '.chat_highlights | length' "$(ls "$T"/chat/highlights_*.json)")" "$nchat" \
    "--type all: the highlights JSON lists them"
run kc-clip --json --type chat --max-chat-clips 1 --chat chat.jsonl "$f"
is "$RC" 0 "--type chat: exit 0"
is "$(records highlight "$T/out" | jq -r .kind | paste -sd' ')" chat \
    "--type chat --max-chat-clips 1: one highlight, of kind chat"

# --- names that must never reach a shell ---------------------------------------------
odd="$T/we ird'\"; \$(touch pwned) \`touch pwned2\`"
mkdir -p "$odd"
ln "$f" "$odd/s p'a\"c;e \$(touch pwned).mp4" 2>/dev/null ||
    cp "$f" "$odd/s p'a\"c;e \$(touch pwned).mp4"
oout="$odd/o u't\"; \$(touch pwned)"
odb="$odd/d b'\"; \$(touch pwned).db"
run kc-clip --generate-clips --json -a 1 -v 1 --db "$odb" --out "$oout" \
    "$odd/s p'a\"c;e \$(touch pwned).mp4"
is "$RC" 0 "odd names: exit 0"
is "$(records clip "$T/out" | jq -r '.path | startswith($d)' --arg d "$oout/" | sort -u)" true \
    "odd names: the clips are in the odd --out folder"
is "$(rows "$odb")" 2 "odd names: 2 rows in the odd --db"
is "$(find "$oout" -name '*.mp4' | wc -l)" 2 "odd names: 2 clip files"
ok "odd names: no file pwned anywhere" no_pwned

# --- blame: a stage that fails on purpose -----------------------------------------
# kc-clip runs the stages beside its own executable (/proc/self/exe), so a
# copy of it in a private folder runs that folder's stages: links to the
# real ones plus one script that fails.
fake() {	# fake DIR STAGE SCRIPT : DIR with kc-clip copied, STAGE a script
	rm -rf "$1"
	mkdir -p "$1"
	cp "$KC_BIN/kc-clip" "$1/"
	for p in kc-fetch kc-audiofeat kc-videofeat kc-score kc-cut kc-db; do
		ln -s "$KC_BIN/$p" "$1/$p"
	done
	rm "$1/$2"
	printf '#!/bin/sh\nhead -n 5 >/dev/null\n%s\n' "$3" >"$1/$2"
	chmod +x "$1/$2"
}
# blame TAG STAGE SCRIPT RC NAMED_RE : run the fake, expect RC and NAMED_RE
blame() {
	fake "$T/fake-$1" "$2" "$3"
	run "$T/fake-$1/kc-clip" --generate-clips --db "$T/fake-$1.db" \
	    --out "$T/fake-$1-out" "$f"
	is "$RC" "$4" "$1: kc-clip exits with the stage's status $4"
	like "$ERR" "$5" "$1: stderr names $2"
	is "$(grep -o 'kc-clip: kc-[a-z]* failed' "$T/err" | grep -vc "kc-clip: $2 failed")" 0 \
	    "$1: no other stage blamed"
	is "$(rows "$T/fake-$1.db")" 0 "$1: nothing in the database"
}
# a stage that says why: its own line names it
blame videofeat-says kc-videofeat 'echo "kc-videofeat: failing on purpose" >&2; exit 3' 3 \
    "^kc-videofeat: failing on purpose|kc-clip: kc-videofeat failed"
blame score-says kc-score 'echo "kc-score: failing on purpose" >&2; exit 3' 3 \
    "^kc-score: failing on purpose|kc-clip: kc-score failed"
# a stage that fails silently or is killed: kc-clip must name it
blame videofeat-silent kc-videofeat 'exit 3' 3 "kc-clip: kc-videofeat failed.*3"
blame score-killed kc-score 'kill -KILL $$' 137 "kc-clip: kc-score failed.*9"

# --- a stage's line written in pieces stays one line ---------------------------------
# kc-audiofeat writes half a line, then (FIFOs keep the order) kc-videofeat
# a whole one, then kc-audiofeat the rest: kc-clip's stderr must show both
# lines whole, never the other stage's line inside the first.
rm -rf "$T/pieces"; mkdir -p "$T/pieces"
cp "$KC_BIN/kc-clip" "$T/pieces/"
for p in kc-fetch kc-score kc-cut kc-db; do ln -s "$KC_BIN/$p" "$T/pieces/$p"; done
mkfifo "$T/pieces/f1" "$T/pieces/f2"
printf '#!/bin/sh\nprintf "kc-audiofeat: first half, " >&2\necho >"%s"\nread x <"%s"\necho "second half" >&2\nexec "%s" "$@"\n' \
    "$T/pieces/f1" "$T/pieces/f2" "$KC_BIN/kc-audiofeat" >"$T/pieces/kc-audiofeat"
printf '#!/bin/sh\nread x <"%s"\necho "kc-videofeat: a whole line" >&2\necho >"%s"\nexec "%s" "$@"\n' \
    "$T/pieces/f1" "$T/pieces/f2" "$KC_BIN/kc-videofeat" >"$T/pieces/kc-videofeat"
chmod +x "$T/pieces/kc-audiofeat" "$T/pieces/kc-videofeat"
run "$T/pieces/kc-clip" -t audio -a 1 --db "$T/pieces.db" "$f"
is "$RC" 0 "a line in pieces: exit 0"
is "$(grep -c '^kc-audiofeat: first half, second half$' "$T/err")" 1 \
    "a line a stage wrote in two pieces reaches stderr whole" || diag "$ERR"
is "$(grep -c '^kc-videofeat: a whole line$' "$T/err")" 1 \
    "... and the other stage's line, written in between, after it, whole"

# --- progress on a terminal; plain lines without one --------------------------------------
# Five minutes of 640x360 (80-detect's stream, shared cache): long enough
# that the line is redrawn mid-run on a fast machine too, where the ETA
# appears (the first draw has no speed yet, the last no time left).
pf=$(media main -d 600 --seed 1) || bail "cannot generate the test stream"
SHELL=/bin/bash script -qfec "$(printf '%q ' kc-clip --end-minute 5 --out "$T/p1" "$pf") >$T/p1.out" \
    "$T/p1.tty" </dev/null >/dev/null 2>&1
is "$?" 0 "on a terminal: exit 0"
tr '\r' '\n' <p1.tty | grep 'analysing' >p1.lines
like "$(cat p1.lines)" '[0-9]+\.[0-9]%' "on a terminal: progress shows a percentage"
like "$(cat p1.lines)" '[0-9.]+x realtime' "on a terminal: progress shows x realtime"
like "$(cat p1.lines)" 'ETA [0-9:]+' "on a terminal: progress shows an ETA"
like "$(cat a1.err)" 'kc-clip: analysing 100\.0%' "no terminal (the first run): plain progress lines"
unlike "$(cat a1.err)" $'\r' "... without a carriage return"
SHELL=/bin/bash script -qfec "$(printf '%q ' kc-clip -q --out "$T/p3" "$f") >$T/p3.out" \
    "$T/p3.tty" </dev/null >/dev/null 2>&1
unlike "$(cat p3.tty)" 'analysing|ETA' "on a terminal with --quiet: no progress line"

# --- two runs of the same source at once ------------------------------------------
# They would share one journal: the second keeps none (and says so), and
# both still give the whole result.
kc-clip --json --end-minute 5 --state "$T/st2" "$pf" >twin1.out 2>twin1.err &
tw=$!
for _ in $(seq 3000); do
	grep -q '"type":"afeat"' "$T"/st2/journal-*.jsonl 2>/dev/null && break
	kill -0 "$tw" 2>/dev/null || break
	sleep 0.1
done
ok "the first run keeps a journal" grep -q '"type":"afeat"' "$T"/st2/journal-*.jsonl
run kc-clip --json --end-minute 5 --state "$T/st2" "$pf"
is "$RC" 0 "the second run at the same time: exit 0"
like "$ERR" "another kc-clip is running the same source and range; this run keeps no journal" \
    "... it keeps no journal, and says why"
wait "$tw"
is "$?" 0 "the first run: exit 0"
is "$(jq -c 'select(.type == "highlight") | [.kind, .t0]' twin1.out | md5sum)" \
    "$(jq -c 'select(.type == "highlight") | [.kind, .t0]' "$T/out" | md5sum)" "both find the same highlights"
is "$(ls -A "$T/st2")" "" "the journal and its lock went when the runs completed"

done_testing
