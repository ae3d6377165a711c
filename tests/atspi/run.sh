#!/bin/sh
# The AT-SPI walk: madoguchi --demo under Xvfb, read and driven by a real
# AT-SPI client (pyatspi, the library Orca is built on), in a private D-Bus
# session with its own accessibility bus. tests/gui/atspi.rs runs it;
# by hand: tests/atspi/run.sh target/debug/madoguchi
#
# Needs (Debian/Ubuntu, tools/test-deps.sh installs them): xvfb xdotool
# dbus-daemon dbus-bin at-spi2-core python3-pyatspi gir1.2-atspi-2.0
# python3-gi. The client runs with /usr/bin/python3: pyatspi is a
# distribution package, not on PyPI, and a pyenv python does not see it.
#
# Outer half: an X server of our own, throwaway XDG folders and a private
# session bus, then this script again inside it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$1

if [ "${ATSPI_INNER:-}" != 1 ]; then
    tmp=$(mktemp -d /tmp/madoguchi-atspi.XXXXXX)
    mkdir -m 700 "$tmp/run" "$tmp/config" "$tmp/cache" "$tmp/data"
    # -displayfd: a free display number, so parallel runs never meet.
    # -noreset: Xvfb otherwise resets when its last client leaves (a short
    # xdotool run), and an app connecting during the reset fails to open
    # the display.
    Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp -noreset \
        3>"$tmp/display" >"$tmp/xvfb.log" 2>&1 &
    xvfb=$!
    i=0
    until [ -s "$tmp/display" ]; do
        i=$((i + 1))
        [ $i -lt 200 ] || { echo "Xvfb did not start"; cat "$tmp/xvfb.log"; exit 1; }
        sleep 0.05
    done
    # AT_SPI_BUS_ADDRESS and the session bus of the caller must not leak in
    # (they would point at someone else's bus). GSETTINGS_BACKEND=memory:
    # the bus launcher mirrors the accessibility flags into GSettings, which
    # would otherwise persist them in the user's dconf.
    rc=0
    env -u WAYLAND_DISPLAY -u AT_SPI_BUS_ADDRESS -u DBUS_SESSION_BUS_ADDRESS \
        DISPLAY=":$(cat "$tmp/display")" \
        XDG_RUNTIME_DIR="$tmp/run" XDG_CONFIG_HOME="$tmp/config" \
        XDG_CACHE_HOME="$tmp/cache" XDG_DATA_HOME="$tmp/data" HOME="$tmp" \
        GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1 \
        ATSPI_INNER=1 ATSPI_TMP="$tmp" \
        dbus-run-session -- "$0" "$bin" || rc=$?
    kill "$xvfb" 2>/dev/null || true
    wait "$xvfb" 2>/dev/null || true
    rm -rf "$tmp"
    exit $rc
fi

# Inner half, on the private session bus.
# 1. The accessibility bus launcher owns org.a11y.Bus and starts the a11y
#    bus (a second dbus-daemon) with the registry on it; the flags turn
#    IsEnabled and ScreenReaderEnabled on, as Orca does at start.
/usr/libexec/at-spi-bus-launcher --launch-immediately --a11y=1 --screen-reader=1 \
    >"$ATSPI_TMP/launcher.log" 2>&1 &
launcher=$!
# 2. Wait for *our* launcher. Ask the bus driver, never org.a11y.Bus itself:
#    a call to it would D-Bus-activate a second launcher without the flags.
i=0
until dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus \
        /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
        string:org.a11y.Bus 2>/dev/null | grep -q true; do
    i=$((i + 1))
    [ $i -lt 200 ] || { echo "the a11y bus launcher did not start"; cat "$ATSPI_TMP/launcher.log"; exit 1; }
    sleep 0.05
done
# 3. What an assistive technology does when it starts: enable, and read back.
for p in IsEnabled ScreenReaderEnabled; do
    dbus-send --session --print-reply --dest=org.a11y.Bus /org/a11y/bus \
        org.freedesktop.DBus.Properties.Set string:org.a11y.Status \
        string:$p variant:boolean:true >/dev/null
    v=$(dbus-send --session --print-reply=literal --dest=org.a11y.Bus /org/a11y/bus \
        org.freedesktop.DBus.Properties.Get string:org.a11y.Status string:$p)
    case $v in *true*) ;; *) echo "could not turn $p on"; exit 1 ;; esac
done
# 4. The client starts the app and walks it.
rc=0
/usr/bin/python3 "$here/walk.py" "$bin" "$ATSPI_TMP/app.log" || rc=$?
if [ $rc != 0 ]; then
    echo "--- the app's log (end)"
    tail -n 60 "$ATSPI_TMP/app.log"
fi
# 5. The launcher takes the a11y bus and the registry down with it.
kill "$launcher" 2>/dev/null || true
wait "$launcher" 2>/dev/null || true
exit $rc
