#!/bin/bash
# 90-web.t - kc-web's HTTP side, with curl on loopback: the page's files;
# a clip's files (the clip, its poster, strip and 9:16 copy) served by its
# database row wherever it is, with Range (206, seeking), and nothing
# else: no path in a URL, no file that is not exactly a row's path (../,
# %2e%2e, a symlink swapped in for a clip or on its folder, a path not in
# the database), FIFOs never opened (200+ concurrent requests for them,
# then a normal one); requests with two Host or Content-Length headers
# refused (400); every input checked (a rating of 0, 6 or x is a 400 and
# changes nothing); 20 concurrent raters plus the CLI (every rating
# stored once); undo; delete; stats; jobs (bad options, cancel, the
# chat (a log beside the file, one named, none), a Generate in 9:16 too,
# an analysis and a cut of picked, edited
# highlights, the 9:16 export's checks); a live stream's clips shown
# while it airs (tests/lib/kickserver.py); requests from elsewhere
# refused; and the listen address (127.0.0.1 only without --listen).
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"
. "$KC_ROOT/tests/lib/hls.sh"

need curl jq sqlite3 ss flock python3 mkfifo
for p in kc-web kc-db kc-clip; do
	[ -x "$KC_BIN/$p" ] || skip_all "$p not built"
done
unset KC_DB KC_WEBDIR
cd "$T" || bail "cannot cd to $T"
T=$(pwd -P)

WPID=
cleanup() { [ -n "$WPID" ] && kill "$WPID" 2>/dev/null; kick_stop; }
trap cleanup EXIT

# web_start LOG ARGS... : kc-web in the background; sets WPID, PORT, U
web_start() {
	local log=$1 i
	shift
	kc-web "$@" </dev/null 2>"$log" &
	WPID=$!
	for i in $(seq 600); do
		PORT=$(sed -n 's|^kc-web: listening on http://[^ ]*:\([0-9]*\)/.*|\1|p' "$log")
		[ -n "$PORT" ] && break
		kill -0 "$WPID" 2>/dev/null || break
		sleep 0.1
	done
	U=http://127.0.0.1:$PORT
	[ -n "$PORT" ]
}
# web_stop : SIGTERM, then waits for kc-web (a guard of 60 s, then
# SIGKILL: a server stuck on a blocked thread fails instead of hanging)
web_stop() {
	local i
	kill -TERM "$WPID" 2>/dev/null
	for i in $(seq 600); do
		kill -0 "$WPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$WPID" 2>/dev/null && { diag "kc-web did not stop: killed"; kill -9 "$WPID"; }
	wait "$WPID"
	WRC=$?
	WPID=
}
# raw REQUEST : sends REQUEST (with \r \n escapes) on one connection and
# reads until the server closes it; prints the status and "closed", or
# "timeout" (a failure guard of 60 s, not a timing check)
raw() {
	python3 - "$PORT" "$1" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin1"))
data = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    end = "closed"
except socket.timeout:
    end = "timeout"
line = data.split(b"\r\n", 1)[0].decode("latin1").split(" ")
print(line[1] if len(line) > 1 else "none", end)
EOF
}
# hc ARGS... : curl, body to $T/body, headers to $T/hdr; prints the status
hc() { curl -sS --noproxy '*' --path-as-is -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$@"; }
hdr() { tr -d '\r' <"$T/hdr" | sed -n "s/^$1: //Ip" | tail -n 1; }
ratings() { sqlite3 "$DB" 'SELECT count(*) FROM ratings'; }
listeners() { ss -ltnpH | grep "pid=$1," | awk '{ print $4 }' | sort -u | paste -sd' '; }

# --- usage -------------------------------------------------------------------
run kc-web --help
is "$RC" 0 "--help exits 0"
like "$(printf '%s' "$OUT" | tr '\n' ' ')" 'exit status: 0 .*2 usage' "--help documents exit statuses"
like "$OUT" '127\.0\.0\.1:7860' "--help names the default listen address"
run kc-web --bogus
is "$RC" 2 "unknown option: exit 2"
run kc-web --listen localhost:80
is "$RC" 2 "--listen with a host name: exit 2 (numeric addresses only)"
like "$ERR" "^kc-web: --listen" "the message names --listen"
run kc-web --listen 127.0.0.1:99999
is "$RC" 2 "--listen with port 99999: exit 2"

# --- a database of clips -------------------------------------------------------
# Clip 1 lies under --clips, clip 31 far from it; clips 2-30 are small
# files; 32-34 are rows whose paths are a symlink to a secret, a path
# through a symlinked folder, and a file that is not there; 35-44 FIFOs.
f=$(media short -d 120 -n 3 --size 320x180 --preset ultrafast) ||
    bail "cannot generate the test stream"
mkdir -p clips/sub outside elsewhere/deep
cp "$f" clips/sub/real.mp4
cp "$f" elsewhere/deep/far.mp4
printf 'POSTER\n' >elsewhere/deep/far.jpg
printf 'STRIP\n' >elsewhere/deep/far.strip.jpg
cp "$f" elsewhere/deep/far.vertical.mp4
printf 'SECRET-OUTSIDE\n' >outside/secret.txt
printf 'SECRET-DB\n' >secret.db
printf 'NOT-IN-DB\n' >clips/neighbour.mp4
ln -s ../outside/secret.txt clips/link.mp4
ln -s ../outside clips/updir
mkdir clips/.kc-state && printf 'SECRET-STATE\n' >clips/.kc-state/journal
mkfifo outside/pipe
for i in $(seq 10); do mkfifo "clips/fifo$i.mp4"; done
DB=$T/kc.db
clip() {	# clip PATH KIND T0 SCORE [EXTRA JSON]
	printf '{"type":"clip","path":"%s","kind":"%s","t0":%d,"t1":%d,"score":%s%s}\n' \
	    "$1" "$2" "$3" "$(($3 + 20))" "$4" "${5:+,$5}"
}
{
	clip "$T/clips/sub/real.mp4" video 0 0.9
	for i in $(seq 2 30); do
		printf 'x%s\n' "$i" >"clips/c$i.mp4"
		clip "$T/clips/c$i.mp4" "$([ $((i % 2)) = 0 ] && echo audio || echo video)" "$i" "0.$(printf %02d "$i")"
	done
	clip "$T/elsewhere/deep/far.mp4" audio 40 0.5 \
	    "\"poster\":\"$T/elsewhere/deep/far.jpg\",\"vertical_path\":\"$T/elsewhere/deep/far.vertical.mp4\""
	clip "$T/clips/link.mp4" audio 50 0.1
	clip "$T/clips/updir/secret.txt" audio 60 0.1
	clip "$T/clips/gone.mp4" audio 70 0.1
	for i in $(seq 10); do clip "$T/clips/fifo$i.mp4" video $((80 + i)) 0.1; done
} | kc-db --db "$DB" add --quiet || bail "cannot fill the database"
is "$(sqlite3 "$DB" 'SELECT count(*) FROM clips')" 44 "44 clips in the test database"
is "$(sqlite3 "$DB" "SELECT id FROM clips WHERE path = '$T/elsewhere/deep/far.mp4'")" 31 \
    "clip 31 is the one outside --clips"

ok "kc-web starts and listens" web_start web.log --listen 127.0.0.1:0 --db "$DB" --clips "$T/clips" ||
    bail "kc-web did not start: $(cat web.log)"
is "$(listeners "$WPID")" "127.0.0.1:$PORT" "--listen 127.0.0.1:0: one socket, on 127.0.0.1"

# --- the page -------------------------------------------------------------------
is "$(hc "$U/")" 200 "GET / : 200"
like "$(hdr Content-Type)" '^text/html' "the page is text/html"
like "$(cat body)" 'app\.js' "the page loads app.js"
is "$(hc "$U/app.js")" 200 "app.js: 200"
is "$(hc "$U/style.css")" 200 "style.css: 200"
like "$(hdr Content-Security-Policy)" "default-src 'self'" "a Content-Security-Policy keeps the page on this server"
is "$(grep -rEl "(src|href|url)\\(?[=\"' ]*https?://" "$KC_ROOT/web" | wc -l)" 0 \
    "the page's files load nothing from other servers (works offline)"

# --- a clip's files, with Range ---------------------------------------------------------
size=$(stat -c %s clips/sub/real.mp4)
is "$(hc "$U/media/1/clip")" 200 "a clip without Range: 200"
is "$(hdr Accept-Ranges)" bytes "Accept-Ranges: bytes"
is "$(hdr Content-Type)" video/mp4 "Content-Type video/mp4"
ok "the whole file" cmp -s body clips/sub/real.mp4
is "$(hc -H 'Range: bytes=1000-1999' "$U/media/1/clip")" 206 "Range 1000-1999: 206"
is "$(hdr Content-Range)" "bytes 1000-1999/$size" "Content-Range names the bytes and the size"
is "$(hdr Content-Length)" 1000 "Content-Length 1000"
dd if=clips/sub/real.mp4 of=want bs=1 skip=1000 count=1000 status=none
ok "the bytes 1000-1999 of the file" cmp -s body want
is "$(hc -H 'Range: bytes=-500' "$U/media/1/clip")" 206 "Range -500 (the last 500 bytes): 206"
tail -c 500 clips/sub/real.mp4 >want
ok "the last 500 bytes" cmp -s body want
is "$(hc -H "Range: bytes=$((size - 10))-" "$U/media/1/clip")" 206 "open-ended Range: 206"
is "$(hdr Content-Range)" "bytes $((size - 10))-$((size - 1))/$size" "open-ended: to the last byte"
is "$(hc -H "Range: bytes=$size-" "$U/media/1/clip")" 416 "a Range past the end: 416"
is "$(hdr Content-Range)" "bytes */$size" "416 names the size"
is "$(hc -I "$U/media/1/clip")" 200 "HEAD: 200"
is "$(hdr Content-Length)" "$size" "HEAD: Content-Length of the file"
like "$(hc "$U/media/1/clip?download=1"; hdr Content-Disposition)" '^200attachment; filename="real\.mp4"$' \
    "?download=1: an attachment named after the file"

# a clip recorded outside --clips plays too, and so do its poster, strip
# and 9:16 copy
is "$(hc "$U/media/31/clip")" 200 "a clip outside --clips: 200"
ok "... its file" cmp -s body elsewhere/deep/far.mp4
is "$(hc -H 'Range: bytes=100-199' "$U/media/31/clip")" 206 "... with Range: 206"
is "$(hdr Content-Range)" "bytes 100-199/$(stat -c %s elsewhere/deep/far.mp4)" "... the bytes asked for"
is "$(hc "$U/media/31/poster")" 200 "its poster: 200"
is "$(hdr Content-Type) $(cat body)" "image/jpeg POSTER" "... image/jpeg, the poster's bytes"
is "$(hc "$U/media/31/strip")" 200 "its hover strip (BASE.strip.jpg beside it): 200"
is "$(cat body)" STRIP "... the strip's bytes"
is "$(hc -H 'Range: bytes=0-99' "$U/media/31/vertical")" 206 "its 9:16 copy, with Range: 206"
like "$(hc "$U/media/31/vertical?download=1"; hdr Content-Disposition)" \
    '^200attachment; filename="far\.vertical\.mp4"$' "... downloaded under its own name"
is "$(hc "$U/api/clips/31")" 200 "GET /api/clips/31: 200"
is "$(jq -c '[.src, .poster_src, .strip_src, .vertical_src, has("features")]' body)" \
    '["/media/31/clip","/media/31/poster","/media/31/strip","/media/31/vertical",false]' \
    "the API names the URLs of its files (no features)"
is "$(hc "$U/api/clips/1")" 200 "GET /api/clips/1: 200"
is "$(jq -c '[.src, .poster_src, .strip_src, .vertical_src]' body)" '["/media/1/clip",null,null,null]' \
    "a clip without poster, strip or 9:16 copy: null URLs"
is "$(hc "$U/media/1/poster")" 404 "... and its poster is 404"
is "$(hc "$U/media/1/vertical")" 404 "... its 9:16 copy 404"
is "$(hc "$U/api/clips/999")" 404 "GET /api/clips/999: 404"
is "$(hc "$U/api/clips/x")" 400 "GET /api/clips/x: 400"

# --- nothing but the rows' files ----------------------------------------------------
# The rows' own tricks: a symlink as the clip, a path through a symlinked
# folder, a file that is not there
is "$(hc "$U/media/32/clip")" 404 "a row whose path is a symlink (to a secret): 404"
unlike "$(cat body)" SECRET "... not the file it points to"
is "$(hc "$U/media/33/clip")" 403 "a row whose path goes through a symlinked folder: 403"
unlike "$(cat body)" SECRET "... not the file"
is "$(hc "$U/media/34/clip")" 404 "a row whose file is not there: 404"
# a symlink swapped in for a clip that played
cp "$f" clips/swap.mp4
clip "$T/clips/swap.mp4" video 100 0.2 | kc-db --db "$DB" add --quiet
sid=$(sqlite3 "$DB" "SELECT id FROM clips WHERE path = '$T/clips/swap.mp4'")
is "$(hc "$U/media/$sid/clip")" 200 "a clip plays ..."
rm clips/swap.mp4 && ln -s ../outside/secret.txt clips/swap.mp4
is "$(hc "$U/media/$sid/clip")" 404 "... a symlink swapped in for it (to a secret): 404"
unlike "$(cat body)" SECRET "... not the secret"
rm clips/swap.mp4 && ln -s "$T/elsewhere/deep/far.mp4" clips/swap.mp4
is "$(hc "$U/media/$sid/clip")" 404 "... a symlink to another clip swapped in: 404"
# URLs naming paths, or what is not a row's
for p in /clips/sub/real.mp4 /clips/neighbour.mp4 /media/1/../31/clip /media/1/clip/../../secret.db \
    /media/%2e%2e/secret.db /media/1/%2e%2e/%2e%2e/secret.db /media/..%2f..%2fsecret.db \
    "/media/$T/clips/neighbour.mp4" "/media//$T/outside/secret.txt" /media/1/path /media/1/clip/x \
    /media/0/clip /media/-1/clip /media/x/clip /media/1e1/clip /media/999/clip /media/1 /media/ \
    /media/1/clip%00.txt /media/31/poster/../../../secret.db '/media/1\clip' \
    /clips/.kc-state/journal /%2e%2e/%2e%2e/%2e%2e/etc/passwd /..%2f..%2f..%2fetc%2fpasswd \
    "/$T/secret.db" /index.html/../../secret.db /.. /clips/ /media/31/strip%2f..%2f..%2fsecret.db; do
	code=$(hc "$U$p")
	like "$code" '^40[34]$' "GET $p: 403 or 404 ($code)"
	unlike "$(cat body)" 'SECRET|NOT-IN-DB|root:' "GET $p: not a file"
done

# --- FIFOs: never opened, never a blocked thread ------------------------------------
# A FIFO opened for reading blocks until a writer comes; MHD runs a thread
# per connection, at most 200: 210 requests for FIFOs used to freeze it.
# (--parallel-immediate: one connection per transfer, not a queue on one.)
f1=$(sqlite3 "$DB" "SELECT min(id) FROM clips WHERE path LIKE '%/fifo%'")
ln -s fifo1.mp4 clips/fifolink.mp4
ln -s ../outside/pipe clips/outpipe.mp4
{ clip "$T/clips/fifolink.mp4" video 120 0.1; clip "$T/clips/outpipe.mp4" video 121 0.1; } |
    kc-db --db "$DB" add --quiet
fl=$(sqlite3 "$DB" "SELECT id FROM clips WHERE path = '$T/clips/fifolink.mp4'")
fo=$(sqlite3 "$DB" "SELECT id FROM clips WHERE path = '$T/clips/outpipe.mp4'")
mkdir fifo.out
curl -s --show-error --no-progress-meter --noproxy '*' --max-time 30 --parallel --parallel-immediate --parallel-max 100 -o "fifo.out/#1_#2" -w '%{http_code}\n' \
    "$U/media/[$f1-$((f1 + 9))]/clip?n=[1-21]" >fifo.codes 2>fifo.err
is "$(sort fifo.codes | uniq -c | awk '{ print $1 "x" $2 }' | paste -sd' ')" "210x404" \
    "210 concurrent requests for 10 FIFO rows: every one answered 404" || diag "$(grep -o 'curl: ([0-9]*) [A-Za-z ]*' fifo.err | sort | uniq -c)"
is "$(hc --max-time 30 "$U/media/$fl/clip")" 404 "a row that is a symlink to a FIFO: 404"
is "$(hc --max-time 30 "$U/media/$fo/clip")" 404 "a row that is a symlink to a FIFO elsewhere: 404"
is "$(hc --max-time 60 "$U/media/1/clip")" 200 "after them a normal request is answered"
ok "... with the file" cmp -s body clips/sub/real.mp4
# a writer wakes any reader still blocked (only a regression has one)
for p in clips/fifo*.mp4 outside/pipe; do exec 9<>"$p" && exec 9<&-; done

# --- headers that can be read two ways: 400, the connection closed -------------------------
h="Host: 127.0.0.1:$PORT\r\n"
is "$(raw "GET /api/stats HTTP/1.1\r\n${h}Connection: close\r\n\r\n")" "200 closed" \
    "a raw request with one Host: 200"
is "$(raw "GET /api/stats HTTP/1.1\r\n${h}Host: evil.example\r\n\r\n")" "400 closed" \
    "our Host, then another: 400, connection closed"
is "$(raw "GET /media/1/clip HTTP/1.1\r\nHost: evil.example\r\n$h\r\n")" "400 closed" \
    "another Host, then ours: 400"
is "$(raw "GET /media/1/clip HTTP/1.1\r\n$h$h\r\n")" "400 closed" "the same Host twice: 400"
rate='POST /api/clips/2/rate HTTP/1.1\r\n'"$h"'Content-Type: application/json\r\n'

# --- ratings: every input checked, nothing changed by a bad one -------------------------
before=$(sqlite3 "$DB" .dump | md5sum)
for s in 0 6 '"x"' x 5.5 '"5"' -1 null true '[5]'; do
	is "$(hc -X POST -H 'Content-Type: application/json' -d "{\"stars\":$s}" "$U/api/clips/2/rate")" 400 \
	    "rating $s: 400"
done
like "$(cat body)" '"error":"stars: want an integer 1-5"' "the answer says what is wrong"
is "$(hc -X POST -H 'Content-Type: application/json' -d '{}' "$U/api/clips/2/rate")" 400 "no stars: 400"
is "$(hc -X POST -H 'Content-Type: application/json' -d 'stars=5' "$U/api/clips/2/rate")" 400 "not JSON: 400"
is "$(hc -X POST -H 'Content-Type: application/json' -d '{"stars":5,"stars":4}' "$U/api/clips/2/rate")" 400 \
    "duplicate keys: 400"
is "$(hc -X POST -H 'Content-Type: application/json' -d '{"stars":5}' "$U/api/clips/x/rate")" 400 "clip id x: 400"
is "$(hc -X POST -H 'Content-Type: application/json' -d '{"stars":5}' "$U/api/clips/0/rate")" 400 "clip id 0: 400"
is "$(hc -X POST -H 'Content-Type: application/json' -d '{"stars":5}' "$U/api/clips/-2/rate")" 400 "clip id -2: 400"
is "$(hc -X POST -H 'Content-Type: application/json' -d '{"stars":5}' "$U/api/clips/999/rate")" 404 "no clip 999: 404"
is "$(hc -X POST -H 'Content-Type: text/plain' -d '{"stars":5}' "$U/api/clips/2/rate")" 403 \
    "a text/plain body (what a cross-site form can send): 403"
is "$(hc -X POST -H 'Content-Type: application/json' -H 'Origin: http://evil.example' -d '{"stars":5}' \
    "$U/api/clips/2/rate")" 403 "another Origin: 403"
is "$(hc -H 'Host: evil.example' "$U/api/stats")" 403 "another Host (DNS rebinding): 403"
is "$(raw "${rate}Content-Length: 11\r\nContent-Length: 40\r\nConnection: close\r\n\r\n{\"stars\":5}")" \
    "400 closed" "a rating with Content-Length 11 and 40: 400"
is "$(raw "${rate}Content-Length: 11\r\nContent-Length: 11\r\n\r\n{\"stars\":5}")" "400 closed" \
    "a rating with Content-Length twice: 400"
is "$(raw "${rate}Content-Length: 11\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n{\"stars\":5}\r\n0\r\n\r\n")" \
    "400 closed" "a rating with Content-Length and Transfer-Encoding: 400"
head -c 70000 /dev/zero | tr '\0' ' ' >big.json
is "$(hc -X POST -H 'Content-Type: application/json' --data-binary @big.json "$U/api/clips/2/rate")" 413 \
    "a 70 kB body: 413"
for q in kind=x rating=0 rating=6 rating=x sort=x limit=0 limit=x stream=-x; do
	is "$(hc "$U/api/clips?$q")" 400 "GET /api/clips?$q: 400"
done
is "$(sqlite3 "$DB" .dump | md5sum)" "$before" "after all the bad requests the database is unchanged"
is "$(ratings)" 0 "no rating stored"

is "$(hc -X POST -H 'Content-Type: application/json' -d '{"stars":4}' "$U/api/clips/2/rate")" 200 "rating 4: 200"
is "$(jq -c '[.id, .stars, .retrained]' body)" '[2,4,false]' "the answer: id, stars, retrained"
is "$(sqlite3 "$DB" 'SELECT clip_id, stars FROM ratings')" "2|4" "the rating is in the database"
is "$(hc "$U/api/clips?rating=rated")" 200 "GET /api/clips?rating=rated: 200"
is "$(jq -c '[.clips[] | [.id, .rating]]' body)" '[[2,4]]' "lists the rated clip"
is "$(hc "$U/api/clips?rating=unrated&kind=video&sort=score&limit=3")" 200 "filters and sort: 200"
is "$(jq -c '[.clips[] | .kind] | unique' body)" '["video"]' "kind=video: only video clips"
is "$(jq -c '[.clips[] | .score] | . == (sort | reverse)' body)" true "sort=score: best first"
is "$(jq '.clips | length' body)" 3 "limit=3: three clips"
is "$(hc "$U/api/clips?kind=chat")" 200 "kind=chat: 200"
is "$(jq -c .clips body)" '[]' "kind=chat: no chat clips yet"
is "$(hc "$U/api/clips?kind=Chat")" 400 "kind=Chat: 400"
is "$(jq -r .error body)" "kind: want audio, video or chat" "kind=Chat: the kinds there are"
is "$(hc "$U/api/clips?rating=unrated&sort=informative")" 200 "sort=informative: 200"
is "$(jq -r '[.clips[] | .id] | join(" ")' body)" "$(kc-db --db "$DB" list --json --sort informative | jq -r .id | paste -sd' ' -)" \
    "... the unrated clips in kc-db list --sort informative's order (the Rate tab's)"
is "$(hc "$U/api/clips?rating=rated&sort=informative")" 400 "sort=informative with rating=rated: 400"
is "$(hc "$U/api/clips?sort=score&limit=1")" 200 "the best clip"
is "$(jq -c '.clips[0] | [.id, .src]' body)" '[1,"/media/1/clip"]' "a clip's src is the URL of its row's file"

# --- 20 concurrent raters, and the CLI at the same time ----------------------------------
rm -f rater.*
for i in $(seq 3 22); do
	curl -sS --noproxy '*' -o /dev/null -w '%{http_code}\n' -X POST \
	    -H 'Content-Type: application/json' -d "{\"stars\":$((i % 5 + 1))}" \
	    "$U/api/clips/$i/rate" >"rater.$i" 2>&1 &
done
for i in $(seq 23 27); do
	kc-db --db "$DB" rate "$i" $((i % 5 + 1)) >"rater.$i" 2>&1 && echo cli-ok >>"rater.$i" &
done
wait_n=0
while [ "$(cat rater.* 2>/dev/null | grep -cE '^(200|cli-ok)$')" -lt 25 ] && [ $wait_n -lt 600 ]; do
	sleep 0.1
	wait_n=$((wait_n + 1))
done
is "$(cat rater.* | grep -c '^200$')" 20 "20 concurrent HTTP raters: 20 answers 200"
is "$(cat rater.* | grep -c '^cli-ok$')" 5 "5 kc-db rate at the same time: all succeed"
is "$(ratings)" 26 "26 ratings stored: 1 + 20 + 5, none lost, none twice"
is "$(sqlite3 "$DB" 'SELECT count(*) FROM (SELECT clip_id FROM ratings GROUP BY clip_id HAVING count(*) > 1)')" 0 \
    "no clip rated twice"
is "$(sqlite3 "$DB" 'SELECT count(*) FROM ratings WHERE clip_id BETWEEN 3 AND 27 AND stars = clip_id % 5 + 1')" 25 \
    "each clip has the stars its rater sent"

# --- undo: a rating taken back -------------------------------------------------------
# post PATH [BODY] : a JSON POST (body {} by default); prints the status
post() {
	local b=${2:-}
	hc -X POST -H 'Content-Type: application/json' -d "${b:-{\}}" "$U$1"
}
is "$(post /api/clips/2/rate '{"stars":2}')" 200 "clip 2 (rated 4) rated again: 2 stars"
is "$(sqlite3 "$DB" 'SELECT group_concat(stars) FROM ratings WHERE clip_id = 2')" "4,2" "its history: 4, 2"
is "$(post /api/clips/2/undo)" 200 "undo: 200"
is "$(jq -c '[.id, .rating, .src]' body)" '[2,4,"/media/2/clip"]' "the answer: the clip, back at 4 stars"
is "$(sqlite3 "$DB" 'SELECT group_concat(stars) FROM ratings WHERE clip_id = 2')" 4 "the history's last row is gone"
is "$(post /api/clips/2/undo)" 200 "undo again: 200"
is "$(jq -c .rating body)" null "... unrated now"
is "$(post /api/clips/2/undo)" 409 "undo with no rating left: 409"
is "$(jq -r .error body)" "clip 2 has no rating to take back" "... it says so"
is "$(post /api/clips/999/undo)" 404 "undo of no clip: 404"
is "$(post /api/clips/x/undo)" 400 "undo of clip x: 400"
is "$(hc "$U/api/clips/2/undo")" 405 "GET .../undo: 405"
is "$(hc -X POST -H 'Content-Type: text/plain' -d '{}' "$U/api/clips/3/undo")" 403 "undo as a text/plain body: 403"
is "$(post /api/clips/2/rate '{"stars":4}')" 200 "clip 2 rated 4 again"
is "$(ratings)" 26 "26 ratings, as before"

# --- stats and delete ---------------------------------------------------------------
is "$(hc "$U/api/stats")" 200 "GET /api/stats: 200"
is "$(jq -c '[.type, .clips, .rated]' body)" '["stats",47,26]' "stats: kc-db stats --json (47 clips, 26 rated)"
is "$(hc -X DELETE "$U/api/clips/30")" 200 "DELETE clip 30: 200"
ok "its file is gone" test ! -e clips/c30.mp4
is "$(sqlite3 "$DB" 'SELECT count(*) FROM clips WHERE id = 30')" 0 "its row is gone"
is "$(hc -X DELETE "$U/api/clips/30")" 404 "DELETE it again: 404"
is "$(hc -X DELETE "$U/api/clips/x")" 400 "DELETE clip x: 400"
is "$(hc -X POST -H 'Content-Type: application/json' -d '{}' "$U/api/clips/29")" 405 "POST to a clip: 405"
is "$(hc "$U/api/nothing")" 404 "an unknown API: 404"

# --- generate jobs --------------------------------------------------------------------
job() { hc -X POST -H 'Content-Type: application/json' -d "$1" "$U/api/jobs"; }
is "$(job '{}')" 400 "a job without url: 400"
is "$(job '{"url":"-x"}')" 400 "url starting with -: 400"
is "$(job "{\"url\":\"$f\",\"max_audio_clips\":0}")" 400 "max_audio_clips 0: 400"
is "$(job "{\"url\":\"$f\",\"max_video_clips\":26}")" 400 "max_video_clips 26: 400"
is "$(job "{\"url\":\"$f\",\"max_video_clips\":2.5}")" 400 "max_video_clips 2.5: 400"
is "$(job "{\"url\":\"$f\",\"clip_duration\":\"30\"}")" 400 "clip_duration as a string: 400"
is "$(job "{\"url\":\"$f\",\"type\":\"x\"}")" 400 "type x: 400"
is "$(jq -r .error body)" "type: want audio, video, chat, both or all" "type x: the types there are"
# a chat type passes: the request is refused only for what follows it
is "$(job "{\"url\":\"$f\",\"type\":\"chat\",\"max_chat_clips\":26}")" 400 "type chat, max_chat_clips 26: 400"
is "$(jq -r .error body)" "max_chat_clips: want an integer 1-25" "... for max_chat_clips"
is "$(job "{\"url\":\"$f\",\"type\":\"all\",\"max_chat_clips\":0}")" 400 "type all, max_chat_clips 0: 400"
is "$(jq -r .error body)" "max_chat_clips: want an integer 1-25" "... for max_chat_clips"
is "$(job "{\"url\":\"$f\",\"start_minute\":2,\"end_minute\":1}")" 400 "end before start: 400"
is "$(job "{\"url\":\"$f\",\"format\":\"square\"}")" 400 "format square: 400"
is "$(jq -r .error body)" "format: want landscape or vertical" "... the formats there are"
is "$(job "{\"url\":\"$f\",\"vertical\":\"fit\"}")" 400 "vertical without format vertical: 400"
for m in crop:-1 crop:x stack:1,2,3 stack:1,2,3,0 stack:1,2,3,4,5 fit:1 square '' 5; do
	is "$(job "{\"url\":\"$f\",\"format\":\"vertical\",\"vertical\":\"$m\"}")" 400 "vertical mode '$m': 400"
done
is "$(job "{\"url\":\"$f\",\"format\":\"vertical\",\"vertical\":7}")" 400 "vertical mode 7 (a number): 400"
is "$(job "{\"url\":\"$f\",\"analyse\":\"yes\"}")" 400 "analyse \"yes\": 400"
is "$(job "{\"url\":\"$f\",\"analyse\":true,\"format\":\"vertical\"}")" 400 "an analysis with a format: 400"
is "$(job "{\"url\":\"$f\",\"chat\":\"$T/no-such.chat.jsonl\"}")" 400 "a chat log that is not there: 400"
is "$(jq -r .error body)" "chat: $T/no-such.chat.jsonl: No such file or directory" "... saying so"
is "$(job "{\"url\":\"$f\",\"chat\":\"$T\"}")" 400 "a folder as the chat log: 400"
is "$(jq -r .error body)" "chat: $T: not a file" "... saying so"
is "$(job "{\"url\":\"$f\",\"chat\":\"-x\"}")" 400 "a chat log starting with -: 400"
is "$(job "{\"url\":\"$f\",\"chat\":7}")" 400 "a chat log that is a number: 400"
is "$(job "{\"url\":\"$f\",\"no_chat\":\"yes\"}")" 400 "no_chat \"yes\": 400"
is "$(job "{\"url\":\"$f\",\"chat\":\"$f\",\"no_chat\":true}")" 400 "a chat log and no chat: 400"
is "$(jq -r .error body)" "chat, no_chat: a chat log or no chat, not both" "... one or the other"
is "$(post /api/clips/999/vertical '{"vertical":"fit"}')" 404 "a 9:16 export of no clip: 404"
is "$(post /api/clips/1/vertical '{"vertical":"stack:1,2"}')" 400 "a 9:16 export in mode stack:1,2: 400"
is "$(post /api/clips/1/vertical '{"vertical":["fit"]}')" 400 "a 9:16 export in mode [\"fit\"]: 400"
is "$(hc "$U/api/clips/1/vertical")" 405 "GET .../vertical: 405"
is "$(post /api/jobs/1/cut '{"highlights":[]}')" 404 "a cut from no job: 404"
is "$(hc "$U/api/jobs")" 200 "GET /api/jobs: 200"
is "$(jq -c .jobs body)" '[]' "no job was started by the bad requests"

long=$(media main -d 600 --seed 1) || bail "cannot generate the 10-minute stream"
is "$(job "{\"url\":\"$long\",\"clip_duration\":20}")" 202 "a job on a 10-minute stream: 202"
J=$(jq -r .id body)
is "$(jq -r .status body)" running "it is running"
is "$(job "{\"url\":\"$f\"}")" 409 "a second job while one runs: 409"
is "$(post /api/clips/1/vertical '{"vertical":"fit"}')" 409 "a 9:16 export while it runs: 409"
n=0
until [ "$(hc "$U/api/jobs/$J")" = 200 ] && jq -e '.progress.done > 0' body >/dev/null || [ $n -ge 3000 ]; do
	sleep 0.1
	n=$((n + 1))
done
ok "progress records arrive while it runs" jq -e '.progress.total == 600 and .progress.speed > 0' body
is "$(listeners "$WPID")" "127.0.0.1:$PORT" "the running pipeline holds no listening socket"
is "$(hc -X POST -H 'Content-Type: application/json' -d '{}' "$U/api/jobs/$J/cancel")" 200 "cancel: 200"
n=0
until [ "$(hc "$U/api/jobs/$J")" = 200 ] && ! jq -e '.status == "running"' body >/dev/null || [ $n -ge 3000 ]; do
	sleep 0.1
	n=$((n + 1))
done
is "$(jq -r .status body)" cancelled "the job is cancelled"
is "$(sqlite3 "$DB" 'SELECT count(*) FROM clips')" 46 "nothing of the cancelled run is stored"
is "$(pgrep -f "kc-fetch.*$long" | wc -l)" 0 "no stage of the run is left"
is "$(hc "$U/api/jobs/99")" 404 "an unknown job: 404"
is "$(post "/api/jobs/$J/cut" '{"highlights":[{"i":0,"t0":1,"t1":9}]}')" 409 "a cut from a job that is no analysis: 409"

# --- two Generate jobs of different streams into the one clips folder -------------
# The second source is the first under another title: the same highlights,
# other bytes in every clip (its title tag).  Clips named in the seed's
# style alone took each other's names, so the second job replaced the
# first's files under rows (and ratings) that still named the first.
fb=$T/second.mp4
ffmpeg -nostdin -v error -y -i "$f" -map 0 -c copy -metadata title="Second stream" "$fb" ||
    bail "cannot remux the test stream"
# run_job SOURCE : a Generate job, waited for; its final state in body
run_job() {
	local id n=0
	job "{\"url\":\"$1\",\"max_audio_clips\":3,\"max_video_clips\":3}" >/dev/null
	id=$(jq -r .id body)
	until [ "$(hc "$U/api/jobs/$id")" = 200 ] && ! jq -e '.status == "running"' body >/dev/null ||
	    [ $n -ge 6000 ]; do
		sleep 0.1
		n=$((n + 1))
	done
}
# snap STREAM : the stream's rows (path, stream, t0, t1, rating)
snap() {
	sqlite3 "$DB" "SELECT path || '|' || stream_id || '|' || t0 || '|' || t1 || '|' ||
	    ifnull(rating, '-') FROM clips WHERE stream_id = '$1' ORDER BY id"
}
run_job "$f"
is "$(jq -r .status body)" done "Generate of the first stream: done"
jq -c '.clips[]' body >j1.clips
n1=$(wc -l <j1.clips)
cmp_ok "$n1" ">" 1 "Generate of the first stream: clips cut"
sA=$(jq -r .stream j1.clips | sort -u)
c1=$(sqlite3 "$DB" "SELECT min(id) FROM clips WHERE stream_id = '$sA'")
is "$(hc -X POST -H 'Content-Type: application/json' -d '{"stars":5}' "$U/api/clips/$c1/rate")" 200 \
    "a rating of one of its clips between the jobs: 200"
snap "$sA" >a.rows
sqlite3 "$DB" "SELECT path FROM clips WHERE stream_id = '$sA'" | xargs -d '\n' md5sum >a.md5
is "$(wc -l <a.rows) $(grep -c '|5$' a.rows)" "$n1 1" "the first stream: $n1 rows, one rated"
run_job "$fb"
is "$(jq -r .status body)" done "Generate of the second stream into the same folder: done"
jq -c '.clips[]' body >j2.clips
sB=$(jq -r .stream j2.clips | sort -u)
isnt "$sB" "$sA" "the second stream has an id of its own"
is "$(jq -c '[.want_t0, .kind]' j2.clips)" "$(jq -c '[.want_t0, .kind]' j1.clips)" \
    "the second job found the same highlights"
ok "every file of the first job is as it was (md5)" md5sum --quiet -c a.md5
is "$(snap "$sA")" "$(cat a.rows)" "the first stream's rows (path, stream, t0, t1, rating) are as they were"
is "$(snap "$sB" | cut -d'|' -f1 | sort | paste -sd' ')" "$(jq -r .path j2.clips | sort | paste -sd' ')" \
    "the second stream has a row for each of its clips"
is "$(sort -u <(jq -r .path j1.clips) <(jq -r .path j2.clips) | wc -l)" "$((2 * n1))" \
    "no clip path is shared between the jobs"
# the API's view: every clip of the two streams, served from its own file
is "$(hc "$U/api/clips?limit=1000")" 200 "GET /api/clips: 200"
jq -c --arg a "$sA" --arg b "$sB" '.clips[] | select(.stream == $a or .stream == $b)' body >both.clips
is "$(wc -l <both.clips)" "$((2 * n1))" "the API lists the clips of both streams"
is "$(jq -r 'select(.rating != null) | "\(.id) \(.rating) \(.stream)"' both.clips)" "$c1 5 $sA" \
    "the API: the rating is still the first stream's clip's"
bad=0
while read -r rec; do
	src=$(jq -r .src <<<"$rec") path=$(jq -r .path <<<"$rec") title=$(jq -r .title <<<"$rec")
	code=$(hc "$U$src")
	tag=$(ffprobe -v error -show_entries format_tags=title -of csv=p=0 body)
	if [ "$code" != 200 ] || ! cmp -s body "$path" || [ "$tag" != "$title" ]; then
		bad=$((bad + 1))
		diag "$src: HTTP $code, title tag '$tag', the API says '$title'"
	fi
done <both.clips
is "$bad" 0 "the API: each clip's file, served, is the video of the clip's stream (title tag)"

# a chat clip (kc-score --type chat) is listed by its kind and counted
printf 'chat\n' >clips/chat1.mp4
printf '{"type":"clip","path":"%s","kind":"chat","t0":40,"t1":70,"score":0.66}\n' "$T/clips/chat1.mp4" |
    kc-db --db "$DB" add -q || bail "cannot add a chat clip"
is "$(hc "$U/api/clips?kind=chat")" 200 "kind=chat with a chat clip: 200"
is "$(jq -c '[.clips[] | [.kind, .score, (.src | test("^/media/[0-9]+/clip$"))]]' body)" '[["chat",0.66,true]]' \
    "kind=chat: the chat clip, with its file's URL"
is "$(hc "$U/api/stats")" 200 "stats with a chat clip: 200"
is "$(jq -c '.kinds.chat | [.clips, .rated]' body)" '[1,0]' "stats: the chat clip counted in its kind"

# --- analyse, pick, nudge, cut ----------------------------------------------------------
# wait_job ID : until the job is no longer running; its state in body
wait_job() {
	local n=0
	until [ "$(hc "$U/api/jobs/$1")" = 200 ] && ! jq -e '.status == "running"' body >/dev/null ||
	    [ $n -ge 6000 ]; do
		sleep 0.1
		n=$((n + 1))
	done
}
before=$(sqlite3 "$DB" 'SELECT count(*) FROM clips')
is "$(job "{\"url\":\"$f\",\"analyse\":true,\"clip_duration\":8,\"min_gap\":5,\"max_audio_clips\":3,\"max_video_clips\":3}")" \
    202 "an analysis alone: 202"
A=$(jq -r .id body)
is "$(jq -r .kind body)" analyse "... a job of kind analyse"
wait_job "$A"
is "$(jq -r .status body)" done "the analysis is done"
jq -c . body >analysis.json
is "$(jq -c '[.clips[] | .type] | unique' analysis.json)" '["highlight"]' "it has highlights, no clips"
is "$(jq '.clips | length' analysis.json)" 6 "6 highlights (3 audio, 3 video)"
is "$(jq -c '[.clips[] | .i]' analysis.json)" '[0,1,2,3,4,5]' "numbered 0-5"
is "$(jq -c '[.clips[] | has("features")] | unique' analysis.json)" '[false]' "shown without their features"
is "$(jq -r '.stream.type' analysis.json)" stream "and the stream record"
is "$(jq '.curves | length' analysis.json)" 2 "and the timeline's curves"
is "$(sqlite3 "$DB" 'SELECT count(*) FROM clips')" "$before" "an analysis stores nothing"
ls clips >clips.before
for b in '{}' '{"highlights":[]}' '{"highlights":{"i":0}}' '{"highlights":[{"i":6,"t0":1,"t1":9}]}' \
    '{"highlights":[{"i":-1,"t0":1,"t1":9}]}' '{"highlights":[{"i":0.5,"t0":1,"t1":9}]}' \
    '{"highlights":[{"i":"0","t0":1,"t1":9}]}' '{"highlights":[{"i":0,"t0":5,"t1":5}]}' \
    '{"highlights":[{"i":0,"t0":9,"t1":1}]}' '{"highlights":[{"i":0,"t0":-1,"t1":5}]}' \
    '{"highlights":[{"i":0,"t0":100,"t1":125}]}' '{"highlights":[{"i":0,"t0":1}]}' \
    '{"highlights":[{"i":0,"t0":1,"t1":9},{"i":0,"t0":2,"t1":9}]}' \
    '{"highlights":[{"i":0,"t0":1,"t1":9}],"format":"vertical","vertical":"stack:1"}' \
    '{"highlights":[0,1,2,3,4,5,6]}'; do
	is "$(post "/api/jobs/$A/cut" "$b")" 400 "cut $b: 400" || diag "$(cat body)"
done
is "$(sqlite3 "$DB" 'SELECT count(*) FROM clips') $(ls clips | cmp -s - clips.before && echo same)" \
    "$before same" "no bad cut ran: nothing stored, no file made"
# three of the six, each nudged: a start a second later, an end a second
# earlier, a start moved back by 1.5 s
picks=$(jq -c '.clips | [.[1], .[3], .[4]] | [
    {i: .[0].i, t0: (.[0].t0 + 1), t1: .[0].t1},
    {i: .[1].i, t0: .[1].t0, t1: (.[1].t1 - 1)},
    {i: .[2].i, t0: ([.[2].t0 - 1.5, 0] | max), t1: .[2].t1}]' analysis.json)
is "$(post "/api/jobs/$A/cut" "{\"highlights\":$picks}")" 202 "cut 3 of the 6, nudged: 202"
C=$(jq -r .id body)
is "$(jq -c '[.kind, .analysis]' body)" "[\"cut\",$A]" "a job of kind cut, of the analysis"
wait_job "$C"
is "$(jq -r .status body)" done "the cut is done" || diag "$(jq -c .log body)"
jq -c '.clips[]' body >cut.clips
is "$(wc -l <cut.clips)" 3 "it made 3 clips"
is "$(sqlite3 "$DB" 'SELECT count(*) FROM clips')" "$((before + 3))" "exactly 3 clips stored"
is "$(jq -c -s 'map([.want_t0, .want_t1]) | sort' cut.clips)" "$(jq -c 'map([.t0, .t1]) | sort' <<<"$picks")" \
    "at the nudged times (want_t0, want_t1)"
is "$(sqlite3 "$DB" "SELECT count(*) FROM clips WHERE id IN ($(jq -r .id cut.clips | paste -sd,))")" 3 \
    "the job's clips are the stored ones"
is "$(jq -c -s 'map((.src | test("^/media/[0-9]+/clip$")) and (.poster_src != null) and (.strip_src != null)) | unique' cut.clips)" \
    '[true]' "each with its file's, poster's and strip's URLs"
c1=$(head -1 cut.clips | jq -r .id)
is "$(hc "$U/media/$c1/poster")" 200 "a cut clip's poster: 200"
is "$(hdr Content-Type)" image/jpeg "... a JPEG"
is "$(hc "$U/media/$c1/strip")" 200 "its hover strip: 200"
is "$(jq -r .strip_frames <(head -1 cut.clips))" 8 "the strip has 8 frames (strip_frames)"
is "$(post "/api/jobs/$A/cut" "{\"highlights\":$picks}")" 202 "the same cut again: 202"
wait_job "$(jq -r .id body)"
is "$(jq -r .status body)" done "... done"
is "$(sqlite3 "$DB" 'SELECT count(*) FROM clips')" "$((before + 3))" "... no clip stored twice"

# --- the chat: the log beside the file, one named, or none ----------------------------------
mkdir -p chatty
cp "$f" chatty/talk.mp4
for t in 5 6 7 8 9 40 41 42; do printf '{"t": %d, "user": "u%d", "text": "KEKW"}\n' "$t" "$t"; done \
    >chatty/talk.chat.jsonl
cp chatty/talk.chat.jsonl chatty/named.jsonl
chat_of() {	# OPTIONS: "HTTP-CODE STATUS CHAT" of an analysis (CHAT: the stream
		# record's "chat", empty when no kc-chatfeat ran)
	local code
	code=$(job "{\"url\":\"$T/chatty/talk.mp4\",\"analyse\":true,\"type\":\"audio\",\"max_audio_clips\":1$1}")
	[ "$code" = 202 ] && wait_job "$(jq -r .id body)"
	printf '%s %s\n' "$code" "$(jq -r '[.status, .stream.chat] | join(" ")' body)"
}
is "$(chat_of '')" "202 done file" "an analysis reads the chat log beside the file"
is "$(chat_of ',"no_chat":true')" "202 done " "with no_chat none (kc-clip --no-chat)"
rm chatty/talk.chat.jsonl
is "$(chat_of '')" "202 done " "no log beside it: no chat"
is "$(chat_of ",\"chat\":\"$T/chatty/named.jsonl\"")" "202 done file" "with chat naming a log: that one (kc-clip --chat)"

# --- Generate in 9:16 too ------------------------------------------------------------------
is "$(job "{\"url\":\"$f\",\"type\":\"video\",\"max_video_clips\":1,\"clip_duration\":5,\"end_minute\":1,\"format\":\"vertical\",\"vertical\":\"crop\"}")" \
    202 "a job with format vertical, mode crop: 202"
wait_job "$(jq -r .id body)"
is "$(jq -r .status body)" done "... done" || diag "$(jq -c .log body)"
is "$(jq '.clips | length' body)" 1 "... one clip"
vp=$(jq -r '.clips[0].vertical_path' body)
like "$vp" '\.vertical\.mp4$' "... with its 9:16 copy (vertical_path)"
is "$(jq -r '.clips[0].vertical_mode' body)" crop "... made by cropping (kc-clip was given the mode)"
is "$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$vp")" 1080,1920 \
    "... 1080x1920"
vs=$(jq -r '.clips[0].vertical_src' body)
vid=$(jq -r '.clips[0].id' body)
is "$(sqlite3 "$DB" "SELECT vertical_path FROM clips WHERE id = $vid")" "$vp" "... recorded in the database"
is "$(hc -H 'Range: bytes=0-99' "$U$vs")" 206 "... served at its vertical_src, with Range"

web_stop
is "$WRC" 0 "SIGTERM: kc-web stops with exit 0"

# --- a live stream's clips, shown while it airs ---------------------------------------------
# kickserver.py airs a 2-minute stream with events at 20, 38, 71 and 98 s
# as a Kick channel (kick_airing: yt-dlp blocked, Kick's API), at 6x
# speed.  kc-clip reports its clips when the run ends; the job shows each
# as soon as kc-db add has stored it, while the later events still air.
saved_api=${KC_KICK_API-}
kick_airing "$T" 6 || bail "cannot air the live channel"
ok "a kc-web for the live stream starts" web_start live-web.log --listen 127.0.0.1:0 --db "$T/live.db" \
    --clips "$T/live-clips" || bail "kc-web did not start: $(cat live-web.log)"
is "$(job '{"url":"https://kick.com/airing","clip_duration":10}')" 202 "a job on the live channel: 202"
L=$(jq -r .id body)
# each look: status, clips shown, clips stored
n=0
: >live.looks
while [ $n -lt 3000 ]; do
	hc "$U/api/jobs/$L" >/dev/null
	printf '%s %s %s\n' "$(jq -r .status body)" "$(jq -r .clips_n body)" \
	    "$(sqlite3 live.db 'SELECT count(*) FROM clips' 2>/dev/null || echo 0)" >>live.looks
	jq -e '.status == "running"' body >/dev/null || break
	sleep 0.2
	n=$((n + 1))
done
is "$(jq -r .status body)" done "the live job is done when the stream ends" || diag "$(jq -c .log body)"
cmp_ok "$(jq -r .clips_n body)" ">=" 1 "it cut clips ($(jq -r .clips_n body))"
cmp_ok "$(awk '$1 == "running" && $2 > 0' live.looks | wc -l)" ">" 0 \
    "a clip was shown while the job still ran (the stream airing)" || diag "$(uniq -c live.looks)"
is "$(jq -c '[.clips[] | .id] | sort' body)" "$(sqlite3 -json live.db 'SELECT id FROM clips ORDER BY id' | jq -c 'map(.id)')" \
    "at the end the job shows each stored clip once"
is "$(jq -c '[.clips[] | .src | test("^/media/[0-9]+/clip$")] | unique' body)" '[true]' "each playable"
web_stop
kick_stop
export KC_KICK_API=$saved_api
unset KC_YTDLP

# --- the default listen address -----------------------------------------------------------
# 7860 is shared by every run of this test (plain, ASan): one at a time
exec 8>"${TMPDIR:-/tmp}/kc-web-7860.lock"
flock -w 120 8 || bail "cannot lock the default port"
if ss -ltnH | awk '{ print $4 }' | grep -q ':7860$'; then
	skip "port 7860 is in use by another program"
	skip "port 7860 is in use by another program"
else
	mkdir -p d
	if (cd d && web_start ../d.log && listeners "$WPID" >../d.listen && web_stop); then :; fi
	is "$(cat d.listen)" "127.0.0.1:7860" "without --listen: only 127.0.0.1:7860"
	ok "and output_clips in the current folder by default (the database is the XDG one)" test -d d/output_clips
fi
flock -u 8

done_testing
