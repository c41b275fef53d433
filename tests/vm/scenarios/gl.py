"""VM scenario: wlroots' GLES2 renderer compositing real clients (run inside the guest).

Checks, in order (one boot for all; results in /mnt/out/results.json):
  auto_picks_gles2  --renderer auto on a machine with a render node: GLES2, with the GBM
                    allocator on the card node (kms_swrast cannot allocate on renderD128)
  shm_window        a wl_shm client: right pixels in grim (screencopy), counted as
                    shm_upload with CPU copies > 0
  dmabuf_window     a zwp_linux_dmabuf_v1 client (dumb buffers exported as dma-bufs): right
                    pixels, counted as dmabuf_import with zero CPU copies and zero bytes
  wl_drm_prime      our wl_drm: a create_prime_buffer window, imported by GL, zero copies
  animated_clients  weston-simple-shm + an animated dma-buf client for a few seconds:
                    frames advance, dma-buf path still zero-copy, shm path copies per frame;
                    no Python entered per frame, every frame finished (glFinish) in C
  screenshot        the `screenshot` command (read_pixels) matches grim's pixels
  overlay           the GL overlay pass: a red box in grim and in `screenshot`, gone after
                    removal
  title_bars        windows with server-side title bars: foot with its defaults, and a
                    solid window asking for one (the first bar's texture was made inside a
                    frame: wlroots aborted); each bar drawn above its window
  toolkits          GTK3, Qt5 (its title bar ours) and an X11 client (xeyes, through
                    Xwayland) on GLES2: each maps, GTK3's and Qt5's button colours in grim
  auto_host_mesa    --renderer auto with Debian's Mesa 22.3 (no .gl/mesa): whatever it
                    picks renders right; a GL stack that fails the test frame -> pixman
  drm_scanout       --backend drm --renderer gles2 on virtio-gpu under seatd: the windows
                    on the real scanout (QMP screendump), drawn by the same GL stack
                    (Mesa from .gl/mesa) as the first compositor
  toolkits_drm      the toolkits again, on that drm compositor

The drm compositor once segfaulted in its first frame whenever the toolkits ran before it:
the toolkit loop rebound ``env`` (the GL environment) to Qt's ``{"QT_QPA_PLATFORM":
"wayland"}``, so the drm compositor started on Debian's Mesa 22.3, whose kms_swrast
crashes in an llvmpipe rasterizer thread (``rep stos`` to address 0) at the first frame on
virtio-gpu. Nothing the clients left in the guest was involved. The toolkits now run in
their own function, and drm_scanout checks the drm compositor's GL version against the
first compositor's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from compositor.wl_drm.formats import XRGB8888
from tests.clients.wl_drm_client import WlDrmClient
from tests.harness import CompositorProcess
from tests.helpers import region_is, rgb, sync
from tests.vm.guest.drmio import create_dumb, xrgb_rows
from tests.vm.guest.gl_env import gl_env, gl_scenario_env
from tests.vm.guest.vmlib import (
    SEAT_ENV,
    Checks,
    screendump,
    setup_devices,
    start_seatd,
    wait_for,
)

SOLID, DMABUF, WL_DRM = "3366cc", "33cc66", "cc9933"


def inner(view: dict, margin: int = 3) -> tuple[int, int, int, int]:
    return (
        view["x"] + margin,
        view["y"] + margin,
        view["width"] - 2 * margin,
        view["height"] - 2 * margin,
    )


def strip(view: dict) -> tuple[int, int, int, int]:
    """The top of a window, which the cascade placement leaves uncovered by later windows."""
    return (view["x"] + 3, view["y"] + 3, view["width"] - 6, 20)


def dmabuf_client(comp: CompositorProcess, app_id: str, color: str, *extra: str):
    argv = [sys.executable, "-m", "tests.vm.guest.gl_dmabuf_client", "--color", color]
    return comp.spawn([*argv, "--app-id", app_id, *extra], text=True)


def solid_client(comp: CompositorProcess, app_id: str, color: str):
    argv = [sys.executable, "-m", "tests.clients.solid_window", "--color", color]
    argv += ["--app-id", app_id, "--size", "200x150", "--stdin-sync"]
    return comp.spawn(argv, text=True, stdin=subprocess.PIPE)


def shows(comp: CompositorProcess, name: str, box, color):
    """A grim capture in which ``box`` is all ``color``, else None (for wait_for: a frame
    reaches the screen some time after the commit, longer under emulation)."""
    shot = comp.screenshot(name)
    return shot if region_is(shot, box, color) else None


def scanout_when(name: str, ok, timeout: float = 30.0, what: str = "the scanout"):
    """Screendumps until ``ok(image)``; returns that image."""

    def attempt():
        image = screendump(name)
        return image if ok(image) else None

    return wait_for(attempt, timeout, what)


PROBES = Path(__file__).resolve().parents[2] / "clients"


def gl_version(log: str) -> str | None:
    """wlroots' "Using OpenGL ES 3.2 Mesa X.Y.Z" line, the GL stack a compositor runs on."""
    for line in log.splitlines():
        if "render/gles2/renderer.c" in line and "] Using " in line:
            return line.split("] Using ", 1)[1].strip()
    return None


def toolkit_windows(comp: CompositorProcess, info: dict) -> None:
    """GTK3 and Qt5 probes (each on top when it maps: its button colour shows in grim) and
    xeyes through Xwayland. A function of its own: the loop's names stay out of main()'s
    (a loop variable called ``env`` once replaced the GL environment there)."""

    def shown(color: str):
        def check():
            shot = comp.screenshot("toolkits")
            colors = {c for _count, c in shot.getcolors(1 << 20) or []}
            return shot if rgb(color) in colors else None

        return check

    for name, client_env, color in (
        ("gtk3", {}, "cc3399"),
        ("qt5", {"QT_QPA_PLATFORM": "wayland"}, "3399cc"),
    ):
        argv = ["/usr/bin/python3", str(PROBES / f"{name}_probe.py")]
        argv += ["--app-id", f"gl.{name}", "--button", color]
        comp.spawn(argv, env=client_env, text=True)
        comp.wait_for_view(f"gl.{name}", timeout=120)
        wait_for(shown(color), 120, what=f"the {name} button on screen")
    comp.spawn(["xeyes"], env={"DISPLAY": comp.ctl_ok("ping")["display"]})
    wait_for(lambda: any(v["xwayland"] for v in comp.views()), 120, what="xeyes")
    info["views"] = [(v["app_id"], v["decoration"]) for v in comp.views()]
    assert comp.alive(), comp.log()[-3000:]


def main() -> int:
    checks = Checks()
    env = gl_scenario_env(checks, "auto_picks_gles2")
    if env is None:
        return 1
    comp = CompositorProcess(
        Path("/tmp/gl"), args=["--renderer", "auto"], env=env, width=800, height=600
    )
    with checks.check("auto_picks_gles2") as info:
        comp.start(timeout=120)
        info["ping"] = comp.ctl_ok("ping")
        log = comp.log()
        info["renderer_lines"] = [line for line in log.splitlines() if "renderer:" in line]
        assert info["ping"]["renderer"] == "gles2", log[-3000:]
        assert "llvmpipe" in log, "not Mesa's llvmpipe (kms_swrast)"
        assert "allocator: GBM on /dev/dri/card0" in log, log[-3000:]
        info["gl_version"] = gl_version(log)
    views: dict[str, dict] = {}
    with checks.check("shm_window") as info:
        comp.ctl_ok("copy-stats", reset=True)
        proc = solid_client(comp, "gl.solid", SOLID)
        views["solid"] = comp.wait_for_view("gl.solid", timeout=60)
        wait_for(lambda: shows(comp, "shm", inner(views["solid"]), rgb(SOLID)), what="solid")
        _, commits = sync(proc, timeout=30)  # the compositor has handled all its commits
        stats = comp.ctl_ok("copy-stats", reset=True)
        info["copy_stats"] = stats["paths"]
        info["client_commits"] = commits
        shm = stats["paths"]["shm_upload"]
        # Every commit is a whole new buffer: one upload of all its bytes, each counted.
        expected = (commits, commits, commits * 200 * 150 * 4)
        assert commits >= 1 and (shm["commits"], shm["copies"], shm["bytes"]) == expected, shm
    with checks.check("dmabuf_window") as info:
        dmabuf_client(comp, "gl.dmabuf", DMABUF)
        views["dmabuf"] = comp.wait_for_view("gl.dmabuf", timeout=60)
        view = views["dmabuf"]
        wait_for(lambda: shows(comp, "dmabuf", inner(view), rgb(DMABUF)), what="dma-buf window")
        stats = comp.ctl_ok("copy-stats", reset=True)
        info["copy_stats"] = stats["paths"]
        dmabuf = stats["paths"]["dmabuf_import"]
        assert dmabuf["commits"] >= 1, dmabuf
        assert dmabuf["copies"] == 0 and dmabuf["bytes"] == 0, dmabuf
    with checks.check("wl_drm_prime") as info:
        # Closed whatever happens: with no compositor holding card0, this process would
        # be its DRM master and the drm compositor below could not start.
        card = os.open("/dev/dri/card0", os.O_RDWR | os.O_CLOEXEC)
        try:
            dumb = create_dumb(card, 160, 100)
            dumb.write(xrgb_rows(160, 100, dumb.pitch, int(WL_DRM, 16)))
            prime = dumb.export()
            client = WlDrmClient(str(comp.runtime_dir / comp.socket))
            try:
                buffer = client.create_prime_buffer(prime, 160, 100, XRGB8888, 0, dumb.pitch)
                os.close(prime)
                client.show(buffer, 160, 100, app_id="gl.wl_drm")
                view = comp.wait_for_view("gl.wl_drm", timeout=60)
                wait_for(lambda: shows(comp, "wl_drm", inner(view), rgb(WL_DRM)), what="wl_drm")
                stats = comp.ctl_ok("copy-stats", reset=True)
                info["copy_stats"] = stats["paths"]
                dmabuf = stats["paths"]["dmabuf_import"]
                assert dmabuf["commits"] >= 1 and dmabuf["bytes"] == 0, dmabuf
            finally:
                client.close()
        finally:
            os.close(card)
    with checks.check("animated_clients") as info:
        comp.spawn(["weston-simple-shm"])
        dmabuf_client(comp, "gl.anim", "cc3366", "--animate", "--size", "120x90")
        comp.wait_for_view("gl.anim", timeout=60)
        comp.wait_for_view("org.freedesktop.weston.simple-shm", timeout=60)
        comp.ctl_ok("copy-stats", reset=True)
        frames, start = comp.frames(), time.monotonic()
        output = comp.ctl_ok("outputs")["outputs"][0]
        calls = comp.ctl_ok("stats", objects=0)["python_calls"]

        def both_animate():
            stats = comp.ctl_ok("copy-stats")
            paths = stats["paths"]
            busy = min(paths["dmabuf_import"]["commits"], paths["shm_upload"]["commits"])
            return stats if busy > 5 and comp.frames() > frames + 5 else None

        stats = wait_for(both_animate, 60, what="6 commits from each client, 6 frames")
        info["copy_stats"] = stats
        info["fps"] = round((comp.frames() - frames) / (time.monotonic() - start), 1)
        dmabuf, shm = stats["paths"]["dmabuf_import"], stats["paths"]["shm_upload"]
        assert dmabuf["commits"] > 5 and dmabuf["copies"] == 0 and dmabuf["bytes"] == 0, dmabuf
        assert shm["commits"] > 5 and shm["bytes_per_frame"] > 0, shm
        # The GL frames are the C frame loop's: no Python entered per frame (the counter
        # counts every entry from C into Python), and each frame llvmpipe drew was finished
        # (glFinish) before its commit.
        info["python_calls"] = comp.ctl_ok("stats", objects=0)["python_calls"] - calls
        now = comp.ctl_ok("outputs")["outputs"][0]
        committed = now["frames_committed"] - output["frames_committed"]
        info["frames_finished"] = now["frames_finished"] - output["frames_finished"]
        assert info["python_calls"] == 0, info["python_calls"]
        assert info["frames_finished"] >= committed > 5, (info["frames_finished"], committed)
    with checks.check("screenshot") as info:
        path = Path("/mnt/out/gl-screenshot.png")
        reply = comp.ctl_ok("screenshot", path=str(path))
        info["reply"] = reply
        from PIL import Image

        ours = Image.open(path).convert("RGB")
        grim = comp.screenshot("grim-vs-ours")
        for name in ("solid", "dmabuf"):
            box = strip(views[name])
            color = rgb(SOLID if name == "solid" else DMABUF)
            assert region_is(ours, box, color), f"{name} wrong in the screenshot"
            assert region_is(grim, box, color), f"{name} wrong in grim"
        assert ours.size == (800, 600), ours.size
    with checks.check("overlay") as info:
        box = (762, 12, 26, 26)
        area = (box[0], box[1], box[0] + box[2], box[1] + box[3])
        under = comp.screenshot("overlay-before").crop(area)
        comp.ctl_ok("overlay", name="rec", x=760, y=10, width=30, height=30, color="ff0000")
        wait_for(lambda: shows(comp, "overlay", box, (255, 0, 0)), what="the overlay in grim")
        path = Path("/mnt/out/gl-overlay.png")
        comp.ctl_ok("screenshot", path=str(path))
        from PIL import Image

        ours = Image.open(path).convert("RGB")
        assert region_is(ours, box, (255, 0, 0)), ours.getpixel((770, 20))
        info["overlay"] = comp.ctl_ok("overlay", name="rec", remove=True)
        # Gone: the pixels under it come back exactly as they were.
        wait_for(
            lambda: comp.screenshot("overlay-removed").crop(area).tobytes() == under.tobytes(),
            what="the pixels under the overlay back",
        )
        assert info["overlay"]["frames_drawn"] > 0
    with checks.check("title_bars") as info:
        before = comp.screenshot("title-bars-before")
        comp.spawn(["foot", "--app-id", "gl.foot"])
        argv = [sys.executable, "-m", "tests.clients.solid_window", "--color", SOLID]
        argv += ["--app-id", "gl.decorated", "--size", "200x150", "--decoration", "server"]
        comp.spawn(argv, text=True)
        for app_id in ("gl.foot", "gl.decorated"):
            views[app_id] = comp.wait_for_view(app_id, timeout=90)
            wait_for(
                lambda app_id=app_id: any(
                    v["app_id"] == app_id and v.get("title_bar") and v.get("visible")
                    for v in comp.ctl_ok("decorations")["views"]
                ),
                what=f"{app_id}'s title bar",
            )
        info["decorations"] = comp.ctl_ok("decorations")["views"]
        view = views["gl.decorated"]
        # The 24 rows above the window: something new is drawn there (not the background
        # from before, and not the window's own colour).
        bar = (view["x"] + 4, view["y"] - 20, 60, 16)

        def bar_drawn():
            shot = comp.screenshot("title-bars")
            crop = (bar[0], bar[1], bar[0] + bar[2], bar[1] + bar[3])
            changed = shot.crop(crop).tobytes() != before.crop(crop).tobytes()
            return shot if changed and not region_is(shot, bar, rgb(SOLID)) else None

        wait_for(bar_drawn, what="the decorated window's bar on screen")
        assert comp.alive(), comp.log()[-3000:]
    with checks.check("toolkits") as info:
        toolkit_windows(comp, info)
    with checks.check("clean_exit") as info:
        code = comp.stop(check=False, timeout=30)
        info["log_tail"] = comp.log()[-1500:]
        assert code == 0 and "Traceback" not in comp.log(), code
    with checks.check("auto_host_mesa") as info:
        host = CompositorProcess(Path("/tmp/gl-host-mesa"), args=["--renderer", "auto"])
        try:
            host.start(timeout=180)
            kind = host.ctl_ok("ping")["renderer"]
            info["renderer_lines"] = [ln for ln in host.log().splitlines() if "renderer:" in ln]
            if kind == "pixman":
                assert "because GLES2 is unavailable: a test frame" in host.log()
            solid_client(host, "host.solid", SOLID)
            view = host.wait_for_view("host.solid", timeout=60)
            wait_for(lambda: shows(host, "host-mesa", inner(view), rgb(SOLID)), what="solid")
        finally:
            code = host.stop(check=False, timeout=30) if host.proc else None
            info["exit"] = code
        assert code == 0 and "Traceback" not in host.log(), host.log()[-2000:]
    with checks.check("drm_scanout") as info:
        setup_devices((), udev=True)
        seatd = start_seatd()
        drm = CompositorProcess(
            Path("/tmp/gl-drm"),
            args=["--renderer", "gles2", "--no-wl-drm"],
            env={**env, **SEAT_ENV},
            backend="drm",
        )
        # Diagnosis for a failed start: GL variables the drm compositor would lack.
        info["gl_env_missing"] = sorted(k for k, v in gl_env().items() if drm.env.get(k) != v)
        try:
            drm.start(timeout=120)
            info["ping"] = drm.ctl_ok("ping")
            assert info["ping"]["renderer"] == "gles2"
            # The same GL stack as the first compositor (Debian's Mesa 22.3 instead
            # segfaults at the first frame: see the top of this file).
            info["gl_version"] = gl_version(drm.log())
            first = checks.results.get("auto_picks_gles2", {}).get("gl_version")
            assert info["gl_version"] and info["gl_version"] == first, (info["gl_version"], first)
            solid_client(drm, "drm.solid", SOLID)
            dmabuf_client(drm, "drm.dmabuf", DMABUF)
            solid = drm.wait_for_view("drm.solid", timeout=60)
            dmabuf = drm.wait_for_view("drm.dmabuf", timeout=60)
            scanout_when(
                "gl-drm",
                lambda im: (
                    region_is(im, strip(solid), rgb(SOLID))
                    and region_is(im, strip(dmabuf), rgb(DMABUF))
                ),
                what="both windows on the scanout",
            )
            info["copy_stats"] = drm.ctl_ok("copy-stats")["paths"]
            with checks.check("toolkits_drm") as toolkits_info:
                toolkit_windows(drm, toolkits_info)
        finally:
            info["log_tail"] = drm.log()[-2000:] if drm.proc else ""
            if drm.proc is not None:
                drm.stop(check=False, timeout=30)
            seatd.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
