"""protocols/wayland-drm.xml and its generated bindings: Mesa's wire contract, build output
not in git."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from compositor.wl_drm import scan


def _load(tmp_path):
    out = scan.generate(out=tmp_path / "gen")
    spec = importlib.util.spec_from_file_location("gen_wl_drm", out / "wl_drm.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.WlDrm


def test_generated_interface_matches_mesas_opcodes(tmp_path):
    wl_drm = _load(tmp_path)
    assert (wl_drm.name, wl_drm.version) == ("wl_drm", 2)
    assert [m.name for m in wl_drm.requests] == [
        "authenticate",
        "create_buffer",
        "create_planar_buffer",
        "create_prime_buffer",
    ]
    assert [m.name for m in wl_drm.events] == ["device", "format", "authenticated", "capabilities"]
    signatures = {m.name: "".join(a.signature for a in m.arguments) for m in wl_drm.requests}
    assert signatures == {
        "authenticate": "u",
        "create_buffer": "nuiiuu",
        "create_planar_buffer": "nuiiuiiiiii",
        "create_prime_buffer": "nhiiuiiiiii",
    }
    assert wl_drm.requests[3].version == 2 and wl_drm.events[3].version == 2
    assert {e.name: e.value for e in wl_drm.error} == {
        "authenticate_fail": 0,
        "invalid_format": 1,
        "invalid_name": 2,
    }
    assert wl_drm.capability.prime == 1
    assert wl_drm.format.xrgb8888 == 0x34325258 and wl_drm.format.nv12 == 0x3231564E


def test_generated_bindings_are_a_build_product_not_in_git():
    tracked = subprocess.run(
        ["git", "ls-files", "compositor/protocols_gen"],
        cwd=scan.ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert tracked == ""
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "compositor/protocols_gen/drm/wl_drm.py"], cwd=scan.ROOT
    )
    assert ignored.returncode == 0


def test_scan_runs_standalone_as_setup_py_does(tmp_path):
    # setup.py runs scan.py by path (runpy) before the package is importable.
    result = subprocess.run(
        [sys.executable, str(scan.ROOT / "compositor/wl_drm/scan.py")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert not scan.is_stale()
