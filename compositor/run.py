"""``pydrm-run``: run a command inside a private headless compositor, like ``xvfb-run``.

    pydrm-run [--size WxH] [--outputs N] [--record FILE.mp4] [--screenshot-on-exit FILE.png]
              [--timeout SECONDS] [--log FILE] [--no-xwayland] [--frame-clock manual]
              -- COMMAND [ARG...]

A compositor of its own (headless backend, pixman renderer, no config file, its own
``XDG_RUNTIME_DIR`` in a fresh temporary directory, so that any number run side by side on
one machine) starts; COMMAND runs with ``WAYLAND_DISPLAY``, ``XDG_RUNTIME_DIR`` and, unless
--no-xwayland, ``DISPLAY`` (Xwayland starts on the first X11 connection) set, and
``PYDRM_CONTROL`` naming the compositor's control socket (``pydrm-ctl --socket
$PYDRM_CONTROL ...``: screenshots, injected input, the window list). pydrm-run exits with
COMMAND's exit status (128 + N when a signal N killed it, 124 when --timeout ran out, as
``timeout`` does); the command's whole process group is killed at the end, the compositor
stopped (a recording is finalized first) and the directory removed, also when pydrm-run
itself is interrupted or terminated.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SOCKET = "wayland-1"
EXIT_TIMEOUT = 124  # as timeout(1)
EXIT_SETUP = 125  # the compositor could not start: COMMAND never ran


class RunError(Exception):
    """The compositor could not be started or asked; the message says why."""


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: use WIDTHxHEIGHT, e.g. 1280x720") from exc
    if not (0 < width <= 16384 and 0 < height <= 16384):
        raise argparse.ArgumentTypeError(f"{text!r}: width and height go from 1 to 16384")
    return width, height


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="pydrm-run", description=__doc__.split("\n\n")[0].strip("`")
    )
    parser.add_argument("--size", type=_size, default=(1280, 720), help="each output's size")
    parser.add_argument("--outputs", type=int, default=1, help="headless outputs, left to right")
    parser.add_argument("--record", type=Path, help="record the first output to this MP4")
    parser.add_argument(
        "--screenshot-on-exit", type=Path, help="a PNG of the first output once COMMAND ended"
    )
    parser.add_argument("--timeout", type=float, help="kill COMMAND after this many seconds")
    parser.add_argument("--log", type=Path, help="the compositor's log (default: discarded)")
    parser.add_argument("--no-xwayland", action="store_true", help="no X11: no DISPLAY")
    parser.add_argument(
        "--frame-clock",
        choices=("backend", "manual"),
        default="backend",
        help="manual: frames only when stepped (pydrm-ctl --socket $PYDRM_CONTROL frame-step "
        "count=N), on a virtual clock: animations driven by frame callbacks or presentation "
        "time look the same on every run",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG...]")
    ns = parser.parse_args(argv)
    if ns.command[:1] == ["--"]:
        ns.command = ns.command[1:]
    if not ns.command:
        parser.error("give a command to run: pydrm-run [options] -- COMMAND [ARG...]")
    if ns.outputs < 1:
        parser.error("--outputs must be 1 or more")
    return ns


class PrivateCompositor:
    """A headless compositor in its own runtime directory."""

    def __init__(self, ns: argparse.Namespace) -> None:
        self.ns = ns
        self.runtime = Path(tempfile.mkdtemp(prefix="pydrm-run-"))
        self.runtime.chmod(0o700)
        self.control = self.runtime / f"{SOCKET}.control"
        self.proc: subprocess.Popen | None = None
        self.display: str | None = None

    def start(self, timeout: float = 30.0) -> None:
        ns = self.ns
        width, height = ns.size
        argv = [sys.executable, "-m", "compositor", "--backend", "headless"]
        argv += ["--renderer", "pixman", "--no-config", "--socket", SOCKET]
        argv += ["--width", str(width), "--height", str(height), "--outputs", str(ns.outputs)]
        if ns.no_xwayland:
            argv.append("--no-xwayland")
        if ns.frame_clock != "backend":
            argv += ["--frame-clock", ns.frame_clock]
        if ns.record is not None:
            argv += ["--record", str(ns.record.resolve())]
        env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "DISPLAY")}
        env["XDG_RUNTIME_DIR"] = str(self.runtime)
        log = open(ns.log, "wb") if ns.log is not None else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.proc = subprocess.Popen(
                argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        finally:
            if log is not subprocess.DEVNULL:
                log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RunError(
                    f"the compositor exited with {self.proc.returncode} while starting"
                    + (f"; see {ns.log}" if ns.log else "; run again with --log FILE to see why")
                )
            try:
                reply = self.call("ping")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RunError(f"the compositor did not answer within {timeout:g} s") from None
                time.sleep(0.05)
        self.display = reply.get("display")

    def call(self, cmd: str, **args: Any) -> dict[str, Any]:
        from compositor.control_client import ControlClient

        with ControlClient(self.control, timeout=30) as client:
            return client.call(cmd, **args)

    def client_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_SOCKET", "DISPLAY")}
        env.update(
            WAYLAND_DISPLAY=SOCKET,
            XDG_RUNTIME_DIR=str(self.runtime),
            PYDRM_CONTROL=str(self.control),
        )
        if self.display and not self.ns.no_xwayland:
            env["DISPLAY"] = self.display
        return env

    def stop(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)  # a recording is finalized on the way out
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        shutil.rmtree(self.runtime, ignore_errors=True)


def _kill_group(proc: subprocess.Popen) -> None:
    """COMMAND and whatever it started (its own process group)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


class _Interrupted(Exception):
    def __init__(self, signum: int) -> None:
        self.signum = signum


def _raise_interrupted(signum: int, frame: Any) -> None:
    raise _Interrupted(signum)


def run(ns: argparse.Namespace) -> int:
    compositor = PrivateCompositor(ns)
    command: subprocess.Popen | None = None
    old_handlers = {
        sig: signal.signal(sig, _raise_interrupted) for sig in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        try:
            compositor.start()
        except RunError as exc:
            print(f"pydrm-run: {exc}", file=sys.stderr)
            return EXIT_SETUP
        try:
            command = subprocess.Popen(
                ns.command, env=compositor.client_env(), start_new_session=True
            )
        except OSError as exc:
            print(f"pydrm-run: cannot run {ns.command[0]!r}: {exc}", file=sys.stderr)
            return 127
        try:
            code = command.wait(ns.timeout)
        except subprocess.TimeoutExpired:
            print(f"pydrm-run: {ns.command[0]} timed out after {ns.timeout:g} s", file=sys.stderr)
            _kill_group(command)
            code = EXIT_TIMEOUT
        else:
            code = code if code >= 0 else 128 - code
        if ns.screenshot_on_exit is not None:
            reply = compositor.call("screenshot", path=str(ns.screenshot_on_exit.resolve()))
            if not reply.get("ok"):
                print(f"pydrm-run: no screenshot: {reply.get('error')}", file=sys.stderr)
        return code
    except _Interrupted as exc:
        return 128 + exc.signum
    finally:
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)
        if command is not None:
            _kill_group(command)  # it, if still running, and what it left in its group
        compositor.stop()


def main(argv: list[str] | None = None) -> int:
    return run(parse_args(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
