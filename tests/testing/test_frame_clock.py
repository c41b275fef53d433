"""The manual frame clock (issue 23, deterministic time): frames only when a test steps
them, each step one refresh period on a virtual clock that frame callbacks and
wp_presentation feedback report; an animation then draws the same pictures on every run."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from compositor.testing import Compositor, images_match, wait_for
from tests.conftest import needs

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
# The documented start of the virtual clock (1 s) and one period of the headless outputs'
# 60 Hz, as wp_presentation's refresh field gives it: 10^12 / 60000 mHz, in whole ns.
START_NS = 1_000_000_000
PERIOD_NS = 10**12 // 60_000


def _read_until(proc: subprocess.Popen, word: str, count: int) -> dict[str, list[list[int]]]:
    """The client's lines, by their first word (numbers after it), read until ``count``
    lines start with ``word``."""
    found: dict[str, list[list[int]]] = {}
    while len(found.get(word, [])) < count:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"the client ended after {found} ({proc.poll()})")
        first, *rest = line.split() or [""]
        found.setdefault(first, []).append([int(w) for w in rest if w.isdigit()])
    return found


def test_frames_and_presentation_follow_the_stepped_clock(tmp_path: Path) -> None:
    with Compositor(tmp_path, width=400, height=300, frame_clock="manual") as wayland:
        client = wayland.spawn(
            [sys.executable, "-m", "tests.clients.frame_timed"], text=True, cwd=ROOT
        )
        wayland.wait_for_window(app_id="test.frame-timed")
        state = wayland.frame_clock()
        assert (state["mode"], state["time_ns"], state["period_ns"]) == (
            "manual",
            START_NS,
            PERIOD_NS,
        )
        steps = 8
        for _ in range(steps):
            wayland.frame_step()  # waits for the client's next commit each time
        assert wayland.frame_clock()["time_ns"] == START_NS + steps * PERIOD_NS
        lines = _read_until(client, "presented", steps)
        presented = lines["presented"]
        # Step k shows the frame committed before it and presents it at START + k periods.
        times = [sec * 10**9 + nsec for sec, nsec, _refresh, _seq in presented]
        assert times == [START_NS + k * PERIOD_NS for k in range(1, steps + 1)]
        assert {refresh for _s, _n, refresh, _q in presented} == {PERIOD_NS}
        # Frame callbacks carry the same time in ms.
        frames = [ms for (ms,) in lines["frame"]]
        assert frames == [(START_NS + k * PERIOD_NS) // 10**6 for k in range(1, steps + 1)]
        # Nothing but the steps made frames: one output frame per step, no more.
        assert wayland.frames() == steps


def test_an_animation_looks_the_same_on_two_runs(tmp_path: Path) -> None:
    needs("weston-simple-shm")
    shots = []
    for run in range(2):
        with Compositor(tmp_path / f"run{run}", width=400, height=300, frame_clock="manual") as c:
            c.launch(["weston-simple-shm"])
            window = c.wait_for_window(pid=c.clients[-1].pid)
            c.frame_step(10)
            early = c.screenshot(window)
            c.frame_step(20)
            shots.append((early, c.screenshot(window)))
    (early0, late0), (early1, late1) = shots
    assert not images_match(early0, late0), "the animation did not move: a still picture"
    diff = tmp_path / "diff.png"
    assert images_match(early0, early1, diff=diff), f"step 10 differs between runs: {diff}"
    assert images_match(late0, late1, diff=diff), f"step 30 differs between runs: {diff}"


def test_a_screenshot_needs_no_step(tmp_path: Path) -> None:
    with Compositor(tmp_path, width=400, height=300, frame_clock="manual") as wayland:
        wayland.launch([sys.executable, "-m", "tests.clients.solid_window", "--color", "33aa55"])
        window = wayland.wait_for_window(app_id="test.solid")
        assert wayland.screenshot(window).getpixel((5, 5)) == (0x33, 0xAA, 0x55)
        assert wayland.frame_clock()["steps"] == 0


def test_stepping_a_free_clock_says_how_to_get_a_manual_one(tmp_path: Path) -> None:
    with Compositor(tmp_path, width=200, height=200) as wayland:
        reply = wayland.ctl("frame-step", count=1)
        assert not reply["ok"] and "--frame-clock manual" in reply["error"]
        assert wayland.frame_clock()["mode"] == "backend"
    with Compositor(tmp_path / "m", width=200, height=200, frame_clock="manual") as wayland:
        for bad in (0, -1, "3", 10**6):
            reply = wayland.ctl("frame-step", count=bad)
            assert not reply["ok"] and "count is a whole number" in reply["error"], bad


def test_a_manual_clock_needs_the_headless_backend() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "compositor", "--backend", "x11", "--frame-clock", "manual"],
        cwd=ROOT,
        env={"DISPLAY": ":99", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "--frame-clock manual needs --backend headless" in (
        result.stderr
    )


def test_pydrm_run_steps_a_manual_clock() -> None:
    steps = 3
    script = (
        f'{sys.executable} -m compositor.control_client --socket "$PYDRM_CONTROL" '
        f"frame-step count={steps}"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "compositor.run",
            "--frame-clock",
            "manual",
            "--",
            "sh",
            "-c",
            script,
        ],  # fmt: skip
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f'"time_ns": {START_NS + steps * PERIOD_NS}' in result.stdout


def test_the_pytest_plugin_gives_a_manual_clock_when_asked(pytester, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    pytester.makepyfile(
        test_user=f"""
def test_steps(wayland):
    assert wayland.frame_clock()["mode"] == "manual"
    assert wayland.frame_step(2) == {START_NS + 2 * PERIOD_NS}
"""
    )
    result = pytester.runpytest_subprocess(
        str(pytester.path / "test_user.py"), "--pydrm-frame-clock", "manual", timeout=120
    )
    result.assert_outcomes(passed=1)


def test_a_client_that_never_answers_a_step_is_waited_for_until_it_goes(tmp_path: Path) -> None:
    with Compositor(tmp_path, width=400, height=300, frame_clock="manual") as wayland:
        client = wayland.spawn(
            [sys.executable, "-m", "tests.clients.frame_timed"], text=True, cwd=ROOT
        )
        wayland.wait_for_window(app_id="test.frame-timed")
        wayland.frame_step()
        client.send_signal(signal.SIGSTOP)  # it asked for its next frame; it cannot draw it
        try:
            with pytest.raises(TimeoutError, match="wait=False"):
                wayland.frame_step(timeout=1)
            assert wayland.frame_clock()["awaiting"] == 1
            client.kill()  # its surface goes: nothing is awaited any more
            wait_for(lambda: wayland.frame_clock()["awaiting"] == 0, 30, what="the surface gone")
        finally:
            client.kill()
            client.wait()
        wayland.frame_step()  # no client: a step waits for nobody
        assert wayland.alive() and wayland.frame_clock()["steps"] == 3
