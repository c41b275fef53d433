"""An xdg_toplevel window: the :class:`~compositor.shell.view.View` of the xdg-shell role.

An XdgView holds pywlroots wrappers of its xdg surface only while that surface lives: on
``destroy`` it removes its listeners and drops the wrappers, so nothing of a closed window
stays reachable (pywlroots keeps ``toplevel -> xdg_surface`` in a module-level
WeakKeyDictionary, which a live listener would otherwise pin forever).
``wlr_scene_xdg_surface_create`` hangs the surface below the view's tree shifted by the
window geometry's offset (client-side shadows lie outside), with subsurfaces and popups
below that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pywayland.server import Listener
from wlroots import ffi as wlr_ffi
from wlroots import lib as wlr_lib
from wlroots.wlr_types import SceneNode, Surface
from wlroots.wlr_types.xdg_shell import XdgSurface, XdgTopLevelSetFullscreenEvent

from compositor.ffi import address, lib, to_native
from compositor.listeners import Listeners
from compositor.shell.view import View

if TYPE_CHECKING:
    from compositor.shell.window_manager import WindowManager


class XdgView(View):
    kind = "xdg"

    def __init__(
        self,
        wm: WindowManager,
        xdg_surface: XdgSurface,
        on_destroyed: Callable[[XdgView], None],
    ) -> None:
        """``on_destroyed``: told when the xdg surface goes (the xdg shell forgets it)."""
        super().__init__(wm)
        self.on_destroyed = on_destroyed
        self.xdg_surface = xdg_surface
        self.toplevel = xdg_surface.toplevel
        # The scene tree of the surface and its subsurfaces; popups hang below it.
        self.scene_node = SceneNode.xdg_surface_create(self.tree, xdg_surface)
        set_scene_node(xdg_surface, self.scene_node)
        inert_when_surface_goes(xdg_surface)
        self.pid = _client_pid(xdg_surface.surface)
        wm.surface_changed(self, 0, address(xdg_surface._ptr.surface))
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
            (self.toplevel.set_title_event, lambda _l, _d: self._notify("title")),
            (self.toplevel.set_app_id_event, lambda _l, _d: self._notify("app_id")),
            # The client took a new size, which its next commit shows (taskbar outputs).
            (xdg_surface.ack_configure_event, lambda _l, _d: self._notify("configured")),
        )

    # -- the role -------------------------------------------------------------------------

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
        self.xdg_surface.set_size(width, height)

    def parent_view(self) -> View | None:
        parent = self.toplevel._ptr.parent  # struct wlr_xdg_surface * (0.15) or NULL
        if parent == wlr_ffi.NULL:
            return None
        return self.wm.view_of_surface(address(parent.surface))

    def set_activated(self, activated: bool) -> None:
        self.xdg_surface.set_activated(activated)

    def _configure_maximized(self, maximized: bool) -> None:
        wlr_lib.wlr_xdg_toplevel_set_maximized(self.xdg_surface._ptr, maximized)

    def _configure_fullscreen(self, fullscreen: bool) -> None:
        self.xdg_surface.set_fullscreen(fullscreen)

    def close(self) -> None:
        self.xdg_surface.send_close()

    def apply_requested_states(self) -> None:
        """States the client asked for before its first commit (``foot --maximized``): they
        go out with the first configure."""
        requested = self.toplevel._ptr.requested
        if requested.fullscreen:
            self.set_fullscreen(True, self.wm.output_name(requested.fullscreen_output))
        if requested.maximized:
            self.set_maximized(True)

    # -- the xdg surface's events ---------------------------------------------------------

    def _on_map(self, listener: Listener, data: object) -> None:
        self.on_mapped()

    def _on_unmap(self, listener: Listener, data: object) -> None:
        self.on_unmapped()

    def _on_destroy(self, listener: Listener, data: object) -> None:
        # wlroots frees the surface and its scene node after this signal; the tree around
        # them is ours.
        self._listeners.remove_all()
        self.on_destroyed(self)
        self._teardown()
        del self.xdg_surface, self.toplevel, self.scene_node

    def _on_request_move(self, listener: Listener, event) -> None:
        self.request_move(event.serial)

    def _on_request_resize(self, listener: Listener, event) -> None:
        self.request_resize(event.serial, event.edges)

    def _on_request_maximize(self, listener: Listener, data: object) -> None:
        # wlroots sends a configure after this signal whatever we do, as the protocol asks.
        self.wm.set_maximized(self, bool(self.toplevel._ptr.requested.maximized))

    def _on_request_fullscreen(
        self, listener: Listener, event: XdgTopLevelSetFullscreenEvent
    ) -> None:
        output = self.wm.output_name(event._ptr.output) if event._ptr.fullscreen else None
        self.wm.set_fullscreen(self, bool(event._ptr.fullscreen), output)

    def _on_request_minimize(self, listener: Listener, data: object) -> None:
        self.wm.set_minimized(self, True)

    def _on_set_parent(self, listener: Listener, data: object) -> None:
        self.parent_changed()


def inert_when_surface_goes(xdg_surface: XdgSurface) -> None:
    """A new xdg surface: if its wl_surface is destroyed while its xdg_surface and role
    resources live, those become inert (wlroots 0.15 frees the objects behind them and
    would dereference NULL at their next request; see ffi/csrc/inert_objects.h). Not when the
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
