"""VM tests: marked ``vm``; skipped, with the reason, only when QEMU, a kernel image or
busybox-static is missing (./run_tests.sh installs them from scripts/apt-packages.txt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.vm.harness import unavailable_reason


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    reason = unavailable_reason()
    for item in items:
        if Path(str(item.fspath)).resolve().parent == here:
            item.add_marker(pytest.mark.vm)
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"VM unavailable: {reason}"))
