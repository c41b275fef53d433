"""Alt+Tab: the window switcher, most recently used first.

Alt+Tab (Shift+Alt+Tab backwards) opens a list of the windows, most recently focused first,
in the middle of the output under the pointer, with the next window selected; each further
Tab (with Alt still held) moves the selection; releasing Alt focuses the selected window (a
minimized one comes back); Escape closes the list and changes nothing. A quick Alt+Tab
therefore goes back to the previous window, and pressing it again returns: the order is the
order of use, not of creation.

The list is drawn in the scene's overlay layer (above windows and panels): a dark panel,
one row per window with its title (its app_id when it has none), the selected row
highlighted. Nothing of it exists while it is closed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from wlroots.util.box import Box
from wlroots.wlr_types import SceneNode

from compositor.ffi import ffi, lib, to_native

if TYPE_CHECKING:
    from compositor.shell.view import View

log = logging.getLogger(__name__)

ROW_HEIGHT = 28
WIDTH = 420
PADDING = 8
MAX_ROWS = 16
PANEL = (0.12, 0.12, 0.14, 0.94)
SELECTED = (0.20, 0.40, 0.75, 1.0)
TEXT_X = 12


class WindowSwitcher:
    def __init__(
        self,
        layer: SceneNode,
        windows: Callable[[], list[View]],
        focus: Callable[[View], None],
        output_box: Callable[[], Box | None],
        render_text: Callable[[str], object],
    ) -> None:
        self.layer = layer  # the scene tree the list is drawn in
        self.windows = windows  # the windows that can be switched to, most recent first
        self.focus = focus
        self.output_box = output_box  # where the list goes (the output under the pointer)
        self.render_text = render_text  # title -> CPU wlr_buffer (or NULL)
        self.candidates: list[View] = []
        self.index = 0
        self._tree = ffi.NULL
        self._highlight = ffi.NULL
        self._origin = (0, 0)

    @property
    def active(self) -> bool:
        return bool(self.candidates)

    def step(self, direction: int) -> None:
        """Alt+Tab (1) or Shift+Alt+Tab (-1): open the list, or move its selection."""
        if not self.candidates:
            candidates = self.windows()
            if not candidates:
                return
            self.candidates = candidates
            self.index = 0
            self._show()
        self.index = (self.index + direction) % len(self.candidates)
        self._select()

    def finish(self) -> None:
        """Alt released: focus the selected window."""
        if not self.candidates:
            return
        chosen = self.candidates[self.index]
        self._hide()
        if chosen.mapped:
            log.info("switcher: %r", chosen.app_id)
            self.focus(chosen)

    def cancel(self) -> bool:
        """Escape: close the list, focus stays; False when it was not open."""
        if not self.candidates:
            return False
        self._hide()
        return True

    def forget(self, view: View) -> None:
        """A window went while the list is open: it goes from the list."""
        if view in self.candidates:
            at = self.candidates.index(view)
            self.candidates.remove(view)
            if at < self.index or self.index >= len(self.candidates):
                self.index = max(0, self.index - 1)
            if self.candidates:
                self._show()
                self._select()
            else:
                self._hide()

    def describe(self) -> dict:
        return {
            "active": self.active,
            "windows": [v.app_id for v in self.candidates],
            "selected": self.candidates[self.index].app_id if self.candidates else None,
        }

    # -- drawing ------------------------------------------------------------------------

    def _show(self) -> None:
        self._destroy_tree()
        rows = self.candidates[:MAX_ROWS]
        height = len(rows) * ROW_HEIGHT + 2 * PADDING
        box = self.output_box()
        x = box.x + (box.width - WIDTH) // 2 if box is not None else 0
        y = box.y + (box.height - height) // 2 if box is not None else 0
        self._origin = (x, y)
        tree = lib.wlr_scene_tree_create(to_native(self.layer, "struct wlr_scene_node *"))
        if tree == ffi.NULL:
            log.warning("switcher: out of memory")
            return
        self._tree = ffi.cast("struct wlr_scene_node *", tree)
        lib.wlr_scene_node_set_position(self._tree, x, y)
        lib.wlr_scene_rect_create(self._tree, WIDTH, height, PANEL)
        self._highlight = lib.wlr_scene_rect_create(
            self._tree, WIDTH - 2 * PADDING, ROW_HEIGHT, SELECTED
        )
        for row, view in enumerate(rows):
            text = view.title or view.app_id or "(untitled)"
            if view.minimized:
                text = f"[{text}]"
            buffer = self.render_text(text[:60])
            if buffer == ffi.NULL:
                continue
            node = lib.wlr_scene_buffer_create(self._tree, buffer)
            lib.wlr_buffer_drop(buffer)  # the scene node holds it
            if node != ffi.NULL:
                lib.wlr_scene_node_set_position(
                    ffi.cast("struct wlr_scene_node *", node),
                    PADDING + TEXT_X,
                    PADDING + row * ROW_HEIGHT + (ROW_HEIGHT - 16) // 2,
                )

    def _select(self) -> None:
        if self._highlight == ffi.NULL:
            return
        # Made right after the panel, the highlight lies under the titles.
        row = min(self.index, MAX_ROWS - 1)
        lib.wlr_scene_node_set_position(
            ffi.cast("struct wlr_scene_node *", self._highlight),
            PADDING,
            PADDING + row * ROW_HEIGHT,
        )

    def _hide(self) -> None:
        self.candidates = []
        self.index = 0
        self._destroy_tree()

    def _destroy_tree(self) -> None:
        if self._tree != ffi.NULL:
            lib.wlr_scene_node_destroy(self._tree)
            self._tree = ffi.NULL
            self._highlight = ffi.NULL
