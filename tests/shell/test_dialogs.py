"""Transient windows (dialogs): centred over their parent, above it, moving with it.

A dialog is a toplevel whose parent is another window (xdg_toplevel.set_parent, X11's
WM_TRANSIENT_FOR): GTK's About and file dialogs, Qt's QMessageBox. Expected positions are
computed here from the parent's geometry the compositor reports, not from the product's
placement code."""

from __future__ import annotations

import subprocess

import pytest

from tests.apps.test_real_apps import CLIENTS, SYSTEM_PYTHON, TOOLKITS
from tests.conftest import needs_installed
from tests.helpers import region_is, rgb, solid_window, wait_for_line
from tests.input.test_input import drag
from tests.waiting import wait_for

BTN_LEFT = 0x110


def view(comp, app_id: str) -> dict:
    return next(v for v in comp.views() if v["app_id"] == app_id)


def open_dialog(comp, proc, color: str, size: str) -> dict:
    proc.stdin.write(f"dialog {color} {size}\n")
    proc.stdin.flush()
    wait_for_line(proc, lambda line: line.startswith("dialog-mapped"))
    return comp.wait_for_view("test.main.dialog")


def test_a_dialog_opens_centred_over_its_parent_and_stays_above(compositor):
    # Fill the output first, so that the least-overlap placement would put the dialog
    # anywhere but over its parent.
    main, main_view = solid_window(compositor, "3366cc", "test.main", size="300x200")
    other, other_view = solid_window(compositor, "cc6633", "test.other", size="300x200")
    dialog = open_dialog(compositor, main, "eeee00", "120x80")
    main_view = view(compositor, "test.main")
    assert dialog["parent"] == "test.main"
    assert (dialog["x"], dialog["y"]) == (
        main_view["x"] + (300 - 120) // 2,
        main_view["y"] + (200 - 80) // 2,
    )
    assert dialog["focused"]
    # Clicking the parent raises it, and its dialog stays above it.
    compositor.ctl_ok("pointer-move", x=main_view["x"] + 5, y=main_view["y"] + 5)
    compositor.ctl_ok("pointer-button", button=BTN_LEFT)
    wait_for(lambda: view(compositor, "test.main")["focused"], 10, what="the parent focused")
    order = [v["app_id"] for v in compositor.views()]
    assert order.index("test.main.dialog") == order.index("test.main") + 1, order
    shot = compositor.screenshot("dialog-above")
    assert region_is(shot, (dialog["x"] + 2, dialog["y"] + 2, 116, 76), rgb("eeee00"))
    # The other window raised above both, then the parent again: the dialog follows it.
    compositor.ctl_ok("pointer-move", x=other_view["x"] + 5, y=other_view["y"] + 5)
    compositor.ctl_ok("pointer-button", button=BTN_LEFT)
    wait_for(lambda: view(compositor, "test.other")["focused"], 10, what="the other focused")
    assert [v["app_id"] for v in compositor.views()][-1] == "test.other"


def test_a_dialog_moves_with_its_parent(compositor):
    main, main_view = solid_window(compositor, "3366cc", "test.main", size="300x200")
    dialog = open_dialog(compositor, main, "eeee00", "120x80")
    start = (main_view["x"] + 10, main_view["y"] + 10)
    drag(compositor, start, (start[0] + 40, start[1] + 30), BTN_LEFT)
    wait_for(
        lambda: (
            (view(compositor, "test.main")["x"], view(compositor, "test.main")["y"])
            == (main_view["x"] + 40, main_view["y"] + 30)
        ),
        10,
        what="the parent moved",
    )
    moved = view(compositor, "test.main.dialog")
    assert (moved["x"], moved["y"]) == (dialog["x"] + 40, dialog["y"] + 30)


def test_a_dialog_of_a_window_at_the_edge_stays_on_the_output(compositor):
    """Centred over a parent that hangs off the output, a dialog is moved back in."""
    main, main_view = solid_window(compositor, "3366cc", "test.main", size="200x150")
    start = (main_view["x"] + 190, main_view["y"] + 10)
    drag(compositor, start, (start[0] - main_view["x"] - 150, start[1]), BTN_LEFT)
    wait_for(lambda: view(compositor, "test.main")["x"] < 0, 10, what="the parent off the edge")
    dialog = open_dialog(compositor, main, "eeee00", "120x80")
    assert dialog["x"] == 0


GTK3 = next(toolkit for toolkit in TOOLKITS if toolkit.name == "gtk3")


@needs_installed(GTK3.installed, GTK3.packages)
@pytest.mark.parametrize("backend", ["wayland", "x11"])
def test_gtk3_about_dialog_opens_over_its_window(make_compositor, backend):
    """A real GTK3 About dialog, as a Wayland client and as an X11 one: centred on its
    window (the output is big enough for it to need no moving back in). As an X11 client
    GTK asks for a position itself (PPosition), centred on where its window was before the
    compositor placed it, now and then: a dialog goes over its window all the same. As a
    Wayland client GTK names the parent after the first commit now and then: the dialog
    goes over it then."""
    comp = make_compositor(width=1600, height=1200)
    solid_window(comp, "cc6633", "test.first", size="600x400")  # takes the top-left
    env = {"GDK_BACKEND": backend}
    if backend == "x11":
        env["DISPLAY"] = comp.ctl_ok("ping")["display"]
    argv = [SYSTEM_PYTHON, str(CLIENTS / "gtk3_probe.py"), "--app-id", "test.gtk3"]
    probe = comp.spawn(argv, env=env, text=True, stdin=subprocess.PIPE)
    wait_for_line(probe, lambda line: line == "mapped", 30)
    # GTK says "mapped" when it has mapped the window, maybe before the compositor has its
    # commit (Debian 13's GTK 3.24.49 under load): the About dialog would otherwise map first,
    # with no window yet to open over.
    comp.wait_for_window(title="gtk3 probe", timeout=30)
    probe.stdin.write("about\n")
    probe.stdin.flush()
    wait_for_line(probe, lambda line: line == "about-mapped", 30)

    def about() -> dict | None:
        views = comp.views()
        return next((v for v in views if v["parent"] and v["mapped"]), None)

    dialog = wait_for(about, 20, what="the About dialog as a transient")
    parent = next(v for v in comp.views() if v["app_id"] == dialog["parent"])
    assert parent["app_id"] != "test.first"

    # GTK draws the dialog's title bar itself or asks for ours, depending on its settings:
    # the frame (ours above the window when it has one) is what is centred.
    bar = comp.ctl_ok("decorations")["style"]["height"]

    def centre(v: dict) -> tuple[float, float]:
        top = v["y"] - (bar if v["decoration"] == "server" else 0)
        bottom = v["y"] + v["height"]
        return v["x"] + v["width"] / 2, (top + bottom) / 2

    def centred() -> bool:
        d = about()
        p = next(v for v in comp.views() if v["app_id"] == dialog["parent"] and not v["parent"])
        return all(abs(a - b) <= 1 for a, b in zip(centre(d), centre(p), strict=True))

    wait_for(centred, 10, what=f"the dialog centred on its window: {about()} over {parent}")
    views = comp.views()
    dialog_at = next(i for i, v in enumerate(views) if v["parent"])
    parent_at = next(
        i for i, v in enumerate(views) if v["app_id"] == dialog["parent"] and not v["parent"]
    )
    assert dialog_at == parent_at + 1, views
