"""wp_alpha_modifier_v1 (ffi/csrc/alpha_modifier.c; blended in ffi/csrc/scene_render.c)
with tests/clients/wp_window.py: a red window at half its alpha over the black background
is half red in a capture, at 0 it is gone, back at full it is red again; a second object
for one surface is a protocol error."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import region_is, wait_for_line

HALF = 0x7FFFFFFF  # of 0xFFFFFFFF: 127.5 of 255


def alpha_window(comp, factor: int):
    argv = [sys.executable, "-m", "tests.clients.wp_window", "--app-id", "test.alpha",
            "--color", "ff0000", "--alpha", str(factor)]  # fmt: skip
    proc = comp.spawn(argv, text=True, stdin=subprocess.PIPE)
    return proc, comp.wait_for_view("test.alpha")


def inside(view: dict, margin: int = 2) -> tuple[int, int, int, int]:
    return (view["x"] + margin, view["y"] + margin,
            view["width"] - 2 * margin, view["height"] - 2 * margin)  # fmt: skip


def set_alpha(proc, factor: int) -> None:
    token = f"a{factor}"
    proc.stdin.write(f"alpha {factor}\nsync {token}\n")
    proc.stdin.flush()
    # Two roundtrips later the compositor has handled the commit: the capture shows it.
    wait_for_line(proc, lambda line: line == f"synced {token}", 20)


def test_the_multiplier_blends_the_window(compositor):
    proc, view = alpha_window(compositor, HALF)
    # Over black: red times the multiplier (pixman rounds 127.5 either way).
    assert region_is(compositor.screenshot(), inside(view), (128, 0, 0), tolerance=1)
    set_alpha(proc, 0)
    assert region_is(compositor.screenshot(), inside(view), (0, 0, 0))
    set_alpha(proc, 0xFFFFFFFF)
    assert region_is(compositor.screenshot(), inside(view), (255, 0, 0))


def test_a_second_object_for_a_surface_is_a_protocol_error(compositor):
    proc, _ = alpha_window(compositor, HALF)
    proc.stdin.write("alpha-again\n")
    proc.stdin.flush()
    wait_for_line(
        proc,
        lambda line: line.endswith(
            "error 0: the wl_surface has a wp_alpha_modifier_surface_v1 already"
        ),
        20,
    )
