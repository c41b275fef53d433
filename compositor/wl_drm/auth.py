"""Which DRM node wl_drm advertises, and wl_drm.authenticate.

Advertised node (``--wl-drm-device``):

- ``auto``: the render node when one exists (the backend's device first), else the primary
  node.
- ``render`` / ``primary``: that kind of node, found the same way.
- ``/dev/dri/PATH``: exactly that path, even when it does not exist here.

``auto``, ``render`` and ``primary`` advertise only a node that exists and that the
compositor can open: with none, the global is not offered at all, so Mesa's EGL and Xwayland
never try a node that is not there (they would warn, or spin). An explicit path is offered as
given: on a GPU-less machine that is how tests share memfd-backed PRIME buffers (the same
mmap data path a dma-buf takes under pixman).

``authenticate(magic)``: a render node needs no authentication, so the answer is immediate.
A primary node is answered ``authenticated`` only after the kernel accepted
DRM_IOCTL_AUTH_MAGIC on the compositor's DRM master fd for that same device (the DRM
backend's fd); anything else, including "no master fd", is ``authenticate_fail``.
"""

from __future__ import annotations

import fcntl
import glob
import logging
import os
import stat
import struct
from dataclasses import dataclass

log = logging.getLogger(__name__)

DRM_MAJOR = 226
DRM_IOCTL_AUTH_MAGIC = 0x40046411  # _IOW('d', 0x11, struct drm_auth { unsigned int magic; })


class AuthError(Exception):
    """The magic was not authorized; the message says why."""


@dataclass(frozen=True)
class Device:
    path: str
    kind: str  # "render" or "primary"
    exists: bool
    reason: str


def node_kind(path: str) -> str:
    """``render`` or ``primary``: from the device number when it exists, else the name."""
    try:
        st = os.stat(path)
        if stat.S_ISCHR(st.st_mode) and os.major(st.st_rdev) == DRM_MAJOR:
            return "render" if os.minor(st.st_rdev) >= 128 else "primary"
    except OSError:
        pass
    # Unknown or absent: only renderD* is trusted as a render node; anything else must
    # authenticate (never answer `authenticated` for a node that might be primary).
    return "render" if os.path.basename(path).startswith("renderD") else "primary"


def fd_path(fd: int) -> str | None:
    if fd < 0:
        return None
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


def _render_node_of(path: str) -> str | None:
    """The render node of the same device as a primary node (via sysfs)."""
    try:
        rdev = os.stat(path).st_rdev
    except OSError:
        return None
    nodes = sorted(
        glob.glob(f"/sys/dev/char/{os.major(rdev)}:{os.minor(rdev)}/device/drm/renderD*")
    )
    return f"/dev/dri/{os.path.basename(nodes[0])}" if nodes else None


def openable(path: str) -> bool:
    """The compositor can open the node (read-write, as a client's EGL would)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    os.close(fd)
    return True


def choose_device(setting: str, backend_fd: int, renderer_fd: int) -> Device | None:
    """The node to advertise, or None: no node here that exists and opens (no wl_drm)."""
    backend_path = fd_path(backend_fd)
    renderer_path = fd_path(renderer_fd)
    if setting.startswith("/"):
        return Device(setting, node_kind(setting), os.path.exists(setting), "--wl-drm-device")
    render = primary = None
    if backend_path:
        primary = backend_path if node_kind(backend_path) == "primary" else None
        render = _render_node_of(backend_path) if primary else backend_path
    if render is None and renderer_path and node_kind(renderer_path) == "render":
        render = renderer_path
    render = render or next(iter(sorted(glob.glob("/dev/dri/renderD*"))), None)
    primary = primary or next(iter(sorted(glob.glob("/dev/dri/card*"))), None)
    render = render if render and openable(render) else None
    primary = primary if primary and openable(primary) else None
    if setting == "primary" or (setting == "auto" and render is None):
        return Device(primary, "primary", True, f"{setting}: primary node") if primary else None
    return Device(render, "render", True, f"{setting}: render node") if render else None


class Authenticator:
    def __init__(self, device: Device, master_fd: int) -> None:
        self.device = device
        self.master_fd = master_fd

    def authenticate(self, magic: int) -> None:
        """Return when ``magic`` is authorized for the advertised node; else AuthError."""
        if self.device.kind == "render":
            return  # render nodes have no authentication; nothing to authorize
        path = self.device.path
        if self.master_fd < 0:
            raise AuthError(
                f"{path}: the compositor holds no DRM master fd (not on the drm backend); "
                "use a render node"
            )
        try:
            same = os.fstat(self.master_fd).st_rdev == os.stat(path).st_rdev
        except OSError as exc:
            raise AuthError(f"cannot stat {path}: {exc.strerror}") from exc
        if not same:
            raise AuthError(f"{path} is not the DRM master device {fd_path(self.master_fd)}")
        try:
            fcntl.ioctl(self.master_fd, DRM_IOCTL_AUTH_MAGIC, struct.pack("I", magic))
        except OSError as exc:
            raise AuthError(
                f"AUTH_MAGIC {magic} on {path} failed: {exc.strerror} (stale magic, or DRM "
                "master lost to a VT switch)"
            ) from exc
