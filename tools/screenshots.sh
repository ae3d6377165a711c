#!/usr/bin/env bash
# Screenshots of every main screen of the real app, in Japanese and English,
# taken under Xvfb: docs/screenshots/<screen>-<lang>.png.
#
# Each screen is opened by the screenshot walker, `examples/screens.rs` (the
# real app in demo mode, walked there as a user would), except that the password dialog is also
# driven for real: xdotool types the demo password and presses Enter, and
# the document screen that follows is captured as `typed-review-<lang>`.
#
# With no screens named, the text-size and colour settings follow on some
# screens: `<screen>-large-<lang>` (130 %), `<screen>-largest-<lang>` (200 %:
# the same 1024×768 window is then 512×384 logical pixels, and every screen
# must reflow into it), `<screen>-hc-<lang>` (high contrast) and
# `<screen>-hc-largest-<lang>` (both).
#
# Needs: Xvfb, xdotool, imagemagick (import, convert). Usage: tools/screenshots.sh
# [--variants [large|largest|hc|hc-largest ...] | screen ...]   (default:
# all; --variants: only the settings' variants, or only those named). SCREENSHOT_DISPLAY picks the display (:93).
set -euo pipefail
cd "$(dirname "$0")/.."

SCREENS=(top card-preparation working password last-try review signing-password
  sign-confirmation send-confirmation result-accepted result-valid
  result-revoked already-revoked duplicate revocation-accepted
  issuer-result certificate-invalid locked expired issuer-warning
  card-not-ready unexpected certificate rare-kanji card-status server
  settings change-password card-removed)
VARIANTS=1
ONLY=()
if [ "${1:-}" = --variants ]; then
  SCREENS=()
  shift
  ONLY=("$@")
elif [ $# -gt 0 ]; then
  SCREENS=("$@")
  VARIANTS=0
fi

OUT=docs/screenshots
DISPLAY_NUM="${SCREENSHOT_DISPLAY:-:93}"
mkdir -p "$OUT"
cargo build -p madoguchi --example screens --quiet
BIN=target/debug/examples/screens

CONFIG=$(mktemp -d)
Xvfb "$DISPLAY_NUM" -screen 0 1024x768x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
cleanup() { kill "$XVFB" 2>/dev/null || true; rm -rf "$CONFIG"; }
trap cleanup EXIT
for _ in $(seq 50); do
  DISPLAY="$DISPLAY_NUM" xdpyinfo >/dev/null 2>&1 && break
  sleep 0.1
done

export DISPLAY="$DISPLAY_NUM" ICED_BACKEND=tiny-skia WINIT_X11_SCALE_FACTOR=1
export MADOGUCHI_CONFIG_DIR="$CONFIG" MADOGUCHI_ADMIN_SETTINGS="$CONFIG/none.toml"
unset WAYLAND_DISPLAY

# Start the app on a screen; wait for its window to show and settle.
start() {
  "$BIN" --demo --lang "$1" --screen "$2" >/dev/null 2>&1 &
  APP=$!
  for _ in $(seq 300); do
    if xdotool search --onlyvisible --name Madoguchi >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  sleep 2
}

# /usr/local/bin/convert may be a stand-in on some machines: take imagemagick's.
CONVERT=convert
if [ -x /usr/bin/convert ]; then CONVERT=/usr/bin/convert; fi

# Capture the screen; a frame not drawn yet (black) is taken again.
# Returns 1 if it stays black.
shot() {
  xdotool mousemove 1020 760 >/dev/null 2>&1 || true
  for _ in $(seq 5); do
    import -window root "$1"
    # Not drawn: black all over. (Not "mostly dark": high contrast is.)
    if [ "$("$CONVERT" "$1" -format '%[fx:maxima>0.5]' info:)" = 1 ]; then return 0; fi
    sleep 1
  done
  return 1
}

# Start the app on a screen and capture it; a window that stays black
# (rare under Xvfb with no window manager) gets a fresh start.
capture() {
  local lang=$1 screen=$2 file=$3
  for _ in 1 2 3; do
    start "$lang" "$screen"
    if shot "$file"; then return 0; fi
    stop
  done
  echo "still black: $file" >&2
  FAILED=$((FAILED + 1))
  return 1
}
FAILED=0

stop() {
  kill "$APP" 2>/dev/null || true
  wait "$APP" 2>/dev/null || true
}

for lang in ja en; do
  for screen in ${SCREENS[@]+"${SCREENS[@]}"}; do
    if ! capture "$lang" "$screen" "$OUT/$screen-$lang.png"; then continue; fi
    if [ "$screen" = password ]; then
      # Type for real: the password box has the keyboard when the dialog
      # opens.
      WIN=$(xdotool search --name Madoguchi | head -1)
      xdotool windowactivate --sync "$WIN" 2>/dev/null || true
      xdotool windowfocus --sync "$WIN" 2>/dev/null || true
      xdotool type --delay 80 "abc123"
      sleep 1
      shot "$OUT/typed-password-$lang.png" || FAILED=$((FAILED + 1))
      xdotool key Return
      sleep 2
      shot "$OUT/typed-review-$lang.png" || FAILED=$((FAILED + 1))
    fi
    stop
  done
done
# The settings' variants: large text (everything 1.3×, same window), 200 %
# text, high contrast, and both.
# At 200 % the page scrolls: `<screen>-largest-<lang>-end.png` is the same
# screen scrolled to its end with the mouse wheel.
variant() {
  local suffix=$1 settings=$2
  shift 2
  if [ ${#ONLY[@]} -gt 0 ] && [[ " ${ONLY[*]} " != *" $suffix "* ]]; then return 0; fi
  printf '%b' "$settings" > "$CONFIG/settings.toml"
  for lang in ja en; do
    for screen in "$@"; do
      capture "$lang" "$screen" "$OUT/$screen-$suffix-$lang.png" || continue
      if [[ $suffix == *largest ]]; then
        xdotool mousemove 500 300 click --repeat 40 --delay 30 5 >/dev/null 2>&1 || true
        sleep 1
        shot "$OUT/$screen-$suffix-$lang-end.png" || FAILED=$((FAILED + 1))
      fi
      stop
    done
  done
  rm -f "$CONFIG/settings.toml"
}
if [ "$VARIANTS" = 1 ]; then
  variant large 'text_size = "large"\n' top review
  variant largest 'text_size = "largest"\n' top card-preparation password \
    review sign-confirmation send-confirmation result-accepted locked \
    certificate card-status server settings change-password reader-choice
  variant hc 'theme = "high_contrast"\n' top password review \
    result-accepted locked settings
  variant hc-largest 'text_size = "largest"\ntheme = "high_contrast"\n' \
    top password review
fi
echo "screenshots in $OUT"
if [ "$FAILED" -gt 0 ]; then
  echo "$FAILED screenshot(s) stayed black; run the script again for those screens" >&2
  exit 1
fi
