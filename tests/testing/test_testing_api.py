"""compositor.testing: the API and the pytest plugin other people test their applications
with, used as they would: a test file of theirs run by pytest (pytester, in a subprocess)."""

from __future__ import annotations

import sys
from importlib.metadata import entry_points

import av
from PIL import Image

from compositor.testing import Compositor, images_match

pytest_plugins = ["pytester"]

USER_TESTS = """
import sys

def test_a_window_is_clicked_and_typed_into(wayland):
    app = wayland.launch([sys.executable, "-m", "tests.clients.solid_window", "--color",
                          "3366cc", "--app-id", "user.app", "--size", "300x200"])
    window = wayland.wait_for_window(app_id="user.app")
    assert (window.width, window.height) == (300, 200)
    wayland.click(window, 10, 10)
    wayland.type_text("hi")
    wayland.key("ctrl+a")
    wayland.scroll(window, 20, 20, 15)
    wayland.wait_until_stable()
    image = wayland.screenshot(window)
    assert image.size == (300, 200) and image.getpixel((150, 100)) == (0x33, 0x66, 0xcc)

def test_this_one_fails_on_purpose(wayland):
    wayland.launch([sys.executable, "-m", "tests.clients.solid_window", "--color",
                    "cc3333", "--app-id", "user.red"])
    wayland.wait_for_window(app_id="user.red")
    assert False, "the window was red"
"""


def test_the_plugin_is_installed_as_an_entry_point():
    names = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert names.get("pydrm") == "compositor.testing.pytest_plugin"


def test_a_user_suite_passes_and_a_failure_leaves_its_video(pytester, monkeypatch):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("PYTHONPATH", str(root))
    monkeypatch.chdir(root)  # the user's tests start our client by module name
    pytester.makepyfile(test_user=USER_TESTS)
    artifacts = pytester.path / "artifacts"
    result = pytester.runpytest_subprocess(
        str(pytester.path / "test_user.py"),
        "--pydrm-record",
        f"--pydrm-artifacts={artifacts}",
        f"--rootdir={pytester.path}",  # kept files are named from it
        "-p",
        "no:cacheprovider",
        timeout=300,
    )
    result.assert_outcomes(passed=1, failed=1)
    # One directory per test, named after its node id.
    kept = artifacts / "test_user.py_test_this_one_fails_on_purpose"
    video, shot = kept / "pydrm-test.mp4", kept / "failure.png"
    assert video.stat().st_size > 0 and shot.exists()
    result.stdout.fnmatch_lines([f"*screenshot: {shot}*", f"*video: {video}*"])
    # The failure's screenshot shows the red window it failed on.
    colors = {c for _n, c in Image.open(shot).convert("RGB").getcolors(1 << 20)}
    assert (0xCC, 0x33, 0x33) in colors
    # A passing test leaves no video.
    assert not (artifacts / "test_user.py_test_a_window_is_clicked_and_typed_into").exists()
    # The video shows what the test failed on: its last frame holds the red window (H.264
    # is lossy: within a few levels; the recording indicator's #dc1414 is farther off).
    with av.open(str(video)) as container:
        last = None
        for frame in container.decode(container.streams.video[0]):
            last = frame.to_image().convert("RGB")
    assert last is not None, "the failure's video has no frame"
    red = sum(
        n
        for n, (r, g, b) in last.getcolors(1 << 20)
        if abs(r - 0xCC) <= 12 and abs(g - 0x33) <= 12 and abs(b - 0x33) <= 12
    )
    assert red >= 200 * 150 * 3 // 4, f"{red} pixels of the red window in the video's last frame"


def test_images_match_writes_a_diff(tmp_path):
    a = Image.new("RGB", (20, 10), (10, 20, 30))
    b = a.copy()
    b.putpixel((3, 4), (10, 20, 40))
    assert images_match(a, b, tolerance=10)
    assert not images_match(a, b, tolerance=9, diff=tmp_path / "diff.png")
    diff = Image.open(tmp_path / "diff.png").convert("RGB")
    assert diff.getpixel((3, 4)) == (255, 0, 0) and diff.getpixel((0, 0)) != (255, 0, 0)


def test_the_api_without_pytest(tmp_path):
    with Compositor(width=400, height=300) as wayland:
        wayland.launch(
            [
                sys.executable,
                "-m",
                "tests.clients.solid_window",
                "--color",
                "33aa55",
                "--app-id",
                "api.app",
            ]  # fmt: skip
        )
        window = wayland.wait_for_window(app_id="api.app")
        assert wayland.screenshot(window).getpixel((5, 5)) == (0x33, 0xAA, 0x55)
        workdir = wayland.workdir
    assert not workdir.exists(), "its own temporary directory is removed"
