#!/bin/bash
# run_fuzzer.sh FUZZER (--fuzz|--replay) SEED...: fuzz for $FUZZ_SECONDS from
# a scratch copy of the seeds (crash inputs land in the test's outputs), or
# replay the seeds through a build without libFuzzer.
set -euo pipefail
fuzzer=$1 mode=$2
shift 2
if [[ $mode == --replay ]]; then
  exec "$fuzzer" "$@"
fi
corpus=$(mktemp -d "${TEST_TMPDIR:-/tmp}/corpus.XXXXXX")
cp "$@" "$corpus/"
out=${TEST_UNDECLARED_OUTPUTS_DIR:-$corpus}
exec "$fuzzer" -max_total_time="${FUZZ_SECONDS:-20}" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$out/" -print_final_stats=1 "$corpus"
