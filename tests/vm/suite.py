"""Host side of the VM tests: each test module boots the guest once (a module-scoped
fixture) to run one guest scenario (tests/vm/scenarios/), then each test asserts one of
its named checks. Artifacts (console, screendumps, logs) go to $PYDRM_ARTIFACTS/vm/NAME.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import pytest

from tests.vm.harness import VM, VMResult

ARTIFACTS = Path(
    os.environ.get("PYDRM_ARTIFACTS", Path(__file__).resolve().parents[2] / "artifacts")
)
log = logging.getLogger(__name__)


class Scenario:
    """The outcome of one guest scenario; :meth:`check` asserts one named check."""

    def __init__(self, result: VMResult) -> None:
        self.result = result
        self.checks = result.results()

    def check(self, name: str) -> dict:
        res = self.result
        if name not in self.checks:
            tail = res.log[-4000:]
            raise AssertionError(
                f"check {name!r} did not run (exit code {res.exit_code}, timed out "
                f"{res.timed_out}); console tail:\n{tail}\nartifacts: {res.out_dir}"
            )
        entry = self.checks[name]
        if entry["ok"] is None:
            pytest.skip(reason=entry.get("detail", "skipped in the guest"))
        if not entry["ok"]:
            details = {k: v for k, v in entry.items() if k not in ("ok", "traceback")}
            raise AssertionError(
                f"{name}: {entry.get('detail')}\n{entry.get('traceback', '')}\n"
                f"{json.dumps(details, indent=1)[:4000]}\nartifacts: {res.out_dir}"
            )
        return entry


def boot_scenario(module: str, timeout: float = 900.0, **vm_options: Any) -> Scenario:
    """Boot the VM once and run ``python -m tests.vm.scenarios.<module>`` inside it."""
    out = ARTIFACTS / "vm" / module
    start = time.monotonic()
    result = VM(out, **vm_options).run(f"python -m tests.vm.scenarios.{module}", timeout=timeout)
    log.info(
        "VM scenario %s: exit %s, boot %.1f s, wall %.1f s",
        module,
        result.exit_code,
        result.boot_s or -1,
        time.monotonic() - start,
    )
    (out / "timing.json").write_text(
        json.dumps({"boot_s": result.boot_s, "wall_s": result.wall_s, "exit": result.exit_code})
    )
    return Scenario(result)
