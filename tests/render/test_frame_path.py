"""The steady-state frame path runs no Python: with 16 animated clients and nothing asking
for frames, the count of entries from C into Python does not move over 300 output frames; a
recording (which taps every frame) moves it, so the count is real. The count is taken where
C enters Python (every cffi extern "Python" function), so Python reached any other way than
the project's helpers (a plain pywayland Listener) is counted too."""

from __future__ import annotations

from pywayland import ffi as wl_ffi
from pywayland import lib as wl_lib
from pywayland.server import Listener

from compositor import python_calls
from compositor.ffi import lib
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


def test_every_entry_from_c_into_python_is_counted():
    """In this process: every extern "Python" function of the loaded cffi modules is known,
    and C calling a plain pywayland Listener (as wl_signal_emit does), or one of this
    project's entry points, moves the count by exactly one each."""
    python_calls.install()
    assert python_calls.unknown_entry_points() == {}
    heard: list[object] = []
    listener = Listener(lambda _listener, data: heard.append(data))
    before = python_calls.entered
    wl_lib.notify_func(listener._ptr, wl_ffi.NULL)
    assert (heard, python_calls.entered) == ([wl_ffi.NULL], before + 1)
    import compositor.wl_drm.bridge  # noqa: F401, PLC0415 (imported only when needed)

    lib.comp_drm_buffer_destroyed(0)  # no buffer has that token: nothing to do
    assert python_calls.entered == before + 2
    assert python_calls.unknown_entry_points() == {}
