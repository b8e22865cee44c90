#!/bin/bash
# 10-fetch.t - kc-fetch end to end: media generated here with ffmpeg's
# lavfi sources, probed by the real ffprobe; records checked with jq and
# against ffprobe's own word; bad input checked for exit status, a one-line
# message and an empty stdout.  HTTP is served by a Python server of this
# test on a free port of 127.0.0.1; nothing else is ever contacted.
. "${KC_ROOT:-$(dirname "$0")/../..}/tests/lib/tap.sh"

need ffmpeg ffprobe jq python3 kc-fetch

# ffmpeg honours proxy variables: make sure nothing leaves this machine.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
    ftp_proxy FTP_PROXY
export no_proxy='*' NO_PROXY='*'
unset KC_FFPROBE

cd "$T" || bail "cannot cd to $T"
T=$(pwd -P)	# the canonical spelling, as realpath gives it

gen() { ffmpeg -nostdin -hide_banner -v error -y "$@" </dev/null; }

V="-f lavfi -i testsrc2=size=320x180:rate=25:duration=20"
A="-f lavfi -i sine=frequency=440:sample_rate=44100:duration=20"
X264="-c:v libx264 -preset ultrafast -g 50 -pix_fmt yuv420p"
# shellcheck disable=SC2086
{
	gen $V $A $X264 -c:a aac -b:a 64k -shortest -movflags +faststart av.mp4 &&
	gen $V $A $X264 -c:a aac -b:a 64k -shortest moovend.mp4 &&
	gen $A -c:a aac -b:a 64k -metadata title="Tagged title" \
	    -metadata artist="Some One" a.m4a &&
	gen $V $X264 v.mp4 &&
	gen $A -f lavfi -i testsrc2=size=64x64:rate=1:duration=1 -map 0 -map 1 \
	    -frames:v 1 -c:a aac -b:a 64k -c:v png -disposition:v:0 attached_pic \
	    cover.m4a &&
	gen -f lavfi -i anullsrc=r=8000:cl=mono -t 1000 -c:a aac -b:a 8k long.m4a
} || bail "ffmpeg cannot make the test media"
head -c $(($(stat -c %s av.mp4) / 2)) av.mp4 >cut-fast.mp4
head -c $(($(stat -c %s moovend.mp4) / 2)) moovend.mp4 >cut-moovend.mp4
printf 'this is not a video\n' >text.mp4
: >empty.mp4
mkdir -p dir.mp4 sub

# fnv STRING : FNV-1a 64 as 16 hex digits (records.md: the stream id)
fnv() {
	python3 -c 'import sys
h = 0xcbf29ce484222325
for b in sys.argv[1].encode():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print("%016x" % h)' "$1"
}

# ffdur SOURCE : the duration ffprobe itself reports
ffdur() {
	ffprobe -v error -show_entries format=duration -of csv=p=0 -i "$1"
}

# sj KEY : a key of the stream record of the last run, as raw text
sj() { jq -r "select(.type == \"stream\") | $1" "$T/out"; }

# check_records SEGLEN : "ok" or what is wrong with the last run's
# records: stream first, end last with the id, segments contiguous over
# [start, end) in seq order, SEGLEN long except a shorter last one.
check_records() {
	jq -rs --argjson L "$1" '
	  .[0] as $s | [.[] | select(.type == "segment")] as $g |
	  (if .[0].type != "stream" then "first record is \(.[0].type)"
	   elif .[-1].type != "end" then "last record is \(.[-1].type)"
	   elif .[-1].stream != $s.id then "end names \(.[-1].stream)"
	   elif ([.[] | select(.type == "stream" or .type == "end")] |
	      length) != 2 then "more than one stream/end record"
	   elif ($g | length) == 0 then "no segments"
	   elif $g[0].t0 != $s.start then "first t0 \($g[0].t0) != start \($s.start)"
	   elif $g[-1].t1 != $s.end then "last t1 \($g[-1].t1) != end \($s.end)"
	   else empty end),
	  ([range(0; $g | length) as $i | $g[$i] |
	    if .seq != $i then "seq \(.seq) at position \($i)"
	    elif $i > 0 and .t0 != $g[$i - 1].t1 then "gap or overlap at seq \($i)"
	    elif .t1 <= .t0 then "empty segment \($i)"
	    elif .file != $s.analysis or has("path") then "seq \($i): file \(.file)"
	    elif .range != [.t0, .t1] then "seq \($i): range \(.range)"
	    elif $i < ($g | length) - 1 and (.t1 - .t0 - $L | fabs) > 1e-6
	      then "seq \($i) is \(.t1 - .t0) s long, want \($L)"
	    elif (.t1 - .t0) > $L + 1e-6 then "last segment too long"
	    else empty end][]) ' "$T/out" >"$T/check" 2>&1
	if [ -s "$T/check" ]; then head -5 "$T/check" | paste -sd';' -
	else echo ok; fi
}

# --- a normal file ---------------------------------------------------------

run kc-fetch av.mp4
is "$RC" 0 "av.mp4: exit 0"
is "$ERR" "" "av.mp4: nothing on stderr"
is "$(jq -c 'type == "object"' "$T/out" | sort -u)" true \
    "av.mp4: every line is a JSON object"
is "$(check_records 60)" ok "av.mp4: stream, segments, end in order"
is "$(sj .v)" 1 "stream: v is 1"
ID=$(sj .id)
like "$ID" '^[0-9a-f]{16}$' "stream: id is 16 hex digits"
is "$(sj .url)" "$T/av.mp4" "stream: url is the absolute path"
is "$ID" "$(fnv "$T/av.mp4")" "stream: id is FNV-1a of the url"
is "$(sj '.live')" false "stream: not live"
is "$(sj '.title')" av.mp4 "stream: title is the file name without a tag"
is "$(sj '.channel')" null "stream: channel null without a tag"
AN=$(sj .analysis)
CUT=$(sj .cut)
ok "stream: analysis is this file" test "${AN#file:}" -ef av.mp4
ok "stream: cut is this file" test "${CUT#file:}" -ef av.mp4
DUR=$(sj .duration)
cmp_ok "$DUR" '>' 19.8 "stream: duration about 20 s"
cmp_ok "$DUR" '<' 20.2 "stream: duration about 20 s (upper)"
FFD=$(ffdur "$AN")
cmp_ok "$(awk -v a="$DUR" -v b="$FFD" 'BEGIN { d = a - b; print d < 0 ? -d : d }')" \
    '<' 0.01 "stream: duration is what ffprobe says of 'analysis' ($FFD)"
is "$(sj '[.has_audio, .has_video] | @csv')" "true,true" "stream: audio and video"
is "$(sj '[.fps, .width, .height] | @csv')" "25,320,180" "stream: fps, width, height"
is "$(sj '[.start, .end == .duration, .hop] | @csv')" "0,true,1" \
    "stream: start 0, end = duration, hop 1"
is "$(jq -c 'select(.type == "segment") | [.seq, .t0]' "$T/out" | paste -sd' ' -)" \
    "[0,0]" "default --segment 60: one segment for 20 s"

# the same file by other names: same id; another file: another id
for name in "$T/av.mp4" ./av.mp4 sub/../av.mp4 "file://$T/av.mp4"; do
	run kc-fetch "$name"
	is "$RC:$(sj .id):$(sj .url)" "0:$ID:$T/av.mp4" "same id and url via '$name'"
done
(cd sub && kc-fetch ../av.mp4 >"$T/out" 2>/dev/null)
is "$(sj .id)" "$ID" "same id from another working directory"
ln -sf av.mp4 link.mp4
run kc-fetch link.mp4
is "$(sj .id)" "$ID" "a symlink resolves to the same id"
run kc-fetch moovend.mp4
isnt "$(sj .id)" "$ID" "another file has another id"
is "$(check_records 60)" ok "moov-at-end file: records fine"

# --- segments and the analysed range ----------------------------------------

run kc-fetch --segment 6 av.mp4
is "$RC" 0 "--segment 6: exit 0"
is "$(check_records 6)" ok "--segment 6: 6 s segments, the last shorter"
is "$(jq -c 'select(.type == "segment") | [.seq, .t0, .t1 - .t0 < 6]' "$T/out" | paste -sd' ' -)" \
    "[0,0,false] [1,6,false] [2,12,false] [3,18,true]" "--segment 6: four segments"

run kc-fetch --start 0:05 --end 0:15 --segment 4 av.mp4
is "$RC" 0 "--start 0:05 --end 0:15: exit 0"
is "$(sj '[.start, .end] | @csv')" "5,15" "--start 0:05 --end 0:15: range [5, 15)"
is "$(check_records 4)" ok "--start/--end: segments cover [5, 15)"
is "$(jq -c 'select(.type == "segment") | .range' "$T/out" | paste -sd' ' -)" \
    "[5,9] [9,13] [13,15]" "--start/--end: ranges in file time"
cp "$T/out" hms.out
run kc-fetch --start 5 --end 15 --segment 4 av.mp4
ok "--start 5 --end 15 (seconds) gives the same records" cmp -s hms.out "$T/out"
run kc-fetch -s 00:00:05 -e 0:00:15.0 --segment 4 av.mp4
ok "-s 00:00:05 -e 0:00:15.0 gives the same records" cmp -s hms.out "$T/out"
run kc-fetch --end 1:00:00 av.mp4
is "$RC:$(sj '.end == .duration')" "0:true" "--end past the media: clamped to the duration"
run kc-fetch --start 12 av.mp4
is "$RC:$(sj '.start')" "0:12" "--start 12 alone: from 12 to the end"
is "$(check_records 60)" ok "--start 12: one segment to the end"
run kc-fetch --start 7.5 --end 11 av.mp4
is "$(sj '.start')" 7 "--start 7.5 with hop 1 starts at the hop boundary 7"

# records.md: a segment's t0 is a multiple of the stream's hop
run kc-fetch --segment 2.5 --end 10 av.mp4
is "$RC" 0 "--segment 2.5: exit 0"
is "$(jq -r 'select(.type == "segment") | .t0' "$T/out" |
    awk '$1 != int($1) { print "t0 " $1 " is not a multiple of hop 1" }' | head -1)" \
    "" "--segment 2.5: every segment t0 is a multiple of the hop"

# --- usage errors: exit 2, the option named, nothing on stdout ----------------

run kc-fetch --start 25 av.mp4
is "$RC:$OUT" 2: "--start past the end: exit 2, no output"
like "$ERR" '^kc-fetch: .*--start' "--start past the end: message names --start"
run kc-fetch --start 1:00:00 av.mp4
is "$RC" 2 "--start 1:00:00 past the end: exit 2"
for r in "--start 5 --end 5" "--start 10 --end 5" "--end 0" "--end 0:00"; do
	# shellcheck disable=SC2086
	run kc-fetch $r av.mp4
	is "$RC:$OUT" 2: "$r: exit 2, no output"
	like "$ERR" '(--end.*--start)|(--start.*--end)' "$r: message names the options"
done
while IFS='|' read -r opt val; do
	run kc-fetch "$opt" "$val" av.mp4
	is "$RC:$OUT" 2: "$opt '$val': exit 2, no output"
	like "$(printf '%s' "$ERR" | head -1)" "^kc-fetch: $opt: '" \
	    "$opt '$val': message names the option and value"
done <<'EOF'
--start|abc
--start|
--start|-5
--start|1:60
--start|1.5:00
--start|5s
--end|nan
--end|1:2:3:4
--segment|0
--segment|abc
--segment|1e9
--segment|inf
--hop|0
--hop|x
EOF
run kc-fetch
is "$RC" 2 "no SOURCE: exit 2"
like "$ERR" "SOURCE" "no SOURCE: says so"
run kc-fetch av.mp4 v.mp4
is "$RC:$OUT" 2: "two SOURCEs: exit 2"
run kc-fetch --bogus av.mp4
is "$RC:$OUT" 2: "unknown option: exit 2"
like "$ERR" "help" "unknown option: points to --help"

for u in ftp://127.0.0.1:1/av.mp4 'javascript://alert(1)' rtmp://127.0.0.1:1/live; do
	run kc-fetch "$u"
	is "$RC:$OUT" 2: "$u: exit 2, no output"
	like "$ERR" "\"${u%%:*}\"" "$u: message names the scheme"
done

# --- unreadable input: exit 1, one line naming the file, nothing on stdout ---

for f in missing.mp4 dir.mp4 text.mp4 empty.mp4 cut-moovend.mp4; do
	run kc-fetch "$f"
	is "$RC" 1 "$f: exit 1"
	is "$OUT" "" "$f: nothing on stdout"
	is "$(printf '%s\n' "$ERR" | wc -l)" 1 "$f: a one-line message"
	like "$ERR" "^kc-fetch: $f: ." "$f: message names the file"
	case $f in
	missing.mp4) like "$ERR" "No such file" "missing file: says so" ;;
	dir.mp4) like "$ERR" "not a regular file" "directory: says so" ;;
	empty.mp4) like "$ERR" "empty file \\(0 bytes\\)" "empty file: says so" ;;
	esac
done
# a crashed or unfinished recording: its index is whole, its data is not;
# what it holds is read (the feature stages make the rest a gap)
run kc-fetch cut-fast.mp4
is "$RC" 0 "truncated faststart file: exit 0"
is "$ERR" "kc-fetch: cut-fast.mp4: file is cut short: media data ends before its stated duration of $(jq -r .duration <(kc-fetch av.mp4 | head -n 1) | xargs printf '%.1f') s (truncated or still being written?); analysing what it holds" \
    "truncated faststart file: one warning saying so"
is "$(jq -r .type "$T/out" | sort | uniq -c | awk '{print $2}' | paste -sd' ')" "end segment stream" \
    "truncated faststart file: its records"
# an MP4 whose media starts late (cut with -copyts) states its format
# duration from 0: its streams say how long it is, and it is not cut short
gen -ss 5 -copyts -i av.mp4 -t 12 -c copy late.mp4 || bail "cannot make late.mp4"
run kc-fetch late.mp4
is "$RC/$ERR" "0/" "an MP4 starting at 4 s: exit 0, no warning"
# (-t counts from 0 under -copyts: media from about 4 s to 12 s)
span=$(ffprobe -v error -show_entries stream=start_time,duration -of csv=p=0 late.mp4 |
    awk -F, '{ e = $1 + $2; if (e > m) m = e; if (s == "" || $1 < s) s = $1 } END { printf "%.2f", m - s }')
is "$(jq -r 'select(.type == "stream") | .duration * 100 | round / 100' "$T/out" | xargs printf '%.2f')" "$span" \
    "an MP4 starting at 4 s: its streams' $span s, not the format's 12"
cmp_ok "$span" "<" 9 "(the streams are shorter than the format says)"
run kc-fetch "file://$T/missing.mp4"
is "$RC:$OUT" 1: "missing file:// path: exit 1"
run kc-fetch "file://$T/dir.mp4"
is "$RC:$OUT" 1: "directory as file:// URL: exit 1"
run kc-fetch "file://$T/av.mp4%00.txt"
isnt "$RC" 0 "file:// URL with %00: rejected, not cut to another file"
is "$OUT" "" "file:// URL with %00: nothing on stdout"

# --- audio-only, video-only, tags, --title/--channel ------------------------

run kc-fetch a.m4a
is "$RC" 0 "audio-only: exit 0"
is "$(sj '[.has_audio, .has_video] | @csv')" "true,false" "audio-only: has_audio only"
is "$(sj '[has("fps"), has("width"), has("height")] | any')" false \
    "audio-only: no fps/width/height"
is "$(sj '[.title, .channel] | @csv')" '"Tagged title","Some One"' \
    "audio-only: title and channel from the media tags"
is "$(check_records 60)" ok "audio-only: records fine"
run kc-fetch --title 'My "title"' --channel chan a.m4a
is "$(sj '[.title, .channel] | @csv')" '"My ""title""","chan"' \
    "--title/--channel override the tags"

# probe.h: cover art does not count as video
is "$(ffprobe -v error -show_entries stream=codec_type:stream_disposition=attached_pic \
    -of csv=p=0 cover.m4a | paste -sd' ' -)" "audio,0 video,1" \
    "cover.m4a: the fixture has audio plus an attached picture"
run kc-fetch cover.m4a
is "$RC" 0 "audio with cover art: exit 0"
is "$ERR" "" "audio with cover art: nothing on stderr"
is "$(sj '[.has_audio, .has_video] | @csv')" "true,false" \
    "audio with cover art: has_video false"
is "$(check_records 60)" ok "audio with cover art: records fine"

run kc-fetch v.mp4
is "$RC" 0 "video-only: exit 0"
is "$(sj '[.has_audio, .has_video, .fps, .width, .height] | @csv')" \
    "false,true,25,320,180" "video-only: has_video, fps and size"
is "$(check_records 60)" ok "video-only: records fine"

# --- awkward file names --------------------------------------------------------

# shellcheck disable=SC2016 # the $(...) is meant literally
W='-we ird "q" '\''s;$(touch pwned);`touch pwned2`.mp4'
cp -- av.mp4 "$W"
run kc-fetch -- "$W"
is "$RC" 0 "odd name after --: exit 0"
is "$(sj .url)" "$T/$W" "odd name: url intact"
is "$(sj .title)" "$W" "odd name: title intact"
WAN=$(sj .analysis)
ok "odd name: analysis is the file" test "${WAN#file:}" -ef "$W"
cmp_ok "$(ffdur "$WAN")" '>' 19.8 "odd name: ffprobe reads 'analysis' as written"
WID=$(sj .id)
run kc-fetch "./$W"
is "$RC:$(sj .id)" "0:$WID" "odd name via ./: same id"
ENC=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$T/$W")
run kc-fetch "file://$ENC"
is "$RC:$(sj .id)" "0:$WID" "odd name as a %-encoded file:// URL: same id"
run kc-fetch "$W"
is "$RC" 2 "odd name without -- is taken for options: exit 2"
is "$(find "$T" "$KC_ROOT" -maxdepth 1 -name 'pwned*'; find "$T" -name 'pwned*')" "" \
    "no file 'pwned' was created"

cp av.mp4 a:b.mp4
run kc-fetch a:b.mp4
is "$RC" 0 "a:b.mp4: exit 0 (not a protocol)"
is "$(sj '[.url, .title] | @csv')" "\"$T/a:b.mp4\",\"a:b.mp4\"" "a:b.mp4: url and title"
ok "a:b.mp4: analysis is the file" test "$(sj .analysis | sed 's/^file://')" -ef a:b.mp4
is "$(check_records 60)" ok "a:b.mp4: records fine"

# --- http from a local server -----------------------------------------------------

mkdir -p www
ln -f av.mp4 www/av.mp4 2>/dev/null || cp av.mp4 www/av.mp4
cat >server.py <<'EOF'
import functools, http.server, os, sys
root, portfile = sys.argv[1], sys.argv[2]
class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
    functools.partial(Handler, directory=root))
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
EOF
rm -f port
python3 server.py "$T/www" "$T/port" 2>server.err &
SRV=$!
trap 'kill "$SRV" 2>/dev/null' EXIT
for _ in $(seq 1200); do [ -s port ] && break; sleep 0.05; done
PORT=$(cat port 2>/dev/null)
if [ -z "$PORT" ]; then
	fail "local HTTP server started"
	diag "$(cat server.err)"
else
	URL=http://127.0.0.1:$PORT/av.mp4
	HD=$(ffdur "$URL")
	cmp_ok "${HD:-0}" '>' 19.8 "ffprobe reads the file from the local server"
	run kc-fetch "$URL"
	is "$RC" 0 "http: exit 0"
	is "$ERR" "" "http: nothing on stderr"
	is "$(sj .url)" "$URL" "http: url is the URL"
	is "$(sj .id)" "$(fnv "$URL")" "http: id is FNV-1a of the URL"
	is "$(sj .analysis)" "$URL" "http: analysis is the URL"
	is "$(sj '[.has_audio, .has_video, .width, .height] | @csv')" \
	    "true,true,320,180" "http: streams as for the file"
	cmp_ok "$(sj .duration)" '>' 19.8 "http: duration about 20 s"
	is "$(check_records 60)" ok "http: records fine"

	run kc-fetch "http://127.0.0.1:$PORT/nothing-here.mp4"
	is "$RC:$OUT" 1: "http 404: exit 1, no output"
	is "$(printf '%s\n' "$ERR" | wc -l)" 1 "http 404: a one-line message"
	like "$ERR" "^kc-fetch: http://127.0.0.1:$PORT/nothing-here.mp4: .*404" \
	    "http 404: message names the URL and the 404"
fi
kill "$SRV" 2>/dev/null
wait "$SRV" 2>/dev/null
trap - EXIT

# --- help, broken pipe --------------------------------------------------------------

run kc-fetch --help
is "$RC" 0 "--help: exit 0"
is "$ERR" "" "--help: nothing on stderr"
like "$OUT" '^usage: kc-fetch' "--help: usage on stdout"
like "$OUT" 'exit status.*0.*1.*2' "--help: mentions the exit statuses"

kc-fetch --segment 1 long.m4a 2>pipe.err | head -c 10 >/dev/null
ST=${PIPESTATUS[0]}
is "$(cat pipe.err)" "" "kc-fetch | head -c 10: no error message"
ok "kc-fetch | head -c 10: quiet exit (0 or SIGPIPE), got $ST" \
    test "$ST" -eq 0 -o "$ST" -eq 141
run kc-fetch --segment 1 long.m4a
is "$(check_records 1)" ok "long file, --segment 1: all $(($(nlines "$OUT") - 2)) segments fine"

done_testing
