"""The frame loop's scene commit (ffi/csrc/scene_render.c) on the pixman renderer: each
damaged pixel is painted once when what covers it is opaque, translucent windows still blend
over what is below, and many small damages stay small instead of merging into one box.

``outputs`` reports, per output, ``pixels_damaged`` (the damage the scene commits repainted)
and ``pixels_drawn`` (what they wrote for it: the background where no opaque node covers the
damage, plus each node's part of the damage that no opaque node above it hides)."""

from __future__ import annotations

import os

from tests.clients.wl_drm_client import XRGB8888, WlDrmClient, memfd_buffer
from tests.conftest import WL_DRM_TEST_ARGS, needs
from tests.helpers import overlap, rgb, solid_window
from tests.input.test_hit_testing import color_box
from tests.inspect.test_inspector import commit_and_wait_until_shown
from tests.waiting import wait_for

CLIENTS = 16


def pixel_counters(comp) -> tuple[int, int, int]:
    output = comp.ctl_ok("outputs")["outputs"][0]
    return output["frames_committed"], output["pixels_damaged"], output["pixels_drawn"]


def wait_frames(comp, count: int) -> None:
    start = comp.frames()
    wait_for(lambda: comp.frames() >= start + count, 120, what=f"{count} output frames")


@needs("weston-simple-shm")
def test_opaque_windows_paint_each_damaged_pixel_once(make_compositor):
    # weston-simple-shm: XRGB8888 (opaque), redraws and damages all of itself every frame.
    comp = make_compositor(width=1280, height=720)
    for _ in range(CLIENTS):
        comp.spawn(["weston-simple-shm"])
    wait_for(lambda: len(comp.views()) == CLIENTS, 60, what=f"{CLIENTS} windows")
    views = comp.views()
    assert any(overlap(a, b) for a in views for b in views if a is not b), "no overlap"
    wait_frames(comp, 10)
    frames0, damaged0, drawn0 = pixel_counters(comp)
    wait_frames(comp, 120)
    frames1, damaged1, drawn1 = pixel_counters(comp)
    assert damaged1 - damaged0 > 0, "the windows animated, so frames had damage"
    # Every damaged pixel written exactly once: the windows under an opaque one are not
    # painted where it covers them, nor is the background (wlroots' own commit paints
    # the background and every window under the damage, bottom to top). This is the code's
    # own count: test_a_window_under_an_opaque_one_is_never_read measures what is read.
    assert drawn1 - drawn0 == damaged1 - damaged0


def unwritten_memfd(size: int) -> int:
    fd = os.memfd_create("never-written", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    os.ftruncate(fd, size)
    return fd


def pages_read(fd: int) -> int:
    """Pages of a never-written memfd that someone read: reading a hole through a mapping
    allocates a page (st_blocks counts 512-byte blocks)."""
    return os.fstat(fd).st_blocks // (os.sysconf("SC_PAGE_SIZE") // 512)


def test_a_window_under_an_opaque_one_is_never_read(make_compositor):
    """What the frames really read, measured outside the compositor: the pixels_drawn sum
    above is the code's own count, and painting a hidden window (then the one over it) would
    leave both the count and the picture unchanged. The hidden window's buffers are memfds
    that no one wrote: a page read through a mapping gets allocated then, so each must keep
    0 pages while an opaque fullscreen window covers it, through frames that its own
    commits damaged; once uncovered, the same measure sees its pages read."""
    comp = make_compositor(args=WL_DRM_TEST_ARGS)
    width, height, stride = 200, 150, 800
    client = WlDrmClient(str(comp.runtime_dir / comp.socket))
    fds: list[int] = []
    try:
        fd = memfd_buffer(width, height, stride, 0xCC3333)
        first = client.create_prime_buffer(fd, width, height, XRGB8888, 0, stride)
        os.close(fd)
        surface = client.show(first, width, height, app_id="test.hidden")
        comp.wait_for_view("test.hidden")
        cover, _ = solid_window(comp, "3366cc", "test.cover", fullscreen=True)
        wait_for(
            lambda: any(
                v["app_id"] == "test.cover"
                and (v["x"], v["y"], v["width"], v["height"]) == (0, 0, 640, 480)
                for v in comp.views()
            ),
            10,
            what="the cover fullscreen",
        )
        wait_for(lambda: color_box(comp.screenshot(), "cc3333") is None, 10, what="cc3333 hidden")
        frames = comp.frames()
        for _ in range(5):
            fds.append(unwritten_memfd(stride * height))
            buffer = client.create_prime_buffer(fds[-1], width, height, XRGB8888, 0, stride)
            commit_and_wait_until_shown(client, surface, buffer, width, height)
        assert comp.frames() >= frames + 5, "each commit damaged a frame"
        assert [pages_read(fd) for fd in fds] == [0] * 5
        # Uncovered, its last buffer is drawn: read, all of it (150 rows of 800 bytes).
        cover.stdin.write("minimize\n")
        cover.stdin.flush()
        pages = -(-stride * height // os.sysconf("SC_PAGE_SIZE"))
        wait_for(lambda: pages_read(fds[-1]) == pages, 10, what="the uncovered buffer read")
    finally:
        client.close()
        for fd in fds:
            os.close(fd)


def test_translucent_window_blends_over_the_one_below(compositor):
    # 400x300 each on 640x480: they cannot avoid overlapping.
    _, below = solid_window(compositor, "cc3333", "test.below", size="400x300")
    _, above = solid_window(compositor, "3366cc", "test.above", size="400x300", alpha="80")
    assert overlap(below, above)
    image = compositor.screenshot()
    alpha = 0x80 / 255
    above_premultiplied = [round(c * alpha) for c in rgb("3366cc")]
    blended = tuple(
        a + round(b * (1 - alpha)) for a, b in zip(above_premultiplied, rgb("cc3333"), strict=True)
    )

    def near(pixel, expected) -> bool:  # pixman's 8-bit blending rounds by up to 1
        return all(abs(p - e) <= 1 for p, e in zip(pixel, expected, strict=True))

    def inside(view, x, y) -> bool:
        return (
            view["x"] <= x < view["x"] + view["width"]
            and view["y"] <= y < view["y"] + view["height"]
        )

    def first_pixel(where) -> tuple[int, int]:
        return next((x, y) for y in range(0, 480, 4) for x in range(0, 640, 4) if where(x, y))

    both = first_pixel(lambda x, y: inside(below, x, y) and inside(above, x, y))
    assert near(image.getpixel(both), blended), image.getpixel(both)
    above_only = first_pixel(lambda x, y: inside(above, x, y) and not inside(below, x, y))
    assert near(image.getpixel(above_only), above_premultiplied), image.getpixel(above_only)
    below_only = first_pixel(lambda x, y: inside(below, x, y) and not inside(above, x, y))
    assert image.getpixel(below_only) == rgb("cc3333")
    # Translucent: the blended pixels were painted twice (window below, then above).
    _, damaged, drawn = pixel_counters(compositor)
    assert drawn > damaged


@needs("weston-simple-damage")
def test_small_damages_of_many_windows_stay_small(make_compositor):
    # weston-simple-damage redraws a 21x21 ball per frame and damages its old and new boxes.
    comp = make_compositor(width=1920, height=1080)
    for _ in range(CLIENTS):
        comp.spawn(["weston-simple-damage", "--width=400", "--height=300"])
    wait_for(lambda: len(comp.views()) == CLIENTS, 60, what=f"{CLIENTS} windows")
    wait_frames(comp, 10)
    frames0, damaged0, _ = pixel_counters(comp)
    wait_frames(comp, 120)
    frames1, damaged1, _ = pixel_counters(comp)
    # At most two 21x21 boxes per client commit, and a client commits once per frame
    # callback (twice between two output frames at most): what the clients damaged. wlroots'
    # default of 20 rectangles merged them into their bounding box: ~40x more.
    most = CLIENTS * 2 * 2 * 21 * 21
    assert 0 < damaged1 - damaged0 <= most * (frames1 - frames0)
