"""The command set that acts on windows and the session, one for every caller: a key
binding (``cmd.maximize()`` in the config file), ``pydrm-ctl maximize`` and a Python script
(:mod:`compositor.configfile.client`) all run the same handler with the same arguments.

Window commands act on the focused window, or on the one a selector names: ``id=N`` (the
``id`` that ``views`` shows), ``app_id=``, ``title=``, ``pid=`` (all given must match; the
topmost matching window is taken). A state command takes ``state=toggle`` (the default;
minimize: ``true``), ``true`` or ``false``.

===================  ========================================================================
``spawn``            ``command=`` (a shell command line) or ``argv=[...]``: start a program
                     with this session's WAYLAND_DISPLAY and DISPLAY
``close``            ask the window to close (xdg_toplevel.close, WM_DELETE_WINDOW)
``focus``            focus and raise it (a minimized one comes back)
``move``             ``x= y=``: its top-left in the layout (``dx= dy=``: by that much)
``resize``           ``width= height=`` (or ``dw= dh=``)
``maximize``         ``[state=toggle|true|false]``
``fullscreen``       ``[state=...] [output=NAME]``
``minimize``         ``[state=true|false]``
``move-to-output``   ``output=NAME``: same place relative to the output's top-left
``set-layer``        ``layer=above|normal|below``: keep it above every normal window, below
                     them, or among them, on top of that layer (``views`` shows ``layer``)
``switch-windows``   ``step=1|-1``: as Alt+Tab (the list shows while Alt is held)
``vt``               ``number=N``: switch to that virtual terminal (drm backend)
===================  ========================================================================

``reload``, ``config`` and ``config-dismiss`` are the configuration file's own (runtime.py);
``quit``, ``screenshot``, ``record-start``, ``record-stop``, ``outputs``, ``views`` and the
rest are registered by their features, and reachable the same way.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from compositor import wayland_fixes
from compositor.control import CommandError
from compositor.shell.window_manager import WINDOW_LAYERS

if TYPE_CHECKING:
    from compositor.control import ControlServer
    from compositor.core import Core
    from compositor.shell.switcher import WindowSwitcher
    from compositor.shell.view import View
    from compositor.shell.window_manager import WindowManager

log = logging.getLogger(__name__)


class CommandRegistry:
    """The commands when there is no control socket (``--no-control``): bindings and hooks
    still run them. Has the part of :class:`~compositor.control.ControlServer` that
    features register with."""

    def __init__(self) -> None:
        self.handlers: dict[str, tuple[str, Any]] = {}
        self.streams: dict[str, tuple[str, Any]] = {}

    def register(self, name: str, description: str, handler: Any) -> None:
        self.handlers[name] = (description, handler)

    def register_stream(self, name: str, description: str, handler: Any) -> None:
        self.streams[name] = (description, handler)


def _flag(request: dict, key: str, default: str) -> str:
    """``state``: toggle, true or false."""
    value = request.get(key, default)
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).lower()
    if text in ("1", "on", "yes"):
        text = "true"
    if text in ("0", "off", "no"):
        text = "false"
    if text not in ("toggle", "true", "false"):
        raise CommandError(f"{key} takes toggle, true or false, not {value!r}")
    return text


def _int(request: dict, key: str) -> int | None:
    if key not in request:
        return None
    try:
        return int(request[key])
    except (TypeError, ValueError):
        raise CommandError(f"{key} takes a whole number, not {request[key]!r}") from None


class Spawner:
    """Programs started by ``spawn``, autostart and on-reload: each in its own session,
    reaped when it exits (a pidfd in the event loop: nothing runs while it lives)."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.children: dict[int, tuple[Any, Any]] = {}  # pid -> (Popen, event source)
        self.started = 0

    def spawn(self, command: str | list[str]) -> int:
        import subprocess  # noqa: PLC0415 (only once something is spawned)

        argv = ["/bin/sh", "-c", command] if isinstance(command, str) else list(command)
        try:
            child = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                close_fds=True,
            )
        except OSError as exc:
            raise CommandError(f"cannot start {argv[0]!r}: {exc.strerror or exc}") from None
        self.started += 1
        log.info("spawned pid %d: %s", child.pid, command)
        try:
            fd = os.pidfd_open(child.pid)
        except OSError:  # no pidfd (old kernel): reaped at the next spawn or at exit
            self.children[child.pid] = (child, None)
            self._reap()
            return child.pid
        source = wayland_fixes.add_fd(
            self.core.event_loop, fd, lambda _fd, _mask, _data=None: self._exited(child.pid)
        )
        self.children[child.pid] = (child, (source, fd))
        return child.pid

    def _exited(self, pid: int) -> int:
        entry = self.children.pop(pid, None)
        if entry is not None:
            child, watch = entry
            child.poll()
            log.info("spawned pid %d exited with %s", pid, child.returncode)
            self._unwatch(watch)
        return 0

    def _reap(self) -> None:
        for pid, (child, watch) in list(self.children.items()):
            if watch is None and child.poll() is not None:
                del self.children[pid]

    @staticmethod
    def _unwatch(watch: Any) -> None:
        if watch is not None:
            source, fd = watch
            wayland_fixes.remove_source(source)
            os.close(fd)

    def destroy(self) -> None:
        """The compositor exits: stop watching (the programs go on, or end with the
        session's Wayland socket)."""
        for child, watch in self.children.values():
            self._unwatch(watch)
            child.poll()
        self.children.clear()


class WindowCommands:
    """The window and session commands (see the module's doc)."""

    def __init__(self, core: Core, wm: WindowManager, switcher: WindowSwitcher) -> None:
        self.core = core
        self.wm = wm
        self.switcher = switcher
        self.spawner = Spawner(core)

    def register_commands(self, control: ControlServer) -> None:
        for name, description, handler in (
            (
                "spawn",
                "start a program: command=LINE (through /bin/sh) or argv=[...]",
                self.spawn,
            ),
            ("close", "close a window (the focused one, or id=/app_id=/title=/pid=)", self.close),
            ("focus", "focus and raise a window (id=/app_id=/title=/pid=)", self.focus),
            ("move", "move a window: x= y= (layout) or dx= dy=; [id=/app_id=/...]", self.move),
            ("resize", "resize a window: width= height= or dw= dh=; [id=/...]", self.resize),
            ("maximize", "maximize a window: [state=toggle|true|false] [id=/...]", self.maximize),
            (
                "fullscreen",
                "fullscreen a window: [state=toggle|true|false] [output=NAME] [id=/...]",
                self.fullscreen,
            ),
            ("minimize", "minimize a window: [state=true|false] [id=/...]", self.minimize),
            (
                "move-to-output",
                "move a window to another output: output=NAME [id=/...]",
                self.move_to_output,
            ),
            (
                "set-layer",
                "keep a window above/below the others: layer=above|normal|below [id=/...]",
                self.set_layer,
            ),
            (
                "switch-windows",
                "step through windows as Alt+Tab does: step=1|-1",
                self.switch_windows,
            ),
            ("vt", "switch to a virtual terminal: number=N (drm backend)", self.vt),
        ):
            control.register(name, description, handler)

    # -- selecting a window ---------------------------------------------------------------

    def window(self, request: dict) -> View:
        """The window a request names, else the focused one."""
        keys = [k for k in ("id", "app_id", "title", "pid") if k in request]
        if not keys:
            view = self.wm.focused_view
            if view is None:
                raise CommandError("no window has the focus; name one with id= or app_id=")
            return view
        for view in reversed(self.wm.views):
            if view.mapped and all(_matches(view, key, request[key]) for key in keys):
                return view
        wanted = " ".join(f"{k}={request[k]!r}" for k in keys)
        raise CommandError(f"no window with {wanted}; see the views command")

    # -- the commands ---------------------------------------------------------------------

    def spawn(self, request: dict) -> dict:
        if "argv" in request:
            argv = request["argv"]
            if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
                raise CommandError("argv takes a list of strings")
            return {"pid": self.spawner.spawn(argv)}
        command = request.get("command")
        if not isinstance(command, str) or not command.strip():
            raise CommandError("spawn takes command=LINE or argv=[...]")
        return {"pid": self.spawner.spawn(command)}

    def close(self, request: dict) -> dict:
        view = self.window(request)
        view.close()
        return {"id": view.id}

    def focus(self, request: dict) -> dict:
        view = self.window(request)
        self.wm.focus(view)
        return {"id": view.id}

    def move(self, request: dict) -> dict:
        view = self.window(request)
        x, y, dx, dy = (_int(request, k) for k in ("x", "y", "dx", "dy"))
        if view.maximized or view.fullscreen:
            raise CommandError(f"window {view.id} is {view.state}: it cannot move")
        new_x = x if x is not None else view.x + (dx or 0)
        new_y = y if y is not None else view.y + (dy or 0)
        view.move_to(new_x, new_y)
        self.wm.rebase_pointer()
        return {"id": view.id, "x": view.x, "y": view.y}

    def resize(self, request: dict) -> dict:
        view = self.window(request)
        width, height, dw, dh = (_int(request, k) for k in ("width", "height", "dw", "dh"))
        if view.maximized or view.fullscreen:
            raise CommandError(f"window {view.id} is {view.state}: it cannot be resized")
        _, _, current_w, current_h = view.geometry()
        new_w = width if width is not None else current_w + (dw or 0)
        new_h = height if height is not None else current_h + (dh or 0)
        if not (0 < new_w <= 16384 and 0 < new_h <= 16384):
            raise CommandError("width and height must be between 1 and 16384")
        view.set_size(new_w, new_h)
        return {"id": view.id, "width": new_w, "height": new_h}

    def maximize(self, request: dict) -> dict:
        view = self.window(request)
        state = _flag(request, "state", "toggle")
        wanted = not view.maximized if state == "toggle" else state == "true"
        self.wm.set_maximized(view, wanted)
        return {"id": view.id, "state": view.state}

    def fullscreen(self, request: dict) -> dict:
        view = self.window(request)
        state = _flag(request, "state", "toggle")
        wanted = not view.fullscreen if state == "toggle" else state == "true"
        output = request.get("output")
        if output is not None and output not in {o.name for o in self.wm.outputs}:
            raise CommandError(f"no output named {output!r}; see the outputs command")
        self.wm.set_fullscreen(view, wanted, output)
        return {"id": view.id, "state": view.state}

    def minimize(self, request: dict) -> dict:
        view = self.window(request)
        state = _flag(request, "state", "true")
        wanted = not view.minimized if state == "toggle" else state == "true"
        self.wm.set_minimized(view, wanted)
        return {"id": view.id, "state": view.state}

    def move_to_output(self, request: dict) -> dict:
        view = self.window(request)
        name = request.get("output")
        target = next((o for o in self.wm.outputs if o.name == name), None)
        if target is None:
            raise CommandError(f"no output named {name!r}; see the outputs command")
        move_to_output(self.wm, view, target.output)
        return {"id": view.id, "output": target.name}

    def set_layer(self, request: dict) -> dict:
        layer = request.get("layer")
        if layer not in WINDOW_LAYERS:
            raise CommandError(f"layer takes one of {', '.join(WINDOW_LAYERS)}, not {layer!r}")
        view = self.window(request)
        self.wm.set_layer(view, layer, to_top=True)
        return {"id": view.id, "layer": view.layer}

    def switch_windows(self, request: dict) -> dict:
        step = _int(request, "step")
        if step not in (None, 1, -1):
            raise CommandError("step takes 1 or -1")
        self.switcher.step(step or 1)
        return {}

    def vt(self, request: dict) -> dict:
        number = _int(request, "number")
        if number is None or not 1 <= number <= 63:
            raise CommandError("number takes a VT number from 1 to 63")
        if self.core.backend_name != "drm":
            raise CommandError("switching VT needs the drm backend")
        self.core.change_vt(number)
        return {}


def move_to_output(wm: WindowManager, view: View, output: Any) -> None:
    """``view`` goes to ``output`` at the same place relative to its top-left (a
    maximized or fullscreen one takes the new output's box)."""
    layout = wm.output_layout
    new_box = layout.get_box(output)
    if new_box is None:
        raise CommandError(f"output {output.name} is not in the layout (disabled?)")
    if view.fullscreen:
        wm.set_fullscreen(view, True, output.name)
        return
    current = wm.output_of(view)
    old_box = layout.get_box(current) if current is not None else None
    dx, dy = (view.x - old_box.x, view.y - old_box.y) if old_box is not None else (0, 0)
    dx = max(0, min(dx, max(0, new_box.width - 32)))
    dy = max(0, min(dy, max(0, new_box.height - 32)))
    if view.maximized and view.restore_geometry is not None:
        x, y, w, h = view.restore_geometry
        view.restore_geometry = (new_box.x + dx, new_box.y + dy, w, h)
    view.move_to(new_box.x + dx, new_box.y + dy)
    if view.maximized:
        view.arrange()
    wm.refit()
    wm.rebase_pointer()


def _matches(view: View, key: str, wanted: Any) -> bool:
    if key in ("id", "pid"):
        try:
            return getattr(view, key) == int(wanted)
        except (TypeError, ValueError):
            raise CommandError(f"{key} takes a number, not {wanted!r}") from None
    return getattr(view, key) == str(wanted)
