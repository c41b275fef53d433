"""VM tests (marked ``vm``) are skipped, with the reason, only when QEMU, a kernel image or
busybox-static is missing (./run_tests.sh installs them from scripts/apt-packages.txt); under
CI (CI=true) that fails instead, as ``needs`` does: setup installs them on every supported
release, so a missing one is a missing install step, not a skip."""

from __future__ import annotations

import os

import pytest

from tests.vm.harness import unavailable_reason


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("vm") is None:
        return
    reason = unavailable_reason()
    if not reason:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"VM unavailable: {reason}", pytrace=False)
    pytest.skip(reason=f"VM unavailable: {reason}")
