"""Real clients render, and their pixels reach the output (read back through screencopy)."""

from __future__ import annotations

import colorsys

from tests.conftest import needs
from tests.harness import wait_for
from tests.helpers import overlap, pixels, region_is, rgb, solid_window

BACKGROUND = (0, 0, 0)


def test_solid_client_pixels_exact_and_placed(compositor):
    _, view = solid_window(compositor, "3366cc", "test.blue")
    image = compositor.screenshot()
    x, y, w, h = view["x"], view["y"], view["width"], view["height"]
    assert (w, h) == (200, 150)
    assert region_is(image, (x, y, w, h), rgb("3366cc"))
    # Outside the window: background, on every side.
    assert region_is(image, (0, 0, image.size[0], y), BACKGROUND)
    assert region_is(image, (x + w, y, 10, h), BACKGROUND)


def test_new_windows_open_beside_each_other(compositor):
    _, first = solid_window(compositor, "ff0000", "test.red")
    _, second = solid_window(compositor, "00ff00", "test.green")
    _, third = solid_window(compositor, "0000ff", "test.blue")
    assert (first["x"], first["y"]) == (24, 24), "the first spot of the cascade"
    views = [first, second, third]
    # 640x480 holds three 200x150 windows side by side: none covers another.
    for i, a in enumerate(views):
        for b in views[i + 1 :]:
            assert not overlap(a, b), f"{a} and {b} overlap"
    image = compositor.screenshot()
    for view, color in zip(views, ("ff0000", "00ff00", "0000ff"), strict=True):
        box = (view["x"], view["y"], view["width"], view["height"])
        assert region_is(image, box, rgb(color))


def test_focused_window_is_on_top_where_windows_must_overlap(compositor):
    # Two 400x300 windows cannot both fit on 640x480 without overlapping.
    _, first = solid_window(compositor, "ff0000", "test.red", size="400x300")
    _, second = solid_window(compositor, "00ff00", "test.green", size="400x300")
    assert overlap(first, second)
    assert (first["x"], first["y"]) != (second["x"], second["y"]), "windows stacked at one spot"
    views = compositor.views()
    assert [v["app_id"] for v in views] == ["test.red", "test.green"]
    assert views[-1]["focused"] and not views[0]["focused"]
    image = compositor.screenshot()
    # Where they overlap, the newer (focused) window is visible; the older one elsewhere.
    x0, y0 = max(first["x"], second["x"]), max(first["y"], second["y"])
    assert image.getpixel((x0 + 2, y0 + 2)) == (0, 255, 0)
    assert image.getpixel((first["x"] + 2, first["y"] + 2)) == (255, 0, 0)


@needs("weston-simple-shm")
def test_weston_simple_shm_animates(compositor):
    compositor.spawn(["weston-simple-shm"])
    view = compositor.wait_for_view("org.freedesktop.weston.simple-shm")
    start = compositor.frames()
    wait_for(lambda: compositor.frames() >= start + 30, 10, what="30 more frames")
    box = (view["x"], view["y"], view["width"], view["height"])
    first = compositor.screenshot().crop((box[0], box[1], box[0] + box[2], box[1] + box[3]))
    wait_for(lambda: compositor.frames() >= start + 40, 10, what="10 more frames")
    second = compositor.screenshot().crop((box[0], box[1], box[0] + box[2], box[1] + box[3]))
    # simple-shm draws a moving colour pattern: several distinct hues, and it changes.
    assert len(_hues(first)) >= 4, "expected a multi-coloured pattern"
    assert first.tobytes() != second.tobytes(), "the pattern did not move between frames"


@needs("weston-flower")
def test_weston_flower_renders(compositor):
    compositor.spawn(["weston-flower"])
    view = compositor.wait_for_view("org.freedesktop.weston.flower")

    def coloured_pixels():
        image = compositor.screenshot()
        crop = image.crop(
            (view["x"], view["y"], view["x"] + view["width"], view["y"] + view["height"])
        )
        return sum(1 for p in pixels(crop) if max(p) > 40)

    # The flower is drawn in a random colour (each channel 0.5-1.0: sometimes grey or white)
    # on a transparent background, so count what differs from the black desktop under it.
    assert wait_for(lambda: coloured_pixels() > 500, 10, what="the flower's pixels")


@needs("weston-simple-egl")
def test_weston_simple_egl_software_renders(compositor):
    # No /dev/dri here: Mesa's EGL renders with llvmpipe/softpipe into wl_shm buffers.
    # Its default config (Mesa 25's software EGL, Debian 13, has no 16 bpp one for -s).
    compositor.spawn(["weston-simple-egl"], env={"LIBGL_ALWAYS_SOFTWARE": "1"})
    view = compositor.wait_for_view("org.freedesktop.weston.simple-egl", timeout=30)

    def triangle_colours():
        image = compositor.screenshot()
        crop = image.crop(
            (view["x"], view["y"], view["x"] + view["width"], view["y"] + view["height"])
        )
        return _hues(crop)

    # The triangle blends red, green and blue corners.
    assert wait_for(lambda: len(triangle_colours()) >= 3, 20, what="the triangle's colours")


@needs("grim")
def test_grim_writes_a_correct_png(compositor, tmp_path):
    _, view = solid_window(compositor, "cc3300", "test.orange")
    out = tmp_path / "grim.png"
    result = compositor.run_client(["grim", "-g", f"{view['x']},{view['y']} 20x10", str(out)])
    assert result.returncode == 0, result.stderr
    from PIL import Image

    image = Image.open(out).convert("RGB")
    assert image.size == (20, 10)
    assert region_is(image, (0, 0, 20, 10), rgb("cc3300"))


def _hues(image) -> set[int]:
    hues = set()
    for r, g, b in pixels(image):
        h, s, v = colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)
        if s > 0.4 and v > 0.3:
            hues.add(int(h * 12))
    return hues
