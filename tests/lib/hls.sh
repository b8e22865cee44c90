# tests/lib/hls.sh - Kick/IVS-like multi-rendition HLS made from a test
# stream (renditions encoded once with x264, then cut by ffmpeg's hls muxer
# with stream copy), cached in tests/.media/hls/ like media.sh caches
# streams; and kick_start/kick_stop/kick_bytes for tests/lib/kickserver.py.
# See tests/lib/README.md.
#
#   . "$KC_ROOT/tests/lib/media.sh"
#   . "$KC_ROOT/tests/lib/hls.sh"
#   f=$(media net120 -d 120 -n 4 --seed 7 --preset ultrafast)
#   d=$(make_hls "$f" "$T/vod")              # VOD, 10 s segments
#   d=$(make_hls "$f" "$T/vod" --seg 6 --renditions "160 480 720p60")
#   l=$(make_live_hls "$f" "$T/live")        # 2 s segments, for --live
#   hls_bytes "$d" 160p30                    # bytes of one rendition
#   hls_range_bytes "$d" 720p30 40 70        # bytes of the segments over a range
#   hls_segments "$d" 160p30                 # INDEX T0 DUR BYTES URI lines
#
# OUTDIR becomes a symlink to the cached directory (never write into it);
# without OUTDIR the cached directory itself is printed.  Layout:
#
#   master.m3u8            one variant per rendition, highest first
#   160p30/playlist.m3u8   media playlist (VOD: PLAYLIST-TYPE, ENDLIST;
#   160p30/0.ts ...        PROGRAM-DATE-TIME on every segment)
#   hls.json               renditions, their bytes and every segment's
#                          uri, t0, duration and bytes
#   bytes.tsv              NAME<TAB>HEIGHT<TAB>BYTES<TAB>SEGMENTS per rendition
#
# Options:
#   --seg SECS          target segment length (default 10; live 2)
#   --renditions LIST   heights, optionally with a frame rate: "160 360 720"
#                       (default) or "160 360 480 720p60 1080p60"; without
#                       one the source's rate is kept.  Name: HEIGHTpFPS.
#   --gop SECS          keyframe interval (default 2, or --seg when --seg
#                       is not a multiple of 2); a keyframe starts every
#                       segment
#   --pdt ISO           PROGRAM-DATE-TIME of the first segment
#                       (default 2026-03-01T18:00:00.000Z)
#   --live              IVS-style live master (EXT-X-MEDIA TYPE=VIDEO groups);
#                       the media playlists stay complete (kickserver.py
#                       --live serves them as a sliding window)
#   --preset P          x264 preset (default ultrafast); every preset
#                       gets 3 B-frames (-bf 3), as real streams have
#   --ts-offset SECS    presentation time of the first segment, like a
#                       live encoder's running clock (default 1234.567;
#                       0: ffmpeg's own 1.4 s)

: "${KC_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${KC_MEDIA:=$KC_ROOT/tests/.media}"

# make_hls SRC [OUTDIR] [options] : print the HLS directory
make_hls() {
	local src=${1:?make_hls: give SRC}; shift
	local out=
	if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then out=$1; shift; fi
	local seg=10 rends="160 360 720" gop= pdt=2026-03-01T18:00:00.000Z
	local live=0 preset=ultrafast tsoff=1234.567
	while [ $# -gt 0 ]; do
		case $1 in
		--seg) seg=${2:?}; shift 2 ;;
		--renditions) rends=${2:?}; shift 2 ;;
		--gop) gop=${2:?}; shift 2 ;;
		--pdt) pdt=${2:?}; shift 2 ;;
		--live) live=1; shift ;;
		--preset) preset=${2:?}; shift 2 ;;
		--ts-offset) tsoff=${2:?}; shift 2 ;;
		*) echo "make_hls: unknown option '$1'" >&2; return 2 ;;
		esac
	done
	[ -s "$src" ] || { echo "make_hls: $src: no such file" >&2; return 1; }
	[[ $tsoff =~ ^[0-9]+(\.[0-9]+)?$ ]] ||
	    { echo "make_hls: --ts-offset: seconds, 0 or more" >&2; return 2; }
	[[ $seg =~ ^[0-9]+$ && $seg -ge 1 ]] ||
	    { echo "make_hls: --seg: whole seconds" >&2; return 2; }
	if [ -z "$gop" ]; then
		if [ $((seg % 2)) -eq 0 ]; then gop=2; else gop=$seg; fi
	fi
	[[ $gop =~ ^[0-9]+$ && $gop -ge 1 && $((seg % gop)) -eq 0 ]] ||
	    { echo "make_hls: --gop must divide --seg" >&2; return 2; }
	local r
	for r in $rends; do
		[[ $r =~ ^[0-9]+(p[0-9]+)?$ ]] ||
		    { echo "make_hls: bad rendition '$r' (want 360 or 720p60)" >&2; return 2; }
	done

	# Two cached stages: the renditions encoded once (for any --seg, VOD or
	# live), then cut into segments with stream copy.
	local abs ekey key enc dir name
	abs=$(readlink -f -- "$src")
	ekey=$( { printf '%s\n' "$abs" "$rends" "$gop" "$preset"
		stat -c '%s %Y' -- "$abs"; declare -f _hls_encode; } | md5sum | cut -c1-10)
	key=$( { printf '%s\n' "$ekey" "$seg" "$pdt" "$live" "$tsoff"
		declare -f _hls_segment _hls_finish_py; } | md5sum | cut -c1-10)
	name=$(basename -- "$abs"); name=${name%.*}
	enc=$KC_MEDIA/hls/$name-enc-$ekey
	dir=$KC_MEDIA/hls/$name-$([ "$live" = 1 ] && echo live || echo vod)-$key
	mkdir -p "$KC_MEDIA/hls"
	(
		flock 9
		if [ ! -s "$enc/names" ]; then
			rm -rf "$enc.part"
			_hls_encode "$abs" "$enc.part" "$rends" "$gop" "$preset" >&2 &&
			    rm -rf "$enc" && mv "$enc.part" "$enc"
		fi
	) 9>"$KC_MEDIA/hls/.$ekey.lock"
	[ -s "$enc/names" ] || { echo "make_hls: encoding failed" >&2; return 1; }
	(
		flock 9
		if [ ! -s "$dir/hls.json" ]; then
			rm -rf "$dir.part"
			_hls_segment "$enc" "$dir.part" "$seg" "$pdt" "$live" "$abs" "$tsoff" >&2 &&
			    rm -rf "$dir" && mv "$dir.part" "$dir"
		fi
	) 9>"$KC_MEDIA/hls/.$key.lock"
	[ -s "$dir/hls.json" ] || { echo "make_hls: generation failed" >&2; return 1; }
	if [ -z "$out" ]; then
		printf '%s\n' "$dir"
		return 0
	fi
	if [ -L "$out" ]; then
		rm -f -- "$out"
	elif [ -d "$out" ]; then
		rmdir -- "$out" 2>/dev/null ||
		    { echo "make_hls: $out exists and is not empty" >&2; return 1; }
	elif [ -e "$out" ]; then
		echo "make_hls: $out exists" >&2; return 1
	fi
	mkdir -p -- "$(dirname -- "$out")"
	ln -s -- "$dir" "$out"
	printf '%s\n' "$out"
}

# make_live_hls SRC [OUTDIR] [options] : make_hls with 2 s segments and an
# IVS-style master, for kickserver.py's live mode
make_live_hls() {
	local src=${1:?make_live_hls: give SRC}; shift
	if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
		local out=$1; shift
		make_hls "$src" "$out" --seg 2 --live "$@"
	else
		make_hls "$src" --seg 2 --live "$@"
	fi
}

# hls_bytes DIR [NAME] : total bytes of rendition NAME (e.g. 160p30), or of
# the lowest rendition without NAME
hls_bytes() {
	if [ $# -ge 2 ]; then
		awk -F'\t' -v n="$2" '$1 == n { print $3; f = 1 } END { exit !f }' "$1/bytes.tsv"
	else
		sort -t"$(printf '\t')" -k2,2n "$1/bytes.tsv" | head -1 | cut -f3
	fi
}

# hls_segments DIR NAME : "INDEX T0 DUR BYTES URI" per segment of a rendition
hls_segments() {
	jq -r --arg n "$2" '.renditions[] | select(.name == $n) | .segments
	    | to_entries[] | "\(.key) \(.value.t0) \(.value.dur) \(.value.bytes) \(.value.uri)"' \
	    "$1/hls.json"
}

# hls_range_bytes DIR NAME T0 T1 : bytes of the segments of rendition NAME
# that overlap [T0, T1) seconds (what a client needs to cut that range)
hls_range_bytes() {
	jq -r --arg n "$2" --argjson a "$3" --argjson b "$4" '[.renditions[]
	    | select(.name == $n) | .segments[] | select(.t0 < $b and .t0 + .dur > $a)
	    | .bytes] | add // 0' "$1/hls.json"
}

# The generator (its text is part of the cache keys).
# _hls_encode SRC ENCDIR RENDS GOP PRESET : ENCDIR/NAME.mp4 per rendition
# (video with a keyframe every GOP s, the source's audio), ENCDIR/names
_hls_encode() {
	local src=$1 dir=$2 rends=$3 gop=$4 preset=$5
	local probe h fps acodec
	probe=$(ffprobe -v error -show_entries stream=codec_type,codec_name,height,avg_frame_rate \
	    -of json -- "$src") || return 1
	h=$(jq -r '[.streams[] | select(.codec_type == "video")][0].height // empty' <<<"$probe")
	fps=$(jq -r '[.streams[] | select(.codec_type == "video")][0].avg_frame_rate // empty' <<<"$probe")
	acodec=$(jq -r '[.streams[] | select(.codec_type == "audio")][0].codec_name // empty' <<<"$probe")
	[ -n "$h" ] || { echo "make_hls: $src has no video" >&2; return 1; }
	fps=$(awk -v f="$fps" 'BEGIN { split(f, a, "/"); r = a[2] ? a[1] / a[2] : a[1]; printf "%d", r + 0.5 }')
	local -a outs=() aargs=()
	if [ -z "$acodec" ]; then aargs=(-an)
	elif [ "$acodec" = aac ]; then aargs=(-map 0:a:0 -c:a copy)
	else aargs=(-map 0:a:0 -c:a aac -b:a 128k -ar 48000); fi
	local i=0 r rh rf br filt="" split="" names=""
	set -- $rends
	local n=$#
	for r in "$@"; do
		rh=${r%%p*}
		if [ "$rh" != "$r" ]; then rf=${r#*p}; else rf=$fps; fi
		split+="[s$i]"
		filt+=";[s$i]scale=-2:$rh:flags=fast_bilinear"
		[ "$rf" != "$fps" ] && filt+=",fps=$rf"
		filt+="[v$i]"
		# Kick-like video bitrates by height (kbit/s), more for 60 fps
		br=$(awk -v h="$rh" -v f="$rf" 'BEGIN {
			b = 5000; if (h <= 720) b = 2500; if (h <= 480) b = 1400
			if (h <= 360) b = 800; if (h <= 240) b = 400; if (h <= 160) b = 230
			if (f > 30) b = int(b * 1.4)
			print b }')
		outs+=(-map "[v$i]" "${aargs[@]}" -c:v libx264 -preset "$preset" -bf 3 -pix_fmt yuv420p
		    -sc_threshold 0 -force_key_frames "expr:gte(t,n_forced*$gop)"
		    -g "$((rf * gop))" -keyint_min "$((rf * gop))"
		    -b:v "${br}k" -maxrate "$((br * 3 / 2))k" -bufsize "$((br * 2))k"
		    -max_muxing_queue_size 4096 "$dir/${rh}p$rf.mp4")
		names+="${rh}p$rf "
		i=$((i + 1))
	done
	mkdir -p "$dir" || return 1
	echo "make_hls: encoding $src ($rends)" >&2
	ffmpeg -nostdin -v error -y -i "$src" \
	    -filter_complex "[0:v:0]split=$n$split$filt" "${outs[@]}" || return 1
	printf '%s\n' "$names" >"$dir/names"
}

# _hls_segment ENCDIR DIR SEG PDT LIVE SRC TSOFF : the HLS directory, by
# stream copy; the segments' timestamps start at TSOFF s
_hls_segment() {
	local enc=$1 dir=$2 seg=$3 pdt=$4 live=$5 src=$6 tsoff=$7
	local -a off=()
	[ "$tsoff" = 0 ] || off=(-output_ts_offset "$tsoff")
	local -a ins=() maps=()
	local i=0 r vsm="" names
	names=$(cat "$enc/names")
	for r in $names; do
		ins+=(-i "$enc/$r.mp4")
		maps+=(-map "$i:v:0" -map "$i:a:0?")
		i=$((i + 1))
	done
	local hasa
	hasa=$(ffprobe -v error -select_streams a -show_entries stream=index -of csv=p=0 \
	    "$enc/${names%% *}.mp4")
	i=0
	for r in $names; do
		if [ -n "$hasa" ]; then vsm+=" v:$i,a:$i,name:$r"; else vsm+=" v:$i,name:$r"; fi
		i=$((i + 1))
	done
	mkdir -p "$dir" || return 1
	ffmpeg -nostdin -v error -y "${ins[@]}" "${maps[@]}" -c copy "${off[@]}" \
	    -f hls -hls_time "$seg" -hls_playlist_type vod \
	    -hls_flags independent_segments \
	    -hls_segment_filename "$dir/%v/%d.ts" \
	    -master_pl_name ffmaster.m3u8 \
	    -var_stream_map "${vsm# }" "$dir/%v/ffplaylist.m3u8" || return 1
	python3 -c "$(_hls_finish_py)" "$dir" "$src" "$seg" "$pdt" "$live" $names
}

_hls_finish_py() {
	cat <<'EOF'
import datetime, json, math, os, re, subprocess, sys
d, src, seg, pdt, live = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5] == "1"
names = sys.argv[6:]
t0 = datetime.datetime.fromisoformat(pdt.replace("Z", "+00:00"))
def iso(t):
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        "%03dZ" % (t.microsecond // 1000)
# CODECS and RESOLUTION as ffmpeg wrote them, in var_stream_map order
ffm = open(os.path.join(d, "ffmaster.m3u8")).read()
infos = re.findall(r"#EXT-X-STREAM-INF:(.*)\n(\S+)", ffm)
attrs = {}
for a, uri in infos:
    kv = dict(re.findall(r'([A-Z-]+)=("[^"]*"|[^,]*)', a))
    attrs[uri.split("/")[0]] = kv
def codecs(ts):
    """RFC 6381 CODECS of a segment, from its SPS profile and level."""
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                          "stream=codec_name,profile,level", "-of", "csv=p=0", ts],
                         capture_output=True, text=True).stdout
    cs = []
    for line in sorted(set(l for l in out.splitlines() if l.strip()), key=lambda l: not l.startswith("h264")):
        f = line.split(",")
        if f[0] == "h264":
            pc = {"Constrained Baseline": "42c0", "Baseline": "4200", "Main": "4d40",
                  "High": "6400"}.get(f[1], "4d40")
            cs.append("avc1.%s%02x" % (pc, int(f[2]) if f[2].lstrip("-").isdigit() and int(f[2]) > 0 else 30))
        elif f[0] == "aac":
            cs.append("mp4a.40.%d" % (5 if f[1].startswith("HE") else 2))
    return ",".join(cs)
rends = []
for name in names:
    text = open(os.path.join(d, name, "ffplaylist.m3u8")).read()
    segs, dur = [], None
    for line in text.splitlines():
        if line.startswith("#EXTINF:"):
            dur = float(line[8:].split(",")[0])
        elif line and not line.startswith("#"):
            segs.append({"uri": line, "dur": dur})
    t, out = 0.0, []
    tgt = max(math.ceil(s["dur"] - 0.0005) for s in segs)
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:%d" % tgt,
             "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-PLAYLIST-TYPE:VOD",
             "#EXT-X-INDEPENDENT-SEGMENTS"]
    for s in segs:
        s["t0"] = round(t, 6)
        s["bytes"] = os.path.getsize(os.path.join(d, name, s["uri"]))
        lines.append("#EXT-X-PROGRAM-DATE-TIME:" + iso(t0 + datetime.timedelta(seconds=t)))
        lines.append("#EXTINF:%.3f," % s["dur"])
        lines.append(s["uri"])
        t += s["dur"]
    lines.append("#EXT-X-ENDLIST")
    open(os.path.join(d, name, "playlist.m3u8"), "w").write("\n".join(lines) + "\n")
    os.remove(os.path.join(d, name, "ffplaylist.m3u8"))
    total = sum(s["bytes"] for s in segs)
    peak = max(s["bytes"] * 8 / s["dur"] for s in segs if s["dur"] > 0.5) if any(
        s["dur"] > 0.5 for s in segs) else total * 8 / max(t, 0.001)
    kv = attrs.get(name, {})
    h, f = name.split("p")
    rends.append({"name": name, "height": int(h), "fps": int(f),
                  "resolution": kv.get("RESOLUTION", ""),
                  "width": int(kv.get("RESOLUTION", "0x0").split("x")[0]),
                  "codecs": codecs(os.path.join(d, name, segs[0]["uri"])) or
                            kv.get("CODECS", "").strip('"'),
                  "bandwidth": int(math.ceil(peak / 1000.0) * 1000),
                  "average_bandwidth": int(total * 8 / max(t, 0.001)),
                  "playlist": name + "/playlist.m3u8", "bytes": total,
                  "duration": round(t, 6), "segments": segs})
os.remove(os.path.join(d, "ffmaster.m3u8"))
rends.sort(key=lambda r: (r["height"], r["fps"]), reverse=True)
m = ["#EXTM3U"]
if live:
    m.append('#EXT-X-SESSION-DATA:DATA-ID="NET.LIVE-VIDEO.CONTENT.ID",VALUE="kc-test"')
    for i, r in enumerate(rends):
        m.append('#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="%s",NAME="%s",AUTOSELECT=YES,DEFAULT=%s'
                 % (r["name"], r["name"], "YES" if i == 0 else "NO"))
        m.append('#EXT-X-STREAM-INF:BANDWIDTH=%d,RESOLUTION=%s,CODECS="%s",VIDEO="%s",FRAME-RATE=%.3f'
                 % (r["bandwidth"], r["resolution"], r["codecs"], r["name"], r["fps"]))
        m.append(r["playlist"])
else:
    m += ["#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for r in rends:
        m.append('#EXT-X-STREAM-INF:BANDWIDTH=%d,AVERAGE-BANDWIDTH=%d,CODECS="%s",RESOLUTION=%s,FRAME-RATE=%.3f'
                 % (r["bandwidth"], r["average_bandwidth"], r["codecs"], r["resolution"], r["fps"]))
        m.append(r["playlist"])
open(os.path.join(d, "master.m3u8"), "w").write("\n".join(m) + "\n")
info = {"source": src, "live": live, "seg": seg, "pdt": iso(t0),
        "duration": rends[0]["duration"], "master": "master.m3u8", "renditions": rends}
json.dump(info, open(os.path.join(d, "hls.json"), "w"), indent=1)
with open(os.path.join(d, "bytes.tsv"), "w") as fh:
    for r in rends:
        fh.write("%s\t%d\t%d\t%d\n" % (r["name"], r["height"], r["bytes"], len(r["segments"])))
EOF
}

# ---------------------------------------------------------------- server
#
#   kick_start LOG [kickserver.py args...]  start tests/lib/kickserver.py on
#                                           127.0.0.1; sets KICK_PORT,
#                                           KICK_PID, KICK_URL, KICK_LOG
#                                           (its stderr: LOG.stderr); call
#                                           it directly, not in $(...)
#   kick_stop                               SIGTERM it and wait
#   kick_airing DIR SPEED                   a live channel "airing" (below)
#   kick_bytes LOG [PATH-ERE]               body bytes sent (of matching paths)
#
# Call kick_stop on exit (trap kick_stop EXIT) so no server outlives a test.
kick_start() {
	local log=${1:?kick_start: give LOG}; shift
	local pf i
	pf=$(mktemp "${KC_TMP:-/tmp}/kickport.XXXXXX")
	rm -f "$pf"
	python3 "$KC_ROOT/tests/lib/kickserver.py" --log "$log" --port-file "$pf" "$@" \
	    >/dev/null 2>"$log.stderr" &
	KICK_PID=$!
	for i in $(seq 1 600); do
		[ -s "$pf" ] && break
		kill -0 "$KICK_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ ! -s "$pf" ]; then
		echo "kick_start: server did not start: $(cat "$log.stderr" 2>/dev/null)" >&2
		kill "$KICK_PID" 2>/dev/null
		rm -f "$pf"
		return 1
	fi
	KICK_PORT=$(cat "$pf")
	KICK_URL=http://127.0.0.1:$KICK_PORT
	KICK_LOG=$log
	rm -f "$pf"
	export KICK_PORT KICK_URL KICK_LOG KICK_PID
}

kick_stop() {
	[ -n "${KICK_PID:-}" ] || return 0
	kill -TERM "$KICK_PID" 2>/dev/null
	wait "$KICK_PID" 2>/dev/null
	KICK_PID=
}

# kick_airing DIR SPEED : a live Kick channel, https://kick.com/airing, on
# the test server: the 2-minute stream with events at 20, 38, 71 and 98 s
# (media net120 --seed 7), aired at SPEED x from the first request, the
# whole of it in the window (a loaded machine that fetches late loses
# none).  yt-dlp is blocked (DIR/no-ytdlp), so kc reads Kick's API, and
# Kick's live chat stays on loopback.  Exports KC_KICK_API, KC_YTDLP and
# KC_PUSHER_URL; call it directly, not in $(...), and kick_stop at the end.
kick_airing() {
	local dir=${1:?kick_airing: give DIR} speed=${2:?kick_airing: give SPEED} src live
	src=$(media net120 -d 120 -n 4 --seed 7 --preset ultrafast) ||
	    { echo "kick_airing: cannot generate the live stream" >&2; return 1; }
	live=$(make_live_hls "$src" "$dir/live") ||
	    { echo "kick_airing: make_live_hls failed" >&2; return 1; }
	printf '{"channels": {"airing": {"live": {"dir": "%s", "speed": %s, "window": 60}}}}\n' \
	    "$live" "$speed" >"$dir/kick.json"
	kick_start "$dir/kick.log" --config "$dir/kick.json" || return 1
	printf '#!/bin/sh\necho "ERROR: [kick] blocked (the test)" >&2\nexit 1\n' >"$dir/no-ytdlp"
	chmod +x "$dir/no-ytdlp"
	export KC_KICK_API=$KICK_URL KC_YTDLP=$dir/no-ytdlp \
	    KC_PUSHER_URL=${KC_PUSHER_URL:-ws://127.0.0.1:9}
}

kick_bytes() {
	jq -n --arg re "${2:-.}" '[inputs | select(.path | test($re)) | .bytes] | add // 0' "$1"
}

# ytdlp_local FILE : writes an executable yt-dlp for KC_YTDLP at FILE.  It
# appends each call's arguments to FILE.log (one per line, then "--end--")
# and runs the real yt-dlp with --ignore-config --no-cache-dir --proxy ''
# when every http(s) argument is on 127.0.0.1; any other URL (kick.com ...)
# never leaves the machine: it fails the way yt-dlp does when Cloudflare
# blocks it (HTTP Error 403), so callers fall back as they would then.
ytdlp_local() {
	local f=${1:?ytdlp_local: give FILE} real
	real=$(command -v yt-dlp) || { echo "ytdlp_local: no yt-dlp" >&2; return 1; }
	cat >"$f" <<EOS
#!/bin/bash
{ printf '%s\n' "\$@"; echo --end--; } >>"$f.log"
for a in "\$@"; do
	case \$a in
	http://127.0.0.1:*|https://127.0.0.1:*) ;;
	http://*|https://*)
		echo "ERROR: [kick] \${a##*/}: Unable to download JSON metadata: HTTP Error 403: Forbidden (caused by <HTTPError 403: 'Forbidden'>)" >&2
		exit 1 ;;
	esac
done
exec "$real" --ignore-config --no-cache-dir --proxy '' --socket-timeout 10 "\$@"
EOS
	chmod +x "$f"
}
