"""Pointer constraints, relative pointer and pointer gestures, with a real client
(tests/clients/input_window.py) checking what each protocol delivers.

A locked pointer stays where it is while the client gets the motion as relative events
(what a game turns its camera with); a confined one stops at its region's edge; when the
lock ends the pointer goes to the client's hint. Gestures injected on the headless pointer
(``pointer-gesture``, like a touchpad's) reach the client under the pointer.
"""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import sync, wait_for_line


def input_window(comp, app_id: str, *options: str):
    """Start tests/clients/input_window.py; returns (process, view dict) once mapped. The
    pointer is first put on the background (top-left corner), off every new window."""
    comp.ctl_ok("pointer-move", x=0, y=0)
    argv = [sys.executable, "-m", "tests.clients.input_window", "--app-id", app_id]
    proc = comp.spawn([*argv, "--stdin-sync", *options], text=True, stdin=subprocess.PIPE)
    return proc, comp.wait_for_view(app_id)


def protocols(comp) -> dict:
    return comp.ctl_ok("input-protocols")


def command(proc, line: str) -> None:
    proc.stdin.write(line + "\n")
    proc.stdin.flush()


def test_relative_motion_is_sent_for_every_pointer_motion(compositor):
    proc, view = input_window(compositor, "test.relative", "--relative")
    compositor.ctl_ok("pointer-move", x=view["x"] + 10, y=view["y"] + 10)
    wait_for_line(proc, lambda line: line == "enter 10 10 window")
    compositor.ctl_ok("pointer-move", x=view["x"] + 40, y=view["y"] + 30)
    compositor.ctl_ok("pointer-move", x=view["x"] + 35, y=view["y"] + 50)
    lines, _ = sync(proc)
    # Each motion with its relative motion, in one frame (the relative one after: it goes
    # to the client the pointer is on once moved; none when it moved to another surface).
    assert [line for line in lines if line.startswith(("relative", "motion"))][-4:] == [
        "motion 40 30",
        "relative 30 20 30 20",
        "motion 35 50",
        "relative -5 20 -5 20",
    ]


def test_a_locked_pointer_stays_and_the_client_gets_relative_motion(compositor):
    proc, view = input_window(compositor, "test.locked", "--lock", "--relative")
    wait_for_line(proc, lambda line: line == "locked")  # it has the focus: active
    assert protocols(compositor)["active"] == "locked"
    x, y = view["x"] + 50, view["y"] + 40
    compositor.ctl_ok("pointer-move", x=x, y=y)  # from outside: the pointer enters freely
    wait_for_line(proc, lambda line: line == "enter 50 40 window")
    for dx, dy in ((30, 0), (60, -25), (-60, 10)):
        compositor.ctl_ok("pointer-move", x=x + dx, y=y + dy)
    lines, _ = sync(proc)
    after = lines[lines.index("enter 50 40 window") + 1 :]
    # Each motion arrives as relative motion from where the pointer stays, never as motion.
    assert [line for line in after if line.startswith(("relative", "motion", "leave"))] == [
        "relative 30 0 30 0",
        "relative 60 -25 60 -25",
        "relative -60 10 -60 10",
    ]
    assert protocols(compositor)["cursor"] == [x, y]


def test_unlocking_puts_the_pointer_at_the_clients_hint(compositor):
    proc, view = input_window(
        compositor, "test.hint", "--lock", "--lock-hint", "120,90", "--relative"
    )
    wait_for_line(proc, lambda line: line == "locked")
    compositor.ctl_ok("pointer-move", x=view["x"] + 20, y=view["y"] + 20)
    compositor.ctl_ok("pointer-move", x=view["x"] + 60, y=view["y"] + 70)  # locked: stays
    assert protocols(compositor)["cursor"] == [view["x"] + 20, view["y"] + 20]
    command(proc, "unconstrain")
    sync(proc)
    state = protocols(compositor)
    assert (state["active"], state["constraints"]) == (None, 0)
    assert state["cursor"] == [view["x"] + 120, view["y"] + 90]
    # Free again: motion reaches the client from the hint.
    compositor.ctl_ok("pointer-move", x=view["x"] + 125, y=view["y"] + 95)
    wait_for_line(proc, lambda line: line == "motion 125 95")


def test_the_lock_follows_the_keyboard_focus(compositor):
    proc, view = input_window(compositor, "test.lock-focus", "--lock")
    wait_for_line(proc, lambda line: line == "locked")
    other, _ = input_window(compositor, "test.other")  # takes the focus
    wait_for_line(proc, lambda line: line == "unlocked")
    assert protocols(compositor)["active"] is None
    # Clicking the locked window focuses it again: the lock is back.
    compositor.ctl_ok("pointer-move", x=view["x"] + 5, y=view["y"] + 5)
    compositor.ctl_ok("pointer-button")
    wait_for_line(proc, lambda line: line == "locked")
    assert protocols(compositor)["active"] == "locked"


def test_a_confined_pointer_stops_at_the_edge_of_its_region(compositor):
    # Region x 20..120, y 20..100 of a 200x150 window.
    proc, view = input_window(compositor, "test.confined", "--confine", "20,20,100,80")
    wait_for_line(proc, lambda line: line == "confined")
    # The pointer was outside the region when the confinement began: it was brought to
    # the middle of the region.
    assert protocols(compositor)["cursor"] == [view["x"] + 70, view["y"] + 60]
    wait_for_line(proc, lambda line: line == "enter 70 60 window")
    compositor.ctl_ok("pointer-move", x=view["x"] + 100, y=view["y"] + 60)
    wait_for_line(proc, lambda line: line == "motion 100 60")
    # Far to the right, out of the window: it stops at the last column of the region.
    compositor.ctl_ok("pointer-move", x=view["x"] + 400, y=view["y"] + 60)
    wait_for_line(proc, lambda line: line == "motion 119 60")
    assert protocols(compositor)["cursor"] == [view["x"] + 119, view["y"] + 60]
    # Diagonally up-left past the corner: along the edge to the top-left corner.
    compositor.ctl_ok("pointer-move", x=view["x"] + 10, y=view["y"])
    lines, _ = sync(proc)
    assert lines[-1] == "motion 20 20"
    assert "leave" not in lines


def test_gestures_reach_the_client_under_the_pointer(compositor):
    proc, view = input_window(compositor, "test.gestures", "--gestures")
    other, other_view = input_window(compositor, "test.no-gestures", "--gestures")
    compositor.ctl_ok("pointer-move", x=view["x"] + 10, y=view["y"] + 10)
    wait_for_line(proc, lambda line: line == "enter 10 10 window")
    steps = [
        ("swipe", "begin", {"fingers": 3}, "swipe-begin 3"),
        ("swipe", "update", {"dx": 5, "dy": -2.5}, "swipe-update 5 -2.5"),
        ("swipe", "end", {}, "swipe-end 0"),
        ("pinch", "begin", {"fingers": 2}, "pinch-begin 2"),
        ("pinch", "update", {"dx": 1, "dy": 2, "scale": 1.5, "rotation": 10}, None),
        ("pinch", "end", {"cancelled": True}, "pinch-end 1"),
        ("hold", "begin", {"fingers": 4}, "hold-begin 4"),
        ("hold", "end", {}, "hold-end 0"),
    ]
    for kind, phase, args, _ in steps:
        compositor.ctl_ok("pointer-gesture", kind=kind, phase=phase, **args)
    lines, _ = sync(proc)
    expected = [line or "pinch-update 1 2 1.5 10" for *_, line in steps]
    assert [line for line in lines if line.split()[0].startswith(("swipe", "pinch", "hold"))] == (
        expected
    )
    other_lines, _ = sync(other)
    assert not [line for line in other_lines if line.startswith(("swipe", "pinch", "hold"))]
    assert protocols(compositor)["gestures"]["swipe_begin"] == 1
    refused = compositor.ctl("pointer-gesture", kind="hold", phase="update")
    assert not refused["ok"] and "not for hold" in refused["error"]
