"""The Python side of frame_counter.c: build the LD_PRELOAD shim, read what it counted.

The shim counts each client's ``wl_surface.commit`` (and ``wl_surface.frame``) requests, and
keeps a histogram of the intervals between commits, in a small file mapped MAP_SHARED, named
by ``$FRAME_COUNTER_FILE``; :func:`read_counter` reads it at any moment while the client runs,
and :func:`interval_percentile` takes a percentile of the intervals between two readings.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
BUILD_DIR = BENCH / "build"  # ignored by the "build/" pattern of .gitignore

COUNTER_FORMAT = "<8s6Q"  # magic, pid, commits, frames, first_commit_ns, last_commit_ns, extra
COUNTER_SIZE = struct.calcsize(COUNTER_FORMAT)
GATE_FORMAT = "<Q"  # FRMCNT2: gate (0 none/not yet, 1 waiting at $FRAME_COUNTER_GATE, 2 passed)
HISTOGRAM_HEADER = "<2Q"  # bucket_ns, buckets; then u64 intervals[buckets] (FRMCNT2)


@dataclass
class Counter:
    pid: int
    commits: int
    frames: int
    first_commit_ns: int
    last_commit_ns: int
    extra_commits: int
    gate: int = 0  # 1: waiting at $FRAME_COUNTER_GATE before its 2nd frame; 2: passed it
    # Histogram of the intervals between counted commits: intervals[i] counts those in
    # [i, i + 1) * bucket_ns, the last bucket everything longer.
    bucket_ns: int = 0
    intervals: tuple[int, ...] = ()


def build_frame_counter(out_dir: Path = BUILD_DIR) -> Path:
    """Compile bench/frame_counter.c into ``out_dir``/frame_counter.so (when out of date)."""
    source = BENCH / "frame_counter.c"
    target = out_dir / "frame_counter.so"
    if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
        return target
    if shutil.which("gcc") is None:
        raise RuntimeError("gcc is needed to build the frame counter (apt-get install gcc)")
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = ["gcc", "-O2", "-Wall", "-Wextra", "-shared", "-fPIC", "-o", str(target), str(source)]
    subprocess.run([*cmd, "-ldl"], check=True)
    return target


def build_preload(name: str) -> Path:
    """bench/NAME.c -> bench/build/NAME.so, an LD_PRELOAD shim (when out of date)."""
    source = BENCH / f"{name}.c"
    target = BUILD_DIR / f"{name}.so"
    if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
        BUILD_DIR.mkdir(parents=True, exist_ok=True)
        cmd = ["gcc", "-O2", "-Wall", "-shared", "-fPIC", "-o", str(target), str(source), "-ldl"]
        subprocess.run(cmd, check=True)
    return target


def read_counter(path: Path) -> Counter | None:
    """What the shim counted so far in one client, or None before it wrote anything."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) < COUNTER_SIZE:
        return None
    magic, *values = struct.unpack(COUNTER_FORMAT, data[:COUNTER_SIZE])
    if magic == b"FRMCNT1\0":
        return Counter(*values)
    if magic != b"FRMCNT2\0":
        return None
    (gate,) = struct.unpack_from(GATE_FORMAT, data, COUNTER_SIZE)
    header = COUNTER_SIZE + struct.calcsize(GATE_FORMAT)
    offset = header + struct.calcsize(HISTOGRAM_HEADER)
    bucket_ns, buckets = struct.unpack_from(HISTOGRAM_HEADER, data, header)
    if len(data) < offset + 8 * buckets:
        return None
    intervals = struct.unpack_from(f"<{buckets}Q", data, offset)
    return Counter(*values, gate=gate, bucket_ns=bucket_ns, intervals=intervals)


def interval_histogram(before: Counter | None, after: Counter) -> list[int]:
    """The intervals counted between two readings of one client (bucket counts)."""
    if before is None or len(before.intervals) != len(after.intervals):
        return list(after.intervals)
    return [a - b for a, b in zip(after.intervals, before.intervals, strict=True)]


def interval_percentile(histogram: list[int], bucket_ns: int, q: float) -> float | None:
    """The ``q`` percentile (0-100) of a histogram of commit intervals, in milliseconds: the
    upper edge of the bucket it falls in (so at most one bucket, 0.1 ms, above the truth);
    ``inf`` when it falls in the last bucket (longer than the histogram reaches); None when
    the histogram is empty."""
    total = sum(histogram)
    if total == 0 or bucket_ns == 0:
        return None
    rank = q / 100 * total
    seen = 0
    for i, count in enumerate(histogram):
        seen += count
        if count and seen >= rank:
            if i == len(histogram) - 1:
                return float("inf")
            return (i + 1) * bucket_ns / 1e6
    return float("inf")
