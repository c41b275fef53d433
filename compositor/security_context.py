"""wp_security_context_manager_v1: connections from a sandbox, and what they may see.

A sandbox engine (Flatpak >= 1.15.6) binds a socket, gives it to the compositor with a
close fd and its metadata (engine, app id, instance id), and points the sandboxed app at
that socket. The compositor accepts on it, through the Wayland socket's own accept path
(the connection limits of compositor/limits.py apply), until the close fd hangs up; those
connections carry the metadata (``pydrm-ctl clients`` shows it as ``security_context``)
and do not see the privileged globals below. C in ffi/csrc/security_context.c; the
libwayland global filter in ffi/csrc/global_filter.c asks it.

The configuration file changes the list (``sandbox(show=[...], hide=[...])``, see
compositor/configfile/api.py); a global a sandboxed client bound already stays bound.
"""

from __future__ import annotations

import logging
from typing import Any

from compositor.ffi import ffi, lib, to_native

log = logging.getLogger(__name__)

# What sway 1.10 hides from security-context connections, and the same kind of ours:
# reading the screen, faking input, reading or setting the clipboard of others, managing
# others' windows, outputs and gamma, locking the session, panels above everything, input
# grabs, and making a security context of their own (nesting).
PRIVILEGED = (
    "zwlr_screencopy_manager_v1",
    "zwlr_export_dmabuf_manager_v1",
    "zwp_virtual_keyboard_manager_v1",
    "zwlr_virtual_pointer_manager_v1",
    "zwlr_data_control_manager_v1",
    "zwp_input_method_manager_v2",
    "zwlr_foreign_toplevel_manager_v1",
    "ext_foreign_toplevel_list_v1",
    "zwlr_output_manager_v1",
    "zwlr_output_power_manager_v1",
    "zwlr_gamma_control_manager_v1",
    "ext_session_lock_manager_v1",
    "zwlr_input_inhibit_manager_v1",
    "zwlr_layer_shell_v1",
    "wp_security_context_manager_v1",
    "ext_transient_seat_manager_v1",
)

_instance: SecurityContexts | None = None


class SecurityContexts:
    def __init__(self, display: Any) -> None:
        global _instance
        self._native = lib.comp_security_context_manager_create(
            to_native(display, "struct wl_display *")
        )
        if self._native == ffi.NULL:
            raise MemoryError("cannot create the wp_security_context_manager_v1 global")
        self.hidden: tuple[str, ...] = ()
        self.set_hidden(PRIVILEGED)
        _instance = self

    def set_hidden(self, names: tuple[str, ...]) -> None:
        """The globals sandboxed connections do not see, in place of the previous list."""
        keep = [ffi.new("char[]", name.encode()) for name in names]
        array = ffi.new("const char *[]", keep or [ffi.NULL])
        if not lib.comp_security_context_set_hidden(self._native, array, len(names)):
            raise MemoryError("cannot set the globals hidden from sandboxes")
        self.hidden = tuple(names)

    def configure(self, show: tuple[str, ...] = (), hide: tuple[str, ...] = ()) -> None:
        """The default list less ``show``, plus ``hide`` (the configuration file's
        ``sandbox()``)."""
        names = tuple(n for n in PRIVILEGED if n not in show)
        names += tuple(n for n in hide if n not in names)
        if names != self.hidden:
            self.set_hidden(names)
            log.info("security context: hidden from sandboxed clients: %s", ", ".join(names))

    def describe(self) -> dict[str, Any]:
        listeners, clients, accepted = (ffi.new("uint64_t *") for _ in range(3))
        lib.comp_security_context_counts(self._native, listeners, clients, accepted)
        return {
            "listeners": listeners[0],
            "clients": clients[0],
            "accepted": accepted[0],
            "hidden": list(self.hidden),
        }

    def destroy(self) -> None:
        global _instance
        if self._native != ffi.NULL:
            lib.comp_security_context_manager_destroy(self._native)
            self._native = ffi.NULL
        if _instance is self:
            _instance = None


def current() -> SecurityContexts | None:
    """The compositor's (the configuration file applies its ``sandbox()`` here)."""
    return _instance


def client_context(client: Any) -> dict[str, str | None] | None:
    """The sandbox a connection came from (``client``: a ``struct wl_client *`` of any cffi
    module): engine, app id, instance id (None where not set); None when not sandboxed."""
    info = ffi.new("comp_security_context_info *")
    if not lib.comp_security_context_of(to_native(client, "struct wl_client *"), info):
        return None

    def text(ptr: Any) -> str | None:
        return ffi.string(ptr).decode(errors="replace") if ptr != ffi.NULL else None

    return {
        "sandbox_engine": text(info.engine),
        "app_id": text(info.app_id),
        "instance_id": text(info.instance_id),
    }
