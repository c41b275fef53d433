"""The wl_drm global: bind, the four requests, the live-buffer table.

Flow of a PRIME buffer: create_prime_buffer -> :func:`validation.check_request` (pure) ->
size of the fd -> :func:`validation.check_fits` (pure) -> per-client quota -> the C bridge
makes the wl_buffer and its wlr_buffer (imported once; see bridge.py) -> the client attaches
it like any other buffer. Every refusal is a protocol error for that client alone, and the fd
is closed exactly once: here on any refusal, by the bridge once it owns it.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pywayland import lib as wl_lib
from pywayland.server import Listener

from compositor import format_rules, wayland_fixes
from compositor.ffi import address, ffi, lib, to_native
from compositor.wl_drm import protocol
from compositor.wl_drm.auth import Authenticator, AuthError, Device
from compositor.wl_drm.bridge import (
    Bridge,
    FdError,
    fd_size,
    is_dmabuf,
    seal_against_shrinking,
)
from compositor.wl_drm.flink import FlinkError, open_flink_name
from compositor.wl_drm.formats import FORMATS, NV12, YUV420, fourcc_name
from compositor.wl_drm.quotas import ClientUsage, FlinkNames, OwnershipError, QuotaError, Quotas
from compositor.wl_drm.validation import ErrorKind, Layout, RequestError, check_fits, check_request

if TYPE_CHECKING:
    from compositor.control import ControlServer
    from compositor.core import Core

log = logging.getLogger(__name__)

MAX_ERROR_MESSAGE = 127  # libwayland-server formats error messages into a 128-byte buffer
WL_DRM_ERRORS = {
    ErrorKind.INVALID_FORMAT: int(protocol.ERROR.invalid_format),
    ErrorKind.INVALID_NAME: int(protocol.ERROR.invalid_name),
    ErrorKind.AUTHENTICATE_FAIL: int(protocol.ERROR.authenticate_fail),
}
DISPLAY_ERRORS = {
    ErrorKind.INVALID_ARGUMENT: protocol.DISPLAY_INVALID_METHOD,
    ErrorKind.QUOTA: protocol.DISPLAY_NO_MEMORY,
}


def offered_formats(renderer: Any, kind: str) -> list[int]:
    """Formats the renderer imports that wl_drm can validate, in the renderer's order."""
    out = ffi.new("uint32_t[256]")
    if kind == "gles2":
        n = lib.comp_renderer_dmabuf_formats(renderer, out, 256)
        planes_ok = 3  # EGL imports multi-planar dma-bufs
    else:
        n = lib.comp_renderer_shm_formats(renderer, out, 256)
        planes_ok = 1  # pixman reads one packed plane
    codes = dict.fromkeys(out[i] for i in range(min(n, 256)))
    offered = [c for c in codes if c in FORMATS and FORMATS[c].n_planes <= planes_ok]
    if kind != "gles2":  # the bridge converts these on the CPU for pixman
        offered += [c for c in (NV12, YUV420) if c not in offered]
    return offered


@dataclass
class BufferRecord:
    token: int
    client: ClientUsage
    wl_buffer_id: int
    layout: Layout
    size: int
    source: str  # "prime" or "flink"
    import_path: str
    native: Any

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.token,
            "wl_buffer": self.wl_buffer_id,
            "width": self.layout.width,
            "height": self.layout.height,
            "format": self.layout.format.name,
            "fourcc": fourcc_name(self.layout.format.code),
            "planes": [[p.offset, p.stride] for p in self.layout.planes],
            "bytes": self.size,
            "source": self.source,
            "import": self.import_path,
            "locks": Bridge.locks(self.native),
        }


class _Client:
    """One connected client's usage, forgotten when the client goes away."""

    def __init__(self, manager: WlDrmManager, client_ptr: Any) -> None:
        pid = ffi.new("int32_t *")
        lib.wl_client_get_credentials(
            ffi.cast("struct wl_client *", address(client_ptr)), pid, ffi.NULL, ffi.NULL
        )
        self.usage = ClientUsage(pid=pid[0])
        # What came of wl_drm.authenticate, in words, for the inspector.
        self.authentication = "not asked"
        self.key = address(client_ptr)
        self.manager = manager
        self.listener = Listener(self._on_destroy)
        wl_lib.wl_client_add_destroy_listener(client_ptr, self.listener._ptr)

    def _on_destroy(self, listener: Listener, data: Any) -> None:
        self.manager.clients.pop(self.key, None)
        self.manager.flink.release(self.usage)


class WlDrmManager:
    def __init__(self, core: Core, device: Device, backend_fd: int) -> None:
        config = core.config
        renderer = to_native(core.renderer, "struct wlr_renderer *")
        self.renderer_kind = core.renderer_kind
        self.formats = offered_formats(renderer, self.renderer_kind)
        self.device = device
        # The DRM backend's fd is the primary node the compositor is master on.
        self.master_fd = backend_fd
        self.auth = Authenticator(self.device, backend_fd)
        self.quotas = Quotas(config.max_client_buffers, config.max_client_bytes)
        self.allow_flink = config.allow_flink
        self.flink = FlinkNames()
        self.max_size = config.max_buffer_size
        self.bridge = Bridge(self._on_buffer_destroyed)
        self.buffers: dict[int, BufferRecord] = {}
        self.clients: dict[int, _Client] = {}
        self.resources: set[Any] = set()  # bound wl_drm resources, kept alive for pywayland
        self._tokens = itertools.count(1)
        self.global_ = protocol.WlDrm.global_class(core.display, version=protocol.VERSION)
        self.global_.bind_func = self._bind
        log.info(
            "wl_drm: v%d, device %s (%s node%s), %d formats (%s), flink %s",
            protocol.VERSION,
            self.device.path,
            self.device.kind,
            "" if self.device.exists else ", absent here: only memfd-backed buffers import",
            len(self.formats),
            " ".join(fourcc_name(f) for f in self.formats),
            "allowed (legacy)" if self.allow_flink else "refused",
        )

    # -- bind -----------------------------------------------------------------------------

    def _bind(self, resource: Any) -> None:
        wayland_fixes.enable_requests(resource)
        self.resources.add(resource)
        d = resource.dispatcher
        d["authenticate"] = self._authenticate
        d["create_buffer"] = self._create_buffer
        d["create_planar_buffer"] = self._create_planar_buffer
        d["create_prime_buffer"] = self._create_prime_buffer
        d.destructor = self.resources.discard
        resource.device(self.device.path)
        formats = self._formats_for(resource)
        for code in formats:
            resource.format(code)
        if resource.version >= 2 and formats:
            resource.capabilities(protocol.CAPABILITY_PRIME)

    def _formats_for(self, resource: Any) -> list[int]:
        """The formats offered to a resource's client: less those refused to it by rule or
        option (compositor/format_rules.py)."""
        found = format_rules.refused(wl_lib.wl_resource_get_client(resource._ptr))
        if found is None:
            return self.formats
        return [code for code in self.formats if not found[0].refuses_wl_drm(code)]

    def _check_refused(self, resource: Any, fmt: int) -> None:
        found = format_rules.refused(wl_lib.wl_resource_get_client(resource._ptr))
        if found is None or not found[0].refuses_wl_drm(fmt):
            return
        refused, by = found
        if fmt in refused.formats:
            what, option = "format", "--refuse-format"
        else:
            what, option = "implicit modifier (INVALID)", "--refuse-modifier"
        raise RequestError(
            ErrorKind.INVALID_FORMAT,
            "format",
            f"{fourcc_name(fmt)} refused to this client: its {what}, "
            + ("by rule (client_limits)" if by == "rule" else f"by {option}"),
        )

    def _client(self, resource: Any) -> _Client:
        client_ptr = wl_lib.wl_resource_get_client(resource._ptr)
        client = self.clients.get(address(client_ptr))
        if client is None:
            client = self.clients[address(client_ptr)] = _Client(self, client_ptr)
        return client

    # -- errors ---------------------------------------------------------------------------

    def _refuse(self, resource: Any, request: str, kind: ErrorKind, message: str) -> None:
        pid = self._client(resource).usage.pid
        log.warning("wl_drm: refused %s from pid %d: %s", request, pid, message)
        # libwayland cuts error messages at 127 bytes: keep the start, which names the field.
        text = f"{request}: {message}".encode()
        if len(text) > MAX_ERROR_MESSAGE:
            text = text[: MAX_ERROR_MESSAGE - 3] + b"..."
        res = ffi.cast("struct wl_resource *", address(resource._ptr))
        client = ffi.cast(
            "struct wl_client *", address(wl_lib.wl_resource_get_client(resource._ptr))
        )
        if kind in WL_DRM_ERRORS:
            lib.comp_resource_post_error(res, WL_DRM_ERRORS[kind], text)
        else:  # posted on the client's wl_display: malformed argument or quota
            lib.comp_client_post_display_error(client, DISPLAY_ERRORS[kind], text)

    # -- requests -------------------------------------------------------------------------

    def _authenticate(self, resource: Any, magic: int) -> None:
        client = self._client(resource)
        try:
            self.auth.authenticate(magic)
        except AuthError as exc:
            client.authentication = f"refused: {exc}"
            self._refuse(resource, "authenticate", ErrorKind.AUTHENTICATE_FAIL, str(exc))
            return
        client.authentication = (
            "render node: no authentication needed"
            if self.device.kind == "render"
            else f"authorized by AUTH_MAGIC on {self.device.path}"
        )
        log.debug(
            "wl_drm: pid %d authenticated on %s", self._client(resource).usage.pid, self.device.path
        )
        resource.authenticated()

    @contextmanager
    def _refusals(self, resource: Any, request: str) -> Iterator[None]:
        """Turn a refused request into the protocol error that names it."""
        try:
            yield
        except RequestError as exc:
            self._refuse(resource, request, exc.kind, str(exc))
        except (FdError, FlinkError, OwnershipError) as exc:
            self._refuse(resource, request, ErrorKind.INVALID_NAME, str(exc))
        except QuotaError as exc:
            self._refuse(resource, request, ErrorKind.QUOTA, str(exc))

    def _create_prime_buffer(
        self,
        resource: Any,
        new_id: int,
        fd: int,
        width: int,
        height: int,
        fmt: int,
        offset0: int,
        stride0: int,
        offset1: int,
        stride1: int,
        offset2: int,
        stride2: int,
    ) -> None:
        try:
            with self._refusals(resource, "create_prime_buffer"):
                offsets, strides = (offset0, offset1, offset2), (stride0, stride1, stride2)
                self._check_refused(resource, fmt)
                layout = check_request(
                    fmt, width, height, offsets, strides, self.max_size, self.formats
                )
                self._create(resource, new_id, layout, fd, "prime")
                fd = -1  # the bridge owns it now
        finally:
            if fd >= 0:
                os.close(fd)

    def _create_buffer(
        self, resource: Any, new_id: int, name: int, width: int, height: int, stride: int, fmt: int
    ) -> None:
        # stride is a uint here; check_request refuses values past INT32_MAX like negative ones.
        self._flink(
            resource, "create_buffer", new_id, name, width, height, fmt, (0, 0, 0), (stride, 0, 0)
        )

    def _create_planar_buffer(
        self,
        resource: Any,
        new_id: int,
        name: int,
        width: int,
        height: int,
        fmt: int,
        offset0: int,
        stride0: int,
        offset1: int,
        stride1: int,
        offset2: int,
        stride2: int,
    ) -> None:
        offsets, strides = (offset0, offset1, offset2), (stride0, stride1, stride2)
        self._flink(
            resource, "create_planar_buffer", new_id, name, width, height, fmt, offsets, strides
        )

    def _flink(
        self,
        resource: Any,
        request: str,
        new_id: int,
        name: int,
        width: int,
        height: int,
        fmt: int,
        offsets: tuple[int, int, int],
        strides: tuple[int, int, int],
    ) -> None:
        if not self.allow_flink:
            self._refuse(
                resource,
                request,
                ErrorKind.INVALID_NAME,
                "flink names are refused: use create_prime_buffer (dma-buf fd), or the "
                "compositor's --allow-flink",
            )
            return
        fd = -1
        try:
            with self._refusals(resource, request):
                self._check_refused(resource, fmt)
                layout = check_request(
                    fmt, width, height, offsets, strides, self.max_size, self.formats
                )
                # Ownership first: never GEM_OPEN a name another client presented.
                self.flink.claim(name, self._client(resource).usage)
                fd, _ = open_flink_name(self.master_fd, name)
                self._create(resource, new_id, layout, fd, "flink")
                fd = -1
        finally:
            if fd >= 0:
                os.close(fd)

    def _create(self, resource: Any, new_id: int, layout: Layout, fd: int, source: str) -> None:
        """Check the fd and the quota, then hand ``fd`` to the bridge, which then owns it."""
        client = self._client(resource)
        size = fd_size(fd)
        check_fits(layout, size)
        dmabuf = is_dmabuf(fd)
        if not dmabuf:
            seal_against_shrinking(fd)
        converted = bool(lib.comp_drm_format_is_converted(layout.format.code))
        cpu_read = self.renderer_kind != "gles2"
        if layout.format.n_planes > 1 and not dmabuf and not (converted and cpu_read):
            raise FdError(
                f"{layout.format.name} has {layout.format.n_planes} planes: only a dma-buf fd "
                "can carry them"
            )
        self.quotas.check(client.usage, size)
        gpu = dmabuf and self.renderer_kind == "gles2"
        token = next(self._tokens)
        client_ptr = ffi.cast(
            "struct wl_client *", address(wl_lib.wl_resource_get_client(resource._ptr))
        )
        cpu_access = layout.format.n_planes == 1 or (converted and cpu_read)
        native = self.bridge.create(
            client_ptr, new_id, layout, fd, dmabuf, cpu_access, not gpu, token
        )
        if gpu:
            path = "dma-buf -> EGL import (zero-copy)"
        else:
            sync = ", DMA_BUF_IOCTL_SYNC" if dmabuf else ""
            convert = "BT.601 YUV -> XRGB conversion, " if converted else ""
            path = f"mmap -> {self.renderer_kind} (CPU {convert}read{sync})"
        record = BufferRecord(token, client.usage, new_id, layout, size, source, path, native)
        self.buffers[token] = record
        client.usage.buffers += 1
        client.usage.bytes += size
        log.debug(
            "wl_drm: pid %d buffer #%d (wl_buffer@%d) %dx%d %s planes=%s fd size %d, %s, %s",
            client.usage.pid,
            token,
            new_id,
            layout.width,
            layout.height,
            fourcc_name(layout.format.code),
            [(p.offset, p.stride) for p in layout.planes],
            size,
            source,
            path,
        )

    def _on_buffer_destroyed(self, token: int) -> None:
        record = self.buffers.pop(token, None)
        if record is None:
            return
        record.client.buffers -= 1
        record.client.bytes -= record.size
        log.debug("wl_drm: pid %d buffer #%d freed", record.client.pid, token)

    # -- control and teardown -------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        clients: dict[int, dict[str, Any]] = {}
        for record in self.buffers.values():
            entry = clients.setdefault(
                id(record.client),
                {"pid": record.client.pid, "count": 0, "bytes": 0, "buffers": []},
            )
            entry["count"] += 1
            entry["bytes"] += record.size
            entry["buffers"].append(record.describe())
        return {
            "device": self.device.path,
            "device_kind": self.device.kind,
            "formats": [fourcc_name(f) for f in self.formats],
            "live": len(self.buffers),
            "native_live": self.bridge.live_count(),
            "mapped": self.bridge.mapped_count(),
            "clients": sorted(clients.values(), key=lambda c: c["pid"]),
        }

    def client_state(self, client_address: int) -> dict[str, Any]:
        """A client's wl_drm state for the inspector (the client's C address)."""
        client = self.clients.get(client_address)
        usage = client.usage if client is not None else None
        return {
            "device": self.device.path,
            "device_exists": self.device.exists,
            "authentication": client.authentication if client is not None else "not asked",
            "buffers": usage.buffers if usage else 0,
            "bytes": usage.bytes if usage else 0,
            "max_buffers": self.quotas.max_buffers,
            "max_bytes": self.quotas.max_bytes,
        }

    def register_commands(self, control: ControlServer) -> None:
        control.register(
            "buffers",
            "list live wl_drm buffers per client (size, format, planes, import path)",
            lambda request: self.describe(),
        )

    def destroy(self) -> None:
        for client in list(self.clients.values()):
            client.listener.remove()
        self.clients.clear()
        if self.global_._ptr is not None:
            wl_lib.wl_global_destroy(self.global_._ptr)
            self.global_.destroy()
        live = self.bridge.live_count()
        if live:
            log.warning("wl_drm: %d buffers still alive at exit", live)


__all__ = ["WlDrmManager", "offered_formats"]
