"""Outputs: enabling each new output, laying it out left to right, and the frame loop.

Each :class:`OutputView` owns its listeners. On every ``frame`` event the scene graph is
committed to the output (wlroots renders only what changed) and surfaces get their
``frame done``; ``frames_committed`` counts the frames that really reached the output.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from pywayland.server import Listener
from wlroots.util.clock import Timespec
from wlroots.wlr_types import Output
from wlroots.wlr_types.scene import SceneOutput

from compositor.control import CommandError
from compositor.ffi import lib, to_native
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from compositor.control import ControlServer
    from compositor.server import Server

log = logging.getLogger(__name__)

FrameHook = Callable[["OutputView"], None]


class OutputView:
    """One output of the compositor: its scene output, frame loop and counters."""

    def __init__(self, server: Server, output: Output) -> None:
        self.server = server
        self.output = output
        self.name = output.name or "?"
        self.scene_output: SceneOutput = server.scene.get_scene_output(output)
        self.frames_committed = 0
        self.first_frame_time: float | None = None
        self.last_frame_time: float | None = None
        # Called after each frame that reached the output (recorder, benchmarks, ...).
        self.after_commit_hooks: list[FrameHook] = []
        self._native_output = to_native(output, "struct wlr_output *")
        # wlroots 0.15's headless outputs never emit `present` (see comp_output_send_presented).
        self._synthesize_present = bool(lib.wlr_output_is_headless(self._native_output))
        self._listeners = Listeners(
            (output.frame_event, self._on_frame),
            (output.destroy_event, self._on_destroy),
        )

    @property
    def size(self) -> tuple[int, int]:
        return self.output.effective_resolution()

    @property
    def layout_position(self) -> tuple[int, int]:
        box = self.server.output_layout.get_box(self.output)
        return (box.x, box.y) if box is not None else (0, 0)

    def _on_frame(self, listener: Listener, data: object) -> None:
        # wlr_scene_output_commit renders and commits only when something was damaged.
        before = lib.comp_output_commit_seq(self._native_output)
        try:
            # The overlay (render/gl.py) renders the frame itself while it shows boxes.
            tools = self.server.render_tools
            if tools is None or not tools.render_frame(self):
                self.scene_output.commit()
        except RuntimeError:
            # Normal on DRM: another VT holds the seat, or the last page flip is still in
            # flight (EBUSY). The damage is kept; the backend says when to try again.
            on_failed = getattr(self.server.backend, "on_commit_failed", None)
            if on_failed is not None:
                on_failed(self.output)
        if lib.comp_output_commit_seq(self._native_output) != before:
            now = time.monotonic()
            self.frames_committed += 1
            if self._synthesize_present:
                lib.comp_output_send_presented(self._native_output, self.frames_committed)
            if self.first_frame_time is None:
                self.first_frame_time = now
            self.last_frame_time = now
            for hook in list(self.after_commit_hooks):
                hook(self)
        self.scene_output.send_frame_done(Timespec.get_monotonic_time())

    def _on_destroy(self, listener: Listener, data: object) -> None:
        log.info("output %s removed", self.name)
        self._listeners.remove_all()
        self.server.outputs.remove(self)

    def describe(self) -> dict:
        width, height = self.size
        x, y = self.layout_position
        return {
            "name": self.name,
            "x": x,
            "y": y,
            "width": width,
            "height": height,
            "enabled": self.output.enabled,
            "scale": self.output.scale,
            "frames_committed": self.frames_committed,
        }


class OutputManager:
    """Enables new outputs and keeps the list of live ones, in layout order."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.views: list[OutputView] = []
        self._listeners = Listeners((server.backend.new_output_event, self._on_new_output))

    def __iter__(self):
        return iter(list(self.views))

    def __len__(self) -> int:
        return len(self.views)

    def remove(self, view: OutputView) -> None:
        if view in self.views:
            self.views.remove(view)
            self._pack_left_to_right()
            self.server.on_outputs_changed(removed=view)

    def _pack_left_to_right(self) -> None:
        """Close the gap a removed output leaves: the rest stay in order, left to right."""
        x = 0
        for view in self.views:
            if view.layout_position != (x, 0):
                self.server.output_layout.move(view.output, x, 0)
            x += view.size[0]

    # -- headless hotplug, for scripts and tests --------------------------------------------

    def register_commands(self, control: ControlServer) -> None:
        control.register("output-add", "headless: add an output (width=, height=)", self._add)
        control.register("output-remove", "headless: remove an output (name=)", self._remove)

    def _require_headless(self) -> None:
        if self.server.backend_name != "headless":
            raise CommandError("outputs can be added and removed on the headless backend only")

    def _add(self, request: dict) -> dict:
        self._require_headless()
        width = int(request.get("width", self.server.config.width))
        height = int(request.get("height", self.server.config.height))
        if not (0 < width <= 16384 and 0 < height <= 16384):
            raise CommandError("width and height must be between 1 and 16384")
        backend = to_native(self.server.backend, "struct wlr_backend *")
        lib.wlr_headless_add_output(backend, width, height)
        return {"outputs": [v.describe() for v in self.views]}

    def _remove(self, request: dict) -> dict:
        self._require_headless()
        name = str(request["name"])
        view = next((v for v in self.views if v.name == name), None)
        if view is None:
            raise CommandError(f"no output named {name!r}; see the outputs command")
        lib.wlr_output_destroy(view._native_output)
        return {"outputs": [v.describe() for v in self.views]}

    def _on_new_output(self, listener: Listener, output: Output) -> None:
        server = self.server
        output.init_render(server.allocator, server.renderer)
        config = server.config
        if server.backend_name in ("wayland", "x11"):
            # A nested output is a window: size it as asked.
            output.set_custom_mode(config.width, config.height, 0)
        elif config.mode is not None:
            from compositor.drm_backend.modes import apply_mode

            apply_mode(output, config.mode)  # a listed mode when there is one
        else:
            preferred = output.preferred_mode()
            if preferred is not None:
                output.set_mode(preferred)
        output.enable()
        try:
            output.commit()
        except RuntimeError:
            log.error("output %s: the first modeset failed; try another --mode", output.name)
            return
        # Left to right, in the order outputs appear.
        right_edge = max((v.layout_position[0] + v.size[0] for v in self.views), default=0)
        server.output_layout.add(output, right_edge, 0)
        view = OutputView(server, output)
        self.views.append(view)
        width, height = view.size
        log.info("output %s: %dx%d at %s", view.name, width, height, view.layout_position)
        server.on_output_added(view)

    def destroy(self) -> None:
        self._listeners.remove_all()
