"""GLES2 vs pixman on the same load: fps, compositor CPU per frame, bytes copied per frame.

    python bench/bench_gl.py [--clients 1,4,16] [--seconds 6] [--warmup 2] [--size 1920x1080]

wlroots' GLES2 renderer only runs in the QEMU guest here (Mesa 25 kms_swrast on virtio-gpu,
see README "Renderers"), so both renderers are measured there, under the same emulated CPU:
this script boots the VM once (tests/vm/harness.py) and runs itself inside with
``--in-guest``. Per renderer, one headless compositor at --size; clients are added up to
each N (weston-simple-shm, 250x250, every frame fully damaged), then after --warmup the
script measures for --seconds: output frames/s, the compositor's CPU time per output frame
(/proc/PID/stat) and the ``copy-stats`` counters (bytes the CPU copied or read from client
buffers, per frame). On GLES2 the same N is also run with dma-buf clients
(tests/vm/guest/gl_dmabuf_client.py --animate, 250x250; pixman offers no linux-dmabuf).
Prints a table and writes bench/results/gl-*.json. A benchmark, not a test: nothing is
asserted. The guest runs under TCG (no KVM here): absolute figures are emulation figures.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import RESULTS_DIR, loadavg, process_cpu_seconds  # noqa: E402

from tests.harness import CompositorProcess, wait_for  # noqa: E402

SIZE = "250x250"  # weston-simple-shm's window size


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", default="1,4,16", help="client counts, comma-separated")
    p.add_argument("--seconds", type=float, default=6.0, help="measured seconds per row")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    p.add_argument("--size", default="1920x1080", help="output size WIDTHxHEIGHT")
    p.add_argument("--renderers", default="pixman,gles2")
    p.add_argument("--in-guest", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--out", default=None, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def client_argv(kind: str, i: int) -> list[str]:
    if kind == "shm":
        return ["weston-simple-shm"]
    argv = [sys.executable, "-m", "tests.vm.guest.gl_dmabuf_client", "--animate"]
    return [*argv, "--size", SIZE, "--app-id", f"bench.dmabuf{i}", "--color", f"{i * 40:02x}8844"]


def measure(comp: CompositorProcess, ns: argparse.Namespace) -> dict[str, Any]:
    comp.ctl_ok("copy-stats", reset=True)
    frames0, cpu0, t0 = comp.frames(), process_cpu_seconds(comp.pid), time.monotonic()
    time.sleep(ns.seconds)
    frames1, cpu1, t1 = comp.frames(), process_cpu_seconds(comp.pid), time.monotonic()
    stats = comp.ctl_ok("copy-stats")
    frames, elapsed, cpu = frames1 - frames0, t1 - t0, cpu1 - cpu0
    paths = stats["paths"]
    copied = sum(paths[name]["bytes"] for name in ("shm_upload", "dmabuf_import", "pixman_read"))
    copies = sum(paths[name]["copies"] for name in ("shm_upload", "dmabuf_import"))
    return {
        "seconds": round(elapsed, 2),
        "output_fps": round(frames / elapsed, 2),
        "cpu_percent": round(100 * cpu / elapsed, 1),
        "cpu_ms_per_frame": round(1000 * cpu / frames, 2) if frames else None,
        "bytes_per_frame": round(copied / frames) if frames else None,
        "cpu_copies_per_frame": round(copies / frames, 2) if frames else None,
        "client_commits_per_s": round(
            sum(paths[n]["commits"] for n in ("shm_upload", "dmabuf_import", "pixman_read"))
            / elapsed,
            1,
        ),
        "copy_stats": paths,
        "loadavg": loadavg(),
    }


def run_renderer(renderer: str, kind: str, ns: argparse.Namespace, env: dict) -> list[dict]:
    width, height = (int(v) for v in ns.size.split("x"))
    comp = CompositorProcess(
        Path(f"/tmp/bench-{renderer}-{kind}"),
        args=["--renderer", renderer, "--no-wl-drm"],
        env=env,
        width=width,
        height=height,
    )
    comp.start(timeout=180)
    rows = []
    try:
        for n in ns.client_counts:
            while len(comp.clients) < n:
                comp.spawn(client_argv(kind, len(comp.clients)), stdout=subprocess.DEVNULL)
            wait_for(lambda n=n: len(comp.views()) >= n, 120, what=f"{n} windows")
            time.sleep(ns.warmup)
            dead = [i for i, p in enumerate(comp.clients) if p.poll() is not None]
            row = {"renderer": renderer, "clients": n, "client": kind, "dead_clients": dead}
            row.update(measure(comp, ns))
            print(json.dumps({k: v for k, v in row.items() if k != "copy_stats"}), flush=True)
            rows.append(row)
    finally:
        for proc in comp.clients:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        comp.stop(check=False, timeout=60)
    return rows


def guest_main(ns: argparse.Namespace) -> int:
    from tests.vm.guest.gl_env import gl_env
    from tests.vm.guest.vmlib import setup_devices

    setup_devices(("virtio-gpu",), udev=False)
    env = gl_env()  # for both renderers: the same process environment
    rows: list[dict] = []
    for renderer in ns.renderers.split(","):
        kinds = ["shm", "dmabuf"] if renderer == "gles2" else ["shm"]
        for kind in kinds:
            try:
                rows += run_renderer(renderer, kind, ns, env)
            except Exception as exc:  # keep the other rows; report the failure
                rows.append({"renderer": renderer, "client": kind, "error": repr(exc)})
                print(f"{renderer}/{kind} failed: {exc!r}", flush=True)
    Path(ns.out).write_text(json.dumps(rows, indent=1))
    return 0


def print_table(rows: list[dict]) -> None:
    head = (
        f"{'renderer':8} {'client':7} {'N':>3} {'out fps':>8} {'CPU %':>6} "
        f"{'CPU ms/fr':>9} {'copies/fr':>9} {'bytes/fr':>10}"
    )
    print(head)
    for r in rows:
        if "error" in r:
            print(f"{r['renderer']:8} {r['client']:7} error: {r['error']}")
            continue
        print(
            f"{r['renderer']:8} {r['client']:7} {r['clients']:>3} {r['output_fps']:>8} "
            f"{r['cpu_percent']:>6} {r['cpu_ms_per_frame']!s:>9} "
            f"{r['cpu_copies_per_frame']!s:>9} {r['bytes_per_frame']!s:>10}"
        )


def host_main(ns: argparse.Namespace) -> int:
    from tests.vm.harness import VM

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    out_dir = RESULTS_DIR / f"gl-vm-{stamp}"
    out_dir.mkdir(parents=True, exist_ok=True)
    args = f"--clients {ns.clients} --seconds {ns.seconds} --warmup {ns.warmup} --size {ns.size}"
    command = (
        f"python bench/bench_gl.py --in-guest {args} --renderers {ns.renderers} "
        "--out /mnt/out/rows.json"
    )
    result = VM(out_dir).run(command, timeout=3000)
    rows_path = out_dir / "rows.json"
    if not rows_path.exists():
        print(result.log[-3000:])
        print(f"no results; console and logs in {out_dir}", file=sys.stderr)
        return 1
    rows = json.loads(rows_path.read_text())
    report = {
        "when": stamp,
        "where": "QEMU TCG guest (-cpu max, -smp 2), Mesa 25.0 llvmpipe via kms_swrast",
        "size": ns.size,
        "boot_s": result.boot_s,
        "rows": rows,
    }
    path = RESULTS_DIR / f"gl-{stamp}.json"
    path.write_text(json.dumps(report, indent=1))
    print_table(rows)
    print(f"written: {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ns = parse_args(argv)
    ns.client_counts = [int(n) for n in ns.clients.split(",")]
    return guest_main(ns) if ns.in_guest else host_main(ns)


if __name__ == "__main__":
    sys.exit(main())
