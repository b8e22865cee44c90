#!/bin/bash
# 20-audiofeat.t - kc-audiofeat on media generated here: 40 s of quiet
# pink noise with a loud white-noise burst from 20 s to 25 s, and a small
# video stream.  The features must see the burst, be the same whatever the
# segment length, pass every other record through byte for byte, and fail
# the documented ways (gap records for bad media, exit 1 for bad records).
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

need ffmpeg jq kc-audiofeat

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

ff -f lavfi -i "anoisesrc=d=40:c=pink:a=0.01:r=44100" \
    -f lavfi -i "anoisesrc=d=5:c=white:a=0.8:r=44100" \
    -f lavfi -i "testsrc2=s=160x120:r=10:d=40" \
    -filter_complex "[1]adelay=20000:all=1[b];[0][b]amix=inputs=2:duration=first:normalize=0[a]" \
    -map "[a]" -map 2 -c:v mpeg4 -c:a aac -t 40 "$T/a.mp4" ||
    bail "cannot generate test media"
ff -f lavfi -i "testsrc2=s=160x120:r=10:d=5" -c:v mpeg4 "$T/vonly.mp4" ||
    bail "cannot generate video-only media"
ff -f lavfi -i "sine=f=440:d=10:sample_rate=22050" "$T/short.wav" ||
    bail "cannot generate short.wav"

kc-fetch "$T/a.mp4" >"$T/f60" || bail "kc-fetch failed"
kc-fetch --segment 7 "$T/a.mp4" >"$T/f7" || bail "kc-fetch --segment 7 failed"

# --- the whole file ---------------------------------------------------------
run -i "$T/f60" kc-audiofeat
is "$RC" 0 "exit 0"
is "$ERR" "" "nothing on stderr"
cp "$T/out" "$T/o60"
records afeat "$T/o60" >"$T/a60"

is "$(jq -s -c '[.[].t]' "$T/a60")" "$(jq -n -c '[range(0;40)]')" \
    "one afeat per hop, t = 0..39 contiguous"
is "$(jq -s -c '[.[].dur] | unique' "$T/a60")" "[1]" "every hop lasts 1 s"
is "$(jq -s -c '[.[] | .features | keys] | unique | .[0]' "$T/a60")" \
    "$(jq -n -c '["rms_mean","rms_std","rms_max","loudness_db",
	"loudness_var","lufs_momentary","lufs_shortterm","centroid_mean",
	"centroid_std","rolloff","flux_mean","flux_max","onset_mean",
	"onset_max","zcr_mean","zcr_std","tempo","beat_strength",
	"hf_ratio","flatness","mfcc_delta","mfcc_spread","chroma_peak",
	"chroma_flux"] + [range(1;14) | "mfcc\(.)"] +
	[range(1;5) | "contrast\(.)"] | sort')" \
    "every afeat has the 41 features of docs/records.md"
is "$(jq -s '[.[].features | keys] | unique | length' "$T/a60")" 1 \
    "and all hops the same set"
is "$(jq -s '[.[].features[] | select(type != "number" or isinfinite
    or isnan)] | length' "$T/a60")" 0 "all values are finite numbers"

# the burst: hops 21-23 are well inside it, 0-17 and 28-39 well outside
burst() { jq -s "[.[] | select(.t >= 21 and .t <= 23) | .features.$1] | min" "$T/a60"; }
quiet() { jq -s "[.[] | select(.t <= 17 or .t >= 28) | .features.$1] | max" "$T/a60"; }
cmp_ok "$(burst loudness_db)" ">" "$(( $(quiet loudness_db | cut -d. -f1) + 30 ))" \
    "burst loudness_db is 30 dB over the quiet part"
cmp_ok "$(burst lufs_momentary)" ">" "$(quiet lufs_momentary)" \
    "burst lufs_momentary is over the quiet part"
cmp_ok "$(burst rms_mean)" ">" "$(jq -n "$(quiet rms_mean) * 10")" \
    "burst rms_mean is 10 times the quiet one"
cmp_ok "$(burst hf_ratio)" ">" "$(quiet hf_ratio)" \
    "white burst has more energy above 4 kHz than pink noise"
cmp_ok "$(burst flatness)" ">" "$(quiet flatness)" \
    "white burst is flatter than pink noise"
cmp_ok "$(quiet loudness_db)" "<" -40 "quiet part is quiet"
is "$(jq -s '[.[].features | select(.lufs_momentary < -120 or
    .loudness_db < -120 or .hf_ratio < 0 or .hf_ratio > 1 or
    .flatness < 0 or .flatness > 1 or .chroma_peak < 0 or
    .chroma_peak > 1 or .chroma_flux < 0 or .chroma_flux > 1 or
    .mfcc_delta < 0 or .mfcc_spread < 0)] | length' "$T/a60")" 0 \
    "floors and 0-1 ranges hold"

is "$(grep -v '"type":"afeat"' "$T/o60")" "$(cat "$T/f60")" \
    "stream, segment and end records pass through byte for byte"
is "$(tail -n 1 "$T/o60" | jq -r .type)" end "end comes last"

# --- segment length does not matter -----------------------------------------
run -i "$T/f7" kc-audiofeat
is "$RC" 0 "--segment 7: exit 0"
cp "$T/out" "$T/o7"
records afeat "$T/o7" >"$T/a7"
if cmp -s "$T/a7" "$T/a60"; then
	pass "--segment 7 and --segment 60 give identical afeat records"
else
	# not identical: they must at least agree within 1e-4 relative
	is "$(jq -n --slurpfile a "$T/a7" --slurpfile b "$T/a60" '
	    [range(0; [$a, $b] | map(length) | max) as $i
	     | ($a[$i].features // {}) as $x | ($b[$i].features // {}) as $y
	     | ($x | keys[]) as $k
	     | select((($x[$k] - ($y[$k] // 1e99)) | fabs) >
		1e-4 * ([($x[$k] | fabs), ($y[$k] // 0 | fabs), 1] | max))]
	    | length')" 0 "--segment 7 and --segment 60 agree within 1e-4"
fi
is "$(jq -s '[foreach .[] as $r ({};
	if $r.type == "segment" then .seg = $r else . end;
	if $r.type == "afeat" and ($r.t < .seg.t0 or $r.t >= .seg.t1)
	then 1 else empty end)] | length' "$T/o7")" 0 \
    "each hop is written right after its own segment"
is "$(grep -v '"type":"afeat"' "$T/o7")" "$(cat "$T/f7")" \
    "the 7 s segment records pass through unchanged"

# --- a range that starts and ends off the hop grid --------------------------
kc-fetch --start 10.5 --end 30.5 --segment 3 "$T/a.mp4" >"$T/fp3"
kc-fetch --start 10.5 --end 30.5 --segment 60 "$T/a.mp4" >"$T/fp60"
kc-audiofeat <"$T/fp3" | grep '"afeat"' >"$T/ap3"
kc-audiofeat <"$T/fp60" | grep '"afeat"' >"$T/ap60"
ok "10.5-30.5 s in 3 s segments = in one segment" cmp -s "$T/ap3" "$T/ap60"
is "$(jq -s -c '[.[].t]' "$T/ap3")" "$(jq -n -c '[range(10;31)]')" \
    "hops 10..30 (start floored to the hop grid)"
is "$(jq -s -c '.[-1].dur' "$T/ap3")" "0.5" "the last hop is the 0.5 s left"

# --- options ------------------------------------------------------------------
run -i "$T/f60" kc-audiofeat --hop 0.5
records afeat "$T/out" >"$T/ah"
is "$(jq -s -c '[length, ([.[].dur] | unique)]' "$T/ah")" "[80,[0.5]]" \
    "--hop 0.5: 80 hops of 0.5 s"
run kc-audiofeat "$T/f60"
is "$OUT" "$(cat "$T/o60")" "a FILE operand reads like stdin"
run kc-audiofeat --help
is "$RC" 0 "--help exits 0"
like "$OUT" "exit status: 0 ok" "--help documents the exit status"
like "$OUT" "KC_FFMPEG" "--help documents KC_FFMPEG"
run kc-audiofeat --frobnicate
is "$RC" 2 "a bad option exits 2"
like "$ERR" "see 'kc-audiofeat --help'" "and points to --help"
run kc-audiofeat --hop abc
is "$RC" 2 "a bad --hop exits 2"
like "$ERR" "^kc-audiofeat: --hop: 'abc': not a number" \
    "the message names the flag and the value"
run kc-audiofeat --tempo-window 1
is "$RC" 2 "--tempo-window below 2 s exits 2"

# --- pass-through of records it does not know -------------------------------
cat >"$T/odd" <<'EOF'
{"type":"stream","v":1,"hop":1,"has_audio":true,"extra":  [1, 2.50, "x"]}
{"type":"zzz","a":[1,2.50,"\u00e9"],  "b":{"c":null}}
{"type":"segment","seq":0,"t0":0,"t1":3,"file":"file:SHORT","range":[0,3]}

{"type":"gap","t0":1e1,"t1":11,"stage":"kc-fetch","reason":"x"}
{"type":"note" , "x":1.000}
{"type":"end","stream":"x"}
EOF
sed -i "s|SHORT|$T/short.wav|" "$T/odd"
run -i "$T/odd" kc-audiofeat
is "$RC" 0 "odd records: exit 0"
is "$(grep -v '"type":"afeat"' "$T/out")" "$(grep . "$T/odd")" \
    "unknown records pass through byte for byte, in order"
is "$(records afeat "$T/out" | wc -l)" 3 "the 3 s segment gives 3 hops"

# --- bad input ----------------------------------------------------------------
printf '%s\n' '{"type":"stream","v":1}' '{"type":"x"}' '{"type":"y",' \
    '{"type":"z"}' >"$T/bad"
run -i "$T/bad" kc-audiofeat
is "$RC" 1 "a malformed line exits 1"
like "$ERR" '^kc-audiofeat: <stdin>:3: malformed record' \
    "the message names <stdin>:3"
is "$(printf '%s\n' "$ERR" | wc -l)" 1 "in one line"
is "$(records error "$T/out" | jq -c '[.stage, .fatal]')" \
    '["kc-audiofeat",true]' "after a fatal error record"
unlike "$OUT" '"type":"z"' "and nothing after it"

printf '%s\n' '{"type":"stream","v":99,"hop":1}' >"$T/v99"
run -i "$T/v99" kc-audiofeat
is "$RC" 1 "stream v 99 exits 1"
like "$ERR" 'version 99 .*\(1\)' "the message names both versions"

printf '%s\n' '{"type":"stream","v":1}' \
    '{"type":"segment","seq":0,"t0":5,"file":"x","range":[0,1]}' >"$T/not1"
run -i "$T/not1" kc-audiofeat
is "$RC" 1 "a segment without t1 exits 1"
like "$ERR" '<stdin>:2: segment' "naming the record"

# --- no audio -------------------------------------------------------------------
kc-fetch "$T/vonly.mp4" >"$T/fv"
run -i "$T/fv" kc-audiofeat
is "$RC" 0 "video-only media: exit 0"
is "$(records afeat "$T/out" | wc -l)" 0 "no afeat records"
is "$OUT" "$(cat "$T/fv")" "everything passed through"
is "$(printf '%s\n' "$ERR" | grep -c 'no audio')" 1 "one note on stderr"

# --- media that is missing, short, or whose decoder fails -------------------
cat >"$T/missing" <<EOF
{"type":"stream","v":1,"hop":1}
{"type":"segment","seq":0,"t0":0,"t1":7,"file":"file:$T/nope.mp4","range":[0,7]}
{"type":"segment","seq":1,"t0":7,"t1":14,"file":"file:$T/nope.mp4","range":[7,14]}
{"type":"end","stream":"x"}
EOF
run -i "$T/missing" kc-audiofeat
is "$RC" 0 "a missing file is not fatal"
is "$(records gap "$T/out" | jq -c '[.t0, .t1, .stage]')" \
    "$(printf '%s\n' '[0,7,"kc-audiofeat"]' '[7,14,"kc-audiofeat"]')" \
    "a gap record for each of its segments"
like "$(records gap "$T/out" | head -1 | jq -r .reason)" \
    'ffmpeg failed: exit status 1: .*nope.mp4: No such file' \
    "the reason quotes ffmpeg"
like "$ERR" "^kc-audiofeat: file:$T/nope.mp4: ffmpeg failed: exit status 1: " \
    "warned as FILE: ffmpeg failed: STATUS: LINE"
is "$(printf '%s\n' "$ERR" | wc -l)" 1 "once"
is "$(tail -n 1 "$T/out" | jq -r .type)" end "end still comes last"

cat >"$T/shortrec" <<EOF
{"type":"stream","v":1,"hop":1}
{"type":"segment","seq":0,"t0":0,"t1":7,"file":"file:$T/short.wav","range":[0,7]}
{"type":"segment","seq":1,"t0":7,"t1":14,"file":"file:$T/short.wav","range":[7,14]}
{"type":"segment","seq":2,"t0":14,"t1":21,"file":"file:$T/short.wav","range":[14,21]}
EOF
run -i "$T/shortrec" kc-audiofeat
is "$RC" 0 "media shorter than its segments: exit 0"
is "$(records afeat "$T/out" | jq -s -c '[.[].t]')" "$(jq -n -c '[range(0;10)]')" \
    "hops up to the end of the media"
is "$(records gap "$T/out" | jq -c '[.t0, .t1]')" "$(printf '%s\n' '[10,14]' '[14,21]')" \
    "gaps for the rest"
like "$ERR" 'media ends 4.000 s before' "one warning says so"
is "$(printf '%s\n' "$ERR" | wc -l)" 1 "only one"

# a real ffmpeg whose output stops after about 2.3 s, then exit 1
cat >"$T/ffmpeg-dies" <<'EOF'
#!/bin/sh
ffmpeg "$@" | head -c 200000
echo "simulated decoder crash" >&2
exit 1
EOF
chmod +x "$T/ffmpeg-dies"
KC_FFMPEG=$T/ffmpeg-dies run -i "$T/f7" kc-audiofeat
is "$RC" 0 "a failing decoder is not fatal"
like "$ERR" "ffmpeg failed: exit status 1: simulated decoder crash" \
    "its exit status and last line are reported"
is "$(records afeat "$T/out" | jq -s -c '[.[].t]')" "[0,1,2]" \
    "the audio it did give is analysed"
is "$(records gap "$T/out" | jq -c '[(.t0 > 2.2 and .t0 < 2.4), .t1]' | head -1)" \
    "[true,7]" "a gap from where it stopped"
is "$(records gap "$T/out" | jq -s -c '[.[].t0] | .[1:]')" "[7,14,21,28,35]" \
    "and for the segments after"
KC_FFMPEG=$T/no-such-ffmpeg run -i "$T/f60" kc-audiofeat
is "$RC" 1 "no ffmpeg to run exits 1"
like "$ERR" "cannot run $T/no-such-ffmpeg" "and says so"

# --- path segments: one analysis across touching files ----------------------
ff -f lavfi -i "sine=f=440:d=15:sample_rate=22050" \
    -f lavfi -i "anoisesrc=d=15:c=pink:a=0.3:r=22050" \
    -filter_complex "amix=inputs=2" -ac 1 -c:a pcm_f32le "$T/whole.wav"
for i in 0 1 2; do
	ff -i "$T/whole.wav" -c:a pcm_f32le \
	    -af "atrim=start_sample=$((i * 110250)):end_sample=$(((i + 1) * 110250))" \
	    "$T/p$i.wav"
done
{
	echo '{"type":"stream","v":1,"hop":1}'
	for i in 0 1 2; do
		printf '{"type":"segment","seq":%d,"t0":%d,"t1":%d,"path":"%s"}\n' \
		    $i $((i * 5)) $((i * 5 + 5)) "$T/p$i.wav"
	done
} >"$T/paths"
printf '%s\n' '{"type":"stream","v":1,"hop":1}' \
    "{\"type\":\"segment\",\"seq\":0,\"t0\":0,\"t1\":15,\"path\":\"$T/whole.wav\"}" \
    >"$T/pathw"
kc-audiofeat <"$T/paths" | grep '"afeat"' >"$T/aps"
kc-audiofeat <"$T/pathw" | grep '"afeat"' >"$T/apw"
is "$(wc -l <"$T/aps")" 15 "3 path files of 5 s: 15 hops"
ok "touching path files give the hops of the whole file" cmp -s "$T/aps" "$T/apw"
sed -i 's/"t0":10,"t1":15/"t0":20,"t1":25/' "$T/paths"
is "$(kc-audiofeat <"$T/paths" | records afeat /dev/stdin | jq -s -c '[.[].t]')" \
    "$(jq -n -c '[range(0;10), range(20;25)]')" \
    "a path file that does not touch starts a new analysis at its t0"

# --- the reader goes away -----------------------------------------------------
# 160 hops of about 1 KB: more than a pipe holds, so a write must fail
kc-fetch --segment 1 "$T/a.mp4" >"$T/f1"
{ kc-audiofeat --hop 0.25 <"$T/f1" 2>"$T/err-head"; } | head -n 1 >/dev/null
is "${PIPESTATUS[0]}" 141 "kc-audiofeat | head -1: ends by SIGPIPE"
is "$(cat "$T/err-head")" "" "with no message"
# its ffmpeg child was sent SIGTERM: wait for it to go (a guard of 60 s)
for _ in $(seq 600); do pgrep -f -- "-i file:$T/a.mp4" >/dev/null || break; sleep 0.1; done
is "$(pgrep -f -- "-i file:$T/a.mp4" | wc -l)" 0 "and no ffmpeg left running"

# --- a probed duration a little past the media: no gap ----------------------
# An MKV states 10.021 s where its sound ends at 10.000 s: with 5 s
# segments the last, 10.000-10.021 s, starts where the sound ends; that is
# the media's end, not media lost (it was reported as "1 gap").
ff -f lavfi -i "testsrc2=s=160x120:r=25:d=10" -f lavfi -i "sine=d=10:sample_rate=48000" \
    -c:v mpeg4 -c:a aac -shortest "$T/end.mkv" || bail "cannot generate end.mkv"
kc-fetch --segment 5 "$T/end.mkv" >"$T/fend" || bail "kc-fetch end.mkv failed"
diag "end.mkv: segments $(jq -r 'select(.type == "segment") | "\(.t0)-\(.t1)"' "$T/fend" | paste -sd' ')"
run -i "$T/fend" kc-audiofeat
is "$RC/$ERR" "0/" "media ending just before the probed duration: exit 0, no warning"
is "$(grep -c '"type":"gap"' "$T/out")" 0 "... and no gap"

# --- sound that begins after the picture ---------------------------------------
# The same sound 5 s late: the burst is at 25-30 s of the stream, and its
# hops must say so (the decoder put the first sample at 0, moving every
# audio highlight 5 s early, onto picture without the event).
ff -i "$T/a.mp4" -itsoffset 5 -i "$T/a.mp4" -map 0:v -map 1:a -c copy -t 40 "$T/late.mp4" ||
    bail "cannot make late.mp4"
kc-fetch "$T/late.mp4" | kc-audiofeat >"$T/late.out" 2>"$T/late.err" || fail "kc-audiofeat late.mp4"
loud() { jq -s -r '(map(.features.loudness_db // empty) | sort | .[length / 2 | floor]) as $m
    | [.[] | select(.type == "afeat" and .features.loudness_db > $m + 20) | .t] | "\(min) \(max)"' "$T/late.out"; }
is "$(loud)" "25 29" "sound 5 s late: the burst's hops are 25-29 s, where it plays"

done_testing
