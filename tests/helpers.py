"""Helpers shared by the compositor tests: test-client launch and pixel checks."""

from __future__ import annotations

import itertools
import queue
import subprocess
import sys
import threading
import time
from typing import Any

from PIL import Image

from tests.harness import CompositorProcess
from tests.waiting import TIMEOUT_SCALE


def solid_window(
    comp: CompositorProcess, color: str, app_id: str, size: str = "200x150", **extra: Any
):
    """Start tests/clients/solid_window.py; returns (process, view dict) once mapped.

    Keyword arguments become the client's options (``popup="ff8000"`` -> --popup ff8000,
    ``presentation=True`` -> --presentation). Its stdin is a pipe: see :func:`sync`.
    """
    options: list[str] = []
    for key, value in extra.items():
        flag = "--" + key.replace("_", "-")
        options += [flag] if value is True else [flag, str(value)]
    argv = [sys.executable, "-m", "tests.clients.solid_window", "--color", color]
    argv += ["--app-id", app_id, "--size", size, "--stdin-sync", *options]
    proc = comp.spawn(argv, text=True, stdin=subprocess.PIPE)
    view = comp.wait_for_view(app_id)
    return proc, view


def overlap(a: dict, b: dict) -> bool:
    """Whether two views' boxes (``x``, ``y``, ``width``, ``height``) overlap."""
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def rgb(hex_color: str) -> tuple[int, int, int]:
    value = int(hex_color, 16)
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF


def region_is(
    image: Image.Image,
    box: tuple[int, int, int, int],
    color: tuple[int, int, int],
    tolerance: int = 0,
) -> bool:
    """Every pixel of box (x, y, w, h) is ``color`` (within tolerance per channel)."""
    x, y, w, h = box
    crop = image.crop((x, y, x + w, y + h))
    lo = [c - tolerance for c in color]
    hi = [c + tolerance for c in color]
    extrema = crop.getextrema()
    return all(lo[i] <= extrema[i][0] and extrema[i][1] <= hi[i] for i in range(3))


def pixels(image: Image.Image):
    """RGB triples of an RGB image, row by row."""
    data = image.convert("RGB").tobytes()
    return zip(data[0::3], data[1::3], data[2::3], strict=True)


class _LineReader:
    """Reads a client's stdout on a thread, so waiting for a line can time out."""

    def __init__(self, stream) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream) -> None:
        for line in stream:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)


def _reader(proc) -> _LineReader:
    # One reader per process, kept on the process object (an id() can be reused by the
    # next process once this one is garbage).
    reader = getattr(proc, "_line_reader", None)
    if reader is None:
        reader = proc._line_reader = _LineReader(proc.stdout)
    return reader


def wait_for_line(proc, predicate, timeout: float = 10.0) -> str:
    """Wait until the client prints a line satisfying predicate; returns that line."""
    reader = _reader(proc)
    deadline = time.monotonic() + timeout * TIMEOUT_SCALE
    while True:
        remaining = deadline - time.monotonic()
        try:
            line = reader.lines.get(timeout=max(remaining, 0))
        except queue.Empty:
            raise TimeoutError(
                f"no matching client line in {timeout}s; saw {reader.seen}"
            ) from None
        if line is None:
            raise AssertionError(f"client exited; its output: {reader.seen}")
        reader.seen.append(line)
        if predicate(line):
            return line


_sync_tokens = itertools.count(1)


def sync(proc, timeout: float = 10.0) -> tuple[list[str], int]:
    """A synchronisation point with a solid_window client (``--stdin-sync``).

    Returns every line the client printed up to the marker, and the number of buffers it
    committed. Everything the compositor sent it before this call has been printed by then,
    and the compositor has handled the client's replies: asserting that a line is *absent*
    is safe afterwards (no sleep, no race).
    """
    token = next(_sync_tokens)
    proc.stdin.write(f"sync {token}\n")
    proc.stdin.flush()
    marker = wait_for_line(proc, lambda line: line.startswith(f"synced {token} "), timeout)
    reader = _reader(proc)
    return reader.seen[:-1], int(marker.split()[2])


def client_output(proc, timeout: float = 5.0) -> list[str]:
    """All lines a client printed, after it exited."""
    proc.wait(timeout)
    reader = _reader(proc)
    while (line := reader.lines.get(timeout=timeout)) is not None:
        reader.seen.append(line)
    return reader.seen


def foot_reading_a_line(comp: CompositorProcess, workdir) -> Any:
    """Start foot running a shell that reads one line into a file; return that file's path
    once foot is focused and its shell is reading (typed text waits in the pty until then)."""
    from tests.waiting import wait_for  # noqa: PLC0415

    out = workdir / "typed.txt"
    started = workdir / "started"
    script = f'touch {started}; read line; echo "$line" > {out}'
    comp.spawn(["foot", "--app-id", "test.foot", "sh", "-c", script])
    comp.wait_for_view("test.foot", timeout=20)
    wait_for(
        lambda: any(v["app_id"] == "test.foot" and v["focused"] for v in comp.views()),
        10,
        what="foot focused",
    )
    wait_for(started.exists, 20, what="foot's shell to start")
    return out
