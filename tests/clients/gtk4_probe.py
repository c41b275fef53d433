"""A real GTK4 application that says what it gets: run it with the system Python
(``/usr/bin/python3``: PyGObject comes from Debian's python3-gi, not from the venv), and
``GSK_RENDERER=cairo`` where there is no GPU.

The same window as gtk3_probe.py, in GTK4: a Gtk.HeaderBar title bar (GTK4 always draws
its own decorations and shadow on Wayland), a big button and an entry painted flat colours
by CSS so tests find them in screenshots. One line per event, flushed:

    mapped | press X Y | clicked | focus entry | text TEXT |
    state maximized=0|1 fullscreen=0|1 | closed | synced TOKEN

``press X Y``: a primary-button press on the button, in the button's coordinates (its
top-left is 0,0), from a Gtk.GestureClick in the capture phase. ``state``: each change of
the window's maximized or fullscreen property. ``closed``: the compositor asked the window
to close (close-request); the probe then exits 0. On stdin, ``sync TOKEN`` makes a display
roundtrip and prints ``synced TOKEN``.

    GSK_RENDERER=cairo /usr/bin/python3 tests/clients/gtk4_probe.py --app-id test.gtk4
"""

from __future__ import annotations

import argparse
import sys

import gi

gi.require_version("Gtk", "4.0")
gi.require_version("Gdk", "4.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402


def say(*words: object) -> None:
    print(*words, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app-id", default="test.gtk4")
    parser.add_argument("--button", default="cc3399", help="the button's colour, RRGGBB")
    parser.add_argument("--entry", default="33cc66", help="the entry's colour, RRGGBB")
    parser.add_argument("--content", default="204a87", help="the window's content, RRGGBB")
    args = parser.parse_args()

    GLib.set_prgname(args.app_id)  # the Wayland app_id of a window without a GApplication
    Gtk.init()
    css = Gtk.CssProvider()
    css.load_from_data(
        f"""
        #content {{ background-color: #{args.content}; padding: 16px; }}
        #big, #big:hover, #big:active, #big:focus {{
            background-color: #{args.button}; background-image: none; border: none;
            border-radius: 0; box-shadow: none; outline: none; padding: 0; color: #ffffff;
        }}
        #text, #text:focus, #text:focus-within {{
            background-color: #{args.entry}; background-image: none; border: none;
            border-radius: 0; box-shadow: none; outline: none; color: #000000;
        }}
        """.encode()
    )
    Gtk.StyleContext.add_provider_for_display(
        Gdk.Display.get_default(), css, Gtk.STYLE_PROVIDER_PRIORITY_USER
    )
    loop = GLib.MainLoop()

    window = Gtk.Window(title="gtk4 probe")
    window.set_titlebar(Gtk.HeaderBar())
    window.set_default_size(360, 220)

    content = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=12, name="content")
    button = Gtk.Button(label="big", name="big")
    button.set_size_request(160, 90)
    button.set_halign(Gtk.Align.CENTER)
    button.set_vexpand(True)
    entry = Gtk.Entry(name="text")
    content.append(button)
    content.append(entry)
    window.set_child(content)

    press = Gtk.GestureClick(button=1)
    press.set_propagation_phase(Gtk.PropagationPhase.CAPTURE)
    press.connect("pressed", lambda _gesture, _n, x, y: say("press", f"{x:g}", f"{y:g}"))
    button.add_controller(press)
    button.connect("clicked", lambda _button: say("clicked"))
    entry.connect("changed", lambda entry: say("text", entry.get_text()))
    focus = Gtk.EventControllerFocus()
    focus.connect("enter", lambda _controller: say("focus entry"))
    entry.add_controller(focus)

    def on_state(*_):
        maximized = int(window.is_maximized())
        fullscreen = int(window.is_fullscreen())
        if (maximized, fullscreen) != last_state[0]:
            last_state[0] = (maximized, fullscreen)
            say("state", f"maximized={maximized}", f"fullscreen={fullscreen}")

    last_state = [(0, 0)]
    window.connect("notify::maximized", on_state)
    window.connect("notify::fullscreened", on_state)

    def on_close(_window):
        say("closed")
        loop.quit()
        return False

    window.connect("close-request", on_close)
    window.connect("map", lambda _window: say("mapped"))

    def on_stdin(channel, condition):
        line = sys.stdin.readline()
        if not line:
            return False
        words = line.split()
        if words and words[0] == "sync":
            Gdk.Display.get_default().sync()
            say("synced", *words[1:])
        return True

    GLib.io_add_watch(GLib.IOChannel.unix_new(sys.stdin.fileno()), GLib.IO_IN, on_stdin)
    window.present()
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
