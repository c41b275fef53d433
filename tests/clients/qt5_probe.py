"""A real Qt5 application that says what it gets: run it with the system Python
(``/usr/bin/python3``: PyQt5 comes from Debian's python3-pyqt5) and
``QT_QPA_PLATFORM=wayland`` (qtwayland5).

A QWidget window with a big QPushButton and a QLineEdit on a coloured background, each one
flat colour (style sheets) so tests find them in screenshots. Qt 5.15 asks for no
decoration mode (the compositor then draws the title bar) and draws no frame of its own.
One line per event, flushed:

    mapped | press X Y | clicked | focus entry | text TEXT |
    state maximized=0|1 fullscreen=0|1 | closed | drag-begin | drag-end ACTION

``press X Y``: a left-button press on the button, in the button's coordinates
(QMouseEvent.localPos(): its top-left is 0,0). ``state``: each change of the window's
maximized or fullscreen state. ``closed``: the compositor asked the window to close
(closeEvent); the probe then exits 0. ``--drag-text TEXT`` makes the button a drag source of
TEXT (text/plain, copy): a press and a motion past Qt's start distance start a QDrag;
``drag-end ACTION`` is what the drop did (copy, or none when cancelled). The entry takes
dropped text as QLineEdit does (``text TEXT`` follows). ``--message-first``: a non-modal
QMessageBox of the window (its parent) is shown at start, before the window, and prints
``message-shown``; the window is shown when stdin says ``show``.

    QT_QPA_PLATFORM=wayland /usr/bin/python3 tests/clients/qt5_probe.py --app-id test.qt5
"""

from __future__ import annotations

import argparse
import os
import sys

from PyQt5.QtCore import QEvent, QMimeData, QSocketNotifier, Qt
from PyQt5.QtGui import QDrag
from PyQt5.QtWidgets import (
    QApplication,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def say(*words: object) -> None:
    print(*words, flush=True)


class Button(QPushButton):
    drag_text: str | None = None
    _press_at = None

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.LeftButton:
            pos = event.localPos()
            say("press", f"{pos.x():g}", f"{pos.y():g}")
            self._press_at = event.pos()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        start = self._press_at
        if (
            self.drag_text is not None
            and start is not None
            and event.buttons() & Qt.LeftButton
            and (event.pos() - start).manhattanLength() >= QApplication.startDragDistance()
        ):
            self._press_at = None
            mime = QMimeData()
            mime.setText(self.drag_text)
            drag = QDrag(self)
            drag.setMimeData(mime)
            say("drag-begin")
            action = drag.exec_(Qt.CopyAction)
            say("drag-end", {Qt.CopyAction: "copy", Qt.MoveAction: "move"}.get(action, "none"))
            self.setDown(False)
            return
        super().mouseMoveEvent(event)


class Entry(QLineEdit):
    def focusInEvent(self, event) -> None:
        say("focus entry")
        super().focusInEvent(event)


class Window(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self._mapped = False

    def showEvent(self, event) -> None:
        if not self._mapped:
            self._mapped = True
            say("mapped")
        super().showEvent(event)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.WindowStateChange:
            state = self.windowState()
            maximized = int(bool(state & Qt.WindowMaximized))
            fullscreen = int(bool(state & Qt.WindowFullScreen))
            say("state", f"maximized={maximized}", f"fullscreen={fullscreen}")
        super().changeEvent(event)

    def closeEvent(self, event) -> None:
        say("closed")
        super().closeEvent(event)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app-id", default="test.qt5")
    parser.add_argument("--button", default="cc3399", help="the button's colour, RRGGBB")
    parser.add_argument("--entry", default="33cc66", help="the entry's colour, RRGGBB")
    parser.add_argument("--content", default="204a87", help="the window's content, RRGGBB")
    parser.add_argument("--drag-text", help="the button drags this text")
    parser.add_argument("--message-first", action="store_true", help="a dialog before the window")
    args = parser.parse_args()

    app = QApplication([sys.argv[0]])
    # qtwayland takes the xdg_toplevel app_id from the desktop file name.
    app.setDesktopFileName(args.app_id)
    window = Window()
    window.setWindowTitle("qt5 probe")
    window.setObjectName("content")
    window.setAttribute(Qt.WA_StyledBackground, True)
    window.setStyleSheet(
        f"#content {{ background-color: #{args.content}; }}"
        f"#big {{ background-color: #{args.button}; border: none; color: #ffffff; }}"
        f"#text {{ background-color: #{args.entry}; border: none; color: #000000; }}"
    )
    button = Button("big")
    button.setObjectName("big")
    button.setFixedSize(160, 90)
    button.drag_text = args.drag_text
    entry = Entry()
    entry.setObjectName("text")
    layout = QVBoxLayout(window)
    layout.setContentsMargins(16, 16, 16, 16)
    layout.addWidget(button, 1, Qt.AlignHCenter)
    layout.addWidget(entry)
    button.clicked.connect(lambda: say("clicked"))
    entry.textChanged.connect(lambda text: say("text", text))
    window.resize(360, 220)
    if args.message_first:
        box = QMessageBox(
            QMessageBox.Information, "qt5 message", "before its window", parent=window
        )
        box.setModal(False)
        box.show()
        say("message-shown")
        notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Read)

        def on_stdin() -> None:
            line = sys.stdin.readline()
            if not line:
                notifier.setEnabled(False)
            elif line.split() == ["show"]:
                window.show()

        notifier.activated.connect(on_stdin)
    else:
        window.show()
    code = app.exec_()
    # Leave without destructors: QtWayland 5.15's ~QWaylandDisplay (run when PyQt5 frees
    # the QApplication) sometimes waits forever for its event thread, asleep in
    # wl_display_read_events for a read that never comes (about 1 run in 10 here, with
    # the main thread in QThread::wait). The application is done by then.
    sys.stdout.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
