"""An xdg_popup: its scene node hangs below its parent's (a view's, a popup's or a layer
surface's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pywayland.server import Listener
from wlroots import ffi as wlr_ffi
from wlroots.util.box import Box
from wlroots.wlr_types import SceneNode, Surface
from wlroots.wlr_types.layer_shell_v1 import LayerSurfaceV1
from wlroots.wlr_types.xdg_shell import XdgSurface

from compositor.ffi import lib, to_native
from compositor.listeners import Listeners
from compositor.shell.xdg_view import inert_when_surface_goes, scene_node_of, set_scene_node

if TYPE_CHECKING:
    from compositor.shell.view import View


class Popup:
    def __init__(
        self,
        xdg_surface: XdgSurface,
        view: View | None,
        windows_tree: SceneNode,
        on_destroyed: Callable[[Popup], None],
    ) -> None:
        """``windows_tree``: where a popup without a parent we show hangs; ``on_destroyed``:
        told when the popup goes (the xdg shell forgets it)."""
        self.on_destroyed = on_destroyed
        self.xdg_surface = xdg_surface
        self.view = view  # the toplevel the popup (or its parent popup) belongs to
        parent = popup_parent(xdg_surface)
        parent_node = parent_scene_node(parent) if parent is not None else None
        if parent_node is None:
            # No parent yet (the protocol allows it: a layer surface's get_popup gives it
            # one later, see reparent) or one we do not show: hang it on the windows' tree.
            parent_node = windows_tree
        self.scene_node = SceneNode.xdg_surface_create(parent_node, xdg_surface)
        set_scene_node(xdg_surface, self.scene_node)
        inert_when_surface_goes(xdg_surface)
        self._listeners = Listeners((xdg_surface.destroy_event, self._on_destroy))

    def reparent(self, node: SceneNode) -> None:
        """The popup got its parent after it was made (a layer surface's get_popup)."""
        lib.wlr_scene_node_reparent(
            to_native(self.scene_node, "struct wlr_scene_node *"),
            to_native(node, "struct wlr_scene_node *"),
        )

    def unconstrain(self, output_box: Box) -> None:
        """Keep the popup on the output: the box is relative to the toplevel's origin."""
        if self.view is None:
            return
        # The box is in the toplevel's surface coordinates, whose origin is the window
        # geometry's top-left minus its offset (client-side shadows) from the surface's.
        geometry = self.view.xdg_surface.get_geometry()
        self.xdg_surface.popup.unconstrain_from_box(
            Box(
                output_box.x - self.view.x + geometry.x,
                output_box.y - self.view.y + geometry.y,
                output_box.width,
                output_box.height,
            )
        )

    def _on_destroy(self, listener: Listener, data: object) -> None:
        self._listeners.remove_all()
        self.on_destroyed(self)
        del self.xdg_surface, self.view, self.scene_node


def parent_scene_node(parent: Surface) -> SceneNode | None:
    """The scene node of a popup's parent: an xdg surface's or a layer surface's ``data``."""
    if parent.is_xdg_surface:
        return scene_node_of(XdgSurface.from_surface(parent))
    if parent.is_layer_surface:
        data = LayerSurfaceV1.from_wlr_surface(parent)._ptr.data
        if data != wlr_ffi.NULL:
            return SceneNode(wlr_ffi.cast("struct wlr_scene_node *", data))
    return None


def popup_parent(xdg_surface: XdgSurface) -> Surface | None:
    """The popup's parent surface, None while it has none (xdg_surface.get_popup with a null
    parent is legal; a layer surface's get_popup sets it later)."""
    # pywlroots 0.15.24's XdgPopup.parent recurses into itself; read the field directly.
    parent = xdg_surface.popup._ptr.parent
    return Surface(parent) if parent != wlr_ffi.NULL else None
