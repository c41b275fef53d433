"""A hostile client that multiplies objects, parks fds or holds buffers: raw protocol
(bench/wire.py), real fds over SCM_RIGHTS.

    python -m tests.clients.object_hog MODE [--count N] [--mib M]

Modes, each until the compositor refuses or ``--count`` is reached:

- ``regions``, ``surfaces``: wl_compositor.create_region / create_surface.
- ``callbacks``: one surface, wl_surface.frame without a commit (callbacks never done).
- ``subsurfaces``: one parent surface, then a surface and a wl_subsurface on it each time.
- ``data_sources``: wl_data_device_manager.create_data_source.
- ``parked``: wl_display.sync requests each carrying 28 memfds no request takes.
- ``parked_partial``: 28 memfds at a time with 4 bytes, never a whole request.
- ``wl_drm``: wl_drm.create_prime_buffer over memfds of ``--mib`` MiB (compositor run with
  ``--wl-drm-device``), attached to a window.
- ``dmabuf``: zwp_linux_dmabuf_v1 buffers (create_immed) over dma-bufs of ``--mib`` MiB:
  dumb buffers of ``--device`` (the QEMU guest's card0), /dev/udmabuf, or the first vgem
  node; ``--planes 2`` adds each buffer's fd twice (planes of one dma-buf, counted once).

It prints one JSON line, ``{"made": N, "error": {"interface", "code", "message"} | null,
"disconnected": bool, "dmabuf_source": ...}`` (made: objects or buffers the compositor took,
a roundtrip answered after them), then waits for a line (or EOF) on stdin before closing
the connection and exiting 0.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import wire  # noqa: E402
from wire import DRM_XRGB8888, Disconnected, ProtocolError, Wire, sealed_memfd  # noqa: E402

LINUX_DMABUF_XML = Path(
    "/usr/share/wayland-protocols/unstable/linux-dmabuf/linux-dmabuf-unstable-v1.xml"
)
ROUNDTRIP_EVERY = 256
FDS_PER_MESSAGE = 28
PAGE = 4096


def dumb_dma_buf(node: str, size: int) -> int:
    """A dumb buffer of about ``size`` bytes on DRM ``node``, exported as a dma-buf."""
    card = os.open(node, os.O_RDWR | os.O_CLOEXEC)
    try:
        width = 1024
        height = max(1, size // (width * 4))
        # struct drm_mode_create_dumb { u32 height, width, bpp, flags, handle, pitch; u64 size; }
        dumb = bytearray(struct.pack("<IIIIIIQ", height, width, 32, 0, 0, 0, 0))
        fcntl.ioctl(card, 0xC02064B2, dumb, True)
        handle = struct.unpack_from("<IIIIIIQ", dumb)[4]
        # struct drm_prime_handle { u32 handle, flags; s32 fd; }
        prime = bytearray(struct.pack("<IIi", handle, os.O_CLOEXEC | os.O_RDWR, -1))
        fcntl.ioctl(card, 0xC00C642D, prime, True)
        return struct.unpack_from("<IIi", prime)[2]
    finally:
        os.close(card)  # the dma-buf keeps the buffer


def dma_buf(size: int, device: str | None) -> tuple[int, str]:
    """A dma-buf fd of ``size`` bytes and where it came from: ``device``'s dumb buffers,
    else udmabuf, else the first vgem node's dumb buffers."""
    if device is not None:
        return dumb_dma_buf(device, size), device
    if os.path.exists("/dev/udmabuf"):
        memfd = os.memfd_create("object-hog", os.MFD_ALLOW_SEALING)
        os.ftruncate(memfd, size)
        fcntl.fcntl(memfd, 1033, 8)  # F_ADD_SEALS, F_SEAL_SHRINK
        dev = os.open("/dev/udmabuf", os.O_RDWR)
        try:
            # struct udmabuf_create { u32 memfd, flags; u64 offset, size; }, UDMABUF_CREATE
            arg = struct.pack("<IIQQ", memfd, 0x01, 0, size)  # UDMABUF_FLAGS_CLOEXEC
            fd = fcntl.ioctl(dev, 0x40187542, arg, False)
        finally:
            os.close(dev)
            os.close(memfd)
        return int(fd), "udmabuf"
    for minor in range(128, 136):
        node = f"/dev/dri/renderD{minor}"
        try:
            name = Path(f"/sys/class/drm/renderD{minor}/device/driver").resolve().name
        except OSError:
            continue
        if name == "vgem":
            return dumb_dma_buf(node, size), "vgem"
    raise SystemExit("no way to make a dma-buf here: neither /dev/udmabuf nor a vgem node")


def run(conn: Wire, args: argparse.Namespace, progress: dict[str, object]) -> None:
    ids = conn.bind_globals({
        "wl_compositor": 4, "wl_subcompositor": 1, "wl_data_device_manager": 3,
        "xdg_wm_base": 2, "wl_drm": 2, "zwp_linux_dmabuf_v1": 3,
    })  # fmt: skip
    compositor = ids["wl_compositor"]
    wanted = {"wl_drm": "wl_drm", "dmabuf": "zwp_linux_dmabuf_v1"}.get(args.mode)
    if wanted is not None and wanted not in ids:
        progress["missing"] = wanted  # not offered to this client
        return

    def step(i: int) -> None:
        if i % ROUNDTRIP_EVERY == ROUNDTRIP_EVERY - 1:
            conn.roundtrip()
            progress["made"] = i + 1

    mode = args.mode
    if mode in ("regions", "surfaces", "data_sources"):
        parent, request = {
            "regions": (compositor, "create_region"),
            "surfaces": (compositor, "create_surface"),
            "data_sources": (ids.get("wl_data_device_manager", 0), "create_data_source"),
        }[mode]
        for i in range(args.count):
            conn.send(parent, request)
            step(i)
    elif mode == "callbacks":
        surface = conn.send(compositor, "create_surface")
        for i in range(args.count):
            conn.send(surface, "frame")
            step(i)
    elif mode == "subsurfaces":
        parent = conn.send(compositor, "create_surface")
        for i in range(args.count):
            child = conn.send(compositor, "create_surface")
            conn.send(ids["wl_subcompositor"], "get_subsurface", child, parent)
            step(i)
    elif mode in ("parked", "parked_partial"):
        fds = [os.memfd_create("object-hog", os.MFD_CLOEXEC) for _ in range(FDS_PER_MESSAGE)]
        for i in range(args.count // FDS_PER_MESSAGE):
            conn.flush()
            if mode == "parked":
                conn.send_raw(1, 0, struct.pack("<I", conn.new_id("wl_callback")), fds)
            else:  # bytes of a header that is never finished
                conn.out_fds.extend(fds)
                conn.out += b"\0"
            conn.flush()
            if mode == "parked" and i % 4 == 3:
                conn.roundtrip()
            progress["made"] = (i + 1) * FDS_PER_MESSAGE
        if mode == "parked_partial":
            # Nothing the compositor can dispatch: only its periodic look sees the fds.
            conn.wait(lambda: False, args.wait)
        conn.roundtrip()
    elif mode == "wl_drm":
        window = conn.toplevel(compositor, ids["xdg_wm_base"], "test.object-hog")
        size = args.mib << 20
        width = 1024
        height = size // (width * 4)
        for i in range(args.count):
            fd = sealed_memfd(width, height, size=size)
            buffer = conn.send(ids["wl_drm"], "create_prime_buffer", fd, width, height,
                               DRM_XRGB8888, 0, width * 4, 0, 0, 0, 0)  # fmt: skip
            conn.close_after_flush.append(fd)
            conn.show(window[0], buffer, width, height)
            conn.roundtrip()
            progress["made"] = i + 1
    elif mode == "dmabuf":
        dmabuf = ids["zwp_linux_dmabuf_v1"]
        window = conn.toplevel(compositor, ids["xdg_wm_base"], "test.object-hog")
        size = args.mib << 20
        width = 1024
        height = size // (width * 4)
        for i in range(args.count):
            fd, progress["dmabuf_source"] = dma_buf(size, args.device)
            progress["dmabuf_size"] = os.lseek(fd, 0, os.SEEK_END)
            params = conn.send(dmabuf, "create_params")
            conn.send(params, "add", fd, 0, 0, width * 4, 0, 0)
            if args.planes == 2:  # the same dma-buf again, as a second plane's fd
                conn.send(params, "add", fd, 1, 0, width * 4, 0, 0)
            buffer = conn.send(params, "create_immed", width, height, DRM_XRGB8888, 0)
            conn.send(params, "destroy")
            conn.close_after_flush.append(fd)
            conn.show(window[0], buffer, width, height)
            conn.roundtrip()
            progress["made"] = i + 1
    else:
        raise SystemExit(f"unknown mode {mode}")
    conn.roundtrip()
    progress["made"] = args.count


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--mib", type=int, default=1)
    parser.add_argument("--planes", type=int, default=1)
    parser.add_argument("--wait", type=float, default=30.0)
    parser.add_argument("--device", help="dmabuf: a DRM node to make dumb buffers on")
    args = parser.parse_args()
    if LINUX_DMABUF_XML.exists() and "zwp_linux_buffer_params_v1" not in wire.PROTOCOLS:
        wire.PROTOCOLS.update(wire.load_protocols([LINUX_DMABUF_XML]))
    path = Path(os.environ["XDG_RUNTIME_DIR"]) / os.environ["WAYLAND_DISPLAY"]
    conn = Wire(path, timeout=60)
    progress: dict[str, object] = {"made": 0}
    error, disconnected = None, False
    try:
        run(conn, args, progress)
    except ProtocolError as exc:
        error = exc.error
    except (Disconnected, TimeoutError) as exc:
        disconnected = isinstance(exc, Disconnected)
        conn.eof = False
        deadline = time.monotonic() + 5
        while conn.error is None and conn.dispatch(0.5) and time.monotonic() < deadline:
            pass
        error = conn.error
    report = {
        **progress,
        "error": None
        if error is None
        else {"interface": error.interface, "code": error.code, "message": error.message},
        "disconnected": disconnected or error is not None,
    }
    print(json.dumps(report), flush=True)
    sys.stdin.readline()
    return 0


if __name__ == "__main__":
    sys.exit(main())
