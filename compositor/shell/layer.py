"""wlr-layer-shell v4: wallpapers, panels, launchers and region selectors.

Each layer surface lives on one output, in one of the four layer trees of
:mod:`compositor.shell.stacking`. On every commit that changes its state, and whenever an
output changes, the output's layer surfaces are arranged as sway 1.7 does
(``arrange_layers``): surfaces with an exclusive zone first (they shrink the output's usable
area, where windows are placed and maximized), then the rest, each placed from its anchors,
margins and size inside the full or the usable area, then configured with the size it got.
The topmost mapped surface in the top or overlay layer that asks for exclusive keyboard
interactivity gets the keyboard; when it goes, the focused window gets it back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pywayland.server import Listener
from wlroots import ffi as wlr_ffi
from wlroots import str_or_none
from wlroots.util.box import Box
from wlroots.wlr_types import Output, SceneNode, Surface
from wlroots.wlr_types.layer_shell_v1 import (
    LayerShellV1,
    LayerShellV1Layer,
    LayerSurfaceV1,
    LayerSurfaceV1Anchor,
    LayerSurfaceV1KeyboardInteractivity,
)

from compositor.ffi import address, lib, to_native, to_wlroots
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from compositor.core import Core, Stacking
    from compositor.output import OutputManager, ServerOutput
    from compositor.shell.window_manager import WindowManager
    from compositor.shell.xdg_shell import XdgShell

log = logging.getLogger(__name__)

TOP = LayerSurfaceV1Anchor.TOP
BOTTOM = LayerSurfaceV1Anchor.BOTTOM
LEFT = LayerSurfaceV1Anchor.LEFT
RIGHT = LayerSurfaceV1Anchor.RIGHT
LAYER_TREES = {
    LayerShellV1Layer.BACKGROUND: "background",
    LayerShellV1Layer.BOTTOM: "bottom",
    LayerShellV1Layer.TOP: "top",
    LayerShellV1Layer.OVERLAY: "overlay",
}


@dataclass
class Rect:
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class LayerState:
    """What the arrangement reads of a layer surface's committed state."""

    anchor: int
    exclusive_zone: int
    margin: tuple[int, int, int, int]  # top, right, bottom, left
    desired_width: int
    desired_height: int


def place(state: LayerState, full: Rect, usable: Rect) -> Rect | None:
    """Where a layer surface goes on its output (output-local), and shrink ``usable`` by its
    exclusive zone. None when the surface cannot fit (a negative size)."""
    bounds = full if state.exclusive_zone == -1 else usable
    top, right, bottom, left = state.margin
    anchor = state.anchor
    box = Rect(0, 0, state.desired_width, state.desired_height)
    box.x = _axis(anchor, LEFT, RIGHT, bounds.x, bounds.width, box.width)
    box.y = _axis(anchor, TOP, BOTTOM, bounds.y, bounds.height, box.height)
    if box.width == 0:
        box.x += left
        box.width = bounds.width - (left + right)
    elif anchor & (LEFT | RIGHT) == LEFT | RIGHT:
        pass  # centred between both edges: margins do not move it
    elif anchor & LEFT:
        box.x += left
    elif anchor & RIGHT:
        box.x -= right
    if box.height == 0:
        box.y += top
        box.height = bounds.height - (top + bottom)
    elif anchor & (TOP | BOTTOM) == TOP | BOTTOM:
        pass
    elif anchor & TOP:
        box.y += top
    elif anchor & BOTTOM:
        box.y -= bottom
    if box.width < 0 or box.height < 0:
        return None
    _apply_exclusive(usable, state)
    return box


def _axis(anchor: int, low: int, high: int, start: int, length: int, size: int) -> int:
    if size == 0 or anchor & (low | high) == low | high:
        return start if size == 0 else start + length // 2 - size // 2
    if anchor & low:
        return start
    if anchor & high:
        return start + length - size
    return start + length // 2 - size // 2


def _apply_exclusive(usable: Rect, state: LayerState) -> None:
    """An exclusive zone on one edge takes that strip off the usable area."""
    zone = state.exclusive_zone
    if zone <= 0:
        return
    top, right, bottom, left = state.margin
    anchor = state.anchor
    edges = (
        (TOP, TOP | LEFT | RIGHT, top),
        (BOTTOM, BOTTOM | LEFT | RIGHT, bottom),
        (LEFT, LEFT | TOP | BOTTOM, left),
        (RIGHT, RIGHT | TOP | BOTTOM, right),
    )
    for single, triplet, margin in edges:
        if anchor in (single, triplet) and zone + margin > 0:
            taken = zone + margin
            if single == TOP:
                usable.y += taken
                usable.height -= taken
            elif single == BOTTOM:
                usable.height -= taken
            elif single == LEFT:
                usable.x += taken
                usable.width -= taken
            else:
                usable.width -= taken
            return


class LayerSurface:
    """One layer surface: its scene node in its layer's tree, its place on its output."""

    def __init__(self, shell: LayerShell, layer_surface: LayerSurfaceV1, output: Output) -> None:
        self.shell = shell
        self.layer_surface = layer_surface
        self.output = output
        self.namespace = _namespace(layer_surface)
        self.layer = layer_surface.pending.layer
        self.box = Rect(0, 0, 0, 0)
        self.mapped = False
        self._state: LayerState | None = None
        self.scene_node = self._create_node(self.layer)
        self._listeners = Listeners(
            (layer_surface.map_event, self._on_map),
            (layer_surface.unmap_event, self._on_unmap),
            (layer_surface.destroy_event, self._on_destroy),
            (layer_surface.surface.commit_event, self._on_commit),
            (layer_surface.new_popup_event, self._on_new_popup),
        )

    def _create_node(self, layer: LayerShellV1Layer) -> SceneNode:
        tree = self.shell.stacking.trees[LAYER_TREES[layer]]
        native = lib.wlr_scene_subsurface_tree_create(
            to_native(tree, "struct wlr_scene_node *"),
            to_native(self.layer_surface.surface, "struct wlr_surface *"),
        )
        node = SceneNode(to_wlroots(native, "struct wlr_scene_node *"))
        # Popups of this surface find the node to hang below through ``data``.
        self.layer_surface._ptr.data = node._ptr
        return node

    @property
    def surface(self) -> Surface:
        return self.layer_surface.surface

    def state(self) -> LayerState:
        current = self.layer_surface.current
        margin = current.margin
        return LayerState(
            int(current.anchor),
            current.exclusive_zone,
            (margin.top, margin.right, margin.bottom, margin.left),
            current.desired_width,
            current.desired_height,
        )

    @property
    def wants_keyboard(self) -> bool:
        return (
            self.mapped
            and self.layer in (LayerShellV1Layer.TOP, LayerShellV1Layer.OVERLAY)
            and self.layer_surface.current.keyboard_interactive
            == LayerSurfaceV1KeyboardInteractivity.EXCLUSIVE
        )

    def _on_commit(self, listener: Listener, data: object) -> None:
        layer = self.layer_surface.current.layer
        if layer != self.layer:  # moved to another layer: rebuild its node there
            lib.wlr_scene_node_destroy(to_native(self.scene_node, "struct wlr_scene_node *"))
            self.layer = layer
            self.scene_node = self._create_node(layer)
            self._state = None
        state = self.state()
        if state != self._state or not self.layer_surface.configured:
            self._state = state
            self.shell.arrange(self.output)

    def _on_new_popup(self, listener: Listener, data: object) -> None:
        # get_popup gave an xdg popup (made without a parent) this surface as its parent:
        # hang it below this surface's node, so it shows above the layer with it.
        popup = self.shell.xdg_shell.popup_of(address(data))
        if popup is not None:
            popup.reparent(self.scene_node)

    def _on_map(self, listener: Listener, data: object) -> None:
        self.mapped = True
        log.info(
            "layer surface mapped: namespace=%r layer=%s on %s at %s",
            self.namespace,
            LAYER_TREES[self.layer],
            self.output.name,
            self.box,
        )
        self.shell.arrange(self.output)

    def _on_unmap(self, listener: Listener, data: object) -> None:
        self.mapped = False
        self.shell.arrange(self.output)

    def _on_destroy(self, listener: Listener, data: object) -> None:
        self._listeners.remove_all()
        self.mapped = False
        self.shell.on_destroyed(self)
        del self.layer_surface, self.scene_node, self.output

    def describe(self) -> dict:
        return {
            "namespace": self.namespace,
            "layer": LAYER_TREES[self.layer],
            "output": self.output.name,
            "x": self.box.x,
            "y": self.box.y,
            "width": self.box.width,
            "height": self.box.height,
            "mapped": self.mapped,
            "exclusive_zone": self._state.exclusive_zone if self._state else 0,
            "keyboard": self.wants_keyboard,
        }


class LayerShell:
    """The zwlr_layer_shell_v1 global and the arrangement of every output's layers."""

    def __init__(
        self,
        core: Core,
        outputs: OutputManager,
        wm: WindowManager,
        xdg_shell: XdgShell,
        focus_keyboard: Callable[[Surface | None], None],
    ) -> None:
        self.output_layout = core.output_layout
        self.stacking: Stacking = core.stacking
        self.outputs = outputs
        self.wm = wm  # the pointer's output
        self.xdg_shell = xdg_shell  # popups of panels
        # Gives the keyboard to a layer surface, or back to the windows with None.
        self.focus_keyboard = focus_keyboard
        self.layer_shell = LayerShellV1(core.display)
        self.surfaces: list[LayerSurface] = []
        self.usable: dict[str, Rect] = {}  # output name -> usable area, layout coordinates
        self.keyboard_owner: LayerSurface | None = None
        # Called when an output's usable area changed (maximized windows follow it).
        self.on_usable_changed: Callable[[], None] = lambda: None
        self._listeners = Listeners((self.layer_shell.new_surface_event, self._on_new_surface))

    def _on_new_surface(self, listener: Listener, layer_surface: LayerSurfaceV1) -> None:
        output = layer_surface.output or self._output_for_new_surface()
        if output is None:
            log.warning("layer surface %r: no output to show it on", _namespace(layer_surface))
            layer_surface.destroy()
            return
        layer_surface.output = output
        # Its configures not acked when it goes unmapped are freed then (wlroots 0.15 leaks
        # them: ffi/csrc/layer_configures.h).
        ptr = layer_surface._ptr
        destroy = to_native(wlr_ffi.addressof(ptr.events, "destroy"), "struct wl_signal *")
        configures = to_native(wlr_ffi.addressof(ptr, "configure_list"), "struct wl_list *")
        if not lib.comp_layer_configures_free_when_gone(destroy, configures):
            log.warning("out of memory: layer surface %r may leak its configures", output.name)
        self.surfaces.append(LayerSurface(self, layer_surface, output))

    def _output_for_new_surface(self) -> Output | None:
        output = self.output_layout.output_at(*self.wm.pointer_position())
        if output is None:
            outputs = list(self.outputs)
            output = outputs[0].output if outputs else None
        return output

    def on_destroyed(self, view: LayerSurface) -> None:
        if view in self.surfaces:
            self.surfaces.remove(view)
        if self.keyboard_owner is view:
            self.keyboard_owner = None
        self.arrange(view.output)

    def on_outputs_changed(self, removed: ServerOutput | None) -> None:
        """Outputs went away or moved: each left is arranged again."""
        if removed is not None:
            self.on_output_removed(removed.output)
        for server_output in self.outputs:
            self.arrange(server_output.output)

    def on_output_removed(self, output: Output) -> None:
        """Layer surfaces of a removed output are closed (the protocol's rule)."""
        self.usable.pop(output.name, None)
        for view in [v for v in self.surfaces if v.output == output]:
            view.layer_surface.destroy()

    # -- arrangement ----------------------------------------------------------------------

    def usable_area(self, output: Output) -> Box | None:
        """The part of ``output`` left for windows (layout coordinates), or None if unknown."""
        rect = self.usable.get(output.name)
        if rect is None:
            return self.output_layout.get_box(output)
        return Box(rect.x, rect.y, rect.width, rect.height)

    def arrange(self, output: Output) -> None:
        layout_box = self.output_layout.get_box(output)
        if layout_box is None:
            return
        width, height = output.effective_resolution()
        full = Rect(0, 0, width, height)
        usable = Rect(0, 0, width, height)
        on_output = [v for v in self.surfaces if v.output == output]
        for exclusive in (True, False):
            for layer in (
                LayerShellV1Layer.OVERLAY,
                LayerShellV1Layer.TOP,
                LayerShellV1Layer.BOTTOM,
                LayerShellV1Layer.BACKGROUND,
            ):
                for view in on_output:
                    state = view.state()
                    if view.layer != layer or (state.exclusive_zone > 0) != exclusive:
                        continue
                    box = place(state, full, usable)
                    if box is None:
                        log.warning(
                            "layer surface %r does not fit on %s: closing it",
                            view.namespace,
                            output.name,
                        )
                        view.layer_surface.destroy()
                        continue
                    view.box = box
                    view.scene_node.set_position(layout_box.x + box.x, layout_box.y + box.y)
                    view.layer_surface.configure(box.width, box.height)
        usable = Rect(layout_box.x + usable.x, layout_box.y + usable.y, usable.width, usable.height)
        changed = self.usable.get(output.name) != usable
        self.usable[output.name] = usable
        self._update_keyboard()
        if changed:
            self.on_usable_changed()

    def _update_keyboard(self) -> None:
        wanting = [v for v in self.surfaces if v.wants_keyboard]
        # Overlay above top; within a layer the newest is on top.
        wanting.sort(key=lambda v: v.layer)
        owner = wanting[-1] if wanting else None
        if owner is self.keyboard_owner:
            return
        self.keyboard_owner = owner
        self.focus_keyboard(owner.surface if owner is not None else None)

    def describe(self) -> list[dict]:
        return [view.describe() for view in self.surfaces]

    def destroy(self) -> None:
        self._listeners.remove_all()


def _namespace(layer_surface: LayerSurfaceV1) -> str:
    return str_or_none(layer_surface._ptr.namespace) or ""
