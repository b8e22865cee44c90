#!/bin/bash
# 03-deps.t - `make demo` installs only what the demo needs (issue 13,
# item 8): scripts/deps's runtime list (what `make demo` installs) names
# no test tool (nodejs, npm, chromium, clang, cmocka); its full list (what
# .ci/run installs) holds the runtime list and the test tools; the Makefile
# gives `make demo` the runtime list and `make check` the test list; and
# the demo, run as `make demo` runs it (scripts/demo, shorter, in a scratch
# folder), works with a PATH that has no command of a test-only package
# (no node, npm, npx, chromium, clang, curl...).  Nothing is installed:
# the test reads the lists and runs what is already there.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

unset KC_DB KC_WEIGHTS KC_DATADIR
cd "$T" || bail "cannot cd to $T"
T=$(pwd -P)
deps=$KC_ROOT/scripts/deps

# --- a PATH without the test tools -------------------------------------------
# $T/path: a link to every command in /usr/bin and /bin but those of the
# test-only packages (as dpkg knows them, when they are installed) and the
# browser test's commands by name (NodeSource's nodejs holds npm and npx).
hide=" node nodejs npm npx chromium chromium-browser "
for p in $(comm -13 <("$deps" --list-runtime | tr ' ' '\n' | sort) \
    <("$deps" --list | tr ' ' '\n' | sort)); do
	for f in $(dpkg -L "$p" 2>/dev/null | grep -E '^(/usr)?/s?bin/[^/]+$'); do
		hide+="${f##*/} "
	done
done
declare -A have=()
links=()
for d in /usr/bin /bin; do
	[ "$d" = /usr/bin ] || [ ! "$d" -ef /usr/bin ] || continue	# merged /usr
	for f in "$d"/*; do
		n=${f##*/}
		case $hide in *" $n "*) continue ;; esac
		[ -z "${have[$n]:-}" ] || continue
		have[$n]=1 links+=("$f")
	done
done
mkdir -p path && ln -s -t path -- "${links[@]}" || bail "cannot make the lean PATH"
lean=$T/path:$KC_BIN
for c in node nodejs npm npx chromium clang curl; do
	is "$(PATH=$lean command -v "$c")" "" "the lean PATH has no $c"
done

# --- the lists ---------------------------------------------------------------
TEST_TOOLS='^(node|nodejs|npm|chromium|chromium-.*|clang|clang-[0-9]+|libclang-rt-.*|libcmocka.*)$'
run "$deps" --list-runtime
is "$RC" 0 "--list-runtime exits 0"
runtime=$OUT
cmp_ok "$(printf '%s\n' $runtime | grep -c .)" ">" 10 "the runtime list is not empty"
is "$(printf '%s\n' $runtime | grep -E "$TEST_TOOLS" | paste -sd' ')" "" \
    "the runtime list names no test tool (nodejs, npm, chromium, clang, cmocka)"
# the build and what the demo runs
for p in make gcc pkg-config libwebsockets-dev libjansson-dev libcurl4-openssl-dev \
    libxgboost-dev ffmpeg jq sqlite3 espeak-ng sox; do
	like " $runtime " " $p " "the runtime list has $p"
done
# npm joins the test list only where no npm is installed: never the runtime's
is "$(PATH=$lean "$deps" --list-runtime)" "$runtime" \
    "the runtime list is the same where no npm is installed"

run env PATH="$lean" "$deps" --list
is "$RC" 0 "--list exits 0"
full=$OUT
missing=
for p in $runtime; do
	case " $full " in *" $p "*) ;; *) missing+=" $p" ;; esac
done
is "$missing" "" "the full list holds every package of the runtime list"
for p in nodejs npm chromium clang libclang-rt-14-dev libcmocka-dev curl iproute2; do
	like " $full " " $p " "the full list has $p"
done
is "$(printf '%s\n' $full | sort | uniq -d | paste -sd' ')" "" "the full list names each package once"
unlike "$(cat "$KC_ROOT/.ci/run")" "--list-runtime" ".ci/run installs the full list"

run "$deps" --bogus
is "$RC" 2 "scripts/deps: an unknown option is a usage error"
like "$ERR" "unknown option '--bogus'" "the message names the option"
run "$deps" --list --test
is "$RC" 2 "scripts/deps: two options are a usage error"

# --- the Makefile: make demo -> runtime, make check -> test ------------------
if command -v make >/dev/null; then
	mk() { make -s -n -C "$KC_ROOT" B="$T/b" BIN="$T/b/bin" "$@" 2>/dev/null |
	    grep -E '^scripts/deps( |$)' | paste -sd';'; }
	is "$(mk demo)" "scripts/deps" "make demo runs scripts/deps (the runtime list)"
	is "$(mk deps-test)" "scripts/deps --test" "make deps-test runs scripts/deps --test"
	like "$(grep -E '^check:' "$KC_ROOT/Makefile")" '^check:.*\bdeps-test\b' \
	    "make check depends on deps-test (runtime and test lists)"
else
	skip "no make"; skip "no make"; skip "no make"
fi

# --- the demo, with the lean PATH --------------------------------------------
run "$KC_ROOT/scripts/demo" -d 30 "$T/bad"
is "$RC" 2 "scripts/demo -d 30: a usage error (at least 60)"
run "$KC_ROOT/scripts/demo" -x
is "$RC" 2 "scripts/demo: an unknown option is a usage error"
ok "scripts/demo: nothing made on a usage error" test ! -e "$T/bad"

can=1
for c in ffmpeg espeak-ng sox sqlite3 kc-clip kc-db; do
	command -v "$c" >/dev/null || { can=0; why="$c not found"; }
done
if [ $can -eq 1 ]; then
	ls_demo() { ls -la --time-style=full-iso "$KC_ROOT/demo" 2>&1; }
	before=$(ls_demo)
	# its own state and home: kc-clip's journal never in the user's
	mkdir -p home
	run env PATH="$lean" HOME="$T/home" XDG_STATE_HOME="$T/.state" \
	    "$KC_ROOT/scripts/demo" -d 60 "$T/demo"
	is "$RC" 0 "the demo runs without the test tools" || diag "$(tail -n 20 "$T/err")"
	like "$OUT" 'demo: the database now holds:' "it lists the database"
	n=$(sqlite3 "$T/demo/kc.db" 'SELECT count(*) FROM clips' 2>/dev/null)
	cmp_ok "${n:-0}" ">=" 1 "the demo's database holds clips"
	is "$(sqlite3 "$T/demo/kc.db" 'SELECT path FROM clips' 2>/dev/null |
	    grep -vc "^$T/demo/clips/" || true)" 0 "every clip is in the demo folder's clips/"
	is "$(find "$T/demo/clips" -name '*.mp4' | wc -l)" "${n:-0}" \
	    "a clip file for each row"
	ok "the sample stream is in the demo folder" test -s "$T/demo/sample.mp4"
	is "$(ls_demo)" "$before" "the checkout's demo/ is untouched"
else
	for _ in 1 2 3 4 5 6 7; do skip "$why"; done
fi

done_testing
