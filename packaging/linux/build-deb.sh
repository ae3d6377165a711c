#!/usr/bin/env bash
# Builds the release binary and the Linux packages of the desktop app:
#
#   target/debian/madoguchi_VERSION-1_amd64.deb          cargo-deb
#   target/generate-rpm/madoguchi-VERSION-1.x86_64.rpm   cargo-generate-rpm (with --rpm)
#
# Usage: packaging/linux/build-deb.sh [--rpm] [--install-tools]
#   --rpm            also build the .rpm
#   --install-tools  install the pinned cargo-deb (and cargo-generate-rpm) when missing
#
# Needs: the build dependencies of the README (pkg-config, libpcsclite-dev),
# dpkg-dev (cargo-deb's $auto dependencies), python3 (licence list), binutils (strip).
# The package configuration is in Cargo.toml, [package.metadata.deb] and
# [package.metadata.generate-rpm]; what goes where is in docs/packaging.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

CARGO_DEB_VERSION=3.8.0
CARGO_GENERATE_RPM_VERSION=0.21.1

rpm=false
install_tools=false
for arg in "$@"; do
  case "$arg" in
    --rpm) rpm=true ;;
    --install-tools) install_tools=true ;;
    *) echo "usage: $0 [--rpm] [--install-tools]" >&2; exit 2 ;;
  esac
done

need_tool() { # subcommand crate version
  if ! cargo "$1" --version >/dev/null 2>&1; then
    if $install_tools; then
      cargo install "$2" --locked --version "$3"
    else
      echo "cargo $1 is missing: cargo install $2 --locked --version $3 (or pass --install-tools)" >&2
      exit 1
    fi
  fi
}
need_tool deb cargo-deb "$CARGO_DEB_VERSION"
if $rpm; then need_tool generate-rpm cargo-generate-rpm "$CARGO_GENERATE_RPM_VERSION"; fi

target_dir=$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
stage="$target_dir/packaging"
mkdir -p "$stage"

# One release build of the app binary; the packaging steps below reuse it.
start=$(date +%s)
cargo build --release --locked -p madoguchi --bin madoguchi
echo "release build: $(( $(date +%s) - start )) s"

# Files the packages take from target/packaging/: the licence list of the
# linked crates, and (for the .rpm, which does not strip) a stripped binary.
python3 packaging/third-party-licenses.py "$stage/THIRD-PARTY-LICENSES.md"
strip --strip-all -o "$stage/madoguchi" "$target_dir/release/madoguchi"

# cargo-deb strips the binary itself and computes the shared-library
# dependencies ($auto) with dpkg-shlibdeps.
cargo deb --no-build --locked -p madoguchi
deb=$(ls -t "$target_dir"/debian/madoguchi_*.deb | head -n 1)
echo "built $deb ($(stat -c %s "$deb") bytes)"

if $rpm; then
  cargo generate-rpm -p . --auto-req auto
  rpmfile=$(ls -t "$target_dir"/generate-rpm/madoguchi-*.rpm | head -n 1)
  echo "built $rpmfile ($(stat -c %s "$rpmfile") bytes)"
fi
