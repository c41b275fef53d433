"""xdg_toplevel_icon_manager_v1 (ffi/csrc/toplevel_icon.c; drawn by
shell/decorations.py) with tests/clients/icon_window.py: a window's icon is shown in the
compositor's title bar, left of the title, at 16x16; cleared, it goes; the manager's
preferred size is told; a changed icon and a buffer that is not square are protocol
errors."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import wait_for_line
from tests.waiting import wait_for

BAR_HEIGHT = 24
RED = (255, 0, 0)


def icon_window(comp, *options: str):
    argv = [sys.executable, "-m", "tests.clients.icon_window", *options]
    proc = comp.spawn(argv, text=True, stdin=subprocess.PIPE)
    return proc, comp.wait_for_view("test.icon")


def bar_pixels(comp, view: dict, color: tuple[int, int, int]) -> list[tuple[int, int]]:
    """Where the window's title bar (above its geometry) shows exactly ``color``."""
    comp.ctl_ok("pointer-move", x=630, y=470)  # the pointer's image away from the bar
    image = comp.screenshot()
    x, y = view["x"], view["y"]
    return [
        (px, py)
        for py in range(y - BAR_HEIGHT, y)
        for px in range(x, x + view["width"])
        if image.getpixel((px, py)) == color
    ]


def test_the_icon_is_shown_in_the_title_bar(compositor):
    proc, view = icon_window(compositor, "--icon", "ff0000", "--icon-size", "32")
    wait_for_line(proc, lambda line: line == "icon-size 16", 20)
    wait_for_line(proc, lambda line: line == "icon-sizes-done", 20)
    red = wait_for(lambda: bar_pixels(compositor, view, RED), 20, what="the icon in the bar")
    # A 32-pixel icon drawn at 16x16, left in the bar, inside its height.
    xs, ys = {px for px, _ in red}, {py for _, py in red}
    assert len(red) == 16 * 16
    assert (max(xs) - min(xs) + 1, max(ys) - min(ys) + 1) == (16, 16)
    assert min(xs) < view["x"] + 20
    assert view["y"] - BAR_HEIGHT <= min(ys) and max(ys) < view["y"]
    # Cleared (set_icon with none): the bar has no icon again.
    proc.stdin.write("clear\n")
    proc.stdin.flush()
    wait_for(lambda: not bar_pixels(compositor, view, RED), 20, what="the icon gone")


def test_a_window_without_an_icon_has_none(compositor):
    _, view = icon_window(compositor)
    # Its title bar is drawn (the title's white pixels), with nothing red in it.
    wait_for(lambda: bar_pixels(compositor, view, (255, 255, 255)), 20, what="the title")
    assert bar_pixels(compositor, view, RED) == []


def test_an_icon_set_cannot_change(compositor):
    proc, _ = icon_window(compositor, "--icon", "ff0000")
    proc.stdin.write("change\n")
    proc.stdin.flush()
    wait_for_line(
        proc,
        lambda line: line.endswith(
            "error 2: the icon was set on a toplevel: it cannot change any more"
        ),
        20,
    )


def test_a_buffer_that_is_not_square_is_refused(compositor):
    argv = [sys.executable, "-m", "tests.clients.icon_window", "--bad-icon"]
    proc = compositor.spawn(argv, text=True, stdin=subprocess.PIPE)
    wait_for_line(
        proc,
        lambda line: line.endswith(
            "error 1: the icon's buffer is 20x10: it must be square, 1 to 1024 pixels a side"
        ),
        20,
    )
