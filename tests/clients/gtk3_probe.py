"""A real GTK3 application that says what it gets: run it with the system Python
(``/usr/bin/python3``: PyGObject comes from Debian's python3-gi, not from the venv).

A window with client-side decorations (a Gtk.HeaderBar as its title bar, so GTK draws its
own shadow around the window geometry) holding a big button and an entry, each painted one
flat colour by CSS so tests find them in screenshots. It prints one line per event, flushed:

    mapped | press X Y | clicked | focus entry | text TEXT |
    state maximized=0|1 fullscreen=0|1 | closed | synced TOKEN |
    drag-begin | drag-data | drag-end

``--drag-text TEXT`` makes the big button a drag source of TEXT (text targets, copy): a
press and a motion past GTK's threshold start a drag; ``drag-data`` is printed when the
drop target asks for the data. The entry takes text drops as every GtkEntry does (``text``
shows what it got).

``press X Y``: a primary-button press on the button, in the button's own coordinates (its
allocation's top-left is 0,0), as GTK reports them. ``state``: each change of the window's
maximized or fullscreen state. ``closed``: the compositor asked the window to close
(delete-event); the probe then exits 0. On stdin, ``sync TOKEN`` makes a display roundtrip
and prints ``synced TOKEN``; ``about`` opens a modal Gtk.AboutDialog transient for the
window and prints ``about-mapped`` once it is shown. ``--about-first``: that dialog is shown
at start, before the window, which is shown only on ``show`` (stdin).

    /usr/bin/python3 tests/clients/gtk3_probe.py --app-id test.gtk3 --button cc3399
"""

from __future__ import annotations

import argparse
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402


def say(*words: object) -> None:
    print(*words, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app-id", default="test.gtk3")
    parser.add_argument("--button", default="cc3399", help="the button's colour, RRGGBB")
    parser.add_argument("--entry", default="33cc66", help="the entry's colour, RRGGBB")
    parser.add_argument("--content", default="204a87", help="the window's content, RRGGBB")
    parser.add_argument("--drag-text", help="the button drags this text")
    parser.add_argument(
        "--about-first", action="store_true", help="the About dialog before the window"
    )
    args = parser.parse_args()

    GLib.set_prgname(args.app_id)  # the Wayland app_id
    css = Gtk.CssProvider()
    css.load_from_data(
        f"""
        #content {{ background-color: #{args.content}; padding: 16px; }}
        #big, #big:hover, #big:active, #big:focus {{
            background-color: #{args.button}; background-image: none; border: none;
            border-radius: 0; box-shadow: none; outline: none; padding: 0; color: #ffffff;
        }}
        #text, #text:focus {{
            background-color: #{args.entry}; background-image: none; border: none;
            border-radius: 0; box-shadow: none; outline: none; color: #000000;
        }}
        """.encode()
    )
    Gtk.StyleContext.add_provider_for_screen(
        Gdk.Screen.get_default(), css, Gtk.STYLE_PROVIDER_PRIORITY_USER
    )

    window = Gtk.Window(title="gtk3 probe")
    header = Gtk.HeaderBar(title="gtk3 probe", show_close_button=True)
    window.set_titlebar(header)
    window.set_default_size(360, 220)

    content = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=12, name="content")
    button = Gtk.Button(label="big", name="big")
    button.set_size_request(160, 90)
    button.set_halign(Gtk.Align.CENTER)
    entry = Gtk.Entry(name="text")
    content.pack_start(button, True, True, 0)
    content.pack_start(entry, False, False, 0)
    window.add(content)

    def on_press(widget, event):
        if event.button == 1:
            # The button's event window covers its allocation: event.x/y are button-local.
            say("press", f"{event.x:g}", f"{event.y:g}")
        return False

    button.connect("button-press-event", on_press)
    if args.drag_text is not None:
        button.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
        button.drag_source_add_text_targets()

        def on_drag_data_get(widget, context, selection, info, time):
            selection.set_text(args.drag_text, -1)
            say("drag-data")

        button.connect("drag-data-get", on_drag_data_get)
        button.connect("drag-begin", lambda *_: say("drag-begin"))
        button.connect("drag-end", lambda *_: say("drag-end"))
    button.connect("clicked", lambda _button: say("clicked"))
    entry.connect("changed", lambda entry: say("text", entry.get_text()))
    entry.connect("focus-in-event", lambda *_: say("focus entry") or False)

    def on_state(widget, event):
        changed = Gdk.WindowState.MAXIMIZED | Gdk.WindowState.FULLSCREEN
        if event.changed_mask & changed:
            state = event.new_window_state
            maximized = int(bool(state & Gdk.WindowState.MAXIMIZED))
            fullscreen = int(bool(state & Gdk.WindowState.FULLSCREEN))
            say("state", f"maximized={maximized}", f"fullscreen={fullscreen}")
        return False

    window.connect("window-state-event", on_state)

    def on_delete(*_):
        say("closed")
        Gtk.main_quit()
        return False

    window.connect("delete-event", on_delete)
    window.connect("map-event", lambda *_: say("mapped") or False)

    def on_stdin(channel, condition):
        line = sys.stdin.readline()
        if not line:
            return False
        words = line.split()
        if words and words[0] == "sync":
            Gdk.Display.get_default().sync()
            say("synced", *words[1:])
        elif words and words[0] == "about":
            show_about()
        elif words and words[0] == "show":
            window.show_all()
        return True

    def show_about() -> None:
        about = Gtk.AboutDialog(transient_for=window, modal=True, program_name="probe")
        about.connect("map-event", lambda *_: say("about-mapped") or False)
        about.show()

    GLib.io_add_watch(GLib.IOChannel.unix_new(sys.stdin.fileno()), GLib.IO_IN, on_stdin)
    if args.about_first:
        show_about()
    else:
        window.show_all()
    Gtk.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
