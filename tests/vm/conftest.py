"""VM tests (marked ``vm``) are skipped, with the reason, only when QEMU, a kernel image or
busybox-static is missing (./run_tests.sh installs them from scripts/apt-packages.txt)."""

from __future__ import annotations

import pytest

from tests.vm.harness import unavailable_reason


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = unavailable_reason()
    if not reason:
        return
    for item in items:
        if item.get_closest_marker("vm") is not None:
            item.add_marker(pytest.mark.skip(reason=f"VM unavailable: {reason}"))
