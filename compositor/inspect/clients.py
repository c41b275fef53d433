"""``pydrm-ctl clients``: every client, what it bound, each surface's buffer and its path.
Made by the first ``clients`` command (see :class:`compositor.inspect.Inspector`).

Facts come from C (``comp_inspect_*`` in ffi/csrc/inspect.c: libwayland's client and
resource lists, wlroots' surfaces and client buffers, the copy counters' per-surface
records) and from wl_drm's per-client state; :mod:`compositor.inspect.diagnosis` turns them
into sentences. Rates are per second since the previous ``clients`` call.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from compositor.ffi import address, ffi, lib, to_native
from compositor.fourcc import fourcc_name
from compositor.inspect.diagnosis import (
    SCANOUT_PATH,
    Context,
    buffer_path,
    diagnose,
    scanout_notes,
    zero_copy,
)
from compositor.security_context import client_context

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from compositor.core import Core
    from compositor.limits import ClientLimits
    from compositor.output import OutputManager
    from compositor.wl_drm.manager import WlDrmManager

MAX_CLIENTS = 1024
MAX_RESOURCES = 65536
MAX_SURFACES = 4096
KINDS = (
    "none",
    "wl_shm",
    "linux-dmabuf",
    "wl_drm PRIME dma-buf",
    "wl_drm PRIME memfd",
    "other dma-buf",
    "released",
)
# Interfaces a client gets by binding a global (the rest are objects made from them).
GLOBAL_INTERFACES = {
    "wl_compositor", "wl_subcompositor", "wl_shm", "wl_seat", "wl_output", "wl_drm",
    "wl_data_device_manager", "xdg_wm_base", "zwp_linux_dmabuf_v1", "zxdg_output_manager_v1",
    "wp_viewporter", "wp_presentation", "zwlr_screencopy_manager_v1",
    "zwlr_export_dmabuf_manager_v1", "zwp_primary_selection_device_manager_v1",
    "zwlr_data_control_manager_v1", "zwlr_gamma_control_manager_v1",
    "zwlr_layer_shell_v1", "zwlr_output_manager_v1", "zwlr_output_power_manager_v1",
    "zwp_virtual_keyboard_manager_v1", "zwlr_virtual_pointer_manager_v1",
    "xdg_activation_v1", "zxdg_exporter_v1", "zxdg_importer_v1", "zxdg_exporter_v2",
    "zxdg_importer_v2", "zxdg_decoration_manager_v1", "org_kde_kwin_server_decoration_manager",
    "zwlr_foreign_toplevel_manager_v1", "org_kde_kwin_idle", "zwp_idle_inhibit_manager_v1",
    "zwp_pointer_constraints_v1", "zwp_relative_pointer_manager_v1",
    "zwp_pointer_gestures_v1", "zwp_keyboard_shortcuts_inhibit_manager_v1",
    "zwp_text_input_manager_v3", "zwp_input_method_manager_v2", "zwp_tablet_manager_v2",
    "zwlr_input_inhibit_manager_v1", "ext_session_lock_manager_v1",
    "wp_single_pixel_buffer_manager_v1", "wp_cursor_shape_manager_v1",
    "wp_content_type_manager_v1", "ext_idle_notifier_v1", "wp_fractional_scale_manager_v1",
    "wp_security_context_manager_v1",
}  # fmt: skip


DRM_FORMAT_MOD_INVALID = 0x00FFFFFFFFFFFFFF


def modifier_name(modifier: int, kind: str) -> str | None:
    if kind in ("none", "wl_shm", "released"):
        return None
    if modifier == DRM_FORMAT_MOD_INVALID:
        return "implicit"
    return "linear" if modifier == 0 else f"0x{modifier:016x}"


def _string(char_ptr: Any) -> str:
    return ffi.string(char_ptr).decode(errors="replace") if char_ptr != ffi.NULL else ""


def _process(pid: int) -> tuple[str, str]:
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        exe = ""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        cmdline = ""
    return exe, cmdline


class ClientInspector:
    def __init__(
        self,
        core: Core,
        *,
        linux_dmabuf: bool,
        wl_drm: WlDrmManager | None,
        outputs: OutputManager,
        views: Callable[[], Iterable[Any]],
        limits: ClientLimits | None = None,
    ) -> None:
        self.core = core
        self.limits = limits
        self.linux_dmabuf = linux_dmabuf
        self.wl_drm = wl_drm
        self.outputs = outputs
        self.views = views
        self._clients = ffi.new("comp_inspect_client[]", MAX_CLIENTS)
        self._resources = ffi.new("comp_inspect_resource[]", MAX_RESOURCES)
        self._surfaces = ffi.new("comp_inspect_surface[]", MAX_SURFACES)
        # (client address, surface id) -> (time, commits, bytes, frames shown) at the
        # previous call.
        self._previous: dict[tuple[int, int], tuple[float, int, int, int]] = {}

    def context(self) -> Context:
        wl_drm = self.wl_drm
        return Context(
            renderer=self.core.renderer_kind,
            linux_dmabuf=self.linux_dmabuf,
            wl_drm_device=wl_drm.device.path if wl_drm is not None else None,
            wl_drm_device_exists=bool(wl_drm is not None and wl_drm.device.exists),
        )

    def snapshot(self, request: dict[str, Any] | None = None) -> dict[str, Any]:
        request = request or {}
        display = to_native(self.core.display, "struct wl_display *")
        count = min(lib.comp_inspect_clients(display, self._clients, MAX_CLIENTS), MAX_CLIENTS)
        context = self.context()
        now = time.monotonic()
        seen: set[tuple[int, int]] = set()
        clients = []
        for i in range(count):
            entry = self._clients[i]
            client = self._client(entry, context, now, seen)
            if "pid" in request and client["pid"] != int(request["pid"]):
                continue
            clients.append(client)
        self._previous = {k: v for k, v in self._previous.items() if k in seen}
        return {
            "renderer": context.renderer,
            "linux_dmabuf": context.linux_dmabuf,
            "wl_drm_device": context.wl_drm_device,
            "clients": clients,
        }

    def _client(self, entry: Any, context: Context, now: float, seen: set) -> dict[str, Any]:
        key = address(entry.client)
        exe, cmdline = _process(entry.pid)
        n = min(lib.comp_inspect_resources(entry.client, self._resources, MAX_RESOURCES),
                MAX_RESOURCES)  # fmt: skip
        globals_: dict[str, int] = {}
        objects: dict[str, int] = {}
        for j in range(n):
            resource = self._resources[j]
            name = _string(resource.interface)
            if name in GLOBAL_INTERFACES:
                globals_[name] = max(globals_.get(name, 0), resource.version)
            else:
                objects[name] = objects.get(name, 0) + 1
        surfaces = self._client_surfaces(entry.client, key, now, seen)
        wl_drm = self.wl_drm
        client: dict[str, Any] = {
            "pid": entry.pid,
            "uid": entry.uid,
            "exe": exe,
            "cmdline": cmdline,
            # The sandbox it connected from (wp_security_context_v1), or None.
            "security_context": client_context(entry.client),
            "globals": dict(sorted(globals_.items())),
            "objects": dict(sorted(objects.items())),
            "wl_drm": wl_drm.client_state(key) if wl_drm is not None else None,
            # wl_shm pools, buffers and bytes against the limits (compositor/limits.py).
            "wl_shm": self.limits.client_shm(entry.client) if self.limits else None,
            # objects, dma-bufs and fds against its limits (compositor/limits_objects.py).
            "limits": self.limits.objects.client(entry.client) if self.limits else None,
            "surfaces": surfaces,
            "commits_per_s": _sum_rate(surfaces, "commits_per_s"),
            "frames_shown_per_s": _sum_rate(surfaces, "frames_shown_per_s"),
            "bytes_copied_per_s": _sum_rate(surfaces, "bytes_copied_per_s"),
        }
        client["diagnosis"] = diagnose(client, context)
        # No copy on the way to the output; direct scan-out is a field of its own.
        client["zero_copy"] = zero_copy(client)
        client["direct_scanout"] = any(s["path"] == SCANOUT_PATH for s in surfaces)
        client["scanout"] = scanout_notes(
            client, [o.describe()["scanout_refusal"] for o in self.outputs]
        )
        return client

    def _client_surfaces(self, client: Any, client_key: int, now: float, seen: set) -> list[dict]:
        n = min(lib.comp_inspect_surfaces(client, self._surfaces, MAX_SURFACES), MAX_SURFACES)
        fullscreen = self._fullscreen_surfaces()
        scanned_out = {o.loop.scanout_buffer for o in self.outputs} - {0}
        surfaces = []
        for j in range(n):
            s = self._surfaces[j]
            kind = KINDS[s.kind] if 0 <= s.kind < len(KINDS) else "other"
            planes = [{"offset": s.offset[p], "stride": s.stride[p]} for p in range(s.n_planes)]
            size = sum(p["stride"] for p in planes) * s.height if planes else 0
            key = (client_key, s.id)
            seen.add(key)
            rates = _rates(self._previous.get(key), now, s.commits, s.bytes, s.frames_shown)
            self._previous[key] = (now, s.commits, s.bytes, s.frames_shown)
            surfaces.append(
                {
                    "id": s.id,
                    "role": _string(s.role) or None,
                    "fullscreen": address(s.surface) in fullscreen,
                    "buffer": {
                        "kind": kind,
                        "format": fourcc_name(s.format),
                        "modifier": modifier_name(s.modifier, kind),
                        "planes": planes,
                        "width": s.width,
                        "height": s.height,
                        "bytes": size,
                    },
                    "path": SCANOUT_PATH
                    if s.client_buffer in scanned_out
                    else buffer_path(kind, bool(s.texture_gles2), fourcc_name(s.format)),
                    "commits": s.commits,
                    "frames_shown": s.frames_shown,
                    "bytes_copied": s.bytes,
                    **rates,
                }
            )
        return surfaces

    def _fullscreen_surfaces(self) -> set[int]:
        return {
            address(view.surface)
            for view in self.views()
            if getattr(view, "fullscreen", False)
        }


def _rates(
    previous: tuple[float, int, int, int] | None,
    now: float,
    commits: int,
    nbytes: int,
    shown: int,
) -> dict[str, Any]:
    if previous is None or now <= previous[0]:
        return {"commits_per_s": None, "frames_shown_per_s": None, "bytes_copied_per_s": None}
    seconds = now - previous[0]
    return {
        "commits_per_s": round((commits - previous[1]) / seconds, 1),
        "frames_shown_per_s": round((shown - previous[3]) / seconds, 1),
        "bytes_copied_per_s": round((nbytes - previous[2]) / seconds),
    }


def _sum_rate(surfaces: list[dict], key: str) -> float | None:
    values = [s[key] for s in surfaces if s[key] is not None]
    return round(sum(values), 1) if values else None
