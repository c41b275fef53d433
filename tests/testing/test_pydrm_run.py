"""``pydrm-run -- COMMAND``: a private headless compositor around a command, like xvfb-run
(compositor/run.py). Real programs: wayland-info, a solid-colour window, xdpyinfo, sh."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

from tests.conftest import needs
from tests.helpers import rgb
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]


def pydrm_run(*args: str, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "DISPLAY")}
    return subprocess.run(
        [sys.executable, "-m", "compositor.run", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


@needs("wayland-info")
def test_a_wayland_client_runs_inside_and_its_status_comes_back():
    result = pydrm_run("--", "wayland-info")
    assert result.returncode == 0, result.stderr
    assert "wl_compositor" in result.stdout and "wl_drm" not in result.stderr
    assert pydrm_run("--", "sh", "-c", "exit 3").returncode == 3
    # The environment a command gets: its own runtime directory, socket and control socket.
    env = pydrm_run("--", "sh", "-c", 'echo "$XDG_RUNTIME_DIR $WAYLAND_DISPLAY $PYDRM_CONTROL"')
    runtime, socket, control = env.stdout.split()
    assert socket == "wayland-1" and control == f"{runtime}/wayland-1.control"
    assert runtime.startswith("/tmp/pydrm-run-") and not Path(runtime).exists(), "cleaned up"


def test_a_timeout_kills_the_command_and_what_it_started(tmp_path):
    marker = tmp_path / "child.pid"
    start = time.monotonic()
    result = pydrm_run("--timeout", "2", "--", "sh", "-c", f"sleep 300 & echo $! > {marker}; wait")
    assert result.returncode == 124, result.stderr
    assert time.monotonic() - start < 30
    child = int(marker.read_text())

    def gone() -> bool:  # killed: gone, or a zombie until its new parent reaps it
        try:
            stat = Path(f"/proc/{child}/stat").read_text()
        except OSError:
            return True
        return stat[stat.rindex(")") + 2] == "Z"

    wait_for(gone, 10, what="the command's child to be killed too")


def test_screenshot_on_exit_shows_what_the_command_drew(tmp_path):
    shot = tmp_path / "exit.png"
    script = (
        f"{sys.executable} -m tests.clients.solid_window --color 33aa55 --app-id run.test "
        "--size 200x150 & pid=$!; "
        "for i in $(seq 100); do pydrm_ctl views | grep -q run.test && break; sleep 0.1; done"
    )
    ctl = f"{sys.executable} -m compositor.control_client --socket $PYDRM_CONTROL"
    script = script.replace("pydrm_ctl", ctl)
    result = pydrm_run(
        "--size", "640x480", "--screenshot-on-exit", str(shot), "--", "sh", "-c", script
    )
    assert result.returncode == 0, result.stderr
    image = Image.open(shot).convert("RGB")
    assert image.size == (640, 480)
    assert rgb("33aa55") in {color for _count, color in image.getcolors(1 << 20)}


@needs("xdpyinfo")
def test_an_x11_client_gets_a_display():
    result = pydrm_run("--", "sh", "-c", 'xdpyinfo -display "$DISPLAY" | head -3')
    assert result.returncode == 0, result.stderr
    assert "name of display" in result.stdout


def test_two_runs_side_by_side_do_not_collide():
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "compositor.run",
                "--",
                "sh",
                "-c",
                "echo $XDG_RUNTIME_DIR; sleep 2",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [proc.communicate(timeout=60) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outs
    assert outs[0][0] != outs[1][0]


def test_a_command_that_does_not_exist_is_127():
    result = pydrm_run("--", "/nonexistent/program")
    assert result.returncode == 127
    assert "cannot run" in result.stderr
