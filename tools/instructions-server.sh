#!/usr/bin/env bash
# Instructions the reference online window executes per request, counted by callgrind
# (docs/benchmarks.md, "Issue 14"). Unlike CPU time, an instruction count does not move
# with the machine's load, so before/after figures from a shared machine compare.
#
#   cargo build --release -p madoguchi-server
#   tools/instructions-server.sh [REQUESTS] [validity-check|revocation]   # default 1000
#   BIN=/other/build/release tools/instructions-server.sh ...            # another build
#
# The window (SQLite, in a temporary folder) runs under callgrind. The load generator
# fetches its challenges, then the counters are zeroed (while it signs), it sends REQUESTS
# submissions (16 in flight), and the counters are dumped: their total divided by REQUESTS
# is the submission's cost (the challenge is not counted: it is fetched before). Then the
# same for the checks 1-4 alone (`--local-checks`, counted inside `check_request` only) and
# for one RSA-2048 verification (RSA_FN: the function to count; builds before aws-lc-rs:
# RSA_FN=ring_verify_sha256_rsa). Prints the inclusive breakdown by function.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
PROC=${2:-validity-check}
BIN=${BIN:-target/release}
PKI=$(pwd)/fixtures/pki
WORK=$(mktemp -d)
VG=
cleanup() {
  [ -n "$VG" ] && kill "$VG" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

top() { # $1 = callgrind file, $2 = lines: the inclusive breakdown by function
  callgrind_annotate --inclusive=yes "$1" >"$1.txt" 2>/dev/null || true
  sed -n '/file:function/,$p' "$1.txt" | head -"$2" | cut -c1-220 || true
}
total_ir() { callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'; }

echo "== checks 1-4 alone (inside check_request), 2000 times"
valgrind --tool=callgrind --callgrind-out-file="$WORK/local.out" \
  --toggle-collect='*check_request*' "$BIN/madoguchi-loadgen" --local-checks 2000 >/dev/null 2>&1
echo "instructions per check_request: $(( $(total_ir "$WORK/local.out") / 2000 ))"
top "$WORK/local.out" 40

echo "== one RSA-2048 verification as the window makes it (${RSA_FN:-verify_sha256_rsa_pkcs1}), 2000 times"
valgrind --tool=callgrind --callgrind-out-file="$WORK/ring.out" \
  --toggle-collect="*${RSA_FN:-verify_sha256_rsa_pkcs1}*" "$BIN/madoguchi-loadgen" --local-checks 2000 >/dev/null 2>&1
echo "instructions per RSA verification: $(( $(total_ir "$WORK/ring.out") / 2000 ))"

echo "== the window, SQLite, $N $PROC submissions (16 in flight)"
install -m 600 "$PKI/server-key.pem" "$WORK/server-key.pem"
cat >"$WORK/server.toml" <<EOF
listen = "127.0.0.1:18450"
tls_certificate = "$PKI/server.pem"
tls_key = "$WORK/server-key.pem"
signing_cas = ["$PKI/sign-ca.der"]
database = "$WORK/window.db"
[limits]
per_client_requests_per_sec = 100000000
per_client_burst = 100000000
max_connections_per_client = 100000
read_timeout_secs = 60
write_timeout_secs = 60
EOF
valgrind --tool=callgrind --callgrind-out-file="$WORK/server.out" \
  "$BIN/madoguchi-server" serve --config "$WORK/server.toml" >"$WORK/serve.out" 2>"$WORK/vg.err" &
VG=$!
for _ in $(seq 600); do grep -q "listening on" "$WORK/serve.out" && break; sleep 0.1; done
"$BIN/madoguchi-loadgen" --url https://127.0.0.1:18450 --procedure "$PROC" --requests "$N" \
  --concurrency 16 --sign-threads 1 >"$WORK/lg.out" 2>"$WORK/lg.err" &
LG=$!
until grep -q "fetched" "$WORK/lg.err"; do
  kill -0 "$LG" 2>/dev/null || { cat "$WORK/lg.err"; exit 1; }
  sleep 0.05
done
callgrind_control -z "$VG" >/dev/null
wait "$LG"
callgrind_control -d "$VG" >/dev/null
cat "$WORK/lg.out"
DUMP=$(ls "$WORK"/server.out.* | head -1)
echo "instructions per submission (whole window process): $(( $(total_ir "$DUMP") / N ))"
top "$DUMP" "${TOP:-80}"
