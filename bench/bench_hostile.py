"""Hostile clients cost the others nothing: frame rate of a well-behaved client next to each.

    python bench/bench_hostile.py [--seconds 10] [--nice 0,10] [--garbage-mib 100]

One compositor (headless, pixman, --size), one well-behaved animated client
(weston-simple-shm: it draws and commits once per frame callback; its commits are counted by
bench/frame_counter.c, so commits/s = frame callbacks/s), and in turn each hostile client,
a separate process speaking the raw protocol (bench/wire.py):

- ``flood``: requests without ever reading an event (wl_display.sync, which the compositor
  answers, and wl_surface.damage); libwayland drops it once its event buffer is full, and it
  reconnects at once.
- ``hoard``: never releases a buffer: every commit attaches a new wl_buffer and none is ever
  destroyed (thousands of live wl_buffers and shm pools).
- ``commit_storm``: commits as fast as it can, no frame callbacks (reads its events).
- ``garbage``: random bytes, connection after connection (each is dropped at its first bad
  header), at least ``--garbage-mib`` MiB and for at least --seconds (the phase lasts until
  both are done).

Each phase measures simple-shm's frame rate over --seconds; "none" phases before and after
give the reference. Printed: fps with the hostile client, fps without, the ratio, compositor
CPU, what the hostile client managed to send, compositor RSS/fds after it left. Each
niceness in --nice runs the whole series (hostile processes at that niceness: 0 measures
the machine, 10 keeps the hostile process's own CPU use from starving the others on these 2
shared cores, which is not the compositor's doing). Figures, not assertions.
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
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS_DIR, loadavg, wait_for  # noqa: E402
from frame_counter import build_frame_counter, read_counter  # noqa: E402
from wire import (  # noqa: E402
    Control,
    Disconnected,
    ProtocolError,
    Wire,
    live_counts,
    message,
    proc_fds,
    proc_rss_kib,
    start_compositor,
)

HOSTILE = ("flood", "hoard", "commit_storm", "garbage")
SHELL = {"wl_compositor": 4, "wl_shm": 1, "xdg_wm_base": 2}


# -- the hostile clients (run in their own process: --role NAME) ----------------------------


def small_window(c: Wire, app_id: str) -> tuple[dict[str, int], int]:
    ids = c.bind_globals(SHELL)
    surface, xdg, top = c.toplevel(ids["wl_compositor"], ids["xdg_wm_base"], app_id)
    (buffer,) = c.shm_buffer(ids["wl_shm"], 64, 64, 0xCC2222)
    c.show(surface, buffer, 64, 64)
    c.roundtrip()
    return ids, surface


def role_flood(path: str, deadline: float, stats: dict[str, Any]) -> None:
    while time.monotonic() < deadline:
        try:
            c = Wire(path, timeout=2.0)
            ids, surface = small_window(c, "hostile.flood")
        except (OSError, ProtocolError, Disconnected, TimeoutError):
            stats["connect_failures"] += 1
            time.sleep(0.01)
            continue
        stats["connections"] += 1
        try:
            while time.monotonic() < deadline:
                for _ in range(200):
                    c.sync()
                    c.send(surface, "damage", 0, 0, 64, 64)
                stats["requests"] += 400
                c.flush()  # blocks when the compositor stops reading; never reads events
        except (Disconnected, OSError, TimeoutError):
            stats["dropped"] += 1
        finally:
            c.close()


def role_hoard(path: str, deadline: float, stats: dict[str, Any]) -> None:
    c = Wire(path, timeout=5.0)
    ids, surface = small_window(c, "hostile.hoard")
    stats["connections"] += 1
    per_pool = 64
    while time.monotonic() < deadline:
        buffers = c.shm_buffer(ids["wl_shm"], 64, 64, 0x22CC22, count=per_pool)
        for buffer in buffers:  # a new buffer every commit, none ever destroyed
            c.send(surface, "attach", buffer, 0, 0)
            c.send(surface, "damage", 0, 0, 64, 64)
            c.send(surface, "commit")
            stats["commits"] += 1
        stats["buffers"] += per_pool
        stats["pools"] += 1
        c.flush()
        c.dispatch(0)  # read (and ignore) the releases, or libwayland would drop us
    c.roundtrip()
    c.close()


def role_commit_storm(path: str, deadline: float, stats: dict[str, Any]) -> None:
    c = Wire(path, timeout=5.0)
    ids, surface = small_window(c, "hostile.commits")
    (buffer,) = c.shm_buffer(ids["wl_shm"], 64, 64, 0x2222CC)
    stats["connections"] += 1
    while time.monotonic() < deadline:
        for _ in range(100):
            c.send(surface, "attach", buffer, 0, 0)
            c.send(surface, "damage", 0, 0, 64, 64)
            c.send(surface, "commit")
        stats["commits"] += 100
        c.flush()
        c.dispatch(0)
    c.roundtrip()
    c.close()


def role_garbage(path: str, deadline: float, stats: dict[str, Any], total: int) -> None:
    """At least ``total`` bytes of garbage, and until the deadline (the phase waits)."""
    rng = random.Random(1)
    chunk = rng.randbytes(1 << 16)

    def more() -> bool:
        return stats["bytes"] < total or time.monotonic() < deadline

    while more():
        try:
            c = Wire(path, timeout=2.0)
        except OSError:
            stats["connect_failures"] += 1
            time.sleep(0.01)
            continue
        stats["connections"] += 1
        try:
            if stats["connections"] % 2 == 0:
                # Half the connections start like a real client, then turn to garbage.
                c.send(1, "get_registry")
                c.roundtrip()
                c.queue(message(1, 0, b"\xff" * 4))  # sync with a bad new id, then noise
            while more():
                offset = rng.randrange(0, len(chunk) - 4096)
                data = chunk[offset:] + chunk[:offset]
                c.queue(data)
                c.flush()
                stats["bytes"] += len(data)
        except (Disconnected, OSError, TimeoutError, ProtocolError):
            stats["dropped"] += 1
        finally:
            c.close()


def run_role(ns: argparse.Namespace) -> int:
    stats: dict[str, Any] = {
        k: 0
        for k in ("connections", "connect_failures", "dropped", "requests", "commits", "buffers")
    }
    stats.update(pools=0, bytes=0)
    deadline = time.monotonic() + ns.seconds
    t0 = time.monotonic()
    try:
        if ns.role == "flood":
            role_flood(ns.path, deadline, stats)
        elif ns.role == "hoard":
            role_hoard(ns.path, deadline, stats)
        elif ns.role == "commit_storm":
            role_commit_storm(ns.path, deadline, stats)
        elif ns.role == "garbage":
            role_garbage(ns.path, deadline, stats, ns.garbage_mib << 20)
    except (OSError, ProtocolError, Disconnected, TimeoutError) as exc:
        stats["ended_by"] = repr(exc)
    stats["seconds"] = round(time.monotonic() - t0, 2)
    stats["cpu_s"] = round(time.process_time(), 2)
    Path(ns.out).write_text(json.dumps(stats))
    return 0


# -- the measurement ----------------------------------------------------------------------


class Animated:
    """weston-simple-shm with the commit counter."""

    def __init__(self, comp: Any, workdir: Path) -> None:
        self.counter = workdir / f"simple-shm-{time.monotonic_ns()}.counter"
        env = comp.client_env(
            LD_PRELOAD=str(build_frame_counter()), FRAME_COUNTER_FILE=str(self.counter)
        )
        log = open(workdir / "simple-shm.log", "ab")
        self.proc = subprocess.Popen(["weston-simple-shm"], env=env, stdout=log, stderr=log)
        log.close()
        wait_for(lambda: self.commits() > 10, 20, "weston-simple-shm drawing")

    def commits(self) -> int:
        c = read_counter(self.counter)
        return c.commits if c else 0

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def phase(
    ns: argparse.Namespace,
    comp: Any,
    control: Control,
    animated: Animated,
    workdir: Path,
    name: str,
    nice: int,
) -> dict[str, Any]:
    proc = None
    out = workdir / f"hostile-{name}-{nice}-{time.monotonic_ns()}.json"
    if name != "none":
        argv = [
            sys.executable,
            __file__,
            "--role",
            name,
            "--path",
            str(comp.runtime_dir / comp.socket),
        ]
        argv += ["--seconds", str(ns.seconds + ns.settle), "--out", str(out)]
        argv += ["--garbage-mib", str(ns.garbage_mib)]
        proc = subprocess.Popen(argv, preexec_fn=(lambda: os.nice(nice)) if nice else None)
    if name != "garbage":
        time.sleep(ns.settle)  # let it get going
    c0, cpu0, t0 = animated.commits(), comp.cpu_seconds(), time.monotonic()
    if name == "garbage":
        # Measured while the garbage flows, however long that takes.
        while proc.poll() is None:
            time.sleep(0.02)
    else:
        time.sleep(ns.seconds)
    c1, cpu1, t1 = animated.commits(), comp.cpu_seconds(), time.monotonic()
    hostile: dict[str, Any] = {}
    if proc is not None:
        try:
            proc.wait(ns.seconds + 60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        hostile = json.loads(out.read_text()) if out.exists() else {"error": "no stats"}
    # After it left: is everything it held given back?
    deadline = time.monotonic() + 10
    while control.call("stats", objects=0)["clients"] > 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    stats = control.call("stats", objects=0)
    elapsed = t1 - t0
    row = {
        "phase": name,
        "nice": nice,
        "seconds": round(elapsed, 2),
        "fps": round((c1 - c0) / elapsed, 2),
        "compositor_cpu_percent": round(100 * (cpu1 - cpu0) / elapsed, 1),
        # the hostile process's whole life (settle included), per measured second
        "hostile_cpu_percent": (
            round(100 * hostile.get("cpu_s", 0) / hostile["seconds"], 1)
            if hostile.get("seconds")
            else None
        ),
        "hostile": hostile,
        "after": {
            "rss_kib": proc_rss_kib(comp.pid),
            "fds": proc_fds(comp.pid),
            "live": live_counts(stats),
        },
        "compositor_alive": comp.alive(),
        "client_alive": animated.alive(),
        "loadavg": loadavg(),
    }
    print(
        f"  {name:13} nice {nice:2}: {row['fps']:6.2f} fps over {elapsed:5.1f} s; compositor "
        f"{row['compositor_cpu_percent']:5.1f}% CPU; hostile {_hostile_summary(hostile)}"
        f"{' (' + str(row['hostile_cpu_percent']) + '% CPU)' if proc else ''}; after: rss "
        f"{row['after']['rss_kib'] / 1024:.1f} MiB fds {row['after']['fds']} clients "
        f"{stats['clients']} views {stats['views']}",
        flush=True,
    )
    return row


def _hostile_summary(h: dict[str, Any]) -> str:
    if not h:
        return "-"
    parts = [f"{h['connections']} conn"]
    if h.get("requests"):
        parts.append(f"{h['requests']} requests, dropped {h['dropped']}x")
    if h.get("commits"):
        parts.append(f"{h['commits']} commits")
    if h.get("buffers"):
        parts.append(f"{h['buffers']} buffers never destroyed")
    if h.get("bytes"):
        parts.append(f"{h['bytes'] / (1 << 20):.0f} MiB garbage")
    return ", ".join(parts)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=10.0, help="measured seconds per phase")
    p.add_argument("--settle", type=float, default=1.0, help="seconds before measuring")
    p.add_argument("--nice", default="0,10", help="niceness of the hostile processes")
    p.add_argument("--hostile", default=",".join(HOSTILE), help="which, comma-separated")
    p.add_argument("--garbage-mib", type=int, default=100)
    p.add_argument("--size", default="1280x720")
    p.add_argument("--quick", action="store_true", help="3 s phases, 10 MiB garbage, nice 10")
    p.add_argument("--output", type=Path, default=None, help="JSON file (default bench/results)")
    p.add_argument("--role", choices=HOSTILE, help=argparse.SUPPRESS)
    p.add_argument("--path", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    ns = p.parse_args(argv)
    if ns.quick:
        ns.seconds, ns.garbage_mib, ns.nice = 3.0, 10, "10"
    ns.nice = [int(n) for n in str(ns.nice).split(",") if n.strip()]
    ns.hostile = [h for h in ns.hostile.split(",") if h]
    ns.width, ns.height = (int(v) for v in ns.size.lower().split("x"))
    return ns


def main(argv: list[str] | None = None) -> int:
    ns = parse_args(argv)
    if ns.role:
        return run_role(ns)
    workdir = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    started = datetime.now(UTC)
    print(
        f"hostile: {ns.seconds:g} s phases at {ns.width}x{ns.height}, hostile niceness "
        f"{ns.nice}, {ns.garbage_mib} MiB garbage; workdir {workdir}",
        flush=True,
    )
    comp = start_compositor(workdir, f"hostile-{os.getpid()}", ns.width, ns.height, [])
    control = Control(comp.info["control_socket"])
    animated = None
    rows: list[dict[str, Any]] = []
    try:
        animated = Animated(comp, workdir)
        time.sleep(1.0)
        for nice in ns.nice:
            print(f"niceness {nice}:", flush=True)
            # A reference phase before and after each hostile one: the load of this shared
            # machine drifts, so each ratio uses the two phases next to it.
            for name in [p for h in ns.hostile for p in ("none", h)] + ["none"]:
                rows.append(phase(ns, comp, control, animated, workdir, name, nice))
                if not comp.alive():
                    print("the compositor died", flush=True)
                    break
    finally:
        if animated is not None:
            animated.stop()
        control.close()
        exit_code = comp.stop()
    print("\n== frame rate of weston-simple-shm (frame callbacks/s) with each hostile client")
    print(
        f"{'hostile':13} {'nice':>4} {'fps':>7} {'no-hostile fps':>15} {'ratio':>6}  comp CPU"
        "  (no-hostile: mean of the phases just before and after)"
    )
    summary = []
    for nice in ns.nice:
        mine = [r for r in rows if r["nice"] == nice]
        refs = [r["fps"] for r in mine if r["phase"] == "none"]
        for i, r in enumerate(mine):
            if r["phase"] == "none":
                continue
            near = [m["fps"] for m in mine[max(0, i - 1) : i + 2] if m["phase"] == "none"]
            ref = sum(near) / len(near) if near else float("nan")
            ratio = r["fps"] / ref if ref else float("nan")
            r["reference_fps"], r["ratio"] = round(ref, 2), round(ratio, 3)
            summary.append(f"{r['phase']}@nice{nice} {ratio:.2f}")
            print(
                f"{r['phase']:13} {nice:4} {r['fps']:7.2f} {ref:15.2f} {ratio:6.2f}  "
                f"{r['compositor_cpu_percent']:5.1f}%"
            )
        print(f"{'(none)':13} {nice:4} {'':7} {' / '.join(f'{x:.2f}' for x in refs):>15}")
    print(f"compositor exit status: {exit_code}")
    print("\nsummary: fps ratio with/without hostile client: " + ", ".join(summary))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = ns.output or RESULTS_DIR / f"hostile-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(
        json.dumps(
            {
                "started": started.isoformat(),
                "argv": sys.argv,
                "options": {k: v for k, v in vars(ns).items() if k not in ("output",)},
                "rows": rows,
                "exit_code": exit_code,
            },
            indent=2,
            default=str,
        )
    )
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
