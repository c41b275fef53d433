"""VM scenario: real dma-bufs through wl_drm.create_prime_buffer (run inside the guest).

A test client allocates dumb buffers on real DRM devices, fills them, exports them as PRIME
(dma-buf) fds and sends them with wl_drm.create_prime_buffer; the compositor runs on the
DRM backend (virtio-gpu) and its scanout is checked pixel by pixel. Checks:
  vgem_xrgb        single plane XRGB8888 from vgem (a GEM-only device, no display)
  virtio_argb      single plane ARGB8888 from a virtio-gpu dumb buffer (the KMS device)
  update           new contents in a second vgem buffer replace the first on the scanout
  planar_pixman    pixman renderer: NV12 is offered, and a two-plane NV12 dma-buf (vgem) is
                   converted to XRGB8888 by the compositor's C code (BT.601 limited range,
                   with DMA_BUF_IOCTL_SYNC): the right colour reaches the scanout
  direct_scanout   pixman renderer, one fullscreen wl_drm window of the output's size on a
                   virtio-gpu dma-buf, over another window it hides: the frame loop puts the
                   client's buffer itself on the primary plane: every frame, through five
                   new buffers, is a scan-out (none composited, so no GL or pixman draw and
                   no copy), the inspector says so, each colour is on screen
  planar_gl        GLES2 renderer (Mesa 25 from .gl/mesa, see guest/gl_env.py): NV12 from
                   one virtio-gpu dma-buf (two planes) shows the right colour. Skipped when
                   .gl/mesa is absent (scripts/gl-setup.sh provides it)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.clients.wl_drm_client import ARGB8888, NV12, XRGB8888, WlDrmClient, memfd_buffer
from tests.harness import CompositorProcess
from tests.helpers import region_is, rgb
from tests.vm.guest import drmio
from tests.vm.guest.gl_env import GLSetupMissing, gl_env
from tests.vm.guest.vmlib import (
    SEAT_ENV,
    Checks,
    screendump,
    setup_devices,
    start_seatd,
    wait_for,
)


def find_card(driver: str) -> str:
    """/dev/dri/cardN of a driver, from debugfs (``vgem dev=... unique=...``)."""
    for name in sorted(Path("/sys/kernel/debug/dri").glob("[0-9]*")):
        if not name.name.isdigit():
            continue  # Linux 6.12 (Debian 13) also names each device's directory by its bus id
        minor = int(name.name)
        if minor < 128 and (name / "name").read_text().split()[0] == driver:
            return f"/dev/dri/card{minor}"
    raise FileNotFoundError(f"no DRM card for {driver}")


def show_dumb(
    client: WlDrmClient, dev_fd: int, color: int, size: tuple[int, int], fmt: int, app_id: str
):
    width, height = size
    dumb = drmio.create_dumb(dev_fd, width, height)
    dumb.write(drmio.xrgb_rows(width, height, dumb.pitch, color))
    dmabuf = dumb.export()
    buffer = client.create_prime_buffer(dmabuf, width, height, fmt, 0, dumb.pitch)
    os.close(dmabuf)
    surface = client.show(buffer, width, height, app_id)
    return dumb, buffer, surface


def box_of(view: dict) -> tuple[int, int, int, int]:
    return (view["x"] + 2, view["y"] + 2, view["width"] - 4, view["height"] - 4)


def nv12_red(width: int, height: int, pitch: int) -> bytes:
    """BT.601 limited-range red: Y=81, Cb=90, Cr=240."""
    y_plane = (bytes([81]) * width + bytes(pitch - width)) * height
    uv_row = bytes([90, 240]) * (width // 2)
    uv_plane = (uv_row + bytes(pitch - len(uv_row))) * (height // 2)
    return y_plane + uv_plane


def start(args: list[str], env: dict[str, str], name: str) -> CompositorProcess:
    comp = CompositorProcess(
        Path(f"/tmp/{name}"), args=[*args, "--log-level", "debug"], env=env, backend="drm"
    )
    return comp.start(timeout=120)


def planar_buffer(comp: CompositorProcess, dev_fd: int) -> WlDrmClient:
    """NV12 128x96 in one dumb buffer (32 bpp dumbs, the only kind virtio-gpu makes)."""
    width, height = 128, 96
    client = WlDrmClient(str(comp.runtime_dir / comp.socket))
    dumb = drmio.create_dumb(dev_fd, width // 4, height * 3 // 2)
    dumb.write(nv12_red(width, height, dumb.pitch))
    dmabuf = dumb.export()
    offset1 = dumb.pitch * height
    buffer = client.create_prime_buffer(
        dmabuf, width, height, NV12, 0, dumb.pitch, offset1, dumb.pitch
    )
    os.close(dmabuf)
    client.show(buffer, width, height, "vm.nv12")
    return client


def main() -> int:
    checks = Checks()
    setup_devices(("virtio-gpu", "vgem"))
    seatd = start_seatd()
    vgem_fd = os.open(find_card("vgem"), os.O_RDWR | os.O_CLOEXEC)
    comp = start(["--renderer", "pixman"], SEAT_ENV, "comp")
    client = WlDrmClient(str(comp.runtime_dir / comp.socket))
    with checks.check("vgem_xrgb") as info:
        show_dumb(client, vgem_fd, 0xCC3366, (160, 120), XRGB8888, "vm.vgem")
        view = comp.wait_for_view("vm.vgem", timeout=60)
        info["buffers"] = comp.ctl_ok("buffers")["clients"]
        image = wait_for(
            lambda: (
                (im := screendump("vgem-xrgb"))
                and region_is(im, box_of(view), rgb("cc3366"))
                and im
            ),
            20,
            what="the vgem buffer's colour on the scanout",
        )
        info["pixel"] = image.getpixel((view["x"] + 5, view["y"] + 5))
    with checks.check("virtio_argb") as info:
        card_fd = os.open("/dev/dri/card0", os.O_RDWR | os.O_CLOEXEC)
        show_dumb(client, card_fd, 0x33AA55, (140, 100), ARGB8888, "vm.virtio")
        view = comp.wait_for_view("vm.virtio", timeout=60)
        wait_for(
            lambda: region_is(screendump("virtio-argb"), box_of(view), rgb("33aa55")),
            20,
            what="the virtio-gpu buffer's colour on the scanout",
        )
    with checks.check("update") as info:
        surface_client = WlDrmClient(str(comp.runtime_dir / comp.socket))
        dumb, _buffer, surface = show_dumb(
            surface_client, vgem_fd, 0x2040E0, (120, 90), XRGB8888, "vm.update"
        )
        view = comp.wait_for_view("vm.update", timeout=60)
        wait_for(lambda: region_is(screendump("update-1"), box_of(view), rgb("2040e0")), 20)
        second = drmio.create_dumb(vgem_fd, 120, 90)
        second.write(drmio.xrgb_rows(120, 90, second.pitch, 0xE0C020))
        dmabuf = second.export()
        buffer2 = surface_client.create_prime_buffer(dmabuf, 120, 90, XRGB8888, 0, second.pitch)
        os.close(dmabuf)
        surface_client.attach(surface, buffer2, 120, 90)
        wait_for(lambda: region_is(screendump("update-2"), box_of(view), rgb("e0c020")), 20)
    with checks.check("planar_pixman") as info:
        formats = comp.ctl_ok("buffers")["formats"]
        info["formats"] = formats
        assert "NV12" in formats, f"pixman does not offer NV12: {formats}"
        nv12 = planar_buffer(comp, vgem_fd)
        try:
            view = comp.wait_for_view("vm.nv12", timeout=60)
            table = comp.ctl_ok("buffers")["clients"]
            info["buffers"] = table
            # Y=81, Cb=90, Cr=240 is (255, 0, 0) in BT.601 limited range, exactly.
            wait_for(
                lambda: region_is(screendump("nv12-pixman"), box_of(view), (255, 0, 0)),
                20,
                what="the NV12 buffer's red on the scanout",
            )
        finally:
            nv12.close()
    client.close()
    surface_client.close()
    with checks.check("direct_scanout") as info:
        wait_for(lambda: comp.views() == [], 20, what="the other windows to go")
        output = comp.ctl_ok("outputs")["outputs"][0]
        width, height = output["width"], output["height"]
        card_fd = os.open("/dev/dri/card0", os.O_RDWR | os.O_CLOEXEC)
        # A window below the fullscreen one: hidden under it, it must not keep it from the
        # plane (wlroots 0.15's own scan-out wants the fullscreen buffer alone in the scene).
        below = WlDrmClient(str(comp.runtime_dir / comp.socket))
        fs = WlDrmClient(str(comp.runtime_dir / comp.socket))
        try:
            below.authenticate(1)
            stride = 160 * 4
            below_fd = memfd_buffer(160, 120, stride, 0x33CC66)
            below.show(
                below.create_prime_buffer(below_fd, 160, 120, XRGB8888, 0, stride),
                160,
                120,
                "vm.below",
            )
            os.close(below_fd)
            comp.wait_for_view("vm.below", timeout=20)
            fs.authenticate(1)  # a render node: answered at once
            fs.hide_cursor()  # virtio-gpu + pixman: the cursor is a software one
            fs.roundtrip()
            dumb = drmio.create_dumb(card_fd, width, height)
            dumb.write(drmio.xrgb_rows(width, height, dumb.pitch, 0x10A0F0))
            dmabuf = dumb.export()
            buffer = fs.create_prime_buffer(dmabuf, width, height, XRGB8888, 0, dumb.pitch)
            os.close(dmabuf)
            surface = fs.show(buffer, width, height, "vm.scanout", fullscreen=True)
            wait_for(
                lambda: comp.ctl_ok("outputs")["outputs"][0]["direct_scanout"],
                20,
                what="the fullscreen buffer scanned out",
            )
            before = comp.ctl_ok("outputs")["outputs"][0]
            read_before = comp.ctl_ok("copy-stats")["paths"]["pixman_read"]["bytes"]
            # New buffers, new frames: all scanned out, nothing composited in between.
            box = (8, 8, width - 16, height - 16)
            for n, colour in enumerate(("f0a010", "10f0a0", "a010f0", "f01010", "10a0f0")):
                dumb = drmio.create_dumb(card_fd, width, height)
                dumb.write(drmio.xrgb_rows(width, height, dumb.pitch, int(colour, 16)))
                dmabuf = dumb.export()
                buffer = fs.create_prime_buffer(dmabuf, width, height, XRGB8888, 0, dumb.pitch)
                os.close(dmabuf)
                fs.attach(surface, buffer, width, height)
                wait_for(
                    lambda colour=colour, n=n: region_is(
                        screendump(f"scanout-{n}"), box, rgb(colour)
                    ),
                    20,
                    what=f"buffer {n} ({colour}) on the scanout",
                )
            after = comp.ctl_ok("outputs")["outputs"][0]
            committed = after["frames_committed"] - before["frames_committed"]
            scanned = after["frames_scanned_out"] - before["frames_scanned_out"]
            info["frames"] = {"committed": committed, "scanned_out": scanned}
            info["scanout_refusal"] = after["scanout_refusal"]
            # Retried, not composited (virtio-gpu answers EBUSY now and then).
            info["commit_failures"] = after["commit_failures"] - before["commit_failures"]
            assert committed >= 5 and scanned == committed, info
            read = comp.ctl_ok("copy-stats")["paths"]["pixman_read"]["bytes"] - read_before
            info["bytes_read"] = read
            assert read == 0, read
            # Both windows' clients are this process: the fullscreen one has the output's size.
            (client,) = [
                c
                for c in comp.ctl_ok("clients")["clients"]
                if c["pid"] == os.getpid()
                and any(s["buffer"]["width"] == width for s in c["surfaces"])
            ]
            top = next(s for s in client["surfaces"] if s["role"] == "xdg_toplevel")
            info["path"], info["diagnosis"] = top["path"], client["diagnosis"]
            assert top["path"].startswith("direct scanout"), top
            assert client["zero_copy"] is True, client["diagnosis"]
        finally:
            fs.close()
            below.close()
    comp.stop(check=False)
    Path("/mnt/out/compositor.log").write_text(comp.log())

    try:
        env = {**gl_env(), **SEAT_ENV}
    except GLSetupMissing as exc:
        env = None
        checks.skip("planar_gl", str(exc))
    if env is not None:
        with checks.check("planar_gl") as info:
            gl = start(["--renderer", "gles2"], env, "comp-gl")
            try:
                formats = gl.ctl_ok("buffers")["formats"]
                info["formats"] = formats
                assert "NV12" in formats, f"GLES2 renderer does not offer NV12: {formats}"
                # On virtio-gpu's own dumb buffer: kms_swrast imports dma-bufs through the card
                # it runs on, and virtio-gpu cannot import vgem's (EGL_BAD_ALLOC).
                card_fd = os.open("/dev/dri/card0", os.O_RDWR | os.O_CLOEXEC)
                nv12 = planar_buffer(gl, card_fd)
                try:
                    view = gl.wait_for_view("vm.nv12", timeout=20)
                    box = box_of(view)
                    last: list = []

                    def red_on_scanout():
                        last[:] = [screendump("nv12-gl")]
                        return region_is(last[0], box, (255, 0, 0), tolerance=24)

                    try:  # polled: a frame reaches the scanout some time after the commit
                        wait_for(red_on_scanout, 20, what="the NV12 buffer's red on the scanout")
                    finally:
                        info["pixel"] = last[0].getpixel((box[0] + 5, box[1] + 5)) if last else None
                finally:
                    nv12.close()  # never leave a pywayland display to the GC (crashes)
            finally:
                gl.stop(check=False)
                Path("/mnt/out/compositor-gl.log").write_text(gl.log())
    seatd.terminate()
    return 0 if all(r["ok"] is not False for r in checks.results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
