"""Fixtures: a real compositor per test (see tests/harness.py)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.harness import CompositorProcess, require

ARTIFACTS = Path(
    os.environ.get("PYDRM_ARTIFACTS", Path(__file__).resolve().parent.parent / "artifacts")
)


@pytest.fixture
def make_compositor(tmp_path: Path) -> Iterator[Callable[..., CompositorProcess]]:
    """Factory: ``make_compositor(args=[...], width=, height=)`` -> a started compositor.

    Every compositor made is stopped at the end of the test, and must exit cleanly (exit
    code 0, no traceback, socket removed) unless the test already stopped it.
    """
    started: list[CompositorProcess] = []

    def make(**kwargs) -> CompositorProcess:
        comp = CompositorProcess(tmp_path / f"c{len(started)}", **kwargs)
        started.append(comp)
        return comp.start()

    yield make
    errors = []
    for comp in started:
        if comp.proc is not None and comp.proc.returncode is None:
            try:
                comp.stop()
            except AssertionError as exc:
                errors.append(exc)
    if errors:
        raise errors[0]


@pytest.fixture
def compositor(make_compositor) -> CompositorProcess:
    return make_compositor()


# wl_drm is offered only for a DRM node that exists and opens, and these machines have no
# /dev/dri: tests of wl_drm itself name the node (an explicit --wl-drm-device is advertised
# as given), and their clients share memfd-backed PRIME buffers, which take the same mmap
# path a dma-buf takes under pixman. Real nodes and dma-bufs are tested in the VM.
WL_DRM_TEST_NODE = "/dev/dri/renderD128"
WL_DRM_TEST_ARGS = ["--wl-drm-device", WL_DRM_TEST_NODE]


@pytest.fixture
def wl_drm_compositor(make_compositor) -> CompositorProcess:
    return make_compositor(args=WL_DRM_TEST_ARGS)


def needs(*programs: str):
    """Mark a test as running these programs: skipped (with the reason) when one is not
    installed, except under CI (CI=true), where that fails: ./run_tests.sh installs every
    program the tests run, so a missing one is a missing install step, not a skip."""
    return pytest.mark.needs_programs(*programs)


def needs_installed(available: bool, packages: str):
    """Like needs, for what is not a program (a module for the system python3, a plugin):
    skipped with the reason when missing, a failure under CI."""
    return pytest.mark.needs_installed(available, packages)


def _missing(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; scripts/apt-packages*.txt must list it", pytrace=False)
    pytest.skip(reason=message)


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("needs_programs"):
        missing = require(*mark.args)
        if missing:
            _missing(f"not installed: {', '.join(missing)} (./run_tests.sh installs it)")
    for mark in item.iter_markers("needs_installed"):
        available, packages = mark.args
        if not available:
            _missing(f"not installed: {packages} (./run_tests.sh installs it)")
