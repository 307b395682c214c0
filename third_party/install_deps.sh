#!/usr/bin/env bash
# install_deps.sh installs, with apt, everything ipckit's build and tests need
# on Debian 12: Bazel 4 and its rule packages, BoringSSL, Abseil, GoogleTest,
# and the real peers the tests talk to. It is idempotent and fast when all is
# there: it runs `apt-get update` only when something is missing.
#
# Then, with npm, the pinned JavaScript client relay's API test drives
# (third_party/toxiproxy_client: package-lock.json, `npm ci`).
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
  # tlsprobe's peers: a TLS server of another library, and the scanner it is compared with.
  gnutls-bin sslscan
  xxd bsdextrautils util-linux bsdutils coreutils universal-ctags
  # Real servers that daemonize, for with_server's tests.
  redis-server redis-tools nginx
  # --config=fuzz: clang with libFuzzer and the sanitizer runtimes.
  clang-14 libclang-rt-14-dev
  # Peers for the benchmarks in bench/ (not needed to build or test).
  python3-uvloop testssl.sh gnuplot-nox
  # Peers for bench/relay: forwarders and TLS terminators.
  haproxy stunnel4 rinetd redir
  # node, for toxiproxy-node-client against relay --api (npm below).
  nodejs
)

HERE=$(cd "$(dirname "$0")" && pwd)
CLIENT="$HERE/toxiproxy_client"

# client_missing says whether the pinned client is not (or not as locked) installed.
client_missing() {
  [[ ! -f "$CLIENT/node_modules/.package-lock.json" ]] ||
    ! cmp -s <(grep -v '"name"' "$CLIENT/package-lock.json" | grep integrity) \
      <(grep integrity "$CLIENT/node_modules/.package-lock.json")
}

# install_client installs the locked client with npm (Debian's npm package
# when node came without one).
install_client() {
  if ! client_missing; then return 0; fi
  if ! command -v npm >/dev/null; then
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends npm >/dev/null
  fi
  (cd "$CLIENT" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)
  echo "install_deps: toxiproxy-node-client installed in third_party/toxiproxy_client"
}

SUDO=()
if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$pkg")
  fi
done

if [[ "${1:-}" == "--check" ]]; then
  if client_missing; then missing+=("third_party/toxiproxy_client/node_modules (npm ci)"); fi
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "install_deps: missing: ${missing[*]}" >&2
    exit 1
  fi
  echo "install_deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install_deps: all ${#PACKAGES[@]} packages present"
  install_client
  exit 0
fi

echo "install_deps: installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install_deps: done"
install_client
