"""XWayland: X11 clients, and the minimal X window manager that makes their windows views.

wlroots runs Xwayland (``wlr_xwayland``, lazily: the X display's sockets exist from the
start, the server process only from the first X11 connection) and its own X window
manager connection (xwm), which reports each X window as a ``wlr_xwayland_surface``. This
module decides what happens to them:

- A managed window (not override-redirect) is an :class:`XWaylandView`: a
  :class:`~compositor.shell.view.View` whose role methods talk X11 (configure, _NET_WM_STATE,
  WM_TAKE_FOCUS/SetInputFocus through ``activate``, WM_DELETE_WINDOW through ``close``), so
  the window manager's focus, stacking, placement, window states and hit testing treat it as any
  window. X root coordinates are layout coordinates: the X window is configured where its
  tree is drawn, so X11 pointer coordinates (root and window-relative) match the picture.
  It is placed like a new window unless its WM_NORMAL_HINTS carry USPosition or PPosition
  (then it keeps the position it asked for). While unmapped, a ConfigureRequest is granted
  as asked; while mapped and in the normal state too (an X11 client moving or resizing its
  own window); maximized and fullscreen windows keep their box. ``_NET_WM_MOVERESIZE``
  starts the same grab as Alt + drag while the window holds the pointer's press.
- An override-redirect window (menus, tooltips, drag icons) is an :class:`Unmanaged`: drawn
  exactly where the client put it (and following its ConfigureNotify), in a scene tree above
  the windows and panels (below the overlay layer), never a view, and given the keyboard only
  when wlroots' heuristic says it wants it (``wlr_xwayland_or_surface_wants_focus``).

The X11 surface's scene node (``wlr_scene_subsurface_tree_create``) exists from map to unmap:
an X window can be unmapped and mapped again with a new wl_surface.

Shutdown: :meth:`XWayland.destroy` forgets every X window first (wlroots 0.15 never frees its
xwm, so their signals would never fire again), then destroys ``wlr_xwayland``: Xwayland's
Wayland connection closes, the process exits on the broken pipe and the display's socket and
lock file are removed.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pywayland.server import Listener
from wlroots import ffi as wlr_ffi
from wlroots.util.edges import Edges
from wlroots.wlr_types import SceneNode, Surface
from wlroots.xwayland import Surface as XSurface
from wlroots.xwayland import XWayland as WlrXWayland

from compositor.ffi import address, ffi, lib, to_native, to_wlroots
from compositor.listeners import Listeners
from compositor.shell.view import View

if TYPE_CHECKING:
    from compositor.control import ControlServer
    from compositor.core import Core
    from compositor.shell.seat_port import SeatPort
    from compositor.shell.window_manager import WindowManager

log = logging.getLogger(__name__)

# WM_NORMAL_HINTS flags (ICCCM 4.1.2.3): the user or the program chose the position.
US_POSITION = 1
P_POSITION = 4
XCB_STACK_MODE_ABOVE = 0
XCB_STACK_MODE_BELOW = 1
MAX_X11_COORD = 32767  # X11 positions are INT16, sizes CARD16
# Runs Xwayland with -shm (see the script): where clients get no DRM device.
SHM_XWAYLAND = Path(__file__).resolve().with_name("xwayland-shm")


class XWayland:
    """The X display: wlroots' Xwayland server and xwm, and the X11 windows they report."""

    def __init__(
        self, core: Core, compositor: Any, wm: WindowManager, seat: SeatPort, glamor: bool
    ) -> None:
        """``glamor``: clients get a DRM device (wl_drm on a node that exists, or
        linux-dmabuf), so Xwayland may accelerate with glamor; else it runs with -shm."""
        self.wm = wm
        self.seat = seat
        if not glamor and "WLR_XWAYLAND" not in os.environ:
            os.environ["WLR_XWAYLAND"] = str(SHM_XWAYLAND)
            log.info("xwayland: no DRM device offered to clients: Xwayland runs with -shm")
        self.wlr = WlrXWayland(core.display, compositor, True)
        self.display_name = self.wlr.display_name or ""
        self.started = 0  # Xwayland processes that came up (a lazy one restarts on demand)
        self.windows: set[XWaylandView | Unmanaged] = set()
        root = to_native(core.scene.node, "struct wlr_scene_node *")
        tree = lib.wlr_scene_tree_create(root)
        if tree == ffi.NULL:
            raise MemoryError("cannot create the X11 override-redirect scene tree")
        # Menus and tooltips of X11 windows: above windows, panels and fullscreen windows,
        # below the overlay layer (launchers, lock screens).
        self.unmanaged_tree = SceneNode(to_wlroots(tree, "struct wlr_scene_node *"))
        self.unmanaged_tree.place_above(self.wm.fullscreen_tree)
        self.wlr.set_seat(seat.wlr_seat)
        self._listeners = Listeners(
            (self.wlr.ready_event, self._on_ready),
            (self.wlr.new_surface_event, self._on_new_surface),
        )
        log.info(
            "xwayland: DISPLAY=%s (Xwayland starts on the first X11 client)", self.display_name
        )

    def destroy(self) -> None:
        for window in list(self.windows):
            window.forget()
        self.windows.clear()
        self._listeners.remove_all()
        self.wlr.destroy()  # wlr_xwayland_destroy: Xwayland's connection closes, it exits
        lib.wlr_scene_node_destroy(to_native(self.unmanaged_tree, "struct wlr_scene_node *"))
        del self.unmanaged_tree

    def _on_ready(self, listener: Listener, data: Any) -> None:
        self.started += 1
        log.info("xwayland: Xwayland is ready on DISPLAY=%s", self.display_name)
        self._set_cursor()

    def _set_cursor(self) -> None:
        """The root window's cursor (X11 windows that set none show it): left_ptr from the
        pointer's xcursor theme. The pixels stay the theme's, which outlives Xwayland."""
        xcursor = self.seat.xcursor_theme().get_xcursor("left_ptr", 1)
        image = next(iter(xcursor.images), None) if xcursor is not None else None
        if image is None:
            return
        ptr = image._ptr
        self.wlr.set_cursor(
            ptr.buffer, ptr.width * 4, ptr.width, ptr.height, ptr.hotspot_x, ptr.hotspot_y
        )

    def _on_new_surface(self, listener: Listener, xsurface: XSurface) -> None:
        self._adopt(xsurface)

    def _adopt(self, xsurface: XSurface) -> None:
        if xsurface.override_redirect:
            self.windows.add(Unmanaged(self, xsurface))
        else:
            view = XWaylandView(self, xsurface)
            self.windows.add(view)
            self.wm.add_view(view)

    def on_override_redirect_changed(self, window: XWaylandView | Unmanaged) -> None:
        """An X window became (or stopped being) override-redirect: the other kind takes it."""
        xsurface = window.xsurface
        window.forget()
        self.windows.discard(window)
        self._adopt(xsurface)

    def forget(self, window: XWaylandView | Unmanaged) -> None:
        self.windows.discard(window)

    def focus_back(self, surface: Any) -> None:
        """An override-redirect window that had the keyboard went: the focused window has
        it again."""
        seat = self.seat
        if seat.wlr_seat.keyboard_state._ptr.focused_surface != surface:
            return
        focused = self.wm.focused_view
        if focused is not None and focused.mapped:
            seat.focus_keyboard(focused.surface)
        else:
            seat.clear_keyboard_focus()

    def register_commands(self, control: ControlServer) -> None:
        control.register(
            "xwayland",
            "the X display: DISPLAY, Xwayland starts so far, managed and override-redirect "
            "X11 windows",
            lambda request: self.describe(),
        )

    def describe(self) -> dict:
        return {
            "display": self.display_name,
            "started": self.started,
            "windows": sum(isinstance(w, XWaylandView) for w in self.windows),
            "override_redirect": sum(isinstance(w, Unmanaged) for w in self.windows),
        }


class _SurfaceNode:
    """The scene node of an X window's wl_surface, between its map and its unmap (it is
    freed with the wl_surface too: the reference turns NULL then)."""

    def __init__(self) -> None:
        self._ref = lib.comp_node_ref_create()
        if self._ref == ffi.NULL:
            raise MemoryError("cannot track an X11 window's scene node")

    def create(self, parent: SceneNode, surface: Any, x: int = 0, y: int = 0) -> None:
        self.remove()
        node = lib.wlr_scene_subsurface_tree_create(
            to_native(parent, "struct wlr_scene_node *"),
            to_native(surface, "struct wlr_surface *"),
        )
        if node == ffi.NULL:
            log.warning("xwayland: no memory for an X11 window's scene node")
            return
        lib.wlr_scene_node_set_position(node, x, y)
        lib.comp_node_ref_set(self._ref, node)

    def set_position(self, x: int, y: int) -> None:
        node = lib.comp_node_ref_get(self._ref)
        if node != ffi.NULL:
            lib.wlr_scene_node_set_position(node, x, y)

    def remove(self) -> None:
        node = lib.comp_node_ref_get(self._ref)
        if node != ffi.NULL:
            lib.comp_node_ref_set(self._ref, ffi.NULL)
            lib.wlr_scene_node_destroy(node)

    def destroy(self) -> None:
        self.remove()
        lib.comp_node_ref_destroy(self._ref)
        self._ref = ffi.NULL


class XWaylandView(View):
    """A managed X11 window: a View whose role is an X window (see the module's doc)."""

    kind = "x11"

    def __init__(self, manager: XWayland, xsurface: XSurface) -> None:
        super().__init__(manager.wm)
        self.manager = manager
        self.xsurface = xsurface
        self._node = _SurfaceNode()
        self._surface: Surface | None = None  # the wl_surface while mapped
        # The size the client chose before any state: where "the client picks" leads back.
        self.natural_size = (max(1, xsurface.width), max(1, xsurface.height))
        self._listeners = Listeners(
            (xsurface.map_event, self._on_map),
            (xsurface.unmap_event, self._on_unmap),
            (xsurface.destroy_event, self._on_destroy),
            (xsurface.request_configure_event, self._on_request_configure),
            (xsurface.request_move_event, self._on_request_move),
            (xsurface.request_resize_event, self._on_request_resize),
            (xsurface.request_maximize_event, self._on_request_maximize),
            (xsurface.request_fullscreen_event, self._on_request_fullscreen),
            (xsurface.request_minimize_event, self._on_request_minimize),
            (xsurface.request_activate_event, self._on_request_activate),
            (xsurface.set_override_redirect_event, self._on_set_override_redirect),
            (xsurface.set_title_event, lambda _l, _d: self._notify("title")),
            (xsurface.set_class_event, lambda _l, _d: self._notify("app_id")),
            (xsurface.set_parent_event, lambda _l, _d: self.parent_changed()),
        )

    # -- the role -------------------------------------------------------------------------

    @property
    def surface(self) -> Surface:
        if self._surface is not None:
            return self._surface
        return Surface(self.xsurface._ptr.surface)  # NULL while unmapped

    @property
    def title(self) -> str:
        return self.xsurface.title or ""

    @property
    def app_id(self) -> str:
        return self.xsurface.wm_class or ""

    def geometry(self) -> tuple[int, int, int, int]:
        return self.x, self.y, self.xsurface.width, self.xsurface.height

    def move_to(self, x: int, y: int) -> None:
        super().move_to(x, y)
        xsurface = self.xsurface
        if (xsurface.x, xsurface.y) != (self.x, self.y):
            self._configure(self.x, self.y, xsurface.width, xsurface.height)

    def set_size(self, width: int, height: int) -> None:
        if width <= 0 or height <= 0:  # the client picks: the size it had before states
            width, height = self.natural_size
        self._configure(self.x, self.y, width, height)

    def _configure(self, x: int, y: int, width: int, height: int) -> None:
        x = max(-MAX_X11_COORD, min(MAX_X11_COORD, int(x)))
        y = max(-MAX_X11_COORD, min(MAX_X11_COORD, int(y)))
        width = max(1, min(MAX_X11_COORD, int(width)))
        height = max(1, min(MAX_X11_COORD, int(height)))
        self.xsurface.configure(x, y, width, height)

    def parent_view(self) -> View | None:
        """WM_TRANSIENT_FOR: the window this one is a dialog of."""
        parent = self.xsurface._ptr.parent
        if parent == wlr_ffi.NULL:
            return None
        for view in self.wm.views:
            if isinstance(view, XWaylandView) and view.xsurface._ptr == parent:
                return view
        return None

    def set_activated(self, activated: bool) -> None:
        # X input focus (SetInputFocus and/or WM_TAKE_FOCUS), _NET_ACTIVE_WINDOW and
        # _NET_WM_STATE_FOCUSED; the focused window goes as high in the X stacking order as
        # it is in ours (under X11 windows of a higher window layer).
        self.xsurface.activate(activated)
        if activated:
            self.restacked()

    def restacked(self) -> None:
        """X's stacking order follows ours: this window right under the next X11 window
        above it in the window manager's order, or on top of X's when there is none."""
        views = self.wm.views
        above = views[views.index(self) + 1 :] if self in views else []
        sibling = next((v for v in above if isinstance(v, XWaylandView) and v.mapped), None)
        if sibling is None:
            self.xsurface.restack(None, XCB_STACK_MODE_ABOVE)
        else:
            self.xsurface.restack(sibling.xsurface, XCB_STACK_MODE_BELOW)

    def _configure_maximized(self, maximized: bool) -> None:
        self.xsurface.set_maximized(maximized)

    def _configure_fullscreen(self, fullscreen: bool) -> None:
        self.xsurface.set_fullscreen(fullscreen)

    def set_minimized(self, minimized: bool) -> None:
        super().set_minimized(minimized)
        self.xsurface.set_minimized(minimized)  # WM_STATE Iconic / Normal

    def close(self) -> None:
        # WM_DELETE_WINDOW when the client speaks it, else XKillClient.
        self.xsurface.close()

    def describe(self) -> dict:
        return {**super().describe(), "x11_window": self.xsurface._ptr.window_id}

    # -- map, unmap, destroy --------------------------------------------------------------

    def _on_map(self, listener: Listener | None, data: Any) -> None:
        xsurface = self.xsurface
        self._surface = xsurface.surface
        self.wm.surface_changed(self, 0, address(self._surface))
        self._node.create(self.tree, self._surface)
        self.pid = xsurface.pid
        if not self.placed:
            hints = xsurface.size_hints
            flags = hints.flags if hints is not None else 0
            parent = self.parent_view()
            if not flags & US_POSITION and parent is not None and parent.mapped:
                # A dialog goes over its window: a toolkit's own idea of where that is
                # (PPosition) can be stale (GTK 3 centres on where the window was before
                # the compositor placed it).
                self.move_to(*self.wm.place_transient(self, parent))
            elif flags & (US_POSITION | P_POSITION):
                View.move_to(self, xsurface.x, xsurface.y)  # where it is already
            else:
                self.natural_size = (max(1, xsurface.width), max(1, xsurface.height))
                self.move_to(*self.wm.place_new_view(self))
            self.placed = True
        # States the client asked for before it mapped (_NET_WM_STATE on the window).
        if xsurface.fullscreen and not self.fullscreen:
            self.set_fullscreen(True)
        if xsurface.maximized_vert and xsurface.maximized_horz and not self.maximized:
            self.set_maximized(True)
        self.on_mapped()

    def _on_unmap(self, listener: Listener | None, data: Any) -> None:
        self._node.remove()
        if self._surface is not None:
            self.wm.surface_changed(self, address(self._surface), 0)
        self._surface = None
        self.on_unmapped()

    def _on_destroy(self, listener: Listener | None, data: Any) -> None:
        self.forget()

    def forget(self) -> None:
        """Let go of the X window (it went, or the compositor is shutting down)."""
        if self.mapped:
            self._on_unmap(None, None)
        self._node.destroy()
        self._listeners.remove_all()
        self._teardown()
        self.manager.forget(self)
        del self.xsurface, self.manager

    def _on_set_override_redirect(self, listener: Listener, data: Any) -> None:
        if self.xsurface.override_redirect and not self.mapped:
            self.manager.on_override_redirect_changed(self)

    # -- requests -------------------------------------------------------------------------

    def _on_request_configure(self, listener: Listener, event: Any) -> None:
        x, y, width, height = event.x, event.y, event.width, event.height
        if not self.mapped:
            self._configure(x, y, width, height)  # as asked
            if self.placed:
                View.move_to(self, x, y)
            return
        if self.maximized or self.fullscreen or self.minimized:
            _, _, width, height = self.geometry()
            self._configure(self.x, self.y, width, height)  # it keeps its box
            return
        View.move_to(self, x, y)
        self._configure(x, y, width, height)
        self.natural_size = (max(1, width), max(1, height))
        self.wm.rebase_pointer()

    def _on_request_move(self, listener: Listener, data: Any) -> None:
        # _NET_WM_MOVERESIZE carries no serial: the press must be held on this window.
        self.request_move(None)

    def _on_request_resize(self, listener: Listener, data: Any) -> None:
        event = wlr_ffi.cast("struct wlr_xwayland_resize_event *", data)
        self.request_resize(None, Edges(event.edges))

    def _on_request_maximize(self, listener: Listener, data: Any) -> None:
        wanted = bool(self.xsurface.maximized_vert and self.xsurface.maximized_horz)
        if not self.mapped:
            return  # applied when it maps
        if wanted == self.maximized:
            self._configure_maximized(self.maximized)  # half of it asked: say what it is
        else:
            self.wm.set_maximized(self, wanted)

    def _on_request_fullscreen(self, listener: Listener, data: Any) -> None:
        if self.mapped:
            self.wm.set_fullscreen(self, bool(self.xsurface.fullscreen))

    def _on_request_minimize(self, listener: Listener, data: Any) -> None:
        event = wlr_ffi.cast("struct wlr_xwayland_minimize_event *", data)
        self.wm.set_minimized(self, bool(event.minimize))
        if self.xsurface.minimized != self.minimized:
            self.xsurface.set_minimized(self.minimized)

    def _on_request_activate(self, listener: Listener, data: Any) -> None:
        # _NET_ACTIVE_WINDOW from a client: focus only moves within the client that has it
        # (its own dialogs); another client's request marks the window urgent, as an
        # xdg-activation without a token from user input does.
        if not self.mapped:
            return
        focused = self.wm.focused_view
        if focused is None or (focused.kind == "x11" and focused.pid == self.pid and self.pid):
            self.wm.focus(self)
        elif focused is not self:
            self.urgent = True
            log.info("xwayland: %r asks for focus: urgent", self.app_id)


class Unmanaged:
    """An override-redirect X window: drawn where the client put it, never a view."""

    def __init__(self, manager: XWayland, xsurface: XSurface) -> None:
        self.manager = manager
        self.xsurface = xsurface
        self._node = _SurfaceNode()
        self._surface: Surface | None = None
        self._listeners = Listeners(
            (xsurface.map_event, self._on_map),
            (xsurface.unmap_event, self._on_unmap),
            (xsurface.destroy_event, self._on_destroy),
            (xsurface.set_geometry_event, self._on_set_geometry),
            (xsurface.set_override_redirect_event, self._on_set_override_redirect),
        )

    def _on_map(self, listener: Listener, data: Any) -> None:
        xsurface = self.xsurface
        self._surface = xsurface.surface
        self._node.create(self.manager.unmanaged_tree, self._surface, xsurface.x, xsurface.y)
        log.debug(
            "xwayland: override-redirect window %#x at %d,%d %dx%d",
            xsurface._ptr.window_id,
            xsurface.x,
            xsurface.y,
            xsurface.width,
            xsurface.height,
        )
        seat = self.manager.seat
        if xsurface.or_surface_wants_focus():
            seat.focus_keyboard(self._surface)
        seat.rebase_pointer()

    def _on_set_geometry(self, listener: Listener, data: Any) -> None:
        self._node.set_position(self.xsurface.x, self.xsurface.y)
        self.manager.seat.rebase_pointer()

    def _on_unmap(self, listener: Listener | None, data: Any) -> None:
        self._node.remove()
        surface, self._surface = self._surface, None
        if surface is not None:
            self.manager.focus_back(surface._ptr)
        self.manager.seat.rebase_pointer()

    def _on_set_override_redirect(self, listener: Listener, data: Any) -> None:
        if not self.xsurface.override_redirect and not self.xsurface.mapped:
            self.manager.on_override_redirect_changed(self)

    def _on_destroy(self, listener: Listener, data: Any) -> None:
        self.forget()

    def forget(self) -> None:
        if self._surface is not None:
            self._on_unmap(None, None)
        self._listeners.remove_all()
        self._node.destroy()
        self.manager.forget(self)
        del self.xsurface, self.manager

