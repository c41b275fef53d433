"""What clients churning buffers and objects, or running into their limits, cost a
well-behaved client: its frame rate next to each, and the compositor's CPU, RSS and fds.

    python bench/bench_limits.py [--seconds 10] [--nice 10] [--hostile NAME,...]

One compositor (headless, pixman, default limits), weston-simple-shm animating (its commits
counted by bench/frame_counter.c: commits/s = frame callbacks/s), and in turn each hostile
process (raw protocol, bench/wire.py), with a phase without one before and after each:

- ``churn_shm``: a new 256x256 wl_shm pool and buffer per commit (memfd, attach, commit),
  the previous buffer and pool destroyed: buffers counted in and out at full speed, never
  near a limit.
- ``churn_objects``: 1000 regions, surfaces and frame callbacks made and destroyed per
  roundtrip: the per-object accounting (resource-created signal, destroy listener) at full
  speed.
- ``hit_limits``: connection after connection, each making regions until the compositor
  refuses the one past --max-client-regions (4096 by default) and disconnects it.
- ``park_fds``: connection after connection, each sending fds no request takes until
  --max-client-fds (512) disconnects it.

Printed per phase: simple-shm's fps, the reference (mean of the phases without a hostile
client just before and after), their ratio, compositor CPU, what the hostile process did
(connections, objects, refusals), and RSS / fds after it left. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import mmap
import os
import struct
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_hostile import Animated  # noqa: E402
from common import RESULTS_DIR, loadavg  # noqa: E402
from wire import (  # noqa: E402
    XRGB8888,
    Control,
    Disconnected,
    ProtocolError,
    Wire,
    proc_fds,
    proc_rss_kib,
    start_compositor,
)

HOSTILE = ("churn_shm", "churn_objects", "hit_limits", "park_fds")
SHELL = {"wl_compositor": 4, "wl_shm": 1, "xdg_wm_base": 2}


# -- the hostile clients (their own process: --role NAME) ----------------------------------


def role_churn_shm(path: str, deadline: float, stats: dict[str, Any]) -> None:
    c = Wire(path, timeout=10.0)
    ids = c.bind_globals(SHELL)
    surface, _xdg, _top = c.toplevel(ids["wl_compositor"], ids["xdg_wm_base"], "hostile.churn")
    stats["connections"] += 1
    width = height = 256
    size = width * height * 4
    previous: tuple[int, int] | None = None
    while time.monotonic() < deadline:
        for _ in range(20):
            fd = os.memfd_create("churn", os.MFD_CLOEXEC)
            os.ftruncate(fd, size)
            with mmap.mmap(fd, size) as data:
                data[:4] = b"\x22\xcc\x22\xff"
            pool = c.send(ids["wl_shm"], "create_pool", fd, size)
            c.close_after_flush.append(fd)
            buffer = c.send(pool, "create_buffer", 0, width, height, width * 4, XRGB8888)
            c.show(surface, buffer, width, height)
            if previous is not None:
                c.send(previous[1], "destroy")
                c.send(previous[0], "destroy")
            previous = (pool, buffer)
            stats["buffers"] += 1
        c.roundtrip()
    c.close()


def role_churn_objects(path: str, deadline: float, stats: dict[str, Any]) -> None:
    c = Wire(path, timeout=10.0)
    ids = c.bind_globals(SHELL)
    stats["connections"] += 1
    compositor = ids["wl_compositor"]
    while time.monotonic() < deadline:
        made = []
        for _ in range(333):
            surface = c.send(compositor, "create_surface")
            made += [c.send(compositor, "create_region"), c.send(surface, "frame"), surface]
        for oid in made:
            if c.objects[oid] != "wl_callback":  # a callback has no destroy request
                c.send(oid, "destroy")
        c.roundtrip()
        stats["objects"] += len(made)
    c.close()


def role_hit_limits(path: str, deadline: float, stats: dict[str, Any]) -> None:
    while time.monotonic() < deadline:
        c = Wire(path, timeout=10.0)
        stats["connections"] += 1
        try:
            compositor = c.bind_globals(SHELL)["wl_compositor"]
            while True:
                for _ in range(512):
                    c.send(compositor, "create_region")
                stats["objects"] += 512
                c.roundtrip()
        except (ProtocolError, Disconnected) as exc:
            error = exc.error if isinstance(exc, ProtocolError) else c.error
            if error is not None and "--max-client" in error.message:
                stats["refused"] += 1
        finally:
            c.close()


def role_park_fds(path: str, deadline: float, stats: dict[str, Any]) -> None:
    fds = [os.memfd_create("park", os.MFD_CLOEXEC) for _ in range(28)]
    while time.monotonic() < deadline:
        c = Wire(path, timeout=10.0)
        stats["connections"] += 1
        try:
            c.bind_globals(SHELL)
            while True:
                c.send_raw(1, 0, struct.pack("<I", c.new_id("wl_callback")), fds)
                c.flush()
                stats["fds"] += len(fds)
                c.roundtrip()
        except (ProtocolError, Disconnected) as exc:
            error = exc.error if isinstance(exc, ProtocolError) else c.error
            if error is not None and "--max-client-fds" in error.message:
                stats["refused"] += 1
        finally:
            c.close()


ROLES = {
    "churn_shm": role_churn_shm,
    "churn_objects": role_churn_objects,
    "hit_limits": role_hit_limits,
    "park_fds": role_park_fds,
}


def run_role(ns: argparse.Namespace) -> int:
    stats: dict[str, Any] = dict.fromkeys(
        ("connections", "buffers", "objects", "fds", "refused"), 0
    )
    deadline = time.monotonic() + ns.seconds
    t0 = time.monotonic()
    try:
        ROLES[ns.role](ns.path, deadline, stats)
    except (OSError, ProtocolError, Disconnected, TimeoutError) as exc:
        stats["ended_by"] = repr(exc)
    stats["seconds"] = round(time.monotonic() - t0, 2)
    stats["cpu_s"] = round(time.process_time(), 2)
    Path(ns.out).write_text(json.dumps(stats))
    return 0


# -- the measurement ----------------------------------------------------------------------


def phase(ns: argparse.Namespace, comp: Any, control: Control, animated: Animated,
          workdir: Path, name: str) -> dict[str, Any]:  # fmt: skip
    proc = None
    out = workdir / f"limits-{name}-{time.monotonic_ns()}.json"
    if name != "none":
        argv = [sys.executable, __file__, "--role", name, "--path",
                str(comp.runtime_dir / comp.socket), "--seconds", str(ns.seconds + ns.settle),
                "--out", str(out)]  # fmt: skip
        nice = ns.nice
        proc = subprocess.Popen(argv, preexec_fn=(lambda: os.nice(nice)) if nice else None)
    time.sleep(ns.settle)
    c0, cpu0, t0 = animated.commits(), comp.cpu_seconds(), time.monotonic()
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
    deadline = time.monotonic() + 10
    while control.call("stats", objects=0)["clients"] > 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    totals = control.call("limits")["objects"]["all_clients"]
    elapsed = t1 - t0
    row = {
        "phase": name,
        "seconds": round(elapsed, 2),
        "fps": round((c1 - c0) / elapsed, 2),
        "compositor_cpu_percent": round(100 * (cpu1 - cpu0) / elapsed, 1),
        "hostile": hostile,
        "after": {"rss_kib": proc_rss_kib(comp.pid), "fds": proc_fds(comp.pid),
                  "objects": totals["objects"], "clients": totals["clients"]},
        "loadavg": loadavg(),
    }  # fmt: skip
    did = ", ".join(
        f"{v} {k}"
        for k, v in hostile.items()
        if k in ("connections", "buffers", "objects", "fds", "refused") and v
    )
    print(f"  {name:14} {row['fps']:6.2f} fps; compositor {row['compositor_cpu_percent']:5.1f}%"
          f" CPU; hostile: {did or '-'}; after: rss {row['after']['rss_kib'] / 1024:.1f} MiB "
          f"fds {row['after']['fds']} objects {totals['objects']}", flush=True)  # fmt: skip
    return row


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=10.0, help="measured seconds per phase")
    p.add_argument("--settle", type=float, default=1.0)
    p.add_argument("--nice", type=int, default=10, help="niceness of the hostile process")
    p.add_argument("--hostile", default=",".join(HOSTILE))
    p.add_argument("--size", default="1280x720")
    p.add_argument("--output", type=Path)
    p.add_argument("--role", choices=HOSTILE, help=argparse.SUPPRESS)
    p.add_argument("--path", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    ns = p.parse_args(argv)
    if ns.role:
        return run_role(ns)
    hostile = [h for h in ns.hostile.split(",") if h]
    width, height = (int(v) for v in ns.size.lower().split("x"))
    workdir = Path(tempfile.mkdtemp(prefix="bench-limits-"))
    started = datetime.now(UTC)
    print(f"limits: {ns.seconds:g} s phases at {width}x{height}, hostile at nice {ns.nice}; "
          f"workdir {workdir}", flush=True)  # fmt: skip
    comp = start_compositor(workdir, f"limits-{os.getpid()}", width, height, [])
    control = Control(comp.info["control_socket"])
    animated = None
    rows: list[dict[str, Any]] = []
    try:
        animated = Animated(comp, workdir)
        time.sleep(1.0)
        for name in [p for h in hostile for p in ("none", h)] + ["none"]:
            rows.append(phase(ns, comp, control, animated, workdir, name))
            if not comp.alive():
                print("the compositor died", flush=True)
                break
        refused = control.call("limits")["objects"]["all_clients"]["refused"]
    finally:
        if animated is not None:
            animated.stop()
        control.close()
        exit_code = comp.stop()
    print("\n== weston-simple-shm's frame rate (frame callbacks/s) next to each hostile client")
    print(f"{'hostile':14} {'fps':>7} {'reference':>10} {'ratio':>6}  comp CPU")
    summary = []
    for i, r in enumerate(rows):
        if r["phase"] == "none":
            continue
        near = [m["fps"] for m in rows[max(0, i - 1) : i + 2] if m["phase"] == "none"]
        ref = sum(near) / len(near) if near else float("nan")
        r["reference_fps"], r["ratio"] = round(ref, 2), round(r["fps"] / ref, 3) if ref else None
        summary.append(f"{r['phase']} {r['ratio']}")
        print(f"{r['phase']:14} {r['fps']:7.2f} {ref:10.2f} {r['ratio']:6.2f}  "
              f"{r['compositor_cpu_percent']:5.1f}%")  # fmt: skip
    print(f"clients refused by a limit: {refused}; compositor exit status: {exit_code}")
    print("summary: fps ratio with/without: " + ", ".join(summary))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = ns.output or RESULTS_DIR / f"limits-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps({"started": started.isoformat(), "argv": sys.argv,
                               "rows": rows, "refused": refused, "exit_code": exit_code},
                              indent=2, default=str))  # fmt: skip
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
