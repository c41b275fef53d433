"""Compositor CPU per pointer motion event: a 1000 Hz mouse over a foot window, ours vs
sway 1.7, interleaved.

    python bench/bench_pointer.py [--rounds 3] [--events 3000] [--rate 1000]
                                  [--compositors ours,sway] [--size 1280x800]

Each run starts a fresh compositor (headless, pixman), one foot window covering the middle
of the output, and a virtual mouse (tests/clients/pointer_mover.py, zwlr_virtual_pointer_v1):
an absolute motion to the middle of the output, then --events relative motions at --rate
per second, each followed by a frame, back and forth by (5, 3) so the pointer stays over
foot. Measured from the moment the mouse's device exists to the moment the compositor has
handled the last event (a wl_display.sync after it): the compositor's CPU time
(/proc/PID/stat), divided by the events; for ours also ``python_calls`` (entries from C
into Python; the C motion path makes it 0) and the motions its C path handled. Prints every
run, the medians and the ratio ours/sway, and writes bench/results/pointer-*.json. A
benchmark, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    STARTERS,
    Compositor,
    interleaved_runs,
    ours_stats,
    process_cpu_seconds,
    wait_for,
)

ROOT = Path(__file__).resolve().parent.parent


def foot_mapped(comp: Compositor) -> bool:
    if comp.name == "ours":
        from compositor.control_client import ControlClient

        with ControlClient(comp.info["control_socket"]) as client:
            return any(v["app_id"] == "foot" and v["mapped"] for v in client.call("views")["views"])
    result = subprocess.run(
        ["swaymsg", "--socket", str(comp.runtime_dir / "sway-ipc.sock"), "-t", "get_tree"],
        capture_output=True,
        text=True,
        env=comp.client_env(),
    )
    return '"app_id": "foot"' in result.stdout


def pointer_motion(comp: Compositor) -> dict[str, int] | None:
    if comp.name != "ours":
        return None
    from compositor.control_client import ControlClient

    with ControlClient(comp.info["control_socket"]) as client:
        return client.call("input-protocols")["pointer_motion"]


def one_run(name: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    width, height = args.width, args.height
    comp = STARTERS[name](workdir, f"bench-pointer-{name}", width, height)
    foot = mover = None
    try:
        foot = subprocess.Popen(
            ["foot", f"--window-size-pixels={width - 160}x{height - 160}", "sh", "-c", "sleep 600"],
            env=comp.client_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: foot_mapped(comp), 30, "foot's window")
        time.sleep(1.0)  # foot's first frames and the cursor theme, before counting
        ready = workdir / f"mover-{name}.ready"
        mover = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.clients.pointer_mover",
                "--events",
                str(args.events),
                "--rate",
                str(args.rate),
                "--extent",
                f"{width},{height}",
                "--start",
                f"{width // 2},{height // 2}",
                "--jiggle",
                "5,3",
                "--ready-file",
                str(ready),
            ],
            env={**comp.client_env(), "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        wait_for(ready.exists, 30, "the virtual mouse")
        time.sleep(0.3)
        stats0 = ours_stats(comp) if name == "ours" else None
        motion0 = pointer_motion(comp)
        cpu0, wall0 = process_cpu_seconds(comp.pid), time.monotonic()
        ready.unlink()
        out, _ = mover.communicate(timeout=60 + args.events / max(args.rate, 1))
        cpu1, wall1 = process_cpu_seconds(comp.pid), time.monotonic()
        if f"done {args.events}" not in out:
            raise RuntimeError(f"the mouse did not finish: {out!r}")
        run: dict[str, Any] = {
            "compositor": name,
            "events": args.events,
            "seconds": round(wall1 - wall0, 3),
            "cpu_seconds": round(cpu1 - cpu0, 4),
            "us_per_event": round((cpu1 - cpu0) / args.events * 1e6, 2),
        }
        if name == "ours":
            stats1, motion1 = ours_stats(comp), pointer_motion(comp)
            run["python_calls"] = stats1["python_calls"] - stats0["python_calls"]
            run["motions_c"] = motion1["motions_c"] - motion0["motions_c"]
            run["motions_python"] = motion1["motions_python"] - motion0["motions_python"]
        return run
    finally:
        for proc in (mover, foot):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        comp.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--compositors", default="ours,sway")
    parser.add_argument("--size", default="1280x800")
    args = parser.parse_args()
    args.width, args.height = (int(v) for v in args.size.split("x"))
    if shutil.which("foot") is None:
        print("foot is not installed (apt-get install foot)", file=sys.stderr)
        return 1
    return interleaved_runs(
        args.compositors.split(","),
        args.rounds,
        lambda name, workdir: one_run(name, args, workdir),
        "us_per_event",
        "compositor CPU per motion event (us)",
        "pointer",
        args,
    )


if __name__ == "__main__":
    sys.exit(main())
