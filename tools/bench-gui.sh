#!/usr/bin/env bash
# GUI benchmarks under Xvfb (docs/benchmarks.md, "The app"):
# - cold start: process start to its window mapped (iced maps the window
#   once the first user interface is built, right before the first frame),
#   median of RUNS runs, for `madoguchi --demo` and the minimal iced app
#   `examples/hello_iced.rs` built with the same features;
# - idle memory: VmRSS after IDLE seconds on the first screen;
# - idle CPU: user+system CPU time used over IDLE seconds, for
#   `madoguchi --demo` and for `madoguchi` on PC/SC with the reader watch
#   running (a reader attached when pcscd has one, e.g. vpcd's).
# Usage: tools/bench-gui.sh [--release]
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=debug
if [ "${1:-}" = --release ]; then PROFILE=release; fi
RUNS="${RUNS:-5}"
IDLE="${IDLE:-10}"
if [ "$PROFILE" = release ]; then
  cargo build -p madoguchi --release --bin madoguchi --example hello_iced --quiet
else
  cargo build -p madoguchi --bin madoguchi --example hello_iced --quiet
fi
APP=target/$PROFILE/madoguchi
HELLO=target/$PROFILE/examples/hello_iced

DISPLAY_NUM="${BENCH_DISPLAY:-:94}"
CONFIG=$(mktemp -d)
Xvfb "$DISPLAY_NUM" -screen 0 1280x900x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
trap 'kill $XVFB 2>/dev/null; rm -rf "$CONFIG"' EXIT
sleep 1
export DISPLAY="$DISPLAY_NUM" ICED_BACKEND=tiny-skia WINIT_X11_SCALE_FACTOR=1
export MADOGUCHI_CONFIG_DIR="$CONFIG" MADOGUCHI_ADMIN_SETTINGS="$CONFIG/none.toml"
unset WAYLAND_DISPLAY
TICKS=$(getconf CLK_TCK)

# ms from spawn to the window being mapped
start_ms() {
  local name=$1; shift
  local t0 t1 pid
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1 &
  pid=$!
  # xdotool's own --sync polls every 0.5 s: poll here every 5 ms instead
  for _ in $(seq 4000); do
    xdotool search --onlyvisible --name "$name" >/dev/null 2>&1 && break
    sleep 0.005
  done
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 )) "$pid"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# stop a run and wait until its window is gone (the next run must not
# find it)
finish() {
  kill "$1" 2>/dev/null || echo "run $1 ($2) had already ended" >&2
  for _ in $(seq 400); do
    xdotool search --name "$2" >/dev/null 2>&1 || break
    sleep 0.01
  done
}

# idle memory and CPU of one started program
idle() {
  local label=$1 name=$2; shift 2
  local pid ms c0 c1 rss
  read -r ms pid < <(start_ms "$name" "$@")
  sleep 2
  c0=$(cpu_ticks "$pid")
  sleep "$IDLE"
  c1=$(cpu_ticks "$pid")
  rss=$(rss_kb "$pid")
  finish "$pid" "$name"
  echo "$label: rss_kib=$rss idle_cpu_ms_per_${IDLE}s=$(( (c1 - c0) * 1000 / TICKS ))"
}

echo "profile: $PROFILE, runs: $RUNS (interleaved), idle: ${IDLE}s, load: $(cut -d' ' -f1-3 /proc/loadavg)"
HELLO_T=() APP_T=()
for _ in $(seq "$RUNS"); do
  read -r ms pid < <(start_ms hello-iced "$HELLO")
  HELLO_T+=("$ms"); finish "$pid" hello-iced
  read -r ms pid < <(start_ms Madoguchi "$APP" --demo)
  APP_T+=("$ms"); finish "$pid" Madoguchi
done
h=$(printf '%s\n' "${HELLO_T[@]}" | median)
a=$(printf '%s\n' "${APP_T[@]}" | median)
echo "start to window, median ms: hello-iced=$h (${HELLO_T[*]}) madoguchi --demo=$a (${APP_T[*]})"
idle "hello-iced" hello-iced "$HELLO"
idle "madoguchi --demo" Madoguchi "$APP" --demo
idle "madoguchi (PC/SC reader watch)" Madoguchi "$APP"
