"""Frames per second delivered to N weston-simple-shm clients: ours vs weston vs sway.

    python bench/bench_clients.py [--clients 1,4,16] [--seconds 8] [--warmup 2]
                                  [--compositors ours,weston,sway] [--size 1920x1080]

Each compositor runs headless at --size with its CPU (pixman) renderer. Per compositor and
N: start it, start N weston-simple-shm clients (250x250 windows; they overlap), let them run
--warmup seconds, then count for --seconds the wl_surface.commit requests each client makes
(bench/frame_counter.c, an LD_PRELOAD shim; simple-shm commits once per frame callback, so
commits/s = frames the compositor delivered to it) and the compositor's CPU time
(/proc/PID/stat), then stop everything. Prints a table and the ratios ours/weston and
ours/sway, and writes the figures to bench/results/clients-*.json. A benchmark, not a test:
nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    RESULTS_DIR,
    STARTERS,
    Compositor,
    CompositorFailed,
    CompositorUnavailable,
    loadavg,
    ours_outputs,
    process_cpu_seconds,
    start_weston,
    wait_for,
    wl_output_modes,
)
from frame_counter import build_frame_counter, read_counter  # noqa: E402

CLIENT = "weston-simple-shm"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", default="1,4,16", help="client counts, comma-separated")
    p.add_argument("--seconds", type=float, default=8.0, help="measured seconds per run")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    p.add_argument("--compositors", default="ours,weston,sway", help="ours,weston,sway")
    p.add_argument("--size", default="1920x1080", help="output size WIDTHxHEIGHT")
    p.add_argument(
        "--weston-repaint-window",
        type=int,
        default=None,
        metavar="MS",
        help="run weston with [core] repaint-window=MS (default: weston's own, 7 ms)",
    )
    p.add_argument("--output", type=Path, default=None, help="JSON file (default bench/results)")
    ns = p.parse_args(argv)
    try:
        ns.clients = [int(n) for n in ns.clients.split(",") if n.strip()]
        ns.width, ns.height = (int(v) for v in ns.size.lower().split("x"))
    except ValueError:
        p.error("--clients takes numbers like 1,4,16 and --size one like 1920x1080")
    ns.compositors = [c.strip() for c in ns.compositors.split(",") if c.strip()]
    unknown = [c for c in ns.compositors if c not in STARTERS]
    if unknown or not ns.compositors or not ns.clients or min(ns.clients) < 1:
        p.error(f"--compositors is a list of {','.join(STARTERS)}; --clients counts are >= 1")
    return ns


def start_clients(
    comp: Compositor, n: int, shim: Path, workdir: Path
) -> tuple[list[subprocess.Popen], list[Path]]:
    clients, counters = [], []
    for i in range(n):
        counter = workdir / f"{comp.name}-{n}-client{i}.counter"
        env = comp.client_env(
            LD_PRELOAD=str(shim),
            FRAME_COUNTER_FILE=str(counter),
            # simple-shm has 2 buffers; see frame_counter.c for why this is needed on sway.
            FRAME_COUNTER_COMMIT_AFTER_ACK="1",
        )
        log = open(workdir / f"{comp.name}-{n}-client{i}.log", "wb")
        clients.append(subprocess.Popen([CLIENT], env=env, stdout=log, stderr=subprocess.STDOUT))
        log.close()
        counters.append(counter)
    return clients, counters


def stop_clients(clients: list[subprocess.Popen]) -> None:
    for proc in clients:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # simple-shm exits cleanly on SIGINT
    for proc in clients:
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def sample(comp: Compositor, clients: list[subprocess.Popen], counters: list[Path]) -> dict:
    """One snapshot: time, every client's commit count, compositor and client CPU."""
    snap: dict[str, Any] = {"t": time.monotonic()}
    read = [read_counter(p) for p in counters]
    snap["commits"] = [c.commits if c else 0 for c in read]
    snap["extra_commits"] = sum(c.extra_commits for c in read if c)
    snap["cpu"] = comp.cpu_seconds()
    snap["helper_cpu"] = comp.helper_cpu_seconds()
    snap["client_cpu"] = sum(process_cpu_seconds(p.pid) for p in clients)
    if comp.name == "ours":
        outputs = ours_outputs(comp) or [{}]
        snap["output_frames"] = outputs[0].get("frames_committed", 0)
    return snap


def run_one(name: str, n: int, ns: argparse.Namespace, shim: Path, workdir: Path) -> dict:
    """Start ``name``, run ``n`` clients, measure; the result dict of one table row."""
    socket_name = f"bench-{name}-{n}-{os.getpid()}"
    load_before = loadavg()
    if name == "weston" and ns.weston_repaint_window is not None:
        comp = start_weston(
            workdir, socket_name, ns.width, ns.height, repaint_window_ms=ns.weston_repaint_window
        )
    else:
        comp = STARTERS[name](workdir, socket_name, ns.width, ns.height)
    clients: list[subprocess.Popen] = []
    try:
        modes = wl_output_modes(comp)
        clients, counters = start_clients(comp, n, shim, workdir)

        def all_drawing() -> bool:
            dead = [i for i, p in enumerate(clients) if p.poll() is not None]
            if dead:
                raise RuntimeError(f"{name}: client(s) {dead} exited during start")
            return all((c := read_counter(p)) and c.commits > 1 for p in counters)

        wait_for(all_drawing, 30, f"{n} clients drawing on {name}")
        time.sleep(ns.warmup)
        before = sample(comp, clients, counters)
        time.sleep(ns.seconds)
        after = sample(comp, clients, counters)
        died = [i for i, p in enumerate(clients) if p.poll() is not None]
        alive = comp.alive()
    finally:
        stop_clients(clients)
        comp.stop()
    elapsed = after["t"] - before["t"]
    per_client = [
        (a - b) / elapsed for a, b in zip(after["commits"], before["commits"], strict=True)
    ]
    total = sum(per_client)
    cpu = after["cpu"] - before["cpu"]
    row = {
        "compositor": name,
        "clients": n,
        "seconds": round(elapsed, 3),
        "output_modes": modes,
        "fps_per_client_mean": round(total / n, 2),
        "fps_per_client_min": round(min(per_client), 2),
        "fps_per_client_max": round(max(per_client), 2),
        "fps_per_client": [round(f, 2) for f in per_client],
        "fps_total": round(total, 2),
        "compositor_cpu_percent": round(100 * cpu / elapsed, 1),
        "compositor_cpu_ms_per_frame": round(1000 * cpu / (total * elapsed), 3) if total else None,
        "helper_cpu_percent": round(
            100 * (after["helper_cpu"] - before["helper_cpu"]) / elapsed, 1
        ),
        "clients_cpu_percent": round(
            100 * (after["client_cpu"] - before["client_cpu"]) / elapsed, 1
        ),
        "clients_died": died,
        "shim_extra_commits": after["extra_commits"] - before["extra_commits"],
        "compositor_survived": alive,
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
        "info": {k: v for k, v in comp.info.items() if k != "control_socket"},
    }
    if "output_frames" in after:
        frames = after["output_frames"] - before["output_frames"]
        row["output_fps"] = round(frames / elapsed, 2)
        # Shim check: with one client every output frame is one delivered client frame.
        row["shim_check"] = {
            "client_commits": after["commits"][0] - before["commits"][0] if n == 1 else None,
            "output_frames_committed": frames,
        }
    return row


def ratios(rows: list[dict], clients: list[int]) -> list[dict]:
    by = {(r["compositor"], r["clients"]): r for r in rows if "error" not in r}
    out = []
    for n in clients:
        ours = by.get(("ours", n))
        entry: dict[str, Any] = {"clients": n}
        for other in ("weston", "sway"):
            them = by.get((other, n))
            if ours is None or them is None:
                continue
            if them["fps_total"]:
                entry[f"fps_ours_over_{other}"] = round(ours["fps_total"] / them["fps_total"], 3)
            if ours["compositor_cpu_ms_per_frame"] and them["compositor_cpu_ms_per_frame"]:
                entry[f"cpu_per_frame_ours_over_{other}"] = round(
                    ours["compositor_cpu_ms_per_frame"] / them["compositor_cpu_ms_per_frame"], 3
                )
        out.append(entry)
    return out


def print_table(rows: list[dict], ratio_rows: list[dict]) -> None:
    head = f"{'compositor':<10} {'N':>3} {'fps/client':>10} {'min':>6} {'total fps':>9} "
    head += f"{'CPU %':>6} {'CPU ms/frame':>12} {'client CPU %':>12}"
    print(head)
    print("-" * len(head))
    for r in rows:
        if "error" in r:
            print(f"{r['compositor']:<10} {r['clients']:>3}  {r['error']}")
            continue
        per_frame = r["compositor_cpu_ms_per_frame"]
        print(
            f"{r['compositor']:<10} {r['clients']:>3} {r['fps_per_client_mean']:>10.1f} "
            f"{r['fps_per_client_min']:>6.1f} {r['fps_total']:>9.1f} "
            f"{r['compositor_cpu_percent']:>6.1f} "
            f"{(f'{per_frame:.3f}' if per_frame else '-'):>12} {r['clients_cpu_percent']:>12.1f}"
            + (f"  (clients died: {r['clients_died']})" if r["clients_died"] else "")
        )
    print()
    print("ratios (total fps: >1 = ours delivers more; CPU/frame: <1 = ours cheaper)")
    print(f"{'N':>3} {'fps ours/weston':>15} {'fps ours/sway':>13} {'cpu/fr o/w':>10} {'o/s':>6}")
    for e in ratio_rows:
        cells = [
            e.get(k)
            for k in (
                "fps_ours_over_weston",
                "fps_ours_over_sway",
                "cpu_per_frame_ours_over_weston",
                "cpu_per_frame_ours_over_sway",
            )
        ]
        text = [f"{c:.2f}" if c is not None else "-" for c in cells]
        print(f"{e['clients']:>3} {text[0]:>15} {text[1]:>13} {text[2]:>10} {text[3]:>6}")


def versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "kernel": platform.release()}
    git = ["git", "-C", str(Path(__file__).resolve().parent.parent)]
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain", "compositor"], capture_output=True)
    out["ours_git"] = head.stdout.strip() + (" + uncommitted changes" if dirty.stdout else "")
    pkgs = ["weston", "sway", "libwlroots10", "libwayland-client0", "libpixman-1-0"]
    result = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${Version}\n", *pkgs],
        capture_output=True,
        text=True,
    )
    for line in result.stdout.splitlines():
        pkg, _, version = line.partition(" ")
        out[pkg] = version
    return out


def main(argv: list[str] | None = None) -> int:
    ns = parse_args(argv)
    if shutil.which(CLIENT) is None:
        print(f"{CLIENT} is not installed (apt-get install weston)", file=sys.stderr)
        return 1
    shim = build_frame_counter()
    workdir = Path(tempfile.mkdtemp(prefix="bench-clients-"))
    started = datetime.now(UTC)
    conditions = {
        "date": started.isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "loadavg_before": loadavg(),
        "size": f"{ns.width}x{ns.height}",
        "clients": ns.clients,
        "seconds": ns.seconds,
        "warmup": ns.warmup,
        "client": CLIENT,
        "renderer": "pixman (CPU) for all compositors",
        "versions": versions(),
        "workdir": str(workdir),
    }
    print(f"# {CLIENT} at {ns.width}x{ns.height}, {ns.seconds:g}s measured after {ns.warmup:g}s")
    print(f"# {os.cpu_count()} CPUs, loadavg {conditions['loadavg_before']}, logs in {workdir}")
    rows: list[dict] = []
    skipped: dict[str, str] = {}
    # N-major order: the runs compared in one ratio are close in time (the load drifts).
    for n in ns.clients:
        for name in ns.compositors:
            if name in skipped:
                continue
            print(f"# {name}, {n} client(s)...", flush=True)
            try:
                rows.append(run_one(name, n, ns, shim, workdir))
            except CompositorUnavailable as exc:
                print(f"# SKIPPED {name}: {exc}", flush=True)
                skipped[name] = str(exc)
            except (CompositorFailed, RuntimeError, TimeoutError, OSError) as exc:
                print(f"# FAILED {name} with {n} client(s): {exc}", flush=True)
                rows.append({"compositor": name, "clients": n, "error": str(exc)})
    conditions["loadavg_after"] = loadavg()
    ratio_rows = ratios(rows, ns.clients)
    print()
    print_table(rows, ratio_rows)
    check = next(
        (r["shim_check"] for r in rows if r.get("shim_check", {}).get("client_commits")), None
    )
    if check:
        print(
            f"\nshim check (ours, 1 client): {check['client_commits']} client commits counted by "
            f"the shim, {check['output_frames_committed']} frames committed by the output"
        )
    for name, why in skipped.items():
        print(f"skipped {name}: {why}")
    print(f"loadavg before {conditions['loadavg_before']}, after {conditions['loadavg_after']}")
    result = {"conditions": conditions, "skipped": skipped, "rows": rows, "ratios": ratio_rows}
    path = ns.output or RESULTS_DIR / f"clients-{started.strftime('%Y%m%d-%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
