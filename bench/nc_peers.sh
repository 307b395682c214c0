# nc_peers.sh: what bench/nc_throughput.sh and bench/nc_matrix.sh share,
# sourced by both after they set $bench (their name, for messages): their
# arguments, where the binaries are, a free port, the commands that make each tool a
# listener or a client, readiness without connecting, and sizes.

# find_bin PATH prints the file in runfiles (bazel run/test) or beside the script.
find_bin() {
  local here d
  here=$(cd "$(dirname "$0")" && pwd)
  for d in "${RUNFILES_DIR:-$0.runfiles}/ipckit" "${TEST_SRCDIR:-/nonexistent}/ipckit" "$here/.."; do
    [[ -x "$d/$1" ]] && { echo "$d/$1"; return; }
  done
  echo "$bench: cannot find $1" >&2; exit 1
}

# bench_args HELP_LINES KEY... -- ARGS... sets each --KEY=VALUE of ARGS in
# the variable KEY, prints lines HELP_LINES of the script for -h, and exits
# 2 naming any other argument.
bench_args() {
  local help=$1 keys=() arg key
  shift
  while [[ $1 != -- ]]; do keys+=("$1"); shift; done
  shift
  for arg in "$@"; do
    key=${arg%%=*}
    key=${key#--}
    if [[ $arg == -h || $arg == --help ]]; then
      sed -n "${help}p" "$0"; exit 0
    elif [[ $arg == --*=* && " ${keys[*]} " == *" $key "* ]]; then
      printf -v "$key" '%s' "${arg#*=}"
    else
      echo "$bench: unknown argument $arg" >&2; exit 2
    fi
  done
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# listener_cmd TOOL PORT and client_cmd TOOL PORT print each tool's command
# line, every tool with its default settings ($NC is ipckit's nc).
listener_cmd() {
  case "$1" in
    ipckit) echo "$NC -l 127.0.0.1 $2" ;;
    nc.openbsd) echo "nc.openbsd -l 127.0.0.1 $2" ;;
    ncat) echo "ncat -l --recv-only 127.0.0.1 $2" ;;
    socat) echo "socat -u TCP-LISTEN:$2,bind=127.0.0.1,reuseaddr -" ;;
  esac
}
client_cmd() {
  case "$1" in
    ipckit) echo "$NC -N 127.0.0.1 $2" ;;
    nc.openbsd) echo "nc.openbsd -N 127.0.0.1 $2" ;;
    ncat) echo "ncat --send-only 127.0.0.1 $2" ;;
    socat) echo "socat -u - TCP:127.0.0.1:$2" ;;
  esac
}

# wait_listening TOOL PORT waits (10 s at most) until PORT shows up in
# /proc/net/tcp as LISTEN (0A): connecting would use up a one-shot listener.
wait_listening() {
  local hexport deadline=$((SECONDS + 10))
  hexport=$(printf '%04X' "$2")
  until grep -q ":$hexport 00000000:0000 0A" /proc/net/tcp; do
    ((SECONDS < deadline)) || { echo "$bench: $1 never listened" >&2; return 1; }
  done
}

# size_bytes SIZE prints 64M, 1G, ... in bytes.
size_bytes() {
  python3 -c "
s='$1'.upper().rstrip('IB').rstrip('B'); u={'K':1<<10,'M':1<<20,'G':1<<30,'T':1<<40}
print(int(s[:-1])*u[s[-1]] if s[-1] in u else int(s))"
}

# check_tools TOOL... fails unless every peer is installed.
check_tools() {
  local tool
  for tool in "$@"; do
    if [[ $tool != ipckit ]] && ! command -v "$tool" >/dev/null; then
      echo "$bench: $tool is not installed (third_party/install_deps.sh)" >&2; exit 1
    fi
  done
}
