"""Compositor CPU per key event: wtype typing into a focused foot window, ours vs sway 1.7,
interleaved.

    python bench/bench_keys.py [--rounds 3] [--chars 400] [--compositors ours,sway]

Each run starts a fresh compositor (headless, pixman, 1280x800) and one foot window (focused
when it maps), then times one ``wtype`` of --chars lowercase letters (zwp_virtual_keyboard_v1:
a press and a release per letter; its keymap upload and device are part of the run, the same
for both): the compositor's CPU (schedstat, all threads) from wtype's start until it exits,
divided by the key events; for ours also ``python_calls`` and the C key path's counters.
Writes bench/results/keys-*.json. A benchmark, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import string
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pointer import foot_mapped  # noqa: E402
from common import (  # noqa: E402
    STARTERS,
    interleaved_runs,
    ours_stats,
    process_cpu_seconds,
    wait_for,
)


def key_path(comp) -> dict[str, int] | None:
    if comp.name != "ours":
        return None
    from compositor.control_client import ControlClient

    with ControlClient(comp.info["control_socket"]) as client:
        return client.call("input-protocols").get("key_path")


def one_run(name: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    comp = STARTERS[name](workdir, f"bench-keys-{name}", 1280, 800)
    foot = None
    try:
        foot = subprocess.Popen(
            ["foot", "sh", "-c", "cat > /dev/null"],
            env=comp.client_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: foot_mapped(comp), 30, "foot's window")
        time.sleep(1.0)
        text = "".join(string.ascii_lowercase[i % 26] for i in range(args.chars))
        stats0 = ours_stats(comp) if name == "ours" else None
        keys0 = key_path(comp)
        cpu0 = process_cpu_seconds(comp.pid)
        result = subprocess.run(["wtype", text], env=comp.client_env(), capture_output=True)
        time.sleep(0.2)  # the last events handled (wtype exits after its last roundtrip)
        cpu1 = process_cpu_seconds(comp.pid)
        if result.returncode != 0:
            raise RuntimeError(f"wtype failed: {result.stderr!r}")
        events = 2 * args.chars
        run: dict[str, Any] = {
            "compositor": name,
            "key_events": events,
            "cpu_seconds": round(cpu1 - cpu0, 4),
            "us_per_key_event": round((cpu1 - cpu0) / events * 1e6, 2),
        }
        if name == "ours":
            stats1, keys1 = ours_stats(comp), key_path(comp)
            run["python_calls"] = stats1["python_calls"] - stats0["python_calls"]
            if keys0 is not None and keys1 is not None:
                run["keys_c"] = keys1["keys_c"] - keys0["keys_c"]
                run["keys_python"] = keys1["keys_python"] - keys0["keys_python"]
        return run
    finally:
        if foot is not None and foot.poll() is None:
            foot.kill()
            foot.wait()
        comp.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chars", type=int, default=400)
    parser.add_argument("--compositors", default="ours,sway")
    args = parser.parse_args()
    return interleaved_runs(
        args.compositors.split(","),
        args.rounds,
        lambda name, workdir: one_run(name, args, workdir),
        "us_per_key_event",
        "compositor CPU per key event (us)",
        "keys",
        args,
    )


if __name__ == "__main__":
    sys.exit(main())
