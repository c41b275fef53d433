"""Testing Wayland applications with a real compositor: a Python API (and a pytest plugin,
:mod:`compositor.testing.pytest_plugin`).

    from compositor.testing import Compositor

    with Compositor(width=1024, height=768) as wayland:
        app = wayland.launch(["gtk3-widget-factory"])
        window = wayland.wait_for_window(app_id="gtk3-widget-factory")
        wayland.click(window, 40, 60)               # window-relative, in its geometry
        wayland.type_text("hello")
        wayland.key("ctrl+a")
        image = wayland.screenshot(window)           # a PIL image of the window
        assert images_match(image, "reference.png", tolerance=8, diff="diff.png")

A :class:`Compositor` is a private headless compositor (its own runtime directory and
socket, Xwayland on demand, pixman: the same pixels on every machine) driven through its
control socket: injected input takes the path real devices take, screenshots are rendered
by the compositor, and windows come from its window list. Waiting is on conditions with a
timeout, never a fixed sleep. The project's own test suite uses this class
(tests/harness.py adds its checks on top).
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compositor.control_client import ControlClient

ROOT = Path(__file__).resolve().parent.parent.parent
BUTTONS = {"left": 0x110, "right": 0x111, "middle": 0x112}
_counter = itertools.count()


class CompositorError(AssertionError):
    """The compositor failed, or refused a command; the message says why."""


def wait_for(
    predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05, what: str = ""
) -> Any:
    """Call ``predicate`` until it returns something truthy (returned), or raise
    TimeoutError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g}s waiting for {what or predicate}")
        time.sleep(interval)


@dataclass(frozen=True)
class Window:
    """A window as the compositor lists it (``views``), when it was asked."""

    id: int | None
    app_id: str
    title: str
    pid: int
    x: int
    y: int
    width: int
    height: int
    focused: bool
    state: str

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Window:
        return cls(
            view.get("id"),
            view["app_id"],
            view["title"],
            view["pid"],
            view["x"],
            view["y"],
            view["width"],
            view["height"],
            view["focused"],
            view["state"],
        )

    def point(self, x: float, y: float) -> tuple[float, float]:
        """Layout coordinates of a point in the window's geometry."""
        return self.x + x, self.y + y


class Compositor:
    """A private headless compositor; ``with Compositor() as c:`` starts and stops it."""

    timeout_scale = 1.0  # every wait is this many times longer (slow machines, valgrind)

    def __init__(
        self,
        workdir: Path | None = None,
        args: list[str] | None = None,
        env: dict[str, str] | None = None,
        width: int = 1280,
        height: int = 720,
        backend: str = "headless",
        frame_clock: str = "backend",
    ) -> None:
        """``frame_clock="manual"``: outputs emit frames only when :meth:`frame_step` asks,
        on a virtual clock (see compositor/frame_clock.py)."""
        self._own_workdir = workdir is None
        self.workdir = Path(tempfile.mkdtemp(prefix="pydrm-test-")) if workdir is None else workdir
        self.socket = f"pydrm-test-{os.getpid()}-{next(_counter)}"
        self.runtime_dir = self.workdir / "xdg"
        # A Unix socket's path holds at most 107 bytes: a deep work directory (pytest's,
        # nested) gets its runtime directory under /tmp instead.
        self._own_runtime = len(f"{self.runtime_dir}/{self.socket}.control") > 100
        if self._own_runtime:
            self.runtime_dir = Path(tempfile.mkdtemp(prefix="pydrm-xdg-"))
        self.runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.control_path = self.runtime_dir / f"{self.socket}.control"
        self.log_path = self.workdir / f"{self.socket}.log"
        self.args = ["--backend", backend, "--socket", self.socket]
        self.args += ["--width", str(width), "--height", str(height), *(args or [])]
        if frame_clock != "backend":
            self.args += ["--frame-clock", frame_clock]
        if "--config" not in self.args:
            self.args.append("--no-config")  # not the configuration of whoever runs this
        inherited = {
            k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "WAYLAND_SOCKET")
        }
        self.env = {**inherited, "XDG_RUNTIME_DIR": str(self.runtime_dir), **(env or {})}
        self.proc: subprocess.Popen | None = None
        self.clients: list[subprocess.Popen] = []
        self._control: ControlClient | None = None
        self._log: Any = None

    # -- lifecycle ------------------------------------------------------------------------

    def command_prefix(self) -> list[str]:
        """What the compositor's command line starts with (a subclass may run it under a
        tool: valgrind)."""
        return []

    def start(self, timeout: float = 20.0) -> Compositor:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [*self.command_prefix(), sys.executable, "-m", "compositor", *self.args],
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

        wait_for(ready, timeout * self.timeout_scale, what="the compositor's control socket")
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Stop the clients it launched, then the compositor; its exit status."""
        for client in self.clients:
            if client.poll() is None:
                client.kill()
            client.wait()
        if self._control is not None:
            self._control.close()
            self._control = None
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout * self.timeout_scale)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise CompositorError(
                    f"compositor did not exit on {sig!r}:\n{self.log()}"
                ) from None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._own_runtime:
            shutil.rmtree(self.runtime_dir, ignore_errors=True)
        return self.proc.returncode

    def __enter__(self) -> Compositor:
        return self.start() if self.proc is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

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
        """The environment of a client of this compositor (WAYLAND_DISPLAY set)."""
        return {**self.env, "WAYLAND_DISPLAY": self.socket, **extra}

    def x11_display(self) -> str | None:
        """The X display X11 clients reach (Xwayland starts on the first connection)."""
        return self.ctl_ok("ping").get("display")

    def spawn(
        self, argv: list[str], env: dict[str, str] | None = None, **kwargs: Any
    ) -> subprocess.Popen:
        """Start a client; its stdout and stderr are a pipe unless given."""
        kwargs.setdefault("stdout", subprocess.PIPE)
        kwargs.setdefault("stderr", subprocess.STDOUT)
        proc = subprocess.Popen(argv, env=self.client_env(**(env or {})), **kwargs)
        self.clients.append(proc)
        return proc

    def launch(self, argv: list[str], env: dict[str, str] | None = None, x11: bool = False):
        """Start an application (its output goes to this compositor's work directory);
        ``x11``: as an X11 client, with DISPLAY."""
        extra = dict(env or {})
        if x11:
            extra["DISPLAY"] = self.x11_display() or ""
        log = open(self.workdir / f"app-{next(_counter)}.log", "wb")  # noqa: SIM115
        try:
            return self.spawn(argv, env=extra, stdout=log, stderr=subprocess.STDOUT)
        finally:
            log.close()

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

    # -- the control socket ---------------------------------------------------------------

    def ctl(self, cmd: str, **args: Any) -> dict[str, Any]:
        if self._control is None:
            self._control = ControlClient(self.control_path, timeout=10.0 * self.timeout_scale)
        return self._control.call(cmd, **args)

    def ctl_ok(self, cmd: str, **args: Any) -> dict[str, Any]:
        reply = self.ctl(cmd, **args)
        if not reply.get("ok"):
            raise CompositorError(f"control command {cmd} failed: {reply}")
        return reply

    # -- windows --------------------------------------------------------------------------

    def views(self) -> list[dict[str, Any]]:
        return self.ctl_ok("views")["views"]

    def windows(self) -> list[Window]:
        """The mapped windows, bottom to top."""
        return [Window.from_view(v) for v in self.views() if v["mapped"]]

    def wait_for_window(
        self,
        app_id: str | None = None,
        title: str | None = None,
        pid: int | None = None,
        timeout: float = 15.0,
    ) -> Window:
        """The first mapped window with all of the given app id, title and pid."""

        def find() -> Window | None:
            for window in self.windows():
                if (
                    (app_id is None or window.app_id == app_id)
                    and (title is None or window.title == title)
                    and (pid is None or window.pid == pid)
                ):
                    return window
            return None

        what = f"a window with app_id={app_id!r} title={title!r} pid={pid!r}"
        return wait_for(find, timeout * self.timeout_scale, what=what)

    def wait_for_view(self, app_id: str, timeout: float = 15.0) -> dict[str, Any]:
        """The compositor's description of the first mapped window with ``app_id``."""

        def find() -> dict[str, Any] | None:
            for view in self.views():
                if view["app_id"] == app_id and view["mapped"]:
                    return view
            return None

        return wait_for(
            find, timeout * self.timeout_scale, what=f"a mapped view with app_id {app_id!r}"
        )

    # -- input ----------------------------------------------------------------------------

    def move_pointer(self, x: float, y: float) -> None:
        """The pointer to layout coordinates (x, y)."""
        self.ctl_ok("pointer-move", x=x, y=y)

    def _at(self, window: Window | None, x: float, y: float) -> tuple[float, float]:
        return window.point(x, y) if window is not None else (x, y)

    def click(
        self, window: Window | None, x: float, y: float, button: str = "left", count: int = 1
    ) -> None:
        """Click at (x, y) of ``window``'s geometry (None: layout coordinates)."""
        px, py = self._at(window, x, y)
        self.move_pointer(px, py)
        for _ in range(count):
            self.ctl_ok("pointer-button", button=BUTTONS[button])

    def drag(
        self,
        window: Window | None,
        start: tuple[float, float],
        end: tuple[float, float],
        button: str = "left",
        steps: int = 10,
    ) -> None:
        """Press at ``start``, move in ``steps`` to ``end``, release (window-relative)."""
        sx, sy = self._at(window, *start)
        ex, ey = self._at(window, *end)
        self.move_pointer(sx, sy)
        self.ctl_ok("pointer-button", button=BUTTONS[button], pressed=True)
        for i in range(1, steps + 1):
            self.move_pointer(sx + (ex - sx) * i / steps, sy + (ey - sy) * i / steps)
        self.ctl_ok("pointer-button", button=BUTTONS[button], pressed=False)

    def scroll(self, window: Window | None, x: float, y: float, delta: float) -> None:
        """Scroll by ``delta`` (positive: down, in wl_pointer axis units) at (x, y)."""
        self.move_pointer(*self._at(window, x, y))
        self.ctl_ok("pointer-scroll", delta=delta)

    def type_text(self, text: str) -> None:
        """Type ``text`` on the keyboard (US layout names; Shift where needed)."""
        self.ctl_ok("type", text=text)

    def key(self, combo: str) -> None:
        """Press and release a combination: ``"ctrl+shift+t"``, ``"alt+F4"``, ``"Return"``."""
        names = {"ctrl": "Control_L", "shift": "Shift_L", "alt": "Alt_L", "super": "Super_L"}
        *modifiers, key = combo.split("+")
        held = [names.get(m.lower(), m) for m in modifiers]
        for name in held:
            self.ctl_ok("key", key=name, pressed=True)
        try:
            self.ctl_ok("key", key=key)
        finally:
            for name in reversed(held):
                self.ctl_ok("key", key=name, pressed=False)

    # -- pixels ---------------------------------------------------------------------------

    def screenshot(self, window: Window | None = None, output: str | None = None):
        """A PIL image (RGB) of the first output (or ``output``) as the compositor renders
        it, or of ``window``'s geometry cut from it."""
        from PIL import Image  # noqa: PLC0415 - only tests that take pictures need PIL

        path = self.workdir / f"shot-{next(_counter)}.png"
        args: dict[str, Any] = {"path": str(path)}
        if output is not None:
            args["output"] = output
        self.ctl_ok("screenshot", **args)
        image = Image.open(path).convert("RGB")
        if window is not None:
            box = next(o for o in self.ctl_ok("outputs")["outputs"] if output in (None, o["name"]))
            left, top = window.x - box["x"], window.y - box["y"]
            image = image.crop((left, top, left + window.width, top + window.height))
        return image

    def frames(self, output: int = 0) -> int:
        """Frames the output has committed so far."""
        return self.ctl_ok("outputs")["outputs"][output]["frames_committed"]

    def wait_until_stable(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Until no output committed a frame for ``quiet`` seconds (animations over): the
        compositor draws only what changed, so a still screen commits nothing."""

        def counts() -> list[int]:
            return [o["frames_committed"] for o in self.ctl_ok("outputs")["outputs"]]

        last, since = counts(), time.monotonic()

        def still() -> bool:
            nonlocal last, since
            now = counts()
            if now != last:
                last, since = now, time.monotonic()
            return time.monotonic() - since >= quiet

        wait_for(still, timeout * self.timeout_scale, what="the screen to be still")

    # -- the frame clock ------------------------------------------------------------------

    def frame_clock(self) -> dict[str, Any]:
        """The frame clock: mode, time_ns (virtual, manual only), period_ns, steps and
        awaiting (surfaces sent frame done by the last step that have not committed since)."""
        return self.ctl_ok("frame-clock")

    def frame_step(self, count: int = 1, wait: bool = True, timeout: float = 10.0) -> int:
        """Emit ``count`` frames of every output on a manual frame clock, each one refresh
        period later; returns the virtual time (ns). ``wait``: after each step, until every
        surface that was sent frame done has committed its next frame (so the next step
        shows it); a client that asks for a frame and then draws nothing needs wait=False."""
        state: dict[str, Any] = {}
        for _ in range(count):
            state = self.ctl_ok("frame-step", count=1)
            if wait:
                wait_for(
                    lambda: self.ctl_ok("frame-clock")["awaiting"] == 0,
                    timeout * self.timeout_scale,
                    interval=0.005,
                    what="the clients sent frame done to commit their next frame (one "
                    "that asks for frames and draws nothing needs frame_step(wait=False))",
                )
        return state.get("time_ns") if state else self.frame_clock()["time_ns"]

    # -- clipboard and recording ----------------------------------------------------------

    def clipboard_set(self, text: str) -> None:
        """The clipboard's content, set by a wl-copy client (which stays until replaced)."""
        self.spawn(["wl-copy", text], stdout=subprocess.DEVNULL)
        wait_for(lambda: self.clipboard_get() == text, 10 * self.timeout_scale, what="wl-copy")

    def clipboard_get(self) -> str:
        return self.run_client(["wl-paste", "--no-newline"]).stdout

    def record_start(self, path: Path) -> None:
        self.ctl_ok("record-start", path=str(path))

    def record_stop(self) -> dict[str, Any]:
        return self.ctl_ok("record-stop")["last"]


def images_match(
    image: Any, reference: Any, tolerance: int = 0, diff: Path | str | None = None
) -> bool:
    """Whether two images (PIL images or paths) have the same size and no channel of any
    pixel differs by more than ``tolerance``; when they differ and ``diff`` is given, an
    image there shows the differing pixels in red over a faded copy of ``image``."""
    from PIL import Image, ImageChops  # noqa: PLC0415

    a = Image.open(image).convert("RGB") if isinstance(image, str | Path) else image.convert("RGB")
    b = (
        Image.open(reference).convert("RGB")
        if isinstance(reference, str | Path)
        else reference.convert("RGB")
    )
    if a.size != b.size:
        if diff is not None:
            a.save(diff)
        return False
    red, green, blue = ImageChops.difference(a, b).split()
    worst = ImageChops.lighter(ImageChops.lighter(red, green), blue)  # per pixel, any channel
    if worst.getextrema()[1] <= tolerance:
        return True
    if diff is not None:
        faded = Image.blend(a, Image.new("RGB", a.size, (255, 255, 255)), 0.7)
        faded.paste((255, 0, 0), mask=worst.point(lambda v: 255 if v > tolerance else 0))
        faded.save(diff)
    return False
