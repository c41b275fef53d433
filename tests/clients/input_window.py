"""A solid window (tests/clients/solid_window.py) that also uses the input protocols games,
remote desktops and video players use, and prints what they deliver:

    relative DX DY DX_UNACCEL DY_UNACCEL      zwp_relative_pointer_v1.relative_motion
    axis AXIS VALUE                            wl_pointer.axis (--axis; 0 vertical)
    locked | unlocked | confined | unconfined  zwp_pointer_constraints_v1 objects
    swipe-begin FINGERS | swipe-update DX DY | swipe-end CANCELLED
    pinch-begin FINGERS | pinch-update DX DY SCALE ROTATION | pinch-end CANCELLED
    hold-begin FINGERS | hold-end CANCELLED    zwp_pointer_gestures_v1 (version 3)
    shortcuts-active | shortcuts-inactive      zwp_keyboard_shortcuts_inhibitor_v1
    idle-inhibitor                             zwp_idle_inhibitor_v1 created
    input-inhibitor                            zwlr_input_inhibitor_v1 created
    ti-enter | ti-leave | ti-done              zwp_text_input_v3 (--text-input)
    preedit TEXT BEGIN END | commit-string TEXT | delete-surrounding BEFORE AFTER

Options: ``--relative``, ``--lock`` (a persistent locked pointer; ``--lock-hint X,Y`` sets
its cursor position hint), ``--confine X,Y,W,H`` (a persistent confined pointer in that
region), ``--gestures``, ``--shortcuts-inhibit``, ``--idle-inhibit``, ``--input-inhibit``
(wlr-input-inhibitor, bindings generated from tests/protocols/: a lock screen's),
``--text-input`` (a text field: on enter it enables its text input with the surrounding
text "hello world", cursor at 5, content purpose email; on leave it disables it), plus
the options of solid_window that matter here. On stdin (``--stdin-sync``), besides
solid_window's commands: ``unconstrain`` destroys the lock or confinement,
``idle-inhibit`` / ``idle-uninhibit`` create and destroy an idle inhibitor,
``shortcuts-uninhibit`` and ``input-uninhibit`` destroy those inhibitors.

    python -m tests.clients.input_window --lock --relative --app-id test.game
"""

from __future__ import annotations

import argparse

from pywayland.protocol.idle_inhibit_unstable_v1 import ZwpIdleInhibitManagerV1
from pywayland.protocol.keyboard_shortcuts_inhibit_unstable_v1 import (
    ZwpKeyboardShortcutsInhibitManagerV1,
)
from pywayland.protocol.pointer_constraints_unstable_v1 import ZwpPointerConstraintsV1
from pywayland.protocol.pointer_gestures_unstable_v1 import ZwpPointerGesturesV1
from pywayland.protocol.relative_pointer_unstable_v1 import ZwpRelativePointerManagerV1
from pywayland.protocol.text_input_unstable_v3 import ZwpTextInputManagerV3, ZwpTextInputV3

from tests.clients.generated import load
from tests.clients.solid_window import SolidWindow, _geometry, _size, exit_on_handler_errors, say

PERSISTENT = ZwpPointerConstraintsV1.lifetime.persistent.value


def _point(text: str) -> tuple[int, int]:
    x, y = (int(part) for part in text.split(","))
    return x, y


class InputWindow(SolidWindow):
    def __init__(self, color: int, size: tuple[int, int], options: argparse.Namespace) -> None:
        self.extra: dict[str, object] = {}
        self.constraint = self.idle_inhibitor = self.shortcuts_inhibitor = None
        self.input_inhibitor = None
        self.options = options  # read by _on_global during the first roundtrip
        super().__init__(color, size, options)
        self.display.roundtrip()  # the seat's capabilities: the pointer exists after this
        if options.relative:
            manager = self._need("zwp_relative_pointer_manager_v1")
            self.relative = manager.get_relative_pointer(self.pointer)
            self.relative.dispatcher["relative_motion"] = lambda r, hi, lo, dx, dy, udx, udy: say(
                "relative", f"{dx:g}", f"{dy:g}", f"{udx:g}", f"{udy:g}"
            )
        if options.axis:
            self.pointer.dispatcher["axis"] = lambda p, t, axis, value: say(
                "axis", axis, f"{value:g}"
            )
        if options.lock or options.confine:
            self._constrain()
        if options.gestures:
            self._gestures()
        if options.shortcuts_inhibit:
            manager = self._need("zwp_keyboard_shortcuts_inhibit_manager_v1")
            inhibitor = manager.inhibit_shortcuts(self.surface, self.seat)
            inhibitor.dispatcher["active"] = lambda i: say("shortcuts-active")
            inhibitor.dispatcher["inactive"] = lambda i: say("shortcuts-inactive")
            self.shortcuts_inhibitor = inhibitor
        if options.idle_inhibit:
            self._idle_inhibit()
        if options.text_input:
            self._text_input()
        if options.input_inhibit:
            self.input_inhibitor = self._need("zwlr_input_inhibit_manager_v1").get_inhibitor()
            say("input-inhibitor")
        self.display.flush()

    def _on_global(self, registry, name: int, interface: str, version: int) -> None:
        wanted = {
            "zwp_relative_pointer_manager_v1": (ZwpRelativePointerManagerV1, 1),
            "zwp_pointer_constraints_v1": (ZwpPointerConstraintsV1, 1),
            "zwp_pointer_gestures_v1": (ZwpPointerGesturesV1, 3),
            "zwp_keyboard_shortcuts_inhibit_manager_v1": (
                ZwpKeyboardShortcutsInhibitManagerV1,
                1,
            ),
            "zwp_idle_inhibit_manager_v1": (ZwpIdleInhibitManagerV1, 1),
            "zwp_text_input_manager_v3": (ZwpTextInputManagerV3, 1),
        }
        if interface == "zwlr_input_inhibit_manager_v1" and self.options.input_inhibit:
            # Only then: its bindings are generated from tests/protocols/ at first use.
            protocol = load("wlr-input-inhibitor-unstable-v1")
            wanted[interface] = (protocol.ZwlrInputInhibitManagerV1, 1)
        if interface in wanted:
            cls, most = wanted[interface]
            self.extra[interface] = registry.bind(name, cls, min(version, most))
        else:
            super()._on_global(registry, name, interface, version)

    def _need(self, interface: str):
        if interface not in self.extra:
            raise SystemExit(f"the compositor does not offer {interface}")
        return self.extra[interface]

    def _constrain(self) -> None:
        manager = self._need("zwp_pointer_constraints_v1")
        if self.options.lock:
            locked = manager.lock_pointer(self.surface, self.pointer, None, PERSISTENT)
            locked.dispatcher["locked"] = lambda p: say("locked")
            locked.dispatcher["unlocked"] = lambda p: say("unlocked")
            if self.options.lock_hint:
                locked.set_cursor_position_hint(*self.options.lock_hint)
                self.surface.commit()  # the hint is double-buffered state
            self.constraint = locked
        else:
            x, y, width, height = self.options.confine
            region = self.compositor.create_region()
            region.add(x, y, width, height)
            confined = manager.confine_pointer(self.surface, self.pointer, region, PERSISTENT)
            region.destroy()
            confined.dispatcher["confined"] = lambda p: say("confined")
            confined.dispatcher["unconfined"] = lambda p: say("unconfined")
            self.constraint = confined

    def _gestures(self) -> None:
        gestures = self._need("zwp_pointer_gestures_v1")
        swipe = self.swipe = gestures.get_swipe_gesture(self.pointer)
        swipe.dispatcher["begin"] = lambda g, serial, t, surface, fingers: say(
            "swipe-begin", fingers
        )
        swipe.dispatcher["update"] = lambda g, t, dx, dy: say("swipe-update", f"{dx:g}", f"{dy:g}")
        swipe.dispatcher["end"] = lambda g, serial, t, cancelled: say("swipe-end", cancelled)
        pinch = self.pinch = gestures.get_pinch_gesture(self.pointer)
        pinch.dispatcher["begin"] = lambda g, serial, t, surface, fingers: say(
            "pinch-begin", fingers
        )
        pinch.dispatcher["update"] = lambda g, t, dx, dy, scale, rotation: say(
            "pinch-update", f"{dx:g}", f"{dy:g}", f"{scale:g}", f"{rotation:g}"
        )
        pinch.dispatcher["end"] = lambda g, serial, t, cancelled: say("pinch-end", cancelled)
        hold = self.hold = gestures.get_hold_gesture(self.pointer)
        hold.dispatcher["begin"] = lambda g, serial, t, surface, fingers: say("hold-begin", fingers)
        hold.dispatcher["end"] = lambda g, serial, t, cancelled: say("hold-end", cancelled)

    def _text_input(self) -> None:
        text_input = self.text_input = self._need("zwp_text_input_manager_v3").get_text_input(
            self.seat
        )

        def enter(ti, surface) -> None:
            say("ti-enter")
            ti.enable()
            ti.set_surrounding_text("hello world", 5, 5)
            ti.set_content_type(0, ZwpTextInputV3.content_purpose.email.value)
            ti.commit()

        def leave(ti, surface) -> None:
            say("ti-leave")
            ti.disable()
            ti.commit()

        text_input.dispatcher["enter"] = enter
        text_input.dispatcher["leave"] = leave
        text_input.dispatcher["preedit_string"] = lambda ti, text, begin, end: say(
            "preedit", text, begin, end
        )
        text_input.dispatcher["commit_string"] = lambda ti, text: say("commit-string", text)
        text_input.dispatcher["delete_surrounding_text"] = lambda ti, before, after: say(
            "delete-surrounding", before, after
        )
        text_input.dispatcher["done"] = lambda ti, serial: say("ti-done")

    def _idle_inhibit(self) -> None:
        manager = self._need("zwp_idle_inhibit_manager_v1")
        self.idle_inhibitor = manager.create_inhibitor(self.surface)
        say("idle-inhibitor")

    def _stdin_commands(self, data: bytes) -> None:
        mine = {
            "unconstrain": self._unconstrain,
            "idle-inhibit": self._idle_inhibit,
            "idle-uninhibit": self._idle_uninhibit,
            "shortcuts-uninhibit": self._shortcuts_uninhibit,
            "input-uninhibit": self._input_uninhibit,
        }
        rest = []
        self._pending = getattr(self, "_pending", b"") + data
        *lines, self._pending = self._pending.split(b"\n")
        for line in lines:
            text = line.decode().strip()
            command = mine.get(text)
            if command is not None:
                command()
            else:
                rest.append(line)
        super()._stdin_commands(b"".join(line + b"\n" for line in rest))

    def _unconstrain(self) -> None:
        if self.constraint is not None:
            self.constraint.destroy()
            self.constraint = None

    def _idle_uninhibit(self) -> None:
        if self.idle_inhibitor is not None:
            self.idle_inhibitor.destroy()
            self.idle_inhibitor = None

    def _input_uninhibit(self) -> None:
        if self.input_inhibitor is not None:
            self.input_inhibitor.destroy()
            self.input_inhibitor = None

    def _shortcuts_uninhibit(self) -> None:
        if self.shortcuts_inhibitor is not None:
            self.shortcuts_inhibitor.destroy()
            self.shortcuts_inhibitor = None


def main() -> None:
    exit_on_handler_errors()
    parser = argparse.ArgumentParser()
    parser.add_argument("--axis", action="store_true", help="print wl_pointer.axis events")
    parser.add_argument("--color", default="3366cc", help="RRGGBB")
    parser.add_argument("--size", default="200x150", type=_size, help="WxH")
    parser.add_argument("--title", default="input")
    parser.add_argument("--app-id", default="test.input")
    parser.add_argument("--geometry", type=_geometry, metavar="X,Y,W,H")
    parser.add_argument("--stdin-sync", action="store_true")
    parser.add_argument("--relative", action="store_true")
    parser.add_argument("--lock", action="store_true")
    parser.add_argument("--lock-hint", type=_point, metavar="X,Y")
    parser.add_argument("--confine", type=_geometry, metavar="X,Y,W,H")
    parser.add_argument("--gestures", action="store_true")
    parser.add_argument("--shortcuts-inhibit", action="store_true")
    parser.add_argument("--idle-inhibit", action="store_true")
    parser.add_argument("--input-inhibit", action="store_true")
    parser.add_argument("--text-input", action="store_true")
    options = parser.parse_args()
    # solid_window's options this client does not offer.
    options.subsurface = options.popup = options.viewport = None
    options.popup_depth, options.presentation = 1, False
    options.maximize = options.fullscreen = False
    options.decoration = None
    InputWindow(int(options.color, 16), options.size, options).run()


if __name__ == "__main__":
    main()
