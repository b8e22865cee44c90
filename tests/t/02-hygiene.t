#!/bin/bash
# 02-hygiene.t - the repository holds source only and its docs are not
# stale (issue 8, items 18 and 19): no committed run outputs (err.txt,
# output_clips/), the folders kc writes into are ignored, kc-clip(1) does
# not call the learned model unimplemented, every file the Makefile's
# comments point to exists, and no test keeps a dead TODO branch.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

need git
cd "$KC_ROOT" || bail "cannot cd to $KC_ROOT"
# (a checkout owned by another user than the one testing is still read)
git() { command git -c safe.directory="$KC_ROOT" "$@"; }
git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
    skip_all "not a git checkout"

is "$(git ls-files -- err.txt 'output_clips/*' 'clips/*' 'batch/*' '*.db' '*.model/*' '*.log')" "" \
    "no run output is committed (err.txt, output_clips/, clips/, batch/, *.db, *.model/, logs)"
for p in output_clips/highlights_x.json clips/a.mp4 batch/u.done kc.db.model/model.json demo/kc.db; do
	ok "$p is ignored" git check-ignore -q --no-index "$p"
done

like "$(cat docs/man/kc-clip.1)" "model" "kc-clip(1) mentions the learned model"
unlike "$(cat docs/man/kc-clip.1)" "[Mm]odel is not implemented|not yet implemented.*model" \
    "kc-clip(1) does not call the learned model unimplemented"

# every path a Makefile comment names under bench/, docs/, scripts/ or
# tests/ (the placeholder NAME, as in fuzz_NAME.c, aside)
missing=
for f in $(grep '^#' Makefile | grep -o '\b\(bench\|docs\|scripts\|tests\)/[A-Za-z0-9_./-]*[A-Za-z0-9_]' |
    grep -v 'NAME' | sort -u); do
	[ -e "$f" ] || missing="$missing $f"
done
is "$missing" "" "every file the Makefile's comments point to exists"

is "$(grep -ln 'TODO' tests/t/*.t tests/lib/* | grep -v '/02-hygiene.t$')" "" "no test keeps a TODO branch"

done_testing
