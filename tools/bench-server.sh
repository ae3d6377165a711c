#!/usr/bin/env bash
# Throughput of the reference online window (docs/benchmarks.md, "Online window"):
# the server pinned to CPU 0, the load generator to CPU 1, on SQLite and on PostgreSQL
# (1 instance, then 2 instances on one database), and `openssl speed` RSA-2048 verify
# in the same run for the ratio; on PostgreSQL also the database's CPU per request (all the
# cluster's processes); and the floor (crates/server/examples/floor.rs: TLS, HTTP/1.1 and
# checks 1-4 only, no record) under the same load. Needs a release build:
#   cargo build --release -p madoguchi-server --bins --example floor
# Usage: [BIN=dir] tools/bench-server.sh [REQUESTS] (default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
BIN=${BIN:-target/release}  # another build to compare: BIN=/path/to/dir
PKI=$(pwd)/fixtures/pki
WORK=$(mktemp -d)
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -f "$WORK/pg/PG_VERSION" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }

install -m 600 "$PKI/server-key.pem" "$WORK/server-key.pem"
config() { # $1 = database, $2 = port
  cat >"$WORK/server-$2.toml" <<EOF
listen = "127.0.0.1:$2"
tls_certificate = "$PKI/server.pem"
tls_key = "$WORK/server-key.pem"
signing_cas = ["$PKI/sign-ca.der"]
database = "$1"
[limits]
# One load generator is one client here: no per-client limit in the way.
per_client_requests_per_sec = 100000000
per_client_burst = 100000000
max_connections_per_client = 100000
EOF
  echo "$WORK/server-$2.toml"
}
serve() { # $1 = config, $2 = cpu list, $3 = program (default: the window)
  taskset -c "$2" ${3:-"$BIN/madoguchi-server" serve} --config "$1" >"$WORK/serve.out" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do grep -q "listening on" "$WORK/serve.out" && break; sleep 0.1; done
}
measure() { # $1 = label, $2 = procedure, $3 = url, $4 = first serial, $5 = server pid(s), a,b
  echo "-- $1"
  taskset -c 1 "$BIN/madoguchi-loadgen" --url "$3" --procedure "$2" --requests "$N" \
    --concurrency 64 --first-serial "$4" --sign-threads 2 --server-pid "$5" 2>"$WORK/loadgen.err" \
    || { echo "loadgen failed:"; tail -3 "$WORK/loadgen.err"; return 1; }
}
# CPU ticks used so far by the PostgreSQL cluster: the postmaster and every process it
# started that is still running (the windows' connections live as long as the windows).
pg_ticks() {
  local pm t=0 p
  pm=$(head -1 "$WORK/pg/postmaster.pid")
  for p in "$pm" $(ps -o pid= --ppid "$pm"); do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}
pg_measure() { # as measure, then the database's CPU per request ($6 = requests in all)
  local before after
  before=$(pg_ticks)
  measure "$1" "$2" "$3" "$4" "$5"
  after=$(pg_ticks)
  echo "database CPU: $(( (after - before) * 1000000 / $(getconf CLK_TCK) / ${6:-$N} )) µs per request"
}

echo "== openssl speed rsa2048 (verify), one thread on CPU 0"
taskset -c 0 openssl speed -seconds 3 rsa2048 2>/dev/null | grep -E '^rsa 2048|sign/s'

echo "== window checks 1-4 alone, one thread on CPU 0"
taskset -c 0 "$BIN/madoguchi-loadgen" --local-checks 20000

if [ -z "${ONLY_TWO:-}" ]; then  # ONLY_TWO=1: just the two-instance run
[ -x "$BIN/examples/floor" ] || { echo "no $BIN/examples/floor: cargo build --release -p madoguchi-server --example floor"; exit 1; }
echo "== the floor on CPU 0: TLS, HTTP/1.1, checks 1-4 and the challenge's MAC; no record"
serve "$(config "$WORK/unused.db" 18447)" 0 "$BIN/examples/floor"
measure floor validity-check https://127.0.0.1:18447 0 "${PIDS[-1]}"
kill "${PIDS[-1]}"

echo "== SQLite, 1 instance on CPU 0"
serve "$(config "$WORK/window.db" 18443)" 0
measure sqlite validity-check https://127.0.0.1:18443 0 "${PIDS[-1]}"
measure sqlite revocation https://127.0.0.1:18443 1048576 "${PIDS[-1]}"
kill "${PIDS[-1]}"
fi

echo "== PostgreSQL: a private cluster (fsync on, synchronous_commit on) on CPU 1"
mkdir -p "$WORK/pg" && chmod 777 "$WORK"
[ "$(id -u)" = 0 ] && chown nobody "$WORK/pg"
as_pg "$PG_BIN/initdb" -D "$WORK/pg" -U madoguchi --auth=trust --no-locale -E UTF8 >/dev/null
as_pg taskset -c 1 "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w \
  -o "-p 15432 -k $WORK -c listen_addresses=127.0.0.1" start >/dev/null
"$PG_BIN/psql" -X -q -h 127.0.0.1 -p 15432 -U madoguchi -d postgres -c "CREATE DATABASE madoguchi"
PGURL=postgresql://madoguchi@127.0.0.1:15432/madoguchi

if [ -z "${ONLY_TWO:-}" ]; then
echo "== PostgreSQL, 1 instance on CPU 0 (database and load generator on CPU 1)"
serve "$(config "$PGURL" 18444)" 0
pg_measure postgres-1 validity-check https://127.0.0.1:18444 0 "${PIDS[-1]}"
pg_measure postgres-1 revocation https://127.0.0.1:18444 2097152 "${PIDS[-1]}"
kill "${PIDS[-1]}"
fi

echo "== PostgreSQL, 2 instances (both on CPU 0), load split between them"
serve "$(config "$PGURL" 18445)" 0
A=${PIDS[-1]}
serve "$(config "$PGURL" 18446)" 0
B=${PIDS[-1]}
# Two load generators at once, half the requests each, each on CPU 1.
N=$((N / 2))
BEFORE=$(pg_ticks)
measure postgres-2/A revocation https://127.0.0.1:18445 3145728 "$A,$B" >"$WORK/a.out" &
GA=$!
measure postgres-2/B revocation https://127.0.0.1:18446 4194304 "$A,$B" >"$WORK/b.out" &
GB=$!
wait "$GA" "$GB" || echo "(a load generator failed)"
AFTER=$(pg_ticks)
cat "$WORK/a.out" "$WORK/b.out"
echo "database CPU: $(( (AFTER - BEFORE) * 1000000 / $(getconf CLK_TCK) / (2 * N) )) µs per request"
