"""Test harness: a real compositor process per test, real clients, real pixels.

:class:`CompositorProcess` starts ``python -m compositor`` headless on a private
XDG_RUNTIME_DIR and socket, waits until its control socket answers, and offers what tests
need: ``spawn`` a client with the right environment, ``ctl`` a control command,
``screenshot`` through grim (a real screencopy client) as a PIL image, and ``stop`` which
checks for a clean exit and no traceback in the log.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from PIL import Image

from compositor.control_client import ControlClient
from tests.waiting import TIMEOUT_SCALE, wait_for

ROOT = Path(__file__).resolve().parent.parent
_counter = itertools.count()


class CompositorError(AssertionError):
    pass


class CompositorProcess:
    def __init__(
        self,
        workdir: Path,
        args: list[str] | None = None,
        env: dict[str, str] | None = None,
        width: int = 640,
        height: int = 480,
        backend: str = "headless",
    ) -> None:
        self.workdir = workdir
        self.runtime_dir = workdir / "xdg"
        self.runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.socket = f"pydrm-test-{os.getpid()}-{next(_counter)}"
        self.control_path = self.runtime_dir / f"{self.socket}.control"
        self.log_path = workdir / f"{self.socket}.log"
        self.args = [
            "--backend",
            backend,
            "--socket",
            self.socket,
            "--width",
            str(width),
            "--height",
            str(height),
            *(args or []),
        ]
        if "--config" not in self.args:
            # Not the configuration file of whoever runs the tests.
            self.args.append("--no-config")
        inherited = {
            k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "WAYLAND_SOCKET")
        }
        # ``env`` may set WAYLAND_DISPLAY/DISPLAY for a nested compositor's host session.
        self.env = {
            **inherited,
            "XDG_RUNTIME_DIR": str(self.runtime_dir),
            # glibc fills freed memory with this byte: a use after free in the compositor
            # (wlroots, ours) reads garbage and fails the test every time, not now and then.
            "MALLOC_PERTURB_": "165",
            **(env or {}),
        }
        self.proc: subprocess.Popen | None = None
        self.clients: list[subprocess.Popen] = []
        self._control: ControlClient | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self, timeout: float = 20.0) -> CompositorProcess:
        self._log = open(self.log_path, "wb")
        prefix = memcheck_prefix()
        if prefix:
            self.env["PYTHONMALLOC"] = "malloc"
        self.proc = subprocess.Popen(
            [*prefix, sys.executable, "-m", "compositor", *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

        def ready() -> bool:
            if self.proc.poll() is not None:
                raise CompositorError(
                    f"compositor exited with {self.proc.returncode} during start:\n{self.log()}"
                )
            if not self.control_path.exists():
                return False
            try:
                return bool(self.ctl("ping")["ok"])
            except OSError:
                self._control = None
                return False

        wait_for(ready, timeout, what="the compositor's control socket")
        return self

    def stop(self, check: bool = True, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        for client in self.clients:
            if client.poll() is None:
                client.kill()
            client.wait()
        if self._control is not None:
            self._control.close()
            self._control = None
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout * TIMEOUT_SCALE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise CompositorError(
                    f"compositor did not exit on {sig!r}:\n{self.log()}"
                ) from None
        self._log.close()
        code = self.proc.returncode
        if check:
            text = self.log()
            if code != 0 or "Traceback" in text:
                raise CompositorError(f"compositor exited with {code}:\n{text}")
            if (self.runtime_dir / self.socket).exists():
                raise CompositorError("the Wayland socket was left behind")
        return code

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- clients --------------------------------------------------------------------------

    def client_env(self, **extra: str) -> dict[str, str]:
        return {**self.env, "WAYLAND_DISPLAY": self.socket, **extra}

    def spawn(
        self, argv: list[str], env: dict[str, str] | None = None, **kwargs: Any
    ) -> subprocess.Popen:
        kwargs.setdefault("stdout", subprocess.PIPE)
        kwargs.setdefault("stderr", subprocess.STDOUT)
        proc = subprocess.Popen(argv, env=self.client_env(**(env or {})), **kwargs)
        self.clients.append(proc)
        return proc

    def run_client(
        self, argv: list[str], timeout: float = 30.0, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            argv,
            env=self.client_env(**(env or {})),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    # -- control and pixels ---------------------------------------------------------------

    def ctl(self, cmd: str, **args: Any) -> dict[str, Any]:
        if self._control is None:
            self._control = ControlClient(self.control_path, timeout=10.0 * TIMEOUT_SCALE)
        return self._control.call(cmd, **args)

    def ctl_ok(self, cmd: str, **args: Any) -> dict[str, Any]:
        reply = self.ctl(cmd, **args)
        if not reply.get("ok"):
            raise CompositorError(f"control command {cmd} failed: {reply}")
        return reply

    def views(self) -> list[dict[str, Any]]:
        return self.ctl_ok("views")["views"]

    def wait_for_view(self, app_id: str, timeout: float = 15.0) -> dict[str, Any]:
        def find():
            for view in self.views():
                if view["app_id"] == app_id and view["mapped"]:
                    return view
            return None

        return wait_for(find, timeout, what=f"a mapped view with app_id {app_id!r}")

    def screenshot(self, name: str = "screenshot") -> Image.Image:
        """Capture the whole output with grim (wlr-screencopy) and return it as RGB."""
        path = self.workdir / f"{name}-{next(_counter)}.png"
        result = self.run_client(["grim", str(path)])
        if result.returncode != 0:
            raise CompositorError(f"grim failed: {result.stderr}")
        return Image.open(path).convert("RGB")

    def open_fds(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def frames(self, output: int = 0) -> int:
        return self.ctl_ok("outputs")["outputs"][output]["frames_committed"]


def memcheck_prefix() -> list[str]:
    """Under scripts/memcheck.sh (PYDRM_MEMCHECK_DIR set): the compositor runs in valgrind's
    memcheck, one log per process in that directory (Python's own allocator off, so that
    memcheck sees every block)."""
    directory = os.environ.get("PYDRM_MEMCHECK_DIR")
    if not directory:
        return []
    supp = Path("/usr/lib/x86_64-linux-gnu/valgrind/python3.supp")
    ours = ROOT / "scripts" / "memcheck.supp"
    return [
        "valgrind",
        "--tool=memcheck",
        "--error-limit=no",
        "--leak-check=no",
        "--num-callers=30",
        f"--log-file={directory}/memcheck-%p.log",
        *([f"--suppressions={supp}"] if supp.exists() else []),
        f"--suppressions={ours}",
    ]


def require(*programs: str) -> list[str]:
    return [p for p in programs if shutil.which(p) is None]
