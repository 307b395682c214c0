#!/bin/bash
# demo: ipckit end to end on loopback in a few seconds: an echo server
# (plain, UDP and TLS) on free ports, nc talking to it in the clear and over
# verified TLS (a megabyte through and back, compared by SHA-256), tlsprobe's
# JSON view of it, a load test, fmap on a generated file, and sigtest
# enforcing a timeout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
find_bin() {  # A tool in runfiles (bazel run/test) or in the source tree's bazel-bin.
  for d in "${RUNFILES_DIR:-$0.runfiles}/ipckit" "${TEST_SRCDIR:-/nonexistent}/ipckit" "$here/../.."; do
    [[ -e "$d/$1" ]] && { echo "$d/$1"; return; }
  done
  echo "demo: cannot find $1" >&2
  exit 1
}
ECHOD=$(find_bin tools/echod/echod)
NC=$(find_bin tools/nc/nc)
ECHOBENCH=$(find_bin tools/echobench/echobench)
TLSPROBE=$(find_bin tools/tlsprobe/tlsprobe)
FMAP=$(find_bin tools/fmap/fmap)
SIGTEST=$(find_bin tools/sigtest/sigtest)
CERTS=$(dirname "$(find_bin testdata/tls/ca.pem)")

echo "== echod on a free port (port 0; the port is read back from its output)"
coproc ECHOD { exec "$ECHOD" -l 127.0.0.1:0 -u 127.0.0.1:0 -l tls:127.0.0.1:0 --workers=1 \
  --cert "$CERTS/server.pem" --key "$CERTS/server.key" 2>&1; }
# bash forgets ECHOD and ECHOD_PID when the coprocess ends: keep our own copies.
echod_pid=$ECHOD_PID
exec {echod_out}<&"${ECHOD[0]}"
trap 'kill "$echod_pid" 2>/dev/null || true' EXIT
read -t 10 -r tcp_line <&"$echod_out"
read -t 10 -r tls_line <&"$echod_out"
read -t 10 -r udp_line <&"$echod_out"
echo "$tcp_line"
echo "$tls_line"
echo "$udp_line"
tcp=${tcp_line#listening on }; tcp=${tcp%% *}
tls=${tls_line#listening on }; tls=${tls%% *}
udp=${udp_line#listening on }; udp=${udp%% *}

echo
echo "== nc: send a line, half-close (-N), print the echo"
printf 'hello from nc over tcp\n' | "$NC" -v -N "${tcp%:*}" "${tcp##*:}"
printf 'hello from nc over udp\n' | "$NC" -u -w 300ms "${udp%:*}" "${udp##*:}"

echo
echo "== nc --ssl: the same over TLS, verified against the test CA (IP address SAN)"
printf 'hello from nc over tls\n' | "$NC" --ssl --ssl-trustfile "$CERTS/ca.pem" -N "${tls%:*}" "${tls##*:}"
mb=$(mktemp)
head -c 1048576 /dev/urandom > "$mb"
sent=$(sha256sum < "$mb")
got=$("$NC" --ssl --ssl-trustfile "$CERTS/ca.pem" -N "${tls%:*}" "${tls##*:}" < "$mb" | sha256sum)
rm -f "$mb"
[[ "$got" == "$sent" ]] || { echo "demo: 1 MiB over TLS came back different" >&2; exit 1; }
echo "1 MiB through TLS and back: SHA-256 ${sent%% *} both ways"

echo
echo "== tlsprobe: what the TLS listener does, as JSON (checks: TLS 1.3, cert valid 30+ days)"
"$TLSPROBE" --json --ca-file "$CERTS/ca.pem" --expect-version 1.3 --min-days-left 30 "$tls" |
  python3 -c 'import json,sys; j=json.load(sys.stdin); print(json.dumps({k: j[k] for k in ("target","exit","tls","verify")}))'

echo
echo "== echobench: 10 connections for 1 second, every byte verified"
"$ECHOBENCH" -c 10 --duration=1s "$tcp"

echo
echo "== fmap: find and dump in a generated 8 MiB file (a needle planted at 5,000,000)"
work=$(mktemp -d)
head -c 8388608 /dev/zero > "$work/data.bin"
"$FMAP" write --write --offset 5000000 --string 'NEEDLE!' "$work/data.bin"
"$FMAP" find --string 'NEEDLE' "$work/data.bin"
"$FMAP" dump -s 4999992 -n 32 "$work/data.bin"
"$FMAP" sum "$work/data.bin"
rm -rf "$work"

echo
echo "== sigtest run: a command that overstays its 300ms timeout gets TERM, as timeout(1) (exit 124)"
"$SIGTEST" run --timeout 300ms --kill-after 2s -- \
  sh -c 'tail -f /dev/null & t=$!; trap "echo child: got TERM, cleaning up; kill \$t; exit 0" TERM; wait' ||
  echo "(exit status $?)"

echo
echo "== echod stats on SIGTERM"
kill -TERM "$echod_pid"
while read -t 10 -r line <&"$echod_out"; do echo "$line"; done
wait "$echod_pid" 2>/dev/null || true
trap - EXIT
echo
echo "demo: OK"
