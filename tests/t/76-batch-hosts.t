#!/bin/bash
# 76-batch-hosts.t - scripts/kc-batch over SSH (issue 14): a real sshd on
# 127.0.0.1 (a free port, a host key and authorized_keys of the test's
# own) stands for two hosts, two Host aliases of a private ssh config on
# two ports of it, each with a home folder of its own and the short PATH
# of an ssh session; with ":" (this machine) they run a batch of five
# generated streams (an odd name, a path with a space, a file:// URL, a
# broken file).  Checked: every good stream's clips and rows arrive in
# the coordinator's one database, paths pointing at the gathered files,
# with the whole job folder; the jobs ran on all three and ignored every
# config file; the broken one is reported with its stage's message; a
# rerun runs only the broken one again and adds no row or file, and a
# job gathered twice adds nothing and leaves the ratings alone; hosts
# score with the coordinator's model; a batch killed midway and run
# again completes without duplicates; a host without kc is said so, and
# --prefix finds it.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$KC_ROOT/tests/lib/media.sh"

[ -x /usr/sbin/sshd ] || skip_all "no /usr/sbin/sshd (Debian: openssh-server)"
need parallel
need ssh ssh-keygen rsync python3 sqlite3 jq ffmpeg ffprobe sha1sum pgrep
[ -x "$KC_BIN/kc-clip" ] || skip_all "kc-clip not built"

unset KC_DB KC_MODEL KC_CONFIG KC_WEIGHTS KC_DATADIR PARALLEL
cd "$T" || bail "cannot cd to $T"
T=$(pwd -P)
BATCH=$KC_ROOT/scripts/kc-batch
# this machine's config folder is the test's own, even outside tests/run
export XDG_CONFIG_HOME=$T/.config

# --- the hosts: one sshd, two ports, two homes ---------------------------
S=$T/ssh
rm -rf "$S" "$T/hosta" "$T/hostb" && mkdir -p "$S" "$T/hosta" "$T/hostb" ||
    bail "cannot make $S"
ssh-keygen -q -t ed25519 -N '' -C kc-test-host -f "$S/host_key" &&
    ssh-keygen -q -t ed25519 -N '' -C kc-test-user -f "$S/user_key" &&
    cp "$S/user_key.pub" "$S/authorized_keys" ||
    bail "cannot make the keys"
printf 'kc-test-sshd %s\n' "$(cat "$S/host_key.pub")" >"$S/known_hosts"
# root's sshd wants its privilege separation folder
[ "$(id -u)" != 0 ] || mkdir -p /run/sshd || bail "cannot make /run/sshd"

sshd_pid=
batch_pid=
cleanup() {
	[ -z "$batch_pid" ] || kill -TERM "$batch_pid" 2>/dev/null
	if [ -n "$sshd_pid" ]; then
		pkill -TERM -P "$sshd_pid" 2>/dev/null	# its sessions
		kill -TERM "$sshd_pid" 2>/dev/null
		wait "$sshd_pid" 2>/dev/null
	fi
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# start_sshd : sshd on two free ports P1 (hosta) and P2 (hostb); another
# pair when one was taken in between
start_sshd() {
	local i
	for _ in 1 2 3 4 5; do
		P1=$(free_port) P2=$(free_port)
		[ "$P1" != "$P2" ] || continue
		# each alias a host of its own (an sshd not run as root logs
		# in only as its own user): its own HOME, its own working
		# folder (sshd starts a session in the passwd home, whatever
		# HOME says: ForceCommand moves it), and an ssh session's
		# short PATH (no kc on it)
		cat >"$S/sshd_config" <<-EOF
		ListenAddress 127.0.0.1
		Port $P1
		Port $P2
		HostKey $S/host_key
		PidFile none
		AuthorizedKeysFile $S/authorized_keys
		UsePAM no
		StrictModes no
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		PermitRootLogin prohibit-password
		AllowUsers $(id -un)
		X11Forwarding no
		PrintMotd no
		Match LocalPort $P1
		  SetEnv HOME=$T/hosta PATH=/usr/bin:/bin
		  ForceCommand cd "\$HOME" && exec "\$SHELL" -c "\$SSH_ORIGINAL_COMMAND"
		Match LocalPort $P2
		  SetEnv HOME=$T/hostb PATH=/usr/bin:/bin
		  ForceCommand cd "\$HOME" && exec "\$SHELL" -c "\$SSH_ORIGINAL_COMMAND"
		EOF
		/usr/sbin/sshd -f "$S/sshd_config" -D -e 2>"$S/sshd.log" &
		sshd_pid=$!
		for i in $(seq 600); do
			[ "$(grep -c 'Server listening on 127.0.0.1 port' "$S/sshd.log")" -lt 2 ] || return 0
			kill -0 "$sshd_pid" 2>/dev/null || break
			! grep -q "Bind to port" "$S/sshd.log" || break
			sleep 0.1
		done
		kill "$sshd_pid" 2>/dev/null
		wait "$sshd_pid" 2>/dev/null
		sshd_pid=
	done
	return 1
}
start_sshd || bail "sshd does not start: $(tail -n 3 "$S/sshd.log")"
cat >"$S/ssh_config" <<EOF
Host hosta
  Port $P1
Host hostb
  Port $P2
Host hosta hostb
  HostName 127.0.0.1
  User $(id -un)
  IdentityFile $S/user_key
  IdentitiesOnly yes
  HostKeyAlias kc-test-sshd
  UserKnownHostsFile $S/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  PasswordAuthentication no
  ConnectTimeout 30
  LogLevel ERROR
EOF
SSH="ssh -F $S/ssh_config"
for h in hosta hostb; do
	run $SSH "$h" 'pwd; echo "$PATH"'
	is "$RC.$(printf '%s' "$OUT" | head -n 1)" "0.$T/$h" "ssh $h: logs in, in its own folder" ||
	    bail "ssh $h does not work: $ERR"
done
is "$(printf '%s' "$OUT" | tail -n 1)" "/usr/bin:/bin" "an ssh session's PATH has no kc on it"

# every config file a job could read is one kc refuses: the jobs must
# read none (the hosts' own, and this machine's)
for d in "$T/hosta/.config/kc" "$T/hostb/.config/kc" "$XDG_CONFIG_HOME/kc"; do
	mkdir -p "$d" && printf 'no-such-key = 1\n' >"$d/config"
done

# --- the streams -----------------------------------------------------------
m1=$(media b60 -d 60 -n 2 --seed 2 --size 320x180 --preset ultrafast) &&
    m2=$(media c60 -d 60 -n 2 --seed 3 --size 320x180 --preset ultrafast) &&
    m3=$(media d60 -d 60 -n 2 --seed 4 --size 320x180 --preset ultrafast) &&
    m4=$(media e60 -d 60 -n 2 --seed 5 --size 320x180 --preset ultrafast) ||
    bail "cannot generate the test streams"
mkdir -p "in dir" odd
link() { ln -f "$1" "$2" 2>/dev/null || cp "$1" "$2"; }
U1=$m1
U2="$T/in dir/c 60.mp4" && link "$m2" "$U2"
U3="$T/odd/x; \$(touch pwned) 'q\" \`touch pwned2\`.mp4" && link "$m3" "$U3"
U4=file://$m4
U5=$T/broken.mp4
head -c 200000 /dev/urandom >"$U5"
GOOD=("$U1" "$U2" "$U3" "$U4")
printf '# five streams, the broken one last\n%s\n\n%s\n%s\n%s\n%s\n' \
    "$U1" "$U2" "$U3" "$U4" "$U5" >urls.txt

# --- helpers -----------------------------------------------------------------
ARGS=(-d 10 -g 5 -a 1 -v 1)
# batch OUT DB [OPTION...] : kc-batch on ":", hosta and hostb with this
# test's list; sets RC, OUT_, ERR_
batch() {
	local out=$1 db=$2
	shift 2
	"$BATCH" -S :,hosta,hostb --ssh "$SSH" --env PATH -o "$out" --db "$db" \
	    "$@" urls.txt -- "${ARGS[@]}" >batch.out 2>batch.err </dev/null
	RC=$?
	OUT_=$(cat batch.out) ERR_=$(cat batch.err)
}
id() { printf '%s' "$1" | sha1sum | cut -c1-12; }
sql() { sqlite3 "$1" "$2"; }
rows() { sql "$1" 'SELECT count(*) FROM clips'; }
# clips DIR : the clip files under DIR (not a clip's vertical copy)
clips() { find "$1" -name '*.mp4' ! -name '*.vertical.mp4' | sort; }
files() { find "$1" -type f ! -path '*/.kc-batch/*' | sort; }
joblines() { tail -n +2 "$1/.kc-batch/joblog" | grep -c . || true; }
# real PATH : the path the stream record names (kc-fetch: symlinks resolved)
real() { realpath -- "$1"; }
no_pwned() { [ -z "$(find "$T" "$KC_ROOT" -maxdepth 3 -name 'pwned*' 2>/dev/null)" ]; }
running() { pgrep -f -- "--generate-clips --quiet --no-config --json --out $T/" >/dev/null; }

# --- usage ---------------------------------------------------------------------
run "$BATCH" --help
is "$RC" 0 "--help: exit 0"
like "$OUT" '^usage: kc-batch ' "--help: usage"
like "$OUT" 'exit status: 0 ' "--help: documents the exit status"
run "$BATCH"
is "$RC" 2 "no URLS: usage error"
like "$ERR" '^kc-batch: no URLS file' "... said"
run "$BATCH" --bogus urls.txt
is "$RC.$ERR" "2.kc-batch: unknown option '--bogus'
usage: kc-batch [options] URLS [-- KC-CLIP-OPTIONS...]" "an unknown option: usage error"
run "$BATCH" -j 0 urls.txt
like "$RC.$ERR" "^2\.kc-batch: -j: '0' out of range" "-j 0: usage error naming the flag and value"
run "$BATCH" urls.txt -- --db x.db
like "$RC.$ERR" "^2\.kc-batch: kc-clip's --db is kc-batch's to set" "kc-clip's --db refused"
run "$BATCH" -o "$T/none" "$T/no-such-list"
like "$RC.$ERR" "^1\.kc-batch: $T/no-such-list: cannot read the list" "a missing list: exit 1"

# --- first run -----------------------------------------------------------------
BO=$T/batch1 DB=$T/kc.db	# the batch folder, the coordinator's database
batch "$BO" "$DB"
is "$RC" 1 "first run: exit 1 (one URL failed)" || diag "$ERR_"
is "$OUT_" "" "nothing on stdout"
like "$ERR_" "kc-batch: 5 URLs: 4 done, 1 not done; clips in $BO, records in $DB" "the closing line"
hosts=$(tail -n +2 "$BO/.kc-batch/joblog" | cut -f2 | sort -u | paste -sd' ')
for h in : hosta hostb; do
	like " $hosts " " $h " "jobs ran on $h (job log hosts: $hosts)"
done

nfiles=0
for u in "${GOOD[@]}"; do
	d=$BO/$(id "$u")
	ok "$u: gathered into OUT/ID" test -e "$d/.gathered"
	n=$(clips "$d" | wc -l)
	cmp_ok "$n" ">" 0 "$u: clips in its folder ($n)"
	nfiles=$((nfiles + n))
	is "$(sql "$DB" "SELECT path FROM clips WHERE path LIKE '$d/%'" | sort)" "$(clips "$d")" \
	    "$u: its rows are its clip files here"
	# the whole folder comes back: what kc-cut writes beside a clip too
	ok "$u: the job's log, database, records and highlights came with them" \
	    test -e "$d/log" -a -s "$d/job.db" -a -s "$d/clips.jsonl" -a \
	    -n "$(find "$d" -name 'highlights_*.json')"
	is "$(grep -c . "$d/log")" 0 "$u: the job's log is empty (no config read, no warning)" ||
	    diag "$(cat "$d/log")"
done
case $U4 in file://*) p4=${U4#file://} ;; esac
is "$(sql "$DB" 'SELECT url FROM streams ORDER BY url' | paste -sd'|')" \
    "$(for f in "$U1" "$U2" "$U3" "$p4"; do real "$f"; done | sort | paste -sd'|')" \
    "the streams' URLs are the files here, wherever they were analysed"
is "$(sql "$DB" 'SELECT count(DISTINCT stream_id) FROM stream_stats')" 4 \
    "each stream's feature statistics came too"
ok "the channel statistics are in the coordinator's model folder" test -s "$DB.model/channels.json"
is "$(rows "$DB")" "$nfiles" "database rows equal the clip files ($nfiles)"
# every file a row names (the clip, its poster, its vertical copy) is a
# gathered one
paths=$(kc-db --no-config --db "$DB" list --json |
    jq -r '.path, .poster, .vertical_path | strings')
is "$(printf '%s\n' "$paths" | while IFS= read -r f; do
	case $f in "$BO"/*) [ -s "$f" ] || echo "missing: $f" ;; *) echo "elsewhere: $f" ;; esac
done)" "" "every file the rows name is in the batch folder ($(printf '%s\n' "$paths" | grep -c .))"
if kc-clip --help | grep -q -- --no-poster; then
	is "$(sql "$DB" 'SELECT count(*) FROM clips WHERE poster IS NULL')" 0 \
	    "every clip's poster came with it"
else
	skip "kc-clip makes no posters"
fi
is "$(clips "$BO" | wc -l)" "$nfiles" "no other clip file in the batch folder"
is "$(sql "$DB" 'SELECT count(*) FROM clips WHERE model IS NOT NULL')" 0 \
    "no model yet: heuristic scores"
is "$(find "$T/hosta" "$T/hostb" -name '*.mp4' | wc -l)" 0 "the hosts' job folders are cleaned up"
ok "odd name: no file pwned anywhere" no_pwned

# the broken one, reported with its stage's message
d5=$BO/$(id "$U5")
like "$ERR_" "kc-batch: $U5: failed on (this machine|hosta|hostb) \(exit 1\): kc-fetch: [^ ]*broken\.mp4: [^ ].*" \
    "the broken file: reported with kc-fetch's message"
like "$ERR_" "kc-batch: not done: $U5 \(last tried on (this machine|hosta|hostb): exit 1; $d5\)" \
    "... and listed as not done, with its last try"
ok "the broken file: no .done" test ! -e "$d5/.done"
tries=$(awk -F'\t' -v s=5 '$1 == s' "$BO/.kc-batch/joblog" | wc -l)
is "$tries" 1 "the broken file: one job log line (its tries are --retries')"

# --- a rerun: only the broken one, nothing added ------------------------------------
# five ratings: the model is trained (kc-db rate retrains every 5;
# KC_CONFIG: its kc-db export would read the config file above)
for i in 1 2 3 4 5; do
	KC_CONFIG=/dev/null kc-db --no-config --db "$DB" rate "$i" "$i" >/dev/null 2>&1 ||
	    fail "rate clip $i"
done
ok "five ratings made a model" test -s "$DB.model/model.json"
ratings=$(sql "$DB" 'SELECT clip_id, stars, created FROM ratings ORDER BY id')
before=$(files "$BO" | grep -v "^$d5/") nrows=$(rows "$DB") nlog=$(joblines "$BO")
# a job gathered again adds nothing
rm -f "$BO/$(id "$U1")/.gathered"
batch "$BO" "$DB"
is "$RC" 1 "rerun: exit 1 (the broken one again)"
like "$ERR_" "kc-batch: $U5: failed on (this machine|hosta|hostb) \(exit 1\): kc-fetch: [^ ]*broken\.mp4: " \
    "rerun: the broken one tried and reported again"
like "$ERR_" "5 URLs, 1 to run" "rerun: only one to run"
is "$(tail -n +$((nlog + 2)) "$BO/.kc-batch/joblog" | cut -f1 | sort -u | paste -sd' ')" 5 \
    "rerun: the job log has lines for the broken one only"
like "$ERR_" "kc-db: added 0 clips \([0-9]+ already known\)" "a job gathered twice adds no clip"
is "$(rows "$DB")" "$nrows" "rerun: no new rows"
is "$(files "$BO" | grep -v "^$d5/" | grep -v '/\.records\.jsonl$')" \
    "$(printf '%s\n' "$before" | grep -v '/\.records\.jsonl$')" "rerun: no new file"
is "$(sql "$DB" 'SELECT clip_id, stars, created FROM ratings ORDER BY id')" "$ratings" \
    "rerun: the ratings are untouched"
ok "rerun: still no file pwned" no_pwned

# --- killed midway, then run again ----------------------------------------------------
# three good streams on the three hosts, killed when the first is done
BO2=$T/batch2 DB2=$T/kc2.db
KILLED=("$U2" "$U3" "$U4")
printf '%s\n' "${KILLED[@]}" >kill.txt
# the model, given by path (--model): a copy of the one just trained
mkdir -p "$T/model" && cp "$DB.model/model.json" "$T/model/"
BATCH2=("$BATCH" -S ":,hosta,hostb" --ssh "$SSH" --env PATH -o "$BO2" --db "$DB2"
    --model "$T/model" kill.txt -- "${ARGS[@]}")
"${BATCH2[@]}" >kill.out 2>kill.err </dev/null &
batch_pid=$!
# the event: a job finished (its line in the job log); a bound, not a wait
for i in $(seq 3000); do
	[ "$(joblines "$BO2" 2>/dev/null)" -lt 1 ] || break
	kill -0 "$batch_pid" 2>/dev/null || break
	sleep 0.1
done
cmp_ok "$(joblines "$BO2")" ">=" 1 "kill: a job had finished"
kill -TERM "$batch_pid"
wait "$batch_pid"
RC=$?
batch_pid=
is "$RC" 143 "kill: kc-batch exits 143 on SIGTERM"
like "$(cat kill.err)" "kc-batch: stopped by SIGTERM; the same command resumes" "kill: says so"
diag "done when killed: $(find "$BO2" -name .done | wc -l) of 3"
for i in $(seq 600); do running || break; sleep 0.1; done
ok "kill: no kc-clip of the batch left running, here or on the hosts" eval '! running'

"${BATCH2[@]}" >batch.out 2>batch.err </dev/null
RC=$? ERR_=$(cat batch.err)
is "$RC" 0 "kill, rerun: exit 0" || diag "$ERR_"
like "$ERR_" "kc-batch: 3 URLs: 3 done;" "kill, rerun: the batch completed"
n2=0
for u in "${KILLED[@]}"; do
	d=$BO2/$(id "$u")
	n=$(clips "$d" | wc -l)
	n2=$((n2 + n))
	is "$n" "$(clips "$BO/$(id "$u")" | wc -l)" "kill, rerun: $u: as many clips as the first batch"
	is "$(sql "$DB2" "SELECT path FROM clips WHERE path LIKE '$d/%'" | sort)" "$(clips "$d")" \
	    "kill, rerun: $u: its rows are its clip files"
done
is "$(rows "$DB2")" "$n2" "kill, rerun: rows equal the clip files, no duplicate ($n2)"
is "$(sql "$DB2" 'SELECT count(*) FROM (SELECT 1 FROM clips GROUP BY stream_id, kind, want_t0
    HAVING count(*) > 1)')" 0 "kill, rerun: no clip of a moment twice"
is "$(sql "$DB2" 'SELECT count(DISTINCT stream_id) FROM clips')" 3 "kill, rerun: three streams"
is "$(sql "$DB2" 'SELECT count(*) FROM clips WHERE model IS NULL OR model_weight = 0')" 0 \
    "the hosts scored with the coordinator's model (--model)"

# --- a host without kc, then with --prefix ---------------------------------------------------
# (the broken file: the quickest job)
printf '%s\n' "$U5" >one.txt
run "$BATCH" -S hostb --ssh "$SSH" --retries 1 -o "$T/batch3" --db "$T/kc3.db" one.txt
is "$RC" 1 "no kc on the host: exit 1"
like "$ERR" "failed on hostb \(exit 127\): kc-clip not found on hostb \(PATH=/usr/bin:/bin\): install kc there, or give kc-batch --prefix or --env PATH" \
    "no kc on the host: said, with the way out"
# with --prefix, in the same folder with another list: a short clip of
# one stream, and its vertical copy when kc-clip makes them (the file
# beside the clip comes back with it); the URL no longer listed is not
# run
prefix=${KC_BIN%/bin}
if [ "$prefix/bin" = "$KC_BIN" ]; then
	printf '%s\n' "$U1" >one.txt
	vert=()
	! kc-clip --help | grep -q -- '--format FORMAT' || vert=(--format vertical)
	run "$BATCH" -S hostb --ssh "$SSH" --prefix "$prefix" -o "$T/batch3" \
	    --db "$T/kc3.db" one.txt -- -t audio -a 1 -d 5 "${vert[@]}"
	is "$RC" 0 "--prefix: kc-clip found on the host" || diag "$ERR"
	is "$(rows "$T/kc3.db")" 1 "--prefix: its clip gathered"
	unlike "$ERR" "broken\.mp4" "a URL taken out of the list is not run again"
	if [ ${#vert[@]} -gt 0 ]; then
		v=$(sql "$T/kc3.db" 'SELECT vertical_path FROM clips')
		like "$v" "^$T/batch3/$(id "$U1")/[^/]+\.vertical\.mp4\$" \
		    "--format vertical: the vertical copy's row names the gathered file"
		ok "--format vertical: the vertical copy came back" test -s "$v"
	else
		skip "kc-clip makes no vertical copies"
		skip "kc-clip makes no vertical copies"
	fi
else
	for _ in 1 2 3 4 5; do skip "KC_BIN ($KC_BIN) is not PREFIX/bin"; done
fi

# --- partly done: not a failure to retry -------------------------------------------------------
# a kc-clip that does its work and then says some cuts failed (exit 3)
mkdir -p "$T/partly/bin"
printf '#!/bin/sh\n"%s/kc-clip" "$@" || exit\nexit 3\n' "$KC_BIN" >"$T/partly/bin/kc-clip"
chmod +x "$T/partly/bin/kc-clip"
printf '%s\n' "$U1" >partly.txt
run "$BATCH" -S : --prefix "$T/partly" -o "$T/batch4" --db "$T/kc4.db" partly.txt -- "${ARGS[@]}"
is "$RC" 0 "partly done: exit 0" || diag "$ERR"
like "$ERR" "kc-batch: $U1: partly done on this machine: some cuts failed \(see $T/batch4/$(id "$U1")/log\)" \
    "partly done: said"
like "$ERR" "kc-batch: 1 URLs: 1 done \(1 partly\);" "partly done: counted done"
is "$(tail -n +2 "$T/batch4/.kc-batch/joblog" | cut -f7 | paste -sd' ')" 0 \
    "partly done: one try, exit 0 in the job log (not retried)"
is "$(rows "$T/kc4.db")" "$(clips "$T/batch4" | wc -l)" "partly done: its clips gathered"

done_testing
