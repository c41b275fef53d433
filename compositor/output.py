"""Outputs: enabling each new output, laying it out left to right, and its frame loop.

The frame loop is C (``comp_frame_loop`` in ffi/csrc/frame_loop.c): on every ``frame`` event
it sends the surfaces their ``frame done`` (first: they draw their next frame while this one
renders), commits the scene graph to the output (only what changed is rendered, pixman and
GLES2 alike: ffi/csrc/scene_render.c), counts the frames that really reached the output
and reports them presented on headless, with no Python on the way. Python is called from it
only while something asked: the overlay renders frames itself
(:meth:`ServerOutput.render_by_python`), and the DRM backend retries failed commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from pywayland.server import Listener
from wlroots.wlr_types import Output
from wlroots.wlr_types.scene import SceneOutput

from compositor.control import CommandError
from compositor.ffi import ffi, lib, to_native
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from compositor.control import ControlServer
    from compositor.core import Core

log = logging.getLogger(__name__)


class _GoneLoop:
    """The counters of an output that went away (its C loop is freed)."""

    frames_committed = frames_scanned_out = scanout_buffer = pixels_damaged = pixels_drawn = 0
    frames_finished = 0
    python_renders = python_on_failure = False


_GONE = _GoneLoop()


@ffi.def_extern()
def comp_py_render_frame(handle: object) -> bool:
    return ffi.from_handle(handle)._python_render()


@ffi.def_extern()
def comp_py_commit_failed(handle: object) -> None:
    ffi.from_handle(handle)._commit_failed()


class ServerOutput:
    """One output of the compositor: its scene output, frame loop and counters."""

    def __init__(self, core: Core, output: Output, on_gone: Callable[[ServerOutput], None]) -> None:
        self.core = core
        self.output = output
        self.name = output.name or "?"
        self._on_gone = on_gone
        self.scene_output: SceneOutput = core.scene.get_scene_output(output)
        self._native_output = to_native(output, "struct wlr_output *")
        self._handle = ffi.new_handle(self)
        self.loop = lib.comp_frame_loop_create(
            to_native(self.scene_output, "struct wlr_scene_output *"), self._handle
        )
        if self.loop == ffi.NULL:
            raise MemoryError(f"output {self.name}: cannot create its frame loop")
        self._render_by_python: Callable[[ServerOutput], bool] | None = None
        self._on_commit_failed = getattr(core.backend, "on_commit_failed", None)
        self.loop.python_on_failure = self._on_commit_failed is not None
        self._listeners = Listeners((output.destroy_event, self._on_destroy))

    @property
    def frames_committed(self) -> int:
        return self.loop.frames_committed

    def render_by_python(self, render: Callable[[ServerOutput], bool] | None) -> None:
        """Let ``render`` render and commit this output's frames (True: it did), or give
        the frames back to the C loop (None)."""
        self._render_by_python = render
        self.loop.python_renders = render is not None

    @property
    def size(self) -> tuple[int, int]:
        return self.output.effective_resolution()

    @property
    def layout_position(self) -> tuple[int, int]:
        box = self.core.output_layout.get_box(self.output)
        return (box.x, box.y) if box is not None else (0, 0)

    def _python_render(self) -> bool:
        render = self._render_by_python
        try:
            return render is not None and render(self)
        except RuntimeError:
            return False  # the C loop's own commit then fails the same way and reports it

    def _commit_failed(self) -> None:
        if self._on_commit_failed is not None:
            self._on_commit_failed(self.output)

    def _on_destroy(self, listener: Listener, data: object) -> None:
        log.info("output %s removed", self.name)
        self._listeners.remove_all()
        # The loop stopped listening in its own destroy handler, which ran before this one.
        lib.comp_frame_loop_destroy(self.loop)
        self.loop = _GONE
        self._on_gone(self)

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
            # Frames that showed a client's buffer on a KMS plane with no composition.
            "frames_scanned_out": self.loop.frames_scanned_out,
            # Frames the backend refused (DRM: another VT, EBUSY); retried, never shown.
            "commit_failures": self.loop.commit_failures,
            "direct_scanout": bool(self.loop.scanout_buffer),
            # Why the last composited frame was not scanned out (None before any was).
            "scanout_refusal": ffi.string(self.loop.scanout_refusal).decode()
            if self.loop.scanout_refusal
            else None,
            # What the scene commits painted (pixman, GLES2): the damage, and the pixels
            # written for it (background and nodes; equal to the damage when all is opaque).
            "pixels_damaged": self.loop.pixels_damaged,
            "pixels_drawn": self.loop.pixels_drawn,
            # Frames software GL finished (glFinish) before their commit: all on llvmpipe.
            "frames_finished": self.loop.frames_finished,
        }


class OutputManager:
    """Enables new outputs and keeps the list of live ones, in layout order.

    Its observers, called in the order they were added: ``added`` with each output once it
    is enabled and laid out; ``changed`` when outputs went away (the one removed) or moved
    in the layout (None).
    """

    def __init__(self, core: Core) -> None:
        self.core = core
        self._outputs: list[ServerOutput] = []
        self.added: list[Callable[[ServerOutput], None]] = []
        self.changed: list[Callable[[ServerOutput | None], None]] = []
        self._listeners = Listeners((core.backend.new_output_event, self._on_new_output))

    def __iter__(self):
        return iter(list(self._outputs))

    def __len__(self) -> int:
        return len(self._outputs)

    def remove(self, server_output: ServerOutput) -> None:
        if server_output in self._outputs:
            self._outputs.remove(server_output)
            self._pack_left_to_right()
            self.notify_changed(removed=server_output)

    def notify_changed(self, removed: ServerOutput | None = None) -> None:
        """Outputs went away or moved in the layout (output management applies a new one)."""
        for observer in list(self.changed):
            observer(removed)

    def _pack_left_to_right(self) -> None:
        """Close the gap a removed output leaves: the rest stay in order, left to right."""
        x = 0
        for server_output in self._outputs:
            if server_output.layout_position != (x, 0):
                self.core.output_layout.move(server_output.output, x, 0)
            x += server_output.size[0]

    # -- headless hotplug, for scripts and tests --------------------------------------------

    def register_commands(self, control: ControlServer) -> None:
        control.register("output-add", "headless: add an output (width=, height=)", self._add)
        control.register("output-remove", "headless: remove an output (name=)", self._remove)

    def _require_headless(self) -> None:
        if self.core.backend_name != "headless":
            raise CommandError("outputs can be added and removed on the headless backend only")

    def _add(self, request: dict) -> dict:
        self._require_headless()
        width = int(request.get("width", self.core.config.width))
        height = int(request.get("height", self.core.config.height))
        if not (0 < width <= 16384 and 0 < height <= 16384):
            raise CommandError("width and height must be between 1 and 16384")
        backend = to_native(self.core.backend, "struct wlr_backend *")
        lib.wlr_headless_add_output(backend, width, height)
        return {"outputs": [v.describe() for v in self._outputs]}

    def _remove(self, request: dict) -> dict:
        self._require_headless()
        name = str(request["name"])
        server_output = next((v for v in self._outputs if v.name == name), None)
        if server_output is None:
            raise CommandError(f"no output named {name!r}; see the outputs command")
        lib.wlr_output_destroy(server_output._native_output)
        return {"outputs": [v.describe() for v in self._outputs]}

    def _on_new_output(self, listener: Listener, output: Output) -> None:
        core = self.core
        output.init_render(core.allocator, core.renderer)
        config = core.config
        if core.backend_name in ("wayland", "x11"):
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
        right_edge = max((v.layout_position[0] + v.size[0] for v in self._outputs), default=0)
        core.output_layout.add(output, right_edge, 0)
        server_output = ServerOutput(core, output, self.remove)
        self._outputs.append(server_output)
        width, height = server_output.size
        log.info(
            "output %s: %dx%d at %s",
            server_output.name,
            width,
            height,
            server_output.layout_position,
        )
        for observer in list(self.added):
            observer(server_output)

    def destroy(self) -> None:
        self._listeners.remove_all()
