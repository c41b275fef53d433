"""wlr-foreign-toplevel-management with a taskbar client (tests/clients/taskbar.py): it
lists every window with its title, app_id, states and outputs as they change, and what it
asks for (activate, maximize, minimize, fullscreen, close) happens to the window."""

from __future__ import annotations

import itertools
import subprocess
import sys

from tests.conftest import needs
from tests.helpers import _reader, solid_window, wait_for_line
from tests.waiting import wait_for

_tokens = itertools.count(1)


def command(proc, line: str) -> None:
    proc.stdin.write(line + "\n")
    proc.stdin.flush()


def start_taskbar(comp):
    return comp.spawn(
        [sys.executable, "-m", "tests.clients.taskbar"], text=True, stdin=subprocess.PIPE
    )


def ask(bar, line: str) -> None:
    """Send a request and wait until the compositor has handled it."""
    token = next(_tokens)
    command(bar, line)
    command(bar, f"sync {token}")
    wait_for_line(bar, lambda text: text == f"synced {token}")


def latest(bar, app_id: str) -> str | None:
    """The last ``done`` line the taskbar printed for the window with this app_id."""
    reader = _reader(bar)
    while not reader.lines.empty():
        line = reader.lines.get_nowait()
        if line is None:
            raise AssertionError(f"the taskbar exited; it printed {reader.seen}")
        reader.seen.append(line)
    return next(
        (
            line
            for line in reversed(reader.seen)
            if line.startswith("done ") and f"app_id={app_id}" in line.split()
        ),
        None,
    )


def entry(bar, app_id: str, **fields: str) -> tuple[int, str]:
    """Wait until the taskbar's latest state of the window with this app_id shows these
    fields; returns (handle number, that ``done`` line)."""

    def matches() -> str | None:
        line = latest(bar, app_id)
        words = line.split() if line else []
        if all(f"{key}={value}" in words for key, value in fields.items()):
            return line
        return None

    line = wait_for(matches, 10, what=f"{app_id} with {fields} (last: {latest(bar, app_id)})")
    return int(line.split()[1]), line


def view(comp, app_id: str) -> dict:
    return next(v for v in comp.views() if v["app_id"] == app_id)


def test_the_taskbar_lists_windows_and_follows_their_changes(compositor):
    _, first = solid_window(compositor, "ff0000", "test.first")
    bar = start_taskbar(compositor)
    # A window mapped before the taskbar started is listed, with everything it has.
    entry(bar, "test.first", title="solid", state="activated", outputs="HEADLESS-1", parent="-")
    second, _ = solid_window(compositor, "00ff00", "test.second", title="second")
    number, _ = entry(bar, "test.second", title="second", state="activated")
    entry(bar, "test.first", state="-")  # no longer activated
    command(second, "title renamed")
    entry(bar, "test.second", title="renamed")
    second.terminate()
    wait_for_line(bar, lambda line: line == f"closed {number}")


def test_taskbar_requests_act_on_the_window(compositor):
    first, _ = solid_window(compositor, "ff0000", "test.first")
    _, _ = solid_window(compositor, "00ff00", "test.second")
    bar = start_taskbar(compositor)
    number, _ = entry(bar, "test.first", state="-")
    ask(bar, f"activate {number}")
    entry(bar, "test.first", state="activated")
    assert view(compositor, "test.first")["focused"]
    ask(bar, f"maximize {number}")
    entry(bar, "test.first", state="activated,maximized")
    wait_for_line(first, lambda line: line.startswith("toplevel-configure 640 480 maximized"))
    assert view(compositor, "test.first")["state"] == "maximized"
    ask(bar, f"unmaximize {number}")
    entry(bar, "test.first", state="activated")
    ask(bar, f"minimize {number}")
    entry(bar, "test.first", state="minimized")
    assert view(compositor, "test.first")["state"] == "minimized"
    assert view(compositor, "test.second")["focused"]
    ask(bar, f"activate {number}")  # a taskbar click brings a minimized window back
    entry(bar, "test.first", state="activated")
    assert view(compositor, "test.first")["state"] == "normal"
    ask(bar, f"fullscreen {number}")
    entry(bar, "test.first", state="activated,fullscreen")
    ask(bar, f"unfullscreen {number}")
    entry(bar, "test.first", state="activated")
    ask(bar, f"close {number}")
    wait_for_line(first, lambda line: line == "close")
    # The handle's closed event may have come before ask's sync marker (already read).
    if f"closed {number}" not in _reader(bar).seen:
        wait_for_line(bar, lambda line: line == f"closed {number}")


def test_outputs_follow_the_window(make_compositor):
    comp = make_compositor(args=["--outputs", "2"], width=320, height=240)
    by_x = {o["x"]: o["name"] for o in comp.ctl_ok("outputs")["outputs"]}
    left, right = by_x[0], by_x[320]
    comp.ctl_ok("pointer-move", x=10, y=10)  # new windows open on the output under it
    proc, _ = solid_window(comp, "3366cc", "test.travel", size="100x80")
    bar = start_taskbar(comp)
    number, _ = entry(bar, "test.travel", outputs=left)
    ask(bar, f"fullscreen {number} {right}")
    entry(bar, "test.travel", state="activated,fullscreen", outputs=right)
    assert view(comp, "test.travel")["x"] == 320
    ask(bar, f"unfullscreen {number}")
    entry(bar, "test.travel", state="activated", outputs=left)
    # Dragged (Alt + left button) across the border: on both outputs, then on the right one.
    moved = view(comp, "test.travel")
    x, y = moved["x"] + 50, moved["y"] + 40
    comp.ctl_ok("pointer-move", x=x, y=y)
    comp.ctl_ok("key", key="Alt_L", pressed=True)
    comp.ctl_ok("pointer-button", button=0x110, pressed=True)
    comp.ctl_ok("pointer-move", x=320 - 10, y=y)
    entry(bar, "test.travel", outputs=",".join(sorted((left, right))))
    comp.ctl_ok("pointer-move", x=320 + 100, y=y)
    comp.ctl_ok("pointer-button", button=0x110, pressed=False)
    comp.ctl_ok("key", key="Alt_L", pressed=False)
    entry(bar, "test.travel", outputs=right)
    # The output goes away (the taskbar drops it on its global_remove: wlroots 0.15 removes
    # the global before it could send output_leave), and the window is on no output.
    comp.ctl_ok("output-remove", name=right)
    entry(bar, "test.travel", outputs="-")


@needs("xeyes", "Xwayland")
def test_x11_windows_are_listed_too(compositor):
    bar = start_taskbar(compositor)
    display = compositor.ctl_ok("ping")["display"]
    xeyes = compositor.spawn(["xeyes", "-geometry", "150x100"], env={"DISPLAY": display})
    number, _ = entry(bar, "XEyes", title="xeyes", state="activated", outputs="HEADLESS-1")
    ask(bar, f"maximize {number}")
    entry(bar, "XEyes", state="activated,maximized")
    assert view(compositor, "XEyes")["state"] == "maximized"
    ask(bar, f"close {number}")  # WM_DELETE_WINDOW: xeyes quits
    if f"closed {number}" not in _reader(bar).seen:  # it may have come before ask's sync
        wait_for_line(bar, lambda line: line == f"closed {number}")
    assert xeyes.wait(10) is not None
