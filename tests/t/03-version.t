#!/bin/bash
# 03-version.t - every program answers --version (and -V) as it answers
# --help (issue 13, "Conventions"): one line "PROGRAM VERSION" on stdout,
# nothing on stderr, exit 0; the version is the one the Makefile computes
# (git describe in a git checkout, else the VERSION file, else "unknown");
# each --help and man page lists the option.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

cd "$KC_ROOT" || bail "cannot cd to $KC_ROOT"

# the Makefile's KC_VERSION, computed the same way (a checkout owned by
# another user than the one testing is still read, as by the Makefile)
want=$({ { [ -e .git ] && command git -c safe.directory='*' \
    describe --tags --always --dirty 2>/dev/null; } || cat VERSION \
    2>/dev/null; } | head -n 1 | tr -cd 'A-Za-z0-9._+~-')
want=${want:-unknown}
diag "version: $want"

progs=
for d in src/kc-*/; do
	p=${d%/}
	progs="$progs ${p#src/}"
done
[ -n "$progs" ] || bail "no programs under src/"

for p in $progs; do
	if ! command -v "$p" >/dev/null; then
		fail "$p: built (not in $KC_BIN)"
		continue
	fi
	for opt in --version -V; do
		run "$p" "$opt"
		is "$RC" 0 "$p $opt: exit 0"
		is "$ERR" "" "$p $opt: nothing on stderr"
		is "$OUT" "$p $want" "$p $opt: '$p VERSION', the Makefile's version"
		is "$(wc -l <"$T/out")" 1 "$p $opt: exactly one line"
	done
	run "$p" --help
	like "$OUT" '-V, --version' "$p --help lists -V, --version"
	like "$(cat "docs/man/$p.1")" '^\.BR \\-V ", " \\-\\-version' \
	    "$p(1) documents -V, --version"
done

# kc-db takes it before a command, and with --db
run kc-db --db "$T/none.db" --version
is "$RC.$OUT" "0.kc-db $want" "kc-db --db PATH --version: the version"
ok "kc-db --version: no database made" test ! -e "$T/none.db"

# a failed write is an error, like --help's
run sh -c 'kc-score --version >/dev/full'
is "$RC" 1 "--version to a full disk: exit 1"
like "$ERR" '^kc-score: .*stdout' "--version to a full disk: says so"

done_testing
