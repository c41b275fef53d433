"""tablet v2 pen events: a pen on the headless tablet (``pydrm-ctl tablet-pen``) reaches the
surface under it, in that surface's coordinates, if its client has a tablet seat."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import sync, wait_for_line
from tests.input.test_pointer_constraints import protocols


def tablet_window(comp, app_id: str):
    comp.ctl_ok("pointer-move", x=0, y=0)
    proc = comp.spawn(
        [sys.executable, "-m", "tests.clients.tablet_seat", "--window", "--app-id", app_id],
        text=True,
        stdin=subprocess.PIPE,
    )
    view = comp.wait_for_view(app_id)
    wait_for_line(proc, lambda line: line == "tablet-seat")
    return proc, view


def tool_lines(proc) -> list[str]:
    """The tool events the client printed since the last sync (frames left out)."""
    lines, _ = sync(proc)
    last = max((i for i, line in enumerate(lines) if line.startswith("synced ")), default=-1)
    return [line for line in lines[last + 1 :] if not line.startswith("frame")]


def test_a_pen_reaches_the_surface_under_it(compositor):
    proc, view = tablet_window(compositor, "test.tablet")
    compositor.ctl_ok("tablet-add")
    wait_for_line(proc, lambda line: line == "tablet 1 done")
    x, y = view["x"], view["y"]
    compositor.ctl_ok("tablet-pen", x=x + 30, y=y + 40, proximity="in")
    lines = tool_lines(proc)
    assert "tool-added 1" in lines
    assert "proximity-in 1 window" in lines
    motions = [line.split() for line in lines if line.startswith("motion 1 ")]
    assert motions, lines
    mx, my = float(motions[-1][2]), float(motions[-1][3])
    assert abs(mx - 30) <= 1 and abs(my - 40) <= 1, motions
    # The cursor followed the pen.
    assert protocols(compositor)["cursor"] == [x + 30, y + 40]

    compositor.ctl_ok("tablet-pen", x=x + 50, y=y + 60, tip="down", pressure=0.5)
    lines = tool_lines(proc)
    assert "down 1" in lines
    assert "pressure 1 32767" in lines or "pressure 1 32768" in lines, lines
    motion = next(line.split() for line in lines if line.startswith("motion 1 "))
    assert abs(float(motion[2]) - 50) <= 1 and abs(float(motion[3]) - 60) <= 1

    compositor.ctl_ok("tablet-pen", x=x + 50, y=y + 60, button=331, pressed="true")
    assert "button 1 331 1" in tool_lines(proc)
    compositor.ctl_ok("tablet-pen", x=x + 50, y=y + 60, button=331, pressed="false")
    assert "button 1 331 0" in tool_lines(proc)

    compositor.ctl_ok("tablet-pen", x=x + 50, y=y + 60, tip="up", pressure=0)
    lines = tool_lines(proc)
    assert "up 1" in lines
    assert "pressure 1 0" in lines

    compositor.ctl_ok("tablet-pen", x=x + 50, y=y + 60, proximity="out")
    assert "proximity-out 1" in tool_lines(proc)


def test_a_pen_off_the_window_leaves_it(compositor):
    proc, view = tablet_window(compositor, "test.tablet.leave")
    compositor.ctl_ok("tablet-add")
    wait_for_line(proc, lambda line: line == "tablet 1 done")
    x, y = view["x"], view["y"]
    compositor.ctl_ok("tablet-pen", x=x + 10, y=y + 10)
    assert "proximity-in 1 window" in tool_lines(proc)
    # Off the window (the background): the window's client hears the pen went.
    compositor.ctl_ok("tablet-pen", x=max(x - 5, 0) if x > 5 else x + view["width"] + 5, y=y)
    lines = tool_lines(proc)
    assert "proximity-out 1" in lines
    assert not any(line.startswith("motion") for line in lines)


def test_while_the_tip_is_down_the_pen_stays_with_its_surface(compositor):
    proc, view = tablet_window(compositor, "test.tablet.grab")
    compositor.ctl_ok("tablet-add")
    wait_for_line(proc, lambda line: line == "tablet 1 done")
    x, y = view["x"], view["y"]
    outside = x + view["width"] + 20
    compositor.ctl_ok("tablet-pen", x=x + 10, y=y + 10, tip="down")
    assert "down 1" in tool_lines(proc)
    compositor.ctl_ok("tablet-pen", x=outside, y=y + 10)
    assert "proximity-out 1" not in tool_lines(proc)
    compositor.ctl_ok("tablet-pen", x=outside, y=y + 10, tip="up")
    assert "up 1" in tool_lines(proc)
    # Lifted, it goes where it is: off the window.
    compositor.ctl_ok("tablet-pen", x=outside + 1, y=y + 10)
    assert "proximity-out 1" in tool_lines(proc)


def test_a_pen_on_a_client_without_a_tablet_seat_sends_it_nothing(compositor):
    from tests.input.test_pointer_constraints import input_window

    window, view = input_window(compositor, "test.no.tablet")
    client = compositor.spawn(
        [sys.executable, "-m", "tests.clients.tablet_seat"], text=True, stdin=subprocess.PIPE
    )
    wait_for_line(client, lambda line: line == "tablet-seat")
    compositor.ctl_ok("tablet-add")
    wait_for_line(client, lambda line: line == "tablet 1 done")
    compositor.ctl_ok("tablet-pen", x=view["x"] + 10, y=view["y"] + 10, tip="down")
    compositor.ctl_ok("tablet-pen", x=view["x"] + 10, y=view["y"] + 10, tip="up")
    sync(window)
    client.stdin.write("sync 1\n")
    client.stdin.flush()
    lines = []
    wait_for_line(client, lambda line: lines.append(line) or line == "synced 1")
    assert "tool-added 1" in lines  # the pen was there
    assert not any(line.startswith(("proximity-in", "motion", "down")) for line in lines)
