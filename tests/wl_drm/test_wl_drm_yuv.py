"""Multi-planar YUV through wl_drm on pixman: NV12 and YUV420 (one fd, 2 or 3 planes) are
converted to XRGB8888 by the compositor's C code (BT.601, limited range: wl_drm carries no
colour information) and shown with the right colours, checked against a float reference.

Here the planes live in a memfd (no /dev/dri); in the VM they would be a dma-buf, through the
same mmap path plus DMA_BUF_IOCTL_SYNC. GLES2 imports YUV dma-bufs through EGL instead (the
VM's NV12 check, tests/vm/test_prime_buffers.py)."""

from __future__ import annotations

import mmap
import os

import pytest

from compositor.wl_drm.formats import NV12, YUV420
from tests.clients.wl_drm_client import ClientGroup
from tests.harness import wait_for

WIDTH, HEIGHT = 64, 48
# (Y, Cb, Cr) per quadrant: top-left, top-right, bottom-left, bottom-right.
QUADRANTS = [(81, 90, 240), (145, 54, 34), (41, 240, 110), (180, 128, 128)]


def reference_rgb(y: int, u: int, v: int) -> tuple[int, int, int]:
    """BT.601 limited range, in floating point (an independent reference)."""
    yy = (y - 16) * 255 / 219
    cb, cr = (u - 128) * 255 / 224, (v - 128) * 255 / 224
    r = yy + 1.402 * cr
    g = yy - 0.344136 * cb - 0.714136 * cr
    b = yy + 1.772 * cb
    return tuple(max(0, min(255, round(c))) for c in (r, g, b))  # type: ignore[return-value]


def quadrant(x: int, y: int) -> tuple[int, int, int]:
    return QUADRANTS[(1 if x >= WIDTH // 2 else 0) + (2 if y >= HEIGHT // 2 else 0)]


def yuv_memfd(fmt: int) -> tuple[int, list[int], list[int]]:
    """A sealable memfd holding the test picture: (fd, offsets, strides)."""
    ystride, cw, ch = WIDTH + 16, WIDTH // 2, HEIGHT // 2  # padded luma rows
    luma = bytearray(ystride * HEIGHT)
    for row in range(HEIGHT):
        for col in range(WIDTH):
            luma[row * ystride + col] = quadrant(col, row)[0]
    if fmt == NV12:
        cstride = WIDTH
        chroma = bytearray(cstride * ch)
        for row in range(ch):
            for col in range(cw):
                _, u, v = quadrant(col * 2, row * 2)
                chroma[row * cstride + 2 * col : row * cstride + 2 * col + 2] = bytes((u, v))
        planes = [bytes(luma), bytes(chroma)]
        strides = [ystride, cstride]
    else:
        cstride = cw
        us, vs = bytearray(cstride * ch), bytearray(cstride * ch)
        for row in range(ch):
            for col in range(cw):
                _, u, v = quadrant(col * 2, row * 2)
                us[row * cstride + col], vs[row * cstride + col] = u, v
        planes = [bytes(luma), bytes(us), bytes(vs)]
        strides = [ystride, cstride, cstride]
    offsets, total = [], 0
    for plane in planes:
        offsets.append(total)
        total += len(plane)
    fd = os.memfd_create("yuv-test", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    os.ftruncate(fd, total)
    with mmap.mmap(fd, total) as data:
        data[:] = b"".join(planes)
    return fd, offsets, strides


@pytest.fixture
def clients():
    group = ClientGroup()
    yield group
    group.close_all()


@pytest.mark.parametrize("fmt", [NV12, YUV420], ids=["NV12", "YUV420"])
def test_yuv_buffers_show_bt601_colours(wl_drm_compositor, clients, fmt):
    comp = wl_drm_compositor
    client = clients.connect(comp)
    assert fmt in client.events.formats
    fd, offsets, strides = yuv_memfd(fmt)
    planes = [v for pair in zip(offsets, strides, strict=True) for v in pair]
    planes += [0] * (6 - len(planes))
    buffer = client.create_prime_buffer(fd, WIDTH, HEIGHT, fmt, *planes)
    os.close(fd)
    client.show(buffer, WIDTH, HEIGHT, app_id="test.yuv")
    view = comp.wait_for_view("test.yuv")
    x0, y0 = view["x"], view["y"]
    points = [(8, 8), (WIDTH - 8, 8), (8, HEIGHT - 8), (WIDTH - 8, HEIGHT - 8)]

    def colours():
        image = comp.screenshot()
        return [image.getpixel((x0 + x, y0 + y)) for x, y in points]

    expected = [reference_rgb(*quadrant(x, y)) for x, y in points]
    got = wait_for(
        lambda: (c := colours()) and all(p != (0, 0, 0) for p in c) and c,
        20,
        what="the YUV buffer on screen",
    )
    for point, want, have in zip(points, expected, got, strict=True):
        assert all(abs(a - b) <= 2 for a, b in zip(want, have, strict=True)), (point, want, have)
    # The inspector shows what it is and that the CPU converted it.
    table = comp.ctl_ok("buffers")["clients"][0]["buffers"][0]
    assert table["format"] in ("nv12", "yuv420") and "YUV -> XRGB conversion" in table["import"]
    (client_info,) = comp.ctl_ok("clients", pid=os.getpid())["clients"]
    surface = next(s for s in client_info["surfaces"] if s["role"] == "xdg_toplevel")
    assert surface["buffer"]["format"] == ("NV12" if fmt == NV12 else "YU12")
    assert len(surface["buffer"]["planes"]) == (2 if fmt == NV12 else 3)
    assert surface["path"] == "CPU colour conversion (BT.601) to XRGB8888, read by pixman"
