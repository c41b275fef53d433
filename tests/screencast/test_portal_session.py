"""``pydrm-portal session-services``: in a session with no D-Bus session bus and no
PipeWire (a VT login without systemd), it starts them, points the bus's activation
environment at this compositor, runs the command given after ``--`` and stops what it
started when that command ends. Its failures say what to do."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import needs
from tests.harness import ROOT

pytestmark = [needs("dbus-daemon", "dbus-send", "pipewire", "wireplumber"), pytest.mark.slow]
pytestmark.append(needs("/usr/libexec/xdg-desktop-portal"))


def answers(path: Path) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        probe.close()


def session_env(comp, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path / "home"),
        "PYTHONPATH": str(ROOT),
        "XDG_RUNTIME_DIR": str(comp.runtime_dir),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "WAYLAND_DISPLAY": comp.socket,
        "PYDRM_CONTROL_SOCKET": str(comp.control_path),
        "XDG_CURRENT_DESKTOP": "pydrm",
        **extra,
    }


def portal(env: dict[str, str], *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "compositor.portal", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_session_services_start_and_stop_what_is_missing(compositor, tmp_path):
    env = session_env(compositor, tmp_path)
    assert portal(env, "install", "--user").returncode == 0
    runtime = compositor.runtime_dir
    assert not (runtime / "bus").exists() and not (runtime / "pipewire-0").exists()
    # The command asks the portal frontend (started by D-Bus on the new bus) for our
    # backend's source types: the frontend found the backend through the activation
    # environment, and the backend answered.
    check = (
        'test -S "$XDG_RUNTIME_DIR/pipewire-0" && dbus-send --session --print-reply '
        "--dest=org.freedesktop.portal.Desktop /org/freedesktop/portal/desktop "
        "org.freedesktop.DBus.Properties.Get string:org.freedesktop.portal.ScreenCast "
        "string:AvailableSourceTypes"
    )
    result = portal(env, "session-services", "--", "sh", "-c", check)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "uint32 3" in result.stdout, result.stdout + result.stderr
    assert "started a session bus" in result.stdout
    assert "started pipewire and wireplumber" in result.stdout
    # All it started is stopped with the command.
    assert not answers(runtime / "bus")
    assert not answers(runtime / "pipewire-0")


def test_session_services_say_what_is_wrong(compositor, tmp_path):
    env = session_env(compositor, tmp_path, XDG_RUNTIME_DIR=str(tmp_path / "missing"))
    result = portal(env, "session-services", "--", "true")
    assert result.returncode == 1
    assert "XDG_RUNTIME_DIR is not a directory" in result.stderr

    env = session_env(
        compositor, tmp_path, DBUS_SESSION_BUS_ADDRESS=f"unix:path={tmp_path / 'nobus'}"
    )
    result = portal(env, "session-services", "--", "true")
    assert result.returncode == 1
    assert "does not answer; unset it" in result.stderr


def test_wrong_desktop_is_named(compositor, tmp_path):
    """XDG_CURRENT_DESKTOP without pydrm: the frontend would pick another backend; said."""
    env = session_env(compositor, tmp_path, XDG_CURRENT_DESKTOP="GNOME")
    result = portal(env, "session-services", "--", "true")
    assert "XDG_CURRENT_DESKTOP is 'GNOME', not 'pydrm'" in result.stderr
