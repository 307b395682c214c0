#!/usr/bin/env bash
# install_deps.sh installs, with apt, everything ipckit's build and tests need
# on Debian 12: Bazel 4 and its rule packages, BoringSSL, Abseil, GoogleTest,
# and the real peers the tests talk to. It is idempotent and fast when all is
# there: it runs `apt-get update` only when something is missing.
#
# Usage: third_party/install_deps.sh [--check]
#   --check  only report what is missing; exit 1 if anything is.
set -euo pipefail

PACKAGES=(
  # Build: Bazel 4.2.3 in WORKSPACE mode, and the rule repositories it wants.
  bazel-bootstrap bazel-rules-java bazel-platforms
  g++ pkg-config
  # The three libraries.
  android-libboringssl-dev libabsl-dev libgtest-dev libgmock-dev
  # Real peers and oracles for the tests (xxd and hexdump for fmap's dumps,
  # fincore, script(1), timeout, sha256sum), and universal-ctags for CI's
  # function-length gate (.ci/long_functions), which fails without it.
  openssl netcat-openbsd ncat socat python3 vmtouch tini dumb-init
  xxd bsdextrautils util-linux bsdutils coreutils universal-ctags
  # Real servers that daemonize, for with_server's tests.
  redis-server redis-tools nginx
  # --config=fuzz: clang with libFuzzer and the sanitizer runtimes.
  clang-14 libclang-rt-14-dev
  # Peers for the benchmarks in bench/ (not needed to build or test).
  python3-uvloop sslscan testssl.sh gnuplot-nox
  # Peers for bench/relay: forwarders and TLS terminators.
  haproxy stunnel4 rinetd redir
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install_deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

if [[ "${1:-}" == "--check" ]]; then
  echo "install_deps: missing: ${missing[*]}" >&2
  exit 1
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi

echo "install_deps: installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install_deps: done"
