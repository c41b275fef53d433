"""Test harness: a real compositor process per test, real clients, real pixels.

:class:`CompositorProcess` is the product's :class:`compositor.testing.Compositor` (the API
other people test their applications with: a private headless compositor, its control
socket, windows, input, screenshots) with the suite's checks on top: a clean exit and no
traceback in the log at ``stop``, grim screenshots, MALLOC_PERTURB_ and memcheck.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import signal
from pathlib import Path

from PIL import Image

from compositor.testing import Compositor, CompositorError
from tests.waiting import TIMEOUT_SCALE, wait_for

__all__ = [
    "ROOT",
    "CompositorError",
    "CompositorProcess",
    "memcheck_lost_in_requests",
    "memcheck_prefix",
    "require",
    "wait_for",
]

ROOT = Path(__file__).resolve().parent.parent
_counter = itertools.count()


class CompositorProcess(Compositor):
    """The product's test compositor (compositor.testing.Compositor: one harness for the
    project's tests and other people's) with the suite's own checks on top: 640x480 by
    default, glibc's MALLOC_PERTURB_, valgrind under scripts/memcheck.sh, waits scaled by
    PYDRM_TIMEOUT_SCALE, a clean exit checked at stop, and screenshots taken by grim (a
    real screencopy client) rather than by the compositor."""

    timeout_scale = TIMEOUT_SCALE

    def __init__(
        self,
        workdir: Path,
        args: list[str] | None = None,
        env: dict[str, str] | None = None,
        width: int = 640,
        height: int = 480,
        backend: str = "headless",
    ) -> None:
        # glibc fills freed memory with this byte: a use after free in the compositor
        # (wlroots, ours) reads garbage and fails the test every time, not now and then.
        env = {"MALLOC_PERTURB_": "165", **(env or {})}
        super().__init__(workdir, args=args, env=env, width=width, height=height, backend=backend)

    def command_prefix(self) -> list[str]:
        prefix = memcheck_prefix()
        if prefix:
            self.env["PYTHONMALLOC"] = "malloc"
        return prefix

    def start(self, timeout: float = 20.0) -> CompositorProcess:
        super().start(timeout)
        return self

    def stop(self, check: bool = True, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        code = super().stop(sig, timeout)
        if check:
            text = self.log()
            if code != 0 or "Traceback" in text:
                raise CompositorError(f"compositor exited with {code}:\n{text}")
            if (self.runtime_dir / self.socket).exists():
                raise CompositorError("the Wayland socket was left behind")
        return code

    def screenshot(self, name: str = "screenshot") -> Image.Image:
        """Capture the whole output with grim (wlr-screencopy) and return it as RGB."""
        path = self.workdir / f"{name}-{next(_counter)}.png"
        result = self.run_client(["grim", str(path)])
        if result.returncode != 0:
            raise CompositorError(f"grim failed: {result.stderr}")
        return Image.open(path).convert("RGB")

    def open_fds(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))


def memcheck_prefix() -> list[str]:
    """Under scripts/memcheck.sh (PYDRM_MEMCHECK_DIR set): the compositor runs in valgrind's
    memcheck, one log per process in that directory (Python's own allocator off, so that
    memcheck sees every block; PYDRM_MEMCHECK_LEAKS=1 adds leaks: see below)."""
    directory = os.environ.get("PYDRM_MEMCHECK_DIR")
    if not directory:
        return []
    supp = Path("/usr/lib/x86_64-linux-gnu/valgrind/python3.supp")
    ours = ROOT / "scripts" / "memcheck.supp"
    return [
        "valgrind",
        "--tool=memcheck",
        "--error-limit=no",
        # PYDRM_MEMCHECK_LEAKS=1: blocks definitely lost at exit too (the C module's are the
        # ones that count; CPython leaves some of its own at exit).
        *(
            ["--leak-check=full", "--show-leak-kinds=definite", "--errors-for-leak-kinds=none"]
            if os.environ.get("PYDRM_MEMCHECK_LEAKS") == "1"
            else ["--leak-check=no"]
        ),
        "--num-callers=30",
        f"--log-file={directory}/memcheck-%p.log",
        *([f"--suppressions={supp}"] if supp.exists() else []),
        f"--suppressions={ours}",
    ]


def memcheck_lost_in_requests(pid: int) -> list[str] | None:
    """Under memcheck with PYDRM_MEMCHECK_LEAKS=1, the leak records of the stopped
    compositor ``pid`` whose block was allocated while libwayland dispatched a client's
    request (libffi calls every request handler): memory a client made the compositor keep
    after it went. None when not checking leaks."""
    directory = os.environ.get("PYDRM_MEMCHECK_DIR")
    if not directory or os.environ.get("PYDRM_MEMCHECK_LEAKS") != "1":
        return None
    log = Path(directory, f"memcheck-{pid}.log").read_text(errors="replace")
    if "LEAK SUMMARY" not in log and "All heap blocks were freed" not in log:
        raise AssertionError(f"no leak summary in the memcheck log of {pid}: {log[-2000:]}")
    records = re.split(r"\n==\d+== \n", log)
    return [r for r in records if "are definitely lost" in r and "ffi_call (in /usr/lib" in r]


def require(*programs: str) -> list[str]:
    return [p for p in programs if shutil.which(p) is None]
