#!/usr/bin/env bash
# Builds the release binary and the Linux packages of the desktop app:
#
#   target/debian/madoguchi_VERSION-1_amd64.deb          cargo-deb
#   target/generate-rpm/madoguchi-VERSION-1.x86_64.rpm   cargo-generate-rpm (with --rpm)
#
# Usage: packaging/linux/build-deb.sh [--rpm] [--install-tools] [--dev-binary]
#   --rpm            also build the .rpm
#   --install-tools  install the pinned cargo-deb (and cargo-generate-rpm) when missing
#   --dev-binary     package the dev-profile binary that `cargo test --workspace` has already
#                    built (target/debug/madoguchi) instead of building the release one: same
#                    package, minutes less, for CI's install test. The .deb goes to
#                    target/ci-deb/debian/ so that it is never taken for a release package.
#
# Needs: the build dependencies of the README (libpcsclite1),
# dpkg-dev (cargo-deb's $auto dependencies), python3 (licence list), binutils (strip).
# The package configuration is in Cargo.toml, [package.metadata.deb] and
# [package.metadata.generate-rpm]; what goes where is in docs/packaging.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

CARGO_DEB_VERSION=3.8.0
CARGO_GENERATE_RPM_VERSION=0.21.1

rpm=false
install_tools=false
dev_binary=false
for arg in "$@"; do
  case "$arg" in
    --rpm) rpm=true ;;
    --install-tools) install_tools=true ;;
    --dev-binary) dev_binary=true ;;
    *) echo "usage: $0 [--rpm] [--install-tools] [--dev-binary]" >&2; exit 2 ;;
  esac
done

need_tool() { # subcommand crate version
  if ! cargo "$1" --version >/dev/null 2>&1; then
    if $install_tools; then
      # Optimised: a debug cargo-generate-rpm compiles in 2 min 49 s instead
      # of 5 min 14 s but then takes 3 minutes to write the package.
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
# Package metadata names these files as `target/packaging/…`, relative to the
# package root, whatever CARGO_TARGET_DIR says.
stage="$(pwd)/target/packaging"
mkdir -p "$stage"

# One build of the app binary; the packaging steps below reuse it.
start=$(date +%s)
if $dev_binary; then
  profile_dir=debug
  # The binary the test run links (with the test run's feature set): a no-op
  # right after `cargo test --workspace`.
  cargo test --workspace --no-run --locked
else
  profile_dir=release
  cargo build --release --locked -p madoguchi --bin madoguchi
fi
echo "$profile_dir build: $(( $(date +%s) - start )) s"
binary="$target_dir/$profile_dir/madoguchi"

# Files the packages take from target/packaging/: the licence list of the
# linked crates, and (for the .rpm, which does not strip) a stripped binary.
python3 packaging/third-party-licenses.py "$stage/THIRD-PARTY-LICENSES.md"
if $rpm; then strip --strip-all -o "$stage/madoguchi" "$binary"; fi

# cargo-deb strips the binary itself and computes the shared-library
# dependencies ($auto) with dpkg-shlibdeps. It takes the binary from
# <target dir>/release/; for --dev-binary that is a separate target dir whose
# release/madoguchi is a hard link to the dev binary.
deb_target_dir="$target_dir"
if $dev_binary; then
  deb_target_dir="$target_dir/ci-deb"
  mkdir -p "$deb_target_dir/release"
  ln -f "$binary" "$deb_target_dir/release/madoguchi"
fi
rm -f "$deb_target_dir"/debian/madoguchi_*.deb
CARGO_TARGET_DIR="$deb_target_dir" cargo deb --no-build --locked -p madoguchi
deb=$(echo "$deb_target_dir"/debian/madoguchi_*.deb)
echo "built $deb ($(stat -c %s "$deb") bytes)"

if $rpm; then
  rm -f "$target_dir"/generate-rpm/madoguchi-*.rpm
  cargo generate-rpm -p . --auto-req auto
  rpmfile=$(echo "$target_dir"/generate-rpm/madoguchi-*.rpm)
  echo "built $rpmfile ($(stat -c %s "$rpmfile") bytes)"
fi
