"""Workarounds for four pywayland 0.4.18 server-side bugs, in one place.

1. Requests on resources pywayland creates are dropped. ``Resource.__init__`` calls
   ``wl_resource_set_dispatcher(ptr, dispatcher_func, NULL, handle, destroy)``: the handle
   goes in as the resource's *data*, NULL as its *implementation*. libwayland calls the
   dispatcher with the implementation as its first argument, so pywayland's
   ``dispatcher_func`` runs ``ffi.from_handle(NULL)`` and every request is lost.
   :func:`enable_requests` sets the dispatcher again with the handle in both places.

2. ``new_id`` request arguments cannot be received. ``Message.c_to_arguments`` treats every
   new_id as a client proxy (and looks for a client ``wl_display`` the compositor does not
   have), but on the server a new_id is just the id the client chose, for the handler to
   ``wl_resource_create``. :func:`deliver_new_ids` gives an interface's request messages a
   converter that hands the handler that integer.

3. ``Listener.remove()`` unlinks the C listener but leaves the Python listener in its
   signal's ``_link`` list, so the listener, its handler and everything the handler reaches
   live as long as the signal's wrapper: forever for a long-lived object (an output, the
   backend), and through pywlroots' module-level ``WeakKeyDictionary`` (whose values hold
   their keys) for every xdg surface. :func:`remove_listener` drops both links (and the
   handler, since a Listener is a reference cycle of its own).

4. ``EventLoop.add_fd/add_timer/add_idle/add_signal`` append the callback's handle to the
   loop's ``_callback_handles`` and the source to ``event_sources``, and nothing ever takes
   them out: every timer, idle callback and control connection, and whatever its callback
   reaches (a whole recording session with its frames), lives as long as the loop.
   :func:`add_fd`, :func:`add_timer`, :func:`add_idle` and :func:`remove_source` keep the
   loop's lists to the sources that are really there, and :func:`callbacks_held` counts them
   (the ``event_sources`` gauge of ``stats``).

This module is the one place that reads or writes pywayland's private fields, apart from
``_ptr`` (the C pointer every pywayland and pywlroots wrapper carries, which pywlroots itself
reads: see :func:`compositor.ffi.address`).

1 and 2 are tested end to end in tests/robustness/test_wayland_fixes.py, 3 and 4 in
tests/robustness/test_endurance.py; drop this module when pywayland fixes them upstream (the
tests then keep passing without it).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from typing import Any

from pywayland import ffi, lib
from pywayland.protocol_core.argument import ArgumentType
from pywayland.protocol_core.interface import Interface
from pywayland.protocol_core.message import Message
from pywayland.protocol_core.resource import Resource
from pywayland.server import Listener
from pywayland.server.eventloop import EventLoop, EventSource

from compositor.python_calls import exempt

_FIXED_ATTR = "_pydrm_server_new_ids"


def enable_requests(resource: Resource) -> None:
    """Make libwayland pass the resource's Python handle to pywayland's dispatcher."""
    if resource._ptr is None:
        raise ValueError("the resource is already destroyed")
    lib.wl_resource_set_dispatcher(
        resource._ptr,
        lib.dispatcher_func,
        resource._handle,  # implementation: what dispatcher_func receives as `data`
        resource._handle,  # user data: what resource_destroy_func reads
        lib.resource_destroy_func,
    )


def _server_c_to_arguments(message: Message, args_ptr: Any) -> list[Any]:
    """Server-side ``union wl_argument[]`` -> Python values; a new_id becomes its int id."""
    args: list[Any] = []
    for i, argument in enumerate(message.arguments):
        arg = args_ptr[i]
        kind = argument.argument_type
        if kind == ArgumentType.NewId:
            args.append(arg.n)
        elif kind == ArgumentType.Int:
            args.append(arg.i)
        elif kind == ArgumentType.Uint:
            args.append(arg.u)
        elif kind == ArgumentType.FileDescriptor:
            args.append(arg.h)
        elif kind == ArgumentType.Fixed:
            args.append(lib.wl_fixed_to_double(arg.f))
        elif kind == ArgumentType.String:
            args.append(None if arg.s == ffi.NULL else ffi.string(arg.s).decode())
        elif kind == ArgumentType.Array:
            args.append(ffi.buffer(arg.a.data, arg.a.size)[:])
        else:  # Object: the raw struct wl_resource * (NULL for a null object)
            args.append(None if arg.o == ffi.NULL else ffi.cast("struct wl_resource *", arg.o))
    return args


def deliver_new_ids(interface: type[Interface]) -> None:
    """Patch ``interface``'s request messages that carry a new_id (idempotent).

    Only request messages change, and only their server-side decoding: clients never decode
    requests, so a client in the same process is unaffected.
    """
    for message in interface.requests:
        if getattr(message, _FIXED_ATTR, False):
            continue
        if any(a.argument_type == ArgumentType.NewId for a in message.arguments):
            message.c_to_arguments = _server_c_to_arguments.__get__(message)  # type: ignore[method-assign]
            setattr(message, _FIXED_ATTR, True)


def remove_listener(listener: Listener) -> None:
    """Unlink ``listener`` from its signal in C *and* in Python (idempotent), and drop its
    handler: a pywayland Listener holds a handle to itself, so it is freed only by a full
    garbage collection, and until then everything its handler reaches would stay (a whole
    recording's encoder and frames)."""
    listener.remove()
    signal = listener._signal
    if signal is not None:
        try:
            signal._link.remove(listener)
        except ValueError:
            pass
        listener._signal = None
    listener._notify = None


def _tracked(loop: EventLoop, source: EventSource) -> EventSource:
    # The handle add_* just appended is this source's: keep it beside the source.
    source._pydrm_handle = loop._callback_handles[-1]  # type: ignore[attr-defined]
    return source


def add_fd(
    loop: EventLoop, fd: int, callback: Callable[..., int], count: bool = True
) -> EventSource:
    """``count=False``: not in python_calls (the control socket, which reads them).
    Raises OSError when libwayland cannot watch the fd (it duplicates it: EMFILE)."""
    source = _tracked(loop, loop.add_fd(fd, callback if count else exempt(callback)))
    if source._ptr == ffi.NULL:
        source._ptr = None
        _forget(source)
        err = ffi.errno or errno.EMFILE  # as libwayland left it, if nothing since changed it
        raise OSError(err, f"cannot watch fd {fd}: {os.strerror(err)}")
    return source


def add_timer(loop: EventLoop, callback: Callable[[Any], int]) -> EventSource:
    return _tracked(loop, loop.add_timer(callback))


def add_signal(loop: EventLoop, signal_number: int, callback: Callable[..., int]) -> EventSource:
    return _tracked(loop, loop.add_signal(signal_number, callback))


def add_idle(loop: EventLoop, callback: Callable[[], None]) -> EventSource:
    """Run ``callback`` once when the loop is idle; libwayland frees the source after."""
    source: EventSource | None = None

    def once(_data: Any) -> None:
        if source is not None:
            source._ptr = None  # freed by libwayland once this returns
            _forget(source)
        callback()

    source = _tracked(loop, loop.add_idle(once))
    return source


def remove_source(source: EventSource | None) -> None:
    """Remove an event source added with the functions above (idempotent)."""
    if source is None:
        return
    source.remove()
    _forget(source)


def callbacks_held(loop: EventLoop) -> int:
    """How many callbacks ``loop`` keeps alive (timers, idles, fds, signals): every source
    added through pywayland and not yet removed with :func:`remove_source` or run once."""
    return len(loop._callback_handles)


def _forget(source: EventSource) -> None:
    loop = source._eventloop
    handle = getattr(source, "_pydrm_handle", None)
    if handle is not None:
        source._pydrm_handle = None  # type: ignore[attr-defined]
        for i, candidate in enumerate(loop._callback_handles):
            if candidate is handle:
                del loop._callback_handles[i]
                break
    loop.event_sources.discard(source)
