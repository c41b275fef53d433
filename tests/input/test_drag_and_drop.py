"""Drag and drop between two real clients (tests/clients/dnd_window.py, wl_data_device 3):
what each hears, the icon on screen, drop, cancel (release over nothing, Escape), a drag
asked for without a held press, and a real GTK application dragging text into another."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.apps.test_real_apps import (
    BUTTON,
    CLIENTS,
    CONTENT,
    ENTRY,
    SYSTEM_PYTHON,
    TOOLKITS,
    center,
    wait_for_boxes,
)
from tests.conftest import needs_installed
from tests.helpers import region_is, sync, wait_for_line
from tests.waiting import wait_for

BTN_LEFT = 0x110
KEY_ESC = 1
ICON = (0xFF, 0x00, 0xFF)


def dnd_window(comp, app_id: str, color: str, *options: str):
    argv = [sys.executable, "-m", "tests.clients.dnd_window", "--app-id", app_id]
    argv += ["--color", color, "--stdin-sync", *options]
    proc = comp.spawn(argv, text=True, stdin=subprocess.PIPE)
    return proc, comp.wait_for_view(app_id)


def centre(view: dict) -> tuple[int, int]:
    return view["x"] + view["width"] // 2, view["y"] + view["height"] // 2


def move(comp, start: tuple[int, int], end: tuple[int, int], steps: int = 6) -> None:
    for i in range(1, steps + 1):
        x = start[0] + (end[0] - start[0]) * i / steps
        y = start[1] + (end[1] - start[1]) * i / steps
        comp.ctl_ok("pointer-move", x=x, y=y)


def start_drag(comp, source, view) -> tuple[int, int]:
    point = centre(view)
    comp.ctl_ok("pointer-move", x=point[0], y=point[1])
    comp.ctl_ok("pointer-button", button=BTN_LEFT, pressed=True)
    wait_for_line(source, lambda line: line == "drag-started")
    return point


def drag_state(comp) -> dict:
    return comp.ctl_ok("input-protocols")["drag"]


def pair(comp, *source_options: str):
    source, source_view = dnd_window(
        comp, "test.source", "3366cc", "--drag-text", "hello, dropped", *source_options
    )
    target, target_view = dnd_window(comp, "test.target", "33aa55", "--drop")
    return source, source_view, target, target_view


def test_text_dragged_from_one_client_and_dropped_on_another(compositor):
    source, source_view, target, target_view = pair(compositor)
    point = start_drag(compositor, source, source_view)
    wait_for(lambda: drag_state(compositor)["active"], 10, what="the drag to start")
    end = centre(target_view)
    move(compositor, point, end)
    enter = wait_for_line(target, lambda line: line.startswith("dnd-enter"))
    assert enter.split()[3] == "text/plain,text/plain;charset=utf-8"
    wait_for_line(source, lambda line: line == "source-target text/plain")
    wait_for_line(source, lambda line: line == "source-action copy")
    # The icon follows the pointer at its hotspot offset (-4, -4): 24x24 from there.
    shot = compositor.screenshot("dragging")
    assert region_is(shot, (end[0] - 4 + 2, end[1] - 4 + 2, 20, 20), ICON)
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    wait_for_line(target, lambda line: line == "dnd-drop")
    assert (
        wait_for_line(target, lambda line: line.startswith("dropped")) == "dropped hello, dropped"
    )
    wait_for_line(source, lambda line: line == "source-drop-performed")
    wait_for_line(source, lambda line: line == "source-finished")
    wait_for(lambda: not drag_state(compositor)["active"], 10, what="the drag to end")
    # The icon is gone, and the pointer is the target's again (it is under the pointer).
    shot = compositor.screenshot("dropped")
    assert region_is(shot, (end[0] - 4 + 2, end[1] - 4 + 2, 20, 20), (0x33, 0xAA, 0x55))
    compositor.ctl_ok("pointer-move", x=end[0] + 1, y=end[1])
    wait_for_line(target, lambda line: line.startswith("motion"))


def test_a_release_over_nothing_cancels(compositor):
    source, source_view, target, target_view = pair(compositor)
    point = start_drag(compositor, source, source_view)
    move(compositor, point, centre(target_view))
    wait_for_line(target, lambda line: line.startswith("dnd-enter"))
    move(compositor, centre(target_view), (635, 475))  # the background
    wait_for_line(target, lambda line: line == "dnd-leave")
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    wait_for_line(source, lambda line: line == "source-cancelled")
    lines, _ = sync(target)
    assert "dnd-drop" not in lines
    assert not drag_state(compositor)["active"]


def test_escape_cancels_and_reaches_no_client(compositor):
    source, source_view, target, target_view = pair(compositor)
    point = start_drag(compositor, source, source_view)
    move(compositor, point, centre(target_view))
    wait_for_line(target, lambda line: line.startswith("dnd-enter"))
    compositor.ctl_ok("key", key=KEY_ESC)
    wait_for_line(target, lambda line: line == "dnd-leave")
    wait_for_line(source, lambda line: line == "source-cancelled")
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    lines, _ = sync(target)
    assert "dnd-drop" not in lines and not any(line.startswith("key ") for line in lines)
    source_lines, _ = sync(source)
    assert not any(line.startswith("key ") for line in source_lines)


def test_a_drag_without_its_press_is_refused(compositor):
    source, source_view, target, target_view = pair(compositor, "--bad-serial")
    start_drag(compositor, source, source_view)
    wait_for_line(source, lambda line: line == "source-cancelled")
    assert drag_state(compositor) == {
        "active": False,
        "started": 0,
        "refused": 1,
        "accepted": False,
        "x11_drops": 0,
        "x11_drops_kept": 0,
        "watches": 0,
    }
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)


def test_the_source_killed_mid_drag(compositor):
    """The source client dies while its drag is on (kill -9): the target hears leave, the
    icon goes, the pointer works on."""
    source, source_view, target, target_view = pair(compositor)
    point = start_drag(compositor, source, source_view)
    move(compositor, point, centre(target_view))
    wait_for_line(target, lambda line: line.startswith("dnd-enter"))
    source.kill()
    source.wait(10)
    wait_for_line(target, lambda line: line == "dnd-leave")
    wait_for(lambda: not drag_state(compositor)["active"], 10, what="the drag to end")
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    compositor.ctl_ok("pointer-move", x=centre(target_view)[0] + 2, y=centre(target_view)[1])
    wait_for_line(target, lambda line: line.startswith("motion"))
    assert compositor.alive()


# -- real applications ----------------------------------------------------------------------

_GTK3 = next(toolkit for toolkit in TOOLKITS if toolkit.name == "gtk3")
GTK3_OK = needs_installed(_GTK3.installed, _GTK3.packages)


def gtk3(comp, app_id: str, *options: str, env: dict | None = None):
    argv = [SYSTEM_PYTHON, str(CLIENTS / "gtk3_probe.py"), "--app-id", app_id]
    argv += ["--button", BUTTON, "--entry", ENTRY, "--content", CONTENT, *options]
    proc = comp.spawn(argv, env=env, text=True, stdin=subprocess.PIPE)
    wait_for_line(proc, lambda line: line == "mapped", 30)
    return proc


def gtk3_boxes(comp) -> dict:
    return wait_for_boxes(comp, lambda found: True, "the GTK3 widgets", button=BUTTON, entry=ENTRY)


def drag_button_onto(comp, source, boxes: dict, target, target_view: dict) -> str:
    """Drag a toolkit probe's button (a drag source) onto our target window and release
    there once the target accepted; the target's ``dropped`` line."""
    start = center(boxes["button"])
    comp.ctl_ok("pointer-move", x=start[0], y=start[1])
    comp.ctl_ok("pointer-button", button=BTN_LEFT, pressed=True)
    wait_for_line(source, lambda line: line.startswith("press "))
    move(comp, start, centre(target_view), steps=12)
    wait_for_line(source, lambda line: line == "drag-begin")
    wait_for_line(target, lambda line: line.startswith("dnd-enter"))
    sync(target)  # the compositor has the target's accept before the release
    comp.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    return wait_for_line(target, lambda line: line.startswith("dropped"))


@GTK3_OK
def test_gtk3_drops_its_text_on_another_client(compositor):
    """A GTK3 button is a drag source (GTK's own Wayland drag): its text reaches our
    target window, which GTK handed the data to."""
    target, target_view = dnd_window(compositor, "test.target", "33aa55", "--drop")
    source = gtk3(compositor, "test.gtk3", "--drag-text", "from GTK3")
    dropped = drag_button_onto(compositor, source, gtk3_boxes(compositor), target, target_view)
    assert dropped == "dropped from GTK3"
    wait_for_line(source, lambda line: line == "drag-end")


@GTK3_OK
@pytest.mark.parametrize("backend", ["wayland", "x11"])
def test_text_dropped_into_a_gtk3_entry(compositor, backend):
    """Our source window drags text into a GTK3 entry, a Wayland client or an X11 one
    (GDK_BACKEND=x11 under Xwayland: wlroots' XDND bridge, with the target kept past the
    drag's end until it has read the data and sent XdndFinished, csrc/xwayland_dnd.c;
    without that the entry's conversion of XdndSelection is refused and the source never
    hears it finished). X11 -> Wayland drags are not bridged by wlroots 0.15 (nor sway 1.7)."""
    source, source_view = dnd_window(
        compositor, "test.source", "3366cc", "--drag-text", "typed by drag"
    )
    env = {"GDK_BACKEND": backend}
    if backend == "x11":
        env["DISPLAY"] = compositor.ctl_ok("ping")["display"]
    gtk = gtk3(compositor, "test.gtk3", env=env)
    entry = gtk3_boxes(compositor)["entry"]
    point = start_drag(compositor, source, source_view)
    move(compositor, point, center(entry), steps=12)
    # The entry accepted: a copy (an X11 target answers through XdndStatus: no target).
    wait_for_line(source, lambda line: line == "source-action copy", 20)
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    wait_for_line(gtk, lambda line: line == "text typed by drag", 20)
    wait_for_line(source, lambda line: line == "source-finished", 20)
    state = wait_for(
        lambda: (s := drag_state(compositor))["watches"] == 0 and s, 10, what="the drag's end"
    )
    assert state["x11_drops"] == (1 if backend == "x11" else 0)
    if backend == "x11":
        # Kept until the source goes: the source client destroys it once finished.
        wait_for(
            lambda: drag_state(compositor)["x11_drops_kept"] == 0,
            20,
            what="the kept X11 drop let go with its source",
        )


_QT5 = next(toolkit for toolkit in TOOLKITS if toolkit.name == "qt5")
QT5_OK = needs_installed(_QT5.installed, _QT5.packages)


def qt5(comp, app_id: str, *options: str):
    argv = [SYSTEM_PYTHON, str(CLIENTS / "qt5_probe.py"), "--app-id", app_id]
    argv += ["--button", BUTTON, "--entry", ENTRY, "--content", CONTENT, *options]
    proc = comp.spawn(argv, env={"QT_QPA_PLATFORM": "wayland"}, text=True)
    wait_for_line(proc, lambda line: line == "mapped", 30)
    return proc


def qt5_boxes(comp) -> dict:
    return wait_for_boxes(comp, lambda found: True, "the Qt5 widgets", button=BUTTON, entry=ENTRY)


@QT5_OK
def test_qt5_drops_its_text_on_another_client(compositor):
    """A Qt5 button is a drag source (QDrag over qtwayland): its text reaches our target
    window, and Qt hears that the drop copied it."""
    target, target_view = dnd_window(compositor, "test.target", "33aa55", "--drop")
    source = qt5(compositor, "test.qt5", "--drag-text", "from Qt5")
    dropped = drag_button_onto(compositor, source, qt5_boxes(compositor), target, target_view)
    assert dropped == "dropped from Qt5"
    assert wait_for_line(source, lambda line: line.startswith("drag-end")) == "drag-end copy"


@QT5_OK
def test_text_dropped_into_a_qt5_entry(compositor):
    """Our source window drags text into a Qt5 QLineEdit, which takes it."""
    source, source_view = dnd_window(
        compositor, "test.source", "3366cc", "--drag-text", "typed by drag"
    )
    qt = qt5(compositor, "test.qt5")
    entry = qt5_boxes(compositor)["entry"]
    point = start_drag(compositor, source, source_view)
    move(compositor, point, center(entry), steps=12)
    wait_for_line(source, lambda line: line.startswith("source-action "), 20)
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    wait_for_line(qt, lambda line: line == "text typed by drag", 20)
    wait_for_line(source, lambda line: line == "source-finished", 20)


def stalling_x11_target(compositor):
    """An X11 window (tests/clients/x11_probe.py --xdnd-target) that accepts every position
    and, dropped on, never reads nor finishes: what a hung or dying X11 target does."""
    from tests.xwayland.test_xwayland import probe_view

    return probe_view(compositor, "test.x11target", "--xdnd-target", "--size", "240x160")


def test_an_x11_target_killed_after_the_drop_cancels_the_source(compositor):
    """Dropped on, the X11 target is kept for the source (it has not read yet); killed
    before it finished, the source is cancelled and nothing keeps the dead window."""
    source, source_view = dnd_window(compositor, "test.source", "3366cc", "--drag-text", "x")
    target, target_view = stalling_x11_target(compositor)
    point = start_drag(compositor, source, source_view)
    move(compositor, point, centre(target_view), steps=12)
    wait_for_line(target, lambda line: line == "xdnd position", 20)
    wait_for_line(source, lambda line: line == "source-action copy", 20)
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    wait_for_line(target, lambda line: line == "xdnd drop", 20)
    wait_for_line(source, lambda line: line == "source-drop-performed", 20)
    state = wait_for(lambda: (s := drag_state(compositor))["watches"] == 0 and s, 10)
    assert (state["x11_drops"], state["x11_drops_kept"]) == (1, 1)
    target.kill()
    target.wait(10)
    wait_for_line(source, lambda line: line == "source-cancelled", 20)
    assert drag_state(compositor)["x11_drops_kept"] == 0
    # The compositor goes on: a drag between two Wayland windows still drops.
    other, other_view = dnd_window(compositor, "test.target", "33aa55", "--drop")
    point = start_drag(compositor, source, source_view)
    move(compositor, point, centre(other_view))
    wait_for_line(other, lambda line: line.startswith("dnd-enter"), 20)
    sync(other)  # the compositor has the target's accept before the release
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    assert wait_for_line(other, lambda line: line.startswith("dropped")) == "dropped x"


def test_an_x11_window_killed_under_a_drag_is_left_cleanly(compositor):
    """The X11 window under the drag goes (kill -9): the drag leaves it before it is freed
    (wlroots 0.15's xwm would send XdndLeave to the freed window at the next focus change),
    and the drag goes on to drop on a Wayland window. The freed read itself shows under
    scripts/memcheck.sh (its default set has this file): without csrc/xwayland_dnd.c's
    watch_focus_gone, 1 invalid read of 4 bytes in libwlroots from the drag's focus signal
    (checked); with it, 0."""
    source, source_view = dnd_window(compositor, "test.source", "3366cc", "--drag-text", "y")
    other, other_view = dnd_window(compositor, "test.target", "33aa55", "--drop")
    target, target_view = stalling_x11_target(compositor)
    point = start_drag(compositor, source, source_view)
    move(compositor, point, centre(target_view), steps=12)
    wait_for_line(target, lambda line: line == "xdnd position", 20)
    target.kill()
    target.wait(10)
    wait_for(
        lambda: all(v["app_id"] != "test.x11target" for v in compositor.views()),
        20,
        what="the X11 window gone",
    )
    move(compositor, centre(target_view), centre(other_view), steps=12)
    wait_for_line(other, lambda line: line.startswith("dnd-enter"), 20)
    sync(other)  # the compositor has the target's accept before the release
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    assert wait_for_line(other, lambda line: line.startswith("dropped")) == "dropped y"
    wait_for(lambda: drag_state(compositor)["watches"] == 0, 10, what="the drag's end")
    assert drag_state(compositor)["x11_drops"] == 0


@QT5_OK
def test_qt5_drags_text_into_a_qt5_entry_under_xwayland(compositor):
    """Real toolkits across the XDND bridge: a Qt5 button (Wayland, QDrag) dropped on a
    Qt5 QLineEdit running as an X11 client (QT_QPA_PLATFORM=xcb): the X11 entry gets the
    text, the Wayland source hears the copy done. (A GTK3 entry under Xwayland takes text
    offered as text/plain;charset=utf-8, test_text_dropped_into_a_gtk3_entry, but finishes
    a drop of Qt's plain text/plain as not performed: GTK's own choice, the data reaches it.)"""
    display = compositor.ctl_ok("ping")["display"]
    argv = [SYSTEM_PYTHON, str(CLIENTS / "qt5_probe.py"), "--app-id", "test.qt5x11"]
    argv += ["--button", BUTTON, "--entry", ENTRY, "--content", CONTENT]
    target = compositor.spawn(argv, env={"QT_QPA_PLATFORM": "xcb", "DISPLAY": display}, text=True)
    wait_for_line(target, lambda line: line == "mapped", 30)
    entry = wait_for_boxes(compositor, lambda found: True, "the X11 entry", entry=ENTRY)["entry"]
    # The Wayland Qt's widgets in colours of their own (the probe's last option counts).
    qt_button, qt_entry = "9933cc", "cc9933"
    source = qt5(
        compositor, "test.qt5", "--drag-text", "from Qt5", "--button", qt_button,
        "--entry", qt_entry,
    )  # fmt: skip
    button = wait_for_boxes(compositor, lambda found: True, "Qt's button", button=qt_button)
    start = center(button["button"])
    compositor.ctl_ok("pointer-move", x=start[0], y=start[1])
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=True)
    wait_for_line(source, lambda line: line.startswith("press "))
    # Onto the entry's left part (the Wayland window may cover its right end). Qt starts
    # the drag past its start distance, with the pointer already over the X11 window:
    # the xwm must hear that enter too (DragAndDrop.on_started, on the next idle turn).
    move(compositor, start, (entry[0] + 24, entry[1] + entry[3] // 2), steps=16)
    wait_for_line(source, lambda line: line == "drag-begin")
    wait_for(lambda: drag_state(compositor)["active"], 10, what="the drag")
    # The X11 entry accepted (its XdndStatus) before the release: the source hears it.
    wait_for(lambda: drag_state(compositor)["accepted"], 20, what="the X11 entry's accept")
    compositor.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    wait_for_line(target, lambda line: line == "text from Qt5", 20)
    assert wait_for_line(source, lambda line: line.startswith("drag-end"), 20) == "drag-end copy"
    assert drag_state(compositor)["x11_drops"] == 1
