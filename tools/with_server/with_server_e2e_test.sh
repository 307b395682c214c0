#!/bin/bash
# with_server end to end (with_server_e2e_test.py) with the servers it starts.
set -euo pipefail
here="$TEST_SRCDIR/$TEST_WORKSPACE"
exec python3 "$here/tools/with_server/with_server_e2e_test.py" "$here/tools/with_server/with_server" \
  "$here/tools/echod/echod" "$here/tools/nc/nc" "$here/tools/relay/relay" \
  "$here/testdata/tls"
