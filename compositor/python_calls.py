"""How often C calls into Python, for the ``stats`` command's ``python_calls``.

C reaches Python in this process only through cffi's ``extern "Python"`` functions:
pywayland's (every ``Listener``'s notify, the event loop's fd, timer, signal and idle
callbacks, request dispatch, resource destruction, global binds), pywlroots' (its log, the
surface iterator), xkbcommon's (its log, the key iterator) and this project's own
(``ffi/cdef``: the frame loop's hooks, wl_drm's buffer destruction, the protocol tracer).
:func:`install` attaches each of them again behind a counter, so that every entry is counted
whatever reached it: a plain pywayland ``Listener`` as much as one connected through
:class:`compositor.listeners.Listeners`. A test can then check that the steady-state frame
path runs no Python at all: the count does not move while clients animate and nothing asked
for frames.

:data:`ENTRY_POINTS` names each ``extern "Python"`` function and the module that defines it
(:func:`install` imports it first: a def_extern run later would attach the function again,
uncounted), or None for this project's modules imported only when needed, which attach
theirs through :func:`entry_point`; :func:`install` refuses to run when a loaded cffi module
has one it does not name (it would go uncounted). The control socket's own callbacks, and
whatever C calls back into Python while they run, are not counted (asking would move the
count): see :func:`exempt`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from functools import wraps
from types import ModuleType
from typing import Any

entered = 0
_exempt_depth = 0  # > 0 while an exempt callback runs
_installed = False
_EXEMPT = "_python_calls_exempt"

# cffi module -> {extern "Python" function: the module that defines it with def_extern},
# in an order they can be imported in (pywayland.protocol_core before pywayland.dispatcher).
ENTRY_POINTS: dict[str, dict[str, str | None]] = {
    "pywayland._ffi": {
        "global_bind_func": "pywayland.protocol_core.globals",
        "notify_func": "pywayland.server.listener",
        "event_loop_fd_func": "pywayland.server.eventloop",
        "event_loop_signal_func": "pywayland.server.eventloop",
        "event_loop_timer_func": "pywayland.server.eventloop",
        "event_loop_idle_func": "pywayland.server.eventloop",
        "dispatcher_func": "pywayland.dispatcher",
        "resource_destroy_func": "pywayland.dispatcher",
    },
    "wlroots._ffi": {
        "log_func_callback": "wlroots.util.log",
        "surface_iterator_callback": "wlroots.wlr_types.xdg_shell",
    },
    "xkbcommon._ffi": {
        "_log_handler": "xkbcommon.xkb",
        "_key_for_each_helper": "xkbcommon.xkb",
    },
    "compositor.ffi._native": {
        "comp_py_render_frame": "compositor.output",
        "comp_py_commit_failed": "compositor.output",
        # Imported only when needed: attached counted by the module (entry_point).
        "comp_drm_buffer_destroyed": None,
        "comp_py_trace_line": "compositor.inspect.trace",
        "comp_py_log": "compositor.wlr_log",
        "comp_py_pointer_motion": "compositor.input.cursor",
        "comp_py_keyboard": "compositor.input.keyboard",
        "comp_py_session_lock": "compositor.shell.session_lock",
        "comp_py_limit_log": "compositor.limits",
        "comp_py_toplevel_icon": "compositor.shell.decorations",
        "comp_py_client_created": "compositor.limits_objects",
        "comp_py_buffer_kind": "compositor.configfile.hooks",
        "comp_py_screencast_ended": "compositor.screencast",
    },
}
# The event loop's callbacks: their last argument is the handle of pywayland's CallbackInfo.
_EVENT_LOOP = {"event_loop_fd_func", "event_loop_signal_func", "event_loop_timer_func",
               "event_loop_idle_func"}  # fmt: skip
# def_extern's onerror that a module attached its functions with (the rest: cffi's default).
_ONERROR = {"xkbcommon.xkb": "_onerror_do_nothing"}



def exempt(function: Callable[..., Any]) -> Callable[..., Any]:
    """An event-loop callback whose runs are not counted, nor anything C calls back
    into Python while it runs (the control socket, which reads the count)."""

    @wraps(function)
    def enter(*args: Any) -> Any:
        return function(*args)

    setattr(enter, _EXEMPT, True)
    return enter


def entry_point(ffi: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``@ffi.def_extern()`` for this project's functions in modules imported only when
    needed (after :func:`install`): the function is attached behind the counter at once."""

    def attach(function: Callable[..., Any]) -> Callable[..., Any]:
        ffi.def_extern(name=function.__name__)(_counting(function.__name__, function))
        return function

    return attach


def extern_python_names(module: Any) -> set[str]:
    """The ``extern "Python"`` functions of a compiled cffi module: its lib's attributes
    that are function pointers (C functions are builtins there), less variadic C ones."""
    ffi, lib = module.ffi, module.lib
    names = set()
    for name in dir(lib):
        try:
            value = getattr(lib, name)
        except (AttributeError, TypeError):  # e.g. a function taking va_list
            continue
        if isinstance(value, ffi.CData):
            ctype = ffi.typeof(value)
            if ctype.kind == "function" and not ctype.ellipsis:
                names.add(name)
    return names


def unknown_entry_points() -> dict[str, set[str]]:
    """extern "Python" functions of the loaded cffi modules that ENTRY_POINTS does not name
    (a module's lib is often re-exported by its package: each lib is looked at once)."""
    known = {}
    for name in ENTRY_POINTS:
        module = sys.modules.get(name)
        if module is not None:
            known[id(module.lib)] = name
    unknown: dict[str, set[str]] = {}
    seen: set[int] = set()
    for name, module in list(sys.modules.items()):
        if type(module) is not ModuleType:  # cffi lists libs there too (no vars: va_list)
            continue
        namespace = vars(module)  # not getattr: some modules' __getattr__ import lazily
        lib = namespace.get("lib")
        if type(lib).__name__ != "Lib" or "ffi" not in namespace or id(lib) in seen:
            continue
        seen.add(id(lib))
        owner = known.get(id(lib), name)
        missing = extern_python_names(module) - set(ENTRY_POINTS.get(owner, {}))
        if missing:
            unknown[owner] = missing
    return unknown


def _counting(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    if name in _EVENT_LOOP:
        from pywayland import ffi  # noqa: PLC0415

        def loop_entry(*args: Any) -> Any:
            global entered, _exempt_depth
            if getattr(ffi.from_handle(args[-1]).callback, _EXEMPT, False):
                _exempt_depth += 1
                try:
                    return function(*args)
                finally:
                    _exempt_depth -= 1
            if not _exempt_depth:
                entered += 1
            return function(*args)

        return loop_entry

    def entry(*args: Any) -> Any:
        global entered
        if not _exempt_depth:
            entered += 1
        return function(*args)

    return entry


def install() -> None:
    """Count every entry from C into Python from now on (idempotent). The defining modules
    are imported first: a def_extern that ran later would attach its function uncounted."""
    global _installed
    if _installed:
        return
    for cffi_name, functions in ENTRY_POINTS.items():
        ffi = importlib.import_module(cffi_name).ffi
        for name, module_name in functions.items():
            if module_name is None:
                continue
            module = importlib.import_module(module_name)
            onerror = getattr(module, _ONERROR[module_name]) if module_name in _ONERROR else None
            ffi.def_extern(name=name, onerror=onerror)(_counting(name, getattr(module, name)))
    unknown = unknown_entry_points()
    if unknown:
        raise RuntimeError(f"entries from C into Python that python_calls cannot count: {unknown}")
    _installed = True
