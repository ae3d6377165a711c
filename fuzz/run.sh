#!/usr/bin/env bash
# Run fuzz targets for SECONDS each (default 15), seeded from the fixtures:
# the TARGETs named, or every target. `fuzz/run.sh 60` is the documented
# longer run. Needs cargo-fuzz; RUSTC_BOOTSTRAP lets the stable toolchain take
# the sanitizer-coverage flags cargo-fuzz passes.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-15}
shift || true
export RUSTC_BOOTSTRAP=1
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
mkdir -p "$seeds/certificate" "$seeds/card_data"
for d in ../fixtures/cards/*/; do
  n=$(basename "$d")
  cp "$d/sign.der" "$seeds/certificate/$n-sign.der"
  cp "$d/auth.der" "$seeds/card_data/$n-auth.der"
done
cp ../fixtures/pki/*.der "$seeds/certificate/"
if [ $# -gt 0 ]; then targets="$*"; else targets=$(cargo fuzz list); fi
for t in $targets; do cargo fuzz build -s none "$t"; done
for t in $targets; do
  mkdir -p "corpus/$t"
  extra=()
  [ -d "$seeds/$t" ] && extra=("$seeds/$t")
  # Server targets bring their own seeds under fuzz/seeds/<target> if any.
  [ -d "seeds/$t" ] && extra+=("seeds/$t")
  echo "== $t (${secs}s)"
  cargo fuzz run -s none "$t" "corpus/$t" "${extra[@]}" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 2>&1 |
    grep -E "^Done|stat::number_of_executed_units|stat::peak_rss|ERROR|panicked" || true
  # A crash leaves an artifact and a non-zero exit; make it fail the run.
  if compgen -G "artifacts/$t/crash-*" >/dev/null; then
    echo "fuzz target $t crashed:"; ls "artifacts/$t"; exit 1
  fi
done
