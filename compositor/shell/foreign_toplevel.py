"""wlr-foreign-toplevel-management v1 (v3): what taskbars and docks see and do.

As in sway 1.7, every mapped window (xdg or X11) has one handle, created when it maps and
destroyed when it unmaps: a taskbar (waybar's wlr/taskbar, sfwbar) lists it with its title
and app_id, its states (activated, maximized, minimized, fullscreen), the outputs it is on
and (xdg) its parent window, all kept up to date; and asks for the same things the keyboard
can do (activate, maximize, minimize, fullscreen on an output, close), which go through the
Shell like any other request.

The View tells :meth:`ForeignToplevels.on_view_changed` when it maps, unmaps, moves or
changes state (``View._notify``); activation follows the keyboard focus (the Shell focuses
a window, then gives it the keyboard); titles and app_ids come from the role's own events;
the outputs from the window's geometry when it moves, after the commit that takes a new size
and when the outputs change. Whoever needs to know when a window is shown or hidden (idle
inhibition) sets :attr:`ForeignToplevels.on_visibility_changed`.

ext-foreign-toplevel-list-v1 (sway 1.10; C in ffi/csrc/foreign_toplevel_list.c) lists
the same windows to any client that asks, read-only: an identifier, the title and app_id,
kept current, and closed when the window unmaps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pywayland.server import Listener
from wlroots import ffi as wlr_ffi
from wlroots import lib as wlr_lib
from wlroots.wlr_types.foreign_toplevel_management_v1 import (
    ForeignToplevelHandleV1FullscreenEvent,
    ForeignToplevelHandleV1MaximizedEvent,
    ForeignToplevelHandleV1MinimizedEvent,
    ForeignToplevelManagerV1,
)

from compositor import wayland_fixes
from compositor.ffi import ffi, lib, to_native
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from compositor.core import Core
    from compositor.output import OutputManager
    from compositor.shell.view import View

log = logging.getLogger(__name__)


def _text(value: str | None) -> Any:
    return value.encode() if value is not None else ffi.NULL


def _nothing() -> None:
    pass


class ToplevelHandle:
    """The handle of one mapped window, and what keeps it current."""

    def __init__(self, owner: ForeignToplevels, view: View) -> None:
        self.owner = owner
        self.view = view
        handle = self.handle = owner.manager.create_handle()
        self.outputs: set[str] = set()  # names of the outputs the handle says it is on
        self._outputs_source = None  # an idle callback that updates the outputs
        handle.set_title(view.title)
        handle.set_app_id(view.app_id)
        # ext-foreign-toplevel-list: NULL when out of memory (then that list lacks it).
        self.listed = lib.comp_ftl_toplevel_create(
            owner.listed, _text(view.title), _text(view.app_id)
        )
        self._listeners = Listeners(
            (handle.request_activate_event, self._on_request_activate),
            (handle.request_maximize_event, self._on_request_maximize),
            (handle.request_minimize_event, self._on_request_minimize),
            (handle.request_fullscreen_event, self._on_request_fullscreen),
            (handle.request_close_event, self._on_request_close),
        )
        self.refresh()

    def destroy(self) -> None:
        """The window unmapped or went: wlroots tells every taskbar, and orphans its
        children's handles."""
        self._listeners.remove_all()
        wayland_fixes.remove_source(self._outputs_source)
        self._outputs_source = None
        self.handle.destroy()
        if self.listed != ffi.NULL:
            lib.comp_ftl_toplevel_destroy(self.listed)
            self.listed = ffi.NULL
        del self.handle, self.view

    # -- keeping it current ---------------------------------------------------------------

    def refresh(self) -> None:
        """States and outputs from the view (wlroots sends only what changed)."""
        view = self.view
        self.handle.set_maximized(view.maximized)
        self.handle.set_fullscreen(view.fullscreen)
        self.handle.set_minimized(view.minimized)
        self.handle.set_activated(view.wm.focused_view is view)
        self.update_outputs()

    def changed(self, change: str) -> None:
        """The window's title, app id, parent or size (configured) changed."""
        if change == "title":
            self.handle.set_title(self.view.title)
            if self.listed != ffi.NULL:
                lib.comp_ftl_toplevel_set_title(self.listed, _text(self.view.title))
        elif change == "app_id":
            self.handle.set_app_id(self.view.app_id)
            if self.listed != ffi.NULL:
                lib.comp_ftl_toplevel_set_app_id(self.listed, _text(self.view.app_id))
        elif change == "parent":
            self.update_parent()
        elif change == "configured":
            self._on_ack_configure()
        else:
            self.refresh()

    def update_parent(self) -> None:
        parent = self.view.parent_view()
        entry = self.owner.handles.get(parent) if parent is not None else None
        if entry is not None:
            self.handle.set_parent(entry.handle)
        else:
            wlr_lib.wlr_foreign_toplevel_handle_v1_set_parent(self.handle._ptr, wlr_ffi.NULL)

    def _on_ack_configure(self) -> None:
        """The client took a new size, which its next commit (in the same batch of
        requests, before the loop is idle) shows: the outputs then."""
        if self._outputs_source is None:
            self._outputs_source = wayland_fixes.add_idle(
                self.owner.core.event_loop, self._outputs_after_resize
            )

    def _outputs_after_resize(self) -> None:
        self._outputs_source = None
        self.update_outputs()

    def update_outputs(self) -> None:
        """output_enter / output_leave for the outputs the window's geometry overlaps."""
        x, y, width, height = self.view.geometry()
        owner = self.owner
        now = {}
        for output in owner.outputs:
            box = owner.core.output_layout.get_box(output.output)
            if box is None:
                continue
            if x < box.x + box.width and box.x < x + width:
                if y < box.y + box.height and box.y < y + height:
                    now[output.name] = output.output
        for name in self.outputs - now.keys():
            gone = next((o.output for o in owner.outputs if o.name == name), None)
            if gone is not None:  # a destroyed output: wlroots has let go of it itself
                self.handle.output_leave(gone)
        for name in now.keys() - self.outputs:
            self.handle.output_enter(now[name])
        self.outputs = set(now)

    # -- what taskbars ask for ------------------------------------------------------------

    def _on_request_activate(self, listener: Listener, event: Any) -> None:
        log.info("taskbar: activate %r", self.view.app_id)
        self.view.wm.focus(self.view)

    def _on_request_maximize(
        self, listener: Listener, event: ForeignToplevelHandleV1MaximizedEvent
    ) -> None:
        self.view.wm.set_maximized(self.view, bool(event.maximized))

    def _on_request_minimize(
        self, listener: Listener, event: ForeignToplevelHandleV1MinimizedEvent
    ) -> None:
        self.view.wm.set_minimized(self.view, bool(event.minimized))

    def _on_request_fullscreen(
        self, listener: Listener, event: ForeignToplevelHandleV1FullscreenEvent
    ) -> None:
        wm = self.view.wm
        output = wm.output_name(event._ptr.output) if event._ptr.fullscreen else None
        wm.set_fullscreen(self.view, bool(event._ptr.fullscreen), output)

    def _on_request_close(self, listener: Listener, data: Any) -> None:
        log.info("taskbar: close %r", self.view.app_id)
        self.view.close()


class ForeignToplevels:
    def __init__(self, core: Core, outputs: OutputManager, wlr_seat: Any) -> None:
        self.core = core
        self.outputs = outputs
        self.manager = ForeignToplevelManagerV1.create(core.display)
        # ext_foreign_toplevel_list_v1: the same windows, read-only (freed with the display).
        self.listed = lib.comp_ftl_manager_create(to_native(core.display, "struct wl_display *"))
        if self.listed == ffi.NULL:
            raise MemoryError("cannot create the ext_foreign_toplevel_list_v1 global")
        self.handles: dict[View, ToplevelHandle] = {}  # the mapped windows
        # Called when a window is shown or hidden (mapped, unmapped, (un)minimized).
        self.on_visibility_changed: Callable[[], None] = _nothing
        self._listeners = Listeners(
            (wlr_seat.keyboard_state.focus_change_event, self._on_focus_change)
        )

    def on_view_changed(self, view: View, change: str) -> None:
        """From the View: mapped, unmapped, destroyed, moved, minimized, state, title,
        app_id, parent or configured (the client took a new size)."""
        if change == "mapped":
            if view not in self.handles:
                self.handles[view] = ToplevelHandle(self, view)
                for entry in self.handles.values():  # its children, and its own parent
                    entry.update_parent()
            self.on_visibility_changed()
        elif change in ("unmapped", "destroyed"):
            entry = self.handles.pop(view, None)
            if entry is not None:
                entry.destroy()
                self.on_visibility_changed()
        elif (entry := self.handles.get(view)) is not None:
            entry.changed(change)
            if change == "minimized":
                self.on_visibility_changed()

    def _on_focus_change(self, listener: Listener, data: Any) -> None:
        """The window manager focused a window (it gives it the keyboard last): who is activated."""
        for entry in self.handles.values():
            entry.handle.set_activated(entry.view.wm.focused_view is entry.view)

    def refresh_outputs(self) -> None:
        """Outputs came, went or moved: every window's outputs again."""
        for entry in self.handles.values():
            entry.update_outputs()

    def destroy(self) -> None:
        self._listeners.remove_all()
        for entry in self.handles.values():
            entry.destroy()
        self.handles.clear()
