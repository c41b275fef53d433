"""A dialog shown before its window (session restore, a dialog from a toolkit's startup
code): once the window maps, or once the dialog names it as its parent, the dialog goes
centred over it, above it, and moves with it, as if it had opened after it. A dialog the
person moved stays where they put it.

tests/clients/late_parent.py maps a main window (300x200) and a dialog (120x80) in the
order a test asks. Expected positions are computed here from the parent's geometry the
compositor reports (no title bars: these clients ask for none), not from placement code."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.apps.test_real_apps import CLIENTS, SYSTEM_PYTHON, TOOLKITS
from tests.conftest import needs_installed
from tests.helpers import solid_window, wait_for_line
from tests.input.test_input import drag
from tests.waiting import wait_for

BTN_LEFT = 0x110
MAIN = (300, 200)
DIALOG = (120, 80)


def view(comp, app_id: str) -> dict:
    return next(v for v in comp.views() if v["app_id"] == app_id)


def position(comp, app_id: str) -> tuple[int, int]:
    found = view(comp, app_id)
    return found["x"], found["y"]


def late_parent(comp, *options: str) -> subprocess.Popen:
    argv = [sys.executable, "-m", "tests.clients.late_parent", "--app-id", "test.late"]
    return comp.spawn([*argv, *options], text=True, stdin=subprocess.PIPE)


def tell(proc: subprocess.Popen, line: str) -> None:
    proc.stdin.write(line + "\n")
    proc.stdin.flush()


def map_window(comp, proc: subprocess.Popen, name: str) -> dict:
    tell(proc, f"map {name}")
    wait_for_line(proc, lambda line: line == f"mapped {name}")
    return comp.wait_for_view("test.late" if name == "main" else "test.late.dialog")


def synced(proc: subprocess.Popen, token: str) -> None:
    """Every request sent before is handled by the compositor."""
    tell(proc, f"sync {token}")
    wait_for_line(proc, lambda line: line == f"synced {token}")


def centred_over(main: dict) -> tuple[int, int]:
    return main["x"] + (MAIN[0] - DIALOG[0]) // 2, main["y"] + (MAIN[1] - DIALOG[1]) // 2


def assert_over_and_above(comp) -> dict:
    main, dialog = view(comp, "test.late"), view(comp, "test.late.dialog")
    assert dialog["parent"] == "test.late"
    assert (dialog["x"], dialog["y"]) == centred_over(main), (main, dialog)
    order = [v["app_id"] for v in comp.views()]
    assert order.index("test.late.dialog") == order.index("test.late") + 1, order
    return dialog


def fill_top_left(comp) -> None:
    """A window at the top-left, so that least-overlap placement puts the dialog (mapped
    alone) elsewhere than where its parent will open."""
    solid_window(comp, "cc6633", "test.other", size="200x150")


def test_a_dialog_mapped_before_its_parent_goes_over_it_when_the_parent_maps(compositor):
    fill_top_left(compositor)
    proc = late_parent(compositor, "--parent-first")
    alone = map_window(compositor, proc, "dialog")
    assert alone["parent"] == "test.late"
    main = map_window(compositor, proc, "main")
    assert (alone["x"], alone["y"]) != centred_over(main)  # else the test proves nothing
    dialog = assert_over_and_above(compositor)
    # It moves with its parent, as any dialog does.
    start = (main["x"] + 10, main["y"] + 10)
    drag(compositor, start, (start[0] + 40, start[1] + 30), BTN_LEFT)
    wait_for(
        lambda: (
            (view(compositor, "test.late")["x"], view(compositor, "test.late")["y"])
            == (main["x"] + 40, main["y"] + 30)
        ),
        10,
        what="the parent moved",
    )
    moved = view(compositor, "test.late.dialog")
    assert (moved["x"], moved["y"]) == (dialog["x"] + 40, dialog["y"] + 30)


def test_a_mapped_dialog_goes_over_the_parent_it_names_later(compositor):
    fill_top_left(compositor)
    proc = late_parent(compositor)
    alone = map_window(compositor, proc, "dialog")
    assert alone["parent"] is None
    main = map_window(compositor, proc, "main")
    assert (alone["x"], alone["y"]) != centred_over(main)  # else the test proves nothing
    tell(proc, "parent")
    synced(proc, "parented")
    assert_over_and_above(compositor)


def test_a_dialog_parented_before_its_parent_maps_goes_over_it_then(compositor):
    """Mapped alone, then named a parent that is not mapped yet, then the parent maps."""
    fill_top_left(compositor)
    proc = late_parent(compositor)
    map_window(compositor, proc, "dialog")
    tell(proc, "parent")
    synced(proc, "parented")
    map_window(compositor, proc, "main")
    assert_over_and_above(compositor)


def test_a_late_dialog_is_kept_on_the_parents_output(compositor):
    """Centred over a parent that hangs off the left edge: moved back onto the output."""
    proc = late_parent(compositor)
    map_window(compositor, proc, "dialog")
    main = map_window(compositor, proc, "main")
    start = (main["x"] + 290, main["y"] + 10)
    drag(compositor, start, (start[0] - main["x"] - 200, start[1]), BTN_LEFT)
    wait_for(lambda: view(compositor, "test.late")["x"] < 0, 10, what="the parent off the edge")
    tell(proc, "parent")
    synced(proc, "parented")
    main, dialog = view(compositor, "test.late"), view(compositor, "test.late.dialog")
    assert centred_over(main)[0] < 0
    assert (dialog["x"], dialog["y"]) == (0, centred_over(main)[1])


def test_a_late_dialog_goes_to_its_parents_output(make_compositor):
    """The dialog opened on the output under the pointer; its window opens on the other
    one: the dialog follows it there."""
    comp = make_compositor(args=["--outputs", "2"], width=640, height=480)
    by_x = {o["x"]: o["name"] for o in comp.ctl_ok("outputs")["outputs"]}
    assert sorted(by_x) == [0, 640]
    comp.ctl_ok("pointer-move", x=10, y=10)  # new windows open on the output under it
    proc = late_parent(comp, "--parent-first")
    alone = map_window(comp, proc, "dialog")
    assert alone["x"] + DIALOG[0] <= 640
    comp.ctl_ok("pointer-move", x=640 + 10, y=10)
    main = map_window(comp, proc, "main")
    assert main["x"] >= 640
    dialog = assert_over_and_above(comp)
    assert 640 <= dialog["x"] and dialog["x"] + DIALOG[0] <= 1280


@pytest.mark.parametrize("late", ["parent-maps", "set-parent"])
def test_a_dialog_the_person_moved_stays_where_they_put_it(compositor, late):
    fill_top_left(compositor)
    proc = late_parent(compositor, *(["--parent-first"] if late == "parent-maps" else []))
    alone = map_window(compositor, proc, "dialog")
    start = (alone["x"] + 10, alone["y"] + 10)
    drag(compositor, start, (start[0] + 30, start[1] + 20), BTN_LEFT)
    put = (alone["x"] + 30, alone["y"] + 20)
    wait_for(lambda: position(compositor, "test.late.dialog") == put, 10, what="the dialog moved")
    map_window(compositor, proc, "main")
    if late == "set-parent":
        tell(proc, "parent")
    synced(proc, "done")
    dialog = view(compositor, "test.late.dialog")
    assert dialog["parent"] == "test.late"
    assert (dialog["x"], dialog["y"]) == put
    order = [v["app_id"] for v in compositor.views()]
    assert order.index("test.late.dialog") == order.index("test.late") + 1, order


def toolkit_param(name: str):
    toolkit = next(t for t in TOOLKITS if t.name == name)
    return pytest.param(
        toolkit, id=name, marks=needs_installed(toolkit.installed, toolkit.packages)
    )


# (the option that shows the dialog first, the line it prints then, the dialog's title)
DIALOG_FIRST = {
    "gtk3": ("--about-first", "about-mapped", "About probe"),
    "qt5": ("--message-first", "message-shown", "qt5 message"),
}


@pytest.mark.parametrize("toolkit", [toolkit_param("gtk3"), toolkit_param("qt5")])
def test_a_real_x11_dialog_shown_before_its_window_goes_over_it(make_compositor, toolkit):
    """A real GTK3 About dialog or Qt5 QMessageBox (X11 clients: WM_TRANSIENT_FOR names a
    window not mapped yet), shown first: once the toolkit shows the window, the dialog is
    centred over it and above it. Qt places the dialog itself (over where its window would
    be before the compositor placed it) and says USPosition: not the person's choice. (As
    Wayland clients neither GTK3 nor Qt5 ever sends set_parent for a dialog whose window had
    no xdg_toplevel when it was shown, nor later: nothing names the parent there.)"""
    option, shown, title = DIALOG_FIRST[toolkit.name]
    comp = make_compositor(width=1600, height=1200)
    solid_window(comp, "cc6633", "test.first", size="600x400")  # takes the top-left
    env = {"GDK_BACKEND": "x11", "QT_QPA_PLATFORM": "xcb"}
    env["DISPLAY"] = comp.ctl_ok("ping")["display"]
    argv = [SYSTEM_PYTHON, str(CLIENTS / toolkit.probe), "--app-id", toolkit.app_id, option]
    probe = comp.spawn(argv, env=env, text=True, stdin=subprocess.PIPE)
    wait_for_line(probe, lambda line: line == shown, 30)
    alone = wait_for(
        lambda: next((v for v in comp.views() if v["title"] == title and v["mapped"]), None),
        30,
        what="the dialog mapped alone",
    )
    probe.stdin.write("show\n")
    probe.stdin.flush()
    wait_for_line(probe, lambda line: line == "mapped", 30)
    window = comp.wait_for_window(title=f"{toolkit.name} probe", timeout=30)
    bar = comp.ctl_ok("decorations")["style"]["height"]

    def centre(v: dict) -> tuple[float, float]:
        top = v["y"] - (bar if v["decoration"] == "server" else 0)
        return v["x"] + v["width"] / 2, (top + v["y"] + v["height"]) / 2

    def find(views: list[dict]) -> tuple[dict | None, dict | None]:
        dialog = next((v for v in views if v["title"] == title and v["mapped"]), None)
        main = next((v for v in views if v["title"] == window.title and v["mapped"]), None)
        return dialog, main

    def over() -> bool:
        dialog, main = find(comp.views())
        if dialog is None or main is None or dialog["parent"] is None:
            return False
        return all(abs(a - b) <= 1 for a, b in zip(centre(dialog), centre(main), strict=True))

    wait_for(over, 20, what=f"the dialog centred on {window}: {comp.views()}")
    views = comp.views()
    dialog, main = find(views)
    assert (dialog["x"], dialog["y"]) != (alone["x"], alone["y"])  # it did move
    assert views.index(dialog) == views.index(main) + 1, views
