#!/usr/bin/env bash
# generate.sh regenerates ipckit's test certificates with openssl(1). The
# output is committed: tests never run this. Run it from anywhere:
#
#   testdata/tls/generate.sh
#
# Everything is valid for 100 years from the day it is run, except
# expired.pem, which expired on 2020-01-02, so only that one depends on the
# clock. Keys are ECDSA P-256 (fast), plus one RSA-2048 server certificate.
set -euo pipefail

out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

days=36500
subj_base="/O=ipckit test"

ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# The CA.
ec_key ca.key
openssl req -x509 -new -key ca.key -sha256 -days "$days" -subj "$subj_base/CN=ipckit Test CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" -out ca.pem

# An `openssl ca` setup, for the one certificate with a start date in the past.
mkdir -p newcerts && : > index.txt && echo 1000 > serial
cat > ca.cnf <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = $work
database = $work/index.txt
new_certs_dir = $work/newcerts
serial = $work/serial
certificate = $work/ca.pem
private_key = $work/ca.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = copy
[ policy_any ]
organizationName = optional
commonName = supplied
CNF

# leaf NAME CN EXTFILE_LINES... signs NAME.pem with the CA.
leaf() {
  local name=$1 cn=$2 ext=$3 keyfn=${4:-ec_key}
  "$keyfn" "$name.key"
  openssl req -new -key "$name.key" -subj "$subj_base/CN=$cn" -out "$name.csr"
  printf '%b\n' "$ext" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 \
    -days "$days" -extfile "$name.ext" -out "$name.pem" 2>/dev/null
}

rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }

server_ext='basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1'
leaf server localhost "$server_ext"
leaf server-rsa localhost "$server_ext" rsa_key
leaf wronghost wrong.example \
  'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:wrong.example'
# server-aia: the server's names, and an OCSP responder in its Authority
# Information Access (Mozilla's ocsp_staple asks such a server to staple).
leaf server-aia localhost "$server_ext\nauthorityInfoAccess=OCSP;URI:http://127.0.0.1:9/ocsp"
leaf client "ipckit test client" \
  'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth'

# expired: same names as server, valid only on 2020-01-01.
ec_key expired.key
openssl req -new -key expired.key -subj "$subj_base/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
  -addext "extendedKeyUsage=serverAuth" -addext "basicConstraints=CA:FALSE" -out expired.csr
openssl ca -batch -config ca.cnf -notext -startdate 20200101000000Z -enddate 20200102000000Z \
  -in expired.csr -out expired.pem 2>/dev/null

# selfsigned: the server's names, signed by itself (an unknown issuer).
ec_key selfsigned.key
openssl req -x509 -new -key selfsigned.key -sha256 -days "$days" -subj "$subj_base/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
  -addext "basicConstraints=critical,CA:FALSE" -out selfsigned.pem

# Stapled OCSP responses signed by the CA: server.pem good, server-rsa.pem
# revoked, client.pem unknown (not in the responder's index).
serial_of() { openssl x509 -in "$1" -noout -serial | cut -d= -f2; }
dn_of() { openssl x509 -in "$1" -noout -subject -nameopt compat | sed 's/^subject=//'; }
printf 'V\t991231235959Z\t\t%s\tunknown\t%s\n' "$(serial_of server.pem)" "$(dn_of server.pem)" > ocsp-index.txt
printf 'V\t991231235959Z\t\t%s\tunknown\t%s\n' "$(serial_of server-aia.pem)" "$(dn_of server-aia.pem)" >> ocsp-index.txt
printf 'R\t991231235959Z\t200101000000Z\t%s\tunknown\t%s\n' "$(serial_of server-rsa.pem)" \
  "$(dn_of server-rsa.pem)" >> ocsp-index.txt
ocsp_response() {
  openssl ocsp -issuer ca.pem -cert "$1" -no_nonce -reqout "$2.req" 2>/dev/null
  openssl ocsp -index ocsp-index.txt -rsigner ca.pem -rkey ca.key -CA ca.pem -reqin "$2.req" \
    -respout "$out/$2.der" -ndays "$days" 2>/dev/null
}
ocsp_response server.pem ocsp-good
ocsp_response server-rsa.pem ocsp-revoked
ocsp_response client.pem ocsp-unknown
ocsp_response server-aia.pem ocsp-aia-good

for n in ca server server-rsa server-aia wronghost client expired selfsigned; do
  cp "$n.pem" "$out/$n.pem"
  cp "$n.key" "$out/$n.key"
done
cat server.pem ca.pem > "$out/server-chain.pem"
openssl dhparam -out "$out/dh1024.pem" 1024 2>/dev/null
echo "generate.sh: wrote certificates to $out"
