"""xdg_wm_dialog_v1 (ffi/csrc/xdg_dialog.c; focus in shell/window_manager.py) with
tests/clients/dialog_window.py: a modal dialog opens centred over its parent and above it,
and a click on the parent focuses the dialog; not modal, the click focuses the parent.
Expected positions are computed from the parent's geometry the compositor reports."""

from __future__ import annotations

import itertools
import subprocess
import sys

from tests.helpers import wait_for_line
from tests.waiting import wait_for

BTN_LEFT = 0x110
_tokens = itertools.count(1)


def start(comp, *options: str) -> subprocess.Popen:
    argv = [sys.executable, "-m", "tests.clients.dialog_window", *options]
    proc = comp.spawn(argv, text=True, stdin=subprocess.PIPE)
    comp.wait_for_view("test.parent")
    comp.wait_for_view("test.modal")
    return proc


def command(comp, proc, line: str) -> None:
    token = next(_tokens)
    proc.stdin.write(f"{line}\nsync {token}\n")
    proc.stdin.flush()
    wait_for_line(proc, lambda text: text == f"synced {token}", 20)


def views(comp) -> dict[str, dict]:
    return {v["app_id"]: v for v in comp.views()}


def click_parent_outside_the_dialog(comp) -> None:
    parent = views(comp)["test.parent"]
    comp.ctl_ok("pointer-move", x=parent["x"] + 5, y=parent["y"] + 5)
    comp.ctl_ok("pointer-button", button=BTN_LEFT, pressed=True)
    comp.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)


def test_a_modal_dialog_is_centred_above_its_parent_and_keeps_the_focus(compositor):
    proc = start(compositor)
    found = views(compositor)
    parent, dialog = found["test.parent"], found["test.modal"]
    assert (dialog["modal"], parent["modal"]) == (True, False)
    assert dialog["parent"] == "test.parent"
    # Centred over the parent window, its title bars included (none here: no decoration
    # object, so neither has one), within a pixel of rounding.
    centre_x = parent["x"] + parent["width"] / 2
    centre_y = parent["y"] + parent["height"] / 2
    assert abs(dialog["x"] + dialog["width"] / 2 - centre_x) <= 1
    assert abs(dialog["y"] + dialog["height"] / 2 - centre_y) <= 1
    # Above its parent, and the parent's click focuses the dialog.
    order = [v["app_id"] for v in compositor.views()]
    assert order.index("test.modal") > order.index("test.parent")
    click_parent_outside_the_dialog(compositor)
    wait_for(lambda: views(compositor)["test.modal"]["focused"], 10, what="the dialog focused")
    assert not views(compositor)["test.parent"]["focused"]
    # No longer modal: the parent takes its own click.
    command(compositor, proc, "unset")
    assert views(compositor)["test.modal"]["modal"] is False
    click_parent_outside_the_dialog(compositor)
    wait_for(lambda: views(compositor)["test.parent"]["focused"], 10, what="the parent focused")


def test_a_dialog_that_is_not_modal_leaves_the_parent_its_focus(compositor):
    start(compositor, "--not-modal")
    assert views(compositor)["test.modal"]["modal"] is False
    click_parent_outside_the_dialog(compositor)
    wait_for(lambda: views(compositor)["test.parent"]["focused"], 10, what="the parent focused")


def test_a_second_dialog_object_is_a_protocol_error(compositor):
    proc = start(compositor)
    proc.stdin.write("again\n")
    proc.stdin.flush()
    wait_for_line(
        proc,
        lambda line: line.endswith("error 0: the xdg_toplevel has an xdg_dialog_v1 already"),
        20,
    )
