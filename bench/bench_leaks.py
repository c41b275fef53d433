"""The two leaks issue 9 measured, measured again: RSS per window over client generations,
and RSS per recording over repeated record-start / 1 s / record-stop.

    python bench/bench_leaks.py [--windows 3000] [--recordings 6] [--size 1280x720]

Windows: N clients one after another, each mapping one 64x64 wl_shm toplevel (a raw wire
client, bench/wire.py) and leaving; RSS is read after a warm-up of 100 windows and at the end,
and the growth is divided by N. Recordings: with weston-simple-shm animating, M recordings of
about 1 s each at --size; RSS after each. Run it from any checkout (it starts the compositor
of the checkout it lives in), e.g. an older commit's worktree for a before/after. Figures,
not assertions; results also go to bench/results/leaks-*.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS_DIR, loadavg  # noqa: E402
from wire import Control, Wire, proc_rss_kib, start_compositor  # noqa: E402


def window(socket_path: str) -> None:
    with Wire(socket_path) as wire:
        ids = wire.bind_globals({"wl_compositor": 4, "wl_shm": 1, "xdg_wm_base": 1})
        surface, _xdg, _top = wire.toplevel(ids["wl_compositor"], ids["xdg_wm_base"])
        (buffer,) = wire.shm_buffer(ids["wl_shm"], 64, 64)
        wire.show(surface, buffer, 64, 64)
        wire.roundtrip()


def windows(comp, socket_path: str, control: Control, count: int) -> dict:
    for _ in range(100):  # warm-up: first-use allocations, caches
        window(socket_path)
    wait_no_clients(control)
    before = proc_rss_kib(comp.proc.pid)
    start = time.monotonic()
    for _ in range(count):
        window(socket_path)
    wait_no_clients(control)
    after = proc_rss_kib(comp.proc.pid)
    return {
        "windows": count,
        "seconds": round(time.monotonic() - start, 1),
        "rss_before_kib": before,
        "rss_after_kib": after,
        "kib_per_window": round((after - before) / count, 3),
        "stats_after": control.call("stats"),  # {"ok": false} on older checkouts
    }


def wait_no_clients(control: Control) -> None:
    """Until the compositor has seen every client go (older checkouts have no ``stats``:
    until no window is left)."""
    deadline = time.monotonic() + 60
    while True:
        stats = control.call("stats", objects=0)
        if stats.get("ok"):
            done = stats["clients"] == 0
        else:
            done = control.call("views")["views"] == []
        if done:
            return
        if time.monotonic() > deadline:
            raise TimeoutError("clients did not go")
        time.sleep(0.05)


def recordings(comp, control: Control, count: int, workdir: Path, env: dict) -> dict:
    animated = subprocess.Popen(["weston-simple-shm"], env=env, stderr=subprocess.DEVNULL)
    rss = [proc_rss_kib(comp.proc.pid)]
    try:
        for i in range(count):
            path = workdir / f"r{i}.mp4"
            control.call("record-start", path=str(path))
            time.sleep(1.0)
            control.call("record-stop")
            path.unlink(missing_ok=True)
            rss.append(proc_rss_kib(comp.proc.pid))
    finally:
        animated.kill()
        animated.wait()
    growth = [b - a for a, b in zip(rss[1:], rss[2:], strict=False)]  # after the first
    return {
        "recordings": count,
        "rss_kib": rss,
        "mib_per_recording_after_the_first": round(sum(growth) / max(len(growth), 1) / 1024, 2),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--windows", type=int, default=3000)
    p.add_argument("--recordings", type=int, default=6)
    p.add_argument("--size", default="1280x720")
    p.add_argument("--output", type=Path)
    ns = p.parse_args(argv)
    width, height = (int(v) for v in ns.size.split("x"))
    workdir = Path(tempfile.mkdtemp(prefix="bench-leaks-"))
    socket_name = f"bench-leaks-{os.getpid()}"
    comp = start_compositor(workdir, socket_name, width, height)
    runtime = Path(comp.info["control_socket"]).parent
    socket_path = str(runtime / socket_name)
    control = Control(comp.info["control_socket"])
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "WAYLAND_DISPLAY": socket_name}
    try:
        result = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "checkout": subprocess.run(
                ["git", "-C", str(Path(__file__).parent), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
            ).stdout.strip(),
            "load_before": loadavg(),
            "windows": windows(comp, socket_path, control, ns.windows),
            "recordings": recordings(comp, control, ns.recordings, workdir, env),
            "load_after": loadavg(),
        }
    finally:
        control.close()
        comp.stop()
    w, r = result["windows"], result["recordings"]
    print(
        f"checkout {result['checkout']}: {w['windows']} windows in {w['seconds']} s: RSS "
        f"{w['rss_before_kib']} -> {w['rss_after_kib']} KiB, {w['kib_per_window']} KiB per "
        f"window; {r['recordings']} recordings at {ns.size}: RSS {r['rss_kib']} KiB, "
        f"{r['mib_per_recording_after_the_first']} MiB per recording after the first"
    )
    out = ns.output or RESULTS_DIR / f"leaks-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
