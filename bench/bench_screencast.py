"""Benchmark (not a test): the cost of sharing the screen (a PipeWire stream of an output,
issue 24) against recording the same output (bench_recorder.py's ``ours``).

For each size, one headless pixman compositor runs a fixed load (weston-simple-damage sized
to the output plus one weston-simple-shm), with a private pipewire + wireplumber
(tests/screencast/pipewire_session.py), and windows of ``--seconds`` each are measured back
to back on the same compositor and load:

- ``idle``: nothing shared or recorded (the baseline);
- ``share``: ``screencast-start`` of the whole output (cursor embedded: a copy of each
  output frame into the stream's memfd buffer) read by ``gst-launch-1.0 pipewiresrc !
  video/x-raw,format=BGRx ! fakesink`` (a pipewiresrc with no caps downstream negotiates no
  format: browsers name theirs);
- ``share-hidden``: the same with the cursor hidden (each frame rendered from the scene
  into the stream's buffer instead of copied);
- ``record``: ``record-start`` (x264 in a worker thread), for comparison.

Per window: output frames/s; the compositor's main-thread CPU per output frame (the frame
loop's cost, which clients feel); whole-compositor CPU (all threads: PipeWire's data thread,
the recorder's encoder); frames shared per second and dropped (no free buffer); the stream's
own cost per shared frame, measured in C around the fill (thread CPU time); the consumer's
CPU. Writes JSON to bench/results/screencast.json.

    python bench/bench_screencast.py [--sizes 1280x720,1920x1080] [--seconds 8]
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_recorder import Window, cpu_s, loadavg  # noqa: E402
from tests.harness import CompositorProcess  # noqa: E402
from tests.screencast.pipewire_session import PipewireSession  # noqa: E402


def consumer_argv(node_id: int, count_frames: bool = False) -> list[str]:
    """The consumer of a stream: ``gst-launch-1.0 pipewiresrc path=NODE !
    video/x-raw,format=BGRx ! fakesink``. With ``count_frames`` fakesink says each buffer it
    gets on a line of stdout (``silent=false`` and ``-v``, line-buffered through stdbuf), for
    the caller to count the frames delivered (bench_screencast_peers.py)."""
    caps = "video/x-raw,format=BGRx"
    pipeline = ["pipewiresrc", f"path={node_id}", "!", caps, "!", "fakesink"]
    if count_frames:
        return ["stdbuf", "-oL", "gst-launch-1.0", "-v", *pipeline, "silent=false"]
    return ["gst-launch-1.0", "-q", *pipeline]


def share_window(
    comp: CompositorProcess, pw: PipewireSession, seconds: float, cursor: str
) -> dict[str, Any]:
    stream = comp.ctl_ok("screencast-start", source={"output": "HEADLESS-1"}, cursor=cursor,
                         client="bench")  # fmt: skip
    consumer = subprocess.Popen(
        consumer_argv(stream["node_id"]),
        env=pw.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            entry = comp.ctl_ok("screencast-list")["streams"][0]
            if entry["frames_sent"] >= 10:
                break
            time.sleep(0.1)
        before = comp.ctl_ok("screencast-list")["streams"][0]
        consumer_cpu0 = cpu_s(consumer.pid)
        window = Window(comp)
        time.sleep(seconds)
        stats = window.end()
        after = comp.ctl_ok("screencast-list")["streams"][0]
        consumer_cpu = cpu_s(consumer.pid) - consumer_cpu0
    finally:
        consumer.terminate()
        consumer.wait(timeout=30)
        comp.ctl_ok("screencast-stop", stream=stream["stream"])
    sent = after["frames_sent"] - before["frames_sent"]
    stats.update(
        shared_frames=sent,
        shared_fps=sent / stats["wall_s"],
        dropped_frames=after["frames_dropped"] - before["frames_dropped"],
        copies=after["copies"] - before["copies"],
        renders=after["renders"] - before["renders"],
        stream_ms_per_frame=(after["cpu_ms"] - before["cpu_ms"]) / max(sent, 1),
        consumer_cpu_pct=100 * consumer_cpu / stats["wall_s"],
        format=after["format"],
    )
    return stats


def run_size(width: int, height: int, seconds: float, workdir: Path) -> dict[str, Any]:
    comp = CompositorProcess(
        workdir / f"c{width}", width=width, height=height, args=["--renderer", "pixman"]
    ).start()
    pw = PipewireSession(workdir / f"pw{width}", runtime_dir=comp.runtime_dir).start()
    results: dict[str, Any] = {}
    try:
        comp.spawn(["weston-simple-damage", f"--width={width - 48}", f"--height={height - 48}"])
        comp.spawn(["weston-simple-shm"], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while len(comp.views()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2.0)  # warm-up
        window = Window(comp)
        time.sleep(seconds)
        results["idle"] = window.end()
        results["share"] = share_window(comp, pw, seconds, "embedded")
        results["share-hidden"] = share_window(comp, pw, seconds, "hidden")
        path = workdir / f"rec-{width}.mp4"
        comp.ctl_ok("record-start", path=str(path), encoder="x264")
        time.sleep(0.5)
        window = Window(comp)
        start = comp.ctl_ok("record-status")["current"]
        time.sleep(seconds)
        stats = window.end()
        status = comp.ctl_ok("record-status")["current"]
        comp.ctl_ok("record-stop")
        stats.update(
            recorded_frames=status["frames_encoded"] - start["frames_encoded"],
            dropped_frames=status["frames_dropped"] - start["frames_dropped"],
        )
        results["record"] = stats
    finally:
        pw.stop()
        comp.stop(check=False)
    return results


NAMES = ("idle", "share", "share-hidden", "record")
ROWS = (
    ("output fps", "output_fps", ".1f"),
    ("main-thread ms/frame", "main_thread_ms_per_frame", ".2f"),
    ("compositor CPU %", "compositor_cpu_pct", ".0f"),
    ("shared fps", "shared_fps", ".1f"),
    ("stream ms/shared frame", "stream_ms_per_frame", ".3f"),
    ("dropped frames", "dropped_frames", ".0f"),
    ("consumer CPU %", "consumer_cpu_pct", ".0f"),
    ("loadavg (1 min)", "loadavg_1min", ".2f"),
)


def print_table(results: dict[str, dict[str, Any]]) -> None:
    for size, res in results.items():
        print(f"\n{size}")
        print(f"{'':24}" + "".join(f"{n:>14}" for n in NAMES))
        for label, key, fmt in ROWS:
            cells = []
            for name in NAMES:
                value = res.get(name, {}).get(key)
                cells.append(format(value, fmt) if value is not None else "-")
            print(f"{label:24}" + "".join(f"{c:>14}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1280x720,1920x1080")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--output", type=Path, default=ROOT / "bench/results/screencast.json")
    args = parser.parse_args()
    started = time.monotonic()
    conditions = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "loadavg_before": loadavg(),
        "renderer": "pixman (CPU), headless backend",
        "load": "weston-simple-damage at output size - 48 px + 1 weston-simple-shm",
        "consumer": "gst-launch-1.0 pipewiresrc ! video/x-raw,format=BGRx ! fakesink",
        "seconds": args.seconds,
    }
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-sc-") as tmp:
        for size in args.sizes.split(","):
            width, height = (int(v) for v in size.split("x"))
            results[size] = run_size(width, height, args.seconds, Path(tmp))
    conditions["loadavg_after"] = loadavg()
    conditions["duration_s"] = round(time.monotonic() - started, 1)
    print("conditions:", json.dumps(conditions))
    print_table(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"conditions": conditions, "results": results}, indent=2))
    print(f"\ntook {conditions['duration_s']:.0f} s; JSON: {args.output}")


if __name__ == "__main__":
    main()
