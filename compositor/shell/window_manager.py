"""The window manager: every window (xdg toplevels and X11 windows alike), where it opens,
which has the focus, the stacking order, window states and the output each is on.

The protocol glue makes the windows (shell/xdg_shell.py, shell/xwayland.py: a
:class:`~compositor.shell.view.View` per role) and hands them here; nothing here knows a
role.

Stacking order is the order of ``WindowManager.views`` (last is on top). New views open
where they cover the least of the others on the output under the pointer, nearest to the
next spot of a cascade from its top-left (see ``WindowManager.place_new_view``). A transient
window (a dialog: xdg_toplevel.set_parent, X11's WM_TRANSIENT_FOR) opens centred over its
parent, stays right above it in the stacking order, and moves with it. A modal dialog
(xdg_wm_dialog_v1.set_modal) takes the focus its parent would get: a click on the parent,
Alt+Tab to it or a taskbar's activate focus the dialog.

A fullscreen window covers its output above the panels (it moves to a scene tree between
the ``top`` and ``overlay`` layers) as long as no window above it in the stacking order is
on the same output: focusing another window there (Alt+Tab, a new window) shows that one
above it, as GNOME does, and focusing the fullscreen one again covers the output again.
A minimized window is hidden and goes to the bottom of the stacking order, which is the
window Alt+Tab focuses next.

Each window is in one of three window layers (``View.layer``, :data:`WINDOW_LAYERS`):
``below``, ``normal`` or ``above`` (X11's _NET_WM_STATE_BELOW/ABOVE, KDE's keep below/above;
set by the config file's window rules and the ``set-layer`` command). :meth:`restack`, the one
place the order is made, keeps every window of a higher layer above every window of a lower
one, whatever is focused or raised: focusing a normal window raises it to the top of the
normal windows, under the ``above`` ones. A transient (a dialog) is in the higher of its
own layer and its parent's, so it stays above its parent. All three are in the ``views``
scene tree (above the background and bottom layer-shell surfaces, under panels); a
fullscreen window under an ``above`` window on its output stays under it (see above).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from wlroots import ffi as wlr_ffi
from wlroots.util.box import Box
from wlroots.wlr_types import Output, SceneNode

from compositor.ffi import address, ffi, lib, to_native, to_wlroots

if TYPE_CHECKING:
    from compositor.core import Core
    from compositor.output import OutputManager
    from compositor.shell.seat_port import SeatPort
    from compositor.shell.view import View

log = logging.getLogger(__name__)

CASCADE_STEP = 32
CASCADE_ORIGIN = 24
# Window layers, bottom to top (View.layer); every window of one is above every window of
# the ones before it.
WINDOW_LAYERS = ("below", "normal", "above")
_LAYER_RANK = {name: rank for rank, name in enumerate(WINDOW_LAYERS)}


class WindowManager:
    """Every window, whatever its role: the list of them in stacking order, placement,
    focus, window states and the output each is on (see the module's doc)."""

    def __init__(self, core: Core, outputs: OutputManager) -> None:
        self.core = core
        self.outputs = outputs
        self.output_layout = core.output_layout
        self.tree = core.stacking.views  # the scene tree windows live in (see stacking.py)
        # The seat, handed over by the composition root once it exists (it needs the shell).
        self.seat: SeatPort | None = None
        # The part of an output left to windows; the layer shell replaces this with one that
        # leaves out panels' exclusive zones.
        self.usable_area: Callable[[Output], Box | None] = core.output_layout.get_box
        self.views: list[View] = []  # bottom to top
        self.focused_view: View | None = None
        self.recent: list[View] = []  # most recently focused first (Alt+Tab's order)
        # Called with a window and what changed: mapped, unmapped, destroyed, moved,
        # minimized or state (the taskbar handles of shell/foreign_toplevel.py).
        self.view_changed_observers: list[Callable[[View, str], None]] = []
        # Called with each window that goes (destroyed), after the shell forgot it.
        self.view_destroyed_observers: list[Callable[[View], None]] = []
        # Called with each window as it maps, before it is focused (the config file's window
        # rules); one that returns False keeps the focus where it is.
        self.view_map_observers: list[Callable[[View], bool | None]] = []
        # Called with each window that gets the keyboard focus (the config file's hooks).
        self.focus_observers: list[Callable[[View], None]] = []
        # Views by the C address of their scene tree (hit testing, input/cursor.py) and of
        # their wl_surface (every other lookup: decorations, activation, taskbars, parents).
        self._view_by_tree: dict[int, View] = {}
        self._view_by_surface: dict[int, View] = {}
        # Fullscreen windows cover the panels (top layer), not the overlay layer.
        root = to_native(core.scene.node, "struct wlr_scene_node *")
        fullscreen_tree = lib.wlr_scene_tree_create(root)
        if fullscreen_tree == ffi.NULL:
            raise MemoryError("cannot create the fullscreen scene tree")
        self.fullscreen_tree = SceneNode(to_wlroots(fullscreen_tree, "struct wlr_scene_node *"))
        self.fullscreen_tree.place_above(core.stacking.top)
        self._cascade = 0

    # -- the windows ---------------------------------------------------------------------

    def add_view(self, view: View) -> None:
        """A new window of any role (shell/xdg_shell.py, shell/xwayland.py), not mapped yet."""
        self.views.append(view)
        self._view_by_tree[view.tree_address] = view

    def surface_changed(self, view: View, old: int, new: int) -> None:
        """A window's wl_surface (C address, 0: none) is now ``new`` (an X11 window gets a
        new one at each map)."""
        if old and self._view_by_surface.get(old) is view:
            del self._view_by_surface[old]
        if new:
            self._view_by_surface[new] = view

    def view_of_surface(self, address: int) -> View | None:
        """The window whose wl_surface is at this C address (``struct wlr_surface *``)."""
        return self._view_by_surface.get(address)

    # -- placement, focus, stacking -------------------------------------------------------

    def place_new_view(self, view: View) -> tuple[int, int]:
        """Where a new window opens (the top-left of its window geometry). A transient (a
        dialog) opens centred over its parent, kept on the parent's output, title bar
        included (see :meth:`place_transient`). Any other window's frame (the window and
        the compositor's title bar above it), on the output under the pointer: the spot of
        the usable
        area (on a 32 px grid) where it covers the least of the windows already there, and
        of those the nearest to where the cascade would put it. So windows open side by side
        while there is room, and pile up only as little as they must: every window under a
        damaged pixel is painted again (translucent clients are most of them), and with the
        plain cascade 64 windows stacked up to ~28 deep."""
        parent = view.parent_view()
        if parent is not None and parent.mapped and not parent.minimized:
            return self.place_transient(view, parent)
        output = self.output_layout.output_at(*self.pointer_position())
        box = self.usable_area(output) if output is not None else None
        if box is None or box.width <= 0:
            return CASCADE_ORIGIN, CASCADE_ORIGIN + view.title_bar_height
        # Frames: the window geometry with the compositor's title bar above it.
        _, _, width, height = view.geometry()
        bar = view.title_bar_height
        height += bar
        preferred = self._cascade_position(box, width, height)
        others = []
        for other in self.views:
            if other is view or not other.mapped or other.minimized:
                continue
            x, y, w, h = other.geometry()
            y, h = y - other.title_bar_height, h + other.title_bar_height
            if x < box.x + box.width and box.x < x + w and y < box.y + box.height and box.y < y + h:
                others.append((x, y, x + w, y + h))
        if not others:
            return preferred[0], preferred[1] + bar
        last_x = box.x + max(CASCADE_ORIGIN, box.width - width)
        last_y = box.y + max(CASCADE_ORIGIN, box.height - height)
        best: tuple[int, int, int, int] | None = None
        for y in range(box.y + CASCADE_ORIGIN, last_y + 1, CASCADE_STEP):
            bottom = y + height
            rows = [o for o in others if o[1] < bottom and y < o[3]]
            for x in range(box.x + CASCADE_ORIGIN, last_x + 1, CASCADE_STEP):
                right = x + width
                covered = 0
                for left, top, o_right, o_bottom in rows:
                    if left < right and x < o_right:
                        covered += (min(right, o_right) - max(x, left)) * (
                            min(bottom, o_bottom) - max(y, top)
                        )
                distance = (x - preferred[0]) ** 2 + (y - preferred[1]) ** 2
                if best is None or (covered, distance) < best[:2]:
                    best = (covered, distance, x, y)
        assert best is not None
        return best[2], best[3] + bar

    def place_transient(self, view: View, parent: View) -> tuple[int, int]:
        """Centred over the parent's window (its title bar and all), then moved as little
        as needed to lie in the usable area of the parent's output, its own title bar
        included."""
        px, py, pw, ph = parent.geometry()
        pbar = parent.title_bar_height
        _, _, width, height = view.geometry()
        bar = view.title_bar_height
        x = px + (pw - width) // 2
        y = py - pbar + (pbar + ph - (bar + height)) // 2 + bar
        output = self.output_of(parent)
        box = self.usable_area(output) if output is not None else None
        if box is not None and box.width > 0 and box.height > 0:
            x = max(box.x, min(x, box.x + box.width - width))
            y = max(box.y + bar, min(y, box.y + box.height - height))
        return x, y

    def put_over_parent(self, view: View, parent: View) -> None:
        """A mapped dialog whose parent maps or is named only now (a dialog shown before its
        window: session restore, a toolkit's startup code) goes over it as if it had opened
        after it; not one the person moved, nor one maximized or fullscreen."""
        if not view.mapped or not view.placed:
            return
        if view.user_moved or view.maximized or view.fullscreen:
            return
        log.info("dialog %r goes over its window %r", view.app_id, parent.app_id)
        view.move_to(*self.place_transient(view, parent))

    def transients_of(self, view: View) -> list[View]:
        """The windows whose parent is ``view`` (its dialogs), bottom to top."""
        return [v for v in self.views if v is not view and v.parent_view() is view]

    def on_view_moved(self, view: View, dx: int, dy: int) -> None:
        """A window moved (a drag, a state change): its dialogs move with it."""
        for child in self.transients_of(view):
            if child.mapped and not (child.maximized or child.fullscreen):
                child.move_to(child.x + dx, child.y + dy)

    def _cascade_position(self, box: Box, width: int, height: int) -> tuple[int, int]:
        """The next spot of a cascade from the top-left of ``box``, 32 px down and right each
        time, back at the top-left when the window would leave the box."""
        offset = CASCADE_ORIGIN + CASCADE_STEP * self._cascade
        self._cascade += 1
        span_x = max(1, box.width - width - CASCADE_ORIGIN)
        span_y = max(1, box.height - height - CASCADE_ORIGIN)
        if offset > span_x or offset > span_y:
            self._cascade = 1
            offset = CASCADE_ORIGIN
        return box.x + offset, box.y + offset

    def modal_dialog_of(self, view: View) -> View:
        """Who takes ``view``'s focus: its topmost shown modal dialog (xdg_wm_dialog_v1),
        that dialog's own, and so on; ``view`` itself when it has none."""
        seen: set[int] = set()
        while id(view) not in seen:  # a parent loop (a client's mistake) ends here
            seen.add(id(view))
            modal = [
                child
                for child in self.transients_of(view)
                if child.mapped
                and not child.minimized
                and child.surface is not None
                and lib.comp_dialog_modal(to_native(child.surface, "struct wlr_surface *"))
            ]
            if not modal:
                break
            view = modal[-1]
        return view

    def focus(self, view: View) -> None:
        """Raise ``view`` (showing it again if minimized) and give it keyboard focus;
        deactivate the previous one."""
        if view not in self.views or not view.mapped:
            return
        view = self.modal_dialog_of(view)
        if view.minimized:
            view.set_minimized(False)
        view.urgent = False
        if view in self.recent:
            self.recent.remove(view)
        self.recent.insert(0, view)
        previous = self.focused_view
        self.views.remove(view)
        self.views.append(view)
        self.restack()
        if previous is view:
            return
        if previous is not None and previous in self.views:
            previous.set_activated(False)
        view.set_activated(True)
        self.focused_view = view
        if self.seat is not None:
            self.seat.focus_keyboard(view.surface)
        self.rebase_pointer()  # the stacking under the pointer changed
        for observer in self.focus_observers:
            observer(view)

    def refit(self) -> None:
        """Outputs or panels changed: maximized and fullscreen windows take their new box,
        and other windows are moved back into the usable area of their output (a panel
        that came later over a title bar, an output made smaller by a mode or a scale, an
        output that went: the window goes to the one under the pointer)."""
        for view in self.views:
            if not view.mapped:
                continue
            if view.maximized or view.fullscreen:
                view.arrange()
            else:
                self._keep_in_usable_area(view)

    def _keep_in_usable_area(self, view: View) -> None:
        output = self.output_of(view)
        box = self.usable_area(output) if output is not None else None
        if box is None or box.width <= 0 or box.height <= 0:
            return
        x, y, width, height = view.geometry()
        bar = view.title_bar_height
        top, height = y - bar, height + bar  # the frame: the title bar and the window
        new_x = box.x if width > box.width else max(box.x, min(x, box.x + box.width - width))
        new_top = (
            box.y if height > box.height else max(box.y, min(top, box.y + box.height - height))
        )
        if (new_x, new_top) != (x, top):
            log.info("%r moved into the usable area of %s", view.app_id, output.name)
            view.move_to(new_x, new_top + bar)

    def set_layer(self, view: View, layer: str, to_top: bool = False) -> None:
        """Keep ``view`` above the normal windows (``above``), below them (``below``), or
        among them (``normal``); ``to_top``: on top of that layer's windows (else where
        its place in the order puts it: a reload's rules move nothing else)."""
        if layer not in _LAYER_RANK:
            raise ValueError(f"a window layer is one of {', '.join(WINDOW_LAYERS)}, not {layer!r}")
        if view.layer == layer and not to_top:
            return
        log.info("window %d (%r) now in the %s layer", view.id, view.app_id, layer)
        view.layer = layer
        if to_top and view in self.views:
            self.views.remove(view)
            self.views.append(view)
        self.restack()
        if view.mapped:
            view.restacked()
        self.rebase_pointer()

    def restack(self) -> None:
        """Put every window's tree in its scene tree and in the order of ``self.views``,
        each transient (dialog) right above its parent, and the window layers in order
        (see the module's doc): the one place the stacking order is made."""
        self.views = self._in_window_layers(self._transients_above(self.views))
        covered: set[str | None] = set()  # outputs with a window higher in the stack
        for view in reversed(self.views):
            if not view.mapped or view.minimized:
                continue
            output = self.output_name_of(view)  # a fullscreen window's: its fullscreen output
            layer = self.fullscreen_tree if view.fullscreen and output not in covered else self.tree
            covered.add(output)
            if view.tree._ptr.parent != layer._ptr:
                lib.wlr_scene_node_reparent(
                    to_native(view.tree, "struct wlr_scene_node *"),
                    to_native(layer, "struct wlr_scene_node *"),
                )
        for view in self.views:
            view.tree.raise_to_top()

    def _in_window_layers(self, views: list[View]) -> list[View]:
        """``views`` (transients after their parents) sorted by window layer, keeping their
        order within a layer. A transient's layer is the higher of its own and its
        parent's, so it never goes under its parent."""
        ranks: dict[int, int] = {}

        def rank(view: View) -> int:
            chain: list[View] = []  # view, its parent, theirs... up to one ranked already
            on_chain: set[int] = set()
            up: View | None = view
            while up is not None and id(up) not in ranks and id(up) not in on_chain:
                on_chain.add(id(up))
                chain.append(up)
                parent = up.parent_view()
                up = parent if parent is not up else None
            # A ranked parent's rank; none, or a parent loop (a client's mistake): 0.
            floor = ranks.get(id(up), 0) if up is not None else 0
            for member in reversed(chain):
                floor = max(floor, _LAYER_RANK.get(member.layer, 1))
                ranks[id(member)] = floor
            return ranks[id(view)]

        return sorted(views, key=rank)  # stable

    def _transients_above(self, views: list[View]) -> list[View]:
        """``views`` reordered so that each window's transients come right after it (in
        their own order), their transients after them, and so on."""
        parents = {id(v): v.parent_view() for v in views}
        children: dict[int, list[View]] = {}
        roots = []
        for view in views:
            parent = parents[id(view)]
            if parent is not None and parent in views and parent is not view:
                children.setdefault(id(parent), []).append(view)
            else:
                roots.append(view)
        ordered: list[View] = []
        seen: set[int] = set()

        def add(view: View) -> None:
            if id(view) in seen:
                return
            seen.add(id(view))
            ordered.append(view)
            for child in children.get(id(view), []):
                add(child)

        for view in roots:
            add(view)
        for view in views:  # a parent loop (a client's mistake): keep them all
            add(view)
        return ordered

    def pointer_position(self) -> tuple[float, float]:
        return self.seat.pointer_position() if self.seat is not None else (0.0, 0.0)

    def rebase_pointer(self) -> None:
        """The stacking or a window's geometry changed under the pointer."""
        if self.seat is not None:
            self.seat.rebase_pointer()

    def view_for_tree(self, address: int) -> View | None:
        """The view whose scene tree is at this C address (see comp_scene_input_at)."""
        return self._view_by_tree.get(address)

    def on_view_mapped(self, view: View) -> None:
        focus = True
        for observer in self.view_map_observers:
            if observer(view) is False:
                focus = False
        for child in self.transients_of(view):  # dialogs that mapped before it
            self.put_over_parent(child, view)
        if focus:
            self.focus(view)
        else:
            self.restack()
            view.restacked()
        self.rebase_pointer()

    def on_view_unmapped(self, view: View) -> None:
        if self.seat is not None:
            self.seat.end_grab_of(view)
        if self.focused_view is view:
            self.focused_view = None
            self._focus_topmost()
        self.restack()
        self.rebase_pointer()

    def _focus_topmost(self) -> None:
        visible = [v for v in self.views if v.mapped and not v.minimized]
        if visible:
            self.focus(visible[-1])
        elif self.seat is not None:
            self.seat.clear_keyboard_focus()

    def switchable(self) -> list[View]:
        """The windows Alt+Tab offers, most recently focused first (minimized ones too;
        windows never focused last)."""
        mapped = [v for v in self.recent if v.mapped]
        never = [v for v in reversed(self.views) if v.mapped and v not in self.recent]
        return mapped + never

    def output_box_under_pointer(self) -> Box | None:
        layout = self.output_layout
        output = layout.output_at(*self.pointer_position())
        return layout.get_box(output) if output is not None else None

    # -- window states --------------------------------------------------------------------

    def set_maximized(self, view: View, maximized: bool) -> None:
        view.set_maximized(maximized)
        self.restack()
        self.rebase_pointer()

    def set_fullscreen(self, view: View, fullscreen: bool, output: str | None = None) -> None:
        view.set_fullscreen(fullscreen, output)
        self.restack()
        self.rebase_pointer()

    def set_minimized(self, view: View, minimized: bool) -> None:
        if not view.mapped or minimized == view.minimized:
            return
        if not minimized:
            self.focus(view)
            self.rebase_pointer()
            return
        view.set_minimized(True)
        self.views.remove(view)
        self.views.insert(0, view)
        if self.focused_view is view:
            view.set_activated(False)
            self.focused_view = None
            self._focus_topmost()
        self.restack()
        self.rebase_pointer()

    def toggle_maximized(self) -> None:
        if self.focused_view is not None:
            self.set_maximized(self.focused_view, not self.focused_view.maximized)

    def toggle_fullscreen(self) -> None:
        if self.focused_view is not None:
            self.set_fullscreen(self.focused_view, not self.focused_view.fullscreen)

    def minimize_focused(self) -> None:
        if self.focused_view is not None:
            self.set_minimized(self.focused_view, True)

    # -- outputs of windows ---------------------------------------------------------------

    def output_name(self, output_ptr) -> str | None:
        """The name of the output at a wlr_output pointer (NULL: None)."""
        if output_ptr == wlr_ffi.NULL:
            return None
        wanted = address(output_ptr)
        for output in self.outputs:
            if address(output.output) == wanted:
                return output.name
        return None

    def _output_named(self, name: str | None) -> Output | None:
        for output in self.outputs:
            if output.name == name:
                return output.output
        return None

    def output_of(self, view: View) -> Output | None:
        """The output a window is on: its fullscreen output, else the one under its centre,
        else (not placed yet, or off every output) the one under the pointer."""
        layout = self.output_layout
        output = self._output_named(view.fullscreen_output) if view.fullscreen else None
        if output is None and view.placed:
            x, y, width, height = view.geometry()
            output = layout.output_at(x + width / 2, y + height / 2)
        if output is None:
            output = layout.output_at(*self.pointer_position())
        if output is None:
            output = next((o.output for o in self.outputs), None)
        return output

    def output_name_of(self, view: View) -> str | None:
        output = self.output_of(view)
        return output.name if output is not None else None

    def state_box(self, view: View) -> tuple[int, int, int, int] | None:
        """Where a fullscreen (the whole output) or maximized (its usable area) window goes."""
        output = self.output_of(view)
        if output is None:
            return None
        box = self.output_layout.get_box(output) if view.fullscreen else self.usable_area(output)
        if box is None or box.width <= 0 or box.height <= 0:
            return None
        if not view.fullscreen:  # maximized: the compositor's title bar stays on the output
            bar = view.title_bar_height
            return box.x, box.y + bar, box.width, max(1, box.height - bar)
        return box.x, box.y, box.width, box.height

    def on_view_destroyed(self, view: View) -> None:
        self._view_by_tree.pop(view.tree_address, None)
        for surface in [a for a, v in self._view_by_surface.items() if v is view]:
            del self._view_by_surface[surface]
        if view in self.views:
            self.views.remove(view)
        if view in self.recent:
            self.recent.remove(view)
        if self.focused_view is view:
            self.focused_view = None
        for observer in self.view_destroyed_observers:
            observer(view)

    def close_focused(self) -> None:
        if self.focused_view is not None:
            self.focused_view.close()
