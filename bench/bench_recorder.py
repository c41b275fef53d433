"""Benchmark (not a test): recording cost, ours (x264 in-process) vs wf-recorder.

For each size, one headless pixman compositor runs a fixed load (weston-simple-damage
sized to the output plus weston-simple-shm), and three windows of ``--seconds`` each are
measured back to back, on the same compositor and load:

- ``idle``: no recording (the baseline);
- ``ours``: ``record-start`` (x264 ultrafast/zerolatency CRF 23 in a worker thread);
- ``wf-recorder``: Debian's wf-recorder (wlr-screencopy + FFmpeg libx264 with the same
  preset/tune/CRF), a separate process.

Per window: output frames/s; the compositor's main-thread CPU per output frame (ms: the
frame loop's cost, the impact on clients); whole-compositor CPU; the recorder's CPU (ours:
compositor CPU minus the idle window's; wf-recorder: its own rusage); frames in the file
(ffprobe) and frames dropped (output frames that are not in the file); recorded fps.
Prints a table with ours/wf-recorder ratios and writes JSON to bench/results/.

    python bench/bench_recorder.py [--sizes 1280x720,1920x1080] [--seconds 8]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.harness import CompositorProcess  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
X264 = ["-p", "preset=ultrafast", "-p", "tune=zerolatency", "-p", "crf=23"]


def cpu_s(pid: int, tid: int | None = None) -> float:
    path = f"/proc/{pid}/task/{tid}/stat" if tid else f"/proc/{pid}/stat"
    text = Path(path).read_text()
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def ffprobe_frames(path: Path) -> int:
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-of",
            "json",
            "-show_entries",
            "stream=nb_read_frames",
            str(path),
        ],
        capture_output=True,
        text=True,
    ).stdout
    try:
        return int(json.loads(out)["streams"][0]["nb_read_frames"])
    except (KeyError, IndexError, ValueError):
        return 0


class Window:
    """CPU and frame counters sampled at the start and end of a measured window."""

    def __init__(self, comp: CompositorProcess) -> None:
        self.comp = comp
        self.t0 = time.monotonic()
        self.frames0 = comp.frames()
        self.cpu0 = cpu_s(comp.pid)
        self.main0 = cpu_s(comp.pid, comp.pid)

    def end(self) -> dict[str, float]:
        wall = time.monotonic() - self.t0
        frames = self.comp.frames() - self.frames0
        main = cpu_s(self.comp.pid, self.comp.pid) - self.main0
        return {
            "wall_s": wall,
            "output_frames": frames,
            "output_fps": frames / wall,
            "compositor_cpu_pct": 100 * (cpu_s(self.comp.pid) - self.cpu0) / wall,
            "main_thread_ms_per_frame": 1000 * main / max(frames, 1),
        }


def run_size(width: int, height: int, seconds: float, workdir: Path) -> dict[str, Any]:
    comp = CompositorProcess(
        workdir / f"c{width}", width=width, height=height, args=["--renderer", "pixman"]
    ).start()
    results: dict[str, Any] = {}
    try:
        comp.spawn(["weston-simple-damage", f"--width={width - 48}", f"--height={height - 48}"])
        comp.spawn(["weston-simple-shm"])
        time.sleep(2.0)  # warm-up
        window = Window(comp)
        time.sleep(seconds)
        results["idle"] = window.end()

        path = workdir / f"ours-{width}.mp4"
        comp.ctl_ok("record-start", path=str(path), encoder="x264")
        time.sleep(0.5)  # the encoder starts on the first frame
        window = Window(comp)
        start = comp.ctl_ok("record-status")["current"]
        time.sleep(seconds)
        stats = window.end()
        status = comp.ctl_ok("record-status")["current"]
        last = comp.ctl_ok("record-stop")["last"]
        encoded = status["frames_encoded"] - start["frames_encoded"]
        dropped = status["frames_dropped"] - start["frames_dropped"]
        stats.update(
            recorder_cpu_pct=stats["compositor_cpu_pct"] - results["idle"]["compositor_cpu_pct"],
            file_frames=ffprobe_frames(path),
            recorded_frames=encoded,
            dropped_frames=dropped,
            recorded_fps=encoded / stats["wall_s"],
            encoder_capacity_fps=last["encoder_fps"],
            file_bytes=last["bytes"],
        )
        results["ours"] = stats

        path = workdir / f"wf-{width}.mp4"
        proc = comp.spawn(
            ["wf-recorder", "-y", "-c", "libx264", *X264, "-x", "yuv420p", "-f", str(path)],
            stdin=subprocess.DEVNULL,
        )
        time.sleep(1.0)  # connects, negotiates, opens the encoder
        window = Window(comp)
        wf_cpu0 = cpu_s(proc.pid)
        file0 = ffprobe_frames(path)  # frames flushed so far (usually 0: mp4 until exit)
        time.sleep(seconds)
        stats = window.end()
        wf_cpu_window = cpu_s(proc.pid) - wf_cpu0
        proc.send_signal(signal.SIGINT)
        _, status_code, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status_code)
        total = ffprobe_frames(path)
        # wf-recorder also ran 1 s before the window and a little after: scale to the window.
        wf_wall = stats["wall_s"] + 1.0
        in_window = round((total - file0) * stats["wall_s"] / wf_wall)
        stats.update(
            recorder_cpu_pct=100 * wf_cpu_window / stats["wall_s"],
            recorder_cpu_total_s=usage.ru_utime + usage.ru_stime,
            file_frames=total,
            recorded_frames=in_window,
            dropped_frames=max(stats["output_frames"] - in_window, 0),
            recorded_fps=in_window / stats["wall_s"],
            file_bytes=path.stat().st_size if path.exists() else 0,
            exit_code=proc.returncode,
        )
        results["wf-recorder"] = stats
    finally:
        comp.stop(check=False)
    return results


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a is not None and b not in (None, 0) else "-"


def print_table(all_results: dict[str, dict[str, Any]]) -> None:
    rows = [
        ("output fps", "output_fps", ".1f"),
        ("main-thread ms/frame", "main_thread_ms_per_frame", ".2f"),
        ("compositor CPU %", "compositor_cpu_pct", ".0f"),
        ("recorder CPU %", "recorder_cpu_pct", ".0f"),
        ("recorded fps", "recorded_fps", ".1f"),
        ("dropped frames", "dropped_frames", ".0f"),
        ("encoder capacity fps", "encoder_capacity_fps", ".0f"),
        ("file MiB", "file_bytes", ".2f"),
    ]
    for size, res in all_results.items():
        print(f"\n{size}   (idle = no recording; ratio = ours / wf-recorder)")
        print(f"{'':24}{'idle':>10}{'ours':>10}{'wf-rec':>10}{'ratio':>8}")
        for label, key, fmt in rows:
            values = []
            for name in ("idle", "ours", "wf-recorder"):
                v = res.get(name, {}).get(key)
                if v is not None and key == "file_bytes":
                    v = v / (1 << 20)
                values.append(v)
            cells = [format(v, fmt) if v is not None else "-" for v in values]
            print(
                f"{label:24}{cells[0]:>10}{cells[1]:>10}{cells[2]:>10}"
                f"{ratio(values[1], values[2]):>8}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1280x720,1920x1080")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--output", type=Path, default=ROOT / "bench/results/recorder.json")
    args = parser.parse_args()
    conditions = {
        "cpus": os.cpu_count(),
        "loadavg_before": Path("/proc/loadavg").read_text().split()[:3],
        "renderer": "pixman (CPU), headless backend",
        "load": "weston-simple-damage at output size - 48 px + weston-simple-shm",
    }
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-rec-") as tmp:
        for size in args.sizes.split(","):
            width, height = (int(v) for v in size.split("x"))
            results[size] = run_size(width, height, args.seconds, Path(tmp))
    conditions["loadavg_after"] = Path("/proc/loadavg").read_text().split()[:3]
    print("conditions:", json.dumps(conditions))
    print_table(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"conditions": conditions, "results": results}, indent=2))
    print(f"\nJSON: {args.output}")


if __name__ == "__main__":
    main()
