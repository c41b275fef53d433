"""The pointer: cursor image, focus and button delivery, interactive move and resize.

Motion runs in C while nothing needs Python (ffi/csrc/pointer_motion.h): the hit test,
enter/motion/leave, relative motion, idle activity and cursor images, as described below;
this module takes over a motion while a move or resize, a held or kept press, a drag, an
active pointer constraint or an input inhibitor is on (:meth:`CursorManager.sync_motion_path`).

Hit testing goes through the scene graph (``comp_scene_input_at``): the topmost surface
under the pointer as it is drawn, window-geometry offsets, subsurfaces, popups, layer
surfaces and moved windows included, with surface-local coordinates; the window that owns
it is found from the scene tree above it (``WindowManager.view_for_tree``).

Implicit grab: the surface under the pointer at the first button press gets that press,
every motion until the last button is released (in its own coordinates, even outside it),
and the releases, as on X11 and sway. A press on the background holds nobody: motion
reaches no client until the release. A press the compositor keeps (a move or resize, or a
button pressed during one) keeps its release too, so no client ever gets a release without
its press.

Move: drag with the modifier (Alt or Super) held and the left button, or when a client asks
(xdg_toplevel.move with the serial of a press it holds). Resize: modifier + right button
(the nearest corner follows), or a client's xdg_toplevel.resize with its edges.

Drag and drop (input/drag.py): while a client's drag is on, every motion goes to the surface
under the pointer, whichever got the press, and the release drops there or cancels.

Every motion is first activity (idle), relative motion for the client under the pointer,
and subject to the active pointer constraint (a locked pointer stays, a confined one stops
at its region's edge: see constraints.py). While a client inhibits input (a lock screen),
the surfaces of every other client are not there for the pointer.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Protocol

from pywayland.server import Listener
from wlroots import ffi as wlr_ffi
from wlroots import lib as wlr_lib
from wlroots.util.edges import Edges
from wlroots.wlr_types import Cursor, InputDevice, XCursorManager
from wlroots.wlr_types.cursor import WarpMode
from wlroots.wlr_types.input_device import ButtonState
from wlroots.wlr_types.keyboard import KeyboardModifier
from wlroots.wlr_types.pointer import (
    PointerEventAxis,
    PointerEventButton,
    PointerEventMotion,
    PointerEventMotionAbsolute,
)

from compositor import wayland_fixes
from compositor.ffi import address, ffi, lib, to_native, to_wlroots
from compositor.input.pointer_port import Hit
from compositor.input.seatops import ButtonHeld, KeptPress, Move, Passthrough, Resize, SeatOp
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from wlroots.wlr_types import Seat

    from compositor.core import Core
    from compositor.input.constraints import PointerConstraints
    from compositor.input.drag import DragAndDrop
    from compositor.input.inhibit import InputInhibit
    from compositor.shell.decorations import Decorations
    from compositor.shell.session_lock import SessionLock
    from compositor.shell.view import View
    from compositor.shell.window_manager import WindowManager

log = logging.getLogger(__name__)

BTN_LEFT = 0x110
BTN_RIGHT = 0x111
GRAB_MODIFIERS = KeyboardModifier.ALT | KeyboardModifier.LOGO
# Modifiers a pointer binding matches on (Caps and Num Lock never do).
MODIFIERS = int(
    KeyboardModifier.SHIFT | KeyboardModifier.CTRL | KeyboardModifier.ALT | KeyboardModifier.LOGO
)


@ffi.def_extern()
def comp_py_pointer_motion(handle: Any, kind: int, event: Any) -> None:
    ffi.from_handle(handle).from_c(kind, event)


class PointerSeat(Protocol):
    """What the pointer asks of the rest of the seat (input/seat.py's ``SeatManager``, which
    builds the cursor first and the parts named here with it)."""

    constraints: PointerConstraints  # a motion is constrained, then relative motion
    drag: DragAndDrop  # motion during a drag and drop goes to its focus
    input_inhibit: InputInhibit  # motion goes through Python while a client inhibits input
    session_lock: SessionLock | None  # a press on another output's lock surface
    pointers: list  # the pointer devices: no cursor image without one

    def notify_activity(self) -> None: ...

    def input_allowed(self, surface: Any) -> bool: ...

    def locked(self) -> bool: ...

    def modifiers(self) -> KeyboardModifier: ...


class CursorManager:
    def __init__(
        self,
        core: Core,
        wlr_seat: Seat,
        seat: PointerSeat,
        *,
        wm: WindowManager,
        decorations: Decorations | None,
    ) -> None:
        """``wm``: clicks focus windows, the hit test finds them; ``decorations``: presses on
        title bars."""
        self.core = core
        self.wlr_seat = wlr_seat
        self.seat = seat
        self.wm = wm
        self.decorations = decorations
        self.wlr_cursor = Cursor(core.output_layout)
        self._xcursor_manager: XCursorManager | None = None  # see xcursor_theme()
        self.cursor_theme: tuple[str | None, int] = (None, 24)  # name (None: default), size
        # Pointer bindings by (modifiers, button): "move", "resize" or a function of the
        # window under the pointer; None: the defaults (Alt or Super + left moves, + right
        # resizes). The config file sets it (compositor/configfile/).
        self.mouse_bindings: dict[tuple[int, int], Any] | None = None
        self.op: SeatOp = Passthrough(self)  # what the pointer is doing (input/seatops.py)
        self._root = to_native(core.scene.node, "struct wlr_scene_node *")
        self._out = (  # out-parameters of comp_scene_input_at, allocated once
            ffi.new("double *"),
            ffi.new("double *"),
            ffi.new("struct wlr_scene_node **"),
            ffi.new("struct wlr_scene_node **"),
        )
        self.coords = ffi.new("int[2]")  # scratch for wlr_scene_node_coords
        self._layout = ffi.new("double[2]")
        self._rebase_source = None
        self._delivered: set[int] = set()  # buttons whose press went to the seat
        self._kept: set[int] = set()  # buttons whose press the compositor kept
        # Motion, frames and clients' cursor images are handled in C (ffi/cdef/
        # pointer_motion.h); it hands a motion to Python only while Python must decide.
        self._handle = ffi.new_handle(self)
        self.motion = lib.comp_pointer_motion_create(
            to_native(self.wlr_cursor, "struct wlr_cursor *"),
            to_native(wlr_seat, "struct wlr_seat *"),
            self._root,
            self._handle,
        )
        if self.motion == ffi.NULL:
            raise MemoryError("cannot create the pointer's motion path")
        # wp_cursor_shape_manager_v1: clients name a shape of our theme (cursor_shape.h).
        self.shapes = lib.comp_cursor_shape_manager_create(
            to_native(core.display, "struct wl_display *"), self.motion
        )
        if self.shapes == ffi.NULL:
            raise MemoryError("cannot create the cursor-shape global")
        self._shape_stats = ffi.new("comp_cursor_shape_stats *")
        self._listeners = Listeners(
            (self.wlr_cursor.button_event, self._on_button),
            (self.wlr_cursor.axis_event, self._on_axis),
        )

    @property
    def over_client(self) -> bool:
        """The last hit test found a client's surface (kept in C, which tests most)."""
        return bool(self.motion.over_client)

    @over_client.setter
    def over_client(self, value: bool) -> None:
        self.motion.over_client = value

    def sync_motion_path(self) -> None:
        """Tell the C motion path whether Python must take motion now: a move or resize, a
        press the compositor kept (a title bar, Alt+drag), an active pointer constraint, a
        client inhibiting input. (A button held and a drag and drop it sees itself.)"""
        seat = self.seat
        self.motion.python = bool(
            not isinstance(self.op, Passthrough)
            or self._kept
            or self._delivered
            or seat.constraints.active is not None
            or seat.input_inhibit.exclusive_client
            or seat.locked()
        )

    def input_allowed_changed(self) -> None:
        """Which surfaces may get input changed (an input inhibitor came or went, the
        session was unlocked): Python takes motion or not, and the pointer goes to what it
        may reach under it."""
        self.sync_motion_path()
        self.rebase()

    def describe_motion(self) -> dict[str, Any]:
        motion = self.motion
        stats = self._shape_stats
        lib.comp_cursor_shape_get_stats(self.shapes, stats)
        last = lib.comp_cursor_shape_name(stats.last_shape)
        return {
            "motions_c": motion.motions_c,
            "motions_python": motion.motions_python,
            "cursor_images": motion.cursor_images,
            # wp_cursor_shape_v1: shapes shown, ignored (not the client under the pointer,
            # a stale serial, a tablet tool), the last shown.
            "cursor_shapes": stats.shapes_set,
            "cursor_shapes_ignored": stats.shapes_ignored,
            "cursor_shape": ffi.string(last).decode() if last != ffi.NULL else None,
        }

    def destroy(self) -> None:
        self._listeners.remove_all()
        lib.comp_cursor_shape_manager_destroy(self.shapes)  # it uses the motion path
        self.shapes = ffi.NULL
        lib.comp_pointer_motion_destroy(self.motion)
        self.motion = ffi.NULL
        wayland_fixes.remove_source(self._rebase_source)
        self._rebase_source = None
        self.op = Passthrough(self)
        if self._xcursor_manager is not None:
            self._xcursor_manager.destroy()
            self._xcursor_manager = None
        self.wlr_cursor.destroy()

    def xcursor_theme(self) -> XCursorManager:
        """The xcursor manager, with its theme loaded at scale 1. Made on first use: wlroots
        loads every cursor of the theme at once (Adwaita at 24 px: ~1.1 MiB of images), which
        a compositor shows only once the pointer is over no client's surface (or for
        Xwayland's root window)."""
        if self._xcursor_manager is None:
            name, size = self.cursor_theme
            if name is None:
                self._xcursor_manager = XCursorManager(size)  # loads the theme at scale 1
            else:
                manager = XCursorManager.__new__(XCursorManager)
                ptr = wlr_lib.wlr_xcursor_manager_create(name.encode(), size)
                manager._ptr = wlr_ffi.gc(ptr, wlr_lib.wlr_xcursor_manager_destroy)
                wlr_lib.wlr_xcursor_manager_load(manager._ptr, 1)
                self._xcursor_manager = manager
            self.motion.xcursor = to_native(self._xcursor_manager, "struct wlr_xcursor_manager *")
        return self._xcursor_manager

    def set_cursor_theme(self, name: str | None, size: int) -> None:
        """Another xcursor theme or size (the config file): loaded when next needed."""
        if (name, size) == self.cursor_theme:
            return
        self.cursor_theme = (name, size)
        if self._xcursor_manager is not None:
            self.motion.xcursor = ffi.NULL
            self._xcursor_manager.destroy()
            self._xcursor_manager = None
            if not self.over_client and self.seat.pointers:
                self.xcursor_theme().set_cursor_image("left_ptr", self.wlr_cursor)

    def attach(self, device: InputDevice) -> None:
        self.wlr_cursor.attach_input_device(device)

    # -- motion ---------------------------------------------------------------------------

    def from_c(self, kind: int, event: Any) -> None:
        """The C motion path hands over a motion (or asks for the xcursor theme)."""
        if kind == lib.COMP_POINTER_MOTION:
            self._on_motion(
                None, PointerEventMotion(to_wlroots(event, "struct wlr_event_pointer_motion *"))
            )
        elif kind == lib.COMP_POINTER_MOTION_ABSOLUTE:
            self._on_motion_absolute(
                None,
                PointerEventMotionAbsolute(
                    to_wlroots(event, "struct wlr_event_pointer_motion_absolute *")
                ),
            )
        elif kind == lib.COMP_POINTER_NEED_XCURSOR:
            self.xcursor_theme()

    def _on_motion(self, listener: Listener | None, event: PointerEventMotion) -> None:
        dx, dy = event.delta_x, event.delta_y
        udx, udy = event.unaccel_delta_x, event.unaccel_delta_y
        focused = self._pointer_focus()
        if self._motion_allowed(event.time_msec, dx, dy):
            self.wlr_cursor.move(dx, dy, input_device=event.device)
            self._process_motion(event.time_msec)
        self._relative_motion(focused, event.time_msec, dx, dy, udx, udy)

    def _on_motion_absolute(
        self, listener: Listener | None, event: PointerEventMotionAbsolute
    ) -> None:
        # As a relative motion too (relative pointer, constraints), as sway does; the
        # pointer itself goes exactly to the absolute position when nothing constrains it.
        lib.wlr_cursor_absolute_to_layout_coords(
            to_native(self.wlr_cursor, "struct wlr_cursor *"),
            to_native(event.device, "struct wlr_input_device *"),
            event.x,
            event.y,
            self._layout,
            self._layout + 1,
        )
        dx, dy = self._layout[0] - self.wlr_cursor.x, self._layout[1] - self.wlr_cursor.y
        focused = self._pointer_focus()
        if self._motion_allowed(event.time_msec, dx, dy):
            self.wlr_cursor.warp(
                WarpMode.AbsoluteClosest, event.x, event.y, input_device=event.device
            )
            self._process_motion(event.time_msec)
        self._relative_motion(focused, event.time_msec, dx, dy, dx, dy)

    def _pointer_focus(self) -> Any:
        return self.wlr_seat.pointer_state._ptr.focused_surface

    def _relative_motion(self, focused: Any, time_msec: int, dx, dy, udx, udy) -> None:
        """The motion as relative motion for the client under the pointer, in the frame of
        its wl_pointer.motion; none when the motion took the pointer to another surface.

        Xwayland (22.1) moves the X pointer by a relative motion, then to the absolute
        position of a wl_pointer.motion in the same frame; a relative motion in a frame
        without one (sent before a leave: Xwayland keeps it until the next enter; or with
        an enter, which carries the position itself) moves the X pointer away from where
        it is drawn, and the next click lands there."""
        if self._pointer_focus() == focused:
            self.seat.constraints.relative_motion(time_msec, dx, dy, udx, udy)

    def _motion_allowed(self, time_msec: int, dx: float, dy: float):
        """Activity, then the active pointer constraint: True when the pointer may move
        freely; False when the constraint moved it itself (confined) or keeps it where it
        is (locked). The relative motion goes out after the motion (_relative_motion)."""
        self.seat.notify_activity()
        constraints = self.seat.constraints
        if self.op.takes_pointer or self._kept:
            return True  # the compositor's move or resize has the pointer
        allowed = constraints.constrain(dx, dy)
        if allowed is None:
            return True
        if allowed is not False:
            self.wlr_cursor.warp(WarpMode.LayoutClosest, allowed.x, allowed.y)
            self._process_motion(time_msec)
        return False

    def _process_motion(self, time_msec: int) -> None:
        if self.seat.drag.active:
            self.drag_motion(time_msec)
            return
        self.op.motion(time_msec)

    def hit(self, lx: float, ly: float) -> Hit:
        """What takes input at layout point (lx, ly), from the scene graph."""
        sx, sy, node, tree = self._out
        surface = lib.comp_scene_input_at(self._root, lx, ly, sx, sy, node, tree)
        view = None
        if tree[0] != ffi.NULL:
            view = self.wm.view_for_tree(address(tree[0]))
        wlr_surface = None
        if surface != ffi.NULL:
            if not self.seat.input_allowed(surface):
                # Another client inhibits input (a lock screen): this one is not there.
                return Hit(None, None, 0.0, 0.0, ffi.NULL)
            wlr_surface = to_wlroots(surface, "struct wlr_surface *")
        return Hit(view, wlr_surface, sx[0], sy[0], node[0])

    def focus_under_cursor(self, time_msec: int, moved: bool = False) -> None:
        """Give the pointer to what is under it (the passthrough's motion)."""
        hit = self.hit(self.wlr_cursor.x, self.wlr_cursor.y)
        seat = self.wlr_seat._ptr
        was_over_client, self.over_client = self.over_client, hit.surface is not None
        if hit.surface is None:
            # Over the background (or a decoration): show our own cursor image, once the
            # pointer moved or a client's surface left it (until then there is none), and
            # only with a pointer to move it (a software cursor keeps buffers off the planes).
            if (moved or was_over_client) and self.seat.pointers:
                self.xcursor_theme().set_cursor_image("left_ptr", self.wlr_cursor)
            self.wlr_seat.pointer_clear_focus()
            return
        wlr_lib.wlr_seat_pointer_notify_enter(seat, hit.surface, hit.sx, hit.sy)
        wlr_lib.wlr_seat_pointer_notify_motion(seat, time_msec, hit.sx, hit.sy)

    def drag_motion(self, time_msec: int | None = None) -> None:
        """During a drag and drop, the surface under the pointer (under the icon) is the
        drag's focus: wlroots' drag grab turns enter and motion into the data device's
        enter and motion, and clearing the focus into its leave. Also when a drag starts:
        the pointer may be past its source already (a toolkit starts the drag after a
        threshold of motion)."""
        if time_msec is None:
            time_msec = _now_msec()
        hit = self.hit(self.wlr_cursor.x, self.wlr_cursor.y)
        seat = self.wlr_seat._ptr
        if hit.surface is None:
            wlr_lib.wlr_seat_pointer_notify_clear_focus(seat)
        else:
            wlr_lib.wlr_seat_pointer_notify_enter(seat, hit.surface, hit.sx, hit.sy)
            wlr_lib.wlr_seat_pointer_notify_motion(seat, time_msec, hit.sx, hit.sy)
        self.seat.drag.follow()

    def rebase(self) -> None:
        """What is under the pointer changed without it moving (a window mapped, went,
        was raised, moved or resized): give the pointer to what is there now, once the
        loop is idle (a window maps inside its commit, before the scene graph has placed
        its surfaces)."""
        if self._rebase_source is None:
            self._rebase_source = wayland_fixes.add_idle(self.core.event_loop, self._rebase_now)

    def _rebase_now(self) -> None:
        self._rebase_source = None
        if isinstance(self.op, Passthrough) and not self._delivered and not self._kept:
            self.focus_under_cursor(_now_msec())

    def press_belongs_to(self, view: View, serial: int | None) -> bool:
        """``serial`` is that of the press now held, on one of ``view``'s surfaces (None:
        any press held there; X11 requests carry no serial)."""
        if not isinstance(self.op, ButtonHeld) or self.op.view is not view or not self._delivered:
            return False
        return serial is None or bool(
            wlr_lib.wlr_seat_validate_pointer_grab_serial(self.wlr_seat._ptr, wlr_ffi.NULL, serial)
        )

    # -- buttons --------------------------------------------------------------------------

    def _on_button(self, listener: Listener, event: PointerEventButton) -> None:
        self.seat.notify_activity()
        if event.button_state == ButtonState.PRESSED:
            self._press(event.time_msec, event.button)
        else:
            self._release(event.time_msec, event.button)
        self.sync_motion_path()

    def _press(self, time_msec: int, button: int) -> None:
        if self.op.takes_pointer or self._kept:
            self._kept.add(button)  # a move or resize has the pointer
            return
        if not self._delivered:
            hit = self.hit(self.wlr_cursor.x, self.wlr_cursor.y)
            if hit.view is not None:
                self.wm.focus(hit.view)
                action = self._mouse_binding(button)
                if action is not None:
                    self._kept.add(button)
                    if action == "move":
                        self.begin_move(hit.view)
                    elif action == "resize":
                        self.begin_resize(hit.view, self._nearest_edges(hit.view))
                    else:
                        action(hit.view)
                    if isinstance(self.op, Passthrough):  # refused (maximized, fullscreen)
                        self.op = KeptPress(self, hit.view)
                    return
                if hit.surface is None and self._press_title_bar(hit, time_msec, button):
                    return
            elif hit.surface is not None and self.seat.locked():
                self.seat.session_lock.clicked(hit.surface)  # another output's lock surface
            self.op = ButtonHeld(self, hit)
        self._delivered.add(button)
        self.wlr_seat.pointer_notify_button(time_msec, button, ButtonState.PRESSED)

    def _mouse_binding(self, button: int) -> Any:
        """What a press of ``button`` on a window does with the modifiers held now: "move",
        "resize", a function of the window, or None (the press goes to the client)."""
        modifiers = int(self.seat.modifiers())
        if self.mouse_bindings is None:
            if modifiers & GRAB_MODIFIERS and button in (BTN_LEFT, BTN_RIGHT):
                return "move" if button == BTN_LEFT else "resize"
            return None
        return self.mouse_bindings.get((modifiers & MODIFIERS, button))

    def _press_title_bar(self, hit: Hit, time_msec: int, button: int) -> bool:
        """A press on the compositor's title bar of a window is the compositor's: a left
        drag moves the window, a click on a button is taken at the release."""
        decorations = self.decorations
        part = decorations.part_at(hit.view, hit.node) if decorations is not None else None
        if part is None:
            return False
        self._kept.add(button)
        if button != BTN_LEFT:
            self.op = KeptPress(self, hit.view)
            return True

        def release(time_msec: int) -> None:
            hit = self.hit(self.wlr_cursor.x, self.wlr_cursor.y)
            decorations.release(hit.view, hit.node, time_msec, self.wlr_cursor.x, self.wlr_cursor.y)

        self.op = KeptPress(self, hit.view, release)
        x, y = self.wlr_cursor.x, self.wlr_cursor.y
        if decorations.press(hit.view, part, time_msec, x, y) and not self._refused(
            hit.view, "move"
        ):
            self._start(Move(self, hit.view, release))
        return True

    def _release(self, time_msec: int, button: int) -> None:
        if button in self._delivered:
            self._delivered.discard(button)
            self.wlr_seat.pointer_notify_button(time_msec, button, ButtonState.RELEASED)
        else:
            # Its press was kept by the compositor (or came before we started): so is this.
            self._kept.discard(button)
        if self._delivered or self._kept:
            return
        op, self.op = self.op, Passthrough(self)
        op.ended(time_msec)
        # The pointer may be over another surface now.
        self.focus_under_cursor(time_msec)

    def session_locked(self) -> None:
        """The session locks: no client keeps the pointer. A move, resize or press ends
        (the buttons still held are the compositor's until released: their releases reach
        nobody), the pointer leaves every surface and shows our own image, and motion goes
        through Python, which finds only lock surfaces."""
        self._kept |= self._delivered
        self._delivered.clear()
        self.op = KeptPress(self) if self._kept else Passthrough(self)
        self.wlr_seat.pointer_clear_focus()
        self.over_client = False
        if self.seat.pointers:
            self.xcursor_theme().set_cursor_image("left_ptr", self.wlr_cursor)
        self.sync_motion_path()
        self.rebase()

    def release_all(self) -> None:
        """A pointer went (unplugged) with buttons held: they are released, as if let go
        (a client gets its release, a move or a drag ends), so that the seat does not
        stay with a button down that no device will ever release."""
        now = _now_msec()
        for button in sorted(self._delivered | self._kept):
            self._release(now, button)
        self.sync_motion_path()

    def _on_axis(self, listener: Listener, event: PointerEventAxis) -> None:
        self.seat.notify_activity()
        self.wlr_seat.pointer_notify_axis(
            event.time_msec, event.orientation, event.delta, event.delta_discrete, event.source
        )

    # -- interactive move / resize --------------------------------------------------------

    def _refused(self, view: View, what: str) -> bool:
        if view.fullscreen or view.maximized:
            log.info("%s of %r refused: it is %s", what, view.app_id, view.state)
            return True
        return False

    def _start(self, op: SeatOp) -> None:
        self.op = op
        self.sync_motion_path()

    def begin_move(self, view: View) -> None:
        if not self._refused(view, "move"):
            self._start(Move(self, view))

    def begin_resize(self, view: View, edges: Edges) -> None:
        if not self._refused(view, "resize"):
            self._start(Resize(self, view, edges))

    def end_grab_of(self, view: View) -> None:
        """``view`` is going away (unmapped): no operation may keep it."""
        self.op = self.op.view_gone(view)
        self.sync_motion_path()

    def _nearest_edges(self, view: View) -> Edges:
        x, y, width, height = view.geometry()
        edges = Edges.NONE
        edges |= Edges.LEFT if self.wlr_cursor.x < x + width / 2 else Edges.RIGHT
        edges |= Edges.TOP if self.wlr_cursor.y < y + height / 2 else Edges.BOTTOM
        return edges


def _now_msec() -> int:
    return int(time.monotonic() * 1000) & 0xFFFFFFFF
