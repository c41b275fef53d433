#!/usr/bin/python3
"""The portal's dialogs, in GTK 3: which screen or window to share, and yes/no for access.

Run by the backend with the *system* Python (python3-gi and gir1.2-gtk-3.0 from Debian, not
the venv): it reads one JSON request on stdin and writes one JSON answer on stdout, then
exits. GTK draws with shared memory, so it works on pixman with no GPU.

    {"mode": "sources", "outputs": [...], "views": [...], "types": 3, "app_id": "..."}
        -> {"output": NAME} | {"view": ID} | {"cancel": true}
    {"mode": "access", "title": ..., "subtitle": ..., "body": ..., "grant_label": ...,
     "deny_label": ...} -> {"access": "grant" | "deny"}

Keyboard: arrows choose, Enter shares, Escape cancels. Pointer: click a row, or Share.
This file imports nothing from the project (the system Python has none of it).
"""

from __future__ import annotations

import json
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

APP_ID = "pydrm-portal-chooser"
MONITOR, WINDOW = 1, 2


class Dialog:
    def __init__(self, request: dict) -> None:
        self.answer: dict = {"cancel": True}
        self.window = Gtk.Window(title=request.get("window_title", "Share your screen"))
        self.window.set_default_size(420, 320)
        self.window.connect("delete-event", self._closed)
        self.window.connect("key-press-event", self._key)
        self.box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=8)
        self.box.set_border_width(12)
        self.window.add(self.box)

    def run(self) -> dict:
        self.window.show_all()
        Gtk.main()
        return self.answer

    def finish(self, answer: dict) -> None:
        self.answer = answer
        self.window.hide()
        Gtk.main_quit()

    def _closed(self, *args: object) -> bool:
        self.finish(self.answer if "access" in self.answer else {"cancel": True})
        return True

    def _key(self, widget: Gtk.Widget, event: Gdk.EventKey) -> bool:
        if event.keyval == Gdk.KEY_Escape:
            self.finish(self.cancel_answer())
            return True
        return False

    def cancel_answer(self) -> dict:
        return {"cancel": True}

    def buttons(self, no: str, yes: str, on_yes) -> Gtk.Button:
        row = Gtk.Box(spacing=8, halign=Gtk.Align.END)
        cancel = Gtk.Button(label=no)
        cancel.connect("clicked", lambda *_: self.finish(self.cancel_answer()))
        ok = Gtk.Button(label=yes)
        ok.get_style_context().add_class("suggested-action")
        ok.connect("clicked", lambda *_: on_yes())
        row.pack_start(cancel, False, False, 0)
        row.pack_start(ok, False, False, 0)
        self.box.pack_end(row, False, False, 0)
        return ok


class SourcesDialog(Dialog):
    def __init__(self, request: dict) -> None:
        super().__init__(request)
        who = request.get("app_id") or "An application"
        label = Gtk.Label(label=f"{who} wants to share your screen. What should it see?")
        label.set_line_wrap(True)
        self.box.pack_start(label, False, False, 0)
        self.list = Gtk.ListBox()
        self.list.set_selection_mode(Gtk.SelectionMode.SINGLE)
        self.list.connect("row-activated", lambda _list, row: self.finish(row.answer))
        types = request.get("types", MONITOR)
        self.rows = 0
        if types & MONITOR:
            for output in request.get("outputs", []):
                text = f"Screen {output['name']} ({output['width']}\u00d7{output['height']})"
                self._row(text, {"output": output["name"]})
        if types & WINDOW:
            for view in request.get("views", []):
                title = view.get("title") or view.get("app_id") or f"window {view['id']}"
                app = f" \u2014 {view['app_id']}" if view.get("app_id") else ""
                self._row(f"Window: {title}{app}", {"view": view["id"]})
        scroll = Gtk.ScrolledWindow()
        scroll.set_vexpand(True)
        scroll.add(self.list)
        self.box.pack_start(scroll, True, True, 0)
        self.buttons("Cancel", "Share", self._share)
        first = self.list.get_row_at_index(0)
        if first is not None:
            self.list.select_row(first)
            first.grab_focus()

    def _row(self, text: str, answer: dict) -> None:
        row = Gtk.ListBoxRow()
        row.answer = answer
        label = Gtk.Label(label=text, xalign=0)
        label.set_margin_top(6)
        label.set_margin_bottom(6)
        row.add(label)
        self.list.add(row)
        self.rows += 1

    def _share(self) -> None:
        row = self.list.get_selected_row()
        if row is not None:
            self.finish(row.answer)


class AccessDialog(Dialog):
    def __init__(self, request: dict) -> None:
        super().__init__(request)
        for key, markup in (
            ("title", "<b>%s</b>"),
            ("subtitle", "%s"),
            ("body", "<small>%s</small>"),
        ):
            if request.get(key):
                label = Gtk.Label(xalign=0)
                label.set_markup(markup % GLib.markup_escape_text(request[key]))
                label.set_line_wrap(True)
                self.box.pack_start(label, False, False, 0)
        ok = self.buttons(
            request.get("deny_label") or "Deny",
            request.get("grant_label") or "Allow",
            lambda: self.finish({"access": "grant"}),
        )
        ok.grab_focus()
        self.answer = {"access": "deny"}

    def cancel_answer(self) -> dict:
        return {"access": "deny"}


def main() -> int:
    GLib.set_prgname(APP_ID)
    request = json.loads(sys.stdin.readline())
    if not Gtk.init_check(sys.argv)[0]:
        print("chooser: cannot open a Wayland/X display (WAYLAND_DISPLAY unset?)", file=sys.stderr)
        return 2
    dialog = AccessDialog(request) if request.get("mode") == "access" else SourcesDialog(request)
    print(json.dumps(dialog.run()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
