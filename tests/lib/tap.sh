# tests/lib/tap.sh - a tiny TAP producer for kc's shell tests.
#
#   . "$KC_ROOT/tests/lib/tap.sh"
#   run kc-score --bad            # sets RC, OUT, ERR (files $T/out, $T/err)
#   is "$RC" 2 "bad option is a usage error"
#   like "$ERR" 'unknown option' "message names the problem"
#   done_testing
#
# Tests run with KC_BIN first in PATH and a private scratch dir $T (KC_TMP).
set -u

: "${KC_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${KC_BIN:=$KC_ROOT/bin}"
: "${KC_MEDIA:=$KC_ROOT/tests/.media}"
: "${KC_TMP:=$(mktemp -d)}"
case ":$PATH:" in *":$KC_BIN:"*) ;; *) PATH=$KC_BIN:$PATH ;; esac
export KC_ROOT KC_BIN KC_MEDIA KC_TMP PATH
T=$KC_TMP
mkdir -p "$T"

_tap_n=0
_tap_failed=0

diag() { printf '# %s\n' "$*" | sed '2,$s/^/# /' >&2; }

_tap_result() {	# status desc
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		printf 'ok %d - %s\n' "$_tap_n" "$2"
	else
		printf 'not ok %d - %s\n' "$_tap_n" "$2"
		_tap_failed=$((_tap_failed + 1))
	fi
	return "$1"
}

pass() { _tap_result 0 "$1"; }
fail() { _tap_result 1 "$1"; }

# ok DESC CMD... : passes when CMD exits 0
ok() {
	local d=$1; shift
	if "$@"; then _tap_result 0 "$d"; else _tap_result 1 "$d"; fi
}

# is GOT WANT DESC
is() {
	if [ "$1" = "$2" ]; then
		_tap_result 0 "$3"
	else
		_tap_result 1 "$3" || true
		diag "got:  '$1'" "want: '$2'"
		return 1
	fi
}

isnt() {
	if [ "$1" != "$2" ]; then _tap_result 0 "$3"; else
		_tap_result 1 "$3" || true; diag "got '$1', wanted anything else"; return 1; fi
}

# like GOT ERE DESC
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		_tap_result 0 "$3"
	else
		_tap_result 1 "$3" || true
		diag "got:  '$(printf '%s' "$1" | head -c 600)'" "want match: /$2/"
		return 1
	fi
}

unlike() {
	if ! printf '%s' "$1" | grep -Eq -- "$2"; then
		_tap_result 0 "$3"
	else
		_tap_result 1 "$3" || true
		diag "got:  '$(printf '%s' "$1" | head -c 600)'" "must not match: /$2/"
		return 1
	fi
}

# cmp_ok A OP B DESC : numeric comparison with awk (reals allowed)
cmp_ok() {
	if awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
		if (a == "" || b == "") exit 1
		if (op == "<") r = a < b; else if (op == "<=") r = a <= b
		else if (op == ">") r = a > b; else if (op == ">=") r = a >= b
		else if (op == "==") r = a == b; else if (op == "!=") r = a != b
		else exit 1
		exit !r }'; then
		_tap_result 0 "$4"
	else
		_tap_result 1 "$4" || true
		diag "expected: '$1' $2 '$3'"
		return 1
	fi
}

# run [-i FILE] CMD... : runs CMD with stdin FILE (default /dev/null);
# sets RC, OUT, ERR and leaves $T/out, $T/err.
run() {
	local in=/dev/null
	if [ "$1" = "-i" ]; then in=$2; shift 2; fi
	set +e
	"$@" <"$in" >"$T/out" 2>"$T/err"
	RC=$?
	set -e 2>/dev/null; set +e
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

skip() { _tap_n=$((_tap_n + 1)); printf 'ok %d # skip %s\n' "$_tap_n" "$1"; }

skip_all() { printf '1..0 # SKIP %s\n' "$1"; exit 0; }

# need PROG... : skip the whole test unless every PROG is in PATH (tools,
# and kc programs from KC_BIN)
need() {
	local p
	for p; do
		command -v "$p" >/dev/null || skip_all "$p not found in PATH"
	done
}

done_testing() {
	printf '1..%d\n' "$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}

# realtime_lock : hold a machine-wide lock (every checkout, every test
# configuration) until the test ends, so that tests whose assertions are
# about real time (a live stream aired at real pace) never run at the same
# time as another of them
realtime_lock() {
	exec 5>"/tmp/kc-realtime.lock"
	flock 5
}

# bail MSG : stop the whole file (something the rest depends on broke)
bail() { printf 'Bail out! %s\n' "$*"; exit 255; }

# nlines TEXT : number of non-empty lines
nlines() { printf '%s' "$1" | grep -c . || true; }

# records TYPE FILE : the records of one type, one per line
records() { jq -c --arg t "$1" 'select(.type == $t)' "$2"; }
