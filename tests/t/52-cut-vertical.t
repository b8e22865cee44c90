#!/bin/bash
# 52-cut-vertical.t - kc-cut's vertical versions (--format vertical,
# --vertical crop|crop:X|fit|stack:X,Y,W,H, --export-vertical), on a
# source generated here: 12 s of 640x360 grey with a red "facecam" at
# 20,20 (160x120), a blue band at x 480-560, and at 6 s a white flash and
# a beep that start together.  Each mode must give BASE.vertical.mp4
# beside the clip: 1080x1920 H.264 (yuv420p) and AAC, index first, as long
# as the clip, the flash and the beep still within 50 ms of each other
# (found in the vertical file itself: the first bright frame, the end of
# the silence before the beep), and the picture where the mode puts it
# (pixel colours: crop's slice centred or around X, fit's whole picture
# in the middle, stack's facecam on top).  The clip record names it
# (vertical_path, vertical_mode) and keeps path for the landscape clip;
# progress goes to stderr.  --export-vertical makes the same from the
# records kc-db list --json writes and hands them back with
# vertical_path, an error record for a clip it cannot.  Bad values are
# usage errors (exit 2, naming the value); a clip without sound gets
# silence; a rectangle outside the picture, or a killed run, leaves no
# vertical file and no temporary file.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"

need ffmpeg ffprobe jq python3 kc-fetch kc-cut

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

# the source: a keyframe every second, B-frames, AAC
pic="color=c=0x404040:s=640x360:r=30:d=12,
drawbox=x=20:y=20:w=160:h=120:color=red:t=fill,
drawbox=x=480:y=0:w=80:h=360:color=blue:t=fill,
drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='between(t,6,6.09)'"
snd="aevalsrc='if(between(t,6,6.3),0.8*sin(2*PI*1000*t),0)':s=48000:d=12"
ff -f lavfi -i "$(tr -d '\n' <<<"$pic")" -f lavfi -i "$snd" -c:v libx264 \
    -preset veryfast -pix_fmt yuv420p -g 30 -keyint_min 30 -sc_threshold 0 \
    -bf 2 -c:a aac -b:a 128k -shortest "$T/src.mp4" ||
    bail "cannot generate the source"
# the same picture without sound, 4 s
ff -i "$T/src.mp4" -t 4 -an -c copy "$T/mute.mp4" || bail "cannot make mute.mp4"
kc-fetch "$T/src.mp4" | head -n 1 >"$T/s" || bail "kc-fetch failed"
kc-fetch "$T/mute.mp4" | head -n 1 >"$T/smute" || bail "kc-fetch failed"

# hl T0 T1: a highlight record
hl() {
	jq -nc --argjson a "$1" --argjson b "$2" '{type: "highlight",
	    kind: "audio", t0: $a, t1: $b, score: 0.5}'
}
# streams FILE: "type:codec[:pix_fmt:WxH]" of each stream
streams() {
	ffprobe -v error -show_entries \
	    stream=codec_type,codec_name,pix_fmt,width,height -of json "$1" |
	    jq -r '[.streams[] | [.codec_type, .codec_name] + (if .pix_fmt
	    then [.pix_fmt, "\(.width)x\(.height)"] else [] end) | join(":")] |
	    join(",")'
}
# span FILE: first stream start to last stream end, seconds
span() {
	ffprobe -v error -show_entries stream=start_time,duration -of json \
	    "$1" | jq '[.streams[] | {s: (.start_time | tonumber),
	    e: ((.start_time | tonumber) + (.duration | tonumber))}] |
	    (map(.e) | max) - (map(.s) | min)'
}
# flash FILE: stream time of the first bright frame (mean luma > 128)
flash() {
	ffmpeg -nostdin -v error -i "$1" -map 0:v:0 -vf "signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-" \
	    -f null - | awk '/pts_time/ { sub(/.*pts_time:/, ""); t = $1 }
	    /YAVG/ { split($0, v, "="); if (v[2] > 128) { print t; exit } }'
}
# beep FILE: stream time the beep starts (the end of the silence before it)
beep() {
	ffmpeg -nostdin -hide_banner -v info -i "$1" -map 0:a:0 \
	    -af silencedetect=n=-30dB:d=0.05 -f null - 2>&1 |
	    awk '/silence_end/ { sub(/.*silence_end: /, ""); print $1; exit }'
}
# colour FILE T X Y: the pixel at X,Y of the frame at T as "red", "blue",
# "white", "grey" or "other"
colour() {
	ff -ss "$2" -i "$1" -frames:v 1 -f rawvideo -pix_fmt rgb24 "$T/px.rgb" &&
	python3 - "$T/px.rgb" "$3" "$4" "$(ffprobe -v error -select_streams v:0 \
	    -show_entries stream=width -of csv=p=0 "$1")" <<'EOF'
import sys
d = open(sys.argv[1], 'rb').read()
x, y, w = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
r, g, b = d[3 * (y * w + x):3 * (y * w + x) + 3]
if r > 180 and g < 90 and b < 90: print("red")
elif b > 180 and r < 90 and g < 90: print("blue")
elif min(r, g, b) > 200: print("white")
elif max(r, g, b) - min(r, g, b) < 30 and 30 < r < 110: print("grey")
else: print("other %d,%d,%d" % (r, g, b))
EOF
}
# loudest FILE: the sound's peak level, dB
loudest() {
	ffmpeg -nostdin -hide_banner -v info -i "$1" -map 0:a:0 \
	    -af volumedetect -f null - 2>&1 |
	    awk '/max_volume:/ { sub(/.*max_volume: /, ""); print $1 }'
}
abs() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; print d < 0 ? -d : d }'; }
no_tmp() { [ -z "$(find "$1" -name '*.part' 2>/dev/null)" ]; }

# --- usage -------------------------------------------------------------------
run kc-cut --help
like "$OUT" '--format FORMAT' "--help documents --format"
like "$OUT" '--vertical MODE' "--help documents --vertical"
like "$OUT" '--export-vertical' "--help documents --export-vertical"
bad() {	# bad DESC WANT ARGS...: exit 2, the first line of stderr matches WANT
	local d=$1 w=$2
	shift 2
	run kc-cut "$@"
	is "$RC:$OUT" "2:" "$d: exit 2, nothing on stdout"
	like "$(head -n 1 "$T/err")" "$w" "$d: the message says what is wrong"
}
bad "--vertical square" "^kc-cut: --vertical: 'square': want crop, crop:X, fit or stack:X,Y,W,H" \
    --vertical square
bad "--vertical crop:-3" "^kc-cut: --vertical: 'crop:-3': crop:X wants X, the crop's centre in source pixels" \
    --vertical crop:-3
bad "--vertical crop:" "^kc-cut: --vertical: 'crop:': crop:X wants X" --vertical crop:
bad "--vertical stack:1,2,3" "^kc-cut: --vertical: 'stack:1,2,3': stack:X,Y,W,H wants the facecam rectangle" \
    --vertical stack:1,2,3
bad "--vertical stack:0,0,0,10" "^kc-cut: --vertical: 'stack:0,0,0,10': stack:X,Y,W,H wants" \
    --vertical stack:0,0,0,10
bad "--vertical fit:2" "^kc-cut: --vertical: 'fit:2': want crop" --vertical fit:2
bad "--format sideways" "^kc-cut: --format: 'sideways': want landscape or vertical" \
    --format sideways
bad "--format landscape --vertical fit" "^kc-cut: --vertical makes vertical versions: it cannot be combined with --format landscape" \
    --format landscape --vertical fit
bad "--export-vertical --accurate" "^kc-cut: --export-vertical makes vertical versions of clips already cut, beside them: it cannot be combined with --accurate" \
    --export-vertical --accurate
bad "--export-vertical --out" "cannot be combined with --out" --export-vertical --out "$T/x"
ok "usage errors: no output folder made" test ! -e "$T/x"

# --- each mode -------------------------------------------------------------------
# the four runs at once, one cut each: 2.5 s from the keyframe at 5 s;
# fit is the default mode
{ cat "$T/s"; hl 5.5 7.5; } >"$T/in"
for m in crop crop:520 fit stack:20,20,160,120; do
	d=${m//[:,]/_}
	if [ "$m" = fit ]; then set -- --format vertical; else set -- --vertical "$m"; fi
	(
		kc-cut -j 1 --out "$T/$d" "$@" <"$T/in" \
		    >"$T/out.$d" 2>"$T/err.$d"
		echo $? >"$T/rc.$d"
	) &
done
wait
for m in crop crop:520 fit stack:20,20,160,120; do
	d=${m//[:,]/_}
	is "$(cat "$T/rc.$d")" 0 "$m: exit 0" || diag "$(cat "$T/err.$d")"
	records clip "$T/out.$d" >"$T/clip.$d"
	p=$(jq -r .path "$T/clip.$d")
	v=$(jq -r .vertical_path "$T/clip.$d")
	is "$v" "${p%.mp4}.vertical.mp4" "$m: vertical_path is BASE.vertical.mp4 beside the clip"
	like "$p" "^$T/$d/[^/]*_001_00m05s_050_audio\\.mp4\$" "$m: path is still the landscape clip"
	is "$(jq -r .vertical_mode "$T/clip.$d")" "${m%%:*}" "$m: vertical_mode ${m%%:*}"
	is "$(streams "$p")" "video:h264:yuv420p:640x360,audio:aac" "$m: the clip is as without it"
	is "$(streams "$v")" "video:h264:yuv420p:1080x1920,audio:aac" \
	    "$m: the vertical version is 1080x1920 H.264 (yuv420p) and AAC"
	ok "$m: its index comes first (faststart)" faststart "$v"
	cmp_ok "$(abs "$(span "$v")" "$(span "$p")")" "<" 0.15 \
	    "$m: as long as the clip ($(span "$v") s, $(span "$p") s)"
	fv=$(flash "$v") bv=$(beep "$v") fp=$(flash "$p") bp=$(beep "$p")
	cmp_ok "$(abs "$fv" "$bv")" "<=" 0.05 \
	    "$m: the flash ($fv s) and the beep ($bv s) within 50 ms"
	cmp_ok "$(abs "$fv" "$fp")" "<=" 0.04 \
	    "$m: the flash where it is in the clip ($fp s)"
	cmp_ok "$(abs "$bv" "$bp")" "<=" 0.01 \
	    "$m: the beep where it is in the clip ($bp s)"
	like "$(cat "$T/err.$d")" '^kc-cut: vertical +100\.0%' \
	    "$m: progress on stderr, up to 100%"
	ok "$m: no temporary file left" no_tmp "$T/$d"
done
# where each mode puts the picture (a frame at 0.5 s: before the flash)
is "$(colour "$T/crop/"*.vertical.mp4 0.5 540 400) $(colour "$T/crop/"*.vertical.mp4 0.5 60 400) $(colour "$T/crop/"*.vertical.mp4 0.5 1020 400)" \
    "grey grey grey" "crop: the centre slice (grey: neither the facecam at the left nor the band at the right)"
is "$(colour "$T/crop_520/"*.vertical.mp4 0.5 540 960) $(colour "$T/crop_520/"*.vertical.mp4 0.5 100 960)" \
    "blue grey" "crop:520: the slice centred on x 520 (the blue band in the middle)"
is "$(colour "$T/fit/"*.vertical.mp4 0.5 877 960) $(colour "$T/fit/"*.vertical.mp4 0.5 100 760)" \
    "blue red" "--format vertical: fit, the whole picture across the middle (band at the right, facecam at the left)"
is "$(colour "$T/fit/"*.vertical.mp4 0.5 540 40)" grey \
    "fit: the picture's middle, zoomed, above it"
is "$(colour "$T/stack_20_20_160_120/"*.vertical.mp4 0.5 540 20) $(colour "$T/stack_20_20_160_120/"*.vertical.mp4 0.5 540 780)" \
    "red red" "stack: the facecam rectangle fills the top"
is "$(colour "$T/stack_20_20_160_120/"*.vertical.mp4 0.5 540 840) $(colour "$T/stack_20_20_160_120/"*.vertical.mp4 0.5 540 1880)" \
    "grey grey" "stack: the picture below it"

# --- a rectangle outside the picture: the clip, a warning, exit 3 ---------------------
run -i "$T/in" kc-cut -q --out "$T/out_of" --vertical stack:600,20,160,120
is "$RC" 3 "a stack rectangle outside the picture: exit 3"
records clip "$T/out" >"$T/c"
ok "... the clip is cut and its record written" test -s "$(jq -r .path "$T/c")"
is "$(jq -c '[.vertical_path, .vertical_mode]' "$T/c")" "[null,null]" \
    "... without vertical_path"
like "$ERR" "kc-cut: [^ ]*_001_00m05s_050_audio\\.mp4: no vertical version: --vertical stack:600,20,160,120: the rectangle is not inside the 640x360 picture" \
    "... the warning names the clip, the rectangle and the picture's size"
like "$ERR" "kc-cut: 1 vertical version failed" "... and they are counted"
is "$(find "$T/out_of" -name '*.vertical.mp4' | wc -l)" 0 "... no vertical file"

# --- a clip without sound: silence --------------------------------------------------
run -i <({ cat "$T/smute"; hl 1 3; }) kc-cut -q --out "$T/mute" --format vertical
is "$RC" 0 "no sound: exit 0" || diag "$ERR"
v=$(records clip "$T/out" | jq -r .vertical_path)
is "$(streams "$v")" "video:h264:yuv420p:1080x1920,audio:aac" "no sound: the vertical version has a sound track"
cmp_ok "$(loudest "$v")" "<=" -80 "no sound: ... of silence ($(loudest "$v") dB at most)"
cmp_ok "$(span "$v")" "<" 2.5 "no sound: the silence is as long as the picture ($(span "$v") s)"

# --- --export-vertical ---------------------------------------------------------------
# clip records as kc-db list --json writes them (kc-db itself when built)
{ cat "$T/s"; hl 5.5 7.5; hl 9 11; echo '{"type":"end","stream":"'"$(jq -r .id "$T/s")"'"}'; } |
    kc-cut -q --no-poster --out "$T/exp" >"$T/exp.cut" || bail "cannot cut for --export-vertical"
if command -v kc-db >/dev/null; then
	kc-db --db "$T/exp.db" add <"$T/exp.cut" 2>/dev/null &&
	    kc-db --db "$T/exp.db" list --json >"$T/exp.list" ||
	    bail "kc-db add or list failed"
	what="kc-db list --json"
else
	records clip "$T/exp.cut" | jq -c --arg a 2026-01-01T00:00:00Z '. + {id: input_line_number,
	    rating: null, rated_at: null, added: $a, title: "src.mp4",
	    channel: null, heuristic: null, model: null, model_weight: null,
	    poster: null, vertical_path: null} | del(.reencoded)' >"$T/exp.list"
	what="records like kc-db list --json's"
fi
is "$(jq -s 'map(select(.type == "clip")) | length' "$T/exp.list")" 2 "export: two clip records to start from ($what)"
# the clip of 9-11 s has lost its file: that one fails; a record of
# another type passes through
jq -c 'select(.type == "clip" and .want_t0 == 5.5)' "$T/exp.list" >"$T/exp.1"
jq -c 'select(.type == "clip" and .want_t0 == 9)' "$T/exp.list" >"$T/exp.2"
gone=$(jq -r .path "$T/exp.2")
mv "$gone" "$T/gone.mp4"
cat "$T/exp.1" <(echo '{"type":"note","x":1}') "$T/exp.2" >"$T/exp.in"
run -i "$T/exp.in" kc-cut --export-vertical --vertical fit
is "$RC" 3 "export: one clip failed: exit 3" || diag "$ERR"
is "$(jq -r .type "$T/out" | paste -sd' ')" "note clip error" \
    "export: the other record passes through, the clip comes back, an error in place of the failed one"
records clip "$T/out" >"$T/exp.out"
v=$(jq -r .vertical_path "$T/exp.out")
p=$(jq -r .path "$T/exp.out")
is "$v" "${p%.mp4}.vertical.mp4" "export: vertical_path is BASE.vertical.mp4 beside the clip"
is "$(jq -r .vertical_mode "$T/exp.out")" fit "export: vertical_mode fit"
is "$(jq -c 'del(.vertical_path, .vertical_mode)' "$T/exp.out")" \
    "$(jq -c 'del(.vertical_path, .vertical_mode)' "$T/exp.1")" \
    "export: every other key as read"
is "$(streams "$v")" "video:h264:yuv420p:1080x1920,audio:aac" "export: 1080x1920 H.264 and AAC"
fv=$(flash "$v") bv=$(beep "$v")
cmp_ok "$(abs "$fv" "$bv")" "<=" 0.05 "export: the flash ($fv s) and the beep ($bv s) within 50 ms"
records error "$T/out" >"$T/exp.err"
is "$(jq -c '[.stage, .path, .id, .fatal]' "$T/exp.err")" \
    "$(jq -c '["kc-cut", .path, .id, false]' "$T/exp.2")" \
    "export: the error record names the clip and its id"
like "$(jq -r .message "$T/exp.err")" 'cannot read the clip: .*No such file' "export: ... and says why"
like "$ERR" "kc-cut: 1 vertical export failed" "export: the failure is counted"
like "$ERR" "kc-cut: vertical +100\\.0%" "export: progress on stderr"
if command -v kc-db >/dev/null; then
	kc-db --db "$T/exp.db" add <"$T/out" >/dev/null 2>&1
	is "$(kc-db --db "$T/exp.db" list --json | jq -r --argjson id "$(jq .id "$T/exp.1")" \
	    'select(.type == "clip" and .id == $id) | .vertical_path')" \
	    "$v" "export: kc-db add stores its vertical_path"
fi
mv "$T/gone.mp4" "$gone"

# --- killed while encoding: no vertical file, no temporary file --------------------
hang=kc-cut-test-vhang-$KC_TEST_CONFIG-$$
cat >"$T/ffhang" <<EOF
#!/bin/bash
case " \$* " in
*" -progress "*) ffmpeg "\$@" && exec -a $hang sleep 30 ;;
esac
exec ffmpeg "\$@"
EOF
chmod +x "$T/ffhang"
hung() { pgrep -f "$hang" >/dev/null; }
KC_FFMPEG=$T/ffhang kc-cut -q --out "$T/kill" --format vertical <"$T/in" >/dev/null 2>&1 &
pid=$!
for i in $(seq 3000); do
	[ -n "$(find "$T/kill" -name '*.vertical.mp4.*.part' 2>/dev/null)" ] && hung && break
	sleep 0.1
done
ok "killed: an encode is under way" hung
kill -TERM $pid
wait $pid
is "$?" 143 "killed: kc-cut dies of SIGTERM"
ok "killed: the encoding ffmpeg is gone" eval '! hung'
ok "killed: no temporary file left" no_tmp "$T/kill"
is "$(find "$T/kill" -name '*.vertical.mp4' | wc -l)" 0 "killed: no vertical file"

done_testing
