"""Is GLES2 on this render node really usable? Render one frame in a child process and see.

``--renderer auto`` must not pick a GL stack that creates its renderer and then crashes at
the first frame (Mesa 22.3's kms_swrast on virtio-gpu does exactly that). The child builds
what the compositor builds (headless backend, the GLES2 renderer on the node, the allocator
of :func:`compositor.render.renderer.create_allocator`, one 64x64 output), draws a clear and
a textured quad (llvmpipe's JIT shaders) and reads pixels back. It prints ``ok``
and exits 0 only if the pixel is right; a crash, a wrong pixel or a hang is the answer no.

    python -m compositor.render.probe /dev/dri/renderD128
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys

log = logging.getLogger(__name__)

_KEEP: list[object] = []
TIMEOUT_S = 60.0  # emulated guests (TCG) start Mesa slowly


def probe(node: str, timeout: float = TIMEOUT_S) -> str | None:
    """None when GLES2 renders correctly on ``node``, else why not (for the log line)."""
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "compositor.render.probe", node],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f"a test frame on {node} did not finish in {timeout:.0f} s"
    if proc.returncode == 0 and proc.stdout.strip().endswith("ok"):
        return None
    if proc.returncode < 0:
        name = signal.Signals(-proc.returncode).name
        return f"a test frame on {node} crashed the GL stack ({name})"
    detail = (proc.stdout.strip().splitlines() or ["no output"])[-1]
    return f"a test frame on {node} failed: {detail}"


def _child(node: str) -> int:
    from pywayland.server import Display
    from wlroots.backend import Backend, BackendType
    from wlroots.renderer import Renderer
    from wlroots.util.box import Box  # noqa: F401 - pywlroots' types must be loaded
    from wlroots.wlr_types import Output
    from wlroots.wlr_types.texture import Texture

    from compositor.ffi import ffi, lib, to_native, to_wlroots
    from compositor.fourcc import XRGB8888 as DRM_FORMAT_XRGB8888
    from compositor.render.allocator import allocator_for

    display = Display()
    backend = Backend(display, backend_type=BackendType.HEADLESS)
    fd = os.open(node, os.O_RDWR | os.O_CLOEXEC)
    ptr = lib.wlr_gles2_renderer_create_with_drm_fd(fd)
    if ptr == ffi.NULL:
        print("EGL/GLES2 could not be initialised")
        return 1
    renderer = Renderer(to_wlroots(ptr, "struct wlr_renderer *"))
    renderer_fd = lib.wlr_renderer_get_drm_fd(ptr)
    allocator = allocator_for(backend, renderer, "gles2", renderer_fd if renderer_fd >= 0 else fd)
    backend.start()
    native = lib.wlr_headless_add_output(to_native(backend, "struct wlr_backend *"), 64, 64)
    output = Output(to_wlroots(native, "struct wlr_output *"))
    output.init_render(allocator, renderer)
    output.set_custom_mode(64, 64, 0)
    output.enable()
    output.commit()
    green = ffi.new("uint8_t[]", bytes([0, 255, 0, 255]) * 16 * 16)
    texture = Texture.from_pixels(renderer, DRM_FORMAT_XRGB8888, 64, 16, 16, green)
    output.attach_render()
    renderer.begin(64, 64)
    renderer.clear((1.0, 0.0, 0.0, 1.0))
    renderer.render_texture(texture, output.transform_matrix, 8, 8, 1.0)
    pixels = ffi.new("uint8_t[]", 64 * 64 * 4)
    y_invert = ffi.new("bool *")
    native_renderer = to_native(renderer, "struct wlr_renderer *")
    read = lib.comp_read_pixels(native_renderer, DRM_FORMAT_XRGB8888, 256, 64, 64, pixels, y_invert)
    renderer.end()
    output.rollback()
    _KEEP.extend([display, backend, renderer, allocator, output, texture])  # see _main
    row = 63 - 10 if y_invert[0] else 10
    quad = bytes(pixels[row * 256 + 40 : row * 256 + 44])  # (10, 10): inside the quad
    clear = bytes(pixels[row * 256 + 200 : row * 256 + 204])  # (50, 10): the clear colour
    if not read or quad[:3] != b"\x00\xff\x00" or clear[:3] != b"\x00\x00\xff":
        print(f"wrong pixels: quad {quad.hex()} clear {clear.hex()} (read {read})")
        return 1
    print("ok")
    return 0


def _main(node: str) -> None:
    # No teardown (os._exit, even on errors): the answer is known, and freeing wlroots
    # objects in Python's garbage collection order is not what is being tested.
    try:
        code = _child(node)
    except Exception as exc:  # the parent logs the last line
        print(f"{type(exc).__name__}: {exc}", flush=True)
        os._exit(1)
    sys.stdout.flush()
    os._exit(code)


if __name__ == "__main__":
    logging.disable(logging.CRITICAL)
    _main(sys.argv[1])
