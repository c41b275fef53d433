"""The README's guide examples (Testing an application), run as written there: a GTK 3 and
a Qt 5 application under the pytest plugin's ``wayland`` fixture. The applications run on
the system Python (Debian's python3-gi and python3-pyqt5)."""

from __future__ import annotations

import subprocess

from compositor.testing import wait_for
from tests.conftest import needs_installed

SYSTEM_PYTHON = "/usr/bin/python3"


def _system_python_has(module: str) -> bool:
    return (
        subprocess.run([SYSTEM_PYTHON, "-c", f"import {module}"], capture_output=True).returncode
        == 0
    )


# --- from the README, unchanged (python3 there is the system Python) ------------------------

GTK_APP = """
import gi
gi.require_version("Gtk", "3.0")
from gi.repository import Gtk
window = Gtk.Window(title="gtk-entry")
window.add(Gtk.Entry())
window.connect("destroy", Gtk.main_quit)
window.show_all()
Gtk.main()
"""

QT_APP = """
from PyQt5.QtWidgets import QApplication, QLineEdit
app = QApplication([])
entry = QLineEdit()
entry.setWindowTitle("qt-entry")
entry.show()
app.exec()
"""


def _gtk_example(wayland, python3: str) -> None:
    wayland.launch([python3, "-c", GTK_APP])  # GTK 3 picks Wayland by itself
    window = wayland.wait_for_window(title="gtk-entry")
    wayland.click(window, 20, window.height // 2)  # window-relative: in the entry
    wayland.type_text("hello")
    wayland.key("ctrl+a")
    wayland.key("ctrl+c")
    wait_for(lambda: wayland.clipboard_get() == "hello", what="the copied text")


def _qt_example(wayland, python3: str) -> None:
    wayland.launch([python3, "-c", QT_APP], env={"QT_QPA_PLATFORM": "wayland"})
    window = wayland.wait_for_window(title="qt-entry")
    wayland.click(window, 20, window.height // 2)
    wayland.type_text("hello")
    wayland.key("ctrl+a")
    wayland.key("ctrl+c")
    wait_for(lambda: wayland.clipboard_get() == "hello", what="the copied text")


# ---------------------------------------------------------------------------------------------


@needs_installed(_system_python_has("gi"), "python3-gi (PyGObject for the system Python)")
def test_the_gtk_example(wayland) -> None:
    _gtk_example(wayland, SYSTEM_PYTHON)


@needs_installed(_system_python_has("PyQt5"), "python3-pyqt5 (PyQt5 for the system Python)")
def test_the_qt_example(wayland) -> None:
    _qt_example(wayland, SYSTEM_PYTHON)
