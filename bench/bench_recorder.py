"""Benchmark (not a test): recording cost, ours (x264 in-process) vs wf-recorder.

For each size, one headless pixman compositor runs a fixed load (weston-simple-damage
sized to the output plus ``--clients`` weston-simple-shm windows, 1 by default), and three
windows of ``--seconds`` each are measured back to back, on the same compositor and load:

- ``idle``: no recording (the baseline);
- ``ours``: ``record-start`` (x264 ultrafast/zerolatency CRF 23 in a worker thread);
- ``wf-recorder``: Debian's wf-recorder (wlr-screencopy + FFmpeg libx264 with the same
  preset/tune/CRF), a separate process.

Per window: output frames/s; the compositor's main-thread CPU per output frame (ms: the
frame loop's cost, the impact on clients); whole-compositor CPU; the recorder's CPU (ours:
compositor CPU minus the idle window's; wf-recorder: its own rusage); frames in the file
(ffprobe) and frames dropped (output frames that are not in the file); recorded fps.
Prints a table with ours/wf-recorder ratios, each recorder's main-thread cost per frame
over the idle window's, and the issue's targets for ours (reported, not asserted: the output
keeps 60 fps while recording, no frame dropped, main-thread cost per frame within 1.2x of
not recording), and writes JSON to bench/results/.

    python bench/bench_recorder.py [--sizes 1280x720,1920x1080] [--seconds 8] [--clients 1]
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.harness import CompositorProcess  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
TARGET_FPS = 59.0  # "keeps 60 fps": the 60 Hz output, less rounding of a window's count
TARGET_MAIN_RATIO = 1.2  # main-thread ms/frame recording over not recording
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
        self.loadavg = loadavg()
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
            "loadavg_1min": self.loadavg[0],
        }


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def run_size(
    width: int, height: int, seconds: float, workdir: Path, clients: int = 1
) -> dict[str, Any]:
    comp = CompositorProcess(
        workdir / f"c{width}", width=width, height=height, args=["--renderer", "pixman"]
    ).start()
    results: dict[str, Any] = {}
    try:
        comp.spawn(["weston-simple-damage", f"--width={width - 48}", f"--height={height - 48}"])
        for _ in range(clients):
            comp.spawn(["weston-simple-shm"], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 30 + clients
        while len(comp.views()) < clients + 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        results["windows"] = len(comp.views())
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
        ("loadavg (1 min)", "loadavg_1min", ".2f"),
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
            compared = ratio(values[1], values[2]) if key != "loadavg_1min" else ""
            line = f"{label:24}{cells[0]:>10}{cells[1]:>10}{cells[2]:>10}{compared:>8}"
            print(line.rstrip())
        idle = res.get("idle", {}).get("main_thread_ms_per_frame")
        cells = [ratio(res.get(n, {}).get("main_thread_ms_per_frame"), idle) for n in NAMES]
        print(f"{'main-thread x idle':24}{cells[0]:>10}{cells[1]:>10}{cells[2]:>10}")
        for text, met in targets(res).items():
            print(f"target, ours: {text}: {'met' if met else 'NOT met'}")


NAMES = ("idle", "ours", "wf-recorder")


def targets(res: dict[str, Any]) -> dict[str, bool]:
    """The issue's targets for our recorder at one size (reported, never asserted)."""
    ours, idle = res.get("ours"), res.get("idle")
    if not ours or not idle:
        return {}
    return {
        f"output >= {TARGET_FPS:g} fps while recording ({ours['output_fps']:.1f})": (
            ours["output_fps"] >= TARGET_FPS
        ),
        f"0 frames dropped ({ours['dropped_frames']})": ours["dropped_frames"] == 0,
        f"main-thread ms/frame <= {TARGET_MAIN_RATIO:g}x idle "
        f"({ours['main_thread_ms_per_frame']:.2f} / {idle['main_thread_ms_per_frame']:.2f})": (
            ours["main_thread_ms_per_frame"] <= TARGET_MAIN_RATIO * idle["main_thread_ms_per_frame"]
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1280x720,1920x1080")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument(
        "--clients",
        type=int,
        default=1,
        help="animated weston-simple-shm windows over the output-sized weston-simple-damage",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "bench/results/recorder.json")
    args = parser.parse_args()
    started = time.monotonic()
    conditions = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "loadavg_before": Path("/proc/loadavg").read_text().split()[:3],
        "renderer": "pixman (CPU), headless backend",
        "load": f"weston-simple-damage at output size - 48 px + {args.clients} weston-simple-shm",
        "seconds": args.seconds,
    }
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-rec-") as tmp:
        for size in args.sizes.split(","):
            width, height = (int(v) for v in size.split("x"))
            results[size] = run_size(width, height, args.seconds, Path(tmp), args.clients)
            results[size]["targets"] = targets(results[size])
    conditions["loadavg_after"] = Path("/proc/loadavg").read_text().split()[:3]
    conditions["duration_s"] = round(time.monotonic() - started, 1)
    print("conditions:", json.dumps(conditions))
    print_table(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"conditions": conditions, "results": results}, indent=2))
    print(f"\ntook {conditions['duration_s']:.0f} s; JSON: {args.output}")


if __name__ == "__main__":
    main()
