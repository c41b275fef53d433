"""What one client may take from the compositor: connections, and its wl_shm memory.

**Connections** (:class:`Connections`, C in ``ffi/csrc/socket_accept.c``): the compositor owns
the Wayland socket and accepts each connection itself, so that running out of fds never
turns into libwayland's busy accept loop. ``--max-clients`` bounds all connections (by
default what the fd limit leaves room for: each client costs two fds, libwayland duplicates
the socket for its event source), ``--max-client-connections`` those of one process (its
pid from SO_PEERCRED). A refused connection is told why (a ``wl_display.error`` naming the
limit and its option) and closed; refusals are logged at a bounded rate.

**wl_shm** (:class:`ShmLimits`, C in ``ffi/csrc/client_limits.c``): each client's pools
(count and bytes mapped, a pool counting until its last buffer goes, as libwayland keeps
the mapping that long) and wl_shm buffers, against ``--max-client-shm-pools``,
``--max-client-shm-bytes`` and ``--max-client-shm-buffers``; a buffer wider or taller than
the renderer can draw (or ``--max-buffer-size``) is refused. Past a limit the request gets
a protocol error naming the limit and its option, and the client is disconnected. The
pools of all clients together stay under a share of the kernel's mapping limit
(vm.max_map_count), so that no number of clients can leave the compositor unable to map
memory for itself.
"""

from __future__ import annotations

import logging
import resource
from typing import TYPE_CHECKING, Any

from compositor.ffi import ffi, lib, to_native
from compositor.limits_objects import ObjectLimits

if TYPE_CHECKING:
    from compositor.config import Config
    from compositor.control import ControlServer
    from compositor.core import Core

log = logging.getLogger(__name__)

_LEVELS = {0: logging.DEBUG, 1: logging.INFO, 2: logging.WARNING, 3: logging.ERROR}
# fds the compositor keeps for itself out of the fd limit when it sizes --max-clients: its
# own (event loop, DRM, control connections, recordings, Xwayland), and what clients' fds in
# flight (wl_shm and dma-buf fds not yet taken by a request) hold for a moment.
FD_RESERVE_MIN = 128
FD_RESERVE_SHARE = 8  # or 1/8 of the limit, whichever is more
# Of the fd limit (after the compositor's reserve), what all clients' dma-buf planes and
# parked fds together may hold (limits_objects.py): the other half is for connections (two
# fds each).
FDS_SHARE_FOR_CLIENTS = 0.5
# Of the kernel's limit on one process's mappings (vm.max_map_count), what all clients'
# wl_shm pools together may take (one mapping each): the rest stays the compositor's own
# (Python's arenas, libraries, wlroots' and the GPU driver's buffers).
MAP_SHARE_FOR_CLIENTS = 0.5
# Of x86-64's 128 TiB of user address space, what all clients' pools together may map.
MAX_MAPPED_ALL = 32 << 40
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


def fds_all_clients() -> int:
    """All clients' fds together (dma-buf planes held, parked), from the fd limit."""
    limit = fd_limit()
    reserve = max(FD_RESERVE_MIN, limit // FD_RESERVE_SHARE)
    return max(64, int((limit - reserve) * FDS_SHARE_FOR_CLIENTS))


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


def max_map_count() -> int:
    try:
        with open("/proc/sys/vm/max_map_count") as f:
            return int(f.read())
    except (OSError, ValueError):
        return 65530  # the kernel's default


class ClientLimits:
    """Connections and each client's wl_shm, counted and limited (see the module's
    docstring). Made before any client can connect (Xwayland's included); the socket is
    opened by :meth:`open_socket` once everything else is set up."""

    def __init__(self, core: Core) -> None:
        self.config = config = core.config
        self.display = core.display
        self._native = lib.comp_limits_install(to_native(core.display, "struct wl_display *"))
        if self._native == ffi.NULL:
            raise MemoryError("cannot install the client limits")
        renderer_max = lib.comp_renderer_max_buffer_size(
            to_native(core.renderer, "struct wlr_renderer *")
        )
        self.max_size = config.max_buffer_size
        self.size_by_renderer = 0 < renderer_max < config.max_buffer_size
        if self.size_by_renderer:
            self.max_size = renderer_max
        self.max_pools_all = config.max_shm_pools or int(
            max_map_count() * MAP_SHARE_FOR_CLIENTS
        )
        shm = ffi.new(
            "comp_shm_limits *",
            {
                "max_pools": config.max_client_shm_pools,
                "max_buffers": config.max_client_shm_buffers,
                "max_mapped": config.max_client_shm_mapped,
                "max_bytes": config.max_client_shm_bytes,
                "max_size": self.max_size,
                "max_pools_all": self.max_pools_all,
                "max_mapped_all": MAX_MAPPED_ALL,
                "size_by_renderer": self.size_by_renderer,
            },
        )
        lib.comp_limits_set_shm(self._native, shm)
        # Objects, dma-bufs and fds per client, and the rules (compositor/limits_objects.py).
        self.objects = ObjectLimits(core.display, self._native, config, fds_all_clients())
        self.connections: Connections | None = None
        log.info(
            "wl_shm per client: %d pools, %d buffers, %d MiB of buffers, %d MiB mapped "
            "(--max-client-shm-pools, -buffers, -bytes, -mapped); buffers up to %d px (%s); "
            "%d pools of all clients",
            config.max_client_shm_pools,
            config.max_client_shm_buffers,
            config.max_client_shm_bytes >> 20,
            config.max_client_shm_mapped >> 20,
            self.max_size,
            f"the {core.renderer_kind} renderer's limit"
            if self.size_by_renderer
            else "--max-buffer-size",
            self.max_pools_all,
        )

    def open_socket(self) -> str:
        """The Wayland socket (its name), with the connection limits."""
        self.connections = Connections(self.display, self.config)
        return self.connections.name

    # -- what the inspector and stats show --------------------------------------------------

    def limits(self) -> dict[str, int]:
        return {
            "shm_pools": self.config.max_client_shm_pools,
            "shm_buffers": self.config.max_client_shm_buffers,
            "shm_bytes": self.config.max_client_shm_bytes,
            "shm_mapped": self.config.max_client_shm_mapped,
            "shm_buffer_size": self.max_size,
            # wl_drm's own quotas (compositor/wl_drm/quotas.py)
            "wl_drm_buffers": self.config.max_client_buffers,
            "wl_drm_bytes": self.config.max_client_bytes,
            **self.objects.describe()["per_client"],
        }

    def client_shm(self, client: Any) -> dict[str, Any] | None:
        """One client's wl_shm use against its limits: for pools, buffers and bytes, what
        it holds now, the most it held at once and the limit; and how many of its requests
        a limit refused (``client``: a ``struct wl_client *`` of any cffi module). None
        for a client this does not know."""
        out = ffi.new("comp_client_shm *")
        if not lib.comp_limits_client_shm(
            self._native, to_native(client, "struct wl_client *"), out
        ):
            return None
        mine = out.limits  # the defaults, or what a rule gave this client
        return {
            "pools": {"used": out.now.pools, "peak": out.peak.pools,
                      "limit": mine.max_pools},
            "buffers": {"used": out.now.buffers, "peak": out.peak.buffers,
                        "limit": mine.max_buffers},
            "bytes": {"used": out.now.bytes, "peak": out.peak.bytes,
                      "limit": mine.max_bytes},
            "mapped": {"used": out.now.mapped, "peak": out.peak.mapped,
                       "limit": mine.max_mapped},
            "refused": out.refused,
        }  # fmt: skip

    def totals(self) -> dict[str, Any]:
        out = ffi.new("comp_shm_totals *")
        lib.comp_limits_shm_totals(self._native, out)
        return {
            "pools": out.now.pools,
            "buffers": out.now.buffers,
            "bytes": out.now.bytes,
            "mapped": out.now.mapped,
            "refused": out.refused,
            "active": bool(out.active),
        }

    def gauges(self) -> dict[str, Any]:
        """Live counts for ``stats``: all clients' wl_shm pools, buffers and bytes."""
        return {
            "shm_pools": lambda: self.totals()["pools"],
            "shm_buffers": lambda: self.totals()["buffers"],
            "shm_bytes": lambda: self.totals()["bytes"],
            "shm_mapped": lambda: self.totals()["mapped"],
            **self.objects.gauges(),
        }

    def describe(self, request: dict[str, Any] | None = None) -> dict[str, Any]:
        return {
            "per_client": self.limits(),
            "shm_pools_all_clients": self.max_pools_all,
            "shm": self.totals(),
            "objects": self.objects.describe(),
            "connections": self.connections.describe() if self.connections else None,
        }

    def register_commands(self, control: ControlServer) -> None:
        control.register(
            "limits",
            "the per-client limits, all clients' wl_shm, objects, dma-bufs and fds against "
            "them, the rules, and the connections accepted and refused (by reason)",
            self.describe,
        )
