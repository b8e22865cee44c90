#!/bin/bash
# 30-videofeat.t - kc-videofeat on media generated here: a calm test
# pattern with a burst of action (Conway's life) from 20 s to 26 s.  The
# features must see the action and the two hard cuts, be independent of
# the segment length, pass other records through byte for byte, and fail
# the documented ways.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

need ffmpeg jq

# 40 s, 320x180, 30 fps: testsrc 0-20 s, life 20-26 s, testsrc 26-40 s,
# with a silent audio track.
ffmpeg -nostdin -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc=s=320x180:r=30:d=20" \
    -f lavfi -i "life=s=320x180:r=30:ratio=0.5:mold=10:death_color=#202020:life_color=#40ff40,trim=duration=6" \
    -f lavfi -i "testsrc=s=320x180:r=30:d=14" \
    -f lavfi -i "anullsrc=r=22050:cl=mono" \
    -filter_complex "[0:v]format=yuv420p[a];[1:v]format=yuv420p,setsar=1[b];[2:v]format=yuv420p[c];[a][b][c]concat=n=3:v=1:a=0[v]" \
    -map "[v]" -map 3:a -t 40 -c:v libx264 -preset ultrafast -c:a aac \
    "$T/scene.mp4" || bail "cannot generate test media"
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi \
    -i "sine=f=440:r=22050:d=3" "$T/tone.wav" || bail "cannot generate audio"
S=file:$T/scene.mp4

# --- the whole file, in 7 s segments ---------------------------------------
kc-fetch --segment 7 "$T/scene.mp4" >"$T/rec7" || bail "kc-fetch failed"
run -i "$T/rec7" kc-videofeat
is "$RC" 0 "exit 0"
is "$ERR" "" "nothing on stderr"
cp "$T/out" "$T/v7"
records vfeat "$T/v7" >"$T/vf7"

is "$(jq -s -c '[.[].t]' "$T/vf7")" "$(jq -n -c '[range(0;40)]')" \
    "one vfeat per hop, t = 0..39 contiguous"
is "$(jq -s -c '[.[].dur] | unique' "$T/vf7")" "[1]" "every hop lasts 1 s"
is "$(jq -s -c '[.[] | .features | keys] | unique' "$T/vf7")" \
    '[["brightness_mean","brightness_std","color_var","edge_mean","edge_std","flash","motion_frac","motion_max","motion_mean","motion_resid","motion_std","pan","scene_cuts","shake"]]' \
    "every vfeat has the fourteen features"
is "$(jq -s '[.[].features[] | select(type != "number")] | length' \
    "$T/vf7")" 0 "all values are finite numbers"

# each vfeat follows the segment holding its hop, before the next one
is "$(jq -s '[foreach .[] as $r ({};
	if $r.type == "segment" then .seg = $r else .rec = $r end;
	if $r.type == "vfeat" and ($r.t < .seg.t0 or $r.t >= .seg.t1)
	then 1 else empty end)] | length' "$T/v7")" 0 \
    "each hop is written right after its own segment"
is "$(tail -n 1 "$T/v7" | jq -r .type)" end "end comes last"

# action (21-25 s) against calm (0-19 s, 27-39 s); 20 and 26 hold cuts
stat() {	# FEATURE min|max FROM TO
	jq -s --arg f "$1" --argjson a "$3" --argjson b "$4" \
	    "[.[] | select(.t >= \$a and .t <= \$b) | .features[\$f]] | $2" \
	    "$T/vf7"
}
calm_m=$(jq -n "[$(stat motion_mean max 0 19), $(stat motion_mean max 27 39)] | max")
calm_e=$(jq -n "[$(stat edge_mean max 0 19), $(stat edge_mean max 27 39)] | max")
cmp_ok "$(stat motion_mean min 21 25)" ">" "$(jq -n "3 * $calm_m")" \
    "action hops move more than 3x the calmest"
cmp_ok "$(stat edge_mean min 21 25)" ">" "$(jq -n "2 * $calm_e")" \
    "action hops have more than 2x the edges"
cmp_ok "$(stat motion_max min 20 20)" ">" "$(stat motion_max max 21 25)" \
    "the cut into the action is the largest change"

is "$(jq -s -c '[.[] | select(.features.scene_cuts > 0) | .t]' "$T/vf7" |
    jq -c 'map(if . == 19 then 20 elif . == 25 then 26 else . end)')" \
    "[20,26]" "scene cuts at the two hard cuts (20 s, 26 s) and nowhere else"
is "$(jq -s '[.[].features.scene_cuts] | add' "$T/vf7")" 2 \
    "one frame counted per cut"
cmp_ok "$(stat flash max 26 26)" ">" 0.2 \
    "cutting from the dark action to the bright pattern is a flash"
cmp_ok "$(jq -n "[$(stat flash max 0 19), $(stat flash max 21 25)] | max")" \
    "<" 0.05 "no flash elsewhere"

# --- segment length does not matter ----------------------------------------
kc-fetch --segment 60 "$T/scene.mp4" | kc-videofeat >"$T/v60"
ok "--segment 7 and --segment 60 give identical vfeat lines" \
    cmp -s <(grep '"type":"vfeat"' "$T/v7") <(grep '"type":"vfeat"' "$T/v60")
is "$(grep -c '"type":"segment"' "$T/v7") $(grep -c '"type":"segment"' \
    "$T/v60")" "6 1" "(the runs really had 6 and 1 segments)"

# --- partial last hop; end forwarded after it ------------------------------
kc-fetch --segment 5 --end 12.5 "$T/scene.mp4" | kc-videofeat >"$T/vend"
is "$(records vfeat "$T/vend" | tail -n 1 | jq -c '[.t, .dur]')" "[12,0.5]" \
    "the last hop is cut short at the stream end (12.5 s)"
is "$(tail -n 1 "$T/vend" | jq -r .type)" end "end after the last hop"
is "$(pgrep -f -- "$T/scene.mp4" | wc -l)" 0 "no ffmpeg left running"

# --- pass-through ------------------------------------------------------------
{
	echo '{"type":"stream","v":1,"hop":1,"has_video":true,"width":320,"height":180}'
	echo "{\"type\":\"segment\",\"seq\":0,\"t0\":0,\"t1\":2,\"file\":\"$S\",\"range\":[0,2]}"
	echo '{"type":"afeat",  "t":0,"dur":1,"features":{"rms_mean":0.5000, "x":[1, 2]}}  '
	echo '{"zz":1,"type":"something-new","nested":{"a":"\u00e9"}}'
	echo ''
	echo "{\"type\":\"segment\",\"seq\":1,\"t0\":2,\"t1\":3,\"file\":\"$S\",\"range\":[2,3]}"
	echo '{"type":"afeat","t":2,"dur":1,"features":{}}'
	echo '{"type":"end","stream":"x"}'
} >"$T/pass"
run -i "$T/pass" kc-videofeat
is "$RC" 0 "pass-through run exits 0"
ok "records other than vfeat come out byte for byte, in order" \
    cmp -s <(grep -v '^$' "$T/pass") <(grep -v '^{"type":"vfeat",' "$T/out")
is "$(grep -c '^{"type":"vfeat",' "$T/out")" 3 "3 vfeat for 3 s"

# --- standalone segment files: state carries across files ------------------
ffmpeg -nostdin -hide_banner -loglevel error -y -i "$T/scene.mp4" -an \
    -c:v libx264 -preset ultrafast -force_key_frames 20 -f segment \
    -segment_times 20 -reset_timestamps 1 "$T/piece%d.mp4" ||
    bail "cannot split test media"
{
	echo '{"type":"stream","v":1,"hop":1,"has_video":true,"width":320,"height":180}'
	echo "{\"type\":\"segment\",\"seq\":0,\"t0\":0,\"t1\":20,\"path\":\"$T/piece0.mp4\"}"
	echo "{\"type\":\"segment\",\"seq\":1,\"t0\":20,\"t1\":40,\"path\":\"$T/piece1.mp4\"}"
} >"$T/paths"
run -i "$T/paths" kc-videofeat
records vfeat "$T/out" >"$T/vfp"
is "$(jq -s -c '[.[].t]' "$T/vfp")" "$(jq -n -c '[range(0;40)]')" \
    "path segments: t = 0..39"
is "$(jq -s -c '[.[] | select(.features.scene_cuts > 0) | .t]' "$T/vfp" |
    jq -c 'map(if . == 25 then 26 else . end)')" \
    "[20,26]" "the cut on the file boundary (20 s) is seen: state carried"

# --- media that cannot be decoded becomes gaps -------------------------------
{
	echo '{"type":"stream","v":1,"hop":1,"has_video":true}'
	echo "{\"type\":\"segment\",\"seq\":0,\"t0\":36,\"t1\":50,\"file\":\"$S\",\"range\":[36,50]}"
	echo "{\"type\":\"segment\",\"seq\":1,\"t0\":50,\"t1\":52,\"file\":\"file:$T/missing.mp4\",\"range\":[0,2]}"
	echo "{\"type\":\"segment\",\"seq\":2,\"t0\":60,\"t1\":62,\"file\":\"$S\",\"range\":[0,2]}"
	echo '{"type":"end","stream":"x"}'
} >"$T/short"
run -i "$T/short" kc-videofeat
is "$RC" 0 "undecodable media is not fatal"
is "$(records vfeat "$T/out" | jq -s -c '[.[].t]')" "[36,37,38,39,60,61]" \
    "hops for the media there is, before and after"
is "$(records gap "$T/out" | jq -c '[.t0, .t1, .stage]' | tr '\n' ' ')" \
    '[40,50,"kc-videofeat"] [50,52,"kc-videofeat"] ' \
    "gaps for the missing 10 s and the missing file"
like "$ERR" "scene\.mp4: video ends at 40" "warning names the file and time"
like "$ERR" "missing\.mp4: ffmpeg exit status [0-9]+: .*No such file" \
    "ffmpeg failure names the file and ffmpeg's error"

# --- audio-only media ----------------------------------------------------------
kc-fetch "$T/tone.wav" >"$T/arec"
run -i "$T/arec" kc-videofeat
is "$RC" 0 "audio-only input exits 0"
ok "audio-only: everything passes through, no vfeat" cmp -s "$T/arec" "$T/out"
is "$(printf '%s\n' "$ERR" | grep -c 'no video')" 1 "one note on stderr"

# --- errors --------------------------------------------------------------------
printf '%s\n' '{"type":"stream","v":1,"has_video":false}' \
    '{"type":"x"}' '{"type": oops}' '{"type":"y"}' >"$T/bad"
run -i "$T/bad" kc-videofeat
is "$RC" 1 "malformed line: exit 1"
like "$ERR" '^kc-videofeat: <stdin>:3: malformed record' \
    "message names the line"
is "$(tail -n 1 "$T/out" | jq -c '[.type, .stage, .fatal]')" \
    '["error","kc-videofeat",true]' "a fatal error record is written first"

echo '{"type":"stream","v":99,"has_video":true}' >"$T/v99"
run -i "$T/v99" kc-videofeat
is "$RC" 1 "newer records version: exit 1"
like "$ERR" 'version 99 .*\(1\)' "message names both versions"

run -i "$T/rec7" env KC_FFMPEG="$T/no-such-ffmpeg" kc-videofeat
is "$RC" 1 "ffmpeg that cannot run: exit 1"
like "$ERR" "cannot run .*no-such-ffmpeg" "message names the program"

# Enough pass-through records after the first segment to overflow the
# pipe, so the write fails while the decode of the next segment is alive.
{
	head -n 2 "$T/rec7"
	pad=$(printf '%0200d' 0)
	for i in $(seq 2000); do echo "{\"type\":\"pad\",\"x\":\"$pad\"}"; done
	tail -n +3 "$T/rec7"
} >"$T/padded"
# The child stands for an ffmpeg that outlives a closed pipe: only our
# exit hook killing it keeps it from lingering.
printf '#!/bin/sh\nffmpeg "$@"\nsleep 30\n' >"$T/slowff"
chmod +x "$T/slowff"
KC_FFMPEG=$T/slowff kc-videofeat <"$T/padded" 2>"$T/err-head" |
    head -n 1 >/dev/null
is "${PIPESTATUS[0]}" 141 "| head -1: ends by SIGPIPE"
is "$(cat "$T/err-head")" "" "| head -1: no error printed"
left=$(pgrep -f -- "$T/slowff")
is "$left" "" "| head -1: the child was killed"
[ -n "$left" ] && kill $left

run kc-videofeat --help
is "$RC" 0 "--help exits 0"
like "$OUT" "exit status" "--help documents exit statuses"
like "$OUT" "KC_FFMPEG" "--help documents KC_FFMPEG"
run kc-videofeat --bogus
is "$RC" 2 "bad option: exit 2"
run kc-videofeat --fps 0
is "$RC" 2 "--fps 0: exit 2"
like "$ERR" "--fps: '0'" "message names the flag and value"
run kc-videofeat --width wide
is "$RC" 2 "--width wide: exit 2"

done_testing
