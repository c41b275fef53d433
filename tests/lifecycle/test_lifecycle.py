"""Command line, start-up errors and clean shutdown of the real compositor process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.harness import ROOT, CompositorProcess
from tests.helpers import client_output, solid_window


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "compositor", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "XDG_RUNTIME_DIR": "/tmp", **(env or {})},
    )


def test_help_explains_every_option():
    result = run_cli("--help")
    assert result.returncode == 0
    for option in (
        "--backend",
        "--socket",
        "--width",
        "--height",
        "--renderer",
        "--log-level",
        "--wl-drm-device",
        "--allow-flink",
        "--no-linux-dmabuf",
        "--record",
        "--mode",
    ):
        assert option in result.stdout


@pytest.mark.parametrize(
    ("args", "env", "hint"),
    [
        (["--backend", "vulkan"], {}, "invalid choice"),
        (["--width", "0"], {}, "--width must be between 1"),
        (["--width", "wide"], {}, "--width must be a whole number"),
        (["--mode", "1920x1080", "--backend", "headless"], {}, "--mode applies to the drm backend"),
        (["--mode", "big"], {}, "WIDTHxHEIGHT"),
        (["--backend", "x11"], {"DISPLAY": ""}, "start Xvfb"),
        (["--backend", "wayland"], {"WAYLAND_DISPLAY": ""}, "WAYLAND_DISPLAY is unset"),
        (["--record", "/tmp/out.avi"], {}, "ending in .mp4"),
        (["--socket", "a/b"], {}, "plain name"),
        (["--disable-global", "wl drm"], {}, "--disable-global takes an interface name"),
        (["--frobnicate"], {}, "unrecognized arguments"),
    ],
)
def test_bad_options_exit_2_with_one_line_hint(args, env, hint):
    result = run_cli(*args, env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # one line: no usage dump, no traceback
    assert lines[0].startswith("pydrm-compositor: error: ") and hint in lines[0]
    assert "Traceback" not in result.stderr


def test_occupied_socket_name_is_a_clear_error(compositor, tmp_path):
    second = CompositorProcess(tmp_path / "second", args=[])
    second.runtime_dir = compositor.runtime_dir
    second.env["XDG_RUNTIME_DIR"] = str(compositor.runtime_dir)
    second.args[second.args.index("--socket") + 1] = compositor.socket
    result = subprocess.run(
        [sys.executable, "-m", "compositor", *second.args],
        cwd=ROOT,
        env=second.env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "in use by another compositor" in result.stderr
    assert "Traceback" not in result.stderr
    # The first compositor is untouched.
    assert compositor.ctl_ok("ping")["socket"] == compositor.socket


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_disconnects_clients_and_removes_socket(compositor, sig):
    proc, _ = solid_window(compositor, "00ffff", "test.exit")
    compositor.clients.remove(proc)  # stop() kills its clients first: this one must not be
    assert compositor.stop(sig=sig) == 0  # checks: exit 0, no traceback, socket removed
    # The client saw the connection close and exited on its own (killed, it would be -9).
    lines = client_output(proc)
    assert (proc.returncode, lines[-1]) == (0, "disconnected"), lines
    assert not compositor.control_path.exists()
