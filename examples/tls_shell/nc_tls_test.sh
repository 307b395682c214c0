#!/bin/bash
# nc_tls_test: a shell test talking TLS to echod with the test CA. with_server
# (see BUILD) starts echod and sets TLS_HOST and TLS_PORT; the arguments are
# nc and the CA certificate.
set -euo pipefail
nc=$1 ca=$2
got=$(printf 'hello over tls\n' | "$nc" --ssl --ssl-trustfile "$ca" --ssl-servername localhost -N "$TLS_HOST" "$TLS_PORT")
[[ "$got" == "hello over tls" ]] || { echo "FAIL: echo: [$got]"; exit 1; }
# Without the test CA, verification fails with nc's exit code 4.
set +e
err=$("$nc" --ssl -N "$TLS_HOST" "$TLS_PORT" < /dev/null 2>&1)
code=$?
set -e
[[ $code == 4 ]] || { echo "FAIL: exit $code, want 4: $err"; exit 1; }
[[ "$err" == "nc: handshake net: certificate verify failed: unable to get local issuer certificate" ]] ||
  { echo "FAIL: message: [$err]"; exit 1; }
echo "nc_tls_test: OK"
