#!/bin/bash
# install: copies ipckit's tools to PREFIX/bin (default ~/.local), with man
# pages made from each tool's --help in PREFIX/share/man/man1 and bash
# completions in PREFIX/share/bash-completion/completions.
#   bazel run -c opt //:install -- [PREFIX]
set -euo pipefail
prefix=${1:-$HOME/.local}
here=$(cd "$(dirname "$0")" && pwd)
find_file() {
  for d in "${RUNFILES_DIR:-$0.runfiles}/ipckit" "${TEST_SRCDIR:-/nonexistent}/ipckit" "$here/../.."; do
    [[ -e "$d/$1" ]] && { echo "$d/$1"; return; }
  done
  echo "install: cannot find $1" >&2
  exit 1
}
tools=(nc echod echobench tlsprobe fmap sigtest with_server relay)
mkdir -p "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions"
help2man=$(find_file tools/install/help2man.py)
completion=$(find_file tools/install/completion.py)
for t in "${tools[@]}"; do
  src=$(find_file "tools/$t/$t")
  install -m 0755 "$src" "$prefix/bin/$t"
  python3 "$help2man" "$prefix/bin/$t" > "$prefix/share/man/man1/$t.1"
  python3 "$completion" "$prefix/bin/$t" > "$prefix/share/bash-completion/completions/$t"
  echo "install: $prefix/bin/$t"
done
echo "install: man pages in $prefix/share/man/man1, bash completions in $prefix/share/bash-completion/completions"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "install: note: $prefix/bin is not on PATH" ;;
esac
if command -v nc > /dev/null && [[ "$(command -v nc)" != "$prefix/bin/nc" ]]; then
  echo "install: note: another nc comes first on PATH; run ipckit's as $prefix/bin/nc"
fi
