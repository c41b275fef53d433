"""A hostile wl_shm client: raw protocol (bench/wire.py), real memfds over SCM_RIGHTS.

    python -m tests.clients.shm_hog MODE [--count N] [--mib M] [--size WxH]

Modes, each until the compositor refuses or ``--count`` is reached:

- ``bytes``: pools of ``--mib`` MiB each (memfds it fills), a buffer over each one, attached
  to a window and committed (the compositor maps and reads them).
- ``pools``: one-page pools, nothing else (each is one mapping in the compositor).
- ``buffers``: one pool, then 1x1 buffers from it.
- ``size``: one buffer of ``--size`` WxH (a sparse memfd), attached to a window.
- ``resize``: a one-page pool resized to ``--mib`` MiB (the file grown first).
- ``lie``: a pool that claims ``--mib`` MiB on a one-page file.

It prints one JSON line, ``{"made": N, "error": {"interface", "code", "message"} | null,
"disconnected": bool}`` (made: pools, buffers or resizes the compositor took), then waits for
a line (or EOF) on stdin before closing the connection and exiting 0.
"""

from __future__ import annotations

import argparse
import json
import mmap
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from wire import XRGB8888, Disconnected, ProtocolError, Wire  # noqa: E402

PAGE = 4096
ROUNDTRIP_EVERY = 128


def memfd(size: int, fill: bool = False) -> int:
    fd = os.memfd_create("shm-hog", os.MFD_CLOEXEC)
    os.ftruncate(fd, size)
    if fill:
        with mmap.mmap(fd, size) as data:
            data[:] = b"\x66\x33\x99\xff" * (size // 4)
    return fd


def run(conn: Wire, args: argparse.Namespace, progress: dict[str, int]) -> None:
    """Make what the mode makes, counting in ``progress["made"]`` what the compositor took
    (a roundtrip answered after it); ProtocolError or Disconnected when it refused one."""
    ids = conn.bind_globals({"wl_compositor": 4, "wl_shm": 1, "xdg_wm_base": 2})
    shm = ids["wl_shm"]
    window = None
    if args.mode in ("bytes", "size"):
        window = conn.toplevel(ids["wl_compositor"], ids["xdg_wm_base"], "test.shm-hog")
    if args.mode in ("bytes", "pools"):
        size = args.mib << 20 if args.mode == "bytes" else PAGE
        width = 1024
        height = size // (width * 4)
        for i in range(args.count):
            fd = memfd(size, fill=args.mode == "bytes")
            pool = conn.send(shm, "create_pool", fd, size)
            conn.close_after_flush.append(fd)
            if args.mode == "bytes":
                buffer = conn.send(pool, "create_buffer", 0, width, height, width * 4, XRGB8888)
                conn.show(window[0], buffer, width, height)
                conn.roundtrip()
                progress["made"] = i + 1
            elif i % ROUNDTRIP_EVERY == ROUNDTRIP_EVERY - 1:
                conn.roundtrip()
                progress["made"] = i + 1
        conn.roundtrip()
        progress["made"] = args.count
        return
    if args.mode == "buffers":
        fd = memfd(PAGE)
        pool = conn.send(shm, "create_pool", fd, PAGE)
        conn.close_after_flush.append(fd)
        for i in range(args.count):
            conn.send(pool, "create_buffer", 0, 1, 1, 4, XRGB8888)
            if i % ROUNDTRIP_EVERY == ROUNDTRIP_EVERY - 1:
                conn.roundtrip()
                progress["made"] = i + 1
        conn.roundtrip()
        progress["made"] = args.count
        return
    if args.mode == "size":
        width, height = (int(v) for v in args.size.split("x"))
        size = width * 4 * height
        fd = memfd(size)  # sparse: only what the compositor reads ever exists
        pool = conn.send(shm, "create_pool", fd, size)
        conn.close_after_flush.append(fd)
        buffer = conn.send(pool, "create_buffer", 0, width, height, width * 4, XRGB8888)
        conn.show(window[0], buffer, width, height)
        conn.roundtrip()
        conn.roundtrip()  # a frame later: what rendering it did
        progress["made"] = 1
        return
    if args.mode == "resize":
        fd = memfd(PAGE)
        pool = conn.send(shm, "create_pool", fd, PAGE)
        conn.roundtrip()
        os.ftruncate(fd, args.mib << 20)
        conn.send(pool, "resize", args.mib << 20)
        os.close(fd)
        conn.roundtrip()
        progress["made"] = 1
        return
    if args.mode == "lie":
        fd = memfd(PAGE)
        conn.send(shm, "create_pool", fd, args.mib << 20)
        conn.close_after_flush.append(fd)
        conn.roundtrip()
        progress["made"] = 1
        return
    raise SystemExit(f"unknown mode {args.mode}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--mib", type=int, default=1)
    parser.add_argument("--size", default="64x64")
    args = parser.parse_args()
    path = Path(os.environ["XDG_RUNTIME_DIR"]) / os.environ["WAYLAND_DISPLAY"]
    conn = Wire(path, timeout=30)
    progress = {"made": 0}
    error, disconnected = None, False
    try:
        run(conn, args, progress)
    except ProtocolError as exc:
        error = exc.error
    except Disconnected:
        # A send that failed because the compositor had closed the connection: what it
        # said before closing is still to be read.
        disconnected = True
        conn.eof = False
        deadline = time.monotonic() + 5
        while conn.error is None and conn.dispatch(0.5) and time.monotonic() < deadline:
            pass
        error = conn.error
    report = {
        "made": progress["made"],
        "error": None
        if error is None
        else {"interface": error.interface, "code": error.code, "message": error.message},
        "disconnected": disconnected or error is not None,
    }
    print(json.dumps(report), flush=True)
    sys.stdin.readline()
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
