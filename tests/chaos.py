"""A chaos run: what a person and their devices do to a session, at random, seeded.

One compositor (headless, pixman); actions picked by weight from :data:`ACTIONS` with a
seeded ``random.Random``, each logged as one line and, where it can be, checked: a window
appears, a click lands, a drag moves a window by exactly the drag, dropped text arrives, a
clipboard round trip returns the text, a recording file exists, a hostile client is cut off.
Clients start and go (SIGTERM, SIGKILL, Alt+F4), virtual keyboards come and go (wtype),
headless keyboards and pointers are plugged and unplugged, outputs are added, removed and
rescaled, recordings start and stop, tracers and ``clients`` attach and die, panels and a
lock screen come and go, hostile clients shrink their pools and flood the control socket.

The same seed gives the same actions (the log shows them); timing on a loaded machine
differs, so the checks wait rather than sleep. Used by tests/robustness/test_chaos.py (a short
run in the suite) and bench/bench_chaos.py (30 minutes, figures for the README).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.harness import ROOT, CompositorProcess
from tests.helpers import wait_for_line
from tests.waiting import wait_for

SYSTEM_PYTHON = "/usr/bin/python3"
CLIENTS = ROOT / "tests" / "clients"
BTN_LEFT = 0x110
COLORS = ["3366cc", "cc6633", "33aa55", "aa33aa", "cccc33", "33cccc"]


class CheckFailed(AssertionError):
    """An action's effect was not what it must be."""


@dataclass
class Client:
    name: str
    proc: subprocess.Popen
    kind: str  # "solid", "dnd", "real", "layer", "lock"
    app_id: str = ""
    popups: bool = False  # a solid window with popups open (their grab takes clicks)


@dataclass
class Result:
    seed: int
    actions: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    crashed: bool = False
    log: list[str] = field(default_factory=list)


def _available(*programs: str) -> bool:
    return all(shutil.which(p) for p in programs)


class Chaos:
    def __init__(
        self, comp: CompositorProcess, seed: int, workdir: Path, heavy: bool = False
    ) -> None:
        self.comp = comp
        self.rng = random.Random(seed)
        self.result = Result(seed)
        self.workdir = workdir
        self.heavy = heavy  # browsers too
        self.clients: list[Client] = []
        self.counter = 0
        self.outputs_added: list[str] = []
        self.plugged = {"keyboard": 0, "pointer": 0}
        self.recording = False
        self.display = comp.ctl_ok("ping")["display"]

    # -- running ------------------------------------------------------------------------

    def say(self, text: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {text}"
        self.result.log.append(line)

    def run(self, count: int | None = None, seconds: float | None = None) -> Result:
        deadline = time.monotonic() + seconds if seconds else None
        done = 0
        actions = [a for a in ACTIONS if a.available(self)]
        weights = [a.weight for a in actions]
        while (count is None or done < count) and (deadline is None or time.monotonic() < deadline):
            action = self.rng.choices(actions, weights)[0]
            done += 1
            self.result.actions[action.name] += 1
            try:
                detail = action.run(self) or ""
                self.say(f"#{done} {action.name} {detail}".rstrip())
            except (CheckFailed, TimeoutError, AssertionError, OSError) as exc:
                message = f"#{done} {action.name}: {exc!r}"
                self.say(message + " FAILED")
                self.result.failures.append(message[:500])
            if not self.comp.alive():
                self.result.crashed = True
                self.say(f"#{done} the compositor died ({self.comp.proc.returncode})")
                break
            self._reap()
        return self.result

    def end_round(self, fixed: dict[str, Any]) -> dict[str, Any]:
        """End everything the round started; once the live counts are back to ``fixed``
        and the memory the clients cost went back to the system (2 s after the last one
        went: ffi/csrc/memory_trim.h), the counts, fds and RSS as they are."""
        trims = self.comp.ctl_ok("stats", objects=0)["memory_trims"]
        self.finish()
        settle(self.comp, fixed)
        wait_for(
            lambda: self.comp.ctl_ok("stats", objects=0)["memory_trims"] > trims,
            60,
            what="the memory given back after the clients went",
        )
        return settle(self.comp, fixed)

    def _reap(self) -> None:
        self.clients = [c for c in self.clients if c.proc.poll() is None]

    def finish(self) -> None:
        """End every client, let go of everything added, stop a recording."""
        for client in self.clients:
            if client.proc.poll() is None:
                client.proc.kill()
            client.proc.wait(10)
        self.clients.clear()
        for sock in getattr(self, "stuck", []):
            sock.close()
        self.stuck = []
        if self.recording and self.comp.alive():
            self.comp.ctl("record-stop")
            self.recording = False
        for name in self.outputs_added:
            if self.comp.alive():
                self.comp.ctl("output-remove", name=name)
        self.outputs_added.clear()
        for kind, extra in self.plugged.items():
            for _ in range(extra) if extra > 0 else ():
                self.comp.ctl("input-unplug", kind=kind)
            for _ in range(-extra) if extra < 0 else ():
                self.comp.ctl("input-plug", kind=kind)
            self.plugged[kind] = 0

    # -- helpers ------------------------------------------------------------------------

    def spawn(self, argv: list[str], kind: str, app_id: str = "", **kwargs: Any) -> Client:
        kwargs.setdefault("stdout", subprocess.PIPE)
        kwargs.setdefault("stderr", subprocess.STDOUT)
        kwargs.setdefault("text", True)
        env = kwargs.pop("env", None)
        proc = self.comp.spawn(argv, env=env, **kwargs)
        client = Client(argv[0] if kind != "solid" else app_id, proc, kind, app_id)
        self.clients.append(client)
        return client

    def views(self) -> list[dict]:
        return self.comp.views()

    def new_app_id(self, prefix: str) -> str:
        self.counter += 1
        return f"chaos.{prefix}{self.counter}"

    def output_boxes(self) -> list[tuple[int, int, int, int]]:
        """Each output's box in the layout (its size divided by its scale)."""
        return [
            (o["x"], o["y"], int(o["width"] / o["scale"]), int(o["height"] / o["scale"]))
            for o in self.comp.ctl_ok("outputs")["outputs"]
        ]

    def layout(self) -> tuple[int, int, int, int]:
        boxes = self.output_boxes()
        return 0, 0, max(x + w for x, _, w, _ in boxes), max(y + h for _, y, _, h in boxes)

    def random_point(self) -> tuple[int, int]:
        x, y, w, h = self.rng.choice(self.output_boxes())
        return x + self.rng.randrange(max(1, w)), y + self.rng.randrange(max(1, h))

    def solid(self, *extra: str, prefix: str = "solid") -> Client:
        app_id = self.new_app_id(prefix)
        argv = [sys.executable, "-m", "tests.clients.solid_window", "--app-id", app_id]
        argv += ["--color", self.rng.choice(COLORS), "--stdin-sync", *extra]
        client = self.spawn(argv, "solid", app_id, stdin=subprocess.PIPE)
        client.popups = "--popup" in extra
        self.comp.wait_for_view(app_id, timeout=30)
        return client

    def solids(self) -> list[Client]:
        return [c for c in self.clients if c.kind == "solid" and c.proc.poll() is None]

    def view_of(self, app_id: str) -> dict | None:
        return next((v for v in self.views() if v["app_id"] == app_id and v["mapped"]), None)

    def under(self, x: int, y: int) -> dict | None:
        """The topmost mapped, visible window whose geometry holds (x, y)."""
        for view in reversed(self.views()):
            if not view["mapped"] or view["minimized"]:
                continue
            if (
                view["x"] <= x < view["x"] + view["width"]
                and view["y"] <= y < view["y"] + view["height"]
            ):
                return view
        return None


@dataclass
class Action:
    name: str
    weight: float
    run: Callable[[Chaos], str | None]
    available: Callable[[Chaos], bool] = lambda chaos: True


# -- actions --------------------------------------------------------------------------------


def start_solid(chaos: Chaos) -> str:
    extras = chaos.rng.choice(
        [
            [],
            ["--popup", "ff8000"],
            ["--subsurface", "00ff80"],
            ["--decoration", "server"],
            ["--popup", "ff8000", "--popup-depth", "3"],
        ]
    )
    client = chaos.solid(*extras)
    return f"{client.app_id} {' '.join(extras)}"


REAL_APPS: list[tuple[str, Callable[[Chaos, str], list[str]], dict, tuple[str, ...]]] = [
    ("foot", lambda c, a: ["foot", "--app-id", a], {}, ("foot",)),
    ("weston-terminal", lambda c, a: ["weston-terminal"], {}, ("weston-terminal",)),
    ("gtk3", lambda c, a: [SYSTEM_PYTHON, str(CLIENTS / "gtk3_probe.py"), "--app-id", a], {}, ()),
    (
        "gtk4",
        lambda c, a: [SYSTEM_PYTHON, str(CLIENTS / "gtk4_probe.py"), "--app-id", a],
        {"GSK_RENDERER": "cairo"},
        (),
    ),
    (
        "qt5",
        lambda c, a: [SYSTEM_PYTHON, str(CLIENTS / "qt5_probe.py"), "--app-id", a],
        {"QT_QPA_PLATFORM": "wayland"},
        (),
    ),
    (
        "mpv",
        lambda c, a: [
            "mpv",
            "--idle=yes",
            "--force-window=yes",
            f"--wayland-app-id={a}",
            "--no-config",
            "--vo=wlshm",
        ],
        {},
        ("mpv",),
    ),
    ("xeyes", lambda c, a: ["xeyes"], {"X11": "1"}, ("xeyes",)),
    ("xterm", lambda c, a: ["xterm"], {"X11": "1"}, ("xterm",)),
]
HEAVY_APPS = [
    (
        "firefox",
        lambda c, a: ["firefox-esr", "--new-instance", "--profile", str(c.workdir / a)],
        {"MOZ_ENABLE_WAYLAND": "1"},
        ("firefox-esr",),
    ),
    (
        "chromium",
        lambda c, a: [
            "chromium",
            "--ozone-platform=wayland",
            "--no-sandbox",
            f"--user-data-dir={c.workdir / a}",
            "--no-first-run",
        ],
        {},
        ("chromium",),
    ),
]


def start_real(chaos: Chaos) -> str:
    apps = [a for a in REAL_APPS + (HEAVY_APPS if chaos.heavy else []) if _available(*a[3])]
    name, argv_of, env, _ = chaos.rng.choice(apps)
    app_id = chaos.new_app_id(name)
    env = dict(env)
    if env.pop("X11", None):
        env["DISPLAY"] = chaos.display
    if name in ("firefox", "chromium"):
        (chaos.workdir / app_id).mkdir(parents=True, exist_ok=True)
    before = {(v["pid"], v["app_id"]) for v in chaos.views()}
    client = chaos.spawn(
        argv_of(chaos, app_id),
        "real",
        app_id,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    timeout = 90 if name in ("firefox", "chromium") else 40

    def appeared():
        return any((v["pid"], v["app_id"]) not in before and v["mapped"] for v in chaos.views())

    try:
        wait_for(appeared, timeout, what=f"{name}'s window")
    except TimeoutError:
        if client.proc.poll() is not None:
            raise CheckFailed(
                f"{name} exited with {client.proc.returncode} before mapping"
            ) from None
        raise
    return f"{name} pid {client.proc.pid}"


def close_client(chaos: Chaos) -> str:
    candidates = [
        c for c in chaos.clients if c.proc.poll() is None and c.kind in ("solid", "real", "dnd")
    ]
    if not candidates:
        return "(none)"
    client = chaos.rng.choice(candidates)
    how = chaos.rng.choice(["SIGTERM", "SIGKILL", "Alt+F4"])
    pid = client.proc.pid
    if how == "Alt+F4":
        view = next((v for v in chaos.views() if v["pid"] == pid and v["mapped"]), None)
        if view is None or view["xwayland"] and client.name in ("xeyes",):
            how = "SIGKILL"
        else:
            # Focus it by a click on its window's top-left corner, if nothing covers it
            # and it is on an output.
            x, y = view["x"] + 2, view["y"] + 2
            top = chaos.under(x, y)
            on_output = any(
                ox <= x < ox + ow and oy <= y < oy + oh for ox, oy, ow, oh in chaos.output_boxes()
            )
            if top is None or top["pid"] != pid or not on_output:
                how = "SIGKILL"
            else:
                chaos.comp.ctl_ok("pointer-move", x=x, y=y)
                chaos.comp.ctl_ok("pointer-button", button=BTN_LEFT)
                wait_for(
                    lambda: any(v["pid"] == pid and v["focused"] for v in chaos.views()),
                    20,
                    what="the window focused for Alt+F4",
                )
                chaos.comp.ctl_ok("key", key="Alt_L", pressed=True)
                chaos.comp.ctl_ok("key", key="F4")
                chaos.comp.ctl_ok("key", key="Alt_L", pressed=False)
                try:
                    client.proc.wait(15)
                except subprocess.TimeoutExpired:
                    how = "Alt+F4 (ignored: SIGKILL)"
                    client.proc.kill()
    if how == "SIGTERM":
        client.proc.terminate()
        try:
            client.proc.wait(15)
        except subprocess.TimeoutExpired:
            client.proc.kill()
    elif how == "SIGKILL":
        client.proc.kill()
    client.proc.wait(15)
    wait_for(
        lambda: not any(v["pid"] == pid for v in chaos.views()),
        20,
        what=f"the windows of pid {pid} to go",
    )
    return f"{client.name} by {how}"


def click(chaos: Chaos) -> str:
    x, y = chaos.random_point()
    view = chaos.under(x, y)
    chaos.comp.ctl_ok("pointer-move", x=x, y=y)
    chaos.comp.ctl_ok("pointer-button", button=BTN_LEFT)
    target = next(
        (c for c in chaos.solids() if view is not None and c.app_id == view["app_id"]), None
    )
    if target is not None and not target.popups:
        # Our own window, with no popup whose grab could take the click: it got it.
        lines = _sync(target)
        if not any(line.startswith("button 272") for line in lines):
            raise CheckFailed(f"a click at {x},{y} on {view['app_id']} did not reach it")
    return f"{x},{y} on {view['app_id'] if view else 'the background'}"


def sync_lines(client: Client) -> tuple[list[str], int]:
    from tests.helpers import sync

    return sync(client.proc, timeout=30)


def _sync(client: Client) -> list[str]:
    from tests.helpers import sync

    lines, _ = sync(client.proc, timeout=30)
    return lines


def move_window(chaos: Chaos) -> str:
    views = [v for v in chaos.views() if v["mapped"] and v["state"] == "normal"]
    if not views:
        return "(none)"
    view = chaos.rng.choice(views)
    _, _, right, bottom = chaos.layout()
    x = view["x"] + min(view["width"] - 1, 10)
    y = view["y"] + min(view["height"] - 1, 10)
    top = chaos.under(x, y)
    if (
        top is None
        or top is not None
        and (top["pid"], top["app_id"]) != (view["pid"], view["app_id"])
    ):
        return f"{view['app_id']} (covered)"
    dx = chaos.rng.randrange(-60, 61)
    dy = chaos.rng.randrange(-60, 61)
    end = (min(max(x + dx, 0), right - 1), min(max(y + dy, 0), bottom - 1))
    dx, dy = end[0] - x, end[1] - y
    chaos.comp.ctl_ok("pointer-move", x=x, y=y)
    chaos.comp.ctl_ok("key", key="Alt_L", pressed=True)
    chaos.comp.ctl_ok("pointer-button", button=BTN_LEFT, pressed=True)
    chaos.comp.ctl_ok("pointer-move", x=end[0], y=end[1])
    chaos.comp.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    chaos.comp.ctl_ok("key", key="Alt_L", pressed=False)
    moved = next(
        (v for v in chaos.views() if (v["pid"], v["app_id"]) == (view["pid"], view["app_id"])), None
    )
    if moved is not None and (moved["x"], moved["y"]) != (view["x"] + dx, view["y"] + dy):
        if not moved["xwayland"]:
            raise CheckFailed(
                f"{view['app_id']} at {moved['x']},{moved['y']} after a drag of {dx},{dy} "
                f"from {view['x']},{view['y']}"
            )
    return f"{view['app_id']} by {dx},{dy}"


def type_text(chaos: Chaos) -> str:
    text = "".join(chaos.rng.choice("abcxyz") for _ in range(4))
    focused = next((v for v in chaos.views() if v["focused"]), None)
    chaos.comp.ctl_ok("type", text=text)
    target = next((c for c in chaos.solids() if focused and c.app_id == focused["app_id"]), None)
    if target is not None:
        lines = _sync(target)
        if not any(line.startswith("key ") for line in lines):
            raise CheckFailed(f"typed {text!r} did not reach the focused {focused['app_id']}")
    return f"{text!r} to {focused['app_id'] if focused else 'nobody'}"


def alt_tab(chaos: Chaos) -> str:
    tabs = chaos.rng.randrange(1, 4)
    chaos.comp.ctl_ok("key", key="Alt_L", pressed=True)
    for _ in range(tabs):
        chaos.comp.ctl_ok("key", key="Tab")
    if chaos.rng.random() < 0.2:
        chaos.comp.ctl_ok("key", key="Escape")
    chaos.comp.ctl_ok("key", key="Alt_L", pressed=False)
    return f"{tabs} tabs"


def drag_and_drop(chaos: Chaos) -> str:
    text = f"dropped {chaos.rng.randrange(1000)}"
    src_id, dst_id = chaos.new_app_id("dndsrc"), chaos.new_app_id("dnddst")
    base = [sys.executable, "-m", "tests.clients.dnd_window", "--stdin-sync"]
    source = chaos.spawn(
        [*base, "--app-id", src_id, "--drag-text", text], "dnd", src_id, stdin=subprocess.PIPE
    )
    target = chaos.spawn(
        [*base, "--app-id", dst_id, "--drop", "--color", "33aa55"],
        "dnd",
        dst_id,
        stdin=subprocess.PIPE,
    )
    s = chaos.comp.wait_for_view(src_id, timeout=30)
    t = chaos.comp.wait_for_view(dst_id, timeout=30)
    start = (s["x"] + s["width"] // 2, s["y"] + s["height"] // 2)
    end = (t["x"] + t["width"] // 2, t["y"] + t["height"] // 2)
    if (chaos.under(*start) or {}).get("app_id") != src_id or (chaos.under(*end) or {}).get(
        "app_id"
    ) != dst_id:
        for client in (source, target):
            client.proc.kill()
        return "(covered)"
    chaos.comp.ctl_ok("pointer-move", x=start[0], y=start[1])
    chaos.comp.ctl_ok("pointer-button", button=BTN_LEFT, pressed=True)
    wait_for_line(source.proc, lambda line: line == "drag-started", 30)
    for i in range(1, 7):
        chaos.comp.ctl_ok(
            "pointer-move",
            x=start[0] + (end[0] - start[0]) * i / 6,
            y=start[1] + (end[1] - start[1]) * i / 6,
        )
    # The target's accept and actions reached the compositor (a window the drag crossed
    # may have accepted first: the source's events alone do not tell).
    wait_for_line(target.proc, lambda line: line.startswith("dnd-enter"), 30)
    sync_lines(target)
    chaos.comp.ctl_ok("pointer-button", button=BTN_LEFT, pressed=False)
    try:
        got = wait_for_line(target.proc, lambda line: line.startswith("dropped"), 30)
    except TimeoutError as exc:
        source_lines, _ = sync_lines(source)
        raise CheckFailed(f"{exc}; the source saw {source_lines}") from None
    if got != f"dropped {text}":
        raise CheckFailed(f"drop gave {got!r}")
    for client in (source, target):
        client.proc.kill()
        client.proc.wait(10)
    return text


def clipboard(chaos: Chaos) -> str:
    text = f"clip {chaos.rng.randrange(10**6)}"
    # In the foreground: the selection is served by this process, ended below.
    copy = subprocess.Popen(
        ["wl-copy", "--foreground", text],
        env=chaos.comp.client_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    pasted = ""

    def pastes() -> bool:  # wl-copy's child owns the selection a moment after it exits
        nonlocal pasted
        pasted = chaos.comp.run_client(["wl-paste", "--no-newline"], timeout=30).stdout
        return pasted == text

    try:
        wait_for(pastes, 20, what="the text on the clipboard")
    except TimeoutError:
        raise CheckFailed(f"wl-paste gave {pasted!r}, not {text!r}") from None
    finally:
        copy.kill()
        copy.wait(10)
    return text


def wtype(chaos: Chaos) -> str:
    result = chaos.comp.run_client(["wtype", "chaos"], timeout=30)
    if result.returncode != 0:
        raise CheckFailed(f"wtype: {result.stderr}")
    return "chaos"


def virtual_mouse(chaos: Chaos) -> str:
    """A 1000 Hz virtual mouse (zwlr_virtual_pointer_v1) over random points of the layout:
    the C motion path, its device coming and going, whatever is under it."""
    points = [f"{chaos.rng.randrange(1000)},{chaos.rng.randrange(1000)}" for _ in range(8)]
    argv = [sys.executable, "-m", "tests.clients.pointer_mover", "--events", "400", "--rate"]
    argv += ["0", "--extent", "1000,1000", "--points", *points]
    result = chaos.comp.run_client(argv, timeout=60)
    if result.returncode != 0 or "done 400" not in result.stdout:
        raise CheckFailed(f"virtual mouse: {result.returncode} {result.stderr[-300:]}")
    return f"400 motions over {' '.join(points)}"


def plug(chaos: Chaos) -> str:
    kind = chaos.rng.choice(["keyboard", "pointer"])
    if chaos.plugged[kind] > 0 and chaos.rng.random() < 0.5:
        chaos.comp.ctl_ok("input-unplug", kind=kind)
        chaos.plugged[kind] -= 1
        return f"unplug {kind}"
    if chaos.plugged[kind] == 0 and kind == "keyboard" and chaos.rng.random() < 0.3:
        # The last keyboard goes; the next key plugs one in again (see key()).
        chaos.comp.ctl_ok("input-unplug", kind=kind)
        chaos.comp.ctl_ok("input-plug", kind=kind)
        return f"unplug and plug the only {kind}"
    chaos.comp.ctl_ok("input-plug", kind=kind)
    chaos.plugged[kind] += 1
    return f"plug {kind}"


def outputs(chaos: Chaos) -> str:
    choice = chaos.rng.choice(["add", "remove", "scale"])
    if choice == "add" and len(chaos.outputs_added) < 2:
        before = {o["name"] for o in chaos.comp.ctl_ok("outputs")["outputs"]}
        chaos.comp.ctl_ok("output-add", width=chaos.rng.choice([320, 640]), height=240)
        name = next(
            o["name"] for o in chaos.comp.ctl_ok("outputs")["outputs"] if o["name"] not in before
        )
        chaos.outputs_added.append(name)
        return f"add {name}"
    if choice == "remove" and chaos.outputs_added:
        name = chaos.outputs_added.pop(chaos.rng.randrange(len(chaos.outputs_added)))
        chaos.comp.ctl_ok("output-remove", name=name)
        return f"remove {name}"
    scale = chaos.rng.choice(["1", "1.5", "2", "1"])
    result = chaos.comp.run_client(
        ["wlr-randr", "--output", "HEADLESS-1", "--scale", scale], timeout=30
    )
    if result.returncode != 0:
        raise CheckFailed(f"wlr-randr --scale {scale}: {result.stderr}")
    return f"scale {scale}"


def record(chaos: Chaos) -> str:
    if chaos.recording:
        last = chaos.comp.ctl_ok("record-stop")["last"]
        chaos.recording = False
        path = chaos.recording_path
        if last["frames_encoded"] == 0:  # stopped before a frame came: no file
            if path.exists():
                raise CheckFailed(f"{path} left behind with no frame in it")
            return f"stop {path.name} before its first frame"
        if not path.exists() or path.stat().st_size == 0:
            raise CheckFailed(f"the recording {path} is missing or empty: {last}")
        size = path.stat().st_size
        path.unlink()
        return f"stop {path.name} {size} bytes"
    path = chaos.workdir / f"chaos-{chaos.counter}.mp4"
    chaos.counter += 1
    reply = chaos.comp.ctl("record-start", path=str(path))
    if not reply.get("ok"):
        return f"start refused: {reply.get('error')}"
    chaos.recording = True
    chaos.recording_path = path
    return f"start {path.name}"


def tracer(chaos: Chaos) -> str:
    kind = chaos.rng.choice(["trace", "clients", "trace-stuck"])
    ctl = [
        sys.executable,
        "-m",
        "compositor.control_client",
        "--socket",
        str(chaos.comp.control_path),
    ]
    if kind == "clients":
        result = chaos.comp.run_client([*ctl, "clients"], timeout=30)
        if result.returncode != 0:
            raise CheckFailed(f"pydrm-ctl clients: {result.stdout} {result.stderr}")
        return "clients"
    if kind == "trace-stuck":
        # A reader that never reads: dropped when it falls behind, or when it is closed.
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(str(chaos.comp.control_path))
        sock.sendall(b'{"cmd": "trace"}\n')
        chaos.stuck = getattr(chaos, "stuck", [])
        chaos.stuck.append(sock)
        if len(chaos.stuck) > 2:
            chaos.stuck.pop(0).close()
        return "a trace nobody reads"
    proc = subprocess.Popen(
        [*ctl, "trace"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=chaos.comp.client_env(),
    )
    time.sleep(chaos.rng.random() * 0.5)
    proc.send_signal(chaos.rng.choice([signal.SIGTERM, signal.SIGKILL]))
    proc.wait(10)
    return "trace killed"


def layer(chaos: Chaos) -> str:
    running = [c for c in chaos.clients if c.kind == "layer" and c.proc.poll() is None]
    if running and chaos.rng.random() < 0.5:
        client = chaos.rng.choice(running)
        client.proc.kill()
        client.proc.wait(10)
        return f"kill {client.name}"
    program = chaos.rng.choice(["swaybg", "waybar"] if _available("waybar") else ["swaybg"])
    argv = ["swaybg", "-c", "#203040"] if program == "swaybg" else ["waybar"]
    chaos.spawn(argv, "layer", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return f"start {program}"


def lock(chaos: Chaos) -> str:
    client = chaos.spawn(
        ["swaylock", "-c", "000000"], "lock", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(0.3 + chaos.rng.random())
    client.proc.kill()
    client.proc.wait(10)
    pid = client.proc.pid
    wait_for(
        lambda: all(c["pid"] != pid for c in chaos.comp.ctl_ok("clients")["clients"]),
        20,
        what="swaylock's connection to go",
    )
    # swaylock 1.7 locks with ext-session-lock: killed, it leaves the session locked (as it
    # must); a new locker (the tests' own) takes the lock over and unlocks.
    unlocked = ""
    if chaos.comp.ctl_ok("session-lock")["locked"]:
        argv = [sys.executable, "-m", "tests.clients.session_locker", "--no-surfaces"]
        locker = chaos.spawn(argv, "lock", stdin=subprocess.PIPE)
        wait_for_line(locker.proc, lambda line: line == "locked", 20)
        locker.proc.stdin.write("unlock\n")
        locker.proc.stdin.flush()
        wait_for_line(locker.proc, lambda line: line == "unlocked", 20)
        locker.proc.kill()
        unlocked = ", the session stayed locked until another locker unlocked it"
    wait_for(
        lambda: (
            not chaos.comp.ctl_ok("input-protocols")["input_inhibited"]
            and not chaos.comp.ctl_ok("session-lock")["locked"]
        ),
        20,
        what="input free again after swaylock went",
    )
    return f"swaylock started and killed{unlocked}"


def hostile(chaos: Chaos) -> str:
    kinds = ["shrink", "shrink-dead", "hog"]
    if os.environ.get("PYDRM_MEMCHECK_DIR"):
        # Under valgrind a truncated pool's fault arrives as SIGSEGV, not the kernel's
        # SIGBUS that the compositor's guard handles (scripts/memcheck.sh).
        kinds = ["hog"]
    kind = chaos.rng.choice(kinds)
    if kind == "hog":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(str(chaos.comp.control_path))
        sock.setblocking(False)
        written = 0
        try:
            while written < 8 << 20:
                written += sock.send(b'{"cmd": "help"}\n' * 256)
        except BlockingIOError:
            pass
        chaos.comp.ctl_ok("ping")  # the others are answered
        sock.close()
        return f"control hog ({written} bytes unread)"
    client = chaos.solid("--size", "256x256", prefix="hostile")
    client.kind = "hostile"  # cut off below: no other action picks it
    view = chaos.comp.wait_for_view(client.app_id, timeout=30)
    client.proc.stdin.write(
        f"shrink-pool {chaos.rng.choice([0, 4096, 131072])}"
        f"{' dead' if kind == 'shrink-dead' else ''}\n"
    )
    client.proc.stdin.flush()
    wait_for_line(client.proc, lambda line: line.startswith("shrunk"), 30)
    chaos.comp.ctl_ok("overlay", name="chaos", x=0, y=0, width=4, height=4, color="ffffff")
    chaos.comp.ctl_ok("overlay", name="chaos", remove=True)
    # A full render of the output the window is on reads it (it is on top: just mapped).
    cx, cy = view["x"] + view["width"] // 2, view["y"] + view["height"] // 2
    outputs = chaos.comp.ctl_ok("outputs")["outputs"]
    name = next(
        (
            o["name"]
            for o, (ox, oy, ow, oh) in zip(outputs, chaos.output_boxes(), strict=True)
            if ox <= cx < ox + ow and oy <= cy < oy + oh
        ),
        outputs[0]["name"],
    )
    path = chaos.workdir / "hostile.png"
    chaos.comp.ctl_ok("screenshot", path=str(path), output=name)
    wait_for_line(client.proc, lambda line: line == "disconnected", 30)
    return kind


def dialog(chaos: Chaos) -> str:
    solids = [c for c in chaos.solids() if c.app_id.startswith("chaos.solid")]
    if not solids:
        return "(none)"
    client = chaos.rng.choice(solids)
    client.proc.stdin.write(f"dialog eeee00 {chaos.rng.choice(['80x60', '120x80', '300x200'])}\n")
    client.proc.stdin.flush()
    wait_for_line(client.proc, lambda line: line.startswith("dialog-mapped"), 30)
    return client.app_id


def state(chaos: Chaos) -> str:
    solids = chaos.solids()
    if not solids:
        return "(none)"
    client = chaos.rng.choice(solids)
    command = chaos.rng.choice(["maximize", "unmaximize", "fullscreen", "unfullscreen", "minimize"])
    client.proc.stdin.write(f"{command}\n")
    client.proc.stdin.flush()
    _sync(client)
    return f"{client.app_id} {command}"


ACTIONS = [
    Action("start-solid", 6, start_solid),
    Action("start-app", 5, start_real),
    Action("close", 8, close_client),
    Action("click", 10, click),
    Action("move", 5, move_window),
    Action("type", 4, type_text),
    Action("alt-tab", 3, alt_tab),
    Action("drag-and-drop", 2, drag_and_drop),
    Action("clipboard", 2, clipboard, lambda c: _available("wl-copy", "wl-paste")),
    Action("wtype", 2, wtype, lambda c: _available("wtype")),
    Action("virtual-mouse", 2, virtual_mouse),
    Action("input-devices", 3, plug),
    Action("outputs", 3, outputs, lambda c: _available("wlr-randr")),
    Action("record", 2, record),
    Action("tracers", 3, tracer),
    Action("layer-shell", 2, layer, lambda c: _available("swaybg")),
    Action("swaylock", 1, lock, lambda c: _available("swaylock")),
    Action("hostile", 2, hostile),
    Action("dialog", 2, dialog),
    Action("window-state", 3, state),
]


def fd_list(comp: CompositorProcess) -> list[str]:
    """Where each of the compositor's fds points (for a report when they are not back)."""
    out = []
    for fd in sorted(os.listdir(f"/proc/{comp.pid}/fd"), key=int):
        try:
            out.append(f"{fd}: {os.readlink(f'/proc/{comp.pid}/fd/{fd}')}")
        except OSError:
            pass
    return out


def fd_targets(comp: CompositorProcess) -> Counter:
    """What the compositor's fds are, by kind: wlroots' own shm buffers (its outputs'
    swapchains: up to 4 each, allocated as frames need them) and wlroots' /dev/urandom
    (opened once, at the first xdg-activation token, and kept: util/token.c) apart from
    everything else."""
    kinds: Counter = Counter()
    for fd in os.listdir(f"/proc/{comp.pid}/fd"):
        try:
            target = os.readlink(f"/proc/{comp.pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("/dev/shm/wlroots-"):
            kinds["swapchain"] += 1
        elif target != "/dev/urandom":
            kinds["other"] += 1
    return kinds


def baseline(comp: CompositorProcess) -> dict[str, Any]:
    """Live counts once nothing runs: compared after a chaos run."""
    stats = comp.ctl_ok("stats", objects=0)
    keys = (
        "clients",
        "views",
        "popups",
        "listeners",
        "keyboards",
        "pointers",
        "event_sources",
        "wl_drm_buffers",
        "recordings",
        "tracers",
        "fds",
    )
    counts = {key: stats[key] for key in keys if key != "fds"}
    targets = fd_targets(comp)
    return (
        counts
        | {"fds": targets["other"], "swapchain_fds": targets["swapchain"]}
        | {"rss_kib": stats["rss_kib"]}
    )


def settle(
    comp: CompositorProcess, expected: dict[str, Any], timeout: float = 60
) -> dict[str, Any]:
    """Wait until the live counts are back to ``expected`` (RSS aside); return the last."""
    last: dict[str, Any] = {}

    def back() -> bool:
        nonlocal last
        last = baseline(comp)
        return all(
            last[k] == v for k, v in expected.items() if k not in ("rss_kib", "swapchain_fds")
        )

    try:
        wait_for(back, timeout, what="the live counts back to the baseline")
    except TimeoutError:
        pass
    return last


def stable_baseline(comp: CompositorProcess) -> dict[str, Any]:
    """The live counts once they hold still (three equal snapshots in a row, RSS aside):
    no window, tracer or recording left, no idle callback or timer of the warm-up pending."""
    last: list[dict[str, Any]] = []

    def still() -> bool:
        snapshot = baseline(comp)
        fixed = {k: v for k, v in snapshot.items() if k not in ("rss_kib", "swapchain_fds")}
        last.append(
            fixed | {"rss_kib": snapshot["rss_kib"], "swapchain_fds": snapshot["swapchain_fds"]}
        )
        if snapshot["views"] or snapshot["tracers"] or snapshot["recordings"]:
            return False
        recent = [
            {k: v for k, v in s.items() if k not in ("rss_kib", "swapchain_fds")} for s in last[-3:]
        ]
        return len(recent) == 3 and recent[0] == recent[1] == recent[2]

    wait_for(still, 60, what="the live counts to hold still")
    return last[-1]


def warm_up(comp: CompositorProcess, workdir: Path) -> None:
    """What starts once and stays (Xwayland, the recorder's encoder modules, the
    inspector): done before the baseline."""
    x11 = comp.spawn(["xeyes"], env={"DISPLAY": comp.ctl_ok("ping")["display"]})
    wait_for(lambda: any(v["xwayland"] for v in comp.views()), 60, what="an X11 window")
    x11.kill()
    x11.wait(10)
    path = workdir / "warmup.mp4"
    comp.ctl_ok("record-start", path=str(path))

    def encoded() -> bool:  # the encoder (PyAV, libx264) is made at the first frame
        comp.ctl_ok("overlay", name="warmup", x=0, y=0, width=8, height=8, color="ffffff")
        comp.ctl_ok("overlay", name="warmup", remove=True)
        return comp.ctl_ok("record-status")["current"]["frames_encoded"] > 0

    wait_for(encoded, 60, what="a frame recorded")
    comp.ctl_ok("record-stop")
    comp.ctl_ok("clients")
    # A title bar: Pillow and the font for titles.
    argv = [sys.executable, "-m", "tests.clients.solid_window", "--app-id", "chaos.warmup"]
    titled = comp.spawn([*argv, "--decoration", "server"])
    comp.wait_for_view("chaos.warmup", timeout=30)
    titled.kill()
    titled.wait(10)
