#!/bin/bash
# install_test: install into a scratch prefix; every tool runs from there,
# every man page renders and names each option, every completion completes.
set -uo pipefail
here="$TEST_SRCDIR/$TEST_WORKSPACE"
prefix="$TEST_TMPDIR/prefix"
fail=0
out=$("$here/tools/install/install" "$prefix" 2>&1) || { echo "FAIL: install: $out"; exit 1; }
for t in nc echod echobench tlsprobe fmap sigtest with_server relay; do
  v=$("$prefix/bin/$t" --version)
  [[ "$v" == "$t (ipckit) "* ]] || { echo "FAIL: $t --version: $v"; fail=1; }
  page="$prefix/share/man/man1/$t.1"
  head -1 "$page" | grep -q "^\.TH ${t^^} 1" || { echo "FAIL: $t.1 header"; fail=1; }
  # Every long option in --help appears in the page.
  for opt in $("$prefix/bin/$t" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
    grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" "$page" || { echo "FAIL: $t.1 lacks $opt"; fail=1; }
  done
  if command -v groff > /dev/null; then
    groff -man -Tutf8 -ww "$page" > /dev/null 2> "$TEST_TMPDIR/groff.err"
    [[ ! -s "$TEST_TMPDIR/groff.err" ]] || { echo "FAIL: $t.1 groff: $(head -3 "$TEST_TMPDIR/groff.err")"; fail=1; }
  fi
done
# Completions: load one and ask it, as bash would.
complete_words() {  # TOOL WORDS...
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _ipckit_${COMP_WORDS[0]}; echo "${COMPREPLY[*]}"' \
    _ "$prefix/share/bash-completion/completions/$1" "$@"
}
got=$(complete_words nc --ssl-t)
[[ "$got" == "--ssl-trustfile" ]] || { echo "FAIL: nc completion: [$got]"; fail=1; }
got=$(complete_words fmap re)
[[ "$got" == "resize residency" ]] || { echo "FAIL: fmap commands: [$got]"; fail=1; }
got=$(complete_words fmap find --no)
[[ "$got" == "--no-overlap" ]] || { echo "FAIL: fmap find options: [$got]"; fail=1; }
[[ $fail == 0 ]] && echo "install_test: OK"
exit $fail
