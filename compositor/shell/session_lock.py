"""ext-session-lock-v1: lock screens (swaylock 1.7 ``-f``, gtklock).

The protocol and the lock surfaces' checks are C (ffi/csrc/session_lock.h); this module
says what a lock means:

- **Granted** when no live locker holds the session (another gets ``finished``). From then
  on every output shows only the lock: the scene's other trees (windows, panels, popups,
  X11 menus, drag icons, anything at the scene root) are disabled, and the lock's own tree
  shows a solid colour per output until that output's lock surface comes, then the lock
  surface above it. Screenshots, screencopy, export-dmabuf and the recorder take what the
  outputs show, so they show the lock too. ``locked`` is sent once every enabled output has
  committed a frame of the lock (1 s at most), as the protocol asks.
- **Input** reaches only the lock surfaces (and their subsurfaces): the pointer's hit test
  finds nothing else (the other trees are disabled, and motion goes through Python, which
  checks :meth:`SessionLock.allowed`); the keyboard goes to the lock surface under the
  pointer when it maps or is clicked, and nobody can take it; key bindings are restricted
  to the ones that cannot be inhibited (Ctrl+Alt+BackSpace, the VT switches, and the
  configuration file's ``inhibitable=False`` ones); grabs, drags and the window switcher
  end.
- **Unlocked** only by the locker's ``unlock_and_destroy``. A locker that goes without it
  (killed, crashed) leaves the session locked, showing a dark red colour: a new locker
  (swayidle's next timeout, a binding made with ``inhibitable=False``, ``pydrm-ctl spawn``
  from another VT) may lock again and unlock.
- Outputs that come while locked are blanked at once; outputs that change are blanked to
  their new size and their lock surfaces configured again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wlroots.wlr_types import Surface

from compositor import wayland_fixes
from compositor.ffi import address, ffi, lib, to_native, to_wlroots

if TYPE_CHECKING:
    from compositor.control import ControlServer
    from compositor.core import Core
    from compositor.output import OutputManager, ServerOutput
    from compositor.shell.seat_port import SeatPort

log = logging.getLogger(__name__)

LOCK_COLOR = (0.0, 0.0, 0.0, 1.0)  # until an output's lock surface comes
ABANDONED_COLOR = (0.3, 0.0, 0.0, 1.0)  # the locker went without unlocking
LOCKED_TIMEOUT_S = 1.0  # the longest `locked` waits for outputs to show the lock
POLL_MS = 5


@ffi.def_extern()
def comp_py_session_lock(handle: Any, kind: int, obj: Any) -> None:
    ffi.from_handle(handle).from_c(kind, obj)


class _OutputLock:
    """What one output shows while locked: a tree at its layout position, the colour, and
    the lock surface's scene tree once it maps."""

    def __init__(self, parent: Any, server_output: ServerOutput, color) -> None:
        self.server_output = server_output
        tree = lib.wlr_scene_tree_create(parent)
        if tree == ffi.NULL:
            raise MemoryError("cannot blank an output for the session lock")
        self.node = ffi.cast("struct wlr_scene_node *", tree)
        width, height = server_output.size
        self.rect = lib.wlr_scene_rect_create(self.node, width, height, color)
        self.surface_node = lib.comp_node_ref_create()  # NULL when the tree is destroyed
        if self.rect == ffi.NULL or self.surface_node == ffi.NULL:
            self.destroy()
            raise MemoryError("cannot blank an output for the session lock")
        self.place()

    def place(self) -> None:
        x, y = self.server_output.layout_position
        lib.wlr_scene_node_set_position(self.node, x, y)
        width, height = self.server_output.size
        lib.comp_lock_rect_set_size(self.rect, width, height)

    def set_color(self, color) -> None:
        lib.wlr_scene_rect_set_color(self.rect, color)

    def show_surface(self, surface: Any) -> None:
        self.hide_surface()
        node = lib.wlr_scene_subsurface_tree_create(self.node, surface)
        if node == ffi.NULL:
            log.warning("session lock: no memory to show a lock surface (the colour stays)")
            return
        lib.comp_node_ref_set(self.surface_node, node)

    def hide_surface(self) -> None:
        node = lib.comp_node_ref_get(self.surface_node)
        if node != ffi.NULL:
            lib.wlr_scene_node_destroy(node)

    def destroy(self) -> None:
        if self.surface_node != ffi.NULL:
            lib.comp_node_ref_destroy(self.surface_node)
            self.surface_node = ffi.NULL
        if self.node != ffi.NULL:
            lib.wlr_scene_node_destroy(self.node)  # the rect and surface tree with it
            self.node = ffi.NULL


class SessionLock:
    def __init__(
        self,
        core: Core,
        outputs: OutputManager,
        seat: SeatPort,
    ) -> None:
        self.core = core
        self.outputs = outputs
        self.seat = seat  # the keyboard goes to lock surfaces; the pointer finds them
        self._handle = ffi.new_handle(self)
        self.manager = lib.comp_session_lock_manager_create(
            to_native(core.display, "struct wl_display *"), self._handle
        )
        if self.manager == ffi.NULL:
            raise RuntimeError("cannot create the ext_session_lock_manager_v1 global")
        self._root = to_native(core.scene.node, "struct wlr_scene_node *")
        self.locked = False
        self.lock = ffi.NULL  # the comp_session_lock * that may unlock; NULL: none (abandoned)
        self.abandoned = False
        self._tree = ffi.NULL  # the lock's scene tree, above everything, while locked
        self._outputs: dict[ServerOutput, _OutputLock] = {}
        self._surfaces: dict[int, Any] = {}  # comp_lock_surface * by address (active lock's)
        self._locked_wait = None  # (timer, lock, {output: frames_committed at lock}, start)
        self.counts = {"locks_granted": 0, "locks_refused": 0, "unlocks": 0, "locks_abandoned": 0}
        # Told True when the session locks and False when it unlocks: the seat (input/seat.py:
        # grabs, drags and the switcher end; the keyboard goes back), screen sharing (blanks).
        self.lock_changed: list[Callable[[bool], None]] = []

    def destroy(self) -> None:
        self._stop_waiting()
        self.locked = False  # outputs that go after this find nothing to blank
        self.lock = ffi.NULL
        lib.comp_session_lock_manager_destroy(self.manager)  # shows the scene again
        self.manager = ffi.NULL
        for output_lock in self._outputs.values():
            output_lock.destroy()
        self._outputs.clear()
        if self._tree != ffi.NULL:
            lib.wlr_scene_node_destroy(self._tree)
            self._tree = ffi.NULL

    # -- what input may reach ----------------------------------------------------------------

    def allowed(self, surface: Any) -> bool:
        """May this surface get input? While locked, only the active lock's lock surfaces
        (and their subsurfaces); none after the locker went."""
        if not self.locked:
            return True
        if self.lock == ffi.NULL:
            return False
        native = to_native(surface, "struct wlr_surface *")
        return bool(lib.comp_session_lock_owns(self.lock, native))

    def clicked(self, surface: Any) -> None:
        """A press on a lock surface (another output's): it takes the keyboard."""
        if self.locked and self.allowed(surface):
            root = to_native(surface, "struct wlr_surface *")
            for ls in self._surfaces.values():
                if ls.surface != ffi.NULL and ls.mapped and ls.surface == root:
                    self._focus(ls)
                    return

    def refocus(self) -> None:
        """Someone would clear the keyboard focus while locked: a lock surface keeps it."""
        focused = self.seat.wlr_seat._ptr.keyboard_state.focused_surface
        if address(focused) and self.allowed(focused):
            return
        target = self._surface_for_keyboard()
        if target is not None:
            self._focus(target)
        else:
            self.seat.wlr_seat.keyboard_clear_focus()

    # -- events from C -----------------------------------------------------------------------

    def from_c(self, kind: int, obj: Any) -> None:
        if kind == lib.COMP_LOCK_NEW:
            self._on_new_lock(ffi.cast("comp_session_lock *", obj))
        elif kind == lib.COMP_LOCK_UNLOCK:
            self._on_unlock(ffi.cast("comp_session_lock *", obj))
        elif kind == lib.COMP_LOCK_GONE:
            self._on_lock_gone(ffi.cast("comp_session_lock *", obj))
        elif kind == lib.COMP_LOCK_SURFACE_NEW:
            self._on_new_surface(ffi.cast("comp_lock_surface *", obj))
        elif kind == lib.COMP_LOCK_SURFACE_MAP:
            self._on_map(ffi.cast("comp_lock_surface *", obj))
        elif kind == lib.COMP_LOCK_SURFACE_GONE:
            self._on_surface_gone(ffi.cast("comp_lock_surface *", obj))

    def _on_new_lock(self, lock: Any) -> None:
        pid = _pid(lock.client)
        if self.lock != ffi.NULL:
            self.counts["locks_refused"] += 1
            log.info("session lock: refused to pid %s, another locker holds the session", pid)
            lib.comp_session_lock_send_finished(lock)
            return
        self.counts["locks_granted"] += 1
        lock.granted = True
        self.lock = lock
        was_locked = self.locked
        if not self.locked:
            self._lock_session()
        else:
            log.info("session lock: pid %s takes over the locked session", pid)
            self.abandoned = False
            for output_lock in self._outputs.values():
                output_lock.set_color(LOCK_COLOR)
        log.info("session locked by pid %s", pid)
        if was_locked:
            lib.comp_session_lock_send_locked(lock)  # nothing else was shown meanwhile
        else:
            self._send_locked_when_shown(lock)

    def _on_unlock(self, lock: Any) -> None:
        if lock != self.lock:
            return
        log.info("session unlocked by pid %s", _pid(lock.client))
        self.counts["unlocks"] += 1
        self._unlock_session()

    def _on_lock_gone(self, lock: Any) -> None:
        if self._locked_wait is not None and self._locked_wait[1] == lock:
            self._stop_waiting()
        if lock != self.lock:
            return
        self.lock = ffi.NULL
        if self.locked:
            self.counts["locks_abandoned"] += 1
            self.abandoned = True
            log.warning(
                "session lock: the locker (pid %s) went without unlocking: the session stays "
                "locked until a new locker unlocks it",
                _pid(lock.client),
            )
            for output_lock in self._outputs.values():
                output_lock.set_color(ABANDONED_COLOR)
            self.seat.wlr_seat.keyboard_clear_focus()
            self.seat.wlr_seat.pointer_clear_focus()

    def _on_new_surface(self, ls: Any) -> None:
        if ls.lock != self.lock or self.lock == ffi.NULL:
            return  # a refused lock's surface: never shown
        self._surfaces[address(ls)] = ls
        server_output = self._server_output(ls.output)
        if server_output is not None:
            width, height = server_output.size
            lib.comp_lock_surface_configure(ls, width, height)

    def _on_map(self, ls: Any) -> None:
        if address(ls) not in self._surfaces or not self.locked:
            return
        output_lock = self._output_lock(ls.output)
        if output_lock is None:
            return
        output_lock.show_surface(ls.surface)
        self._rehide()
        focused = self.seat.wlr_seat._ptr.keyboard_state.focused_surface
        if not address(focused) or not self.allowed(focused):
            self._focus(self._surface_for_keyboard() or ls)
        self.seat.rebase_pointer()

    def _on_surface_gone(self, ls: Any) -> None:
        if self._surfaces.pop(address(ls), None) is None:
            return
        output_lock = self._output_lock(ls.output)
        if output_lock is not None:
            output_lock.hide_surface()
        if self.locked and ls.surface != ffi.NULL:
            focused = self.seat.wlr_seat._ptr.keyboard_state.focused_surface
            if address(focused) == address(ls.surface):
                self.seat.wlr_seat.keyboard_clear_focus()
                target = self._surface_for_keyboard(excluding=ls)
                if target is not None:
                    self._focus(target)

    # -- locking and unlocking ---------------------------------------------------------------

    def _lock_session(self) -> None:
        self.locked = True
        self.abandoned = False
        tree = lib.wlr_scene_tree_create(self._root)
        if tree == ffi.NULL:
            raise MemoryError("cannot create the session lock's scene tree")
        self._tree = ffi.cast("struct wlr_scene_node *", tree)
        for server_output in self.outputs:
            self._add_output(server_output)
        self._rehide()
        for observer in self.lock_changed:  # the seat first: what clients started ends
            observer(True)

    def _unlock_session(self) -> None:
        self._stop_waiting()
        self.locked = False
        self.abandoned = False
        self.lock = ffi.NULL
        self._surfaces.clear()
        lib.comp_scene_show_others(self.manager)
        for output_lock in self._outputs.values():
            output_lock.destroy()
        self._outputs.clear()
        if self._tree != ffi.NULL:
            lib.wlr_scene_node_destroy(self._tree)
            self._tree = ffi.NULL
        for observer in self.lock_changed:  # the seat first: the keyboard goes back
            observer(False)

    def _rehide(self) -> None:
        """Only the lock's tree is enabled at the scene root (again: nodes made since)."""
        if self._tree != ffi.NULL:
            lib.comp_scene_hide_others(self.manager, self._root, self._tree)

    def _send_locked_when_shown(self, lock: Any) -> None:
        """``locked`` once every enabled output committed a frame since the lock (at most
        LOCKED_TIMEOUT_S later)."""
        self._stop_waiting()
        frames = {o: o.frames_committed for o in self.outputs if o.output.enabled}
        if not frames:
            lib.comp_session_lock_send_locked(lock)
            return
        timer = wayland_fixes.add_timer(self.core.event_loop, self._poll_locked)
        self._locked_wait = (timer, lock, frames, time.monotonic())
        timer.timer_update(POLL_MS)

    def _poll_locked(self, _data: Any) -> int:
        if self._locked_wait is None:
            return 0
        timer, lock, frames, start = self._locked_wait
        live = [o for o in self.outputs if o in frames and o.output.enabled]
        shown = all(o.frames_committed > frames[o] for o in live)
        late = time.monotonic() - start > LOCKED_TIMEOUT_S
        if shown or late:
            if late and not shown:
                log.warning("session lock: an output showed no frame in %.1f s", LOCKED_TIMEOUT_S)
            self._stop_waiting()
            lib.comp_session_lock_send_locked(lock)
        else:
            timer.timer_update(POLL_MS)
        return 0

    def _stop_waiting(self) -> None:
        if self._locked_wait is not None:
            wayland_fixes.remove_source(self._locked_wait[0])
            self._locked_wait = None

    # -- outputs -----------------------------------------------------------------------------

    def _add_output(self, server_output: ServerOutput) -> None:
        color = ABANDONED_COLOR if self.abandoned else LOCK_COLOR
        self._outputs[server_output] = _OutputLock(self._tree, server_output, color)

    def _server_output(self, wlr_output: Any) -> ServerOutput | None:
        wanted = address(wlr_output)
        return next((o for o in self.outputs if address(o._native_output) == wanted), None)

    def _output_lock(self, wlr_output: Any) -> _OutputLock | None:
        server_output = self._server_output(wlr_output)
        return self._outputs.get(server_output) if server_output is not None else None

    def on_output_added(self, server_output: ServerOutput) -> None:
        """A new output while locked is blanked before it shows anything else."""
        if self.locked and server_output not in self._outputs:
            self._add_output(server_output)
            self._rehide()

    def on_outputs_changed(self, removed: ServerOutput | None) -> None:
        """Outputs went, moved or changed size or scale: blank them where they are now;
        lock surfaces of a new size are configured again."""
        if removed is not None:
            output_lock = self._outputs.pop(removed, None)
            if output_lock is not None:
                output_lock.destroy()
        if not self.locked:
            return
        for server_output in self.outputs:
            output_lock = self._outputs.get(server_output)
            if output_lock is None:
                self._add_output(server_output)
            else:
                output_lock.place()
        for ls in list(self._surfaces.values()):
            server_output = self._server_output(ls.output)
            if server_output is not None and server_output.size != (ls.width, ls.height):
                lib.comp_lock_surface_configure(ls, *server_output.size)
        self._rehide()

    # -- keyboard ----------------------------------------------------------------------------

    def _surface_for_keyboard(self, excluding: Any = None) -> Any:
        """The mapped lock surface on the output under the pointer, else any mapped one."""
        mapped = [
            ls
            for ls in self._surfaces.values()
            if ls.mapped and ls.surface != ffi.NULL and ls != excluding
        ]
        if not mapped:
            return None
        x, y = self.seat.pointer_position()
        for ls in mapped:
            server_output = self._server_output(ls.output)
            if server_output is None:
                continue
            ox, oy = server_output.layout_position
            width, height = server_output.size
            if ox <= x < ox + width and oy <= y < oy + height:
                return ls
        return mapped[0]

    def _focus(self, ls: Any) -> None:
        surface = Surface(to_wlroots(ls.surface, "struct wlr_surface *"))
        self.seat.focus_keyboard(surface)

    # -- control ------------------------------------------------------------------------------

    def describe(self, request: dict | None = None) -> dict:
        return {
            "locked": self.locked,
            "abandoned": self.abandoned,
            "locker_pid": _pid(self.lock.client) if self.lock != ffi.NULL else None,
            "lock_surfaces": sum(1 for ls in self._surfaces.values() if ls.mapped),
            "outputs_blanked": sorted(o.name for o in self._outputs),
            **self.counts,
        }

    def register_commands(self, control: ControlServer) -> None:
        control.register(
            "session-lock",
            "ext-session-lock: whether the session is locked, by whom (pid), lock surfaces "
            "shown, whether the locker went without unlocking (abandoned), locks granted, "
            "refused, unlocked and abandoned so far",
            self.describe,
        )


def _pid(client: Any) -> int | None:
    if client == ffi.NULL:
        return None
    pid = ffi.new("int32_t *")
    uid = ffi.new("uint32_t *")
    gid = ffi.new("uint32_t *")
    lib.wl_client_get_credentials(client, pid, uid, gid)
    return pid[0]
