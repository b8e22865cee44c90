#!/bin/bash
# 92-web-browser.t - kc-web in a real browser: Debian's chromium, headless,
# driven by playwright-core (tests/web/browser.mjs, installed by
# scripts/deps).  Generates clips from a generated stream through the page
# (form defaults, progress, timeline and its axis, table), plays a clip and
# seeks (currentTime advances); analyses the stream, ticks 3 of its 6
# highlights, moves a start with its button, an end with the keyboard on
# the timeline's handle and a start by dragging it, and cuts only those
# (3 clips stored, at the moved times, counted as they are stored); rates
# 5 clips with the keyboard (auto-advance, stored, a poster on the player);
# reads Stats (readable labels); in Browse sees every poster load, scrubs a
# hover strip, plays a clip stored outside --clips, filters, re-rates a
# clip and takes it back, exports a clip as 9:16 (1080x1920, by ffprobe),
# downloads and deletes; loads each tab 420 px wide (nothing wider than the
# window); and last follows a live channel of the local Kick imitation with
# the form's 9:16 choice: clips listed one by one and the excitement drawn
# while it airs, each clip with a 1080x1920 copy that plays.  A screenshot of each step, and of each
# tab at 420 px (TAB-420.png), is kept in the test's scratch folder,
# screenshots/ (tests/.tmp/CONFIG/92-web-browser.t/screenshots/ under
# tests/run).  Skipped only when chromium is not installed.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"
. "$KC_ROOT/tests/lib/hls.sh"

CHROMIUM=${KC_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip_all "chromium not installed ($CHROMIUM)"
command -v node >/dev/null || bail "node not installed (scripts/deps installs nodejs)"
[ -f "$KC_ROOT/tests/web/node_modules/playwright-core/package.json" ] ||
    bail "playwright-core not installed in tests/web (run scripts/deps)"
for p in kc-web kc-db kc-clip; do
	[ -x "$KC_BIN/$p" ] || skip_all "$p not built"
done
unset KC_DB KC_WEBDIR
cd "$T" || bail "cannot cd to $T"
T=$(pwd -P)

f=$(media short -d 120 -n 3 --size 320x180 --preset ultrafast) ||
    bail "cannot generate the test stream"
# the source as the page sees it: a copy of our own, so its path is plain
cp "$f" "$T/stream.mp4"

# a clip of the database that lies outside --clips: Browse plays it too
mkdir -p elsewhere
ffmpeg -nostdin -v error -ss 30 -i "$T/stream.mp4" -t 10 -c copy "$T/elsewhere/far.mp4" &&
    ffmpeg -nostdin -v error -ss 2 -i "$T/elsewhere/far.mp4" -frames:v 1 "$T/elsewhere/far.jpg" ||
    bail "cannot make the clip outside --clips"
printf '{"type":"clip","path":"%s","kind":"audio","t0":30,"t1":40,"score":0.5,"poster":"%s"}\n' \
    "$T/elsewhere/far.mp4" "$T/elsewhere/far.jpg" | kc-db --db "$T/kc.db" add --quiet ||
    bail "cannot add the clip outside --clips"
far=$(sqlite3 "$T/kc.db" "SELECT id FROM clips WHERE path = '$T/elsewhere/far.mp4'")

# a live Kick channel (the tests' imitation, kick_airing): a 2-minute
# stream with events at 20, 38, 71 and 98 s, aired at 4x from the first
# request
kick_airing "$T" 4 || bail "cannot air the live channel"

WPID=
trap '[ -n "$WPID" ] && kill "$WPID" 2>/dev/null; kick_stop' EXIT
kc-web --listen 127.0.0.1:0 --db "$T/kc.db" --clips "$T/clips" </dev/null 2>web.log &
WPID=$!
for i in $(seq 600); do
	PORT=$(sed -n 's|^kc-web: listening on http://[^ ]*:\([0-9]*\)/.*|\1|p' web.log)
	[ -n "$PORT" ] && break
	sleep 0.1
done
[ -n "$PORT" ] || bail "kc-web did not start: $(cat web.log)"

rm -rf screenshots profile
timeout 1200 node "$KC_ROOT/tests/web/browser.mjs" "http://127.0.0.1:$PORT" "$T/stream.mp4" "$T" \
    "$far" https://kick.com/airing >facts.json 2>node.err
is "$?" 0 "the browser script ran (node exit 0)" || diag "$(tail -n 20 node.err)"
F=$T/facts.json
fact() { jq -c "$1" "$F" 2>/dev/null; }
is "$(fact .error)" null "no step failed" || diag "$(jq -r .error "$F")"
is "$(fact .requests_elsewhere)" '[]' "the page asked nothing of any other server"
is "$(fact .console_errors)" '[]' "no errors in the browser console"

# Generate
is "$(fact '.form_defaults | [.clip_duration, .min_gap, .max_audio_clips, .max_video_clips, .max_chat_clips, .type]')" \
    '["30","10","10","10","10","both"]' "the form's defaults are kc-clip's (30 s, gap 10, 10/10/10 clips, both)"
like "$(fact .status_texts)" 'Analysing: N% · N× realtime · ETA' "progress shown while analysing (percent, speed, ETA)"
is "$(fact .generate_status)" '"status done"' "the job finished (done)"
# the clip from elsewhere, the clips Generate stored, then the 3 cut from
# the picked highlights; the database holds them but the one Browse
# deleted, and the live job's
gen_clips=$(fact .generate_job.clips_n)
db_clips=$((1 + gen_clips + 3))
live_clips=$(fact .live_job.clips_n)
cmp_ok "$gen_clips" ">=" 6 "the job stored clips in the database ($gen_clips)"
is "$(sqlite3 "$T/kc.db" 'SELECT count(*) FROM clips')" "$((db_clips - 1 + live_clips))" \
    "the database holds them, the 3 cut and the live job's, less the one deleted"
is "$(fact .table_rows)" "$gen_clips" "the highlights table has a row per clip"
is "$(fact .timeline_marks)" "$gen_clips" "the timeline marks every clip"
is "$(fact '.curve_kinds | sort')" '["audio","video"]' "the timeline plots audio and video excitement"
is "$(fact .curve_points)" '[120,120]' "over the whole 120 s stream (a point per second)"
is "$(fact .timeline_axis_title)" '"× typical"' "the timeline's y-axis is labelled in × typical"
is "$(fact '[.timeline_y_ticks[] | select(. == "typical")] | length')" 1 "it marks the stream's typical level" ||
    diag "ticks: $(fact .timeline_y_ticks)"
like "$(fact .timeline_y_ticks)" '"0"' "and the quietest (0)"

# play and seek
is "$(fact .can_play_h264)" '"probably"' "chromium plays the clips' H.264"
cmp_ok "$(fact .video_duration)" ">" 19 "the clip's duration is known (Range requests work)"
cmp_ok "$(fact .time_after_seek)" ">=" 7.9 "seeking to 8 s lands there"
cmp_ok "$(fact .time_later)" ">" "$(fact '.time_after_seek + 0.5')" "currentTime advances after the seek"

# Analyse, pick, nudge, cut
is "$(fact .analyse_status)" '"status done"' "the analysis finished"
is "$(fact .pick_rows)" 6 "it lists 6 highlights to pick from"
is "$(fact .pick_cut_disabled)" true "Cut is disabled while none is ticked"
is "$(fact .pick_count_text)" '"3 of 6 ticked"' "3 ticked"
is "$(fact .pick_handles)" 6 "each ticked one has a start and an end handle on the timeline"
is "$(fact '[.picked[0].t0 - .pick_before[0].t0, .picked[0].t1 - .pick_before[0].t1]')" '[1,0]' \
    "the +1 s button moved a start a second later"
is "$(fact '[.picked[1].t0 - .pick_before[1].t0, .picked[1].t1 - .pick_before[1].t1]')" '[0,-1]' \
    "the left arrow on an end's handle moved it a second earlier"
like "$(fact .handle_valuetext)" '^"[0-9]+:[0-9]{2}\.[0-9]"$' "the handle says its time (aria-valuetext)"
cmp_ok "$(fact '.pick_before[2].t0 - .picked[2].t0')" ">" 0.5 "dragging a start's handle moved it earlier"
is "$(fact '.picked[2].t1 - .pick_before[2].t1')" 0 "... and left its end"
is "$(fact .cut_post_status)" 202 "Cut selected started a cut"
like "$(fact .cut_status_texts)" 'Cutting 3 highlights and storing them… [0-3]/3 done' \
    "while it cuts the page counts the clips stored of the 3"
is "$(fact .cut_status)" '"status done"' "the cut finished" || diag "$(fact .cut_text)"
is "$(fact '.cut_clips | length')" 3 "it made exactly 3 clips"
is "$(fact .cut_table_rows)" 3 "the table shows those 3"
ids=$(fact '.cut_clips | map(.id) | join(",")' | tr -d '"')
is "$(sqlite3 "$T/kc.db" "SELECT count(*) FROM clips WHERE id IN ($ids)")" 3 "all 3 are in the database"
is "$(sqlite3 -json "$T/kc.db" "SELECT want_t0, want_t1 FROM clips WHERE id IN ($ids)" |
    jq -c 'map([.want_t0, .want_t1]) | sort')" "$(fact '.picked | map([.t0, .t1]) | sort')" \
    "stored at the moved times"
like "$(fact .generate_poster)" '^"/media/[0-9]+/poster"$' "the Generate player shows the clip's poster"

# Rate
like "$(fact .rate_poster)" '^"/media/[0-9]+/poster"$' "the Rate player has the clip's poster"
cmp_ok "$(fact .rate_poster_loaded)" ">" 0 "... an image that loads"
is "$(fact '.rated | length')" 5 "5 clips rated with keys 1-5, each advancing to the next"
is "$(fact '[.rated[].id] | unique | length')" 5 "five different clips"
is "$(fact '.rated | sort_by(.id)')" "$(fact '.api_rated | sort_by(.id)')" "the API lists exactly those ratings"
is "$(sqlite3 "$T/kc.db" 'SELECT count(*) FROM ratings')" 5 "5 rows in the ratings table"
is "$(sqlite3 "$T/kc.db" 'SELECT group_concat(clip_id || ":" || stars) FROM (SELECT clip_id, stars FROM ratings ORDER BY clip_id)')" \
    "$(fact '.rated | sort_by(.id) | map("\(.id):\(.stars)") | join(",")' | tr -d '"')" \
    "the database holds the stars of each key press"

# Stats
is "$(fact '.stats_cards.rated')" '"5"' "Stats shows 5 rated"
is "$(fact '.stats_cards.clips')" "\"$db_clips\"" "Stats shows every clip"
is "$(fact .hist_bars)" 5 "Stats draws the 1-5 star histogram"
# kc-db rate retrains every 5 ratings: the Rate tab says so, and kc-db
# stats --json lists one more model generation.
is "$(fact .retrain_note_visible)" true "the Rate tab shows the model-retrained note"
cmp_ok "$(fact .generations_after)" ">" "$(fact '.generations_before // 0')" \
    "a new model generation after the ratings"
is "$(fact .stats_generation_rows)" "$(fact '.generations_after + 1')" \
    "Stats lists every generation"
cmp_ok "$(fact .stats_generation_chart)" ">" 0 "Stats charts model quality per generation"
is "$(fact '.stats_generation_headers | index("Heuristic vs your ratings (Spearman)") != null')" true \
    "Stats labels heuristic_spearman readably" || diag "headers: $(fact .stats_generation_headers)"
is "$(fact '.stats_legend | index("Heuristic vs your ratings (Spearman)") != null')" true \
    "and so does the chart's key" || diag "key: $(fact .stats_legend)"
is "$(fact .stats_snake_case)" '[]' "no snake_case field name shown in the Stats tab"

# Browse
is "$(fact .browse_cards)" "$db_clips" "Browse shows every clip"
is "$(fact '.posters | length')" "$db_clips" "each with its poster"
is "$(fact '[.posters[] | select(. > 0)] | length')" "$db_clips" "every poster loaded (naturalWidth > 0)"
is "$(fact .strip_status)" 200 "the pointer on a card loads its hover strip"
is "$(fact '[.strip_tiles[] | .tile]')" '[0,4,7]' "across the card it shows the strip's first, middle and last of 8 tiles"
is "$(fact '[.strip_tiles[] | .size] | unique')" '["800% 100%"]' "... each tile the card's width"
is "$(fact '[.strip_tiles[] | .position] | unique | length')" 3 "... three positions"
is "$(fact .strip_hidden_after)" true "the strip goes when the pointer leaves"
is "$(fact .elsewhere_player.src)" "\"/media/$far/clip\"" "a clip stored outside --clips plays from its own URL"
cmp_ok "$(fact .elsewhere_player.duration)" ">" 9 "... and the browser reads it (its 10 s)"
cmp_ok "$(fact .elsewhere_player.width)" ">" 0 "... a picture"
is "$(fact '.browse_audio | unique')" '["audio"]' "the kind filter shows audio clips only"
is "$(fact .browse_unrated)" "$((db_clips - 5))" "the rating filter shows the unrated ones"
is "$(fact '[.rerate.api, .rerate.pressed]')" "[$(fact .rerate.to),\"$(fact .rerate.to)\"]" \
    "a star on a card re-rates the clip (stored, shown pressed)"
is "$(fact .undo.api)" "$(fact .rerate.from)" "Undo takes the new rating back: the one before it again"
like "$(fact .undo.note)" 'Back to ★' "... and the card says so"
rr=$(fact .rerate.id)
is "$(sqlite3 "$T/kc.db" "SELECT group_concat(stars) FROM ratings WHERE clip_id = $rr")" "$(fact .rerate.from)" \
    "the rating history is as before the re-rating"
is "$(fact .vertical_post_status)" 202 "Export 9:16 started a job"
like "$(fact .vertical_note)" 'Exported as 9:16' "the card says the 9:16 copy is made" || diag "$(fact .vertical_note)"
vp=$(sqlite3 "$T/kc.db" "SELECT vertical_path FROM clips WHERE id = $(fact .vertical_id)")
like "$vp" '\.vertical\.mp4$' "the database has the clip's vertical_path"
is "$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height,codec_name -of csv=p=0 "$vp")" \
    "h264,1080,1920" "the 9:16 copy is 1080x1920 H.264 (ffprobe)"
is "$(ffprobe -v error -select_streams a:0 -show_entries stream=codec_name -of csv=p=0 "$vp")" aac "... with AAC sound"
is "$(fact '[.vertical_player.width, .vertical_player.height]')" '[1080,1920]' "the card plays it (1080x1920)"
is "$(fact .vertical_player.src)" "$(fact .vertical_src)" "... from its own URL"
is "$(fact .vertical_download)" "\"$(fact .vertical_src | tr -d '"')?download=1\"" "and offers it for download"
is "$(fact .download_status)" 200 "Download fetches the clip"
like "$(fact .download_disposition)" 'attachment; filename=' "as an attachment"
is "$(fact .deleted_src_status)" 404 "Delete removes the clip's file"
is "$(fact .deleted_still_listed)" false "and its row"
is "$(sqlite3 "$T/kc.db" "SELECT count(*) FROM clips WHERE id = $(fact .deleted_id)")" 0 \
    "the deleted clip's row is gone from the database"

# 420 px wide
for tab in generate rate browse stats; do
	cmp_ok "$(fact ".narrow.$tab.scroll_width")" "<=" 420 \
	    "$tab at 420 px: the page is no wider than the window"
	is "$(fact ".narrow.$tab.nav_in_view")" true "$tab at 420 px: every tab button in view"
done

# Generate on a live channel, as 9:16 too
is "$(fact .live_vmode_enabled)" true "choosing 9:16 in the form enables its mode"
is "$(fact '.live_post_options | [.format, .vertical]')" '["vertical","crop"]' "the job asks for 9:16 copies, cropped"
is "$(fact .live_status)" '"status done"' "the live job is done when the stream ends" ||
    diag "$(fact .live_job.log)"
cmp_ok "$live_clips" ">=" 2 "it stored clips ($live_clips)"
like "$(fact '[.live_looks[] | select(.status | test("running")) | .text]')" 'Following the live stream' \
    "while it runs the page says it follows the live stream"
cmp_ok "$(fact '[.live_looks[] | select((.status | test("running")) and .rows > 0)] | length')" ">" 0 \
    "a clip was listed while the stream still aired" || diag "$(fact '.live_looks | map("\(.status) \(.rows)") | unique')"
cmp_ok "$(fact '[.live_looks[] | select(.status | test("running")) | .rows] | max')" "<" "$live_clips" \
    "... before the last one was stored (they came one by one)"
cmp_ok "$(fact '[.live_looks[] | select((.status | test("running")) and .curves > 0)] | length')" ">" 0 \
    "the timeline drew the excitement while the stream still aired"
is "$(fact '.live_curve_kinds | sort')" '["audio","video"]' "at the end it plots audio and video, one line each"
is "$(fact '.live_curve_points | map(. >= 115 and . <= 120) | unique')" '[true]' \
    "... over the whole 2-minute stream (a point per second)" || diag "$(fact .live_curve_points)"
is "$(fact .live_table_rows)" "$live_clips" "at the end the table lists each clip once"
is "$(fact .live_vplay)" "$live_clips" "each with its 9:16 copy to play"
is "$(sqlite3 "$T/kc.db" "SELECT count(*) FROM clips WHERE id IN ($(fact '.live_job.clips | map(.id) | join(",")' | tr -d '"')) AND vertical_path LIKE '%.vertical.mp4'")" \
    "$live_clips" "the database has each one's vertical_path"
is "$(fact '[.live_player.width, .live_player.height]')" '[1080,1920]' "the player plays a 9:16 copy (1080x1920)"
like "$(fact .live_player.src)" '^"/media/[0-9]+/vertical"$' "... from its URL"

for step in generate analyse pick cut rate rate-after stats browse browse-strip browse-elsewhere \
    browse-rerate browse-undo vertical live; do
	ok "screenshot of $step saved (screenshots/$step.png)" test -s "screenshots/$step.png"
done
for tab in generate rate stats browse; do
	ok "screenshot of $tab at 420 px saved (screenshots/$tab-420.png)" test -s "screenshots/$tab-420.png"
done
diag "screenshots: $T/screenshots/"

kill -TERM "$WPID"
wait "$WPID"
is "$?" 0 "kc-web stops cleanly"
WPID=
kick_stop
done_testing
