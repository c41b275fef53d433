"""What one client may take from the compositor: connections.

**Connections** (:class:`Connections`, C in ``ffi/csrc/18_accept.c``): the compositor owns
the Wayland socket and accepts each connection itself, so that running out of fds never
turns into libwayland's busy accept loop. ``--max-clients`` bounds all connections (by
default what the fd limit leaves room for: each client costs two fds, libwayland duplicates
the socket for its event source), ``--max-client-connections`` those of one process (its
pid from SO_PEERCRED). A refused connection is told why (a ``wl_display.error`` naming the
limit and its option) and closed; refusals are logged at a bounded rate.
"""

from __future__ import annotations

import logging
import resource
from typing import TYPE_CHECKING, Any

from compositor.ffi import ffi, lib, to_native

if TYPE_CHECKING:
    from compositor.config import Config

log = logging.getLogger(__name__)

_LEVELS = {0: logging.DEBUG, 1: logging.INFO, 2: logging.WARNING, 3: logging.ERROR}
# fds the compositor keeps for itself out of the fd limit when it sizes --max-clients: its
# own (event loop, DRM, control connections, recordings, Xwayland), and what clients' fds in
# flight (wl_shm and dma-buf fds not yet taken by a request) hold for a moment.
FD_RESERVE_MIN = 128
FD_RESERVE_SHARE = 8  # or 1/8 of the limit, whichever is more
REFUSAL_REASONS = {
    lib.COMP_REFUSED_TOTAL: "max_clients",
    lib.COMP_REFUSED_PROCESS: "max_client_connections",
    lib.COMP_REFUSED_FDS: "out_of_fds",
    lib.COMP_REFUSED_ERROR: "errors",
}


@ffi.def_extern()
def comp_py_limit_log(level: int, line: Any) -> None:
    log.log(_LEVELS.get(level, logging.WARNING), ffi.string(line).decode(errors="replace"))


def fd_limit() -> int:
    """The process's soft limit on open files."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 1 << 20


def clients_for_fds(limit: int) -> int:
    """How many clients an fd limit leaves room for: two fds each, after the reserve."""
    reserve = max(FD_RESERVE_MIN, limit // FD_RESERVE_SHARE)
    return max(1, (limit - reserve) // 2)


class SocketInUse(OSError):
    pass


class Connections:
    """The Wayland socket and the connection limits (see the module's docstring)."""

    def __init__(self, display: Any, config: Config) -> None:
        native = to_native(display, "struct wl_display *")
        name = config.socket.encode() if config.socket is not None else ffi.NULL
        self._accept = lib.comp_accept_create(native, name)
        if self._accept == ffi.NULL:
            raise SocketInUse(ffi.errno, "cannot create the Wayland socket")
        self.name = ffi.string(lib.comp_accept_name(self._accept)).decode()
        budget = clients_for_fds(fd_limit())
        self.max_clients = config.max_clients or budget
        if self.max_clients > budget:
            log.warning(
                "--max-clients %d: the fd limit (%d, ulimit -n) leaves room for about %d "
                "clients; past them connections are refused for want of fds",
                self.max_clients,
                fd_limit(),
                budget,
            )
        self.max_per_process = config.max_client_connections
        lib.comp_accept_set_limits(self._accept, self.max_clients, self.max_per_process)
        log.info(
            "wayland socket %s: at most %d clients (--max-clients), %d connections a "
            "process (--max-client-connections)",
            self.name,
            self.max_clients,
            self.max_per_process,
        )

    def describe(self) -> dict[str, Any]:
        """Connections accepted and refused, by reason, and the limits."""
        return {
            "accepted": lib.comp_accept_accepted(self._accept),
            "refused": {
                name: lib.comp_accept_refused(self._accept, reason)
                for reason, name in REFUSAL_REASONS.items()
            },
            "max_clients": self.max_clients,
            "max_client_connections": self.max_per_process,
        }
