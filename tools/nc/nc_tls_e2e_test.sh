#!/bin/bash
# nc --ssl and -x end to end against Python ssl, openssl s_server/s_client,
# ncat --ssl and ncat's HTTP proxy.
set -euo pipefail
here="$TEST_SRCDIR/$TEST_WORKSPACE"
exec python3 "$here/tools/nc/nc_tls_e2e_test.py" "$here/tools/nc/nc" "$here/testdata/tls"
