#!/bin/bash
# 92-web-browser.t - kc-web in a real browser: Debian's chromium, headless,
# driven by playwright-core (tests/web/browser.mjs, installed by
# scripts/deps).  Generates clips from a generated stream through the page
# (form defaults, progress, timeline and its axis, table), plays a clip and
# seeks (currentTime advances), rates 5 clips with the keyboard
# (auto-advance, stored), reads Stats (readable labels), filters, downloads
# and deletes in Browse, then loads each tab 420 px wide (nothing wider than
# the window).  Screenshots of each tab, and of each at 420 px (TAB-420.png),
# are kept in the test's scratch folder, screenshots/ (tests/.tmp/CONFIG/
# 92-web-browser.t/screenshots/ under tests/run).  Skipped only when
# chromium is not installed.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"

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

WPID=
trap '[ -n "$WPID" ] && kill "$WPID" 2>/dev/null' EXIT
kc-web --listen 127.0.0.1:0 --db "$T/kc.db" --clips "$T/clips" </dev/null 2>web.log &
WPID=$!
for i in $(seq 600); do
	PORT=$(sed -n 's|^kc-web: listening on http://[^ ]*:\([0-9]*\)/.*|\1|p' web.log)
	[ -n "$PORT" ] && break
	sleep 0.1
done
[ -n "$PORT" ] || bail "kc-web did not start: $(cat web.log)"

rm -rf out
timeout 300 node "$KC_ROOT/tests/web/browser.mjs" "http://127.0.0.1:$PORT" "$T/stream.mp4" "$T/out" \
    >facts.json 2>node.err
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
# the clips the job stored: those left plus the one Browse deleted
db_clips=$(($(sqlite3 "$T/kc.db" 'SELECT count(*) FROM clips') + 1))
cmp_ok "$db_clips" ">=" 6 "the job stored clips in the database ($db_clips)"
is "$(fact .table_rows)" "$db_clips" "the highlights table has a row per clip"
is "$(fact .timeline_marks)" "$db_clips" "the timeline marks every clip"
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

# Rate
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
is "$(fact '.browse_audio | unique')" '["audio"]' "the kind filter shows audio clips only"
is "$(fact .browse_unrated)" "$((db_clips - 5))" "the rating filter shows the unrated ones"
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

for tab in generate rate stats browse; do
	ok "screenshot of $tab saved (out/screenshots/$tab.png)" test -s "out/screenshots/$tab.png"
	ok "screenshot of $tab at 420 px saved (out/screenshots/$tab-420.png)" \
	    test -s "out/screenshots/$tab-420.png"
done
diag "screenshots: $T/out/screenshots/"

kill -TERM "$WPID"
wait "$WPID"
is "$?" 0 "kc-web stops cleanly"
WPID=
done_testing
