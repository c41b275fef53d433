"""A 1000 Hz mouse costs no Python: pointer motion over windows and their popups is hit
tested, focused and delivered in C (ffi/csrc/pointer_motion.h).

The mouse is a real client (tests/clients/pointer_mover.py, zwlr_virtual_pointer_v1),
moving through points the test read from a screenshot: the middle of one window, its two
nested popups, a second window and the background, in turn, so that every motion enters
another surface. The oracles are the test's own: each client's ``enter`` lines (how many
times it was entered, and on which surface) and the compositor's count of every entry
from C into Python.
"""

from __future__ import annotations

import subprocess
import sys

from tests.harness import wait_for
from tests.helpers import rgb, solid_window, sync, wait_for_line
from tests.input.test_hit_testing import GEOMETRY, color_box, since_last_sync

ROUNDS = 200  # five points a round: 1000 motions


def enters(lines: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in lines:
        if line.startswith("enter "):
            surface = line.split()[3]
            counts[surface] = counts.get(surface, 0) + 1
    return counts


def test_motion_across_windows_and_popups_calls_no_python(compositor, tmp_path):
    menu, _ = solid_window(
        compositor, "303030", "test.menus", popup="ff8000", popup_depth=2, **GEOMETRY
    )
    wait_for_line(menu, lambda line: line == "popup-mapped 2")
    other, _ = solid_window(compositor, "33aa55", "test.other")
    compositor.ctl_ok("pointer-move", x=1, y=1)
    shot = compositor.screenshot()
    popups = color_box(shot, "ff8000")
    window = color_box(shot, "303030")
    second = color_box(shot, "33aa55")
    assert popups and window and second, "windows and popups on screen"
    x, y, w, h = popups  # two 60x40 popups, the second 30,30 into the first
    points = [
        (window[0] + 5, window[1] + window[3] - 5),  # the menu window, below its popups
        (x + 5, y + 5),  # popup 1
        (x + w - 10, y + h - 10),  # popup 2
        (second[0] + second[2] // 2, second[1] + second[3] // 2),  # the other window
        (shot.width - 2, shot.height - 2),  # the background
    ]
    colors = [shot.getpixel(p) for p in points]
    assert colors[:4] == [rgb("303030"), rgb("ff8000"), rgb("ff8000"), rgb("33aa55")], colors
    assert colors[4] not in colors[:4], "the background"
    # Every place once, injected: the cursor theme is loaded (the first time the pointer
    # is over the background) before the count starts.
    for px, py in points:
        compositor.ctl_ok("pointer-move", x=px, y=py)
    sync(menu)
    sync(other)

    ready = tmp_path / "mover.ready"
    mover = compositor.spawn(
        [
            sys.executable,
            "-m",
            "tests.clients.pointer_mover",
            "--events",
            str(ROUNDS * len(points)),
            "--rate",
            "0",
            "--extent",
            f"{shot.width},{shot.height}",
            "--ready-file",
            str(ready),
            "--hold",
            "--points",
            *(f"{px},{py}" for px, py in points),
        ],
        text=True,
        stdin=subprocess.PIPE,
    )
    wait_for(ready.exists, what="the virtual pointer")
    # Its device is plugged in (Python: a new input device); the count starts now.
    before = compositor.ctl_ok("stats", objects=0)["python_calls"]
    motion_before = compositor.ctl_ok("input-protocols")["pointer_motion"]
    ready.unlink()
    wait_for_line(mover, lambda line: line == f"done {ROUNDS * len(points)}", timeout=120)
    after = compositor.ctl_ok("stats", objects=0)["python_calls"]
    motion_after = compositor.ctl_ok("input-protocols")["pointer_motion"]
    menu_lines = since_last_sync(menu)
    other_lines = since_last_sync(other)
    mover.stdin.write("quit\n")
    mover.stdin.flush()
    assert mover.wait(30) == 0

    # Delivered: each round enters the window, popup 1, popup 2 and the other window.
    menu_enters = enters(menu_lines)
    assert menu_enters == {"window": ROUNDS, "popup-1": ROUNDS, "popup-2": ROUNDS}, menu_enters
    assert enters(other_lines) == {"window": ROUNDS}
    # And no Python on the way.
    assert motion_after["motions_c"] - motion_before["motions_c"] == ROUNDS * len(points)
    assert motion_after["motions_python"] == motion_before["motions_python"]
    assert after - before == 0, f"{after - before} entries into Python for 1000 motions"
