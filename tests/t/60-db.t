#!/bin/bash
# 60-db.t - kc-db: records in, rows out.  Every check looks at the database
# with the real sqlite3 CLI (or parses kc-db's JSON with jq), never at
# kc-db's own word alone.
. "${KC_ROOT:-$(dirname "$0")/../..}/tests/lib/tap.sh"

need sqlite3 jq kc-db

unset KC_DB
cd "$T" || bail "cannot cd to $T"
mkdir -p clips

# q DB SQL : one value from the database, as sqlite3 prints it
q() { sqlite3 "$1" "$2"; }

# stream ID TITLE CHANNEL [LIVE]
stream() {
	jq -nc --arg id "$1" --arg t "$2" --arg c "$3" --argjson live "${4:-false}" \
	    '{type:"stream", v:1, id:$id, url:("/media/" + $id + ".mp4"),
	      analysis:"x", cut:"x", duration:3600, live:$live, title:$t,
	      channel:$c, start:0, end:3600, has_audio:true, has_video:true,
	      hop:1}'
}

# clip PATH KIND T0 STREAM SCORE : a clip record as kc-cut writes it
clip() {
	jq -nc --arg p "$1" --arg k "$2" --argjson t0 "$3" --arg s "$4" \
	    --argjson sc "$5" \
	    '{type:"clip", path:$p, kind:$k, t0:$t0, t1:($t0 + 30),
	      want_t0:($t0 + 1), want_t1:($t0 + 30), mode:"copy",
	      score:$sc, heuristic:$sc, model:null, model_weight:0,
	      features:{rms_mean:($sc / 2), flux_max:$t0},
	      url:("/media/" + $s + ".mp4"), stream:$s}'
}

end() { printf '{"type":"end","stream":"%s"}\n' "$1"; }

# --- add -----------------------------------------------------------------

DB=$T/main.db
{
	stream s1 "First stream" alpha
	printf '{"type":"segment","seq":0,"t0":0,"t1":60,"path":"x"}\n'
	clip "$T/clips/a1.mp4" audio 10 s1 0.9
	clip "$T/clips/v1.mp4" video 100 s1 0.4
	clip "$T/clips/a2.mp4" audio 200 s1 0.7
	end s1
	stream s2 "Second stream" beta
	clip "$T/clips/v2.mp4" video 50 s2 0.8
	end s2
} >in1.jsonl
run -i in1.jsonl kc-db --db "$DB" add
is "$RC" 0 "add: exit 0"
is "$OUT" "" "add: nothing on stdout by default"
like "$ERR" "^kc-db: added 4 clips to $DB\$" "add: summary on stderr"
is "$(q "$DB" 'SELECT count(*) FROM clips')" 4 "add: 4 clip rows"
is "$(q "$DB" 'SELECT group_concat(id, ",") FROM (SELECT id FROM streams ORDER BY id)')" \
    "s1,s2" "add: both stream rows"
is "$(q "$DB" "SELECT title || '|' || channel || '|' || url FROM streams WHERE id = 's2'")" \
    "Second stream|beta|/media/s2.mp4" "add: stream fields stored"
is "$(q "$DB" "SELECT kind || '|' || t0 || '|' || t1 || '|' || stream_id || '|' || mode FROM clips WHERE path = '$T/clips/v1.mp4'")" \
    "video|100.0|130.0|s1|copy" "add: clip fields stored"
is "$(q "$DB" "SELECT json_extract(features, '\$.flux_max') FROM clips WHERE path = '$T/clips/a2.mp4'")" \
    200 "add: features stored as JSON"
is "$(q "$DB" 'PRAGMA integrity_check')" ok "add: integrity_check ok"
is "$(q "$DB" 'PRAGMA journal_mode')" wal "add: database in WAL mode"
is "$(q "$DB" 'PRAGMA foreign_key_check' | wc -l)" 0 "add: no dangling references"

run -i in1.jsonl kc-db --db "$DB" add
is "$RC" 0 "add again: exit 0"
like "$ERR" "added 0 clips \(4 already known\)" "add again: all already known"
is "$(q "$DB" 'SELECT count(*) FROM clips')" 4 "add again: no duplicate clips"
is "$(q "$DB" 'SELECT count(*) FROM streams')" 2 "add again: no duplicate streams"

run -i in1.jsonl kc-db --db "$DB" add --print
is "$RC" 0 "add --print: exit 0"
is "$(records clip "$T/out" | wc -l)" 4 "add --print: one clip record per clip"
is "$(jq -r .type "$T/out" | sort | uniq -c | awk '{ print $2 "=" $1 }' | paste -sd' ')" \
    "clip=4 stream=2" "add --print: and the stream records passed through, nothing else"
is "$(printf '%s\n' "$OUT" | jq -r 'select(.type == "clip") | .id' | sort -n | paste -sd, -)" \
    "$(q "$DB" 'SELECT group_concat(id, ",") FROM (SELECT id FROM clips ORDER BY id)')" \
    "add --print: ids are the database ids"
is "$(printf '%s\n' "$OUT" | jq -r 'select(.type == "clip" and (.path | endswith("v2.mp4"))) | .id')" \
    "$(q "$DB" "SELECT id FROM clips WHERE path = '$T/clips/v2.mp4'")" \
    "add --print: each id belongs to its path"

# --print passes a failed cut's (non-fatal) error record on, for the
# driver's report; a fatal one ends the stream and is not passed on.
{ stream s7 "Cut errors" gamma
  printf '{"type":"error","stage":"kc-cut","message":"bad clip","t0":5,"t1":35,"kind":"audio","score":0.5,"rank":1,"fatal":false}\n'
  clip "$T/clips/e1.mp4" video 50 s7 0.6; end s7
  stream s8 "Fatal" gamma
  printf '{"type":"error","stage":"kc-score","message":"broken","fatal":true}\n'; } >err7.jsonl
run -i err7.jsonl kc-db --db "$T/err7.db" add --print
is "$RC" 1 "add --print, a fatal error drops its stream: exit 1"
is "$(jq -r '.type + ":" + (.stage // .path // .id // "")' "$T/out" | sed "s|$T/clips/||" | paste -sd' ')" \
    "stream:s7 error:kc-cut clip:e1.mp4 stream:s8" \
    "add --print: the non-fatal error passes through in place, the fatal one does not"

# A stream whose end record never comes: an earlier stage died.
DB2=$T/noend.db
{ stream s9 "Broken run" alpha; clip "$T/clips/x1.mp4" audio 0 s9 0.5; } >noend.jsonl
run -i noend.jsonl kc-db --db "$DB2" add
is "$RC" 1 "stream without end: exit 1"
like "$ERR" "stream s9 \"Broken run\": input ended before the stream's end record; an earlier stage failed\? nothing added" \
    "stream without end: message names the stream"
is "$(q "$DB2" 'SELECT count(*) FROM clips')" 0 "stream without end: no clips"
is "$(q "$DB2" 'SELECT count(*) FROM streams')" 0 "stream without end: no stream row"

# A complete stream followed by a broken one: the first stays.
cat in1.jsonl noend.jsonl >mixed.jsonl
run -i mixed.jsonl kc-db --db "$DB2" add
is "$RC" 1 "complete + broken stream: exit 1"
is "$(q "$DB2" "SELECT count(*) FROM clips WHERE stream_id = 's9'")" 0 \
    "complete + broken stream: nothing of the broken one"
is "$(q "$DB2" 'SELECT count(*) FROM clips')" 4 \
    "complete + broken stream: the complete one is stored"

DB3=$T/fatal.db
{
	stream s3 "Fatal run" alpha
	clip "$T/clips/f1.mp4" audio 0 s3 0.5
	printf '{"type":"error","stage":"kc-cut","message":"ffmpeg died","fatal":true}\n'
	clip "$T/clips/f2.mp4" audio 40 s3 0.5
} >fatal.jsonl
run -i fatal.jsonl kc-db --db "$DB3" add
is "$RC" 1 "fatal error record: exit 1"
like "$ERR" "stream s3 .*fatal error from kc-cut: ffmpeg died" \
    "fatal error record: message names stream and stage"
is "$(q "$DB3" 'SELECT count(*) FROM clips')" 0 "fatal error record: no clips"
is "$(q "$DB3" 'SELECT count(*) FROM streams')" 0 "fatal error record: no stream row"

# A non-fatal error is the stage's business; the stream still counts.
{
	stream s4 "Bumpy run" alpha
	clip "$T/clips/g1.mp4" audio 0 s4 0.5
	printf '{"type":"error","stage":"kc-cut","message":"one clip failed","fatal":false}\n'
	end s4
} >nonfatal.jsonl
run -i nonfatal.jsonl kc-db --db "$DB3" add
is "$RC" 0 "non-fatal error record: exit 0"
is "$(q "$DB3" 'SELECT count(*) FROM clips')" 1 "non-fatal error record: clip stored"

DB4=$T/malformed.db
{
	stream s5 "Garbled" alpha
	clip "$T/clips/m1.mp4" audio 0 s5 0.5
	printf '{"type":"clip", "path": oops}\n'
	end s5
} >malformed.jsonl
run -i malformed.jsonl kc-db --db "$DB4" add
is "$RC" 1 "malformed line: exit 1"
like "$ERR" "^kc-db: <stdin>:3: " "malformed line: error names <stdin>:3"
is "$(printf '%s\n' "$ERR" | grep -c .)" 1 "malformed line: one line of error"
is "$(q "$DB4" 'SELECT count(*) FROM clips')" 0 "malformed line: no clips"
is "$(q "$DB4" 'SELECT count(*) FROM streams')" 0 "malformed line: no stream row"

printf '%s\n' '{"type":"clip","path":"/x.mp4","kind":"speech","t0":0,"t1":5}' >badkind.jsonl
run -i badkind.jsonl kc-db --db "$DB4" add
is "$RC" 1 "clip with a bad kind: exit 1"
like "$ERR" '<stdin>:1: clip: "kind" is not "audio", "video" or "chat": "speech"' \
    "clip with a bad kind: says why, with the value"
is "$(q "$DB4" 'SELECT count(*) FROM clips')" 0 "clip with a bad kind: nothing stored"

{ stream s6 "One" alpha; clip "$T/clips/o1.mp4" audio 0 s7 0.5; end s6; } >wrongstream.jsonl
run -i wrongstream.jsonl kc-db --db "$DB4" add
is "$RC" 1 "clip of another stream: exit 1"
is "$(q "$DB4" 'SELECT count(*) FROM clips')" 0 "clip of another stream: nothing stored"

# Hand-written clips, no stream record: stored at end of input.
DB5=$T/loose.db
{
	clip "$T/clips/l1.mp4" audio 0 s8 0.5
	clip "$T/clips/l2.mp4" video 30 s8 0.6
} >loose.jsonl
run -i loose.jsonl kc-db --db "$DB5" add
is "$RC" 0 "clips without stream record: exit 0"
is "$(q "$DB5" 'SELECT count(*) FROM clips')" 2 "clips without stream record: stored"
is "$(q "$DB5" "SELECT url FROM streams WHERE id = 's8'")" "/media/s8.mp4" \
    "clips without stream record: stub stream row from the clip"
printf '%s\n' '{"type":"clip","path":"rel/r1.mp4","kind":"audio","t0":0,"t1":5}' >rel.jsonl
run -i rel.jsonl kc-db --db "$DB5" add
is "$(q "$DB5" "SELECT count(*) FROM clips WHERE path = '$(pwd -P)/rel/r1.mp4' AND stream_id IS NULL")" 1 \
    "relative clip path stored absolute"

# A live stream is committed clip by clip.
DB6=$T/live.db
{
	stream s10 "Live now" alpha true
	clip "$T/clips/lv1.mp4" audio 0 s10 0.5
	clip "$T/clips/lv2.mp4" audio 60 s10 0.6
} >live.jsonl
run -i live.jsonl kc-db --db "$DB6" add
is "$RC" 1 "live stream cut off: exit 1"
like "$ERR" "live stream s10 .*2 clips stored so far are kept" \
    "live stream cut off: says what was kept"
is "$(q "$DB6" 'SELECT count(*) FROM clips')" 2 "live stream cut off: its clips are stored"
is "$(q "$DB6" "SELECT live FROM streams WHERE id = 's10'")" 1 "live stream: marked live"

# Each live clip is committed before the next record is read: a reader
# sees the first clip while the writer is still waiting for input.
DB7=$T/live2.db
mkfifo live.fifo
kc-db --db "$DB7" add <live.fifo 2>live.err &
livepid=$!
exec 7>live.fifo
{ stream s11 "Live" alpha true; clip "$T/clips/lw1.mp4" audio 0 s11 0.5; } >&7
n=0
for _ in $(seq 1 1200); do
	n=$(q "$DB7" 'SELECT count(*) FROM clips' 2>/dev/null)
	[ "$n" = 1 ] && break
	sleep 0.1
done
is "$n" 1 "live stream: a clip is visible before the stream ends"
end s11 >&7
exec 7>&-
wait "$livepid"
is "$?" 0 "live stream with its end: exit 0"

# --- rate ----------------------------------------------------------------

before=$(q "$DB" 'SELECT count(*) FROM ratings')
for bad in 6 0 x 3.5 -1 ""; do
	run kc-db --db "$DB" rate 1 "$bad"
	is "$RC" 2 "rate 1 '$bad': usage error"
	like "$ERR" "stars must be an integer 1-5, got '$bad'" "rate 1 '$bad': names the value"
done
is "$(q "$DB" 'SELECT count(*) FROM ratings')" "$before" "bad ratings: ratings table unchanged"
is "$(q "$DB" 'SELECT count(*) FROM clips WHERE rating IS NOT NULL')" 0 \
    "bad ratings: no clip rated"

run kc-db --db "$DB" rate 999 3
is "$RC" 1 "rate unknown id: exit 1"
like "$ERR" "no clip with id 999" "rate unknown id: message"
run kc-db --db "$DB" rate abc 3
is "$RC" 2 "rate non-numeric id: usage error"
run kc-db --db "$DB" rate 1
is "$RC" 2 "rate with one operand: usage error"

run kc-db --db "$DB" rate 1 2
is "$RC" 0 "rate 1 2: exit 0"
run kc-db rate --db "$DB" 1 4
is "$RC" 0 "rate again (--db after the command): exit 0"
is "$(q "$DB" 'SELECT group_concat(stars, ",") FROM (SELECT stars FROM ratings WHERE clip_id = 1 ORDER BY id)')" \
    "2,4" "re-rate: both ratings in the history"
is "$(q "$DB" 'SELECT rating FROM clips WHERE id = 1')" 4 "re-rate: latest rating on the clip"
is "$(q "$DB" 'SELECT count(*) FROM clips c JOIN ratings r ON r.clip_id = c.id WHERE c.id = 1 AND r.created = c.rated_at AND r.id = (SELECT max(id) FROM ratings WHERE clip_id = 1)')" \
    1 "re-rate: rated_at is the latest rating's time"
run -i in1.jsonl kc-db --db "$DB" add
is "$(q "$DB" 'SELECT rating FROM clips WHERE id = 1')" 4 "add again keeps the rating"

# A path stored for a clip of another stream: the file there is no longer
# the video the row describes (clips of every stream once shared names),
# or the record is wrong.  The row keeps its stream, times and rating;
# that clip is refused, the stream's others are stored.
DBX=$T/conflict.db
{
	stream sa "Stream A" alpha
	clip "$T/clips/same.mp4" audio 10 sa 0.9
	clip "$T/clips/a-only.mp4" video 60 sa 0.5
	end sa
} >xa.jsonl
kc-db --db "$DBX" add -q <xa.jsonl
kc-db --db "$DBX" rate 1 4
rows_of() { q "$DBX" "SELECT group_concat(x, ' ') FROM (SELECT id || '|' || path || '|' || stream_id || '|' || t0 || '|' || t1 || '|' || ifnull(rating, '-') AS x FROM clips WHERE stream_id = '$1' ORDER BY id)"; }
rows_a=$(rows_of sa)
is "$rows_a" "1|$T/clips/same.mp4|sa|10.0|40.0|4 2|$T/clips/a-only.mp4|sa|60.0|90.0|-" \
    "conflict: stream A's rows, one rated"
{
	stream sb "Stream B" beta
	clip "$T/clips/same.mp4" audio 300 sb 0.4
	clip "$T/clips/b-only.mp4" audio 400 sb 0.6
	end sb
} >xb.jsonl
run -i xb.jsonl kc-db --db "$DBX" add --print
is "$RC" 1 "another stream's path: exit 1"
like "$ERR" "^kc-db: $DBX: clip $T/clips/same\.mp4 of stream sb \"Stream B\": the path already belongs to clip 1 of stream sa \"Stream A\"; not added\$" \
    "another stream's path: the message names the path and both streams"
like "$ERR" "added 1 clip \(1 refused\) to " "another stream's path: the summary counts it"
is "$(rows_of sa)" "$rows_a" "another stream's path: stream A's rows keep stream, times and rating"
is "$(q "$DBX" 'SELECT count(*) FROM ratings')" 1 "another stream's path: the rating history is intact"
is "$(rows_of sb | cut -d'|' -f2-)" "$T/clips/b-only.mp4|sb|400.0|430.0|-" \
    "another stream's path: stream B's other clip is stored"
is "$(printf '%s\n' "$OUT" | jq -r 'select(.type == "clip") | "\(.id) \(.path)"')" \
    "$(q "$DBX" "SELECT id || ' ' || path FROM clips WHERE stream_id = 'sb'")" \
    "another stream's path: --print writes the stored clip only"
{ stream sc "Live C" gamma true; clip "$T/clips/same.mp4" audio 5 sc 0.4; end sc; } >xc.jsonl
run -i xc.jsonl kc-db --db "$DBX" add
is "$RC" 1 "another stream's path, live: exit 1"
like "$ERR" "clip $T/clips/same\.mp4 of live stream sc|clip $T/clips/same\.mp4 of stream sc" \
    "another stream's path, live: refused too"
is "$(rows_of sa)" "$rows_a" "another stream's path, live: stream A's rows unchanged"
run -i xa.jsonl kc-db --db "$DBX" add
is "$RC" 0 "the same stream's paths again: exit 0"
like "$ERR" "added 0 clips \(2 already known\)" "the same stream's paths again: already known"
printf '%s\n' "{\"type\":\"clip\",\"path\":\"$T/clips/same.mp4\",\"kind\":\"audio\",\"t0\":0,\"t1\":5}" >xloose.jsonl
run -i xloose.jsonl kc-db --db "$DBX" add
is "$RC" 0 "a clip of no stream on a stored path: exit 0 (nothing says it is another's)"
like "$ERR" "added 0 clips \(1 already known\)" "a clip of no stream on a stored path: already known"
is "$(rows_of sa)" "$rows_a" "after all that, stream A's rows are as they were"

# 20 writers at once, each on its own clip.
DBC=$T/concurrent.db
for i in $(seq 1 20); do clip "$T/clips/c$i.mp4" audio "$((i * 40))" sc 0.5; done >many.jsonl
kc-db --db "$DBC" add -q <many.jsonl
pids=()
for i in $(seq 1 20); do
	timeout 60 kc-db --db "$DBC" rate "$i" "$((i % 5 + 1))" 2>"rate.$i.err" &
	pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
is "$failed" 0 "20 concurrent rates: all exit 0"
[ "$failed" -eq 0 ] || diag "$(cat rate.*.err)"
is "$(q "$DBC" "SELECT count(*) || ' ' || count(DISTINCT clip_id) FROM ratings")" "20 20" \
    "20 concurrent rates: 20 history rows, one per clip"
is "$(q "$DBC" 'SELECT count(*) FROM clips WHERE rating = id % 5 + 1')" 20 \
    "20 concurrent rates: every clip has its own rating"
is "$(q "$DBC" 'PRAGMA integrity_check')" ok "20 concurrent rates: integrity ok"

# --- list ----------------------------------------------------------------

# main.db: 4 clips, clip 1 rated 4; rate one more for the filters
kc-db --db "$DB" rate 4 2
ids() { jq -r .id | sort -n | paste -sd, -; }
sqlids() { q "$DB" "SELECT group_concat(id, ',') FROM (SELECT id FROM clips $1 ORDER BY id)"; }

run kc-db --db "$DB" list --json
is "$RC" 0 "list --json: exit 0"
is "$(printf '%s\n' "$OUT" | ids)" "$(sqlids '')" "list --json: every clip"
is "$(printf '%s\n' "$OUT" | jq -r 'select(.id == 1) | "\(.rating) \(.title) \(.channel) \(.stream) \(.features.rms_mean)"')" \
    "4 First stream alpha s1 0.45" "list --json: rating, stream fields and features"
is "$(kc-db --db "$DB" list --json --unrated | ids)" "$(sqlids 'WHERE rating IS NULL')" \
    "list --unrated: the unrated ids"
is "$(kc-db --db "$DB" list --json --rated | ids)" "$(sqlids 'WHERE rating IS NOT NULL')" \
    "list --rated: the rated ids"
is "$(kc-db --db "$DB" list --json --kind video | ids)" "$(sqlids "WHERE kind = 'video'")" \
    "list --kind video: the video ids"
is "$(kc-db --db "$DB" list --json --unrated --kind audio | ids)" \
    "$(sqlids "WHERE kind = 'audio' AND rating IS NULL")" "list --unrated --kind audio"
is "$(kc-db --db "$DB" list --json --min-stars 3 | ids)" "$(sqlids 'WHERE rating >= 3')" \
    "list --min-stars 3"
is "$(kc-db --db "$DB" list --json --stream s2 | ids)" "$(sqlids "WHERE stream_id = 's2'")" \
    "list --stream ID"
is "$(kc-db --db "$DB" list --json --stream /media/s1.mp4 | ids)" "$(sqlids "WHERE stream_id = 's1'")" \
    "list --stream URL"
is "$(kc-db --db "$DB" list --json --sort score | jq -r .id | paste -sd, -)" \
    "$(q "$DB" "SELECT group_concat(id, ',') FROM (SELECT id FROM clips ORDER BY score DESC)")" \
    "list --sort score: best first"
is "$(kc-db --db "$DB" list --json --sort time | jq -r .id | paste -sd, -)" \
    "$(q "$DB" "SELECT group_concat(c.id, ',') FROM (SELECT c.id FROM clips c JOIN streams s ON s.id = c.stream_id ORDER BY s.first_seen, c.stream_id, c.t0) c")" \
    "list --sort time: stream by stream, by start"
is "$(kc-db --db "$DB" list --json --limit 2 | jq -r .id | wc -l)" 2 "list --limit 2"
run kc-db --db "$DB" list --kind speech
is "$RC" 2 "list --kind speech: usage error"
run kc-db --db "$DB" list --unrated --rated
is "$RC" 2 "list --unrated --rated: usage error"
run kc-db --db "$DB" list --limit 0
is "$RC" 2 "list --limit 0: usage error"

run kc-db --db "$DB" list
is "$RC" 0 "list (table): exit 0"
is "$(nlines "$OUT")" 5 "list (table): header and 4 rows"
like "$(printf '%s\n' "$OUT" | awk '$1 == 1')" \
    '^ +1 +4 +audio +0\.900 +0:00:10 +0:30 +First stream +a1\.mp4$' "list (table): a rated row"
like "$(printf '%s\n' "$OUT" | awk '$1 == 3')" \
    '^ +3 +- +audio +0\.700 +0:03:20 +0:30 +First stream +a2\.mp4$' "list (table): an unrated row"

run kc-db --db "$T/missing.db" list
is "$RC" 1 "list on a missing database: exit 1"
like "$ERR" "missing.db: no such database" "list on a missing database: message"
ok "list on a missing database: not created" test ! -e "$T/missing.db"

# a reader that goes away early is not an error
kc-db --db "$DBC" list --json 2>pipe.err | head -n 1 >/dev/null
is "$(cat pipe.err)" "" "list | head: no message on a closed pipe"

# --- stats ---------------------------------------------------------------

run kc-db --db "$DB" stats --json
is "$RC" 0 "stats --json: exit 0"
printf '%s\n' "$OUT" >stats.json
is "$(jq -r .type stats.json)" stats "stats --json: a stats object"
is "$(jq -r '"\(.clips) \(.rated) \(.unrated) \(.streams)"' stats.json)" \
    "$(q "$DB" "SELECT count(*) || ' ' || count(rating) || ' ' || (count(*) - count(rating)) || ' ' || (SELECT count(*) FROM streams) FROM clips")" \
    "stats --json: clips, rated, unrated, streams"
is "$(jq -r '[.stars["1","2","3","4","5"]] | join(",")' stats.json)" \
    "$(q "$DB" "SELECT group_concat(n, ',') FROM (SELECT (SELECT count(*) FROM clips WHERE rating = s.v) AS n FROM (SELECT 1 AS v UNION SELECT 2 UNION SELECT 3 UNION SELECT 4 UNION SELECT 5) s ORDER BY s.v)")" \
    "stats --json: histogram"
cmp_ok "$(jq -r .mean stats.json)" == "$(q "$DB" 'SELECT avg(rating) FROM clips')" \
    "stats --json: mean"
is "$(jq -r '"\(.kinds.audio.clips) \(.kinds.audio.rated) \(.kinds.video.clips) \(.kinds.video.rated)"' stats.json)" \
    "$(q "$DB" "SELECT (SELECT count(*) FROM clips WHERE kind = 'audio') || ' ' || (SELECT count(rating) FROM clips WHERE kind = 'audio') || ' ' || (SELECT count(*) FROM clips WHERE kind = 'video') || ' ' || (SELECT count(rating) FROM clips WHERE kind = 'video')")" \
    "stats --json: per kind"
is "$(jq -r '.channels[] | "\(.channel):\(.clips):\(.streams)"' stats.json | sort | paste -sd, -)" \
    "$(q "$DB" "SELECT group_concat(x, ',') FROM (SELECT s.channel || ':' || count(*) || ':' || count(DISTINCT c.stream_id) AS x FROM clips c JOIN streams s ON s.id = c.stream_id GROUP BY s.channel ORDER BY s.channel)")" \
    "stats --json: per channel clips and streams"
run kc-db --db "$DB" stats
is "$RC" 0 "stats (text): exit 0"
like "$OUT" "clips +4 \(2 rated, 2 unrated\) from 2 streams" "stats (text): totals"
run kc-db --db "$T/empty.db" add </dev/null
run kc-db --db "$T/empty.db" stats --json
is "$(printf '%s\n' "$OUT" | jq -c '[.clips, .rated, .mean]')" "[0,0,null]" "stats on an empty database"

# After any kc-clip run the model folder holds channels.json and no model
# generation yet: stats must list no models (it sorted an empty, NULL list
# of names, which UBSan aborts on).
DBM=$T/chanonly.db
{
	stream s20 "Channel only" gamma
	printf '%s\n' '{"type":"featstats","stream":"s20","channel":"gamma","audio":{"hops":600,"features":{"loudness_db":[-30,4]}}}'
	clip "$T/clips/co1.mp4" audio 0 s20 0.5
	end s20
} >chanonly.jsonl
run -i chanonly.jsonl kc-db --db "$DBM" add -q
is "$RC" 0 "channel statistics: add exit 0"
is "$(ls "$DBM.model")" channels.json "channel statistics: the model folder holds only channels.json"
run kc-db --db "$DBM" stats --json
is "$RC" 0 "stats with only channels.json: exit 0"
is "$ERR" "" "stats with only channels.json: nothing on stderr"
is "$(printf '%s\n' "$OUT" | jq -c '[.clips, .models]')" "[1,[]]" \
    "stats with only channels.json: no model generations"
run kc-db --db "$DBM" stats
is "$RC" 0 "stats (text) with only channels.json: exit 0"
is "$ERR" "" "stats (text) with only channels.json: nothing on stderr"
like "$OUT" "clips +1 " "stats (text) with only channels.json: totals"

# --- export --------------------------------------------------------------

run kc-db --db "$DB" export
is "$RC" 0 "export: exit 0"
printf '%s\n' "$OUT" >export.jsonl
is "$(jq -c . export.jsonl >/dev/null 2>&1 && echo valid)" valid "export: every line is JSON"
is "$(nlines "$OUT")" "$(q "$DB" 'SELECT count(*) FROM clips WHERE rating IS NOT NULL')" \
    "export: one line per rated clip"
is "$(jq -r 'select(.type != "rated") | .type' export.jsonl)" "" "export: type rated"
is "$(jq -r '"\(.id) \(.stars) \(.stream) \(.channel) \(.kind) \(.t0) \(.t1) \(.features.flux_max)"' export.jsonl | paste -sd, -)" \
    "$(q "$DB" "SELECT group_concat(x, ',') FROM (SELECT c.id || ' ' || c.rating || ' ' || c.stream_id || ' ' || s.channel || ' ' || c.kind || ' ' || CAST(c.t0 AS INTEGER) || ' ' || CAST(c.t1 AS INTEGER) || ' ' || json_extract(c.features, '\$.flux_max') AS x FROM clips c JOIN streams s ON s.id = c.stream_id WHERE c.rating IS NOT NULL ORDER BY c.id)")" \
    "export: ids, stars, stream, channel, times and features match the rows"
is "$(jq -r 'select((.score | type) != "number" or (.rated_at | type) != "string" or (.features | type) != "object" or has("heuristic") == false or has("model") == false) | .id' export.jsonl)" \
    "" "export: score, heuristic, model, rated_at, features present"
is "$(kc-db --db "$DB" export --kind video | jq -r .kind | sort -u)" \
    "$(q "$DB" "SELECT DISTINCT kind FROM clips WHERE rating IS NOT NULL AND kind = 'video'")" \
    "export --kind video: only video"

# --- delete --------------------------------------------------------------

DBD=$T/delete.db
: >"$T/clips/d1.mp4"; : >"$T/clips/d3.mp4"
{
	clip "$T/clips/d1.mp4" audio 0 sd 0.5
	clip "$T/clips/d2.mp4" audio 40 sd 0.5
	clip "$T/clips/d3.mp4" audio 80 sd 0.5
} | kc-db --db "$DBD" add -q
kc-db --db "$DBD" rate 1 5
run kc-db --db "$DBD" delete 1
is "$RC" 0 "delete: exit 0"
ok "delete: file removed" test ! -e "$T/clips/d1.mp4"
is "$(q "$DBD" 'SELECT count(*) FROM clips WHERE id = 1')" 0 "delete: row removed"
is "$(q "$DBD" 'SELECT count(*) FROM ratings WHERE clip_id = 1')" 0 "delete: ratings removed"
run kc-db --db "$DBD" delete 2
is "$RC" 0 "delete with the file already gone: exit 0"
like "$ERR" "d2.mp4: file already gone" "delete with the file already gone: warns"
is "$(q "$DBD" 'SELECT count(*) FROM clips WHERE id = 2')" 0 "delete with the file already gone: row removed"
run kc-db --db "$DBD" delete --keep-file 3
is "$RC" 0 "delete --keep-file: exit 0"
ok "delete --keep-file: file kept" test -e "$T/clips/d3.mp4"
is "$(q "$DBD" 'SELECT count(*) FROM clips')" 0 "delete --keep-file: row removed"
run kc-db --db "$DBD" delete 3
is "$RC" 1 "delete an unknown id: exit 1"
# unlink refuses a directory, even to root: the row must stay then
mkdir -p "$T/clips/d4.mp4"
clip "$T/clips/d4.mp4" audio 0 sd 0.5 | kc-db --db "$DBD" add -q
is "$(q "$DBD" "SELECT id FROM clips WHERE path = '$T/clips/d4.mp4'")" 4 \
    "a deleted clip's id is not handed out again"
run kc-db --db "$DBD" delete 4
is "$RC" 1 "delete when the file cannot be removed: exit 1"
like "$ERR" "d4.mp4: cannot remove: " "delete when the file cannot be removed: says why"
like "$ERR" "delete.db: clip 4 not deleted" "delete when the file cannot be removed: says so"
is "$(q "$DBD" 'SELECT count(*) FROM clips WHERE id = 4')" 1 \
    "delete when the file cannot be removed: row kept"
# a commit that fails (here a deferred foreign key of the test's own; a
# full disk in life) after the files were taken: they come back, whole
echo clip5 >"$T/clips/d5.mp4"; echo strip5 >"$T/clips/d5.strip.jpg"
clip "$T/clips/d5.mp4" audio 120 sd 0.5 | kc-db --db "$DBD" add -q
kc-db --db "$DBD" rate 5 4 >/dev/null
q "$DBD" 'CREATE TABLE pin (c INTEGER REFERENCES clips (id) DEFERRABLE INITIALLY DEFERRED);
    INSERT INTO pin VALUES (5)'
run kc-db --db "$DBD" delete 5
is "$RC" 1 "delete whose commit fails: exit 1"
like "$ERR" "delete.db: .*FOREIGN KEY" "delete whose commit fails: says why"
is "$(cat "$T/clips/d5.mp4" "$T/clips/d5.strip.jpg" | paste -sd' ')" "clip5 strip5" \
    "delete whose commit fails: the clip and its strip are back, whole"
is "$(find "$T/clips" -name '*kc-deleting*' | wc -l)" 0 "delete whose commit fails: nothing left aside"
is "$(q "$DBD" 'SELECT rating FROM clips WHERE id = 5')" 4 "delete whose commit fails: the row and its rating kept"
q "$DBD" 'DROP TABLE pin'
run kc-db --db "$DBD" delete 5
is "$RC" 0 "delete once the commit can succeed: exit 0"
is "$(ls "$T/clips" | grep -c '^d5\|kc-deleting')" 0 "delete: the clip, its strip, nothing aside"

# --- a clip's files: poster, strip, vertical copy; undo; list --id --------
# kc-cut's poster and vertical copy belong to the clip's one row (schema
# 4): the same clip again with them (kc-cut --export-vertical's output)
# updates the row and keeps its rating; delete takes every file along.
DBF=$T/files.db
mkdir -p "$T/files"
for f in f1.mp4 f1.jpg f1.strip.jpg f1.vertical.mp4 f2.mp4; do : >"$T/files/$f"; done
{ stream sf "Files" eps; clip "$T/files/f1.mp4" audio 0 sf 0.5
  clip "$T/files/f2.mp4" video 60 sf 0.4; end sf; } | kc-db --db "$DBF" add -q
kc-db --db "$DBF" rate 1 4 2>/dev/null
run -i <(stream sf "Files" eps
    clip "$T/files/f1.mp4" audio 0 sf 0.5 | jq -c --arg d "$T/files" \
        '. + {poster: ($d + "/f1.jpg"), strip: ($d + "/f1.strip.jpg"),
              strip_frames: 8, vertical_path: ($d + "/f1.vertical.mp4"),
              vertical_mode: "fit"}'
    end sf) kc-db --db "$DBF" add
is "$RC" 0 "a stored clip with its new files: exit 0"
like "$ERR" "added 0 clips \\(1 already known\\) to .*files.db; 1 stored clip took a new poster or vertical copy" \
    "a stored clip with its new files: the summary says so"
is "$(q "$DBF" 'SELECT count(*) || " " || rating || " " || poster || " " || vertical_path FROM clips WHERE id = 1')" \
    "1 4 $T/files/f1.jpg $T/files/f1.vertical.mp4" \
    "a stored clip with its new files: one row, its rating kept, the files stored"
run kc-db --db "$DBF" list --json --id 1
is "$RC" 0 "list --id 1: exit 0"
is "$(printf '%s\n' "$OUT" | jq -r '"\(.id) \(.poster) \(.vertical_path)"')" \
    "1 $T/files/f1.jpg $T/files/f1.vertical.mp4" "list --id 1: that clip, with its poster and vertical copy"
is "$(kc-db --db "$DBF" list --json --id 2 | jq -c '[.id, .poster, .vertical_path]')" '[2,null,null]' \
    "list --id 2: no poster, no vertical copy: null"
run kc-db --db "$DBF" list --id 9
is "$RC" 1 "list --id 9 (no such clip): exit 1"
like "$ERR" "no clip with id 9" "list --id 9: says so"
# undo
kc-db --db "$DBF" rate 1 2 2>/dev/null
run kc-db --db "$DBF" undo 1
is "$RC:$OUT" "0:4" "undo: exit 0, the clip has its earlier 4 stars back"
run kc-db --db "$DBF" undo 1
is "$RC:$OUT" "0:unrated" "undo the first rating: unrated"
is "$(q "$DBF" 'SELECT count(*) FROM clips WHERE id = 1 AND rating IS NULL AND rated_at IS NULL')" 1 \
    "undo the first rating: the row unrated"
is "$(q "$DBF" 'SELECT count(*) FROM ratings')" 0 "undo: the history lost those ratings"
# (unrated again, so --sort informative lists it, the one with a poster)
is "$(kc-db --db "$DBF" list --json --sort informative | jq -r 'select(.id == 1) | .poster')" \
    "$T/files/f1.jpg" "list --sort informative: the poster too"
run kc-db --db "$DBF" undo 1
is "$RC" 1 "undo with no rating left: exit 1"
like "$ERR" "clip 1 has no rating to take back" "undo with no rating left: says so"
run kc-db --db "$DBF" undo 7
is "$RC" 1 "undo an unknown clip: exit 1"
like "$ERR" "no clip with id 7" "undo an unknown clip: says so"
run kc-db --db "$DBF" undo one
is "$RC" 2 "undo one: usage error"
run kc-db --db "$DBF" delete 1
is "$RC" 0 "delete a clip with files: exit 0"
is "$(ls "$T/files" | paste -sd, -)" "f2.mp4" \
    "delete: the clip, its poster, strip and vertical copy all removed"

# --- chat clips ----------------------------------------------------------
# A third kind, picked by kc-score from the chat's own scores: stored,
# listed, rated, counted and exported like the others.
DBX=$T/chat.db
{
	stream sx "Chatty" delta
	clip "$T/clips/x1.mp4" audio 10 sx 0.6
	clip "$T/clips/x2.mp4" chat 70 sx 0.8
	clip "$T/clips/x3.mp4" video 130 sx 0.5
	clip "$T/clips/x4.mp4" chat 190 sx 0.3
	end sx
} >chat.jsonl
run -i chat.jsonl kc-db --db "$DBX" add
is "$RC" 0 "chat clips: add exit 0"
is "$(q "$DBX" "SELECT group_concat(id || ':' || kind, ',') FROM (SELECT * FROM clips ORDER BY id)")" \
    "1:audio,2:chat,3:video,4:chat" "chat clips: stored with their kind"
is "$(kc-db --db "$DBX" list --json --kind chat | jq -r .id | sort -n | paste -sd, -)" "2,4" \
    "list --kind chat: the chat clips"
is "$(kc-db --db "$DBX" list --json --kind chat | jq -r .kind | sort -u)" chat \
    "list --kind chat: of kind chat"
like "$(kc-db --db "$DBX" list | awk '$1 == 2')" \
    '^ +2 +- +chat +0\.800 +0:01:10 +0:30 +Chatty +x2\.mp4$' "list (table): a chat row"
run kc-db --db "$DBX" rate 2 4
is "$RC" 0 "rate a chat clip: exit 0"
run kc-db --db "$DBX" rate 4 1
is "$(q "$DBX" "SELECT group_concat(clip_id || ':' || stars, ',') FROM ratings")" "2:4,4:1" \
    "rate chat clips: the ratings' history"
is "$(q "$DBX" "SELECT rating FROM clips WHERE id = 2")" 4 "rate a chat clip: its rating"
run kc-db --db "$DBX" stats --json
is "$(printf '%s\n' "$OUT" | jq -c '.kinds.chat | [.clips, .rated, .unrated, .stars["1"], .stars["4"], .mean]')" \
    "[2,2,0,1,1,2.5]" "stats --json: the chat clips counted per kind"
is "$(printf '%s\n' "$OUT" | jq -c '[(.kinds | keys[]), .kinds.audio.clips, .kinds.video.clips, .clips, .rated]')" \
    '["audio","chat","video",1,1,4,2]' "stats --json: each kind beside it"
run kc-db --db "$DBX" stats
like "$OUT" "chat +2 +2 +0 +2\.50" "stats (text): a chat line"
run kc-db --db "$T/empty.db" stats --json
is "$(printf '%s\n' "$OUT" | jq -c '[.kinds | to_entries[] | "\(.key):\(.value.clips)"]')" \
    '["audio:0","video:0","chat:0"]' "stats --json on an empty database: every kind, chat too"
run kc-db --db "$DBX" export --kind chat
is "$(printf '%s\n' "$OUT" | jq -r '"\(.id) \(.kind) \(.stars)"' | paste -sd, -)" "2 chat 4,4 chat 1" \
    "export --kind chat: the rated chat clips"
run kc-db --db "$DBX" list --kind speech
is "$RC" 2 "list --kind speech: exit 2"
like "$ERR" "list: --kind must be audio, video or chat, got 'speech'" \
    "list --kind speech: names the kinds there are"
run kc-db --db "$DBX" export --kind Chat
is "$RC" 2 "export --kind Chat: exit 2 (kinds are lower case)"
printf '%s\n' '{"type":"clip","path":"/x/c.mp4","kind":"chats","t0":0,"t1":5}' >badchat.jsonl
run -i badchat.jsonl kc-db --db "$DBX" add
is "$RC" 1 "clip of kind chats: exit 1"
like "$ERR" '<stdin>:1: clip: "kind" is not "audio", "video" or "chat": "chats"' \
    "clip of kind chats: says why"
is "$(q "$DBX" 'SELECT count(*) FROM clips')" 4 "clip of kind chats: not stored"

# --- a database of the previous schema ------------------------------------
# tests/data/db/kc-v2.sql: made by kc-db at schema version 2 (before chat
# clips could be stored), with ratings and a deleted clip.  Opening it
# migrates it; every row, rating and the id counter come through as they
# were, and its ratings still refer to their clips.
V2=$KC_ROOT/tests/data/db/kc-v2.sql
data() { sqlite3 "$1" .dump | grep -E '^(INSERT|DELETE)'; }
# a migrated database's rows: schema 4's new clips columns (poster and
# vertical_path, last) must be NULL, and are cut off to compare
migrated() {
	data "$1" | sed -E 's/^(INSERT INTO clips VALUES\(.*),NULL,NULL\);$/\1);/'
}
sqlite3 v2.db <"$V2" >/dev/null || bail "cannot load $V2"
is "$(q v2.db 'PRAGMA user_version')" 2 "kc-v2.sql: a database of schema version 2"
data v2.db >v2.before
run kc-db --db v2.db list --json
is "$RC" 0 "version 2: list exit 0"
is "$ERR" "" "version 2: migrated without a word"
is "$(printf '%s\n' "$OUT" | jq -r '"\(.id):\(.rating)"' | sort | paste -sd, -)" "1:4,2:3,3:null,4:3" \
    "version 2: its clips and ratings listed"
is "$(q v2.db 'PRAGMA user_version')" 4 "version 2: now version 4"
migrated v2.db >v2.after
ok "version 2: every row the same, the id counter too" cmp v2.before v2.after
is "$(q v2.db 'PRAGMA foreign_key_check')" "" "version 2: every reference whole"
is "$(q v2.db "SELECT \"table\" FROM pragma_foreign_key_list('ratings')")" clips \
    "version 2: ratings refer to the clips table"
is "$(q v2.db "SELECT count(*) FROM sqlite_schema WHERE name LIKE '%v2%'")" 0 \
    "version 2: no table left over"
is "$(q v2.db 'PRAGMA integrity_check')" ok "version 2: integrity ok"
run kc-db --db v2.db export
is "$(printf '%s\n' "$OUT" | jq -r '"\(.id) \(.kind) \(.stars) \(.channel)"' | paste -sd, -)" \
    "1 audio 4 alpha,2 video 3 alpha,4 video 3 null" "version 2: the old ratings exported"
printf '%s\n' "{\"type\":\"clip\",\"path\":\"$T/clips/v2chat.mp4\",\"kind\":\"chat\",\"t0\":5,\"t1\":35}" |
    kc-db --db v2.db add -q
is "$(q v2.db "SELECT id FROM clips WHERE kind = 'chat'")" 6 \
    "version 2: a chat clip, with the id after the deleted clip's"
run kc-db --db v2.db rate 6 5
is "$(q v2.db "SELECT count(*) || ' ' || sum(stars) FROM ratings")" "6 22" \
    "version 2: rated beside the old ratings"
# many processes opening the old file at once: one migrates, none fails
sqlite3 v2race.db <"$V2" >/dev/null || bail "cannot load $V2"
for i in 1 2 3 4 5 6 7 8; do
	kc-db --db v2race.db list --json >"race$i.out" 2>"race$i.err" &
done
failed=0
for i in 1 2 3 4 5 6 7 8; do wait -n || failed=$((failed + 1)); done
is "$failed" 0 "version 2 opened by 8 processes at once: all exit 0"
is "$(cat race*.err)" "" "version 2 opened by 8 at once: nothing on stderr"
is "$(cat race*.out | jq -r .id | sort | uniq -c | awk '{ print $1 }' | sort -u)" 8 \
    "version 2 opened by 8 at once: each listed every clip"
migrated v2race.db >v2race.after
ok "version 2 opened by 8 at once: every row the same" cmp v2.before v2race.after
is "$(q v2race.db 'PRAGMA user_version')" 4 "version 2 opened by 8 at once: version 4"

# --- paths, versions, usage ----------------------------------------------

ODD="$T/my \"odd\" 'kc' db.sqlite"
run -i in1.jsonl kc-db --db "$ODD" add
is "$RC" 0 "db path with spaces and quotes: add"
is "$(q "$ODD" 'SELECT count(*) FROM clips')" 4 "db path with spaces and quotes: rows"
run env KC_DB="$ODD" kc-db rate 2 5
is "$RC" 0 "db path from \$KC_DB: rate"
is "$(q "$ODD" 'SELECT rating FROM clips WHERE id = 2')" 5 "db path from \$KC_DB: rating stored"
run -i in1.jsonl env KC_DB="$T/ignored.db" kc-db --db "$ODD" add -q
ok "--db wins over \$KC_DB" test ! -e "$T/ignored.db"

# Debian's SQLite reads "file:..." names as URIs; kc-db must not
run -i in1.jsonl kc-db --db "file:uri.db?mode=ro" add -q
is "$RC" 0 "db named like a URI: add"
is "$(q "./file:uri.db?mode=ro" 'SELECT count(*) FROM clips')" 4 "db named like a URI: a plain file"

DBN=$T/newer.db
cp "$DB" "$DBN"
q "$DBN" "PRAGMA user_version = $(( $(q "$DB" 'PRAGMA user_version') + 1 ))" >/dev/null
sum=$(sha256sum <"$DBN")
for cmd in "list" "stats" "rate 1 3" "export"; do
	# shellcheck disable=SC2086
	run kc-db --db "$DBN" $cmd
	is "$RC" 1 "newer schema, $cmd: exit 1"
	like "$ERR" "newer.db: database schema version [0-9]+ is newer than this build knows" \
	    "newer schema, $cmd: message"
done
run -i in1.jsonl kc-db --db "$DBN" add
is "$RC" 1 "newer schema, add: exit 1"
is "$(sha256sum <"$DBN")" "$sum" "newer schema: file unchanged"

printf 'not a database at all, only text that is long enough to be read\n' >notdb
run kc-db --db notdb list
is "$RC" 1 "not a database: exit 1"
like "$ERR" "notdb: .*not a database" "not a database: message"
q "$T/other.db" 'CREATE TABLE t (x)'
run kc-db --db "$T/other.db" list
is "$RC" 1 "another program's database: exit 1"
like "$ERR" "not a kc one" "another program's database: message"

run kc-db --help
is "$RC" 0 "--help: exit 0"
like "$OUT" "^usage: kc-db" "--help: usage on stdout"
like "$OUT" "exit status" "--help: documents exit status"
for cmd in add list rate stats export delete; do
	run kc-db "$cmd" --help
	is "$RC" 0 "$cmd --help: exit 0"
	like "$OUT" "^usage: kc-db .*$cmd" "$cmd --help: its usage"
done
run kc-db frobnicate
is "$RC" 2 "unknown command: exit 2"
like "$ERR" "unknown command 'frobnicate'" "unknown command: message"
run kc-db
is "$RC" 2 "no command: exit 2"
run kc-db list --frob
is "$RC" 2 "unknown option: exit 2"
like "$ERR" "list: unknown option '--frob'" "unknown option: message"
run kc-db --db
is "$RC" 2 "--db without a value: exit 2"
run kc-db list extra
is "$RC" 2 "list with an operand: exit 2"

# --- list --sort informative ---------------------------------------------
# Three near-identical loud audio clips (1-3, the best scores), one audio
# clip unlike them (4), two video clips (5, 6) unlike each other a little.
# Nothing rated: the best score leads.  Clip 1 rated: what is unlike it
# comes first (video, then the other audio), its near-copies last.
DBI=$T/inf.db
iclip() {	# ID-NAME KIND SCORE FEATURES
	jq -nc --arg p "$T/clips/i$1.mp4" --arg k "$2" --argjson sc "$3" --argjson f "$4" \
	    '{type:"clip", path:$p, kind:$k, t0:10, t1:40, mode:"copy", score:$sc,
	      heuristic:$sc, model:null, model_weight:0, features:$f,
	      url:"/media/si.mp4", stream:"si"}'
}
{
	stream si "Informative" gamma
	iclip 1 audio 0.90 '{"loud_z":3,"flux_z":0}'
	iclip 2 audio 0.88 '{"loud_z":3.1,"flux_z":0}'
	iclip 3 audio 0.86 '{"loud_z":2.9,"flux_z":0.1}'
	iclip 4 audio 0.50 '{"loud_z":-1,"flux_z":4}'
	iclip 5 video 0.70 '{"motion_z":2}'
	iclip 6 video 0.65 '{"motion_z":2.5}'
	end si
} | kc-db --db "$DBI" add 2>/dev/null
inf() { kc-db --db "$DBI" list --json --sort informative "$@" | jq -r .id | paste -sd' ' -; }
is "$(inf | cut -d' ' -f1)" 1 "list --sort informative, nothing rated: the best-scoring clip first"
is "$(inf | wc -w)" 6 "... and every clip listed"
kc-db --db "$DBI" rate 1 5 2>/dev/null
o=$(inf)
is "$(wc -w <<<"$o")" 5 "clip 1 rated: it is no longer listed ($o)"
like "$(cut -d' ' -f1 <<<"$o")" "^[56]$" "... a video clip, unlike it, comes first"
is "$(cut -d' ' -f1-3 <<<"$o" | tr ' ' '\n' | sort | paste -sd' ' -)" "4 5 6" \
    "... then the other clips unlike it"
is "$(cut -d' ' -f4,5 <<<"$o")" "3 2" "... its near-copies last"
is "$(kc-db --db "$DBI" list --json --order informative --kind video | jq -r .id | paste -sd' ' -)" \
    "$(tr ' ' '\n' <<<"$o" | grep -E '^[56]$' | paste -sd' ' -)" \
    "--order informative --kind video: the video clips, in that order"
is "$(inf --limit 2)" "$(cut -d' ' -f1,2 <<<"$o")" "--limit 2: the first two"
# a chat clip with the features of the rated audio clip's near-copies is
# still of a kind not rated yet: it comes before them
iclip 7 chat 0.87 '{"loud_z":3.05,"flux_z":0}' | kc-db --db "$DBI" add 2>/dev/null
o=$(inf)
is "$(wc -w <<<"$o")" 6 "a chat clip added: listed too ($o)"
is "$(cut -d' ' -f5,6 <<<"$o")" "3 2" "... the rated clip's near-copies of its kind still last"
run kc-db --db "$DBI" list --sort informative --rated
is "$RC" 2 "--sort informative --rated: usage error, exit 2"
run kc-db --db "$DBI" list --sort worst
is "$RC" 2 "--sort worst: usage error, exit 2"
like "$ERR" "informative" "... naming the orders there are"

# --- fresh: a highlight stored already becomes its clip's record ------------
# hl KIND T0 T1 : a highlight record as kc-score writes it
hl() {
	jq -nc --arg k "$1" --argjson t0 "$2" --argjson t1 "$3" \
	    '{type:"highlight", kind:$k, t0:$t0, t1:$t1, score:0.5,
	      heuristic:0.5, model:null, model_weight:0, rank:1, features:{}}'
}
DBR=$T/fresh.db
: >"$T/clips/fr1.mp4"; : >"$T/clips/fr2.mp4"
{
	stream s1 "First stream" alpha
	clip "$T/clips/fr1.mp4" audio 10 s1 0.9	# window 11-40
	clip "$T/clips/fr2.mp4" video 100 s1 0.4	# window 101-130
	end s1
} | kc-db --db "$DBR" add -q
id1=$(q "$DBR" "SELECT id FROM clips WHERE path LIKE '%/fr1.mp4'")
id2=$(q "$DBR" "SELECT id FROM clips WHERE path LIKE '%/fr2.mp4'")
{
	stream s1 "First stream" alpha
	hl audio 12 42		# 28 s of 30 in common with f1: stored
	hl audio 26 56		# 14 s of 30: not half, a moment of its own
	hl video 12 42		# f1's window, another kind
	hl video 101 131	# f2
	end s1
	stream s3 "Third stream" alpha
	hl audio 11 40		# f1's window, another stream
	end s3
} >fresh.in
run -i fresh.in kc-db --db "$DBR" fresh
is "$RC" 0 "fresh: exit 0"
is "$(jq -r '.type' "$T/out" | paste -sd' ')" \
    "stream clip highlight highlight clip end stream highlight end" \
    "fresh: the stored moments replaced by clips, everything else passed on"
is "$(grep '^{"type":"clip"' "$T/out")" \
    "$(kc-db --db "$DBR" list --json --id "$id1"; kc-db --db "$DBR" list --json --id "$id2")" \
    "fresh: each the stored clip's record, as list --json writes it"
is "$(grep -v '"type":"clip"' "$T/out")" "$(sed -n '1p;3p;4p;6,9p' fresh.in)" \
    "fresh: the other records byte for byte"
is "$ERR" "kc-db: fresh: 2 of 4 highlights stored already (clips $id1, $id2): not cut again" \
    "fresh: one line says which"
rm "$T/clips/fr2.mp4"
run -i fresh.in kc-db --db "$DBR" fresh -q
is "$(jq -r '.type' "$T/out" | paste -sd' ')" \
    "stream clip highlight highlight highlight end stream highlight end" \
    "fresh: a clip whose file is gone does not count"
: >"$T/clips/fr2.mp4"
run -i fresh.in kc-db --db "$DBR" fresh --quiet
is "$RC/$ERR" "0/" "fresh --quiet: no line"
run -i fresh.in kc-db --db "$T/nodb.db" fresh
is "$RC" 0 "fresh without a database yet: exit 0"
is "$(cat "$T/out")" "$(cat fresh.in)" "fresh without a database yet: everything passed on"
ok "fresh without a database yet: none made" test ! -e "$T/nodb.db"
{ stream s1 "First stream" alpha; echo '{"type":"highlight",'; } >fresh.bad
run -i fresh.bad kc-db --db "$DBR" fresh
is "$RC" 1 "fresh, a broken line: exit 1"
like "$ERR" "<stdin>:2: " "fresh, a broken line: says where"
is "$(tail -n 1 "$T/out" | jq -c '[.type, .fatal]')" '["error",true]' \
    "fresh, a broken line: a fatal error record for the stages after it"
run kc-db --db "$DBR" fresh extra
is "$RC" 2 "fresh with an operand: usage error"

done_testing
