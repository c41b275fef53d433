"""The composition root's handles: the wlroots objects nearly every feature needs.

:class:`compositor.server.Server` makes them once, in order (display -> backend -> renderer
and allocator (render/renderer.py, which says why it chose as :class:`RendererChoice`) ->
layout and scene -> the scene's layer trees (:class:`Stacking`)), puts them in one
:class:`Core`, and builds each feature with the core plus exactly the other collaborators it
calls. Nothing here knows a feature; no feature module imports ``compositor.server``, and
this module imports none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wlroots.wlr_types import SceneNode

from compositor.ffi import ffi, lib, to_native, to_wlroots

if TYPE_CHECKING:
    from pywayland.server import Display, EventLoop
    from wlroots.backend import Backend
    from wlroots.renderer import Renderer
    from wlroots.wlr_types import OutputLayout, Scene

    from compositor.config import Config

log = logging.getLogger(__name__)

# The scene's stacking order, bottom to top: one scene tree per layer. ``background`` and
# ``bottom`` hold layer-shell surfaces under the windows (wallpapers, desktop widgets),
# ``views`` the windows, ``top`` panels and bars above them, ``overlay`` launchers, lock
# screens and region selectors above everything (sway's order), ``drag`` the icon of a drag
# and drop in progress, above all (input/drag.py). Anything added to the scene root later
# (the recording indicator, the session lock) stacks above all of them.
LAYERS = ("background", "bottom", "views", "top", "overlay", "drag")


class Stacking:
    """The scene's layer trees (:data:`LAYERS`), made in order at the scene root."""

    def __init__(self, scene: Scene) -> None:
        root = to_native(scene.node, "struct wlr_scene_node *")
        self.trees: dict[str, SceneNode] = {}
        for name in LAYERS:  # each new tree goes on top of the ones before
            tree = lib.wlr_scene_tree_create(root)
            if tree == ffi.NULL:
                raise MemoryError(f"cannot create the {name} scene tree")
            self.trees[name] = SceneNode(to_wlroots(tree, "struct wlr_scene_node *"))
        self.background = self.trees["background"]
        self.bottom = self.trees["bottom"]
        self.views = self.trees["views"]
        self.top = self.trees["top"]
        self.overlay = self.trees["overlay"]
        self.drag = self.trees["drag"]


@dataclass
class RendererChoice:
    """The renderer render/renderer.py made, and why."""

    renderer: Renderer
    kind: str  # "gles2" or "pixman"
    drm_fd: int  # the render node fd the renderer uses, -1 for pixman
    reason: str  # why this kind was chosen, for the log and the control socket


@dataclass(eq=False)
class Core:
    config: Config
    display: Display
    event_loop: EventLoop
    backend: Backend
    backend_name: str  # "drm", "wayland", "x11" or "headless"
    renderer_choice: RendererChoice
    allocator: object
    output_layout: OutputLayout
    scene: Scene
    stacking: Stacking  # the scene's layer trees, bottom to top
    exit_code: int = field(default=0)

    @property
    def renderer(self):
        return self.renderer_choice.renderer

    @property
    def renderer_kind(self) -> str:
        """``gles2`` or ``pixman``."""
        return self.renderer_choice.kind

    def terminate(self, exit_code: int = 0) -> None:
        """Stop the event loop; :meth:`Server.run` returns ``exit_code``."""
        self.exit_code = exit_code
        self.display.terminate()

    def change_vt(self, vt: int) -> None:
        if self.backend_name != "drm":
            log.info("VT switching needs the drm backend")
            return
        self.backend.get_session().change_vt(vt)
