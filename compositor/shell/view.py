"""A toplevel window (xdg_toplevel) in the scene graph.

A View holds pywlroots wrappers of its xdg surface only while that surface lives: on
``destroy`` it removes its listeners and drops the wrappers, so nothing of a closed window
stays reachable (pywlroots keeps ``toplevel -> xdg_surface`` in a module-level
WeakKeyDictionary, which a live listener would otherwise pin forever).

Each view owns a scene tree (``View.tree``, tagged so that hit testing finds the view from
any node below it): its position is the top-left corner of the client's window geometry,
and ``wlr_scene_xdg_surface_create`` hangs the surface below it shifted by the geometry's
offset (client-side shadows lie outside), with subsurfaces and popups below that.

Window states: maximized (the usable area of its output), fullscreen (its output, above
the panels) and minimized (hidden). Entering the first of maximized/fullscreen remembers the
geometry that leaving the last of them restores.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pywayland.server import Listener
from wlroots import ffi as wlr_ffi
from wlroots import lib as wlr_lib
from wlroots.wlr_types import SceneNode, Surface
from wlroots.wlr_types.xdg_shell import XdgSurface, XdgTopLevelSetFullscreenEvent

from compositor.ffi import ffi, lib, to_native, to_wlroots
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from compositor.shell.decorations import TitleBar
    from compositor.shell.xdg_shell import Shell

log = logging.getLogger(__name__)


class View:
    """One xdg toplevel: position in layout coordinates, its scene node, its listeners.

    The Shell reaches the client only through the role methods below (``surface``,
    ``title``, ``app_id``, ``geometry``, ``set_size``, ``set_activated``,
    ``_configure_maximized``, ``_configure_fullscreen``, ``close``): an X11 window
    (shell/xwayland.py, ``xwayland = True``) overrides them and shares the rest."""

    xwayland = False

    def __init__(self, shell: Shell, xdg_surface: XdgSurface) -> None:
        self._init_view(shell)
        self.xdg_surface = xdg_surface
        self.toplevel = xdg_surface.toplevel
        # The scene tree of the surface and its subsurfaces; popups hang below it.
        self.scene_node = SceneNode.xdg_surface_create(self.tree, xdg_surface)
        set_scene_node(xdg_surface, self.scene_node)
        inert_when_surface_goes(xdg_surface)
        self.pid = _client_pid(xdg_surface.surface)
        self._listeners = Listeners(
            (xdg_surface.map_event, self._on_map),
            (xdg_surface.unmap_event, self._on_unmap),
            (xdg_surface.destroy_event, self._on_destroy),
            (self.toplevel.request_move_event, self._on_request_move),
            (self.toplevel.request_resize_event, self._on_request_resize),
            (self.toplevel.request_maximize_event, self._on_request_maximize),
            (self.toplevel.request_fullscreen_event, self._on_request_fullscreen),
            (self.toplevel.request_minimize_event, self._on_request_minimize),
            (self.toplevel.set_parent_event, self._on_set_parent),
        )

    def _init_view(self, shell: Shell) -> None:
        """What every window has, whatever its role: a tagged scene tree and its states."""
        self.shell = shell
        tree = lib.comp_view_tree_create(to_native(shell.tree, "struct wlr_scene_node *"))
        if tree == ffi.NULL:
            raise MemoryError("cannot create a window's scene tree")
        self.tree = SceneNode(to_wlroots(tree, "struct wlr_scene_node *"))
        self.tree_address = int(ffi.cast("uintptr_t", tree))
        self.x = 0
        self.y = 0
        self.mapped = False
        self.placed = False
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

    @property
    def surface(self) -> Surface:
        return self.xdg_surface.surface

    @property
    def title(self) -> str:
        return self.toplevel.title or ""

    @property
    def app_id(self) -> str:
        return self.toplevel.app_id or ""

    def geometry(self) -> tuple[int, int, int, int]:
        box = self.xdg_surface.get_geometry()
        return self.x, self.y, box.width, box.height

    def set_size(self, width: int, height: int) -> None:
        """Ask the client for this size of window geometry (0, 0: the client picks)."""
        self.xdg_surface.set_size(width, height)

    def parent_view(self) -> View | None:
        """The window this one is a transient of (a dialog's main window), or None."""
        parent = self.toplevel._ptr.parent
        if parent == wlr_ffi.NULL:
            return None
        return self.shell.view_of_xdg_surface(int(wlr_ffi.cast("uintptr_t", parent)))

    def set_activated(self, activated: bool) -> None:
        self.xdg_surface.set_activated(activated)

    def move_to(self, x: int, y: int) -> None:
        dx, dy = int(x) - self.x, int(y) - self.y
        self.x, self.y = int(x), int(y)
        self.tree.set_position(self.x, self.y)
        self._notify("moved")
        if self.mapped and self.placed and (dx or dy):
            self.shell.on_view_moved(self, dx, dy)

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

    def apply_requested_states(self) -> None:
        """States the client asked for before its first commit (``foot --maximized``): they
        go out with the first configure."""
        requested = self.toplevel._ptr.requested
        if requested.fullscreen:
            self.set_fullscreen(True, self.shell.output_name(requested.fullscreen_output))
        if requested.maximized:
            self.set_maximized(True)

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
            self.fullscreen_output = output_name or self.shell.output_name_of(self)
        self._configure_fullscreen(fullscreen)
        self.arrange()
        self._notify("state")

    def _configure_maximized(self, maximized: bool) -> None:
        wlr_lib.wlr_xdg_toplevel_set_maximized(self.xdg_surface._ptr, maximized)

    def _configure_fullscreen(self, fullscreen: bool) -> None:
        self.xdg_surface.set_fullscreen(fullscreen)

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
            box = self.shell.state_box(self)
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
            self.move_to(*self.shell.place_new_view(self))
        else:
            self.placed = False

    def close(self) -> None:
        self.xdg_surface.send_close()

    def _on_map(self, listener: Listener, data: object) -> None:
        self.mapped = True
        if not self.placed:
            self.move_to(*self.shell.place_new_view(self))
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
        self.shell.on_view_mapped(self)
        self._notify("mapped")

    def _on_unmap(self, listener: Listener, data: object) -> None:
        self.mapped = False
        self.shell.on_view_unmapped(self)
        self._notify("unmapped")

    def _notify(self, change: str) -> None:
        """Tell the shell's observers (the taskbar handles of shell/foreign_toplevel.py; idle
        inhibition follows them) what changed: mapped, unmapped, destroyed, moved, minimized
        or state."""
        for observer in self.shell.view_changed_observers:
            observer(self, change)

    def _on_destroy(self, listener: Listener, data: object) -> None:
        # wlroots frees the surface and its scene node after this signal; the tree around
        # them is ours.
        self._teardown()
        del self.xdg_surface, self.toplevel, self.scene_node

    def _teardown(self) -> None:
        """The window goes, whatever its role: listeners, title bar, the Shell's records
        and the scene tree."""
        self._notify("destroyed")
        self._listeners.remove_all()
        if self.decoration is not None:  # its nodes live in the tree destroyed below
            self.decoration.destroy()
            self.decoration = None
        self.shell.on_view_destroyed(self)
        lib.wlr_scene_node_destroy(to_native(self.tree, "struct wlr_scene_node *"))
        del self.tree

    def _on_request_move(self, listener: Listener, event) -> None:
        # A client asks to be moved (e.g. a drag on its own title bar): only with the serial
        # of the button press that is still held on one of its surfaces, so that a
        # background client cannot grab the pointer.
        seat = self.shell.seat
        if seat is not None and seat.press_belongs_to(self, event.serial):
            seat.begin_move(self)

    def _on_request_resize(self, listener: Listener, event) -> None:
        seat = self.shell.seat
        if seat is not None and seat.press_belongs_to(self, event.serial):
            seat.begin_resize(self, event.edges)

    def _on_request_maximize(self, listener: Listener, data: object) -> None:
        # wlroots sends a configure after this signal whatever we do, as the protocol asks.
        self.shell.set_maximized(self, bool(self.toplevel._ptr.requested.maximized))

    def _on_request_fullscreen(
        self, listener: Listener, event: XdgTopLevelSetFullscreenEvent
    ) -> None:
        output = self.shell.output_name(event._ptr.output) if event._ptr.fullscreen else None
        self.shell.set_fullscreen(self, bool(event._ptr.fullscreen), output)

    def _on_request_minimize(self, listener: Listener, data: object) -> None:
        self.shell.set_minimized(self, True)

    def _on_set_parent(self, listener: Listener, data: object) -> None:
        if not self.mapped:
            # Placed over its parent when it maps, also if it was shown before (GTK 3 maps
            # a dialog, unmaps it when the decoration mode is settled, names the parent and
            # maps it again).
            if not (self.maximized or self.fullscreen) and self.parent_view() is not None:
                self.placed = False
            return
        # A toolkit may map a dialog and name its parent a moment later (GTK 3 does, now and
        # then): it goes over its parent then, and above it.
        parent = self.parent_view()
        if parent is not None and parent.mapped and not (self.maximized or self.fullscreen):
            self.move_to(*self.shell.place_transient(self, parent))
        self.shell.restack()

    def describe(self) -> dict:
        x, y, width, height = self.geometry()
        return {
            "app_id": self.app_id,
            "title": self.title,
            "pid": self.pid,
            "x": x,
            "y": y,
            "width": width,
            "height": height,
            "mapped": self.mapped,
            "focused": self.shell.focused_view is self,
            "state": self.state,
            "maximized": self.maximized,
            "fullscreen": self.fullscreen,
            "urgent": self.urgent,
            "minimized": self.minimized,
            "decoration": self.decoration_mode,
            "xwayland": self.xwayland,
            "parent": parent.app_id if (parent := self.parent_view()) is not None else None,
        }


def inert_when_surface_goes(xdg_surface: XdgSurface) -> None:
    """A new xdg surface: if its wl_surface is destroyed while its xdg_surface and role
    resources live, those become inert (wlroots 0.15 frees the objects behind them and
    would dereference NULL at their next request; see ffi/cdef/07_inert.h). Not when the
    client destroys them first, as a closing window does: wlroots' handlers must run."""
    ptr = xdg_surface._ptr
    role = ptr.toplevel if ptr.role == 1 else ptr.popup if ptr.role == 2 else wlr_ffi.NULL
    role_resource = role.resource if role != wlr_ffi.NULL else wlr_ffi.NULL
    ok = lib.comp_inert_when_surface_goes(
        to_native(ptr.surface, "struct wlr_surface *"),
        to_native(ptr.resource, "struct wl_resource *"),
        to_native(role_resource, "struct wl_resource *"),
    )
    if not ok:
        raise MemoryError("cannot watch an xdg surface's resources")


def set_scene_node(xdg_surface: XdgSurface, node: SceneNode) -> None:
    """Store the scene node's C pointer in ``xdg_surface->data`` (for its popups)."""
    xdg_surface._ptr.data = node._ptr


def scene_node_of(xdg_surface: XdgSurface) -> SceneNode | None:
    data = xdg_surface._ptr.data
    if data == wlr_ffi.NULL:
        return None
    return SceneNode(wlr_ffi.cast("struct wlr_scene_node *", data))


def _client_pid(surface: Surface) -> int:
    native = to_native(surface, "struct wlr_surface *")
    return lib.comp_surface_client_pid(native)
