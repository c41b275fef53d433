"""The compositor's own passes over a frame wlroots has rendered: the overlay and readback.

Both run while the output's buffer is bound to the renderer (between ``wlr_renderer_begin``
and ``_end``, see ``comp_output_render_begin`` in ffi/csrc/render_tools.c):

* :class:`Overlay`: named solid boxes drawn on top of the scene (a recording indicator, an
  inspector's highlight). On GLES2 this is a GL pass with PyOpenGL in wlroots' EGL context
  (scissored clears: no shader, no state left behind); on pixman wlroots fills the boxes.
* :func:`screenshot`: renders the whole output into a spare buffer of its swapchain, draws
  the overlay, reads the pixels back (``wlr_renderer_read_pixels``) and rolls the frame back,
  so what is on screen is not disturbed. Works on both renderers.

This module is the only Python that imports OpenGL (PyOpenGL, loaded by the first GL overlay
box); the frame loop's own GL calls (glFinish on software GL) are C: ffi/csrc/render_tools.c.
"""

from __future__ import annotations

import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compositor.ffi import ffi, lib, to_native
from compositor.fourcc import XBGR8888, XRGB8888

if TYPE_CHECKING:
    from compositor.output import ServerOutput

DRM_FORMAT_XRGB8888 = XRGB8888  # bytes B, G, R, X
DRM_FORMAT_XBGR8888 = XBGR8888  # bytes R, G, B, X


class ScreenshotError(Exception):
    """The output could not be rendered or read back; the message says why."""


@dataclass
class Box:
    x: int
    y: int
    width: int
    height: int
    rgba: tuple[float, float, float, float]


_gl: Any = None


def _gles2() -> Any:
    """PyOpenGL's GLES2 bindings on EGL (the same libGLESv2 dispatch wlroots uses)."""
    global _gl
    if _gl is None:
        os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
        from OpenGL import GLES2  # noqa: PLC0415 - only GLES2 compositors load GL

        _gl = GLES2
    return _gl


class Overlay:
    """Boxes drawn over every output, in output-local coordinates."""

    def __init__(self, renderer_kind: str) -> None:
        self.renderer_kind = renderer_kind
        self.boxes: dict[str, Box] = {}
        self.frames_drawn = 0

    def __bool__(self) -> bool:
        return bool(self.boxes)

    @property
    def wants_frames(self) -> bool:
        """Whether the frame loop must render through :meth:`render_frame`: only while
        boxes are shown. (Software GL's glFinish and full updates are the C frame loop's,
        at the commit of every frame: ffi/csrc/frame_loop.c.)"""
        return bool(self.boxes)

    def set(self, name: str, box: Box, server_outputs: list[ServerOutput]) -> None:
        old = self.boxes.get(name)
        self.boxes[name] = box
        for server_output in server_outputs:
            for damaged in (old, box):
                if damaged is not None:
                    self._damage(server_output, damaged)

    def remove(self, name: str, server_outputs: list[ServerOutput]) -> bool:
        box = self.boxes.pop(name, None)
        for server_output in server_outputs if box is not None else []:
            self._damage(server_output, box)
        return box is not None

    @staticmethod
    def _damage(server_output: ServerOutput, box: Box) -> None:
        scene_output = to_native(server_output.scene_output, "struct wlr_scene_output *")
        lib.comp_output_damage_box(scene_output, box.x, box.y, box.width, box.height)
        lib.wlr_output_schedule_frame(to_native(server_output.output, "struct wlr_output *"))

    def draw(self, server_output: ServerOutput) -> None:
        """Draw the boxes into the bound buffer of ``server_output``'s output."""
        if not self.boxes:
            return
        if self.renderer_kind == "gles2":
            gl = _gles2()
            gl.glEnable(gl.GL_SCISSOR_TEST)
            for box in self.boxes.values():
                # wlroots' GLES2 renderer binds buffers with row 0 at the top (its projection
                # flips y), so the scissor takes output-local coordinates as they are.
                gl.glScissor(box.x, box.y, box.width, box.height)
                gl.glClearColor(*box.rgba)
                gl.glClear(gl.GL_COLOR_BUFFER_BIT)
            gl.glDisable(gl.GL_SCISSOR_TEST)
        else:
            output = to_native(server_output.output, "struct wlr_output *")
            for box in self.boxes.values():
                lib.comp_render_rect(output, box.x, box.y, box.width, box.height, *box.rgba)
        self.frames_drawn += 1

    def render_frame(self, server_output: ServerOutput) -> bool:
        """The frame loop's render while boxes are shown: scene, boxes, commit."""
        scene_output = to_native(server_output.scene_output, "struct wlr_scene_output *")
        bound = lib.comp_output_render_begin(scene_output, False)
        if bound <= 0:
            # 0: nothing damaged, nothing to commit. -1: no buffer (inactive session...):
            # the scene graph's commit then fails the same way and output.py handles it.
            return bound == 0
        try:
            self.draw(server_output)
        finally:
            # The commit finishes software GL's frame and drops its damage clips (a full
            # update, for virtio-gpu: comp_gl_is_software in ffi/csrc/render_tools.c).
            ok = lib.comp_output_render_end(scene_output, True, True)
        if not ok:
            # Same contract as wlr_scene_output_commit (pywlroots raises): output.py lets
            # the backend retry (EBUSY page flip, inactive session).
            raise RuntimeError("Unable to commit scene output")
        return True


def read_output(
    server_output: ServerOutput, overlay: Overlay | None
) -> tuple[int, int, bytes, int]:
    """Render an output in full into a spare buffer and read it back: (w, h, pixels, format)."""
    scene_output = to_native(server_output.scene_output, "struct wlr_scene_output *")
    width, height = server_output.output._ptr.width, server_output.output._ptr.height
    renderer = to_native(server_output.core.renderer, "struct wlr_renderer *")
    if lib.comp_output_render_begin(scene_output, True) != 1:
        raise ScreenshotError(
            f"output {server_output.name}: no buffer to render into (is the output enabled?)"
        )
    stride = width * 4
    data = ffi.new("uint8_t[]", stride * height)
    y_invert = ffi.new("bool *")
    fmt = 0
    try:
        if overlay is not None:
            overlay.draw(server_output)
        for fmt in (DRM_FORMAT_XRGB8888, DRM_FORMAT_XBGR8888):
            if lib.comp_read_pixels(renderer, fmt, stride, width, height, data, y_invert):
                break
        else:
            raise ScreenshotError(
                f"the {overlay.renderer_kind if overlay else ''} renderer cannot read "
                "XRGB8888 or XBGR8888 pixels back"
            )
    finally:
        lib.comp_output_render_end(scene_output, False, False)
    pixels = bytes(ffi.buffer(data))
    if y_invert[0]:
        rows = [pixels[y * stride : (y + 1) * stride] for y in range(height)]
        pixels = b"".join(reversed(rows))
    return width, height, pixels, fmt


def to_rgb(pixels: bytes, fmt: int) -> bytes:
    rgb = bytearray(len(pixels) // 4 * 3)
    r, b = (2, 0) if fmt == DRM_FORMAT_XRGB8888 else (0, 2)
    rgb[0::3] = pixels[r::4]
    rgb[1::3] = pixels[1::4]
    rgb[2::3] = pixels[b::4]
    return bytes(rgb)


def write_png(path: Path, width: int, height: int, rgb: bytes) -> None:
    """A plain 8-bit RGB PNG (no dependency beyond zlib)."""
    row = width * 3
    raw = b"".join(b"\x00" + rgb[y * row : (y + 1) * row] for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(raw, 3)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
    tmp.rename(path)
