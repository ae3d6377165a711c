#!/usr/bin/python3
"""A screen reader's walk through `madoguchi --demo`, over AT-SPI.

    walk.py <madoguchi binary> <log file>

Runs inside run.sh's private session (Xvfb, session bus, a11y bus). Uses
pyatspi, the library Orca is built on, the way a screen reader does: finds
the application, reads the window by its Japanese names, presses buttons
through the Action interface, types the password through EditableText, and
reads the application document. One X key press (xdotool, XTEST) checks
that the keyboard focus ring is what AT-SPI reports as focused.

Prints every check and the trees it read; exit status 0 only if every
check passed.
"""

import os
import subprocess
import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import GLib  # noqa: E402

import pyatspi  # noqa: E402

APP_TIMEOUT = 90.0  # the demo makes its test PKI at start (debug build)
STEP_TIMEOUT = 15.0
POLL = 0.05

WINDOW = "窓口 Madoguchi — デモ (仮想カード)"
TOP_HEADING = "公的個人認証サービス オンライン窓口"
REVOCATION = "自己の電子証明書の失効申請"
VALIDITY = "自己の電子証明書の有効性確認"
STEP_1 = "手順 1 / 6: カード準備"
IMPORT_HEADING = "申請に必要な情報の取込み"
READ_CARD = "カードを読み取る"
PASSWORD_LABEL = "パスワード"
REVIEW_HEADING = "取込み情報の確認"
HOLDER_NAME = "吉田\u3000太郎"
# The demo card's password. The demo bar prints it on purpose (it is a
# test card's); nothing else may ever say it.
SECRET = "ABC123"
DEMO_HINT = f"デモのパスワード: {SECRET}"

failures = []


def check(ok, what):
    print(("PASS " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def pump(seconds=0.0):
    """Run the GLib main context, where libatspi dispatches its events."""
    ctx = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while True:
        while ctx.pending():
            ctx.iteration(False)
        if time.monotonic() >= end:
            return
        time.sleep(POLL)


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    seen = set()
    while True:
        try:
            value = pred()
        except Exception as e:  # nodes can go away between two calls
            if repr(e) not in seen:
                seen.add(repr(e))
                print(f"  (retrying {what}: {e!r})", flush=True)
            value = None
        if value:
            return value
        if time.monotonic() >= end:
            print(f"  (gave up waiting for {what})", flush=True)
            return None
        pump(POLL)


def fresh(acc):
    """Read from the app, not from libatspi's cache."""
    try:
        acc.clearCache()
    except Exception:
        pass
    return acc


def find_app(name):
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        if app is None:
            continue
        fresh(app)
        if app.name != name:
            continue
        for j in range(app.childCount):
            w = app.getChildAtIndex(j)
            if w is not None and w.name == WINDOW:
                return app
    return None


def walk(acc, depth=0):
    yield depth, acc
    for i in range(acc.childCount):
        c = acc.getChildAtIndex(i)
        if c is not None:
            yield from walk(c, depth + 1)


def nodes(app):
    return [a for _, a in walk(fresh(app))]


def find(app, role, name):
    return next((a for a in nodes(app) if a.getRole() == role and a.name == name), None)


def text_of(acc):
    try:
        t = acc.queryText()
    except NotImplementedError:
        return None
    return t.getText(0, t.characterCount)


def dump(app):
    lines = []
    for depth, acc in walk(fresh(app)):
        extra = []
        if acc.description:
            extra.append(f"({acc.description})")
        t = text_of(acc)
        if t:
            extra.append(f"text={t!r}")
        states = acc.getState()
        if states.contains(pyatspi.STATE_FOCUSED):
            extra.append("[focused]")
        try:
            a = acc.queryAction()
            extra.append("actions=" + ",".join(a.getName(i) for i in range(a.nActions)))
        except NotImplementedError:
            pass
        lines.append("  " * depth + f"[{acc.getRoleName()}] {acc.name!r} " + " ".join(extra))
    return "\n".join(lines)


def readable(app):
    """Every string an assistive technology can read, but the demo hint."""
    out = []
    for acc in nodes(app):
        if acc.name == DEMO_HINT:
            continue
        out += [acc.name or "", acc.description or ""]
        out += [str(a) for a in (acc.getAttributes() or [])]
        t = text_of(acc)
        if t is not None:
            out.append(t)
        try:
            out.append(str(acc.queryValue().currentValue))
        except NotImplementedError:
            pass
    return out


def press(app, name):
    """Press a button as a screen reader does: once it is there and can be
    pressed (the OK button is enabled only when a password is typed)."""

    def attempt():
        button = find(app, pyatspi.ROLE_PUSH_BUTTON, name)
        if button is None or not button.getState().contains(pyatspi.STATE_ENABLED):
            return None
        action = button.queryAction()
        names = [action.getName(i) for i in range(action.nActions)]
        if "click" not in names:
            return None
        return bool(action.doAction(names.index("click")))

    return check(bool(wait_for(attempt, STEP_TIMEOUT, f"{name} to be pressable")),
                 f"pressed {name!r} through the Action interface")


def definition_after(app, term):
    """The value next to a labelled fact of the document."""
    all_nodes = nodes(app)
    for i, acc in enumerate(all_nodes):
        if acc.getRole() == pyatspi.ROLE_DESCRIPTION_TERM and acc.name == term:
            if i + 1 < len(all_nodes):
                nxt = all_nodes[i + 1]
                if nxt.getRole() == pyatspi.ROLE_DESCRIPTION_VALUE:
                    return nxt.name
    return None


def extents(acc):
    """Where the node is on the screen (x, y, width, height), if known."""
    e = fresh(acc).queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    return (e.x, e.y, e.width, e.height) if e.width > 0 and e.height > 0 else None


def on_screen(box, screen=(1280, 1024)):
    x, y, w, h = box
    return 0 <= x and 0 <= y and x + w <= screen[0] and y + h <= screen[1]


def focused_button(app):
    for acc in nodes(app):
        if acc.getRole() == pyatspi.ROLE_PUSH_BUTTON and acc.getState().contains(pyatspi.STATE_FOCUSED):
            return acc.name
    return None


def xdotool(*args):
    r = subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=30)
    return r.stdout.strip()


def main():
    binary, logfile = sys.argv[1], sys.argv[2]
    name = os.path.basename(binary)
    # Madoguchi's own crates at trace (the D-Bus library's trace is the
    # whole conversation, megabytes, and carries nothing of ours).
    ours = ("madoguchi", "madoguchi_core", "madoguchi_card", "madoguchi_sim",
            "madoguchi_pki", "madoguchi_demo", "madoguchi_server")
    env = dict(os.environ, RUST_LOG="info," + ",".join(f"{c}=trace" for c in ours))
    with open(logfile, "w") as log:
        proc = subprocess.Popen([binary, "--demo"], stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        t0 = time.monotonic()
        app = wait_for(lambda: find_app(name), APP_TIMEOUT, "the application")
        if not check(app is not None, f"application {name!r} with the window {WINDOW!r}"):
            return
        print(f"  (on the accessibility bus after {time.monotonic() - t0:.1f} s)")
        print("TREE (top screen):\n" + dump(app), flush=True)

        check(find(app, pyatspi.ROLE_HEADING, TOP_HEADING) is not None, f"heading {TOP_HEADING!r}")
        for b in (REVOCATION, VALIDITY):
            check(find(app, pyatspi.ROLE_PUSH_BUTTON, b) is not None, f"button {b!r}")
        status = next((a for a in nodes(app) if a.getRole() == pyatspi.ROLE_STATUS_BAR), None)
        check(status is not None and status.childCount == 2, "the reader and card chips, a status bar")

        # A real key press (XTEST) into the window: the app's focus ring
        # moves, and AT-SPI reports the same button as focused.
        wid = wait_for(lambda: xdotool("search", "--onlyvisible", "--pid", str(proc.pid)).split()[:1],
                       STEP_TIMEOUT, "the X window")
        if check(bool(wid), "the X window, found by its pid"):
            # No window manager under Xvfb: give the window the focus.
            xdotool("windowfocus", "--sync", wid[0])
            time.sleep(0.3)
            xdotool("key", "Tab")
            got = wait_for(lambda: focused_button(app), STEP_TIMEOUT, "a focused button")
            check(got is not None, f"Tab (X key event) focused a button, AT-SPI says: {got!r}")

        if not press(app, REVOCATION):
            return
        check(wait_for(lambda: find(app, pyatspi.ROLE_HEADING, IMPORT_HEADING), STEP_TIMEOUT, "2.1.3")
              is not None, f"next screen's heading {IMPORT_HEADING!r}")
        check(find(app, pyatspi.ROLE_PARAGRAPH, STEP_1) is not None, f"the step {STEP_1!r}")
        check(find(app, pyatspi.ROLE_HEADING, TOP_HEADING) is None, "the top screen's heading is gone")

        if not press(app, READ_CARD):
            return
        pw = wait_for(lambda: find(app, pyatspi.ROLE_PASSWORD_TEXT, PASSWORD_LABEL), STEP_TIMEOUT,
                      "the password input")
        if not check(pw is not None, f"password input {PASSWORD_LABEL!r}"):
            return
        check(pw.getState().contains(pyatspi.STATE_FOCUSED), "the password input has the focus")
        # A screen magnifier follows the focus by its place on the screen.
        box = wait_for(lambda: extents(pw), STEP_TIMEOUT, "the password input's place")
        check(box is not None and on_screen(box), f"the password input's place on the screen: {box}")
        check(bool(pw.queryEditableText().setTextContents(SECRET)),
              "typed the password through EditableText")
        masked = wait_for(lambda: (lambda t: t if t else None)(text_of(fresh(pw))), STEP_TIMEOUT,
                          "the masked text")
        check(masked == "●" * len(SECRET), f"the password input reads {masked!r}: its length only")
        check(not any(SECRET in s for s in readable(app)), "the password is nowhere readable")
        if not press(app, "OK"):
            return

        check(wait_for(lambda: find(app, pyatspi.ROLE_HEADING, REVIEW_HEADING), STEP_TIMEOUT, "2.1.5")
              is not None, f"the document's screen {REVIEW_HEADING!r}")
        print("TREE (application document):\n" + dump(app), flush=True)
        got = definition_after(app, "申請者の氏名")
        check(got == HOLDER_NAME, f"the holder's name: {got!r}")
        name = next((a for a in nodes(app) if a.getRole() == pyatspi.ROLE_DESCRIPTION_VALUE
                     and a.name == HOLDER_NAME), None)
        box = wait_for(lambda: extents(name), STEP_TIMEOUT, "the name's place") if name else None
        check(box is not None and on_screen(box), f"the holder's name's place on the screen: {box}")
        got = definition_after(app, "申請者の住所")
        check(bool(got) and got.startswith("東京都千代田区"), f"the holder's address: {got!r}")
        check(not any(SECRET in s for s in readable(app)), "the password is nowhere readable")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        with open(logfile) as f:
            log = f.read()
        check(SECRET not in log.replace(DEMO_HINT, ""), "the password is not in the app's trace log")


if __name__ == "__main__":
    main()
    print("RESULT " + ("OK" if not failures else f"{len(failures)} FAILED: {failures}"), flush=True)
    sys.exit(1 if failures else 0)
