#!/usr/bin/env bash
# Packaging checks run by .ci/run (Linux, as root or with sudo):
#
#  1. static checks of every packaging definition: the desktop entry and the AppStream
#     metainfo validate, the WiX sources and macOS property lists parse (and hang
#     together), the example preset has only the app's keys, the shell scripts parse;
#  2. build the .deb (packaging/linux/build-deb.sh, pinned cargo-deb installed if missing),
#     from the binary `cargo test --workspace` built (MADOGUCHI_CI_DEB=release: a release build);
#  3. install it with dpkg -i, then run the INSTALLED binary as an unprivileged user with the
#     source tree's test PKI out of reach: --version, `--demo status --json`, and a whole
#     `--demo check` against the in-process online window (the demo makes its own PKI);
#     outside demo mode, a window is refused until an anchor is configured;
#  3b. scan the unpacked package and the binary for private keys and test certificates
#     (packaging/keyscan.py, which first proves on planted samples that it finds them);
#  4. validate the installed desktop entry and metainfo (appstreamcli validate-tree), list
#     the package, remove it.
#
# Needs (Debian): dpkg-dev desktop-file-utils appstream python3, plus the build dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
ID=io.github.madoguchi.Madoguchi
step() { echo "== packaging: $*"; }

step "static checks"
desktop-file-validate packaging/linux/$ID.desktop
appstreamcli validate --no-net --explain packaging/linux/$ID.metainfo.xml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - packaging/windows/main.wxs packaging/macos/Info.plist \
  packaging/macos/entitlements.plist packaging/linux/settings.toml <<'EOF'
import plistlib, sys, tomllib, xml.etree.ElementTree as ET
wxs_main, info, entitlements, preset = sys.argv[1:]
ns = {"w": "http://schemas.microsoft.com/wix/2006/wi"}
main = ET.parse(wxs_main).getroot()
# the feature tree references every component, and only defined ones
defined = {c.get("Id") for c in main.iter("{%s}Component" % ns["w"])}
groups = {g.get("Id") for g in main.iter("{%s}ComponentGroup" % ns["w"])}
refs = {r.get("Id") for r in main.iter("{%s}ComponentRef" % ns["w"])}
assert refs <= defined, f"ComponentRef without a Component: {sorted(refs - defined)}"
assert defined <= refs, f"Component in no Feature: {sorted(defined - refs)}"
for ref in main.iter("{%s}ComponentGroupRef" % ns["w"]):
    assert ref.get("Id") in groups, f"ComponentGroupRef {ref.get('Id')} is not defined"
props = {p.get("Id") for p in main.iter("{%s}Property" % ns["w"])}
for p in ("SERVER_URL", "ANCHOR", "PROXY", "COUNTER_MODE", "LANGUAGE"):
    assert p in props, f"public property {p} missing"
# every scheduled custom action exists, and is placed relative to one that does
actions = {a.get("Id") for a in main.iter("{%s}CustomAction" % ns["w"])}
actions |= {"Set" + a.get("Id") for a in main.iter("{%s}SetProperty" % ns["w"])}
standard = {"CostFinalize", "InstallInitialize", "InstallFiles", "InstallFinalize"}
for c in main.iter("{%s}Custom" % ns["w"]):
    assert c.get("Action") in actions, f"Custom {c.get('Action')} is not defined"
    anchor = c.get("After") or c.get("Before")
    assert anchor in actions | standard, f"Custom {c.get('Action')} placed after/before unknown {anchor}"
    assert (c.text or "").strip(), f"Custom {c.get('Action')} has no condition"
plist = plistlib.load(open(info, "rb"))
assert plist["CFBundleIdentifier"] == "io.github.madoguchi.Madoguchi"
assert set(plist["CFBundleLocalizations"]) == {"ja", "en"}
assert plistlib.load(open(entitlements, "rb"))["com.apple.security.smartcard"] is True
# the example preset: only keys of the app's settings file (src/ui/settings.rs)
types = {"language": str, "text_size": str, "server": str, "anchor": str, "proxy": str,
         "counter_mode": bool, "idle_timeout_seconds": int}
for key, value in tomllib.load(open(preset, "rb")).items():
    assert key in types and isinstance(value, types[key]), f"{preset}: {key} = {value!r}"
print(f"wxs: {len(defined)} components; plists and preset parse")
EOF
for script in packaging/linux/build-deb.sh packaging/macos/build-app.sh packaging/ci.sh assets/icons/render.sh; do
  bash -n "$script"
done

step "build the .deb"
# By default the package takes the dev-profile binary the test run has just built (the
# packaging is the same; a release build would add many minutes on 2 cores). Set
# MADOGUCHI_CI_DEB=release to build and test the release package instead.
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
version=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="madoguchi"))')
start=$(date +%s)
if [ "${MADOGUCHI_CI_DEB:-dev}" = release ]; then
  packaging/linux/build-deb.sh --install-tools --rpm
  deb="$target_dir/debian/madoguchi_${version}-1_amd64.deb"
  built="$target_dir/release/madoguchi"
else
  # The .rpm too, from the same binary: CI unpacks and scans it (no rpm install here).
  packaging/linux/build-deb.sh --install-tools --dev-binary --rpm
  deb="$target_dir/ci-deb/debian/madoguchi_${version}-1_amd64.deb"
  built="$target_dir/debug/madoguchi"
fi
echo "build-deb.sh: $(( $(date +%s) - start )) s"
dpkg-deb --info "$deb"

step "install it"
if ! $SUDO dpkg -i "$deb"; then
  $SUDO apt-get install -f -y --no-install-recommends
fi
dpkg -s madoguchi | grep -E '^(Status|Version|Depends):'
test "$(command -v madoguchi)" = /usr/bin/madoguchi

step "run the installed binary"
# The installed binary runs as nobody (so nothing it needs may be written anywhere root
# owns) with the source tree's test PKI out of reach (the package ships none; the demo
# makes its own): a private mount namespace lays an empty tmpfs over fixtures/; where
# namespaces are not allowed, fixtures/ is moved aside for the duration (CI runs alone on
# its clone).
hidden=""
if $SUDO unshare -m true 2>/dev/null; then
  # shellcheck disable=SC2016 # $0 and $@ belong to the inner shell
  hiding() { $SUDO unshare -m sh -c 'mount -t tmpfs -o ro,size=64k hidden "$0" && exec "$@"' "$PWD/fixtures" "$@"; }
else
  hidden=fixtures.ci-hidden
  mv fixtures "$hidden"
  trap 'mv "$hidden" fixtures; rm -rf "$tmp"' EXIT
  hiding() { $SUDO "$@"; }
fi
as_nobody() {
  hiding runuser -u nobody -- env -u MADOGUCHI_DEMO_MATERIAL -u MADOGUCHI_SERVER \
    -u MADOGUCHI_ANCHOR HOME=/nonexistent "$@"
}
# The hiding works: the test PKI is not there for the installed binary.
# shellcheck disable=SC2016 # $0 belongs to the inner shell
if hiding sh -c 'test -e "$0/pki/tls-ca.pem"' "$PWD/fixtures"; then
  echo "the source tree's test PKI is still reachable" >&2
  exit 1
fi

reported=$(as_nobody /usr/bin/madoguchi --version)
echo "$reported"
case "$reported" in
  "madoguchi $version"*) ;;
  *) echo "unexpected --version: $reported (want madoguchi $version)" >&2; exit 1 ;;
esac

as_nobody /usr/bin/madoguchi --demo status --json >"$tmp/status.json"
python3 - "$tmp/status.json" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
card = v["card"]
assert card["kind"] == "my_number_card", card
assert card["signing_password"]["tries_left"] == 5, card
print("status: demo card", card["reader"], "signing password tries left", card["signing_password"]["tries_left"])
EOF

printf 'ABC123\nABC123\n' | as_nobody /usr/bin/madoguchi --demo check --pin-stdin --yes --json >"$tmp/check.json"
python3 - "$tmp/check.json" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
assert v.get("outcome") == "valid", v
print("check: validity check on the demo's own PKI:", v["outcome"])
EOF
# Outside demo mode nothing is trusted by default: a window without an anchor is refused
# before any connection (E315, exit 19), and no window at all is said plainly (E311).
set +e
as_nobody /usr/bin/madoguchi --lang en check --server https://127.0.0.1:9 --pin-stdin --yes \
  </dev/null >"$tmp/no-anchor.out" 2>&1
rc=$?
as_nobody /usr/bin/madoguchi --lang en check --pin-stdin --yes </dev/null >"$tmp/no-window.out" 2>&1
rc2=$?
set -e
if [ "$rc" != 19 ] || ! grep -q E315 "$tmp/no-anchor.out"; then
  echo "a window without an anchor was not refused (exit $rc):" >&2; cat "$tmp/no-anchor.out" >&2; exit 1
fi
if [ "$rc2" != 19 ] || ! grep -q "No online window configured" "$tmp/no-window.out"; then
  echo "no window configured was not said (exit $rc2):" >&2; cat "$tmp/no-window.out" >&2; exit 1
fi
echo "production: no anchor -> E315, exit 19; no window -> E311, exit 19"
if [ -n "$hidden" ]; then
  mv "$hidden" fixtures
  trap 'rm -rf "$tmp"' EXIT
fi

step "validate the installed files"
desktop-file-validate /usr/share/applications/$ID.desktop
appstreamcli validate --no-net /usr/share/metainfo/$ID.metainfo.xml
mkdir -p "$tmp/root"
dpkg-deb -x "$deb" "$tmp/root"
appstreamcli validate-tree --no-net "$tmp/root"
for f in /usr/share/icons/hicolor/scalable/apps/$ID.svg /usr/share/icons/hicolor/512x512/apps/$ID.png \
  /usr/share/doc/madoguchi/copyright \
  /usr/share/doc/madoguchi/fonts/OFL.txt /usr/share/doc/madoguchi/fonts/OFL-NotoSansCJK.txt \
  /usr/share/doc/madoguchi/THIRD-PARTY-LICENSES.md; do
  test -f "$f" || { echo "missing after install: $f" >&2; exit 1; }
done

if [ -e /usr/share/madoguchi ]; then
  echo "the package installs demo material into /usr/share/madoguchi" >&2; exit 1
fi

step "no private key and no test certificate in the package or the binary"
# The rules first find every kind of key planted in samples (so this check can fail),
# then the unpacked .deb and the binary it was built from are scanned.
rpmfile=$(echo "$target_dir"/generate-rpm/madoguchi-*.rpm)
mkdir -p "$tmp/rpmroot"
# rpm2cpio 4.18 exits 1 on cargo-generate-rpm's packages although it writes the whole
# payload; what it wrote is checked instead: the binary must come out byte for byte.
rpm2cpio "$rpmfile" >"$tmp/madoguchi.cpio" || true
(cd "$tmp/rpmroot" && cpio -idm --quiet <"$tmp/madoguchi.cpio")
cmp target/packaging/madoguchi "$tmp/rpmroot/usr/bin/madoguchi" \
  || { echo "the .rpm did not unpack whole" >&2; exit 1; }
python3 packaging/keyscan.py --self-test --repo fixtures "$tmp/root" "$tmp/rpmroot" "$built"

step "package contents"
dpkg-deb -c "$deb" | awk '{ total += $3; files += ($1 !~ /^d/) } END { printf "%d files, %d bytes unpacked\n", files, total }'
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ && $3 > 100000 { print $3, $6 }'
echo "$(stat -c %s "$deb") bytes: $deb"

step "remove it"
$SUDO dpkg -r madoguchi
test ! -e /usr/bin/madoguchi
echo "packaging checks passed"
