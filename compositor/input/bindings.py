"""Compositor key bindings: resolved from keysyms before a key reaches any client.

Built in: Ctrl+Alt+BackSpace quits, Ctrl+Alt+F1..F12 switch VT (DRM backend, through the
session), Alt+F4 closes the focused window, Alt+Tab switches windows, most recently used
first, with a list on screen while Alt is held (shell/switcher.py; a minimized window comes
back), Super+F or Alt+F11 toggles fullscreen, Alt+F10 maximized, Alt+F9 minimizes.
Other modules (the recorder's Ctrl+Alt+R, for instance) add their own with
:meth:`Bindings.add`.

While a client inhibits shortcuts (keyboard-shortcuts-inhibit: remote desktops, VMs) or
input (a lock screen), bindings are *restricted*: only those added with
``inhibitable=False`` run, the way out: Ctrl+Alt+BackSpace and the VT switches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from wlroots.wlr_types.keyboard import KeyboardModifier
from xkbcommon import xkb

from compositor.ffi import ffi, lib

if TYPE_CHECKING:
    from compositor.core import Core
    from compositor.shell.switcher import WindowSwitcher
    from compositor.shell.window_manager import WindowManager

log = logging.getLogger(__name__)

Action = Callable[[], None]
# Modifiers that take part in matching; Caps/Num lock never do.
RELEVANT = (
    KeyboardModifier.SHIFT | KeyboardModifier.CTRL | KeyboardModifier.ALT | KeyboardModifier.LOGO
)


class Bindings:
    def __init__(self, core: Core, wm: WindowManager, switcher: WindowSwitcher) -> None:
        self._table: dict[tuple[int, int], tuple[str, Action]] = {}
        self._always: set[tuple[int, int]] = set()  # run even while restricted
        self.switcher = switcher
        self.add(
            KeyboardModifier.CTRL | KeyboardModifier.ALT,
            "BackSpace",
            "quit",
            core.terminate,
            inhibitable=False,
        )
        self.add(KeyboardModifier.ALT, "F4", "close window", wm.close_focused)
        self.add(KeyboardModifier.ALT, "Tab", "switch windows", lambda: self.switcher.step(1))
        self.add(
            KeyboardModifier.ALT | KeyboardModifier.SHIFT,
            "ISO_Left_Tab",
            "switch windows backwards",
            lambda: self.switcher.step(-1),
        )
        self.add(KeyboardModifier.LOGO, "f", "toggle fullscreen", wm.toggle_fullscreen)
        self.add(KeyboardModifier.ALT, "F11", "toggle fullscreen", wm.toggle_fullscreen)
        self.add(KeyboardModifier.ALT, "F10", "toggle maximized", wm.toggle_maximized)
        self.add(KeyboardModifier.ALT, "F9", "minimize window", wm.minimize_focused)
        for vt in range(1, 13):
            # With Ctrl+Alt held, xkb turns F1..F12 into XF86Switch_VT_1..12.
            self.add(
                KeyboardModifier.CTRL | KeyboardModifier.ALT,
                f"XF86Switch_VT_{vt}",
                f"switch to VT {vt}",
                lambda vt=vt: core.change_vt(vt),
                inhibitable=False,
            )

    def add(
        self,
        modifiers: KeyboardModifier,
        keysym_name: str,
        description: str,
        action: Action,
        inhibitable: bool = True,
    ) -> None:
        keysym = xkb.keysym_from_name(keysym_name)
        if keysym == 0:
            raise ValueError(f"unknown keysym {keysym_name!r}")
        key = (int(modifiers & RELEVANT), keysym)
        if key in self._table:
            raise ValueError(f"{keysym_name!r} with {modifiers!r} is bound already")
        self._table[key] = (description, action)
        if not inhibitable:
            self._always.add(key)
        self._publish()

    def remove(self, modifiers: KeyboardModifier, keysym_name: str) -> None:
        """Unbind a key (no error when it was not bound)."""
        key = (int(modifiers & RELEVANT), xkb.keysym_from_name(keysym_name))
        self._table.pop(key, None)
        self._always.discard(key)
        self._publish()

    def _publish(self) -> None:
        """The C key path (ffi/csrc/keyboard_keys.h) hands Python only the bound keys."""
        keys = list(self._table)
        lib.comp_key_bindings_set(
            ffi.new("uint32_t[]", [mods for mods, _ in keys] or [0]),
            ffi.new("uint32_t[]", [sym for _, sym in keys] or [0]),
            len(keys),
        )

    def entry(self, modifiers: KeyboardModifier | int, keysym_name: str):
        """The binding of a key: (description, action, inhibitable), or None (the config
        file keeps what it unbinds, to bind it again when it is reloaded)."""
        key = (int(modifiers & RELEVANT), xkb.keysym_from_name(keysym_name))
        entry = self._table.get(key)
        if entry is None:
            return None
        return entry[0], entry[1], key not in self._always

    def entries(self) -> list[tuple[int, str, str, bool]]:
        """Every binding: (modifiers, keysym name, description, inhibitable)."""
        return [
            (mods, xkb.keysym_get_name(keysym), description, (mods, keysym) not in self._always)
            for (mods, keysym), (description, _action) in self._table.items()
        ]

    def modifiers_changed(self, modifiers: int) -> None:
        """Alt released while the window switcher is open: switch."""
        if self.switcher.active and not modifiers & KeyboardModifier.ALT:
            self.switcher.finish()

    def cancel(self) -> bool:
        """Escape: close the window switcher without switching (False: it was closed)."""
        return self.switcher.cancel()

    def handle(self, modifiers: int, keysyms: list[int], restricted: bool = False) -> bool:
        """Run the binding for this key press, if any; True when the key was consumed.
        ``restricted``: only the bindings that cannot be inhibited."""
        mods = int(modifiers & RELEVANT)
        for keysym in keysyms:
            entry = self._table.get((mods, keysym))
            if entry is not None and restricted and (mods, keysym) not in self._always:
                log.info("key binding %s: inhibited, the key goes to the client", entry[0])
                continue
            if entry is not None:
                description, action = entry
                log.info("key binding: %s", description)
                action()
                return True
        return False
