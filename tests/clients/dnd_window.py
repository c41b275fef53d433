"""A solid window (tests/clients/solid_window.py) that drags text or takes drops, through
wl_data_device (version 3), and prints what the protocol tells it:

Source (``--drag-text TEXT``): a left press on the window starts a drag of ``TEXT``
(text/plain, actions from ``--actions``) with a 24x24 icon of ``--icon-color`` attached at
offset -4,-4 (its hotspot), or, with ``--bad-serial``, with a serial the compositor never
sent. Prints ``drag-started``, ``source-target MIME`` (``-``: none), ``source-action
ACTION``, ``source-send MIME``, ``source-drop-performed``, ``source-finished``,
``source-cancelled``.

Target (``--drop``): accepts text/plain with the actions of ``--actions``. Prints
``dnd-enter SX SY MIMES``, ``dnd-motion SX SY``, ``dnd-leave``, ``dnd-action ACTION``,
``dnd-drop``, then ``dropped TEXT`` once it read the data (and finished the offer).

ACTION is a name: none, copy, move, ask (joined by ``+`` when several).

    python -m tests.clients.dnd_window --drag-text hello --app-id test.source
"""

from __future__ import annotations

import argparse
import mmap
import os
import select

from pywayland.protocol.wayland import WlDataDeviceManager, WlShm

from tests.clients.solid_window import SolidWindow, _size, exit_on_handler_errors, say

ACTIONS = {"copy": 1, "move": 2, "ask": 4}
BTN_LEFT = 0x110


def _names(mask: int) -> str:
    return "+".join(name for name, bit in ACTIONS.items() if mask & bit) or "none"


def _mask(text: str) -> int:
    mask = 0
    for name in text.split(","):
        mask |= ACTIONS[name]
    return mask


class DndWindow(SolidWindow):
    def __init__(self, color: int, size: tuple[int, int], options: argparse.Namespace) -> None:
        self.data_device_manager = None
        self.source = self.icon = self.offer = None
        self.offer_mimes: list[str] = []
        self.actions = _mask(options.actions)
        super().__init__(color, size, options)
        self.display.roundtrip()  # the seat's capabilities: the pointer exists after this
        if self.data_device_manager is None or self.seat is None:
            raise SystemExit("the compositor lacks wl_data_device_manager or wl_seat")
        self.data_device = self.data_device_manager.get_data_device(self.seat)
        if options.drop:
            device = self.data_device
            device.dispatcher["data_offer"] = self._on_data_offer
            device.dispatcher["enter"] = self._on_enter
            device.dispatcher["motion"] = lambda d, t, x, y: say("dnd-motion", f"{x:g}", f"{y:g}")
            device.dispatcher["leave"] = self._on_leave
            device.dispatcher["drop"] = self._on_drop
        if options.drag_text is not None:
            self.pointer.dispatcher["button"] = self._on_button

    def _on_global(self, registry, name: int, interface: str, version: int) -> None:
        super()._on_global(registry, name, interface, version)
        if interface == "wl_data_device_manager":
            self.data_device_manager = registry.bind(name, WlDataDeviceManager, 3)

    # -- source ---------------------------------------------------------------------------

    def _on_button(self, pointer, serial: int, time: int, button: int, state: int) -> None:
        say("button", button, state)
        if button != BTN_LEFT or state != 1 or self.source is not None:
            return
        source = self.source = self.data_device_manager.create_data_source()
        source.offer("text/plain")
        source.offer("text/plain;charset=utf-8")
        source.set_actions(self.actions)
        source.dispatcher["target"] = lambda s, mime: say("source-target", mime or "-")
        source.dispatcher["action"] = lambda s, action: say("source-action", _names(action))
        source.dispatcher["send"] = self._on_send
        source.dispatcher["dnd_drop_performed"] = lambda s: say("source-drop-performed")
        source.dispatcher["dnd_finished"] = self._on_finished
        source.dispatcher["cancelled"] = self._on_cancelled
        self.icon = self.compositor.create_surface()
        if self.options.bad_serial:
            serial += 1000
        self.data_device.start_drag(source, self.surface, self.icon, serial)
        self.icon.attach(self._icon_buffer(int(self.options.icon_color, 16)), -4, -4)
        self.icon.damage(0, 0, 24, 24)
        self.icon.commit()
        say("drag-started")

    def _icon_buffer(self, color: int):
        fd = os.memfd_create("dnd-icon", os.MFD_CLOEXEC)
        os.ftruncate(fd, 24 * 24 * 4)
        with mmap.mmap(fd, 24 * 24 * 4) as data:
            data.write((color | 0xFF000000).to_bytes(4, "little") * (24 * 24))
        pool = self.shm.create_pool(fd, 24 * 24 * 4)
        os.close(fd)
        buffer = pool.create_buffer(0, 24, 24, 96, WlShm.format.argb8888.value)
        pool.destroy()
        return buffer

    def _on_send(self, source, mime: str, fd: int) -> None:
        say("source-send", mime)
        os.write(fd, self.options.drag_text.encode())
        os.close(fd)

    def _end_drag(self) -> None:
        if self.source is not None:
            self.source.destroy()
            self.source = None
        if self.icon is not None:
            self.icon.destroy()
            self.icon = None

    def _on_finished(self, source) -> None:
        say("source-finished")
        self._end_drag()

    def _on_cancelled(self, source) -> None:
        say("source-cancelled")
        self._end_drag()

    # -- target ---------------------------------------------------------------------------

    def _on_data_offer(self, device, offer) -> None:
        self.offer_mimes = []
        offer.dispatcher["offer"] = lambda o, mime: self.offer_mimes.append(mime)
        offer.dispatcher["action"] = lambda o, action: say("dnd-action", _names(action))
        self.pending_offer = offer

    def _on_enter(self, device, serial: int, surface, x: float, y: float, offer) -> None:
        self.offer = offer
        say("dnd-enter", f"{x:g}", f"{y:g}", ",".join(self.offer_mimes) or "-")
        if offer is not None and "text/plain" in self.offer_mimes:
            offer.accept(serial, "text/plain")
            preferred = self.actions & -self.actions  # the lowest bit asked for
            offer.set_actions(self.actions, preferred)

    def _on_leave(self, device) -> None:
        say("dnd-leave")
        if self.offer is not None:
            self.offer.destroy()
            self.offer = None

    def _on_drop(self, device) -> None:
        say("dnd-drop")
        offer, self.offer = self.offer, None
        if offer is None:
            return
        read_end, write_end = os.pipe2(os.O_CLOEXEC)
        offer.receive("text/plain", write_end)
        os.close(write_end)
        self.display.flush()
        data = b""
        while select.select([read_end], [], [], 10)[0]:
            chunk = os.read(read_end, 4096)
            if not chunk:
                break
            data += chunk
        os.close(read_end)
        offer.finish()
        offer.destroy()
        say("dropped", data.decode(errors="replace"))


def main() -> None:
    exit_on_handler_errors()
    parser = argparse.ArgumentParser()
    parser.add_argument("--color", default="3366cc")
    parser.add_argument("--size", default="200x150", type=_size)
    parser.add_argument("--title", default="dnd")
    parser.add_argument("--app-id", default="test.dnd")
    parser.add_argument("--drag-text")
    parser.add_argument("--drop", action="store_true")
    parser.add_argument("--actions", default="copy,move")
    parser.add_argument("--icon-color", default="ff00ff")
    parser.add_argument("--bad-serial", action="store_true")
    parser.add_argument("--stdin-sync", action="store_true")
    options = parser.parse_args()
    for name in ("subsurface", "popup", "viewport", "geometry", "alpha", "decoration"):
        setattr(options, name, None)
    options.popup_depth = 1
    options.presentation = options.maximize = options.fullscreen = False
    DndWindow(int(options.color, 16), options.size, options).run()


if __name__ == "__main__":
    main()
