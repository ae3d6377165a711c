#!/usr/bin/env bash
# Installs what `cargo test --workspace` needs beyond Rust, on Debian or
# Ubuntu: the smart-card service with the vpcd driver (the virtual card
# attaches to it), OpenSC (a PC/SC client we did not write), OpenSSL (checks
# our CMS), util-linux (unshare: a private pcscd for the service-restart
# test; runuser: the server tests' private PostgreSQL cluster runs as nobody
# when the tests run as root), PostgreSQL (the server's shared store: each
# server test binary starts a private cluster in a temporary folder), and
# for the screen-reader walk (tests/atspi): Xvfb, xdotool, a private D-Bus
# session with the AT-SPI bus, and pyatspi (the library Orca is built on).
# The build itself needs only libpcsclite1, which desktops have.
# `.ci/run` calls this; the tests name it when something is missing.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
  libpcsclite1 pcscd vsmartcard-vpcd opensc openssl ca-certificates util-linux procps \
  postgresql \
  xvfb xdotool dbus-daemon dbus-bin at-spi2-core python3-pyatspi gir1.2-atspi-2.0 python3-gi
