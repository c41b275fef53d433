"""The composition root's handles: the wlroots objects nearly every feature needs.

:class:`compositor.server.Server` makes them once, in order (display -> backend -> renderer
and allocator -> layout and scene -> the scene's layer trees), puts them in one :class:`Core`,
and builds each feature with the core plus exactly the other collaborators it calls. Nothing
here knows a feature; no feature module imports ``compositor.server``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pywayland.server import Display, EventLoop
    from wlroots.backend import Backend
    from wlroots.wlr_types import OutputLayout, Scene

    from compositor.config import Config
    from compositor.render.renderer import RendererChoice
    from compositor.shell.stacking import Stacking

log = logging.getLogger(__name__)


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
