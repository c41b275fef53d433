"""Endurance: 100,000+ client connections of mixed behaviour against one compositor.

    python bench/bench_soak.py [--minutes 32] [--rate 60] [--workers 5] [--quick]

One compositor, headless, pixman, ``--wl-drm-device /dev/dri/renderD128`` (no /dev/dri here:
wl_drm then takes memfd-backed PRIME buffers, as in tests/wl_drm/). Worker threads
open connections at ``--rate`` per second in all, each a raw client (bench/wire.py) running
one scenario picked by weight (SCENARIOS): registry only; a wl_shm toplevel drawing a few
frames; a wl_drm toplevel (bind, authenticate, create_prime_buffer from a memfd); popups of
popups; subsurfaces; a wl_seat with pointer and keyboard; abrupt exits (socket closed in the
middle of a message, with fds in flight, or before reading anything); a malformed request
from bench_fuzz.py (checked against its expected error). A second thread starts a real client
every ``--real-interval`` seconds (tests/clients/solid_window.py with nested popups and a
subsurface, tests/clients/wl_drm_client.py, weston-simple-shm, weston-flower) and ends it
with SIGKILL or SIGTERM a moment later. A third toggles a recording every ``--record-every``
seconds (the ``record-start`` / ``record-stop`` control commands, as pydrm-ctl sends them).

Every minute: elapsed, connections so far, compositor RSS and fds, and the live counts of
the ``stats`` control command (objects=0). Warm-up: the first ``--warmup`` seconds (default
60), which include a whole recording (start at 0 s, stop at 30 s: the first one imports
PyAV and sets up the encoder). Then the load pauses until no client is connected and the
baseline is taken (full ``stats``: live counts and Python objects by type, after a gc), and
the same at the end. Printed: RSS growth end - baseline, fds, live counts and objects by
type that differ, crashes, and one summary line. Figures, not assertions (the issue's
targets: RSS growth < 5 MiB, fds flat, live counts back to baseline, 0 crashes).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_fuzz  # noqa: E402
from common import RESULTS_DIR, ROOT, loadavg  # noqa: E402
from wire import (  # noqa: E402
    DRM_XRGB8888,
    Control,
    Disconnected,
    ProtocolError,
    Wire,
    diff_objects,
    live_counts,
    message,
    proc_fds,
    proc_rss_kib,
    sealed_memfd,
    start_compositor,
)

COMPOSITOR_ARGS = bench_fuzz.COMPOSITOR_ARGS  # renderD128 + the small wl_drm quotas
SHELL = {"wl_compositor": 4, "wl_shm": 1, "xdg_wm_base": 2}


class ScenarioFailed(Exception):
    """The compositor did not do what a well-formed client asked (counted, printed once)."""


class Gate:
    """One load thread's view of pause/resume: ``proceed()`` blocks while the load is paused
    (and says so through ``idle``), so that pause() knows when every thread has stopped."""

    def __init__(self, running: threading.Event, stopping: threading.Event) -> None:
        self.running = running
        self.stopping = stopping
        self.idle = threading.Event()
        self.lock = threading.Lock()

    def proceed(self) -> bool:
        """True: do one more unit of work. Blocks while paused; False at the end."""
        while True:
            with self.lock:
                if self.stopping.is_set():
                    self.idle.set()
                    return False
                if self.running.is_set():
                    self.idle.clear()
                    return True
                self.idle.set()
            time.sleep(0.05)

    def wait_idle(self, timeout: float) -> bool:
        with self.lock:  # a proceed() that saw `running` set has cleared `idle` by now
            pass
        return self.idle.wait(timeout)


# -- the raw-client scenarios -----------------------------------------------------------------


def draw_frames(c: Wire, shm: int, surface: int, width: int, height: int, frames: int) -> None:
    """Attach a new buffer per frame callback, ``frames`` times; buffers are destroyed on
    release, like a real client."""
    for i in range(frames):
        (buffer,) = c.shm_buffer(shm, width, height, 0x202020 + 0x101010 * (i % 8))
        c.on(buffer, "release", lambda b=buffer: c.send(b, "destroy"))
        callback = c.frame(surface)
        c.show(surface, buffer, width, height)
        c.wait(lambda cb=callback: cb in c.done_callbacks, 5.0)


def s_registry(c: Wire, rng: random.Random) -> None:
    c.send(1, "get_registry")
    c.roundtrip()
    if "wl_compositor" not in c.globals:
        raise ScenarioFailed("no wl_compositor global")


def s_shm_window(c: Wire, rng: random.Random) -> None:
    ids = c.bind_globals(SHELL)
    surface, xdg, top = c.toplevel(ids["wl_compositor"], ids["xdg_wm_base"], "soak.shm")
    c.send(top, "set_title", f"soak {rng.randrange(1 << 20)}")
    width, height = rng.choice([(64, 48), (120, 80), (200, 150)])
    draw_frames(c, ids["wl_shm"], surface, width, height, rng.randrange(1, 4))
    if rng.random() < 0.3:  # a clean client destroys its objects before it leaves
        c.send(top, "destroy")
        c.send(xdg, "destroy")
        c.send(surface, "destroy")
        c.roundtrip()


def s_drm_window(c: Wire, rng: random.Random) -> None:
    ids = c.bind_globals({**SHELL, "wl_drm": 2})
    if "wl_drm" not in ids:
        raise ScenarioFailed("no wl_drm global")
    drm = ids["wl_drm"]
    state: dict[str, Any] = {"formats": [], "authenticated": 0}
    c.on(drm, "device", lambda path: state.__setitem__("device", path))
    c.on(drm, "format", state["formats"].append)
    c.on(drm, "authenticated", lambda: state.__setitem__("authenticated", 1))
    c.send(drm, "authenticate", rng.randrange(1, 1 << 31))
    c.wait(lambda: state["authenticated"], 5.0)
    if DRM_XRGB8888 not in state["formats"]:
        raise ScenarioFailed(f"XRGB8888 not among the wl_drm formats {state['formats']}")
    surface, xdg, top = c.toplevel(ids["wl_compositor"], ids["xdg_wm_base"], "soak.wl_drm")
    width, height = rng.choice([(64, 32), (96, 64)])
    buffers = []
    for i in range(rng.randrange(1, 3)):  # within --max-client-buffers 3
        fd = sealed_memfd(width, height, 0x33CC66 + i * 0x1100)
        c.close_after_flush.append(fd)
        buffer = c.send(
            drm, "create_prime_buffer", fd, width, height, DRM_XRGB8888, 0, width * 4, 0, 0, 0, 0
        )
        buffers.append(buffer)
        callback = c.frame(surface)
        c.show(surface, buffer, width, height)
        c.wait(lambda cb=callback: cb in c.done_callbacks, 5.0)
    if rng.random() < 0.5:
        for buffer in buffers:
            c.send(buffer, "destroy")
        c.roundtrip()


def s_popups(c: Wire, rng: random.Random) -> None:
    ids = c.bind_globals({**SHELL, "wl_seat": 7})
    comp, wm, shm = ids["wl_compositor"], ids["xdg_wm_base"], ids["wl_shm"]
    surface, xdg, top = c.toplevel(comp, wm, "soak.popups")
    draw_frames(c, shm, surface, 160, 120, 1)
    parent, chain = xdg, []
    for _ in range(rng.randrange(2, 5)):  # a popup of a popup of ...
        ps, pxdg, popup = c.popup(comp, wm, parent, 50, 30)
        (buffer,) = c.shm_buffer(shm, 50, 30, 0xCC3333)
        c.show(ps, buffer, 50, 30)
        chain.append((ps, pxdg, popup))
        parent = pxdg
    c.roundtrip()
    if rng.random() < 0.5:  # close them top-down, as the protocol requires
        for ps, pxdg, popup in reversed(chain):
            c.send(popup, "destroy")
            c.send(pxdg, "destroy")
            c.send(ps, "destroy")
        c.roundtrip()


def s_subsurfaces(c: Wire, rng: random.Random) -> None:
    ids = c.bind_globals({**SHELL, "wl_subcompositor": 1})
    comp, shm = ids["wl_compositor"], ids["wl_shm"]
    surface, xdg, top = c.toplevel(comp, ids["xdg_wm_base"], "soak.subsurfaces")
    parent = surface
    for depth in range(rng.randrange(1, 4)):
        child = c.send(comp, "create_surface")
        sub = c.send(ids["wl_subcompositor"], "get_subsurface", child, parent)
        c.send(sub, "set_position", 10 + depth * 5, 10)
        if rng.random() < 0.5:
            c.send(sub, "set_desync")
        (buffer,) = c.shm_buffer(shm, 40, 30, 0x33CC33)
        c.show(child, buffer, 40, 30)
        parent = child
    draw_frames(c, shm, surface, 120, 90, rng.randrange(1, 3))


def s_seat(c: Wire, rng: random.Random) -> None:
    ids = c.bind_globals({**SHELL, "wl_seat": 7})
    seat = ids["wl_seat"]
    caps: list[int] = []
    c.on(seat, "capabilities", caps.append)
    c.wait(lambda: caps, 5.0)
    pointer = c.send(seat, "get_pointer")
    keyboard = c.send(seat, "get_keyboard")  # the keymap comes as an fd (closed on arrival)
    surface, xdg, top = c.toplevel(ids["wl_compositor"], ids["xdg_wm_base"], "soak.seat")
    draw_frames(c, ids["wl_shm"], surface, 80, 60, 1)
    if rng.random() < 0.5:
        c.send(pointer, "release")
        c.send(keyboard, "release")
        c.roundtrip()


def s_abrupt(c: Wire, rng: random.Random) -> None:
    """Leave without a goodbye: the compositor must clean up whatever state was left."""
    how = rng.randrange(5)
    if how == 0:  # connect and close at once
        return
    ids = c.bind_globals(SHELL)
    surface, xdg, top = c.toplevel(ids["wl_compositor"], ids["xdg_wm_base"], "soak.abrupt")
    (buffer,) = c.shm_buffer(ids["wl_shm"], 64, 64)
    if how == 1:  # half a message: a commit header cut in the middle
        c.show(surface, buffer, 64, 64)
        c.flush()
        c.sock.send(message(surface, 6)[: rng.randrange(1, 8)])
    elif how == 2:  # a request with its fd in flight, then gone
        fd = sealed_memfd(32, 32)
        c.close_after_flush.append(fd)
        c.send(ids["wl_shm"], "create_pool", fd, 32 * 32 * 4)
        c.flush()
    elif how == 3:  # a burst of requests and events never read
        c.show(surface, buffer, 64, 64)
        for _ in range(rng.randrange(10, 200)):
            c.frame(surface)
            c.send(surface, "damage", 0, 0, 64, 64)
            c.send(surface, "commit")
        c.flush()
    else:  # mid-payload: a set_title whose string is cut short
        c.flush()
        raw = message(top, 2, b"\x40\0\0\0" + b"x" * 64)
        c.sock.send(raw[: rng.randrange(9, len(raw) - 1)])
    # closed by the caller without reading a byte


def s_malformed(c: Wire, rng: random.Random) -> None:
    """Replaced at run time (needs its own connection): see Soak.run_malformed."""
    raise NotImplementedError


@dataclass(frozen=True)
class Scenario:
    name: str
    weight: int
    fn: Callable[[Wire, random.Random], None]


SCENARIOS = [
    Scenario("registry", 22, s_registry),
    Scenario("shm_window", 22, s_shm_window),
    Scenario("wl_drm_window", 12, s_drm_window),
    Scenario("popups", 8, s_popups),
    Scenario("subsurfaces", 8, s_subsurfaces),
    Scenario("seat", 5, s_seat),
    Scenario("abrupt", 13, s_abrupt),
    Scenario("malformed", 10, s_malformed),
]

# Fuzz cases known to crash the compositor: left out of the soak unless --include-crashers,
# so that it measures leaks rather than restarts. None since 85d181c (popup_without_parent
# and, before 8842819, surface_destroyed_before_xdg_surface did: bench/README.md).
KNOWN_CRASHERS: set[str] = set()

REAL_CLIENTS = [
    (
        "solid_window",
        [
            sys.executable,
            "-m",
            "tests.clients.solid_window",
            "--popup",
            "cc3333",
            "--popup-depth",
            "3",
            "--subsurface",
            "33cc33",
            "--app-id",
            "soak.solid",
        ],
    ),
    (
        "wl_drm_client",
        [sys.executable, "-m", "tests.clients.wl_drm_client", "--app-id", "soak.drm"],
    ),
    ("weston-simple-shm", ["weston-simple-shm"]),
    ("weston-flower", ["weston-flower"]),
]


# -- the run -------------------------------------------------------------------------------


class Soak:
    def __init__(self, ns: argparse.Namespace, workdir: Path) -> None:
        self.ns = ns
        self.workdir = workdir
        self.lock = threading.Lock()
        self.connections = 0
        self.by_scenario: Counter = Counter()
        self.failures: Counter = Counter()
        self.failure_examples: dict[str, str] = {}
        self.malformed: Counter = Counter()
        self.malformed_mismatch: Counter = Counter()
        self.real: Counter = Counter()
        self.crashes: list[dict[str, Any]] = []
        self.recordings = 0
        self.record_errors: list[str] = []
        self.running = threading.Event()  # set while the load runs
        self.stopping = threading.Event()  # set once: the end
        self.gates: list[Gate] = []
        self.next_slot = time.monotonic()
        self.generation = 0
        self.fuzz_cases = [
            case
            for case in bench_fuzz.CASES
            if case.target == "main" and (ns.include_crashers or case.name not in KNOWN_CRASHERS)
        ]
        only = [n for n in ns.only.split(",") if n]
        self.scenarios = [s for s in SCENARIOS if s.weight > 0 and (not only or s.name in only)]
        self.weights = [s.weight for s in self.scenarios]
        self.start_compositor()

    # -- the compositor ---------------------------------------------------------------------

    def start_compositor(self) -> None:
        self.generation += 1
        name = f"soak-{os.getpid()}-{self.generation}"
        width, height = self.ns.width, self.ns.height
        self.comp = start_compositor(self.workdir, name, width, height, COMPOSITOR_ARGS)
        self.path = str(self.comp.runtime_dir / self.comp.socket)
        self.control = Control(self.comp.info["control_socket"])

    def check_crash(self) -> bool:
        """True if the compositor died (recorded, restarted)."""
        with self.lock:
            if self.comp.alive():
                return False
            code = self.comp.proc.returncode
            info = {
                "at_s": round(time.monotonic() - self.t0, 1),
                "connections": self.connections,
                "returncode": code,
                "signal": signal.Signals(-code).name if code is not None and code < 0 else None,
                "log": str(self.comp.log_path),
                "log_tail": self.comp.log_tail(10),
            }
            self.crashes.append(info)
            print(f"CRASH at {info['at_s']} s: exit {code} ({info['signal']}); log {info['log']}")
            print("  " + "\n  ".join(info["log_tail"].splitlines()[-5:]), flush=True)
            self.control.close()
            self.comp.stop()
            self.start_compositor()
            return True

    def stats(self, objects: bool = False) -> dict[str, Any]:
        return self.control.call("stats", objects=1 if objects else 0)

    # -- load threads -----------------------------------------------------------------------

    def gate(self) -> Gate:
        gate = Gate(self.running, self.stopping)
        self.gates.append(gate)
        return gate

    def take_slot(self) -> None:
        """Wait for this worker's turn at the global rate."""
        with self.lock:
            now = time.monotonic()
            if self.next_slot < now - 1.0:  # behind: do not burst to catch up
                self.next_slot = now
            slot = self.next_slot
            self.next_slot = slot + 1.0 / self.ns.rate
        delay = slot - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def worker(self, index: int, gate: Gate) -> None:
        rng = random.Random(self.ns.seed * 1000 + index)
        while True:
            self.take_slot()
            if not gate.proceed():
                return
            scenario = rng.choices(self.scenarios, self.weights)[0]
            self.run_one(scenario, rng)

    def run_one(self, scenario: Scenario, rng: random.Random) -> None:
        if scenario.name == "malformed":
            self.run_malformed(rng)
            return
        try:
            conn = Wire(self.path, timeout=10.0)
        except OSError as exc:
            self.fail(scenario.name, f"connect: {exc!r}")
            return
        try:
            scenario.fn(conn, rng)
            conn.flush()
        except ScenarioFailed as exc:
            self.fail(scenario.name, str(exc))
        except (ProtocolError, Disconnected, TimeoutError, OSError) as exc:
            self.fail(scenario.name, repr(exc))
        finally:
            conn.close()
            with self.lock:
                self.connections += 1
                self.by_scenario[scenario.name] += 1

    def run_malformed(self, rng: random.Random) -> None:
        case = rng.choice(self.fuzz_cases)
        outcome = bench_fuzz.run_case(case, self.path, rng)
        with self.lock:
            self.connections += 1
            self.by_scenario["malformed"] += 1
            self.malformed[case.name] += 1
            if not outcome.ok:
                self.malformed_mismatch[case.name] += 1

    def fail(self, name: str, why: str) -> None:
        if self.check_crash():
            why = "compositor crashed: " + why
        with self.lock:
            self.failures[name] += 1
            if name not in self.failure_examples:
                self.failure_examples[name] = why
                print(f"  [{name}] failed: {why}", flush=True)

    def real_clients(self, gate: Gate) -> None:
        rng = random.Random(self.ns.seed + 7)
        while gate.proceed():
            name, argv = rng.choice(REAL_CLIENTS)
            env = {**self.comp.client_env(), "PYTHONPATH": str(ROOT)}
            proc = subprocess.Popen(
                argv,
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            with self.lock:
                self.connections += 1
                self.real[name] += 1
            lifetime = rng.uniform(0.3, 3.0)
            deadline = time.monotonic() + lifetime
            while time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.05)
            how = signal.SIGKILL if rng.random() < 0.5 else signal.SIGTERM
            if proc.poll() is None:
                proc.send_signal(how)
                with self.lock:
                    self.real[f"{name} {how.name}"] += 1
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            end = time.monotonic() + max(0.0, self.ns.real_interval - lifetime)
            while time.monotonic() < end and self.running.is_set():
                time.sleep(0.05)

    def recorder(self, gate: Gate) -> None:
        """record-start / record-stop every --record-every seconds while the load runs; a
        pause stops the recording, and the cycle starts afresh (recording) on resume."""
        period = self.ns.record_every
        recording = False
        next_toggle = time.monotonic()
        while True:
            if not self.running.is_set() and recording:
                self.record_stop()
                recording = False
            paused = not self.running.is_set()
            if not gate.proceed():
                break
            if paused:
                next_toggle = time.monotonic()
            if time.monotonic() >= next_toggle:
                if recording:
                    self.record_stop()
                else:
                    self.record_start()
                recording = not recording
                next_toggle += period
            time.sleep(0.1)
        if recording:
            self.record_stop()

    def record_start(self) -> None:
        self.recordings += 1
        path = self.workdir / f"soak-{self.recordings}.mp4"
        try:
            reply = self.control_call("record-start", path=str(path), encoder="x264")
        except OSError as exc:
            reply = {"ok": False, "error": repr(exc)}
        if not reply.get("ok"):
            self.record_errors.append(f"record-start: {reply}")
            print(f"  recording: start refused: {reply}", flush=True)

    def record_stop(self) -> None:
        try:
            reply = self.control_call("record-stop")
        except OSError as exc:
            reply = {"ok": False, "error": repr(exc)}
        if not reply.get("ok"):
            self.record_errors.append(f"record-stop: {reply}")
            print(f"  recording: stop refused: {reply}", flush=True)
        for path in self.workdir.glob("soak-*.mp4"):
            self.recorded_bytes = getattr(self, "recorded_bytes", 0) + path.stat().st_size
            path.unlink()  # keep the disk flat

    def control_call(self, cmd: str, **args: Any) -> dict[str, Any]:
        # Its own connection: the monitor's persistent one is used from another thread.
        control = Control(self.comp.info["control_socket"])
        try:
            return control.call(cmd, **args)
        finally:
            control.close()

    # -- phases -----------------------------------------------------------------------------

    def pause(self) -> dict[str, Any]:
        """Stop the load and wait until no Wayland client is connected; the full stats."""
        self.running.clear()
        for gate in self.gates:
            if not gate.wait_idle(60):
                print("  a load thread did not pause within 60 s", flush=True)
        deadline = time.monotonic() + 30
        while True:
            self.check_crash()
            stats = self.stats()
            if (stats["clients"] == 0 and stats["recordings"] == 0) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        time.sleep(1.0)  # idle callbacks, deferred frees
        full = self.stats(objects=True)
        # RSS moves by several MiB within seconds when the allocator gives memory back (a
        # recording's worker thread ending, say): the median of 7 samples over 3 s.
        samples = []
        for _ in range(7):
            samples.append(proc_rss_kib(self.comp.pid))
            time.sleep(0.5)
        return {
            "at_s": round(time.monotonic() - self.t0, 1),
            "connections": self.connections,
            "rss_kib": sorted(samples)[len(samples) // 2],
            "rss_samples_kib": samples,
            "memory": smaps_rollup(self.comp.pid),
            "fds": proc_fds(self.comp.pid),
            "live": live_counts(full),
            "gc_objects": full.get("gc_objects"),
            "py_objects": full.get("py_objects", {}),
            "generation": self.generation,
        }

    def minute_line(self, elapsed: float, last: tuple[float, int]) -> tuple[float, int]:
        self.check_crash()
        try:
            stats = self.stats()
        except OSError as exc:
            print(f"[{elapsed / 60:5.1f} min] stats failed: {exc!r}", flush=True)
            return last
        rate = (self.connections - last[1]) / max(elapsed - last[0], 1e-6)
        live = live_counts(stats)
        print(
            f"[{elapsed / 60:5.1f} min] connections {self.connections} ({rate:.0f}/s) "
            f"rss {stats['rss_kib'] / 1024:.1f} MiB fds {stats['fds']} | "
            + " ".join(f"{k}={v}" for k, v in live.items())
            + f" | failures {sum(self.failures.values())} crashes {len(self.crashes)}"
            + f" load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        self.samples.append(
            {"t": round(elapsed, 1), "connections": self.connections, **live}
            | {"rss_kib": stats["rss_kib"], "fds": stats["fds"]}
        )
        return elapsed, self.connections

    def run(self) -> dict[str, Any]:
        ns = self.ns
        self.samples: list[dict[str, Any]] = []
        threads = [
            threading.Thread(target=self.worker, args=(i, self.gate()), daemon=True)
            for i in range(ns.workers)
        ]
        if ns.real_interval > 0:
            threads.append(threading.Thread(target=self.real_clients, args=(self.gate(),)))
        if ns.record_every > 0:
            threads.append(threading.Thread(target=self.recorder, args=(self.gate(),)))
        self.t0 = time.monotonic()
        start_stats = self.stats(objects=True)
        start = {
            "rss_kib": proc_rss_kib(self.comp.pid),
            "fds": proc_fds(self.comp.pid),
            "live": live_counts(start_stats),
        }
        print(
            f"start (before any client): rss {start['rss_kib'] / 1024:.1f} MiB, fds "
            f"{start['fds']}, live {start['live']}",
            flush=True,
        )
        self.running.set()
        for t in threads:
            t.start()
        total = ns.minutes * 60
        last = (0.0, 0)
        next_minute = ns.sample_every
        baseline = None
        while True:
            elapsed = time.monotonic() - self.t0
            if baseline is None and elapsed >= ns.warmup:
                print(f"[{elapsed / 60:5.1f} min] warm-up over: pausing the load for the baseline")
                baseline = self.pause()
                print(
                    f"baseline at {baseline['at_s']} s after {baseline['connections']} "
                    f"connections: rss {baseline['rss_kib'] / 1024:.2f} MiB, fds "
                    f"{baseline['fds']}, live {baseline['live']}",
                    flush=True,
                )
                self.running.set()
            if elapsed >= total:
                break
            if elapsed >= next_minute:
                last = self.minute_line(elapsed, last)
                next_minute += ns.sample_every
            time.sleep(0.5)
        end = self.pause()
        self.stopping.set()
        self.running.set()  # let paused threads see `stopping`
        for t in threads:
            t.join(15)
        return {"start": start, "baseline": baseline, "end": end}


def smaps_rollup(pid: int) -> dict[str, int]:
    """Rss split by kind (anonymous, files, shared memory: client buffers), KiB."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            key, value = line.split(":", 1)
            if key in ("Rss", "Anonymous", "Pss_Anon", "Pss_File", "Pss_Shmem"):
                out[key] = int(value.split()[0])
    except (OSError, ValueError):
        pass
    return out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=32.0, help="total duration (with warm-up)")
    p.add_argument("--rate", type=float, default=60.0, help="raw connections per second")
    p.add_argument("--workers", type=int, default=5, help="raw-client threads")
    p.add_argument(
        "--real-interval", type=float, default=3.0, help="seconds between real clients (0: none)"
    )
    p.add_argument(
        "--record-every", type=float, default=30.0, help="recording toggle period (0: none)"
    )
    p.add_argument("--only", default="", help="only these raw scenarios (comma-separated)")
    p.add_argument(
        "--sample-every", type=float, default=60.0, help="seconds between progress lines"
    )
    p.add_argument("--warmup", type=float, default=None, help="seconds (default 60; quick 20)")
    p.add_argument("--size", default="800x600", help="output size")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument(
        "--include-crashers",
        action="store_true",
        help="also send the fuzz cases known to crash it: "
        + (", ".join(sorted(KNOWN_CRASHERS)) or "none at present"),
    )
    p.add_argument("--quick", action="store_true", help="a 1-minute smoke run")
    p.add_argument("--output", type=Path, default=None, help="JSON file (default bench/results)")
    ns = p.parse_args(argv)
    if ns.quick:
        ns.minutes = 1.0
        ns.record_every = min(ns.record_every, 10.0)
        ns.sample_every = min(ns.sample_every, 15.0)
        ns.warmup = 20.0 if ns.warmup is None else ns.warmup
    if ns.warmup is None:
        ns.warmup = max(60.0, 2 * ns.record_every)
    ns.width, ns.height = (int(v) for v in ns.size.lower().split("x"))
    if ns.seed is None:
        ns.seed = int(time.time())
    return ns


def source_state() -> dict[str, Any]:
    """Which code ran: the commit of the checkout (or $BENCH_SOURCE_COMMIT for a copy)."""
    state: dict[str, Any] = {"root": str(ROOT), "commit": os.environ.get("BENCH_SOURCE_COMMIT")}
    try:
        state["commit"] = (
            state["commit"]
            or subprocess.run(
                ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
            ).stdout.strip()
        )
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "compositor"],
            capture_output=True,
            text=True,
        ).stdout
        state["compositor_dirty"] = bool(dirty.strip())
    except OSError:
        pass
    return state


def main(argv: list[str] | None = None) -> int:
    ns = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    started = datetime.now(UTC)
    print(
        f"soak: {ns.minutes:g} min, {ns.rate:g} raw connections/s over {ns.workers} workers, a "
        f"real client every {ns.real_interval:g} s, recording toggled every "
        f"{ns.record_every:g} s, warm-up {ns.warmup:g} s, seed {ns.seed}; workdir {workdir}",
        flush=True,
    )
    soak = Soak(ns, workdir)
    try:
        phases = soak.run()
    finally:
        soak.stopping.set()
        soak.running.set()
        soak.control.close()
        exit_code = soak.comp.stop()
    report(ns, soak, phases, exit_code, started, workdir)
    return 0


def report(ns, soak: Soak, phases, exit_code, started, workdir) -> None:
    baseline, end, start = phases["baseline"], phases["end"], phases["start"]
    minutes = (end["at_s"]) / 60
    same = baseline["generation"] == end["generation"]
    growth = end["rss_kib"] - baseline["rss_kib"]
    live_diff = {
        k: (baseline["live"][k], end["live"][k])
        for k in baseline["live"]
        if baseline["live"][k] != end["live"][k]
    }
    objects_diff = diff_objects(baseline["py_objects"], end["py_objects"]) if same else {}
    failures = sum(soak.failures.values())
    print("\n== connections")
    print(f"total {soak.connections} in {minutes:.1f} min ({soak.connections / end['at_s']:.0f}/s)")
    for name, n in soak.by_scenario.most_common():
        print(f"  {name:16} {n}")
    for name, n in sorted(soak.real.items()):
        print(f"  real {name:28} {n}")
    print(
        f"malformed requests: {sum(soak.malformed.values())} over {len(soak.malformed)} fuzz "
        f"cases; answers differing from the XML: {sum(soak.malformed_mismatch.values())} "
        f"(see bench_fuzz.py for which: wlroots 0.15.1 deviations)"
    )
    print(f"scenario failures: {failures} {dict(soak.failures) or ''}")
    for name, why in soak.failure_examples.items():
        print(f"  e.g. {name}: {why}")
    print(
        f"recordings: {soak.recordings} started, {len(soak.record_errors)} errors, "
        f"{getattr(soak, 'recorded_bytes', 0) / 1e6:.1f} MB written (deleted after each)"
    )
    print("\n== compositor")
    recording = " (a whole recording: PyAV imported, encoder set up)" if ns.record_every else ""
    print(
        f"warm-up: the first {ns.warmup:g} s{recording}; baseline and end taken with the load "
        "paused and no client connected"
    )
    print(
        f"rss: start {start['rss_kib'] / 1024:.2f} MiB, baseline {baseline['rss_kib'] / 1024:.2f}"
        f" MiB, end {end['rss_kib'] / 1024:.2f} MiB; growth end - baseline {growth / 1024:+.2f} "
        f"MiB over {(end['at_s'] - baseline['at_s']) / 60:.1f} min and "
        f"{end['connections'] - baseline['connections']} connections"
    )
    print(
        f"rss samples (KiB, 0.5 s apart): baseline {baseline['rss_samples_kib']}, end "
        f"{end['rss_samples_kib']}; smaps_rollup baseline {baseline['memory']}, end "
        f"{end['memory']}"
    )
    print(f"fds: start {start['fds']}, baseline {baseline['fds']}, end {end['fds']}")
    print(f"live baseline: {baseline['live']}\nlive end:      {end['live']}")
    print(f"live counts back to baseline: {'yes' if not live_diff else 'no: ' + str(live_diff)}")
    if same:
        print(
            f"Python objects by type (gc'd; {baseline['gc_objects']} -> {end['gc_objects']} "
            f"tracked objects): {'identical' if not objects_diff else 'differ:'}"
        )
        for name, (a, b) in objects_diff.items():
            print(f"  {name}: {a} -> {b} ({b - a:+d})")
    else:
        print("Python objects: not compared (the compositor was restarted after a crash)")
    print(f"crashes: {len(soak.crashes)}; compositor exit status at the end: {exit_code}")
    for crash in soak.crashes:
        print(f"  at {crash['at_s']} s: {crash['returncode']} ({crash['signal']}) {crash['log']}")
    verdicts = [
        f"RSS growth {growth / 1024:+.2f} MiB ({'<' if growth < 5 * 1024 else '>='} 5 MiB)",
        f"fds {baseline['fds']}->{end['fds']}",
        "live counts " + ("at baseline" if not live_diff else "NOT at baseline"),
        "objects " + ("identical" if same and not objects_diff else "differ"),
        f"{len(soak.crashes)} crashes",
    ]
    print(f"\nsummary: {soak.connections} connections in {minutes:.1f} min; " + "; ".join(verdicts))
    result = {
        "started": started.isoformat(),
        "argv": sys.argv,
        "options": {k: v for k, v in vars(ns).items() if k != "output"},
        "source": source_state(),
        "workdir": str(workdir),
        "connections": soak.connections,
        "by_scenario": dict(soak.by_scenario),
        "real_clients": dict(soak.real),
        "malformed": dict(soak.malformed),
        "malformed_mismatch": dict(soak.malformed_mismatch),
        "failures": dict(soak.failures),
        "failure_examples": soak.failure_examples,
        "recordings": soak.recordings,
        "record_errors": soak.record_errors,
        "crashes": soak.crashes,
        "exit_code": exit_code,
        "start": start,
        "baseline": baseline,
        "end": end,
        "rss_growth_kib": growth,
        "live_diff": live_diff,
        "objects_diff": {k: list(v) for k, v in objects_diff.items()},
        "samples": soak.samples,
        "loadavg_end": loadavg(),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = ns.output or RESULTS_DIR / f"soak-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"wrote {out}")


if __name__ == "__main__":
    sys.exit(main())
