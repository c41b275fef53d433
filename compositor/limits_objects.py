"""What one client may hold besides wl_shm: protocol objects, dma-bufs, fds; and the rules
that give a client other limits or keep graphics paths from it.

**Objects** (C in ``ffi/csrc/client_objects.c``): every resource a client gets is
counted as it is made and until it is destroyed, all of them against ``--max-client-objects``
and those that cost the compositor memory each against their own limit: surfaces,
subsurfaces, regions, callbacks (frame callbacks not yet done), data sources.

**linux-dmabuf** (zwp_linux_dmabuf_v1, offered with the GLES2 renderer): each params'
plane fds from ``add`` on, each buffer's planes from ``create``/``create_immed``: its
bytes are the planes' fds' sizes (``lseek(fd, 0, SEEK_END)`` on a dma-buf, ``fstat`` on a
memfd; a plane of one buffer counted once), or ``stride x height`` where the kernel gives no
size (said so: ``estimated``), against ``--max-client-dmabuf-buffers`` and
``--max-client-dmabuf-bytes``. wl_drm's PRIME buffers have their own (``--max-client-buffers``,
``--max-client-bytes``, compositor/wl_drm/quotas.py), shown here beside them.

**fds**: the dma-buf planes the compositor holds for a client and the fds parked in its
socket's queue (received, not yet taken by a request: libwayland keeps up to 1024 a client)
against ``--max-client-fds``, and all clients' together against half of what the fd limit
leaves after the compositor's reserve (``ulimit -n`` raises it); looked at each request and
each second.

Past a limit the client gets ``wl_display.error`` no_memory naming the limit and its option,
the log names the client (pid) and the limit, and libwayland disconnects it.

**Rules** (:class:`ClientRule`, from the configuration file's ``client_limits()``): by
executable (a regular expression on /proc/PID/exe; ``Xwayland`` for Xwayland, whose
credentials are the compositor's own) and uid, read from the connection's credentials when
the client connects: other limits for it (wl_shm's included: "firefox may
hold 2 GiB of shm"), and graphics paths kept from it (``linux_dmabuf=False``,
``wl_drm=False``: the global is hidden from it, so it takes its fall-back path;
``scanout=False``: its buffers are always composited, never put on a plane directly, and the
output's ``scanout_refusal`` says "by rule"), and formats and modifiers refused to it
(``refuse_formats``, ``refuse_modifiers``: compositor/format_rules.py; `clients` shows them in
``formats_refused`` with ``by`` "rule").
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from compositor import format_rules
from compositor.ffi import ffi, lib, to_native
from compositor.format_names import format_label, modifier_label
from compositor.limits_options import DEFAULTS

if TYPE_CHECKING:
    from compositor.config import Config

log = logging.getLogger(__name__)

# Figures of comp_objects_usage, in the order shown.
USAGE = (
    "objects", "surfaces", "subsurfaces", "regions", "callbacks", "data_sources",
    "dmabuf_params", "dmabuf_buffers", "dmabuf_bytes", "dmabuf_fds", "dmabuf_estimated",
    "parked_fds",
)  # fmt: skip
# Which limit each figure is held against (fds: dma-buf planes and parked together).
LIMIT_OF = {
    "objects": "max_objects",
    "surfaces": "max_surfaces",
    "subsurfaces": "max_subsurfaces",
    "regions": "max_regions",
    "callbacks": "max_callbacks",
    "data_sources": "max_data_sources",
    "dmabuf_buffers": "max_dmabuf_buffers",
    "dmabuf_bytes": "max_dmabuf_bytes",
}
SHM_RULE_KEYS = {
    "shm_pools": "max_pools",
    "shm_buffers": "max_buffers",
    "shm_bytes": "max_bytes",
    "shm_mapped": "max_mapped",
}
GRAPHICS_GLOBALS = {"linux_dmabuf": "zwp_linux_dmabuf_v1", "wl_drm": "wl_drm"}
HIDE_BITS = {
    "linux_dmabuf": lib.COMP_HIDE_LINUX_DMABUF,
    "wl_drm": lib.COMP_HIDE_WL_DRM,
    "scanout": lib.COMP_NO_SCANOUT,  # not a global: its buffers are always composited
}

_active: ObjectLimits | None = None


# What a rule's exe matches for a client whose credentials are the compositor's own: wlroots
# starts Xwayland on a socketpair, so its pid is ours (and no other client's is).
XWAYLAND_EXE = "Xwayland"


def process_exe(pid: int) -> str | None:
    if pid == os.getpid():
        return XWAYLAND_EXE
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


@dataclass
class ClientRule:
    """Limits for the clients it matches (all given must hold): ``exe``, a regular
    expression matched against the whole path of the client's executable or its base
    name; ``uid``. ``limits``: names of :data:`DEFAULTS` without ``max_`` (``regions``,
    ``dmabuf_bytes``...) or of wl_shm's (``shm_bytes``, ``shm_buffers``, ``shm_pools``,
    ``shm_mapped``). ``hide``: graphics paths kept from it (``linux_dmabuf``, ``wl_drm``:
    the global; ``scanout``: direct scan-out of its buffers). ``refuse_formats``,
    ``refuse_modifiers``: DRM fourccs and modifiers refused to it."""

    exe: re.Pattern[str] | None = None
    uid: int | None = None
    limits: dict[str, int] = field(default_factory=dict)
    hide: tuple[str, ...] = ()
    refuse_formats: frozenset[int] = frozenset()
    refuse_modifiers: frozenset[int] = frozenset()
    line: int = 0

    def matches(self, exe: str | None, uid: int) -> bool:
        if self.uid is not None and uid != self.uid:
            return False
        if self.exe is not None:
            if exe is None:
                return False
            if not (self.exe.fullmatch(exe) or self.exe.fullmatch(exe.rsplit("/", 1)[-1])):
                return False
        return True

    def describe(self) -> dict[str, Any]:
        return {
            "exe": self.exe.pattern if self.exe is not None else None,
            "uid": self.uid,
            "limits": dict(self.limits),
            "hide": list(self.hide),
            "refuse_formats": sorted(format_label(f) for f in self.refuse_formats),
            "refuse_modifiers": sorted(modifier_label(m) for m in self.refuse_modifiers),
            "line": self.line,
        }


def check_rule_limits(limits: dict[str, Any]) -> dict[str, int]:
    """``limits`` as a rule takes them; ValueError naming what is wrong."""
    out = {}
    for key, value in limits.items():
        if f"max_{key}" not in DEFAULTS and key not in SHM_RULE_KEYS:
            known = sorted([k[4:] for k in DEFAULTS] + list(SHM_RULE_KEYS))
            raise ValueError(f"no limit called {key!r}; there are: {', '.join(known)}")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{key} takes a number of 0 or more, not {value!r}")
        out[key] = value
    return out


@ffi.def_extern()
def comp_py_client_created(client: Any, pid: int, uid: int) -> None:
    if _active is not None:
        try:
            _active.client_created(client, pid, uid)
        except Exception:  # noqa: BLE001 (a C callback: never raise into libwayland)
            log.exception("client limits: applying the rules to pid %d failed", pid)


class ObjectLimits:
    """Objects, dma-bufs and fds per client (see the module's docstring). Made by
    :class:`compositor.limits.ClientLimits`, before any client connects."""

    def __init__(self, display: Any, shm_native: Any, config: Config, max_fds_all: int) -> None:
        """``max_fds_all``: all clients' fds together (limits.py's share of the fd limit)."""
        global _active
        self.config = config
        self.defaults = dict(config.object_limits)
        self._native = lib.comp_objects_install(
            to_native(display, "struct wl_display *"), shm_native
        )
        if self._native == ffi.NULL:
            raise MemoryError("cannot install the client object limits")
        self._shm_native = shm_native
        lib.comp_objects_set_defaults(self._native, self._limits_struct(self.defaults))
        self.max_fds_all = max_fds_all
        lib.comp_objects_set_fds_all(self._native, self.max_fds_all)
        self.rules: list[ClientRule] = []
        self.applied: dict[int, list[int]] = {}  # pid -> lines of the rules that matched
        self.shm_defaults: dict[str, int] = {
            "max_pools": config.max_client_shm_pools,
            "max_buffers": config.max_client_shm_buffers,
            "max_mapped": config.max_client_shm_mapped,
            "max_bytes": config.max_client_shm_bytes,
        }
        _active = self
        log.info(
            "objects per client: %s; dma-bufs: %d buffers, %d MiB; %d fds (dma-buf planes "
            "and parked), %d of all clients (half the fd limit after the reserve)",
            ", ".join(
                f"{self.defaults[n]} {n[4:]}"
                for n in (
                    "max_objects",
                    "max_surfaces",
                    "max_subsurfaces",
                    "max_regions",
                    "max_callbacks",
                    "max_data_sources",
                )
            ),  # fmt: skip
            self.defaults["max_dmabuf_buffers"],
            self.defaults["max_dmabuf_bytes"] >> 20,
            self.defaults["max_fds"],
            self.max_fds_all,
        )

    def _limits_struct(self, limits: dict[str, int]) -> Any:
        return ffi.new("comp_objects_limits *", limits)

    # -- rules ----------------------------------------------------------------------------

    def set_rules(self, rules: list[ClientRule]) -> None:
        """The configuration's rules, for clients that connect from now on."""
        self.rules = list(rules)

    def client_created(self, client: Any, pid: int, uid: int) -> None:
        if not self.rules:
            return
        exe = process_exe(pid)
        merged: dict[str, int] = {}
        hide: set[str] = set()
        refused = format_rules.Refusals()
        lines = []
        for rule in self.rules:
            if rule.matches(exe, uid):
                merged.update(rule.limits)
                hide.update(rule.hide)
                refused |= format_rules.Refusals(rule.refuse_formats, rule.refuse_modifiers)
                lines.append(rule.line)
        if not lines:
            return
        limits = dict(self.defaults)
        shm = dict(self.shm_defaults)
        for key, value in merged.items():
            if key in SHM_RULE_KEYS:
                shm[SHM_RULE_KEYS[key]] = value
            else:
                limits[f"max_{key}"] = value
        shm_struct = ffi.new("comp_shm_limits *", shm)
        lib.comp_objects_client_set(self._native, client, self._limits_struct(limits), shm_struct)
        if hide:
            lib.comp_objects_hide(self._native, client, sum(HIDE_BITS[name] for name in hide))
        rules = format_rules.current()
        if refused and rules is not None:
            rules.apply(client, refused)
        self.applied[pid] = lines
        log.info(
            "client pid %d (%s): rules of lines %s: %s%s%s",
            pid,
            exe or "?",
            ", ".join(map(str, lines)),
            ", ".join(f"{k} {v}" for k, v in sorted(merged.items())) or "no other limits",
            f"; hidden by rule: {', '.join(sorted(hide))}" if hide else "",
            "; refused by rule: "
            + ", ".join(refused.describe()["formats"] + refused.describe()["modifiers"])
            if refused
            else "",
        )

    # -- what the inspector and stats show ------------------------------------------------

    def client(self, client: Any) -> dict[str, Any] | None:
        """One client's objects, dma-bufs and fds against its limits: for each figure what
        it holds now, the most it held at once and its limit (None: no limit of its own)."""
        out = ffi.new("comp_client_objects *")
        native = to_native(client, "struct wl_client *")
        if not lib.comp_objects_client(self._native, native, out):
            return None
        limits = {name: getattr(out.limits, name) for name in DEFAULTS}
        figures: dict[str, Any] = {}
        for name in USAGE:
            limit = LIMIT_OF.get(name)
            figures[name] = {
                "used": getattr(out.now, name),
                "peak": getattr(out.peak, name),
                "limit": limits[limit] if limit else None,
            }
        held = out.now.dmabuf_fds + out.now.parked_fds
        figures["fds"] = {"used": held, "peak": None, "limit": limits["max_fds"]}
        figures["parked_fds_known"] = bool(out.parked_known)
        figures["refused"] = out.refused
        figures["by_rule"] = bool(out.by_rule)
        figures["hidden_by_rule"] = sorted(
            GRAPHICS_GLOBALS[name]
            for name, bit in HIDE_BITS.items()
            if out.hidden & bit and name in GRAPHICS_GLOBALS
        )
        figures["composited_by_rule"] = bool(out.hidden & lib.COMP_NO_SCANOUT)
        rules = format_rules.current()
        figures["formats_refused"] = rules.client(native) if rules is not None else None
        return figures

    def totals(self) -> dict[str, Any]:
        out = ffi.new("comp_objects_totals *")
        lib.comp_objects_totals_get(self._native, out)
        figures: dict[str, Any] = {name: getattr(out.now, name) for name in USAGE}
        figures["refused"] = out.refused
        figures["clients"] = out.clients
        figures["fds"] = out.now.dmabuf_fds + out.now.parked_fds
        figures["max_fds_all_clients"] = out.max_fds_all
        return figures

    def gauges(self) -> dict[str, Any]:
        return {f"clients_{name}": (lambda name=name: self.totals()[name]) for name in USAGE}

    def describe(self) -> dict[str, Any]:
        rules = format_rules.current()
        return {
            "per_client": {name[4:]: value for name, value in self.defaults.items()},
            "all_clients": self.totals(),
            "rules": [rule.describe() for rule in self.rules],
            "formats_refused": rules.describe() if rules is not None else None,
        }


def current() -> ObjectLimits | None:
    """The running compositor's, for the configuration file (None before it is made)."""
    return _active
