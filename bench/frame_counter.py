"""The Python side of frame_counter.c: build the LD_PRELOAD shim, read what it counted.

The shim counts each client's ``wl_surface.commit`` (and ``wl_surface.frame``) requests into
a small file mapped MAP_SHARED, named by ``$FRAME_COUNTER_FILE``; :func:`read_counter` reads
it at any moment while the client runs.
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


@dataclass
class Counter:
    pid: int
    commits: int
    frames: int
    first_commit_ns: int
    last_commit_ns: int
    extra_commits: int


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


def read_counter(path: Path) -> Counter | None:
    """What the shim counted so far in one client, or None before it wrote anything."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) < COUNTER_SIZE:
        return None
    magic, *values = struct.unpack(COUNTER_FORMAT, data[:COUNTER_SIZE])
    if magic != b"FRMCNT1\0":
        return None
    return Counter(*values)
