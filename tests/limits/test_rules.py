"""The configuration's client_limits() rules (compositor/limits_objects.py): by executable
and uid, other limits for a client (wl_shm's too) and graphics globals kept from it, decided
when it connects; `clients` says which of its limits a rule set."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.conftest import needs
from tests.harness import wait_for
from tests.limits.test_limits import shm_hog
from tests.limits.test_objects import WL_DISPLAY_NO_MEMORY, object_hog, release

PYTHON = Path(sys.executable).resolve().name  # what /proc/PID/exe of a test client names


def configured(make_compositor, tmp_path: Path, text: str, *args: str):
    config = tmp_path / "config.py"
    config.write_text(text)
    return make_compositor(args=["--config", str(config), *args])


def test_a_rule_lowers_a_clients_object_limit(make_compositor, tmp_path):
    comp = configured(
        make_compositor, tmp_path,
        f"client_limits(exe={PYTHON!r}, uid={os.getuid()}, regions=10)\n",
    )  # fmt: skip
    hog, report = object_hog(comp, "regions", "--count", "1000")
    error = report["error"]
    assert (error["interface"], error["code"]) == ("wl_display", WL_DISPLAY_NO_MEMORY), error
    assert "11 wl_region objects, over the limit of 10 (--max-client-regions, or a " \
        "client_limits rule)" in error["message"]  # fmt: skip
    release(hog)
    described = comp.ctl_ok("limits")["objects"]["rules"]
    assert described == [{"exe": PYTHON, "uid": os.getuid(), "limits": {"regions": 10},
                          "hide": [], "refuse_formats": [], "refuse_modifiers": [],
                          "line": 1}]  # fmt: skip


def test_a_rule_for_another_program_leaves_the_defaults(make_compositor, tmp_path):
    comp = configured(make_compositor, tmp_path, "client_limits(exe='firefox', regions=10)\n")
    hog, report = object_hog(comp, "regions", "--count", "100")
    assert report["error"] is None, report
    (client,) = comp.ctl_ok("clients", pid=hog.pid)["clients"]
    assert client["limits"]["by_rule"] is False
    assert client["limits"]["regions"]["limit"] == 4096
    release(hog)


def test_a_rule_raises_a_clients_shm_limit(make_compositor, tmp_path):
    """--max-client-shm-buffers 100 for all, 300 for this program: it holds 200."""
    comp = configured(
        make_compositor, tmp_path, f"client_limits(exe={PYTHON!r}, shm_buffers=300)\n",
        "--max-client-shm-buffers", "100",
    )  # fmt: skip
    hog, report = shm_hog(comp, "buffers", "--count", "200")
    assert report["error"] is None, report
    (client,) = comp.ctl_ok("clients", pid=hog.pid)["clients"]
    assert client["wl_shm"]["buffers"]["used"] == 200
    assert client["wl_shm"]["buffers"]["limit"] == 300
    assert client["limits"]["by_rule"] is True
    release(hog)


def test_a_rule_keeps_wl_drm_from_a_client(make_compositor, tmp_path):
    """wl_drm=False: the global is not offered to it (it takes its fall-back path), and
    `clients` says it was hidden by rule."""
    from tests.conftest import WL_DRM_TEST_ARGS  # noqa: PLC0415

    comp = configured(
        make_compositor, tmp_path, f"client_limits(exe={PYTHON!r}, wl_drm=False)\n",
        *WL_DRM_TEST_ARGS,
    )  # fmt: skip
    assert comp.ctl_ok("buffers")["device"]  # wl_drm is offered here
    hog, report = object_hog(comp, "wl_drm", "--count", "1")
    assert report == {"made": 0, "missing": "wl_drm", "error": None, "disconnected": False}
    (client,) = comp.ctl_ok("clients", pid=hog.pid)["clients"]
    assert "wl_drm" not in client["globals"]
    assert client["limits"]["hidden_by_rule"] == ["wl_drm"]
    release(hog)


@needs("Xwayland", "xlogo")
def test_xwayland_gets_its_limits_by_rule(make_compositor, tmp_path):
    """Xwayland is a client like any other: its credentials are the compositor's own (a
    socketpair), and a rule names it ``Xwayland``."""
    comp = configured(make_compositor, tmp_path, "client_limits(exe='Xwayland', surfaces=20000)\n")
    display = comp.ctl_ok("ping")["display"]
    xlogo = comp.spawn(["xlogo"], env={"DISPLAY": display})

    def xwayland() -> dict | None:
        """Xwayland's figures once it shows the window (a surface)."""
        mine = [c for c in comp.ctl_ok("clients")["clients"] if c["pid"] == comp.pid]
        return mine[0]["limits"] if mine and mine[0]["limits"]["surfaces"]["used"] else None

    held = wait_for(xwayland, 30, what="Xwayland's client with a surface")
    assert held["by_rule"] is True and held["surfaces"]["limit"] == 20000, held
    xlogo.kill()
    xlogo.wait()


def test_a_rule_keeps_a_client_off_the_planes(make_compositor, tmp_path):
    """scanout=False: `clients` says so (the VM's scanout_by_rule check shows a fullscreen
    dma-buf window composited instead of scanned out)."""
    comp = configured(make_compositor, tmp_path, f"client_limits(exe={PYTHON!r}, scanout=False)\n")
    hog, report = object_hog(comp, "regions", "--count", "1")
    (client,) = comp.ctl_ok("clients", pid=hog.pid)["clients"]
    assert client["limits"]["composited_by_rule"] is True
    assert client["limits"]["hidden_by_rule"] == []
    release(hog)
