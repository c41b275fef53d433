"""Helpers shared by the compositor tests: test-client launch and pixel checks."""

from __future__ import annotations

import sys
from typing import Any

from PIL import Image

from tests.harness import CompositorProcess, wait_for


def solid_window(
    comp: CompositorProcess, color: str, app_id: str, size: str = "200x150", **extra: Any
):
    """Start tests/clients/solid_window.py; returns (process, view dict) once mapped.

    Keyword arguments become the client's options (``popup="ff8000"`` -> --popup ff8000,
    ``presentation=True`` -> --presentation).
    """
    options: list[str] = []
    for key, value in extra.items():
        flag = "--" + key.replace("_", "-")
        options += [flag] if value is True else [flag, str(value)]
    argv = [sys.executable, "-m", "tests.clients.solid_window", "--color", color]
    argv += ["--app-id", app_id, "--size", size, *options]
    proc = comp.spawn(argv, text=True)
    view = comp.wait_for_view(app_id)
    return proc, view


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


def wait_for_line(proc, predicate, timeout: float = 10.0) -> str:
    """Read the client's stdout until a line satisfies predicate."""
    seen: list[str] = []

    def next_match():
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"client exited; output so far: {seen}")
        seen.append(line.strip())
        return line.strip() if predicate(line.strip()) else None

    return wait_for(next_match, timeout, interval=0, what=f"a client line; saw {seen}")
