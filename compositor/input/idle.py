"""Idle (ext-idle-notify v1, what swayidle 1.8 prefers, and org_kde_kwin_idle, its fallback)
and idle-inhibit v1.

Every input event, pointer or keyboard, real or virtual, is activity: it restarts every
client's idle timers (and resumes the ones that fired), of both protocols: wlroots 0.15 has
only org_kde_kwin_idle, and ext_idle_notifier_v1 (C: ffi/csrc/idle_notify.h) follows its
activity. A client that shows something the user watches (a video player, a presentation)
holds an idle inhibitor on one of its surfaces; as in sway 1.7, idle is inhibited while
such a surface is *drawn*: present in the scene with every tree above it enabled and a
buffer (an unmapped or minimized window's inhibitor counts for nothing, and so does one
behind the session lock). While inhibited, the timers stop (an ext-idle-notify notification
that had fired resumes); they start again from zero when the last visible inhibitor goes.

Whether an inhibitor's surface is drawn changes when a window maps, unmaps or is
(un)minimized (the view hook calls :meth:`IdleManager.update`), when a layer surface maps
or unmaps (followed here, and looked at once the commit that did it is applied), when the
session locks or unlocks, and when an inhibitor comes or goes.

``pydrm-ctl idle`` reports the state: inhibited or not, the inhibitors, each client timer
(timeout, fired, running; kde's first, then ext-idle-notify's) and the activity events
counted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pywayland.server import Listener
from wlroots import ffi as wlr_ffi
from wlroots import lib as wlr_lib
from wlroots.wlr_types import Surface
from wlroots.wlr_types.idle import Idle
from wlroots.wlr_types.idle_inhibit_v1 import IdleInhibitorManagerV1, IdleInhibitorV1
from wlroots.wlr_types.layer_shell_v1 import LayerSurfaceV1

from compositor import wayland_fixes
from compositor.ffi import ffi, lib, to_native
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from wlroots.wlr_types import Seat

    from compositor.control import ControlServer
    from compositor.core import Core

log = logging.getLogger(__name__)

MAX_TIMERS = 256  # reported by the idle command


class Inhibitor:
    def __init__(self, manager: IdleManager, inhibitor: IdleInhibitorV1) -> None:
        self.manager = manager
        self.surface = inhibitor._ptr.surface  # wlroots cdata; valid while the inhibitor is
        self.pid = lib.comp_surface_client_pid(to_native(self.surface, "struct wlr_surface *"))
        self._listeners = Listeners((inhibitor.destroy_event, self._on_destroy))
        # Layer surfaces have no view hook: follow their mapping here, until the layer
        # surface goes (it may go before the wl_surface and this inhibitor do).
        self._layer_listeners = Listeners()
        root = wlr_lib.wlr_surface_get_root_surface(self.surface)
        if wlr_lib.wlr_surface_is_layer_surface(root):
            layer = LayerSurfaceV1.from_wlr_surface(Surface(root))
            self._layer_listeners.connect(layer.map_event, self._on_layer_change)
            self._layer_listeners.connect(layer.unmap_event, self._on_layer_change)
            self._layer_listeners.connect(layer.destroy_event, self._on_layer_destroy)

    def drawn(self) -> bool:
        root = to_native(self.manager.core.scene.node, "struct wlr_scene_node *")
        surface = to_native(self.surface, "struct wlr_surface *")
        return bool(
            lib.comp_scene_surface_drawn(
                root, surface, self.manager._coords, self.manager._coords + 1
            )
        )

    def _on_layer_change(self, listener: Listener, data: Any) -> None:
        # wlroots 0.15 unmaps a layer surface before the commit that drops its buffer is
        # applied: look once that commit is done.
        self.manager.update_soon()

    def _on_layer_destroy(self, listener: Listener, data: Any) -> None:
        self._layer_listeners.remove_all()
        self.manager.update_soon()

    def _on_destroy(self, listener: Listener, data: Any) -> None:
        self.remove_listeners()
        self.manager.on_destroyed(self)
        self.surface = None

    def remove_listeners(self) -> None:
        self._listeners.remove_all()
        self._layer_listeners.remove_all()


class IdleManager:
    def __init__(self, core: Core, wlr_seat: Seat, activity_in_c: Callable[[], int]) -> None:
        """``activity_in_c``: input events the C motion and key paths counted as activity
        (they tell wlroots' idle themselves)."""
        self.core = core  # the display, the event loop, the scene (drawn inhibitors)
        self.wlr_seat = wlr_seat
        self.activity_in_c = activity_in_c
        display = core.display
        self.idle = Idle(display)
        self.notifier = lib.comp_idle_notifier_create(
            to_native(display, "struct wl_display *"), to_native(self.idle, "struct wlr_idle *")
        )
        if self.notifier == ffi.NULL:
            raise MemoryError("cannot create the ext_idle_notifier_v1 global")
        self.inhibit_manager = IdleInhibitorManagerV1(display)
        self.inhibitors: list[Inhibitor] = []
        self.inhibited = False
        self.activity = 0  # input events counted as activity
        self._update_source = None  # an idle callback that runs update()
        self._coords = ffi.new("int[2]")
        self._timers = (
            ffi.new(f"uint32_t[{MAX_TIMERS}]"),
            ffi.new(f"bool[{MAX_TIMERS}]"),
            ffi.new(f"bool[{MAX_TIMERS}]"),
        )
        self._listeners = Listeners(
            (self.inhibit_manager.new_inhibitor_event, self._on_new_inhibitor)
        )

    def destroy(self) -> None:
        self._listeners.remove_all()
        lib.comp_idle_notifier_destroy(self.notifier)
        self.notifier = ffi.NULL
        wayland_fixes.remove_source(self._update_source)
        self._update_source = None
        for inhibitor in self.inhibitors:
            inhibitor.remove_listeners()
        self.inhibitors.clear()

    def notify_activity(self) -> None:
        """User input: every idle timer starts again (one that fired sends resumed)."""
        self.activity += 1
        self.idle.notify_activity(self.wlr_seat)

    def _on_new_inhibitor(self, listener: Listener, inhibitor: IdleInhibitorV1) -> None:
        entry = Inhibitor(self, inhibitor)
        self.inhibitors.append(entry)
        log.info("idle inhibitor from pid %s", entry.pid)
        self.update()

    def on_destroyed(self, entry: Inhibitor) -> None:
        if entry in self.inhibitors:
            self.inhibitors.remove(entry)
        self.update()

    def update_soon(self) -> None:
        """update() once the event loop is idle (after the commit being handled)."""
        if self._update_source is None:
            self._update_source = wayland_fixes.add_idle(self.core.event_loop, self._update_now)

    def _update_now(self) -> None:
        self._update_source = None
        self.update()

    def update(self) -> None:
        """Inhibit idle while any inhibitor's surface is drawn (sway: visible)."""
        inhibited = any(entry.drawn() for entry in self.inhibitors)
        if inhibited == self.inhibited:
            return
        self.inhibited = inhibited
        log.info("idle: %s", "inhibited" if inhibited else "no longer inhibited")
        wlr_lib.wlr_idle_set_enabled(self.idle._ptr, wlr_ffi.NULL, not inhibited)
        lib.comp_idle_notifier_set_inhibited(self.notifier, inhibited)

    def describe(self, request: dict | None = None) -> dict:
        timeouts, fired, running = self._timers
        count = lib.comp_idle_timers(
            to_native(self.idle, "struct wlr_idle *"), timeouts, fired, running, MAX_TIMERS
        )
        timers = [
            {"timeout_ms": timeouts[i], "idle": bool(fired[i]), "running": bool(running[i])}
            for i in range(min(count, MAX_TIMERS))
        ]
        count = lib.comp_idle_notifications(self.notifier, timeouts, fired, running, MAX_TIMERS)
        timers += [
            {"timeout_ms": timeouts[i], "idle": bool(fired[i]), "running": bool(running[i])}
            for i in range(min(count, MAX_TIMERS))
        ]
        return {
            "inhibited": self.inhibited,
            "inhibitors": [{"pid": entry.pid, "drawn": entry.drawn()} for entry in self.inhibitors],
            "timers": timers,
            # Input events counted as activity, here and on the C motion and key paths.
            "activity": self.activity + self.activity_in_c(),
        }

    def register_commands(self, control: ControlServer) -> None:
        control.register(
            "idle",
            "idle state: inhibited (a drawn surface holds an idle inhibitor), the inhibitors, "
            "the clients' idle timers (timeout, fired, running) and input events counted",
            self.describe,
        )
