#!/bin/bash
# 50-cut.t - kc-cut on media generated here: 60 s of moving test picture
# and beeps, H.264 with B-frames and AAC, once with a keyframe every 2 s and
# once every 5 s.  Copy cuts must start at the last keyframe before the
# highlight (the clip's first frame is that source frame, bit for bit),
# keep audio and video together and last as long as asked; --accurate cuts
# must start and end within a tenth of a second.  Failures become error
# records, other records pass through byte for byte, "end" comes last, odd
# file names never reach a shell, and no temporary file outlives a run,
# killed or not.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

need ffmpeg ffprobe jq python3 kc-cut

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

# gen GOP FILE: 60 s 320x180 30 fps, a keyframe every GOP seconds exactly
gen() {
	ff -f lavfi -i "testsrc2=s=320x180:r=30:d=60" \
	    -f lavfi -i "sine=f=440:beep_factor=4:d=60:sample_rate=48000" \
	    -c:v libx264 -preset veryfast -crf 32 -pix_fmt yuv420p \
	    -g $(($1 * 30)) -keyint_min $(($1 * 30)) -sc_threshold 0 \
	    -c:a aac -b:a 64k -shortest "$2"
}
gen 2 "$T/g2.mp4" & p1=$!
gen 5 "$T/g5.mp4" & p2=$!
ff -f lavfi -i "sine=f=330:d=20:sample_rate=44100" -c:a aac "$T/audio.m4a" ||
    bail "cannot generate audio-only media"
# PCM audio cannot be stream-copied into MP4: kc-cut copies the picture
# and re-encodes the sound.  FFV1 video cannot go into MP4 at all: with
# --reencode never (no H.264 re-encode) a real ffmpeg failure.
ff -f lavfi -i "testsrc2=s=160x90:r=10:d=8" -f lavfi -i "sine=d=8" \
    -c:v libx264 -preset ultrafast -c:a pcm_s16le "$T/pcm.mkv" ||
    bail "cannot generate pcm.mkv"
ff -f lavfi -i "testsrc2=s=160x90:r=10:d=8" -f lavfi -i "sine=d=8" \
    -c:v ffv1 -c:a pcm_s16le "$T/ffv1.mkv" ||
    bail "cannot generate ffv1.mkv"
wait $p1 && wait $p2 || bail "cannot generate test media"

for g in 2 5; do
	kc-fetch "$T/g$g.mp4" >"$T/f$g" || bail "kc-fetch g$g failed"
	head -n 1 "$T/f$g" >"$T/s$g"
done

# hl T0 T1 [KIND [SCORE]]: a highlight record
hl() {
	jq -nc --argjson a "$1" --argjson b "$2" --arg k "${3:-audio}" \
	    --argjson s "${4:-0.85}" '{type: "highlight", kind: $k, t0: $a,
	    t1: $b, score: $s, heuristic: 0.7, model: null, model_weight: 0,
	    rank: 1, features: {rms_mean: 0.25, loudness_db: -12.5}}'
}
# last_key SRC T: the last video keyframe at or before T, by ffprobe
last_key() {
	ffprobe -v error -select_streams v:0 -show_entries packet=pts_time,flags \
	    -of csv=p=0 "$1" | awk -F, -v t="$2" '$2 ~ /K/ && $1 <= t + 1e-6 &&
	    (k == "" || $1 + 0 > k + 0) { k = $1 } END { print k + 0 }'
}
# md5 of the first video frame of FILE decoded from time SS
frame_md5() {
	ff -ss "$2" -i "$1" -map 0:v:0 -frames:v 1 -f framemd5 - |
	    awk -F, '!/^#/ { gsub(/ /, "", $NF); print $NF }'
}
# probe FILE: "vstart astart span" from ffprobe (span: first start to last end)
probe() {
	ffprobe -v error -show_entries stream=codec_type,start_time,duration \
	    -of json "$1" | jq -r '[.streams[] | {t: .codec_type,
	    s: (.start_time | tonumber),
	    e: ((.start_time | tonumber) + (.duration | tonumber))}] |
	    [(map(select(.t == "video") | .s)[0] // "none"),
	    (map(select(.t == "audio") | .s)[0] // "none"),
	    ((map(.e) | max) - (map(.s) | min))] | map(tostring) | join(" ")'
}
abs() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; print d < 0 ? -d : d }'; }
# stem SLUG STREAMFILE: what the stream's clip names start with, the slug
# of its title (given) and the first 8 digits of its id
stem() { printf '%s-%s' "$1" "$(jq -r '.id[0:8]' "$2")"; }
decodes() { [ -z "$(ffmpeg -nostdin -v error -i "$1" -f null - 2>&1)" ]; }
no_tmp() { [ -d "$1" ] && [ -z "$(find "$1" -name '*.part')" ]; }

# --- usage -------------------------------------------------------------------
run kc-cut --help
is "$RC" 0 "--help exits 0"
like "$(printf '%s' "$OUT" | tr '\n' ' ')" 'exit status: 0 ok, 1 .*2 usage' \
    "--help documents exit statuses"
like "$OUT" 'KC_FFMPEG' "--help documents the environment"
run kc-cut --bogus
is "$RC" 2 "unknown option exits 2"
run kc-cut -j 0
is "$RC" 2 "-j 0 exits 2"
like "$ERR" "^kc-cut: -j: '0': .*1 to 16" "-j 0: message names flag and value"
run kc-cut -j 17
is "$RC" 2 "-j 17 exits 2"

# --- copy cuts on GOP 2 s and 5 s ---------------------------------------------
W0=13.4 W1=23.4
for g in 2 5; do
	src=$T/g$g.mp4 out=$T/copy$g
	{ cat "$T/s$g"; hl $W0 $W1; } >"$T/in"
	run -i "$T/in" kc-cut --out "$out"
	is "$RC" 0 "gop $g: exit 0"
	records clip "$T/out" >"$T/clip"
	is "$(nlines "$(cat "$T/clip")")" 1 "gop $g: one clip record"
	path=$(jq -r .path "$T/clip")
	is "$path" "$(cd "$out" && pwd)/$(stem g$g-mp4 "$T/s$g")_001_00m13s_085_audio.mp4" \
	    "gop $g: absolute path, the stream's title and id, then seed-style"
	ok "gop $g: clip file exists" test -s "$path"
	ok "gop $g: clip decodes without errors" decodes "$path"
	ok "gop $g: no temporary file left" no_tmp "$out"
	t0=$(jq .t0 "$T/clip") t1=$(jq .t1 "$T/clip")
	key=$(last_key "$src" $W0)
	cmp_ok "$(abs "$t0" "$key")" "<" 0.001 \
	    "gop $g: t0 $t0 is the last keyframe before $W0 ($key)"
	cmp_ok "$t0" "<=" $W0 "gop $g: t0 <= want_t0"
	cmp_ok "$(awk -v a=$W0 -v b="$t0" 'BEGIN { print a - b }')" "<=" "$g" \
	    "gop $g: want_t0 - t0 <= GOP"
	read -r vs as span <<<"$(probe "$path")"
	cmp_ok "$(abs "$span" 10)" "<=" 1 "gop $g: lasts $span s, 10 +/- 1 asked"
	cmp_ok "$(abs "$(awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }')" \
	    "$span")" "<" 0.01 "gop $g: record t1 - t0 agrees with ffprobe"
	cmp_ok "$(abs "$vs" "$as")" "<=" 0.05 \
	    "gop $g: audio ($as) and video ($vs) start within 50 ms"
	want=$(frame_md5 "$src" "$t0")
	is "$(frame_md5 "$path" 0)" "$want" \
	    "gop $g: first frame is the source frame at the keyframe"
	isnt "$(frame_md5 "$src" "$(awk -v k="$t0" 'BEGIN { print k + 1/30 }')")" \
	    "$want" "gop $g: (the next source frame differs)"
	is "$(jq -c '[.want_t0, .want_t1, .kind, .score, .heuristic, .model,
	    .model_weight, .features, .mode]' "$T/clip")" \
	    '[13.4,23.4,"audio",0.85,0.7,null,0,{"rms_mean":0.25,"loudness_db":-12.5},"copy"]' \
	    "gop $g: highlight fields copied, mode copy"
	is "$(jq -r '.url, .stream' "$T/clip" | paste -sd' ')" \
	    "$(jq -r '.url, .id' "$T/s$g" | paste -sd' ')" \
	    "gop $g: url and stream id from the stream record"
	diag "gop $g: K=$t0 span=$span vstart=$vs astart=$as"
done

# --- accurate cut ------------------------------------------------------------
{ cat "$T/s5"; hl $W0 $W1 video 0.5; } >"$T/in"
run -i "$T/in" kc-cut --accurate --out "$T/acc"
is "$RC" 0 "accurate: exit 0"
records clip "$T/out" >"$T/clip"
path=$(jq -r .path "$T/clip")
is "${path##*/}" "$(stem g5-mp4 "$T/s5")_001_00m13s_050_video.mp4" "accurate: named"
ok "accurate: clip decodes without errors" decodes "$path"
is "$(jq -r .mode "$T/clip")" accurate "accurate: mode accurate"
read -r vs as span <<<"$(probe "$path")"
cmp_ok "$(abs "$span" 10)" "<=" 0.1 "accurate: lasts $span s, 10 +/- 0.1"
cmp_ok "$(abs "$(jq .t0 "$T/clip")" $W0)" "<=" 0.1 "accurate: t0 is want_t0"
cmp_ok "$(abs "$vs" "$as")" "<=" 0.05 "accurate: audio and video start together"
# first_at CLIP: the time of the source frame (g5.mp4, 13.2-13.6 s) the
# clip's first frame is most like
first_at() {
	ff -i "$1" -frames:v 1 -f rawvideo -pix_fmt gray "$T/c.raw"
	ff -ss 13.2 -i "$T/g5.mp4" -frames:v 13 -f rawvideo -pix_fmt gray "$T/s.raw"
	python3 - "$T/c.raw" "$T/s.raw" <<'EOF'
import sys
n = 320 * 180
c = open(sys.argv[1], 'rb').read()[:n]
s = open(sys.argv[2], 'rb').read()
d = [sum(abs(a - b) for a, b in zip(c[::5], s[i * n:(i + 1) * n:5]))
     for i in range(len(s) // n)]
print("%.4f" % (13.2 + d.index(min(d)) / 30.0))
EOF
}
match=$(first_at "$path")
cmp_ok "$(abs "$match" $W0)" "<=" 0.1 \
    "accurate: first frame is the source frame at $match s (want $W0)"
# x264 encodes the same frames to the same bytes: a rerun keeps the file
ino=$(stat -c %i "$path")
run -i "$T/in" kc-cut --accurate --out "$T/acc"
is "$(records clip "$T/out" | jq -r .path) $(stat -c %i "$path") $(find "$T/acc" -name '*.mp4' | wc -l)" \
    "$path $ino 1" "accurate rerun: the same bytes again, so the file there is kept"

# An MPEG-TS source (no index: an input seek lands between keyframes): the
# accurate clip starts moving at once.  It began with a frozen picture up
# to a GOP long (the frames before the next keyframe dropped, the first
# kept repeated); now it is decoded from the keyframe before.
ff -i "$T/g5.mp4" -c copy -f mpegts "$T/g5.ts" || bail "cannot remux g5.ts"
{ kc-fetch "$T/g5.ts" | head -n 1; hl $W0 $W1 video 0.5; } >"$T/ints"
run -i "$T/ints" kc-cut --accurate --out "$T/accts"
is "$RC" 0 "accurate from MPEG-TS: exit 0"
path=$(records clip "$T/out" | jq -r .path)
is "$(ff -i "$path" -map 0:v:0 -frames:v 30 -f framemd5 - | awk -F, '!/^#/ { print $NF }' | sort -u | wc -l)" 30 \
    "accurate from MPEG-TS: its first 30 frames all differ (testsrc2 moves every frame)"
match=$(first_at "$path")
cmp_ok "$(abs "$match" $W0)" "<=" 0.1 \
    "accurate from MPEG-TS: first frame is the source frame at $match s (want $W0)"

# --- -j 3, order, pass-through, end ---------------------------------------------
# A wrapper that logs how many ffmpeg cuts run at once; it slows each cut
# down so that they overlap.
cat >"$T/ffslow" <<'EOF'
#!/bin/bash
log=${0%/*}/conc.log
echo + >>"$log"
sleep 1
ffmpeg "$@"; rc=$?
echo - >>"$log"
exit $rc
EOF
chmod +x "$T/ffslow"
odd='{"type":"zz",  "b":1,"a":[1, 2 ],"u":"\u00e9 x"}'
{
	cat "$T/s2"
	echo "$odd"
	for t in 40 5 22 13 50 31; do hl $t $((t + 6)); done
	sed -n 2p "$T/f2"
	echo '{"type":"gap","t0":1,"t1":2,"stage":"x","reason":"r"}'
	tail -n 1 "$T/f2"
	echo '{"type":"after_end"}'
} >"$T/in"
: >"$T/conc.log"
KC_FFMPEG=$T/ffslow run -i "$T/in" kc-cut -j 3 --out "$T/par"
is "$RC" 0 "-j 3: exit 0"
is "$(records clip "$T/out" | jq -s -c 'map(.want_t0)')" "[40,5,22,13,50,31]" \
    "-j 3: six clip records, in input order"
S2=$(stem g2-mp4 "$T/s2")
is "$(records clip "$T/out" | jq -r '.path | sub(".*/"; "")' | sed "s/^${S2}_//" |
    cut -c1-10 | paste -sd' ')" \
    "001_00m40s 002_00m05s 003_00m22s 004_00m13s 005_00m50s 006_00m31s" \
    "-j 3: sequence numbers and start times in the names"
n=0
for p in $(records clip "$T/out" | jq -r .path); do test -s "$p" && n=$((n + 1)); done
is "$n" 6 "-j 3: six clip files"
most=$(awk '/\+/ { n++; if (n > m) m = n } /-/ { n-- } END { print m }' "$T/conc.log")
is "$most" 3 "-j 3: three cuts ran at once, never more"
is "$(grep -vc '"type":"clip"' "$T/out")" 6 "-j 3: six other records out"
is "$(grep -Fx -c "$odd" "$T/out")" 1 "unknown record passes through byte for byte"
is "$(grep -v '"type":"clip"' "$T/out" | cmp - <(grep -v '"type":"highlight"' "$T/in") && echo same)" \
    same "all other records pass through unchanged and in order"
cmp_ok "$(grep -n '"type":"end"' "$T/out" | cut -d: -f1)" ">" \
    "$(grep -n '"type":"clip"' "$T/out" | tail -n 1 | cut -d: -f1)" \
    "end comes after all clip records"
is "$(tail -n 1 "$T/out")" '{"type":"after_end"}' "records after end follow it"
ok "-j 3: no temporary file left" no_tmp "$T/par"

# a rerun cuts the same bytes again: the files there are kept, none added
find "$T/par" -type f -printf '%f %i\n' | sort >"$T/par.before"
records clip "$T/out" >"$T/par.recs"
run -i "$T/in" kc-cut -j 3 --out "$T/par"
is "$RC" 0 "rerun: exit 0"
is "$(find "$T/par" -type f -printf '%f %i\n' | sort)" "$(cat "$T/par.before")" \
    "rerun: the same six clips and their pictures, kept (same inodes), none added"
is "$(records clip "$T/out")" "$(cat "$T/par.recs")" "rerun: the same clip records"
is "$ERR" "" "rerun: nothing to say"

# --- streams sharing a folder: a clip never replaces a file --------------------
# Two streams of one title (g5 copied to another folder as g2.mp4: another
# id, other pictures) and the same highlight: in the seed's style their
# clips had one name, and the second replaced the first.
mkdir -p "$T/other"
cp "$T/g5.mp4" "$T/other/g2.mp4"
kc-fetch "$T/other/g2.mp4" | head -n 1 >"$T/sother"
is "$(jq -r .title "$T/sother")" "$(jq -r .title "$T/s2")" "shared folder: two streams of one title"
{ cat "$T/s2"; hl 20 30; } | kc-cut --out "$T/shared" >"$T/sh1" 2>/dev/null
p1=$(records clip "$T/sh1" | jq -r .path)
before="$(md5sum <"$p1") $(stat -c %i "$p1")"
run -i <({ cat "$T/sother"; hl 20 30; }) kc-cut --out "$T/shared"
is "$RC" 0 "shared folder: the second stream's cut: exit 0"
p2=$(records clip "$T/out" | jq -r .path)
isnt "$p2" "$p1" "shared folder: the second stream's clip has a name of its own"
is "${p2##*/}" "$(stem g2-mp4 "$T/sother")_001_00m20s_085_audio.mp4" \
    "shared folder: named after its own stream"
is "$(md5sum <"$p1") $(stat -c %i "$p1")" "$before" \
    "shared folder: the first stream's clip is untouched"
isnt "$(md5sum <"$p2")" "${before% *}" "shared folder: the two clips differ"
is "$(find "$T/shared" -name '*.mp4' | wc -l)" 2 "shared folder: two clip files"

# another file under the clip's name: left alone, the clip numbered
name=$(stem g2-mp4 "$T/s2")_001_00m40s_085_audio.mp4
mkdir -p "$T/clash"
printf 'not this clip\n' >"$T/clash/$name"
run -i <({ cat "$T/s2"; hl 40 50; }) kc-cut --out "$T/clash"
is "$RC" 0 "name taken: exit 0"
is "$(cat "$T/clash/$name")" "not this clip" "name taken: the file there is untouched"
is "$(records clip "$T/out" | jq -r '.path | sub(".*/"; "")')" "${name%.mp4}-2.mp4" \
    "name taken: the clip is NAME-2.mp4"
like "$ERR" "^kc-cut: $name: another file has that name; saved as ${name%.mp4}-2\\.mp4\$" \
    "name taken: a warning says so"
ok "name taken: the clip plays" decodes "$T/clash/${name%.mp4}-2.mp4"
run -i <({ cat "$T/s2"; hl 40 50; }) kc-cut --out "$T/clash"
is "$(records clip "$T/out" | jq -r '.path | sub(".*/"; "")')" "${name%.mp4}-2.mp4" \
    "name taken, rerun: NAME-2.mp4 again"
is "$(find "$T/clash" -type f ! -name '*.jpg' | wc -l)" 2 "name taken, rerun: no third file"

# --- failures ----------------------------------------------------------------
jq -c '.cut = "file:'"$T"'/missing.mp4"' "$T/s2" >"$T/smissing"
kc-fetch "$T/ffv1.mkv" | head -n 1 >"$T/spcm"
{
	cat "$T/s2"; hl 10 20
	hl 7505 7515 audio 0.4		# past the end of the 60 s media
	hl 20 30
	cat "$T/smissing"; hl 5 10
	cat "$T/spcm"; hl 1 4 video 0.9
	cat "$T/s2"; hl 30 35
	echo '{"type":"end","stream":"x"}'
} >"$T/in"
run -i "$T/in" kc-cut --reencode never --out "$T/fail"
is "$RC" 3 "failed cuts: exit 3 (partly done)"
is "$(jq -s -c '[.[] | select(.type == "clip" or .type == "error") |
    .type]' "$T/out")" '["clip","error","clip","error","error","clip"]' \
    "failed cuts: an error record in place of each failed clip"
records error "$T/out" >"$T/err"
is "$(jq -s -c 'map([.stage, .t0, .t1, .fatal])' "$T/err")" \
    '[["kc-cut",7505,7515,false],["kc-cut",5,10,false],["kc-cut",1,4,false]]' \
    "error records: stage, t0, t1, not fatal"
is "$(jq -s -c 'map([.kind, .score, .rank])' "$T/err")" \
    '[["audio",0.4,1],["audio",0.85,1],["video",0.9,1]]' \
    "error records carry the highlight's kind, score and rank"
SF=$(stem ffv1-mkv "$T/spcm")
is "$(jq -r .path "$T/err" | sed 's|.*/||' | paste -sd' ')" \
    "${S2}_002_125m05s_040_audio.mp4 ${S2}_004_00m05s_085_audio.mp4 ${SF}_005_00m01s_090_video.mp4" \
    "error records name the clip (minutes past 99 keep counting)"
like "$(sed -n 1p "$T/err" | jq -r .message)" 'after the end of the media' \
    "past the end: says so"
like "$(sed -n 2p "$T/err" | jq -r .message)" 'No such file or directory' \
    "missing source: says so"
like "$ERR" "kc-cut: ${SF}_005_00m01s_090_video\\.mp4: ffmpeg failed \\(exit status [0-9]+\\): .*ffv1.*; Could not write header" \
    "ffmpeg failure: warning names the clip and ffmpeg's last error line"
like "$ERR" 'kc-cut: 3 cuts failed' "failed cuts are counted at the end"
is "$(tail -n 1 "$T/out")" '{"type":"end","stream":"x"}' "end still comes last"
ok "failed cuts: no temporary file left" no_tmp "$T/fail"
is "$(find "$T/fail" -type f ! -name '*.jpg' | wc -l)" 3 "failed cuts: only the good clips exist"

# a highlight outside the records' bounds (docs/records.md) is one failed
# cut, refused before any child runs: the highlights around it are cut
{ cat "$T/s2"; hl 10 14; hl 1.8e302 1.9e302; hl 20 24; } >"$T/in"
run -i "$T/in" kc-cut --out "$T/bound"
is "$RC" 3 "a highlight at 1.8e302 s: one failed cut, exit 3 (partly done)"
is "$(jq -s -c '[.[] | select(.type == "clip" or .type == "error") |
    .type]' "$T/out")" '["clip","error","clip"]' \
    "a highlight at 1.8e302 s: an error record, the others are cut"
like "$ERR" '^kc-cut: <stdin>:3: highlight: "t0" out of range 0 to 1000000: 1\.8e302' \
    "a highlight at 1.8e302 s: the message names the line and the value"
is "$(find "$T/bound" -type f ! -name '*.jpg' | wc -l)" 2 "a highlight at 1.8e302 s: two clips"

# a chat highlight (kc-score --type chat) is cut like the others
{ cat "$T/s2"; hl 30 34 chat 0.6; } >"$T/inchat"
run -i "$T/inchat" kc-cut --out "$T/chat"
is "$RC" 0 "a chat highlight: exit 0"
records clip "$T/out" >"$T/chat.clip"
is "$(jq -c '[.kind, .want_t0, .score]' "$T/chat.clip")" '["chat",30,0.6]' \
    "a chat highlight: its clip record, of kind chat"
like "$(jq -r .path "$T/chat.clip")" "^$T/chat/.*_00m30s_060_chat\\.mp4\$" \
    "a chat highlight: the file is named after its kind"
ok "a chat highlight: the clip file is there" test -s "$(jq -r .path "$T/chat.clip")"

# PCM sound: the picture is copied, the sound becomes AAC
{ kc-fetch "$T/pcm.mkv" | head -n 1; hl 2 6 audio 0.5; } >"$T/inpcm"
run -i "$T/inpcm" kc-cut --out "$T/pcm"
is "$RC" 0 "PCM audio: the cut succeeds"
f=$(find "$T/pcm" -name '*.mp4' | head -n 1)
is "$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$f" 2>/dev/null | paste -sd,)" \
    "h264,aac" "PCM audio: video copied (h264), audio re-encoded (aac)"
# --reencode never copies the PCM, which MP4 refuses: the cut is retried
# with the sound as AAC
run -i "$T/inpcm" kc-cut --reencode never --out "$T/pcmnever"
is "$RC" 0 "PCM audio, --reencode never: the cut succeeds (retried)"
f=$(find "$T/pcmnever" -name '*.mp4' | head -n 1)
is "$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$f" 2>/dev/null | paste -sd,)" \
    "h264,aac" "PCM audio, --reencode never: audio re-encoded after the copy failed"

# an ffmpeg that seeks a hair past the keyframe loses it: the check sees it
cat >"$T/fflate" <<'EOF'
#!/bin/bash
args=() prev=
for a in "$@"; do
	b=$a
	[ "$prev" = -ss ] && b=$(awk -v x="$a" 'BEGIN { printf "%.6f", x + 0.001 }')
	args+=("$b") prev=$a
done
exec ffmpeg "${args[@]}"
EOF
chmod +x "$T/fflate"
{ cat "$T/s5"; hl $W0 $W1; } >"$T/in"
KC_FFMPEG=$T/fflate run -i "$T/in" kc-cut --out "$T/late"
is "$RC" 3 "lost keyframe: exit 3 (partly done)"
like "$(records error "$T/out" | jq -r .message)" \
    "bad clip: clip's video starts [0-9.]+ s late" \
    "lost keyframe: the check catches it"
is "$(find "$T/late" -type f | wc -l)" 0 "lost keyframe: no clip, no temporary file"

# --- audio-only media ----------------------------------------------------------
{ kc-fetch "$T/audio.m4a" | head -n 1; hl 5.3 10.3; } >"$T/in"
run -i "$T/in" kc-cut --out "$T/aud"
is "$RC" 0 "audio only: exit 0"
records clip "$T/out" >"$T/clip"
read -r vs as span <<<"$(probe "$(jq -r .path "$T/clip")")"
is "$vs" none "audio only: no video stream in the clip"
cmp_ok "$(abs "$span" 5)" "<=" 1 "audio only: lasts $span s, 5 +/- 1"
cmp_ok "$(abs "$(jq .t0 "$T/clip")" 5.3)" "<" 0.05 "audio only: cut at t0"

# --- odd names never reach a shell ------------------------------------------------
weird="$T/a b'c\"d;e\$(touch pwned)\`touch pwned2\`"$'\n'"f"
mkdir -p "$weird"
cp "$T/g2.mp4" "$weird/s p'a\"c;e \$(touch pwned).mp4"
odir="$weird/o u't\"; \$(touch pwned)"$'\n'"dir"
(
	cd "$T" &&
	{ kc-fetch "$weird/s p'a\"c;e \$(touch pwned).mp4" | head -n 1;
	    hl 3 8; } | kc-cut --accurate --out "$odir" >"$T/out" 2>"$T/err"
)
RC=$?
is "$RC" 0 "odd names: exit 0"
path=$(records clip "$T/out" | jq -r .path)
kc-fetch "$weird/s p'a\"c;e \$(touch pwned).mp4" | head -n 1 >"$T/sweird"
is "$path" "$odir/$(stem s-p-a-c-e-touch-pwned-mp4 "$T/sweird")_001_00m03s_085_audio.mp4" \
    "odd names: the clip is in the odd folder, its title a harmless slug"
ok "odd names: clip exists" test -s "$path"
is "$(find "$T" "$KC_ROOT" -maxdepth 1 -name 'pwned*' | wc -l)" 0 \
    "odd names: nothing was run by a shell"

# --- bad input -----------------------------------------------------------------
{ cat "$T/s2"; echo '{"type":"x"}'; echo '{"type": nope}'; hl 1 2; } >"$T/in"
run -i "$T/in" kc-cut --out "$T/bad"
is "$RC" 1 "malformed line: exit 1"
like "$ERR" '^kc-cut: <stdin>:3: malformed record \(' "malformed line: located"
is "$(tail -n 1 "$T/out" | jq -c '[.type, .stage, .fatal]')" \
    '["error","kc-cut",true]' "malformed line: fatal error record"
run -i <(hl 1 2) kc-cut --out "$T/bad"
is "$RC" 1 "highlight before stream: exit 1"
like "$ERR" '<stdin>:1: highlight before any stream record' \
    "highlight before stream: says so, with the line"
run -i <(jq -c '.v = 2' "$T/s2") kc-cut --out "$T/bad"
is "$RC" 1 "newer records version: exit 1"
like "$ERR" 'records version 2 is newer than this program reads \(1\)' \
    "newer records version: names both"

# --- killed runs leave no children and no temporary files ----------------------
# This ffmpeg finishes the temporary file, then waits under a name of this
# run's own (the other configuration runs this test at the same time)
hang=kc-cut-test-hang-$KC_TEST_CONFIG-$$
cat >"$T/ffhang" <<EOF
#!/bin/bash
ffmpeg "\$@" && exec -a $hang sleep 30
EOF
chmod +x "$T/ffhang"
hung() { pgrep -f "$hang" >/dev/null; }
for sig in TERM INT; do
	rm -rf "$T/kill"
	{ cat "$T/s2"; hl 10 20; } >"$T/in"
	KC_FFMPEG=$T/ffhang kc-cut --out "$T/kill" <"$T/in" >/dev/null 2>&1 &
	pid=$!
	for i in $(seq 600); do
		[ -n "$(find "$T/kill" -name '*.part' 2>/dev/null)" ] && hung && break
		sleep 0.1
	done
	ok "SIG$sig: a cut is under way" hung
	kill -$sig $pid
	wait $pid
	RC=$?
	is "$RC" $((128 + $(kill -l $sig))) "SIG$sig: kc-cut dies of the signal"
	ok "SIG$sig: ffmpeg child killed" eval '! hung'
	ok "SIG$sig: temporary file removed" no_tmp "$T/kill"
done
# broken stdout: the reader goes away while a cut is under way (once
# ffmpeg has written the clip and its stand-in hangs, however long that
# takes on a busy machine)
rm -rf "$T/kill"
{ cat "$T/s2"; hl 10 20
  for i in $(seq 600); do hung && break; sleep 0.1; done
  echo '{"type":"x"}'; echo '{"type":"x"}'; } |
    KC_FFMPEG=$T/ffhang kc-cut --out "$T/kill" 2>"$T/err" | head -n 1 >/dev/null
is "${PIPESTATUS[1]}" 141 "broken pipe: kc-cut dies of SIGPIPE"
is "$(cat "$T/err" 2>&1)" "" "broken pipe: quietly"
ok "broken pipe: ffmpeg child killed" eval '! hung'
ok "broken pipe: temporary file removed" no_tmp "$T/kill"

# --- what a killed kc-cut left behind goes with the next run -------------------
# A kill -9 leaves the cut's hidden .NAME.PID.part file and the .kc-cut.PID
# scratch folder.  The next kc-cut in that folder removes those of a dead
# kc-cut (a PID that has just exited) and keeps those of a live one (this
# shell), whatever the length of the clip name, up to NAME_MAX.
sw=$T/sweep
mkdir -p "$sw/.kc-cut.$$"
sh -c 'exit 0' &
dead=$!
wait "$dead"
long=$(printf '%0*d' $((255 - 20 - ${#dead})) 0)
for n in ".clip_001_12m30s_085_audio.mp4.$dead.part" ".clip_002_${long}.mp4.$dead.part" \
    ".clip_003_12m30s_085_audio.mp4.$$.part" ".notes.part" ".clip.mp4.12x.part"; do
	: >"$sw/$n" || bail "cannot make $n"
done
mkdir -p "$sw/.kc-cut.$dead" && : >"$sw/.kc-cut.$dead/0123456789abcdef.ts"
is "$(find "$sw" -maxdepth 1 -name ".clip_002_*.$dead.part" -printf '%f' | wc -c)" 255 \
    "the long name is NAME_MAX (255) bytes"
run -i "$T/s2" kc-cut --out "$sw"
is "$RC" 0 "a run in a folder with leftovers: exit 0" || diag "$ERR"
is "$(cd "$sw" && find . -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' ')" \
    ".clip.mp4.12x.part .clip_003_12m30s_085_audio.mp4.$$.part .kc-cut.$$ .notes.part " \
    "the dead kc-cut's .part files (short and NAME_MAX long) and folder are removed; the live one's and other files stay"

done_testing
