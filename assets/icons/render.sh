#!/usr/bin/env bash
# Renders the application icon from madoguchi.svg into the files the packages
# use, all committed next to this script:
#   hicolor/NxN/apps/io.github.madoguchi.Madoguchi.png  Linux (16 ... 512)
#   madoguchi.ico                                        Windows (16, 24, 32, 48, 64, 256)
#   madoguchi.icns                                       macOS (16 ... 512)
# Needs (Debian): librsvg2-bin (rsvg-convert), imagemagick (/usr/bin/convert),
# icnsutils (png2icns). Run it after changing the SVG and commit the results.
set -euo pipefail
cd "$(dirname "$0")"

SVG=madoguchi.svg
ID=io.github.madoguchi.Madoguchi
CONVERT=/usr/bin/convert # not a stand-in that may sit earlier on PATH
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

render() { rsvg-convert --width "$1" --height "$1" --keep-aspect-ratio "$SVG" -o "$2"; }

for size in 16 32 48 64 128 256 512; do
  mkdir -p "hicolor/${size}x${size}/apps"
  render "$size" "hicolor/${size}x${size}/apps/$ID.png"
done

for size in 16 24 32 48 64 256; do render "$size" "$TMP/ico-$size.png"; done
"$CONVERT" "$TMP"/ico-16.png "$TMP"/ico-24.png "$TMP"/ico-32.png "$TMP"/ico-48.png \
  "$TMP"/ico-64.png "$TMP"/ico-256.png madoguchi.ico

png2icns madoguchi.icns hicolor/16x16/apps/$ID.png hicolor/32x32/apps/$ID.png \
  hicolor/48x48/apps/$ID.png hicolor/128x128/apps/$ID.png hicolor/256x256/apps/$ID.png \
  hicolor/512x512/apps/$ID.png >/dev/null

ls -l hicolor/*/apps/$ID.png madoguchi.ico madoguchi.icns
