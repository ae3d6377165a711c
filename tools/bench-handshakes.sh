#!/usr/bin/env bash
# What a resident's TLS handshake costs the online window (docs/benchmarks.md, "TLS
# handshakes"): validity checks, each on a connection of its own, with a full handshake and
# with a resumed one, for the fixtures' RSA-2048 certificate and for an ECDSA P-256
# certificate made here (signed by the fixtures' TLS CA), against kept connections. The
# window on CPU 0, the load generator on CPU 1, SQLite, 8 requests in flight (rustls keeps 8
# TLS 1.3 tickets per server: with more connections at once, some could not resume). Needs
# a release build and openssl:
#   cargo build --release -p madoguchi-server
# Usage: [BIN=dir] tools/bench-handshakes.sh [REQUESTS] (default 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5000}
BIN=${BIN:-target/release}
PKI=$(pwd)/fixtures/pki
WORK=$(mktemp -d)
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# An ECDSA P-256 server certificate for 127.0.0.1, from the fixtures' TLS CA.
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null |
  openssl pkcs8 -topk8 -nocrypt -out "$WORK/ec-key.pem"
chmod 600 "$WORK/ec-key.pem"
openssl req -new -key "$WORK/ec-key.pem" -subj "/CN=localhost" -out "$WORK/ec.csr"
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' >"$WORK/ext.cnf"
openssl x509 -req -in "$WORK/ec.csr" -CA "$PKI/tls-ca.pem" -CAkey "$PKI/tls-ca-key.pem" \
  -days 2 -extfile "$WORK/ext.cnf" -out "$WORK/ec.pem" 2>/dev/null
install -m 600 "$PKI/server-key.pem" "$WORK/rsa-key.pem"

run() { # $1 = label, $2 = certificate, $3 = key, $4 = connections
  rm -f "$WORK"/w.db*
  cat >"$WORK/server.toml" <<EOT
listen = "127.0.0.1:18470"
tls_certificate = "$2"
tls_key = "$3"
signing_cas = ["$PKI/sign-ca.der"]
database = "$WORK/w.db"
[limits]
per_client_requests_per_sec = 100000000
per_client_burst = 100000000
max_connections_per_client = 100000
EOT
  taskset -c 0 "$BIN/madoguchi-server" serve --config "$WORK/server.toml" >"$WORK/serve.out" 2>&1 &
  SERVER=$!
  for _ in $(seq 100); do grep -q "listening on" "$WORK/serve.out" && break; sleep 0.1; done
  printf '%-34s' "$1"
  taskset -c 1 "$BIN/madoguchi-loadgen" --url https://127.0.0.1:18470 --procedure validity-check \
    --requests "$N" --concurrency 8 --connections "$4" --server-pid "$SERVER" 2>"$WORK/lg.err" |
    grep -oE 'throughput_per_s=[0-9]+|[0-9.]+ µs per request' | tr '\n' ' '
  echo
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
}

echo "== openssl speed (CPU 0): RSA-2048 sign, ECDSA P-256 sign, X25519"
taskset -c 0 openssl speed -seconds 2 rsa2048 ecdsap256 ecdhx25519 2>/dev/null |
  grep -E '^rsa 2048|256 bits ecdsa|253 bits ecdh'
for c in kept fresh resumed; do
  run "RSA-2048 certificate, $c" "$PKI/server.pem" "$WORK/rsa-key.pem" "$c"
  run "ECDSA P-256 certificate, $c" "$WORK/ec.pem" "$WORK/ec-key.pem" "$c"
done
