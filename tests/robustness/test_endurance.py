"""Endurance: what clients and recordings leave behind, counted exactly.

Each test warms the compositor up once (first-use costs: imports, caches, the first
recording's PyAV), takes the ``stats`` control command as the baseline, churns (windows with
subsurfaces and popups of popups, wl_drm buffers, abrupt kills, recordings), waits until
every client is gone, and asserts that the live counts and the count of every Python object
type of the compositor and its bindings are back to the baseline, exactly. The live counts
include C objects no Python object stands for: ``scene_nodes``, every node of the scene
graph, counted in C (a window's scene tree left behind keeps no Python object alive). RSS
is not deterministic: its growth over the baseline is held under a bound per test, a few
times what these churns leave (allocator arenas, caches), far under what leaking their
buffers would (each test's bound says how much that is).
"""

from __future__ import annotations

import gc
import signal
import sys
import weakref
from typing import Any

from pywayland import ffi as wl_ffi
from pywayland.server import Listener, Signal

from compositor import wayland_fixes
from compositor.listeners import Listeners
from tests.harness import CompositorProcess, memcheck_prefix
from tests.helpers import wait_for_line
from tests.waiting import wait_for

# Counts that must return exactly to the baseline.
LIVE = (
    "clients",
    "surfaces",
    "views",
    "popups",
    "scene_nodes",
    "listeners",
    "event_sources",
    "wl_drm_buffers",
    "wl_drm_native_buffers",
    "wl_drm_clients",
    "recordings",
    "fds",
)


def stats(comp: CompositorProcess) -> dict[str, Any]:
    return comp.ctl_ok("stats")


def wait_until_no_clients(comp: CompositorProcess, clients: int = 0) -> None:
    for proc in comp.clients:
        proc.wait(timeout=30)
    comp.clients.clear()
    wait_for(
        lambda: comp.ctl_ok("stats", objects=0)["clients"] == clients,
        30,
        what=f"the compositor to see {clients} clients",
    )


def assert_back_to(
    comp: CompositorProcess, baseline: dict[str, Any], rss_kib: int | None = None
) -> None:
    """Live counts and object counts exactly at the baseline; RSS at most ``rss_kib`` over
    it when given (not under valgrind, whose own memory is in the process's RSS)."""
    now = stats(comp)
    growth = now["rss_kib"] - baseline["rss_kib"]
    assert rss_kib is None or memcheck_prefix() or growth <= rss_kib, (
        f"RSS grew by {growth} KiB ({baseline['rss_kib']} -> {now['rss_kib']}), "
        f"more than {rss_kib} KiB"
    )
    changed_live = {k: (baseline[k], now[k]) for k in LIVE if baseline[k] != now[k]}
    types = set(baseline["py_objects"]) | set(now["py_objects"])
    changed_types = {
        t: (baseline["py_objects"].get(t, 0), now["py_objects"].get(t, 0))
        for t in sorted(types)
        if baseline["py_objects"].get(t, 0) != now["py_objects"].get(t, 0)
    }
    assert not changed_live and not changed_types, (
        f"not back to baseline (baseline, now): live {changed_live}, "
        f"objects {changed_types}; RSS {baseline['rss_kib']} -> {now['rss_kib']} KiB"
    )


def window(comp: CompositorProcess, *extra: str):
    return comp.spawn(
        [sys.executable, "-m", "tests.clients.solid_window", "--app-id", "test.churn", *extra],
        text=True,
    )


def churn_windows(comp: CompositorProcess, count: int) -> None:
    """``count`` windows, each with a subsurface and a chain of 3 popups; half are killed."""
    baseline_nodes = stats(comp)["scene_nodes"]
    procs = [
        window(comp, "--subsurface", "00ff00", "--popup", "ff0000", "--popup-depth", "3")
        for _ in range(count)
    ]
    for proc in procs:
        wait_for_line(proc, lambda line: line == "popup-mapped 3", timeout=60)
    live = stats(comp)
    # What the compositor holds while they are up: the counts are real, not constants.
    assert live["views"] >= count and live["popups"] >= 3 * count
    assert live["surfaces"] >= 5 * count
    # Each window's nodes: its tree, its surface's and its subsurface's, and for each of
    # its 3 popups a tree and a surface node (at least; wlroots adds trees of its own).
    assert live["scene_nodes"] >= baseline_nodes + 9 * count
    for i, proc in enumerate(procs):
        proc.send_signal(signal.SIGKILL if i % 2 else signal.SIGTERM)


def test_remove_listener_drops_the_python_link_too():
    # A real wl_signal (pywayland's Signal() calls wl_signal_init, which it does not bind).
    c_signal = wl_ffi.new("struct wl_signal *")
    head = wl_ffi.addressof(c_signal.listener_list)
    head.prev = head.next = head
    signal_ = Signal(ptr=c_signal)

    class Owner:
        def handler(self, listener: Listener, data: object) -> None:
            pass

    owner = Owner()
    gone = weakref.ref(owner)
    listeners = Listeners((signal_, owner.handler))
    live = Listeners.live
    del owner
    assert gone() is not None, "the signal holds the handler's owner while connected"
    listeners.remove_all()
    gc.collect()  # a pywayland Listener holds a handle to itself: a cycle for gc
    assert signal_._link == [] and gone() is None
    assert head.next == head, "the C listener is unlinked too"
    assert Listeners.live == live - 1


def test_event_sources_are_dropped_from_the_loop(compositor):
    # Timers, idles and fds: every control connection is an fd source; 50 connections
    # opened and closed leave the loop's callback list as it was.
    before = compositor.ctl_ok("stats", objects=0)["event_sources"]
    from compositor.control_client import ControlClient

    for _ in range(50):
        with ControlClient(compositor.control_path) as extra:
            assert extra.call("ping")["ok"]
    wait_for(
        lambda: compositor.ctl_ok("stats", objects=0)["control_connections"] == 1,
        10,
        what="the control connections to close",
    )
    assert compositor.ctl_ok("stats", objects=0)["event_sources"] == before
    assert wayland_fixes.remove_source(None) is None


def test_windows_subsurfaces_and_nested_popups_leave_nothing(compositor):
    churn_windows(compositor, 2)  # warm-up: first-use imports and caches
    wait_until_no_clients(compositor)
    baseline = stats(compositor)
    for _ in range(3):
        churn_windows(compositor, 6)
        wait_until_no_clients(compositor)
    # Seen: about 330 KiB. Leaked, the 18 windows' buffers (200x150 XRGB, 60x40 for the
    # subsurface and each popup) would be over 2.6 MiB.
    assert_back_to(compositor, baseline, rss_kib=1536)


def test_wl_drm_buffers_and_abrupt_kills_leave_nothing(wl_drm_compositor):
    compositor = wl_drm_compositor

    def generation(count: int) -> None:
        procs = [
            compositor.spawn([sys.executable, "-m", "tests.clients.wl_drm_client"], text=True)
            for _ in range(count)
        ]
        for proc in procs:
            wait_for_line(proc, lambda line: line == "mapped", timeout=60)
        assert stats(compositor)["wl_drm_buffers"] >= count
        for proc in procs:
            proc.kill()

    generation(1)
    wait_until_no_clients(compositor)
    baseline = stats(compositor)
    assert baseline["wl_drm_buffers"] == 0
    for _ in range(3):
        generation(5)
        wait_until_no_clients(compositor)
    # Seen: about 270 KiB. Leaked, the 15 clients' mappings (160x120 XRGB) would be 1.1 MiB.
    assert_back_to(compositor, baseline, rss_kib=1024)


def test_five_recordings_leave_nothing(compositor, tmp_path):
    proc = compositor.spawn(["weston-simple-shm"])  # something to encode

    def record(n: int) -> None:
        compositor.ctl_ok("record-start", path=str(tmp_path / f"r{n}.mp4"))
        wait_for(
            lambda: compositor.ctl_ok("record-status")["current"]["frames_encoded"] >= 10,
            60,
            what="10 encoded frames",
        )
        # The encoder's frames are counted while they exist.
        objects = stats(compositor)["py_objects"]
        assert objects.get("compositor.recorder.session.Session") == 1
        assert objects.get("compositor.recorder.x264._Slot", 0) > 0
        last = compositor.ctl_ok("record-stop")["last"]
        assert last["error"] is None and last["frames_encoded"] >= 10
        # Freed at once by reference counting, not left in a cycle for the collector (an
        # encoder holds up to 64 MiB of frames).
        left = compositor.ctl_ok("stats", collect=0)["py_objects"]
        for kind in ("session.Session", "x264.X264Encoder", "x264._Slot", "muxer.Mp4Muxer"):
            assert left.get(f"compositor.recorder.{kind}", 0) == 0, (kind, left)
        assert left.get("av.video.codeccontext.VideoCodecContext", 0) == 0, left

    record(0)  # warm-up: the first recording imports PyAV
    baseline = stats(compositor)
    assert baseline["recordings"] == 0
    for n in range(1, 6):
        record(n)
    assert_back_to(compositor, baseline)  # every object and live count exactly back
    # RSS: the first recordings raise the allocator's high-water mark (PyAV's and x264's
    # threads get their own malloc arenas: seen +4.5 to +24 MiB, more on Debian 13's glibc
    # and a loaded machine); after that it stays. An encoder left behind per recording would
    # hold its frames (640x480, 1.2 MiB each) and x264's lookahead: tens of MiB each, so five
    # more recordings would add far more than the bound below.
    plateau = stats(compositor)
    for n in range(6, 11):
        record(n)
    assert_back_to(compositor, plateau, rss_kib=16 * 1024)
    proc.kill()


# What a recording imports (encoder=auto: the VA-API probe, then VA-API's encoder or x264's).
RECORDING_MODULES = {
    "av",
    "compositor.recorder.session",
    "compositor.recorder.frame_source",
    "compositor.recorder.indicator",
    "compositor.recorder.vaapi_probe",
}
ENCODER_MODULES = {"compositor.recorder.x264", "compositor.recorder.vaapi"}


def test_optional_modules_are_imported_only_when_needed(make_compositor, tmp_path):
    """An idle compositor holds none of stats.OPTIONAL_MODULES (issue 12: idle memory); a
    recording imports the recorder's, the ``clients`` command the inspector's, and nothing
    else comes with them. Pixman: a GLES2 compositor loads PyOpenGL with its first frame."""
    compositor = make_compositor(args=["--renderer", "pixman"])

    def loaded() -> set[str]:
        return set(compositor.ctl_ok("stats", objects=0)["optional_modules"])

    assert loaded() == set()
    compositor.ctl_ok("record-start", path=str(tmp_path / "r.mp4"))
    wait_for(
        lambda: compositor.ctl_ok("record-status")["current"]["frames_encoded"] >= 1,
        60,
        what="the first encoded frame",
    )
    compositor.ctl_ok("record-stop")
    after_recording = loaded()
    assert after_recording - ENCODER_MODULES == RECORDING_MODULES, after_recording
    assert after_recording & ENCODER_MODULES, after_recording
    compositor.ctl_ok("clients")
    assert loaded() - after_recording == {
        "compositor.inspect.clients",
        "compositor.inspect.diagnosis",
    }
