"""The project's own xdg-desktop-portal backend (ScreenCast, Screenshot, Access).

Debian's ``xdg-desktop-portal`` (the frontend, ``org.freedesktop.portal.*`` on the session
bus) forwards what applications ask to a backend chosen by ``XDG_CURRENT_DESKTOP``; the
compositor sets it to ``pydrm`` for its children, and ``pydrm-portal install`` puts the
files that make the frontend pick this backend (a ``.portal`` file, ``pydrm-portals.conf``,
the D-Bus activation ``.service``). The backend (``pydrm-portal``, :mod:`.backend`) talks to
the compositor over its control socket: ``screencast-sources``/``-start``/``-stop``/
``-events`` for streams, ``screenshot`` for pictures, ``screencast-answer-take`` for
answers given ahead to the chooser (:mod:`.answers`, ``pydrm-ctl screencast-answer``).
The chooser itself is a small GTK 3 dialog (:mod:`.chooser`) run with the system Python.
"""

DESKTOP = "pydrm"
BUS_NAME = "org.freedesktop.impl.portal.desktop.pydrm"
OBJECT_PATH = "/org/freedesktop/portal/desktop"
