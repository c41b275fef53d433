"""The renderer's features for the rest of the compositor: copy counters, the overlay and
screenshots, with their control commands (``copy-stats``, ``overlay``, ``screenshot``).

The frame loop (:mod:`compositor.output`, in C) hands an output's frames to
:meth:`RenderTools.render_frame` only while the overlay shows boxes; otherwise it renders
them itself (ffi/csrc/scene_render.c, pixman and GLES2 alike), with no Python (and can do
direct scan-out).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compositor.control import CommandError
from compositor.render.copy_stats import CopyStats
from compositor.render.gl import Box, Overlay, ScreenshotError, read_output, to_rgb, write_png

if TYPE_CHECKING:
    from compositor.control import ControlServer
    from compositor.core import Core
    from compositor.output import OutputManager, ServerOutput

log = logging.getLogger(__name__)


def parse_color(text: str) -> tuple[float, float, float, float]:
    """``RRGGBB`` or ``RRGGBBAA`` (hex) -> premultiplied RGBA floats."""
    text = text.removeprefix("#")
    if len(text) not in (6, 8):
        raise CommandError(f"color {text!r}: use RRGGBB or RRGGBBAA in hex")
    try:
        values = [int(text[i : i + 2], 16) / 255 for i in range(0, len(text), 2)]
    except ValueError as exc:
        raise CommandError(f"color {text!r}: not hexadecimal") from exc
    r, g, b = values[:3]
    a = values[3] if len(values) == 4 else 1.0
    return (r * a, g * a, b * a, a)


class RenderTools:
    def __init__(self, core: Core, compositor, outputs: OutputManager) -> None:
        self.core = core
        self.outputs = outputs
        self.copy_stats = CopyStats(compositor, core.renderer_kind, outputs)
        self.overlay = Overlay(core.renderer_kind)

    def on_output_added(self, server_output: ServerOutput) -> None:
        self._hand_frames(server_output)

    def _hand_frames(self, server_output: ServerOutput) -> None:
        """The overlay renders this output's frames while it wants them; else the C loop does."""
        server_output.render_by_python(self.render_frame if self.overlay.wants_frames else None)

    def render_frame(self, server_output: ServerOutput) -> bool:
        """Render and commit an output's frame with the overlay's boxes; False: left to the
        frame loop's own commit."""
        if not self.overlay.wants_frames:
            self._hand_frames(server_output)
            return False
        return self.overlay.render_frame(server_output)

    def _output(self, request: dict[str, Any]) -> ServerOutput:
        server_outputs = list(self.outputs)
        if not server_outputs:
            raise CommandError("no output yet")
        name = request.get("output")
        for server_output in server_outputs:
            if name is None or server_output.name == name:
                return server_output
        raise CommandError(f"no output {name!r}; outputs: {[v.name for v in server_outputs]}")

    def screenshot(self, request: dict[str, Any]) -> dict[str, Any]:
        if "path" not in request:
            raise CommandError("screenshot needs path=FILE.png")
        path = Path(str(request["path"])).expanduser()
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent} is not a directory")
        server_output = self._output(request)
        start = time.perf_counter()
        try:
            width, height, pixels, fmt = read_output(server_output, self.overlay)
        except ScreenshotError as exc:
            raise CommandError(str(exc)) from exc
        read_s = time.perf_counter() - start
        self.copy_stats.count_readback(len(pixels))
        write_png(path, width, height, to_rgb(pixels, fmt))
        log.info("screenshot of %s: %dx%d -> %s", server_output.name, width, height, path)
        return {
            "path": str(path),
            "output": server_output.name,
            "width": width,
            "height": height,
            "renderer": self.core.renderer_kind,
            "readback_ms": round(read_s * 1000, 2),
        }

    def overlay_command(self, request: dict[str, Any]) -> dict[str, Any]:
        server_outputs = list(self.outputs)
        name = str(request.get("name", "default"))
        if request.get("remove"):
            if not self.overlay.remove(name, server_outputs):
                raise CommandError(f"no overlay box {name!r}")
        elif {"x", "y", "width", "height"} <= request.keys():
            try:
                x, y, w, h = (int(request[k]) for k in ("x", "y", "width", "height"))
            except (TypeError, ValueError) as exc:
                raise CommandError("x, y, width and height are integers") from exc
            if w <= 0 or h <= 0:
                raise CommandError("width and height must be positive")
            box = Box(x, y, w, h, parse_color(str(request.get("color", "ff0000"))))
            self.overlay.set(name, box, server_outputs)
        elif request:
            raise CommandError("overlay name=N x= y= width= height= [color=RRGGBB] | remove=1")
        for server_output in server_outputs:
            self._hand_frames(server_output)
        return {
            "boxes": {k: vars(b) for k, b in self.overlay.boxes.items()},
            "frames_drawn": self.overlay.frames_drawn,
            "renderer": self.core.renderer_kind,
        }

    def register_commands(self, control: ControlServer) -> None:
        control.register(
            "copy-stats",
            "CPU copies and bytes of client pixels per path and per frame (reset=1 to zero)",
            self.copy_stats.command,
        )
        control.register(
            "screenshot",
            "render an output and write it as PNG (path=FILE.png [output=NAME])",
            self.screenshot,
        )
        control.register(
            "overlay",
            "draw a box over the outputs (name= x= y= width= height= color=RRGGBB) or remove=1",
            lambda r: self.overlay_command({k: v for k, v in r.items() if k != "cmd"}),
        )

    def destroy(self) -> None:
        self.copy_stats.destroy()
