"""VM scenario: issue 21's protocols that draw, on wlroots' GLES2 renderer (run inside the
guest; Mesa's llvmpipe through kms_swrast on virtio-gpu, as tests/vm/scenarios/gl.py).

Checks (one boot; results in /mnt/out/results.json):
  gles2         --renderer gles2 is in use
  alpha         wp_alpha_modifier_v1: a red window at half alpha over the black background
                is (128, 0, 0) in grim's capture, at 0 the background, at full red again
  icon          xdg_toplevel_icon_v1: a 32-pixel red icon drawn 16x16 in the title bar
  clean_exit    the compositor exits 0 without a traceback
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.harness import CompositorProcess
from tests.helpers import region_is, wait_for_line
from tests.vm.guest.gl_env import gl_scenario_env
from tests.vm.guest.vmlib import Checks, wait_for

HALF = 0x7FFFFFFF
BAR_HEIGHT = 24


def inside(view: dict, margin: int = 3) -> tuple[int, int, int, int]:
    return (view["x"] + margin, view["y"] + margin,
            view["width"] - 2 * margin, view["height"] - 2 * margin)  # fmt: skip


def main() -> int:
    checks = Checks()
    env = gl_scenario_env(checks, "gles2")
    if env is None:
        return 1
    comp = CompositorProcess(
        Path("/tmp/wp-gl"), args=["--renderer", "gles2"], env=env, width=640, height=480
    )
    with checks.check("gles2") as info:
        comp.start(timeout=120)
        info["ping"] = comp.ctl_ok("ping")
        assert info["ping"]["renderer"] == "gles2", comp.log()[-3000:]
    with checks.check("alpha") as info:
        argv = [sys.executable, "-m", "tests.clients.wp_window", "--app-id", "gl.alpha",
                "--color", "ff0000", "--alpha", str(HALF)]  # fmt: skip
        proc = comp.spawn(argv, text=True, stdin=subprocess.PIPE)
        view = comp.wait_for_view("gl.alpha", timeout=60)
        box = inside(view)

        def shows(name: str, color: tuple[int, int, int], tolerance: int = 0):
            shot = comp.screenshot(name)
            info[name] = shot.getpixel((box[0], box[1]))
            return shot if region_is(shot, box, color, tolerance=tolerance) else None

        wait_for(lambda: shows("half", (128, 0, 0), 1), what="half red")
        for factor, name, color in ((0, "zero", (0, 0, 0)), (0xFFFFFFFF, "full", (255, 0, 0))):
            proc.stdin.write(f"alpha {factor}\nsync {name}\n")
            proc.stdin.flush()
            wait_for_line(proc, lambda line, name=name: line == f"synced {name}", 60)
            wait_for(lambda name=name, color=color: shows(name, color), what=name)
    with checks.check("icon") as info:
        argv = [sys.executable, "-m", "tests.clients.icon_window", "--icon", "ff0000"]
        comp.spawn(argv, text=True, stdin=subprocess.PIPE)
        view = comp.wait_for_view("test.icon", timeout=60)
        comp.ctl_ok("pointer-move", x=630, y=470)

        def red_in_bar():
            shot = comp.screenshot("icon")
            red = [
                (px, py)
                for py in range(view["y"] - BAR_HEIGHT, view["y"])
                for px in range(view["x"], view["x"] + view["width"])
                if shot.getpixel((px, py)) == (255, 0, 0)
            ]
            return red or None

        red = wait_for(red_in_bar, what="the icon in the title bar")
        info["red_pixels"] = len(red)
        assert len(red) == 16 * 16, len(red)
    with checks.check("clean_exit") as info:
        code = comp.stop(check=False, timeout=30)
        info["log_tail"] = comp.log()[-1500:]
        assert code == 0 and "Traceback" not in comp.log(), code
    return 0


if __name__ == "__main__":
    sys.exit(main())
