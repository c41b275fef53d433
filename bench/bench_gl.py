"""The GLES2 frame path, ours vs sway 1.7, in the VM: compositor CPU per client frame.

    python bench/bench_gl.py [--clients 4,16] [--rounds 2] [--seconds 6] [--warmup 2]
                             [--compositors ours,sway] [--before CHECKOUT]
                             [--renderer gles2] [--client shm] [--size 1920x1080]

wlroots' GLES2 renderer only runs in the QEMU guest here (Mesa 25 llvmpipe through
kms_swrast on virtio-gpu, see README "Renderers"), so this script boots the VM once
(tests/vm/harness.py) and runs itself inside with ``--in-guest``. Both compositors run
there headless at --size on the same GL stack (tests/vm/guest/gl_env.py): ours as root
(``--renderer gles2 --no-wl-drm``), sway 1.7 as uid 65534 (it refuses root) with
``WLR_RENDERER=gles2``, no title bars or borders, and bench/sway_gl_shim.c preloaded: its
headless backend's render node opens the card node (kms_swrast allocates dumb buffers,
which render nodes refuse; ours allocates on the card node for the same reason), and its
output commits are counted. ``--compositors before,ours,sway --before DIR`` adds ours from
another checkout (an older commit, its module built there) to the same boot: a before and
after series. The guest sees the host's files, except /tmp, which is its own (but for the
checkout it runs from): keep DIR outside /tmp, or inside this checkout.

Per N, the compositors take turns round after round (ours, sway, ours, sway, ...), each run
a fresh compositor with N clients: --client shm: weston-simple-shm (250x250, every frame
fully damaged); --client dmabuf: tests/vm/guest/gl_dmabuf_client.py --animate (250x250
dma-bufs, the zero-copy path). The scene is the same: ours places the windows (where each
covers the least of the others), and sway's floating windows are moved (``swaymsg [pid=P]
move position``) to where ours put the clients of its last run of that N; the run fails if
sway's tree does not have them there.

Measured as bench_clients.py does (its start gate, its LD_PRELOAD frame counter,
bench/frame_counter.c): after --warmup, over --seconds, the frames the clients committed;
the compositor's CPU (every thread, llvmpipe's included: /proc/PID/task/*/schedstat) per
client frame, also split into the main thread and the others (llvmpipe's rasterizer
threads); the output frames per client frame (the output's frames divided by the frames of
the mean client: 1 when every output frame brings each client's new frame; ours counts
them itself, ``outputs``' frames_committed, sway's the shim); for ours the ``python_calls``
delta (every entry from C into Python; 0 expected). Prints each run, the medians over the
rounds and their ratios, and writes bench/results/gl-*.json. A benchmark, not a test:
nothing is asserted. The guest runs under TCG (no KVM here), on 2 virtual CPUs that share
the host's cores with whatever else runs, and CPU time in the guest includes the time the
host took its vCPUs away: absolute figures are emulation figures and vary a lot from run
to run; compare the compositors of one interleaved series.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_clients import sample, start_clients, stop_clients, wait_quiet  # noqa: E402
from common import (  # noqa: E402
    RESULTS_DIR,
    Compositor,
    CompositorFailed,
    loadavg,
    start_ours,
    start_sway,
    wait_for,
)
from frame_counter import BUILD_DIR, build_frame_counter, build_preload, read_counter  # noqa: E402

SIZE = "250x250"  # weston-simple-shm's window size
START_TIMEOUT_S = 240.0  # ours imports its Python under TCG: tens of seconds on a busy host
# sway as in the issue's measurement: windows floating at their own size, no title bar or
# border (ours draws none for these clients either).
SWAY_GL_CONFIG = """\
default_border none
default_floating_border none
"""


def build_sway_shim() -> Path:
    """bench/sway_gl_shim.c -> bench/build/sway_gl_shim.so (sway's render node -> card0,
    its output commits counted)."""
    return build_preload("sway_gl_shim")


def thread_cpu_seconds(pid: int) -> tuple[float, float]:
    """(main thread, all other threads) on-CPU seconds: the event loop (Python, wlroots,
    texture uploads) apart from llvmpipe's rasterizer threads."""
    main = rest = 0.0
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return 0.0, 0.0
    for task in tasks:
        try:
            ns = int((task / "schedstat").read_text().split()[0])
        except (OSError, IndexError, ValueError):
            continue
        if task.name == str(pid):
            main += ns / 1e9
        else:
            rest += ns / 1e9
    return main, rest


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", default="4,16", help="client counts, comma-separated")
    p.add_argument("--rounds", type=int, default=2, help="turns of each compositor per N")
    p.add_argument("--seconds", type=float, default=6.0, help="measured seconds per run")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    p.add_argument("--size", default="1920x1080", help="output size WIDTHxHEIGHT")
    p.add_argument(
        "--compositors",
        default="ours,sway",
        help="of ours, sway and before (ours from the checkout --before, e.g. an older commit "
        "with its module built: a before/after series in the same boot)",
    )
    p.add_argument("--before", default=None, help="checkout for the compositor 'before'")
    p.add_argument("--renderer", default="gles2", choices=("gles2", "pixman"))
    p.add_argument("--client", default="shm", choices=("shm", "dmabuf"))
    p.add_argument("--in-guest", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--out", default=None, help=argparse.SUPPRESS)
    ns = p.parse_args(argv)
    ns.client_counts = [int(n) for n in ns.clients.split(",")]
    ns.width, ns.height = (int(v) for v in ns.size.split("x"))
    return ns


def client_argv(kind: str, i: int) -> list[str]:
    if kind == "shm":
        return ["weston-simple-shm"]
    argv = [sys.executable, "-m", "tests.vm.guest.gl_dmabuf_client", "--animate"]
    return [*argv, "--size", SIZE, "--app-id", f"bench.dmabuf{i}", "--color", f"{i * 40:02x}8844"]


def start(name: str, ns: argparse.Namespace, env: dict, workdir: Path, sock: str) -> Compositor:
    if name in ("ours", "before"):
        return start_ours(
            workdir,
            sock,
            ns.width,
            ns.height,
            START_TIMEOUT_S,
            renderer=ns.renderer,
            env_extra=env,
            args=("--no-wl-drm",),
            root=Path(ns.before) if name == "before" else ROOT,
        )
    counter = workdir / f"{sock}.commits"
    counter.write_bytes(bytes(8))
    counter.chmod(0o666)  # sway runs as nobody
    shim = {
        "LD_PRELOAD": str(BUILD_DIR / "sway_gl_shim.so"),
        "DRI_REDIRECT_FROM": "/dev/dri/renderD128",
        "DRI_REDIRECT_TO": "/dev/dri/card0",
        "OUTPUT_COMMIT_COUNTER": str(counter),
    }
    comp = start_sway(
        workdir,
        sock,
        ns.width,
        ns.height,
        START_TIMEOUT_S,
        renderer=ns.renderer,
        env_extra={**env, **shim},
        extra_config=SWAY_GL_CONFIG,
    )
    comp.info["commit_counter"] = str(counter)
    return comp


def sway_commits(comp: Compositor) -> int | None:
    """The output commits sway made so far (sway_gl_shim.c's counter)."""
    path = comp.info.get("commit_counter")
    return int.from_bytes(Path(path).read_bytes()[:8], "little") if path else None


def ours_views(comp: Compositor) -> list[dict]:
    from compositor.control_client import ControlClient

    with ControlClient(comp.info["control_socket"], timeout=10.0) as control:
        return control.call("views").get("views", [])


def place(comp: Compositor, pids: list[int], placed: dict[int, list]) -> list:
    """Ours: where it put each client (in start order). sway: move each client's window
    to where ours put the same one (when ours ran this N); returns the positions."""
    n = len(pids)
    if comp.name == "ours":  # "before" too (the same program)
        by_pid = {v["pid"]: [v["x"], v["y"]] for v in ours_views(comp)}
        placed[n] = [by_pid.get(pid) for pid in pids]
        return placed[n]
    positions = placed.get(n) or []
    ipc = ["swaymsg", "--socket", str(comp.runtime_dir / "sway-ipc.sock")]
    for pid, position in zip(pids, positions, strict=False):
        if position is not None:
            command = f"[pid={pid}] move position {position[0]} {position[1]}"
            subprocess.run([*ipc, command], check=False, capture_output=True)
    # Where sway's windows are now (its tree), in the same order: the check that it moved them.
    tree = subprocess.run([*ipc, "--raw", "-t", "get_tree"], capture_output=True, text=True)
    rects: dict[int, list] = {}

    def walk(node: dict) -> None:
        if node.get("pid") in pids:
            rects[node["pid"]] = [node["rect"]["x"], node["rect"]["y"]]
        for child in node.get("nodes", []) + node.get("floating_nodes", []):
            walk(child)

    walk(json.loads(tree.stdout or "{}"))
    return [rects.get(pid) for pid in pids]


def run_one(
    name: str,
    n: int,
    round_no: int,
    ns: argparse.Namespace,
    env: dict,
    shim: Path,
    workdir: Path,
    placed: dict[int, list],
) -> dict:
    sock = f"gl-{name}-{n}-r{round_no}"
    load_before = loadavg()
    comp = start(name, ns, env, workdir, sock)
    clients: list[subprocess.Popen] = []
    try:
        gate = workdir / f"{sock}.gate"
        argvs = [client_argv(ns.client, i) for i in range(n)]
        clients, counters = [], []
        for i, argv in enumerate(argvs):
            c, k = start_clients(
                comp, 1, shim, workdir, argv, tag=f"-n{n}-r{round_no}-{i}", gate=gate
            )
            clients += c
            counters += k

        def all_past(gate_state: int, commits: int):
            def check() -> bool:
                dead = [i for i, p in enumerate(clients) if p.poll() is not None]
                if dead:
                    raise RuntimeError(f"{name}: client(s) {dead} exited during start")
                return all(
                    (c := read_counter(p)) and c.gate >= gate_state and c.commits >= commits
                    for p in counters
                )

            return check

        wait_for(all_past(1, 2), 120 + 5 * n, f"{n} clients mapped on {name}")
        wait_quiet(comp)
        positions = place(comp, [p.pid for p in clients], placed)
        if name == "sway" and positions != placed.get(n, positions):
            raise RuntimeError(f"sway's windows at {positions}, not at ours' {placed.get(n)}")
        wait_quiet(comp)
        gate.touch()
        wait_for(all_past(2, 3), 60, f"{n} clients drawing on {name}")
        time.sleep(ns.warmup)
        commits0 = sway_commits(comp)
        before = sample(comp, clients, counters)
        threads_before = thread_cpu_seconds(comp.pid)
        time.sleep(ns.seconds)
        threads_after = thread_cpu_seconds(comp.pid)
        after = sample(comp, clients, counters)
        if comp.name == "sway":
            before["output_frames"], after["output_frames"] = commits0, sway_commits(comp)
        died = [i for i, p in enumerate(clients) if p.poll() is not None]
    finally:
        stop_clients(clients)
        comp.stop(timeout=30)
    elapsed = after["t"] - before["t"]
    per_client = [
        (a - b) / elapsed for a, b in zip(after["commits"], before["commits"], strict=True)
    ]
    total = sum(per_client)
    cpu = after["cpu"] - before["cpu"]
    row: dict[str, Any] = {
        "compositor": name,
        "renderer": ns.renderer,
        "client": ns.client,
        "clients": n,
        "round": round_no,
        "seconds": round(elapsed, 2),
        "fps_per_client_mean": round(total / n, 2),
        "fps_total": round(total, 2),
        "cpu_percent": round(100 * cpu / elapsed, 1),
        "cpu_ms_per_client_frame": round(1000 * cpu / (total * elapsed), 2) if total else None,
        # The same per client frame: the main thread, and the others (llvmpipe's).
        "main_thread_ms_per_client_frame": round(
            1000 * (threads_after[0] - threads_before[0]) / (total * elapsed), 2
        )
        if total
        else None,
        "other_threads_ms_per_client_frame": round(
            1000 * (threads_after[1] - threads_before[1]) / (total * elapsed), 2
        )
        if total
        else None,
        "positions": positions,
        "clients_died": died,
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
    }
    if "output_frames" in after:
        frames = after["output_frames"] - before["output_frames"]
        row["output_fps"] = round(frames / elapsed, 2)
        row["output_frames_per_client_frame"] = (
            round(frames * n / (total * elapsed), 2) if total else None
        )
    if after.get("python_calls") is not None and before.get("python_calls") is not None:
        row["python_calls_delta"] = after["python_calls"] - before["python_calls"]
    return row


def guest_main(ns: argparse.Namespace) -> int:
    from tests.vm.guest.gl_env import gl_env
    from tests.vm.guest.vmlib import setup_devices

    setup_devices(("virtio-gpu",), udev=False)
    for node in Path("/dev/dri").iterdir():
        os.chmod(node, 0o666)  # sway runs as nobody
    env = gl_env()  # for both compositors: the same GL stack
    shim = build_frame_counter()
    workdir = Path(tempfile.mkdtemp(prefix="bench-gl-"))
    os.chmod(workdir, 0o755)
    rows: list[dict] = []
    placed: dict[int, list] = {}
    out = Path(ns.out)
    for n in ns.client_counts:
        for round_no in range(1, ns.rounds + 1):
            for name in ns.compositors.split(","):
                try:
                    row = run_one(name, n, round_no, ns, env, shim, workdir, placed)
                except (CompositorFailed, RuntimeError, TimeoutError, OSError) as exc:
                    row = {"compositor": name, "clients": n, "round": round_no, "error": repr(exc)}
                print(json.dumps(row), flush=True)
                rows.append(row)
                out.write_text(json.dumps(rows, indent=1))  # what ran, if the VM stops
    for log in workdir.glob("*.log"):
        (out.parent / f"logs-{log.name}").write_bytes(log.read_bytes()[-20000:])
    return 0


def medians(rows: list[dict]) -> list[dict]:
    keys = (
        "cpu_ms_per_client_frame",
        "fps_per_client_mean",
        "cpu_percent",
        "output_fps",
        "output_frames_per_client_frame",
        "python_calls_delta",
        "main_thread_ms_per_client_frame",
        "other_threads_ms_per_client_frame",
    )
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if "error" not in r:
            groups.setdefault((r["clients"], r["compositor"]), []).append(r)
    out = []
    for (n, name), runs in sorted(groups.items()):
        med: dict[str, Any] = {"clients": n, "compositor": name, "runs": len(runs)}
        for key in keys:
            values = [r[key] for r in runs if r.get(key) is not None]
            med[key] = round(statistics.median(values), 2) if values else None
        out.append(med)
    return out


def print_tables(rows: list[dict], meds: list[dict]) -> None:
    print(
        f"{'comp':5} {'N':>3} {'rnd':>3} {'fps/cl':>7} {'CPU %':>6} {'ms/cl fr':>8} "
        f"{'out fps':>8} {'out/cl fr':>9} {'py calls':>8} {'main ms':>8} {'others ms':>9}"
    )
    for r in rows:
        if "error" in r:
            print(f"{r['compositor']:5} {r['clients']:>3} {r['round']:>3} error: {r['error']}")
            continue
        print(
            f"{r['compositor']:5} {r['clients']:>3} {r['round']:>3} "
            f"{r['fps_per_client_mean']:>7} {r['cpu_percent']:>6} "
            f"{r['cpu_ms_per_client_frame']!s:>8} {r.get('output_fps', '-')!s:>8} "
            f"{r.get('output_frames_per_client_frame', '-')!s:>9} "
            f"{r.get('python_calls_delta', '-')!s:>8} "
            f"{r.get('main_thread_ms_per_client_frame')!s:>8} "
            f"{r.get('other_threads_ms_per_client_frame')!s:>9}"
        )
    print("\nmedians (and the ratios of CPU per client frame)")
    by = {(m["clients"], m["compositor"]): m for m in meds}
    for m in meds:
        ratio = ""
        for other in ("sway", "before") if m["compositor"] != "sway" else ():
            peer = by.get((m["clients"], other))
            if other != m["compositor"] and peer and peer["cpu_ms_per_client_frame"]:
                value = m["cpu_ms_per_client_frame"] / peer["cpu_ms_per_client_frame"]
                ratio += f"  {m['compositor']}/{other} {value:.2f}x"
        print(
            f"{m['compositor']:5} N={m['clients']:<3} {m['cpu_ms_per_client_frame']} ms/client "
            f"frame, {m['fps_per_client_mean']} fps/client, out/client frame "
            f"{m['output_frames_per_client_frame']}, python_calls {m['python_calls_delta']}{ratio}"
        )


def host_main(ns: argparse.Namespace) -> int:
    from tests.vm.harness import VM

    build_frame_counter()  # here: the guest has gcc too, but this is quicker
    build_sway_shim()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    out_dir = RESULTS_DIR / f"gl-vm-{stamp}"
    out_dir.mkdir(parents=True, exist_ok=True)
    args = (
        f"--clients {ns.clients} --rounds {ns.rounds} --seconds {ns.seconds} "
        f"--warmup {ns.warmup} --size {ns.size} --compositors {ns.compositors} "
        f"--renderer {ns.renderer} --client {ns.client}"
        + (f" --before {ns.before}" if ns.before else "")
    )
    command = f"python bench/bench_gl.py --in-guest {args} --out /mnt/out/rows.json"
    result = VM(out_dir).run(command, timeout=5400)
    rows_path = out_dir / "rows.json"
    if not rows_path.exists():
        print(result.log[-3000:])
        print(f"no results; console and logs in {out_dir}", file=sys.stderr)
        return 1
    rows = json.loads(rows_path.read_text())
    meds = medians(rows)
    report = {
        "when": stamp,
        "where": "QEMU TCG guest (-cpu max, -smp 2), Mesa 25.0 llvmpipe via kms_swrast",
        "command": " ".join(sys.argv),
        "size": ns.size,
        "boot_s": result.boot_s,
        "host_loadavg_after": loadavg(),
        "rows": rows,
        "medians": meds,
    }
    path = RESULTS_DIR / f"gl-{stamp}.json"
    path.write_text(json.dumps(report, indent=1))
    print_tables(rows, meds)
    print(f"written: {path} (logs in {out_dir})")
    return 0


def main(argv: list[str] | None = None) -> int:
    ns = parse_args(argv)
    return guest_main(ns) if ns.in_guest else host_main(ns)


if __name__ == "__main__":
    sys.exit(main())
