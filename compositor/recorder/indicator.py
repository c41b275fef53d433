"""On-screen indicator: a small red square in the top-right corner of the recorded output.

It is a scene node like any window, so it is in the recording and in screenshots alike;
pixel comparisons that must not see it mask :attr:`Indicator.box` (``record-status`` reports
it as ``indicator``, in output coordinates).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compositor import wayland_fixes
from compositor.ffi import ffi, lib, to_native

if TYPE_CHECKING:
    from compositor.output import ServerOutput

SIZE = 12
MARGIN = 4
RED = (0.86, 0.08, 0.08, 1.0)


class Indicator:
    def __init__(self, server_output: ServerOutput) -> None:
        self.output = server_output
        self._idle: Any = None
        scene = to_native(server_output.core.scene, "struct wlr_scene *")
        width, _ = server_output.size
        # In output coordinates, for record-status and pixel comparisons that mask it.
        self.box = {"x": width - SIZE - MARGIN, "y": MARGIN, "width": SIZE, "height": SIZE}
        x, y = self._position()
        self._rect = lib.comp_rec_indicator_create(scene, x, y, SIZE, SIZE, *RED)
        if self._rect == ffi.NULL:
            raise MemoryError("cannot create the recording indicator")

    def _position(self) -> tuple[int, int]:
        ox, oy = self.output.layout_position
        width, _ = self.output.size
        return ox + width - SIZE - MARGIN, oy + MARGIN

    def follow_output(self) -> None:
        """The output moved or changed size: put the indicator back in its corner. (It stays
        above everything: it is on the scene root, above the stacking trees.)"""
        if self._rect is not None:
            width, _ = self.output.size
            self.box["x"] = width - SIZE - MARGIN
            lib.comp_rec_indicator_raise(self._rect, *self._position())

    def destroy_later(self, event_loop: Any) -> None:
        self._idle = wayland_fixes.add_idle(event_loop, self.destroy)

    def destroy(self) -> None:
        if self._rect is not None:
            lib.comp_rec_indicator_destroy(self._rect)
            self._rect = None
