#!/bin/bash
# 51-cut-reencode.t - kc-cut --reencode: clips that every browser plays.
# Sources generated here, 10 s each: VP9/Opus in WebM, HEVC/AAC in MP4
# (when ffmpeg has libx265), H.264/AAC in MP4 and H.264/Opus in Matroska,
# each through kc-fetch | kc-audiofeat | kc-videofeat | kc-score | kc-cut.
# The VP9 and HEVC sources' clips must be H.264 (yuv420p) and AAC, with
# the index first (faststart), audio and video starting within 50 ms, as
# long as their records say and starting at the keyframe a copy would;
# the H.264/AAC source's clips are still stream copies; H.264/Opus gets
# only its sound re-encoded; --reencode never and always do what they
# say, and kc-clip passes the option on.  Then Debian's chromium (through
# playwright-core, tests/web/play.mjs) plays the VP9 and HEVC sources'
# clips: currentTime advances and a picture is decoded.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"

need ffmpeg ffprobe jq python3 kc-fetch kc-audiofeat kc-videofeat kc-score \
    kc-cut

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
# 10 s 320x180 30 fps moving picture and beeps, a keyframe every 2 s
pic="testsrc2=s=320x180:r=30:d=10"
snd="sine=f=440:beep_factor=4:d=10:sample_rate=48000"
gop=(-g 60 -keyint_min 60)

ff -f lavfi -i "$pic" -f lavfi -i "$snd" -c:v libvpx-vp9 -deadline realtime \
    -cpu-used 8 -b:v 300k "${gop[@]}" -c:a libopus -b:a 64k -shortest \
    "$T/vp9.webm" & p1=$!
ff -f lavfi -i "$pic" -f lavfi -i "$snd" -c:v libx264 -preset veryfast \
    -crf 30 -pix_fmt yuv420p "${gop[@]}" -sc_threshold 0 -c:a aac -b:a 64k \
    -shortest "$T/h264.mp4" & p2=$!
ff -f lavfi -i "$pic" -f lavfi -i "$snd" -c:v libx264 -preset ultrafast \
    -pix_fmt yuv420p "${gop[@]}" -c:a libopus -b:a 64k -shortest \
    "$T/h264opus.mkv" & p3=$!
SOURCES="vp9 h264"
if ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libx265; then
	ff -f lavfi -i "$pic" -f lavfi -i "$snd" -c:v libx265 -preset ultrafast \
	    -x265-params log-level=error "${gop[@]}" -tag:v hvc1 -c:a aac \
	    -b:a 64k -shortest "$T/hevc.mp4" || bail "cannot generate hevc.mp4"
	SOURCES="vp9 hevc h264"
	HEVC=1
else
	HEVC=
	diag "ffmpeg has no libx265 encoder: the HEVC source is left out"
fi
wait $p1 && wait $p2 && wait $p3 || bail "cannot generate the test media"
declare -A SRC=([vp9]=vp9.webm [hevc]=hevc.mp4 [h264]=h264.mp4)

# A stand-in ffmpeg for kc-cut that logs each command line to $FFLOG.
cat >"$T/fflog" <<'EOF'
#!/bin/bash
printf '%s\n' "$*" >>"$FFLOG"
exec ffmpeg "$@"
EOF
chmod +x "$T/fflog"

# hl T0 T1: a highlight record
hl() {
	jq -nc --argjson a "$1" --argjson b "$2" '{type: "highlight",
	    kind: "audio", t0: $a, t1: $b, score: 0.5}'
}
# streams FILE: "type:codec[:pix_fmt]" of each stream, comma-separated
streams() {
	ffprobe -v error -show_entries stream=codec_type,codec_name,pix_fmt \
	    -of json "$1" | jq -r '[.streams[] | [.codec_type, .codec_name] +
	    (if .pix_fmt then [.pix_fmt] else [] end) | join(":")] | join(",")'
}
# vprofile FILE: the first video stream's codec and profile
vprofile() {
	ffprobe -v error -select_streams v:0 -show_entries \
	    stream=codec_name,profile -of csv=p=0 "$1"
}
# probe FILE: "vstart astart span" (span: first start to last end)
probe() {
	ffprobe -v error -show_entries stream=codec_type,start_time,duration \
	    -of json "$1" | jq -r '[.streams[] | {t: .codec_type,
	    s: (.start_time | tonumber),
	    e: ((.start_time | tonumber) + (.duration | tonumber))}] |
	    [(map(select(.t == "video") | .s)[0] // "none"),
	    (map(select(.t == "audio") | .s)[0] // "none"),
	    ((map(.e) | max) - (map(.s) | min))] | map(tostring) | join(" ")'
}
# last_key SRC T: the last video keyframe at or before stream time T (from
# the container's start_time: a WebM with Opus starts at 0.007), by ffprobe
last_key() {
	local st
	st=$(ffprobe -v error -show_entries format=start_time -of csv=p=0 "$1")
	ffprobe -v error -select_streams v:0 -show_entries packet=pts_time,flags \
	    -of csv=p=0 "$1" | awk -F, -v t="$2" -v st="${st:-0}" '$2 ~ /K/ &&
	    $1 - st <= t + 1e-6 && (k == "" || $1 + 0 > k + 0) { k = $1 }
	    END { print k - st }'
}
abs() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; print d < 0 ? -d : d }'; }
decodes() { [ -z "$(ffmpeg -nostdin -v error -i "$1" -f null - 2>&1)" ]; }

# --- usage -------------------------------------------------------------------
run kc-cut --help
like "$OUT" '--reencode MODE' "--help documents --reencode"
run kc-cut --reencode sometimes
is "$RC" 2 "--reencode sometimes: exit 2"
like "$ERR" "^kc-cut: --reencode: 'sometimes': want auto, always or never" \
    "--reencode sometimes: the message names the flag and the value"
run kc-cut --accurate --reencode never
is "$RC" 2 "--accurate --reencode never: exit 2 (accurate cuts re-encode)"
like "$ERR" 'cannot be combined with --reencode never' \
    "--accurate --reencode never: says why"

# --- the whole pipeline on each source, at the same time ------------------------
for s in $SOURCES; do
	(
		kc-fetch "$T/${SRC[$s]}" | kc-audiofeat | kc-videofeat |
		    kc-score -d 5 -g 1 -a 2 -v 2 |
		    FFLOG=$T/ff.$s KC_FFMPEG=$T/fflog kc-cut --out "$T/clips.$s" \
		    >"$T/out.$s" 2>"$T/err.$s"
		echo "${PIPESTATUS[*]}" >"$T/rc.$s"
	) &
done
wait

for s in $SOURCES; do
	is "$(cat "$T/rc.$s")" "0 0 0 0 0" "$s: every stage exits 0" ||
	    diag "$(cat "$T/err.$s")"
	records clip "$T/out.$s" >"$T/clips.$s.jsonl"
	n=$(grep -c . "$T/clips.$s.jsonl")
	cmp_ok "$n" ">=" 2 "$s: $n clips"
	is "$(records error "$T/out.$s")" "" "$s: no error records"
	src=$T/${SRC[$s]}
	while read -r rec <&3; do
		p=$(jq -r .path <<<"$rec")
		name=${p##*/}
		t0=$(jq .t0 <<<"$rec") t1=$(jq .t1 <<<"$rec")
		w0=$(jq .want_t0 <<<"$rec") w1=$(jq .want_t1 <<<"$rec")
		ok "$s $name: decodes without errors" decodes "$p"
		read -r vs as span <<<"$(probe "$p")"
		cmp_ok "$(abs "$vs" "$as")" "<=" 0.05 \
		    "$s $name: audio ($as) and video ($vs) start within 50 ms"
		cmp_ok "$(abs "$span" "$(awk -v a="$t1" -v b="$t0" \
		    'BEGIN { print a - b }')")" "<" 0.05 \
		    "$s $name: lasts $span s, as its record says"
		cmp_ok "$(abs "$span" "$(awk -v a="$w1" -v b="$w0" \
		    'BEGIN { print a - b }')")" "<=" 1 \
		    "$s $name: lasts about the highlight's length"
		cmp_ok "$(abs "$t0" "$(last_key "$src" "$w0")")" "<" 0.001 \
		    "$s $name: starts at the last keyframe before $w0, as a copy would"
		is "$(jq -r .mode <<<"$rec")" copy "$s $name: mode copy (a copy's bounds)"
		if [ "$s" = h264 ]; then
			is "$(streams "$p")" "video:h264:yuv420p,audio:aac" \
			    "$s $name: H.264/AAC"
			is "$(vprofile "$p")" "$(vprofile "$src")" \
			    "$s $name: the source's codec and profile ($(vprofile "$src"))"
			is "$(jq .reencoded <<<"$rec")" false "$s $name: reencoded false"
		else
			is "$(streams "$p")" "video:h264:yuv420p,audio:aac" \
			    "$s $name: re-encoded to H.264 (yuv420p) and AAC"
			ok "$s $name: faststart (moov before mdat: $(boxes "$p"))" \
			    faststart "$p"
			is "$(jq .reencoded <<<"$rec")" true "$s $name: reencoded true"
		fi
	done 3<"$T/clips.$s.jsonl"
done

# the H.264/AAC source: the copy path, as before
is "$(grep -c -- '-c copy' "$T/ff.h264")" "$(grep -c . "$T/clips.h264.jsonl")" \
    "h264: every cut is a stream copy (-c copy)"
is "$(grep -c libx264 "$T/ff.h264")" 0 "h264: nothing is encoded"
is "$(cat "$T/err.h264")" "" "h264: nothing to say on stderr"
# the others: one note per stream, not per clip
is "$(cat "$T/err.vp9")" "kc-cut: note: the source is vp9/opus: clips are re-encoded to H.264/AAC (--reencode never: copy)" \
    "vp9: stderr says once why the clips are re-encoded"
if [ -n "$HEVC" ]; then
	is "$(cat "$T/err.hevc")" "kc-cut: note: the source is hevc/aac: clips are re-encoded to H.264/AAC (--reencode never: copy)" \
	    "hevc: stderr says once why the clips are re-encoded"
else
	skip "hevc: ffmpeg has no libx265 encoder to make an HEVC source"
fi

# --- --reencode never and always, and sound alone ------------------------------
kc-fetch "$T/vp9.webm" | head -n 1 >"$T/s.vp9"
kc-fetch "$T/h264.mp4" | head -n 1 >"$T/s.h264"
kc-fetch "$T/h264opus.mkv" | head -n 1 >"$T/s.mkv"

run -i <({ cat "$T/s.vp9"; hl 4.5 9; }) kc-cut --reencode never --out "$T/never"
is "$RC" 0 "--reencode never: exit 0"
p=$(records clip "$T/out" | jq -r .path)
is "$(streams "$p")" "video:vp9:yuv420p,audio:opus" "--reencode never: VP9/Opus kept"
is "$(records clip "$T/out" | jq .reencoded)" false "--reencode never: reencoded false"
is "$ERR" "" "--reencode never: no note"

: >"$T/ff.always"
FFLOG=$T/ff.always KC_FFMPEG=$T/fflog run -i <({ cat "$T/s.h264"; hl 4.5 9; }) \
    kc-cut --reencode always --out "$T/always"
is "$RC" 0 "--reencode always: exit 0"
records clip "$T/out" >"$T/always.jsonl"
p=$(jq -r .path "$T/always.jsonl")
is "$(grep -c libx264 "$T/ff.always")" 1 "--reencode always: an H.264 source is encoded too"
is "$(jq -c '[.reencoded, .mode]' "$T/always.jsonl")" '[true,"copy"]' \
    "--reencode always: reencoded, mode copy"
cmp_ok "$(abs "$(jq .t0 "$T/always.jsonl")" "$(last_key "$T/h264.mp4" 4.5)")" \
    "<" 0.001 "--reencode always: from the keyframe a copy starts at"
read -r vs as span <<<"$(probe "$p")"
cmp_ok "$(abs "$vs" "$as")" "<=" 0.05 "--reencode always: audio and video start together"
ok "--reencode always: faststart" faststart "$p"
is "$ERR" "" "--reencode always: no note (it was asked for)"

: >"$T/ff.mkv"
FFLOG=$T/ff.mkv KC_FFMPEG=$T/fflog run -i <({ cat "$T/s.mkv"; hl 4.5 9; }) \
    kc-cut --out "$T/mkv"
is "$RC" 0 "H.264/Opus: exit 0"
p=$(records clip "$T/out" | jq -r .path)
is "$(streams "$p")" "video:h264:yuv420p,audio:aac" "H.264/Opus: the sound becomes AAC"
like "$(cat "$T/ff.mkv")" '-c:v copy -c:a aac' "H.264/Opus: the picture is copied"
is "$(records clip "$T/out" | jq .reencoded)" true "H.264/Opus: reencoded true"
is "$ERR" "kc-cut: note: the source is h264/opus: the clips' sound is re-encoded to AAC, the picture copied (--reencode never: copy)" \
    "H.264/Opus: the note says only the sound is re-encoded"

# --accurate re-encodes whatever --reencode says (auto here)
run -i <({ cat "$T/s.vp9"; hl 4.5 9; }) kc-cut --accurate --out "$T/acc"
is "$RC" 0 "--accurate on VP9: exit 0"
is "$(records clip "$T/out" | jq -c '[.mode, .reencoded, .t0]')" \
    '["accurate",true,4.5]' "--accurate on VP9: frame-exact and re-encoded"
is "$ERR" "" "--accurate: no note (it always re-encodes)"

# --- kc-clip passes --reencode on ------------------------------------------------
if command -v kc-clip >/dev/null && command -v kc-db >/dev/null; then
	run kc-clip --help
	like "$OUT" '--reencode MODE' "kc-clip --help documents --reencode"
	run kc-clip --reencode sometimes "$T/vp9.webm"
	is "$RC" 2 "kc-clip --reencode sometimes: exit 2"
	XDG_CONFIG_HOME=$T/noconfig run kc-clip -c -q --json --reencode never \
	    --clip-duration 5 --min-gap 1 --max-audio-clips 1 --max-video-clips 1 \
	    --db "$T/kc.db" --out "$T/kcclip" "$T/vp9.webm"
	is "$RC" 0 "kc-clip -c --reencode never: exit 0" || diag "$ERR"
	p=$(records clip "$T/out" | head -n 1 | jq -r .path)
	is "$(streams "$p")" "video:vp9:yuv420p,audio:opus" \
	    "kc-clip --reencode never: kc-cut kept VP9/Opus"
else
	skip "kc-clip or kc-db not built"
fi

# --- chromium plays the re-encoded clips ------------------------------------------
CHROMIUM=${KC_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
	skip "chromium not installed ($CHROMIUM): playback not checked"
elif ! command -v node >/dev/null ||
    [ ! -f "$KC_ROOT/tests/web/node_modules/playwright-core/package.json" ]; then
	skip "node or playwright-core (tests/web) missing: playback not checked"
else
	diag "$("$CHROMIUM" --version 2>/dev/null | tail -n 1)"
	play=()
	for s in $SOURCES; do
		[ "$s" = h264 ] && continue
		play+=("$(head -n 1 "$T/clips.$s.jsonl" | jq -r .path)")
	done
	# the HEVC source itself, for comparison (not asserted)
	[ -n "$HEVC" ] && play+=("$T/hevc.mp4")
	timeout 300 node "$KC_ROOT/tests/web/play.mjs" "$T/profile" "${play[@]}" \
	    >"$T/play.jsonl" 2>"$T/play.err"
	is "$?" 0 "the playback script ran (node exit 0)" ||
	    diag "$(tail -n 20 "$T/play.err")"
	is "$(jq -r .can_play_h264_aac "$T/play.jsonl" | head -n 1)" probably \
	    "chromium says it plays H.264/AAC in MP4"
	for s in $SOURCES; do
		[ "$s" = h264 ] && continue
		f=$(jq -c --arg s "$s" 'select(.file | test("/clips\\." + $s + "/"))' \
		    "$T/play.jsonl")
		is "$(jq .played <<<"$f")" true "chromium plays the $s source's clip" ||
		    diag "$(jq -r .error <<<"$f")"
		cmp_ok "$(jq '.current_time // 0' <<<"$f")" ">" 0.5 \
		    "$s clip: currentTime advances ($(jq .current_time <<<"$f"))"
		is "$(jq -c '[.width, .height]' <<<"$f")" '[320,180]' \
		    "$s clip: its picture is decoded (320x180)"
	done
	[ -n "$HEVC" ] && diag "the HEVC source itself in chromium:" \
	    "$(jq -c 'select(.file | endswith("/hevc.mp4")) |
	    {played, width, error}' "$T/play.jsonl") (width 0: no picture)"
fi

done_testing
