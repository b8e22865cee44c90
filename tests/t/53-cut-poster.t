#!/bin/bash
# 53-cut-poster.t - the poster and hover strip kc-cut puts beside each
# clip, on a source generated here: 12 s of 320x240 test picture, a
# keyframe every second, black from 3 to 3.4 s and green from 8 to 8.4 s.
# The poster BASE.jpg is a JPEG of the clip's size showing the frame at
# the highlight's peak (green at a peak of 8.2 s), the clip's middle
# without a peak or with one outside the clip, and never the clip's black
# first frame; it is not black.  The strip BASE.strip.jpg is strip_frames
# tiles of equal width side by side, tile i the keyframe at or before
# (i + 1/2) x the clip's length / strip_frames (the black first keyframe
# in tile 0, the green one in tile 5).  --no-poster makes none; a poster
# ffmpeg cannot make is a warning and the clip is still cut; a rerun keeps
# the same files; a clip without a picture gets none, quietly.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

need ffmpeg ffprobe jq python3 kc-fetch kc-cut

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

ff -f lavfi -i "testsrc2=s=320x240:r=25:d=12,drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='between(t,3,3.39)',drawbox=x=0:y=0:w=iw:h=ih:color=0x00ff00:t=fill:enable='between(t,8,8.39)'" \
    -f lavfi -i "sine=f=440:d=12:sample_rate=48000" -c:v libx264 \
    -preset veryfast -pix_fmt yuv420p -g 25 -keyint_min 25 -sc_threshold 0 \
    -c:a aac -b:a 64k -shortest "$T/src.mp4" || bail "cannot generate the source"
ff -f lavfi -i "sine=f=330:d=8:sample_rate=44100" -c:a aac "$T/audio.m4a" ||
    bail "cannot generate audio.m4a"
kc-fetch "$T/src.mp4" | head -n 1 >"$T/s" || bail "kc-fetch failed"

# hl T0 T1 [PEAK]: a highlight record
hl() {
	jq -nc --argjson a "$1" --argjson b "$2" --argjson p "${3:-null}" \
	    '{type: "highlight", kind: "video", t0: $a, t1: $b, score: 0.5} +
	    (if $p == null then {} else {peak: $p} end)'
}
# size FILE: "codec WxH" of its picture
size() {
	ffprobe -v error -select_streams v:0 -show_entries \
	    stream=codec_name,width,height -of csv=p=0 "$1" | tr , ' ' |
	    awk '{ print $1, $2 "x" $3 }'
}
is_jpeg() { [ "$(head -c 3 "$1" | od -An -tx1 | tr -d ' ')" = ffd8ff ]; }
# rgb FILE [T]: the picture (at T s) as raw RGB into $T/rgb, its width out
rgb() {
	ff ${2:+-ss "$2"} -i "$1" -frames:v 1 -f rawvideo -pix_fmt rgb24 "$T/rgb" &&
	    ffprobe -v error -select_streams v:0 -show_entries stream=width \
	    -of csv=p=0 "$1"
}
# tiles FILE N: the mean colour of each of the N tiles of FILE, one word
# each: black, green or picture
tiles() {
	local w
	w=$(rgb "$1") || return 1
	python3 - "$T/rgb" "$w" "$2" <<'EOF'
import sys
d = open(sys.argv[1], 'rb').read()
w, n = int(sys.argv[2]), int(sys.argv[3])
h = len(d) // (3 * w)
tw = w // n
out = []
for t in range(n):
    s = [0, 0, 0]
    for y in range(0, h, 4):
        for x in range(t * tw, (t + 1) * tw, 4):
            p = 3 * (y * w + x)
            for c in range(3):
                s[c] += d[p + c]
    k = (h // 4 + (h % 4 > 0)) * (tw // 4 + (tw % 4 > 0))
    r, g, b = (v / k for v in s)
    out.append("black" if max(r, g, b) < 30 else
               "green" if g > 150 and r < 90 and b < 90 else "picture")
print(" ".join(out))
EOF
}
# closest POSTER SRC T...: of the source's frames at T..., the one the
# poster looks most like (mean absolute difference of grey levels)
closest() {
	local p=$1 s=$2 t
	shift 2
	ff -i "$p" -f rawvideo -pix_fmt gray "$T/p.gray" || return 1
	for t; do
		ff -ss "$t" -i "$s" -frames:v 1 -f rawvideo -pix_fmt gray "$T/f.$t.gray" ||
		    return 1
	done
	python3 - "$T/p.gray" "$@" <<EOF
import sys
p = open(sys.argv[1], 'rb').read()
best = None
for t in sys.argv[2:]:
    f = open("$T/f." + t + ".gray", 'rb').read()
    d = sum(abs(a - b) for a, b in zip(p[::3], f[::3])) / len(p[::3])
    if best is None or d < best[0]:
        best = (d, t)
print(best[1])
EOF
}
no_tmp() { [ -z "$(find "$1" -name '*.part' 2>/dev/null)" ]; }

# --- usage -------------------------------------------------------------------
run kc-cut --help
like "$OUT" '--no-poster' "--help documents --no-poster"
like "$OUT" 'BASE\.jpg' "--help names the poster's file"

# --- posters and strips ------------------------------------------------------------
# four clips of 3 to 11 s (the keyframe at 3 s is black): a peak at 8.2 s
# (green), no peak, a peak on the first frame, a peak the cut left out
{
	cat "$T/s"
	hl 3.2 11.2 8.2
	hl 3.2 11.2
	hl 3.2 11.2 3.05
	hl 3.2 11.2 20
} >"$T/in"
run -i "$T/in" kc-cut --out "$T/c"
is "$RC" 0 "exit 0" || diag "$ERR"
is "$ERR" "" "nothing on stderr"
records clip "$T/out" >"$T/clips"
is "$(grep -c . "$T/clips")" 4 "four clip records"
i=0
while read -r rec <&3; do
	i=$((i + 1))
	p=$(jq -r .path <<<"$rec")
	base=${p%.mp4}
	is "$(jq -c '[.poster, .strip, .strip_frames]' <<<"$rec")" \
	    "[\"$base.jpg\",\"$base.strip.jpg\",8]" \
	    "clip $i: poster BASE.jpg, strip BASE.strip.jpg, strip_frames 8"
	ok "clip $i: the poster is a JPEG" is_jpeg "$base.jpg"
	is "$(size "$base.jpg")" "mjpeg 320x240" "clip $i: ... of the clip's size (320x240)"
	is "$(tiles "$base.jpg" 1)" "$([ $i = 1 ] && echo green || echo picture)" \
	    "clip $i: ... not black"
	ok "clip $i: the strip is a JPEG" is_jpeg "$base.strip.jpg"
	is "$(size "$base.strip.jpg")" "mjpeg 1920x180" \
	    "clip $i: ... of 8 tiles 240x180 (the clip's shape, 180 high)"
	is "$(tiles "$base.strip.jpg" 8)" \
	    "black picture picture picture picture green picture picture" \
	    "clip $i: tile i is the keyframe before (i + 1/2) s: black at 3 s in tile 0, green at 8 s in tile 5"
done 3<"$T/clips"
p1=$(sed -n 1p "$T/clips" | jq -r .poster)
p2=$(sed -n 2p "$T/clips" | jq -r .poster)
p3=$(sed -n 3p "$T/clips" | jq -r .poster)
p4=$(sed -n 4p "$T/clips" | jq -r .poster)
is "$(tiles "$p1" 1)" green "a peak at 8.2 s: the poster is the frame there (green)"
is "$(closest "$p2" "$T/src.mp4" 6 6.5 7 7.5)" 7 \
    "no peak: the poster is the frame in the clip's middle (7 s)"
is "$(closest "$p3" "$T/src.mp4" 3.5 4 4.5)" 3.5 \
    "a peak on the clip's first frame: half a second in instead (3.5 s, not the black start)"
is "$(closest "$p4" "$T/src.mp4" 6 6.5 7 7.5)" 7 \
    "a peak outside the clip: the clip's middle (7 s)"
ok "no temporary file left" no_tmp "$T/c"

# a rerun: the same pictures, kept as they are
find "$T/c" -type f -printf '%f %i\n' | sort >"$T/before"
run -i "$T/in" kc-cut --out "$T/c"
is "$RC" 0 "rerun: exit 0"
is "$(find "$T/c" -type f -printf '%f %i\n' | sort)" "$(cat "$T/before")" \
    "rerun: the same files, the pictures kept (same inodes)"
is "$(records clip "$T/out")" "$(cat "$T/clips")" "rerun: the same records"

# --- --no-poster -------------------------------------------------------------------
run -i <({ cat "$T/s"; hl 3.2 6 4; }) kc-cut --no-poster --out "$T/np"
is "$RC" 0 "--no-poster: exit 0"
is "$(records clip "$T/out" | jq -c '[has("poster"), has("strip"), has("strip_frames")]')" \
    "[false,false,false]" "--no-poster: no poster keys"
is "$(find "$T/np" -type f | sed 's|.*\.||' | paste -sd' ')" mp4 "--no-poster: the clip alone"

# --- a poster that cannot be made is a warning ---------------------------------------
# an ffmpeg that fails, and one that says it is done but wrote nothing,
# when asked for pictures (image2)
for how in fail empty; do
	cat >"$T/ff$how" <<EOF
#!/bin/bash
case " \$* " in
*" image2 "*) [ $how = fail ] && { echo "pictures refused here" >&2; exit 1; }; exit 0 ;;
esac
exec ffmpeg "\$@"
EOF
	chmod +x "$T/ff$how"
	KC_FFMPEG=$T/ff$how run -i <({ cat "$T/s"; hl 3.2 6 4; }) kc-cut --out "$T/pf$how"
	is "$RC" 0 "poster ffmpeg $how: the cut succeeds (exit 0)"
	records clip "$T/out" >"$T/pf"
	ok "poster ffmpeg $how: the clip is there" test -s "$(jq -r .path "$T/pf")"
	is "$(jq -c '[.poster, .strip, .strip_frames]' "$T/pf")" "[null,null,null]" \
	    "poster ffmpeg $how: its record has no poster keys"
	is "$(records error "$T/out")" "" "poster ffmpeg $how: no error record"
	is "$(find "$T/pf$how" -type f ! -name '*.mp4' | wc -l)" 0 \
	    "poster ffmpeg $how: no picture, no temporary file"
	if [ $how = fail ]; then
		want="ffmpeg failed \\(exit status 1\\): pictures refused here"
	else
		want="ffmpeg made no picture"
	fi
	like "$ERR" "^kc-cut: [^ ]*_001_00m03s_050_video\\.mp4: no poster: $want\$" \
	    "poster ffmpeg $how: the warning names the clip and says why"
done

# --- a clip without a picture: no poster, nothing said -------------------------------
run -i <({ kc-fetch "$T/audio.m4a" | head -n 1; hl 2 5; }) kc-cut --out "$T/aud"
is "$RC" 0 "no picture: exit 0"
is "$(records clip "$T/out" | jq -c '[has("poster"), has("strip")]')" "[false,false]" \
    "no picture: no poster keys"
is "$ERR" "" "no picture: nothing on stderr"

done_testing
