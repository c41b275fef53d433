"""The pytest plugin under pytest-xdist: a user's suite run with ``-n 2`` gets one compositor
per test on each worker, and nothing of one (socket, runtime directory, windows, kept
files) reaches another."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

pytest.importorskip("xdist", reason="pytest-xdist is in the test extras: pip install -e .[test]")
pytest_plugins = ["pytester"]

COLORS = ["cc3333", "33cc33", "3333cc", "cccc33", "33cccc", "cc33cc"]

USER_TESTS = """
import json, os, sys
import pytest

@pytest.mark.parametrize("color", %r)
def test_own_window(wayland, color):
    wayland.launch([sys.executable, "-m", "tests.clients.solid_window", "--color", color,
                    "--app-id", "user." + color])
    window = wayland.wait_for_window(app_id="user." + color)
    # Only this test's window is on this test's compositor.
    assert [w.app_id for w in wayland.windows()] == ["user." + color]
    pixel = wayland.screenshot(window).getpixel((5, 5))
    with open(os.environ["USER_LOG"], "a") as log:
        log.write(json.dumps({
            "color": color, "worker": os.environ.get("PYTEST_XDIST_WORKER"),
            "socket": wayland.socket, "runtime": str(wayland.runtime_dir),
            "pixel": list(pixel),
        }) + "\\n")
    assert pixel == tuple(int(color[i:i + 2], 16) for i in (0, 2, 4))
    assert color not in ("cc3333", "33cccc"), "fails on purpose"
"""


def test_two_workers_never_collide(pytester, monkeypatch):
    root = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("PYTHONPATH", str(root))
    monkeypatch.chdir(root)  # the user's tests start our client by module name
    log = pytester.path / "runs.jsonl"
    monkeypatch.setenv("USER_LOG", str(log))
    pytester.makepyfile(test_user=USER_TESTS % (COLORS,))
    artifacts = pytester.path / "artifacts"
    result = pytester.runpytest_subprocess(
        str(pytester.path / "test_user.py"),
        "-n",
        "2",
        f"--pydrm-artifacts={artifacts}",
        f"--rootdir={pytester.path}",  # kept files are named from it
        "-p",
        "no:cacheprovider",
        timeout=300,
    )
    result.assert_outcomes(passed=4, failed=2)
    runs = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(r["color"] for r in runs) == sorted(COLORS)
    assert {r["worker"] for r in runs} == {"gw0", "gw1"}, "both workers ran tests"
    assert len({r["socket"] for r in runs}) == len(COLORS)
    assert len({r["runtime"] for r in runs}) == len(COLORS)
    for run in runs:  # each screenshot showed its own test's window
        assert run["pixel"] == [int(run["color"][i : i + 2], 16) for i in (0, 2, 4)]
    # Each failing test kept its own screenshot, showing its own window.
    for color in ("cc3333", "33cccc"):
        shot = artifacts / f"test_user.py_test_own_window[{color}]" / "failure.png"
        rgb = tuple(int(color[i : i + 2], 16) for i in (0, 2, 4))
        colors = {c for _n, c in Image.open(shot).convert("RGB").getcolors(1 << 20)}
        others = {tuple(int(c[i : i + 2], 16) for i in (0, 2, 4)) for c in COLORS} - {rgb}
        assert rgb in colors and not colors & others, shot
    assert sorted(p.name for p in artifacts.iterdir()) == [
        "test_user.py_test_own_window[33cccc]",
        "test_user.py_test_own_window[cc3333]",
    ]
