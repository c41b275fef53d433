"""pytest plugin (entry point ``pydrm``): a private compositor per test, and the video and
last screenshot of every failing test kept.

    def test_the_button_says_hello(wayland):           # compositor.testing.Compositor
        wayland.launch(["my-app"])
        window = wayland.wait_for_window(app_id="my-app")
        wayland.click(window, 50, 20)
        assert wayland.wait_for_window(title="Hello")

Options: ``--pydrm-size WxH`` (each output, default 1280x720), ``--pydrm-frame-clock
manual`` (frames only on ``wayland.frame_step(n)``: compositor/frame_clock.py),
``--pydrm-record`` (record every test; the video of a passing test is deleted, a failing
test's kept and named in its report with the screenshot taken at the failure),
``--pydrm-artifacts DIR`` (where kept
files go, one directory per test named after its node id: ``tests/test_app.py::test_x``
keeps ``DIR/tests_test_app.py_test_x/``; default the test's tmp_path). With pytest-xdist
(``pytest -n N``) each test, on whichever worker, gets its own compositor: a socket named
after the worker's pid, a runtime directory in the test's own tmp_path (xdist gives each
worker its own base directory), Xwayland's display number taken with X's lock files; so
workers never collide (tests/testing/test_xdist.py runs a suite with -n 2).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from compositor.testing import Compositor


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pydrm", "Wayland compositor for tests (pydrm-compositor)")
    group.addoption("--pydrm-size", default="1280x720", help="each output's size, WxH")
    group.addoption(
        "--pydrm-record",
        action="store_true",
        help="record each test; keep the video of the failing ones",
    )
    group.addoption("--pydrm-artifacts", default=None, help="where failing tests' files go")
    group.addoption(
        "--pydrm-frame-clock",
        choices=("backend", "manual"),
        default="backend",
        help="manual: frames only when a test calls wayland.frame_step(n), on a virtual clock",
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"pydrm_report_{report.when}", report)
    kept = getattr(item, "pydrm_kept", None)
    if report.when == "teardown" and kept:
        # Kept by the fixture's teardown, after the call's report was made: shown in the
        # failure's report (pytest prints failures at the end of the session).
        failed = getattr(item, "pydrm_report_call", None) or report
        failed.sections.append(("pydrm", "\n".join(f"{name}: {path}" for name, path in kept)))


def _artifact_name(item: pytest.Item) -> str:
    """A directory name for a test: its file (from the rootdir, or its name when outside it)
    and its name within (class, parameters), with what a file name cannot hold replaced;
    unique in a session, across xdist's workers too."""
    try:
        path = item.path.relative_to(item.config.rootpath).as_posix()
    except ValueError:
        path = item.path.name
    inside = item.nodeid.split("::", 1)[1] if "::" in item.nodeid else item.name
    return re.sub(r"[^A-Za-z0-9_.\-\[\]]+", "_", f"{path}::{inside}").strip("_")[:200]


@pytest.fixture
def wayland(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Compositor]:
    """A private headless compositor for this test (compositor.testing.Compositor)."""
    config = request.config
    width, height = (int(v) for v in config.getoption("--pydrm-size").split("x"))
    compositor = Compositor(
        tmp_path / "pydrm",
        width=width,
        height=height,
        frame_clock=config.getoption("--pydrm-frame-clock"),
    )
    compositor.workdir.mkdir(parents=True, exist_ok=True)
    compositor.start()
    video = tmp_path / "pydrm-test.mp4"
    recording = config.getoption("--pydrm-record")
    if recording:
        compositor.record_start(video)
    try:
        yield compositor
    finally:
        call = getattr(request.node, "pydrm_report_call", None)
        failed = call is not None and call.failed
        kept: list[tuple[str, Path]] = []
        artifacts = config.getoption("--pydrm-artifacts")
        where = Path(artifacts) / _artifact_name(request.node) if artifacts else tmp_path
        if failed and compositor.alive():
            where.mkdir(parents=True, exist_ok=True)
            shot = where / "failure.png"
            try:
                compositor.screenshot().save(shot)
                kept.append(("screenshot", shot))
            except Exception as exc:  # noqa: BLE001 - the report says why there is none
                kept.append(("screenshot", Path(f"(none: {exc})")))
        if recording and compositor.alive():
            compositor.record_stop()
        compositor.stop()
        if recording:
            if failed:
                if where != tmp_path:
                    shutil.move(str(video), where / video.name)
                    video = where / video.name
                kept.append(("video", video))
            else:
                video.unlink(missing_ok=True)
        if failed:
            kept.append(("compositor log", compositor.log_path))
        request.node.pydrm_kept = kept
