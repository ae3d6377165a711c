#!/usr/bin/env bash
# Builds Madoguchi.app and a .dmg on macOS:
#
#   target/macos/Madoguchi.app
#   target/macos/Madoguchi-VERSION.dmg
#
# Usage: packaging/macos/build-app.sh [--universal] [--no-build]
#   --universal  build aarch64 and x86_64 and join them with lipo (needs both Rust targets:
#                rustup target add aarch64-apple-darwin x86_64-apple-darwin)
#   --no-build   reuse target/release/madoguchi (or the per-target builds with --universal)
#
# Signing and notarisation are driven by the environment (see packaging/macos/README.md):
#   MACOS_SIGNING_IDENTITY  "Developer ID Application: NAME (TEAMID)"; unset: ad-hoc signature
#   NOTARY_PROFILE          a `xcrun notarytool store-credentials` profile; set: notarise the
#                           .dmg and staple the ticket to it
set -euo pipefail
cd "$(dirname "$0")/../.."

universal=false
build=true
for arg in "$@"; do
  case "$arg" in
    --universal) universal=true ;;
    --no-build) build=false ;;
    *) echo "usage: $0 [--universal] [--no-build]" >&2; exit 2 ;;
  esac
done

if [ "$(uname -s)" != Darwin ]; then
  echo "build-app.sh runs on macOS only (codesign, lipo, hdiutil)" >&2
  exit 1
fi

meta=$(cargo metadata --format-version 1 --no-deps)
version=$(python3 -c 'import json,sys; m=json.load(sys.stdin); print(next(p["version"] for p in m["packages"] if p["name"]=="madoguchi"))' <<<"$meta")
target_dir=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])' <<<"$meta")
out="$target_dir/macos"
app="$out/Madoguchi.app"
stage="$target_dir/packaging"
mkdir -p "$out" "$stage"

# 1. The binary: native, or universal (arm64 + x86_64).
if $universal; then
  for t in aarch64-apple-darwin x86_64-apple-darwin; do
    if $build; then cargo build --release --locked -p madoguchi --bin madoguchi --target "$t"; fi
  done
  lipo -create -output "$stage/madoguchi" \
    "$target_dir/aarch64-apple-darwin/release/madoguchi" \
    "$target_dir/x86_64-apple-darwin/release/madoguchi"
else
  if $build; then cargo build --release --locked -p madoguchi --bin madoguchi; fi
  cp "$target_dir/release/madoguchi" "$stage/madoguchi"
fi
strip -x "$stage/madoguchi"
python3 packaging/third-party-licenses.py --target "$(rustc -vV | sed -n 's/^host: //p')" \
  "$stage/THIRD-PARTY-LICENSES.md"

# 2. The bundle. No demo material: the demo makes its own PKI at run time, and no key
#    ships (packaging/keyscan.py).
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources/licenses"
cp "$stage/madoguchi" "$app/Contents/MacOS/madoguchi"
sed "s/@VERSION@/$version/g" packaging/macos/Info.plist >"$app/Contents/Info.plist"
plutil -lint "$app/Contents/Info.plist"
printf 'APPL????' >"$app/Contents/PkgInfo"
cp assets/icons/madoguchi.icns "$app/Contents/Resources/madoguchi.icns"
cp -R packaging/macos/ja.lproj packaging/macos/en.lproj "$app/Contents/Resources/"
cp LICENSE-MIT LICENSE-APACHE "$app/Contents/Resources/licenses/"
cp assets/fonts/OFL.txt "$app/Contents/Resources/licenses/OFL-BIZ-UDPGothic.txt"
cp assets/fonts/OFL-NotoSansCJK.txt "$app/Contents/Resources/licenses/OFL-NotoSansCJK.txt"
cp "$stage/THIRD-PARTY-LICENSES.md" docs/admin-presets.md "$app/Contents/Resources/licenses/"

# 3. Signature: hardened runtime with the entitlements (smart card). Without an identity,
#    an ad-hoc signature (runs on this Mac; Gatekeeper rejects it elsewhere).
identity="${MACOS_SIGNING_IDENTITY:--}"
sign_opts=(--force --options runtime --entitlements packaging/macos/entitlements.plist --sign "$identity")
if [ "$identity" != - ]; then sign_opts+=(--timestamp); fi
codesign "${sign_opts[@]}" "$app/Contents/MacOS/madoguchi"
codesign "${sign_opts[@]}" "$app"
codesign --verify --strict --verbose=2 "$app"
codesign --display --entitlements - "$app"

# 4. The disk image: the app and a link to /Applications.
dmg="$out/Madoguchi-$version.dmg"
dmgroot="$out/dmg-root"
rm -rf "$dmgroot" "$dmg"
mkdir -p "$dmgroot"
cp -R "$app" "$dmgroot/"
ln -s /Applications "$dmgroot/Applications"
hdiutil create -volname "Madoguchi $version" -srcfolder "$dmgroot" -fs HFS+ -format UDZO -ov "$dmg"
rm -rf "$dmgroot"
if [ "$identity" != - ]; then codesign --force --timestamp --sign "$identity" "$dmg"; fi

# 5. Notarisation (needs a Developer ID signature) and stapling.
if [ -n "${NOTARY_PROFILE:-}" ]; then
  if [ "$identity" = - ]; then
    echo "NOTARY_PROFILE is set but MACOS_SIGNING_IDENTITY is not: an ad-hoc signature cannot be notarised" >&2
    exit 1
  fi
  xcrun notarytool submit "$dmg" --keychain-profile "$NOTARY_PROFILE" --wait
  xcrun stapler staple "$dmg"
  xcrun stapler validate "$dmg"
  spctl --assess --type open --context context:primary-signature --verbose "$dmg"
fi

echo "built $app"
echo "built $dmg ($(stat -f %z "$dmg") bytes)"
