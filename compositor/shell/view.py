"""A window, whatever its role: what the window manager knows of it and does to it.

Each role has its own class: :class:`~compositor.shell.xdg_view.XdgView` (xdg_toplevel),
:class:`~compositor.shell.xwayland.XWaylandView` (a managed X11 window). The window manager
(shell/window_manager.py) and everything else reach the client only through the role
members a :class:`View` declares (``surface``, ``title``, ``app_id``, ``geometry``,
``set_size``, ``parent_view``, ``set_activated``, ``_configure_maximized``,
``_configure_fullscreen``, ``close``) and share the rest: the scene tree, position, states,
title bar, what is told to observers, and the client's requests (move, resize, states).

Each view owns a scene tree (``View.tree``, tagged so that hit testing finds the view from
any node below it): its position is the top-left corner of the client's window geometry,
with the client's surfaces below it.

Window states: maximized (the usable area of its output), fullscreen (its output, above
the panels) and minimized (hidden). Entering the first of maximized/fullscreen remembers the
geometry that leaving the last of them restores.
"""

from __future__ import annotations

import itertools
import logging
from typing import TYPE_CHECKING

from wlroots.wlr_types import SceneNode, Surface

from compositor.ffi import address, ffi, lib, to_native, to_wlroots

if TYPE_CHECKING:
    from compositor.shell.decorations import TitleBar
    from compositor.shell.window_manager import WindowManager

log = logging.getLogger(__name__)
_ids = itertools.count(1)  # View.id: a window's number for commands (`focus id=N`)


class View:
    """One window: position in layout coordinates, its scene tree, its states."""

    kind = "?"  # the role: "xdg" or "x11"

    def __init__(self, wm: WindowManager) -> None:
        self.wm = wm
        self.id = next(_ids)
        tree = lib.comp_view_tree_create(to_native(wm.tree, "struct wlr_scene_node *"))
        if tree == ffi.NULL:
            raise MemoryError("cannot create a window's scene tree")
        self.tree = SceneNode(to_wlroots(tree, "struct wlr_scene_node *"))
        self.tree_address = address(tree)
        self.x = 0
        self.y = 0
        self.mapped = False
        self.placed = False
        # Moved by the person (a pointer drag): a dialog then stays there, not put over its
        # parent when that maps later (X11 USPosition is not this: Qt says it for positions
        # it computed itself).
        self.user_moved = False
        self.maximized = False
        self.fullscreen = False
        # Asked for attention (xdg-activation without user input) and not focused since.
        self.urgent = False
        self.minimized = False
        self.fullscreen_output: str | None = None  # the output's name
        # x, y, width, height before the first of maximized/fullscreen; None: never normal
        # (the client asked for a state before it mapped).
        self.restore_geometry: tuple[int, int, int, int] | None = None
        self.pid = 0
        # Decorations (shell/decorations.py): "none" (the client never asked), "client" or
        # "server"; the compositor's title bar while "server".
        self.decoration_mode = "none"
        self.decoration: TitleBar | None = None
        # The window layer (window_manager.WINDOW_LAYERS): "above" and "below" keep it over
        # or under every normal window (a window rule, the set-layer command).
        self.layer = "normal"

    # -- the role (each role class has these) ---------------------------------------------

    @property
    def surface(self) -> Surface:
        raise NotImplementedError

    @property
    def title(self) -> str:
        raise NotImplementedError

    @property
    def app_id(self) -> str:
        raise NotImplementedError

    def geometry(self) -> tuple[int, int, int, int]:
        """x, y (layout) and width, height of the window geometry."""
        raise NotImplementedError

    def set_size(self, width: int, height: int) -> None:
        """Ask the client for this size of window geometry (0, 0: the client picks)."""
        raise NotImplementedError

    def parent_view(self) -> View | None:
        """The window this one is a transient of (a dialog's main window), or None."""
        raise NotImplementedError

    def set_activated(self, activated: bool) -> None:
        raise NotImplementedError

    def _configure_maximized(self, maximized: bool) -> None:
        raise NotImplementedError

    def _configure_fullscreen(self, fullscreen: bool) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def restacked(self) -> None:
        """The window manager moved this window in the stacking order without focusing it
        (its window layer changed, or it mapped without the focus). A role that keeps an
        order of its own (X11) follows."""

    # -- shared ---------------------------------------------------------------------------

    def move_to(self, x: int, y: int) -> None:
        dx, dy = int(x) - self.x, int(y) - self.y
        self.x, self.y = int(x), int(y)
        self.tree.set_position(self.x, self.y)
        self._notify("moved")
        if self.mapped and self.placed and (dx or dy):
            self.wm.on_view_moved(self, dx, dy)

    @property
    def title_bar_height(self) -> int:
        """Height of the compositor's title bar above the window geometry (0: none)."""
        return self.decoration.height if self.decoration is not None else 0

    @property
    def state(self) -> str:
        """What the window looks like now: minimized, fullscreen, maximized or normal."""
        if self.minimized:
            return "minimized"
        if self.fullscreen:
            return "fullscreen"
        return "maximized" if self.maximized else "normal"

    # -- window states (the Shell calls these, then restacks) ------------------------------

    def set_maximized(self, maximized: bool) -> None:
        if maximized == self.maximized:
            return
        self._remember_geometry()
        self.maximized = maximized
        self._configure_maximized(maximized)
        self.arrange()
        self._notify("state")

    def set_fullscreen(self, fullscreen: bool, output_name: str | None = None) -> None:
        """Fullscreen on ``output_name`` (default: the output the window is on)."""
        if fullscreen == self.fullscreen and (
            not fullscreen or output_name in (None, self.fullscreen_output)
        ):
            return
        self._remember_geometry()
        self.fullscreen = fullscreen
        self.fullscreen_output = None
        if fullscreen:
            self.fullscreen_output = output_name or self.wm.output_name_of(self)
        self._configure_fullscreen(fullscreen)
        self.arrange()
        self._notify("state")

    def set_minimized(self, minimized: bool) -> None:
        self.minimized = minimized
        lib.wlr_scene_node_set_enabled(
            to_native(self.tree, "struct wlr_scene_node *"), not minimized
        )
        self._notify("minimized")

    def _remember_geometry(self) -> None:
        if not (self.maximized or self.fullscreen):
            self.restore_geometry = self.geometry() if self.placed else None

    def arrange(self) -> None:
        """Size and place the window for its state: fullscreen covers its output,
        maximized the output's usable area; leaving both restores the geometry before."""
        if self.fullscreen or self.maximized:
            box = self.wm.state_box(self)
            if box is None:  # no output: keep what it has
                return
            x, y, width, height = box
            self.move_to(x, y)
            self.placed = True
            self.set_size(width, height)
            return
        restore, self.restore_geometry = self.restore_geometry, None
        if restore is not None:
            x, y, width, height = restore
            self.move_to(x, y)
            self.set_size(width, height)
            return
        # Never shown in the normal state: the client picks its size (0x0), and the window
        # goes where a new one would.
        self.set_size(0, 0)
        if self.mapped:
            self.move_to(*self.wm.place_new_view(self))
        else:
            self.placed = False

    def on_mapped(self) -> None:
        """The role's surface mapped: placed (if not yet), focused, told."""
        self.mapped = True
        if not self.placed:
            self.move_to(*self.wm.place_new_view(self))
            self.placed = True
        log.info(
            "view mapped: app_id=%r title=%r pid=%s at %d,%d (%s)",
            self.app_id,
            self.title,
            self.pid,
            self.x,
            self.y,
            self.state,
        )
        self.wm.on_view_mapped(self)
        self._notify("mapped")

    def on_unmapped(self) -> None:
        self.mapped = False
        self.wm.on_view_unmapped(self)
        self._notify("unmapped")

    def _notify(self, change: str) -> None:
        """Tell the window manager's observers (the taskbar handles of
        shell/foreign_toplevel.py; idle inhibition follows them) what changed: mapped,
        unmapped, destroyed, moved, minimized, state, title, app_id, parent or configured."""
        for observer in self.wm.view_changed_observers:
            observer(self, change)

    def _teardown(self) -> None:
        """The window goes, whatever its role: title bar, the window manager's records and
        the scene tree (the role removed its listeners first)."""
        self._notify("destroyed")
        if self.decoration is not None:  # its nodes live in the tree destroyed below
            self.decoration.destroy()
            self.decoration = None
        self.wm.on_view_destroyed(self)
        lib.wlr_scene_node_destroy(to_native(self.tree, "struct wlr_scene_node *"))
        del self.tree

    # -- what the client asks for ---------------------------------------------------------

    def request_move(self, serial: int | None) -> None:
        """Moved by the pointer, only with the serial of the button press still held on one
        of its surfaces (None: any press held there; X11 has no serials), so that a
        background client cannot grab the pointer."""
        seat = self.wm.seat
        if seat is not None and seat.press_belongs_to(self, serial):
            seat.begin_move(self)

    def request_resize(self, serial: int | None, edges) -> None:
        seat = self.wm.seat
        if seat is not None and seat.press_belongs_to(self, serial):
            seat.begin_resize(self, edges)

    def parent_changed(self) -> None:
        """The client named another parent (or none)."""
        self._notify("parent")
        if not self.mapped:
            # Placed over its parent when it maps, also if it was shown before (GTK 3 maps
            # a dialog, unmaps it when the decoration mode is settled, names the parent and
            # maps it again).
            if not (self.maximized or self.fullscreen) and self.parent_view() is not None:
                self.placed = False
            return
        # A toolkit may map a dialog and name its parent a moment later (GTK 3 does, now and
        # then): it goes over its parent then, and above it (unless the person moved it).
        parent = self.parent_view()
        if parent is not None and parent.mapped:
            self.wm.put_over_parent(self, parent)
        self.wm.restack()

    def describe(self) -> dict:
        x, y, width, height = self.geometry()
        return {
            "id": self.id,
            "app_id": self.app_id,
            "title": self.title,
            "pid": self.pid,
            "x": x,
            "y": y,
            "width": width,
            "height": height,
            "mapped": self.mapped,
            "focused": self.wm.focused_view is self,
            "state": self.state,
            "layer": self.layer,
            "maximized": self.maximized,
            "fullscreen": self.fullscreen,
            "urgent": self.urgent,
            "minimized": self.minimized,
            "decoration": self.decoration_mode,
            "xwayland": self.kind == "x11",
            "parent": parent.app_id if (parent := self.parent_view()) is not None else None,
        }
