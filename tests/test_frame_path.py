"""The steady-state frame path runs no Python: with 16 animated clients and nothing asking
for frames, the count of Python callbacks entered does not move over 300 output frames; a
recording (which taps every frame) moves it, so the count is real."""

from __future__ import annotations

from tests.conftest import needs
from tests.waiting import wait_for

CLIENTS = 16
FRAMES = 300


def calls(comp) -> int:
    return comp.ctl_ok("stats", objects=0)["python_calls"]


def wait_frames(comp, count: int) -> None:
    start = comp.frames()
    wait_for(lambda: comp.frames() >= start + count, 120, what=f"{count} output frames")


@needs("weston-simple-shm")
def test_no_python_per_frame_with_16_animated_clients(make_compositor, tmp_path):
    comp = make_compositor(width=1280, height=720)
    for _ in range(CLIENTS):
        comp.spawn(["weston-simple-shm"])
    wait_for(lambda: len(comp.views()) == CLIENTS, 60, what=f"{CLIENTS} windows")
    wait_frames(comp, 10)  # every client has mapped and is animating
    copies = comp.ctl_ok("copy-stats")["paths"]["pixman_read"]["commits"]
    before = calls(comp)
    wait_frames(comp, FRAMES)
    assert calls(comp) == before, "Python ran on the frame path"
    # The clients did animate meanwhile (their commits went through the C copy counters).
    assert comp.ctl_ok("copy-stats")["paths"]["pixman_read"]["commits"] >= copies + FRAMES
    comp.ctl_ok("record-start", path=str(tmp_path / "r.mp4"))
    before = calls(comp)
    wait_frames(comp, 30)
    assert calls(comp) > before, "a recording taps frames in Python: the count must move"
    comp.ctl_ok("record-stop")
