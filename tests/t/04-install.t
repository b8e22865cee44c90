#!/bin/bash
# 04-install.t - `make install` and `make uninstall` (issue 13, item 5):
# install puts the programs and the script kc-batch, their data, every
# man page (kc(7) and kc-records(5) too) and the bash completion under
# DESTDIR/PREFIX, and uninstall removes exactly that; kc.7 and
# kc-records.5 render without groff warnings; docs/man/kc-records.5 is
# what scripts/md2man makes of docs/records.md (the single source of
# truth), so the two cannot drift; the completion loads and completes
# options from the programs' --help.
#
# install runs with NOBUILD=1 and BIN=$KC_BIN: it copies the programs
# under test and never builds (nor writes) anything in the checkout.
. "${KC_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

need make
cd "$KC_ROOT" || bail "cannot cd to $KC_ROOT"

progs=
for d in src/kc-*/; do
	p=${d%/}
	progs="$progs ${p#src/}"
done
[ -n "$progs" ] || bail "no programs under src/"
for p in $progs; do
	[ -x "$KC_BIN/$p" ] || bail "$p: not built in $KC_BIN"
done

# --- records.md and its man page ---------------------------------------

need python3
run scripts/md2man docs/records.md
is "$RC.$ERR" "0." "md2man docs/records.md: exit 0, nothing on stderr"
ok "docs/man/kc-records.5 is scripts/md2man's docs/records.md (regenerate: make man)" \
    cmp -s "$T/out" docs/man/kc-records.5 ||
    diag "$(diff docs/man/kc-records.5 "$T/out" | head -20)"
run make -s -n man
like "$OUT" 'scripts/md2man docs/records.md' "make man runs the same command"
is "$(LC_ALL=C grep -c '[^ -~]' docs/man/kc-records.5)" 0 "kc-records.5 is ASCII (glyph names)"

# every heading of records.md is a section of the page
for h in $(sed -n 's/^## //p' docs/records.md | tr ' ' '_'); do
	h=$(printf '%s' "$h" | tr '_' ' ' | tr '[:lower:]' '[:upper:]')
	like "$(grep '^\.SH' docs/man/kc-records.5)" "^\.SH \"$h\"" "kc-records(5) has $h"
done

# md2man refuses what it does not understand instead of misrendering it
printf '# t\n\n1. numbered\n' >"$T/bad.md"
run scripts/md2man "$T/bad.md"
is "$RC" 1 "md2man: an unsupported list is an error"
like "$ERR" "^md2man: $T/bad.md:3: " "md2man: the error names the line"
printf '# t\n\nan `open code span\n' >"$T/bad.md"
run scripts/md2man "$T/bad.md"
like "$RC.$ERR" '^1\.md2man: .*unclosed code span' "md2man: an unclosed code span is an error"

# a small document of each construct
cat >"$T/all.md" <<'EOF'
# demo — a test

Text with `code-span`, **bold** and *italic*, kc-cut(1), a \| pipe.
.dot at a line start

## Section one

- item one
  continued
- item two

| key | type | meaning |
| --- | --- | --- |
| `a` | int | the a |

```
kc-fetch x | kc-score
```
EOF
run scripts/md2man --name demo --section 7 --see-also 'kc(7)' "$T/all.md"
is "$RC" 0 "md2man: a small document"
like "$OUT" '^\.TH DEMO 7 ' ".TH from --name and --section"
like "$OUT" '^demo \\- demo \\\(em a test$' "NAME line from the title"
like "$OUT" '\\fBcode\\-span\\fR, \\fBbold\\fR and \\fIitalic\\fR, \\%\\fBkc-cut\\fP\(1\), a \| pipe' "inline markup"
like "$OUT" '^\\&\.dot' "a text line starting with a dot is escaped"
like "$OUT" '^\.SH "SECTION ONE"$' "## heading"
like "$(printf '%s\n' "$OUT" | grep -A1 '^\.IP')" 'item one' "list item"
like "$OUT" '^\.TP$' "table row as .TP"
like "$OUT" '^\\fBa\\fR \(\\fIint\\fR\)$' "table tag with its type"
like "$OUT" '^kc\\-fetch x \| kc\\-score$' "fenced code"
like "$OUT" '^\.BR \\%kc \(7\)$' "SEE ALSO"

# --- the man pages render without warnings -------------------------------

if command -v groff >/dev/null; then
	for f in docs/man/kc.7 docs/man/kc-records.5; do
		for dev in ps utf8 ascii; do
			run groff -man -ww -z -T$dev "$f"
			is "$RC.$ERR" "0." "groff -man -ww -z -T$dev $f: no warnings"
		done
	done
else
	skip "groff not found: man pages not rendered"
fi
if command -v man >/dev/null; then
	for f in docs/man/kc.7 docs/man/kc-records.5; do
		run env MANROFFOPT=-ww MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$f"
		is "$RC.$ERR" "0." "man -l $f: no warnings"
		like "$OUT" '^NAME' "man -l $f: renders"
	done
else
	skip "man not found: man -l not run"
fi

# kc(7) names every page in SEE ALSO, and every page names kc(7)'s programs
see=$(sed -n '/^\.SH SEE ALSO/,$p' docs/man/kc.7)
for f in docs/man/*.[1-9]; do
	b=${f##*/}
	[ "$b" = kc.7 ] && continue
	like "$see" "^\.BR \\\\%${b%.*} \(${b##*.}\)" "kc(7) SEE ALSO names ${b%.*}(${b##*.})"
done

# --- install and uninstall -------------------------------------------------

root=$T/root
rm -rf "$root"
run make -s install NOBUILD=1 BIN="$KC_BIN" DESTDIR="$root" PREFIX=/usr/local
is "$RC" 0 "make install DESTDIR=... PREFIX=/usr/local: exit 0"
[ "$RC" = 0 ] || diag "$ERR"

want=
for p in $progs; do
	want="$want
usr/local/bin/$p
usr/local/share/bash-completion/completions/$p"
done
# kc-batch, a script, beside the programs
want="$want
usr/local/bin/kc-batch"
for f in data/* scripts/*.jq scripts/*.mk; do
	want="$want
usr/local/share/kc/${f##*/}"
done
for f in web/*; do
	want="$want
usr/local/share/kc/web/${f##*/}"
done
for f in docs/man/*.[1-9]; do
	want="$want
usr/local/share/man/man${f##*.}/${f##*/}"
done
want=$(printf '%s\n' "$want" | grep . | sort)
got=$(cd "$root" && find . -type f -o -type l | sed 's|^\./||' | sort)
is "$got" "$want" "install puts exactly the programs, data, man pages and completions"
diag "installed: $(printf '%s\n' "$got" | wc -l) files"
for f in usr/local/share/man/man7/kc.7 usr/local/share/man/man5/kc-records.5 \
    usr/local/share/bash-completion/completions/kc-clip usr/local/bin/kc-clip; do
	ok "installed $f" test -s "$root/$f"
done
ok "installed programs are executable" test -x "$root/usr/local/bin/kc-db"
ok "installed kc-batch is scripts/kc-batch, executable" \
    eval 'test -x "$root/usr/local/bin/kc-batch" && cmp -s scripts/kc-batch "$root/usr/local/bin/kc-batch"'
ok "installed kc-clip is the tested one" cmp -s "$KC_BIN/kc-clip" "$root/usr/local/bin/kc-clip"
ok "installed kc-records.5 is the committed one" \
    cmp -s docs/man/kc-records.5 "$root/usr/local/share/man/man5/kc-records.5"

run "$root/usr/local/bin/kc-score" --help
is "$RC" 0 "the installed kc-score runs"

# a file of someone else's beside kc's stays
echo mine >"$root/usr/local/bin/other"
mkdir -p "$root/usr/local/share/man/man1" && echo mine >"$root/usr/local/share/man/man1/other.1"
run make -s uninstall DESTDIR="$root" PREFIX=/usr/local
is "$RC" 0 "make uninstall: exit 0"
is "$(cd "$root" && find . -type f -o -type l | sed 's|^\./||' | sort | tr '\n' ' ')" \
    "usr/local/bin/other usr/local/share/man/man1/other.1 " \
    "uninstall removes every installed file and nothing else"
ok "uninstall removes the empty share/kc" test ! -e "$root/usr/local/share/kc"
run make -s uninstall DESTDIR="$root" PREFIX=/usr/local
is "$RC" 0 "make uninstall again (nothing left): exit 0"

# PREFIX is honoured on both sides
rm -rf "$root"
run make -s install NOBUILD=1 BIN="$KC_BIN" DESTDIR="$root" PREFIX=/opt/kc
is "$RC" 0 "make install PREFIX=/opt/kc"
ok "PREFIX=/opt/kc: programs in /opt/kc/bin" test -x "$root/opt/kc/bin/kc-clip"
run make -s uninstall DESTDIR="$root" PREFIX=/opt/kc
is "$(cd "$root" && find . -type f | wc -l)" 0 "PREFIX=/opt/kc: uninstall leaves no file"

ok "the checkout has no kc-records.5.tmp" test ! -e docs/man/kc-records.5.tmp

# --- bash completion -------------------------------------------------------

comp=scripts/kc.bash-completion
# complete WORD... : what _kc offers for the last word
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	    _kc; printf "%s\n" "${COMPREPLY[@]}"' complete "$comp" "$@"
}
run bash -c ". $comp && complete -p $progs"
is "$RC" 0 "the completion loads in bash"
for p in $progs; do
	like "$OUT" "^complete -F _kc $p\$" "completion registered for $p"
done
is "$(sed -n '/^complete -F _kc/,/[^\\]$/p' "$comp" | tr -d '\\' | tr ' \t' '\n\n' |
    grep '^kc-' | sort | tr '\n' ' ')" "$(printf '%s\n' $progs | sort | tr '\n' ' ')" \
    "the completion is registered for exactly the programs in src/"

out=$(complete_words kc-clip --max-)
like "$out" '^--max-audio-clips$' "kc-clip --max-<TAB> offers --max-audio-clips"
like "$out" '^--max-video-clips$' "... and --max-video-clips"
unlike "$out" '^--(url|out)$' "... and no option not starting so"
out=$(complete_words kc-score --mo)
is "$out" "--model" "kc-score --mo<TAB>: --model"
out=$(complete_words kc-db '')
like "$out" '^add$' "kc-db <TAB>: its commands (add)"
like "$out" '^rate$' "kc-db <TAB>: its commands (rate)"
unlike "$out" '^-' "kc-db <TAB>: no option"
out=$(complete_words kc-db --db x.db ra)
is "$out" "rate" "kc-db --db PATH ra<TAB>: rate (an option's argument is skipped)"
out=$(complete_words kc-db rate --re)
is "$out" "--retrain-every" "kc-db rate --re<TAB>: the command's own option"
mkdir -p "$T/cdir/sub" && : >"$T/cdir/file.mp4"
out=$(complete_words kc-clip --out "$T/cdir/")
is "$out" "$T/cdir/sub" "kc-clip --out DIR<TAB>: directories"
out=$(complete_words kc-clip "$T/cdir/fi")
is "$out" "$T/cdir/file.mp4" "kc-clip SOURCE<TAB>: files"
out=$(complete_words kc-clip --clip-duration '')
is "$out" "" "kc-clip --clip-duration <TAB>: nothing (a number)"

done_testing
