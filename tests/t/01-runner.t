#!/bin/bash
# 01-runner.t - tests/run itself: its closing line counts passed, failed
# and skipped points, and a test file skipped whole counts as skipped
# (it used to vanish from the line); with CI=true a file skipped whole
# fails the run, since CI installs everything.  Runs a copy of tests/run
# on a fake checkout with three tiny test files.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

need perl prove

R=$T/root
mkdir -p "$R/tests/t" "$R/bin" "$R/build/tests"
cp "$KC_ROOT/tests/run" "$R/tests/run"
cat >"$R/tests/t/a.t" <<'X'
#!/bin/sh
echo "ok 1 - one"
echo "ok 2 # skip not here"
echo "1..2"
X
cat >"$R/tests/t/b.t" <<'X'
#!/bin/sh
echo "1..0 # SKIP no frobnicator"
X
chmod +x "$R"/tests/t/*.t

run env -u CI "$R/tests/run"
is "$RC" 0 "a skipped file is not a failure outside CI"
is "$(tail -n 1 "$T/out")" "1 passed, 0 failed, 2 skipped" \
    "closing line counts the skipped point and the file skipped whole"
like "$OUT" "skipped: plain tests/t/b.t: no frobnicator" "the skipped file is named, with why"

run env CI=true "$R/tests/run"
is "$RC" 1 "CI=true: a file skipped whole fails the run"
like "$OUT" "CI=true: 1 test file\(s\) skipped whole" "... and says why"

rm "$R/tests/t/b.t"
run env CI=true "$R/tests/run"
is "$RC" 0 "CI=true: a skipped point alone does not fail the run"

cat >"$R/tests/t/c.t" <<'X'
#!/bin/sh
echo "ok 1 - fine"
echo "not ok 2 - broken"
echo "1..2"
X
chmod +x "$R/tests/t/c.t"
run env -u CI "$R/tests/run"
is "$RC" 1 "a failed point fails the run"
is "$(tail -n 1 "$T/out")" "2 passed, 1 failed, 1 skipped" "... and is counted"

cat >"$R/tests/t/c.t" <<'X'
#!/bin/sh
echo "ok 1 - fine"
exit 3
X
run env -u CI "$R/tests/run"
is "$RC" 1 "a file that dies without a plan fails the run"
is "$(tail -n 1 "$T/out")" "2 passed, 1 failed, 1 skipped" "... and counts as a failure"
done_testing
