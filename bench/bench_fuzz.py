"""Live fuzz: malformed requests, one per connection, each checked against the protocol error
the client should get back.

    python bench/bench_fuzz.py [--requests 10000] [--batch 250] [--seed N] [--quick]

One compositor (headless, pixman, ``--wl-drm-device /dev/dri/renderD128`` plus small wl_drm
quotas so the quota errors are reachable) and a second one advertising a primary node (for
wl_drm.authenticate_fail). For each case in CASES, a raw client (bench/wire.py) connects,
sets up what the case needs, sends the bad request and reads until the compositor answers:
the wl_display.error it gets (interface of the object + code) is compared with what the
protocol XMLs say (wayland.xml, xdg-shell.xml, protocols/wayland-drm.xml; for wl_drm the
compositor's own validator, compositor/wl_drm/validation.py, is the oracle of the random
cases). Cases that are legal (a destroyed buffer before commit, an extra fd, ...) expect no
error. A wrong or missing answer is a mismatch, printed with its details; a compositor that
exits is a crash (it is restarted, and a case that crashed it 3 times is not run again).

Between batches: weston-simple-shm (frames counted by bench/frame_counter.c) must still
draw, ``pydrm-ctl ping`` must answer, and the live counts are printed. Before and after:
RSS, fds, live counts and Python objects by type (the ``stats`` control command).

Cases run round robin in a shuffled order with random parameters (``--seed``). A benchmark,
not a test: it prints figures and writes JSON to bench/results/fuzz-*.json.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS_DIR, ROOT, loadavg, wait_for  # noqa: E402
from frame_counter import build_frame_counter, read_counter  # noqa: E402
from wire import (  # noqa: E402
    DRM_XRGB8888,
    PROTOCOLS,
    Control,
    Disconnected,
    ErrorEvent,
    ProtocolError,
    Wire,
    diff_objects,
    error_code,
    live_counts,
    proc_fds,
    proc_rss_kib,
    sealed_memfd,
    start_compositor,
)

sys.path.insert(0, str(ROOT))
from compositor.wl_drm.formats import ARGB8888, NV12, XRGB8888, fourcc  # noqa: E402
from compositor.wl_drm.validation import (  # noqa: E402
    ErrorKind,
    RequestError,
    check_fits,
    check_request,
)

NV16 = fourcc("NV16")
MAX_BUFFERS = 3
MAX_BYTES = 4 << 20
MAX_SIZE = 16384
WL_DRM_DEVICE = "/dev/dri/renderD128"
COMPOSITOR_ARGS = [
    "--wl-drm-device",
    WL_DRM_DEVICE,
    "--max-client-buffers",
    str(MAX_BUFFERS),
    "--max-client-bytes",
    str(MAX_BYTES),
]
GLOBALS = {
    "wl_compositor": 4,
    "wl_subcompositor": 1,
    "wl_shm": 1,
    "xdg_wm_base": 2,
    "wl_seat": 7,
    "wl_drm": 2,
}
CRASH_LIMIT = 3  # a case that crashed the compositor this often is not run again


# -- expectations --------------------------------------------------------------------------

Answer = tuple[str | None, int] | None  # (interface, code); None: accepted, no error


@dataclass(frozen=True)
class Expect:
    """What the compositor must answer. ``accept`` lists the right answers: the first is the
    one the XML names; more when the XML is ambiguous. ``CLOSED`` in accept: the connection
    ends without an error event. ``known``: what wlroots 0.15.1 is known to answer instead,
    with the source line, printed next to a mismatch."""

    accept: tuple[Any, ...]
    source: str
    known: str = ""


CLOSED = "closed without error"


def err(interface: str, name: str, source: str, also: tuple = (), known: str = "") -> Expect:
    enum_owner = interface
    if interface == "wl_shm_pool":  # libwayland posts wl_shm's codes on the pool
        enum_owner = "wl_shm"
    return Expect(((interface, error_code(enum_owner, name)), *also), source, known)


def display_err(name: str, source: str = "wayland.xml wl_display.error") -> Expect:
    return err("wl_display", name, source)


ACCEPTED = Expect((None,), "legal request")


def describe(answer: Any) -> str:
    if answer is None:
        return "accepted (no error)"
    if answer == CLOSED:
        return CLOSED
    interface, code = answer
    names = {}
    owner = "wl_shm" if interface == "wl_shm_pool" else interface
    if owner in PROTOCOLS:
        names = {v: k for k, v in PROTOCOLS[owner].enums.get("error", {}).items()}
    return f"{interface}.{names.get(code, '?')} ({code})"


# -- fds -----------------------------------------------------------------------------------


def memfd(size: int, sealable: bool = True) -> int:
    flags = os.MFD_CLOEXEC | (os.MFD_ALLOW_SEALING if sealable else 0)
    fd = os.memfd_create("fuzz", flags)
    os.ftruncate(fd, size)
    return fd


def pipe_fd() -> int:
    r, w = os.pipe()
    os.close(w)
    return r


def socket_fd() -> int:
    a, b = socket.socketpair()
    b.close()
    return a.detach()


def write_only_memfd() -> int:
    fd = memfd(8192)
    fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK)
    wronly = os.open(f"/proc/self/fd/{fd}", os.O_WRONLY | os.O_CLOEXEC)
    os.close(fd)
    return wronly


def regular_file() -> int:
    path = f"/tmp/fuzz-file-{os.getpid()}-{random.random()}"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    os.unlink(path)
    os.ftruncate(fd, 8192)
    return fd


def send_fd(c: Wire, fd: int) -> int:
    """The fd goes with the next flush and is closed here after it."""
    c.close_after_flush.append(fd)
    return fd


# -- the cases -----------------------------------------------------------------------------


@dataclass
class Ctx:
    """What a case gets: the connection, its bound globals, randomness, and where to note
    its parameters (printed with a mismatch)."""

    c: Wire
    ids: dict[str, int]
    rng: random.Random
    params: dict[str, Any] = field(default_factory=dict)
    drm_formats: list[int] = field(default_factory=list)

    def __getattr__(self, name: str) -> int:
        ids = self.__dict__["ids"]
        if name in ids:
            return ids[name]
        raise AttributeError(name)


CaseFn = Callable[[Ctx], Expect]


@dataclass(frozen=True)
class Case:
    name: str
    group: str
    fn: CaseFn
    target: str = "main"  # "primary": the compositor that advertises a primary node
    wl_drm_version: int = 2


CASES: list[Case] = []


def case(group: str, target: str = "main", wl_drm_version: int = 2):
    def register(fn: CaseFn) -> CaseFn:
        CASES.append(Case(fn.__name__, group, fn, target, wl_drm_version))
        return fn

    return register


def mapped_toplevel(x: Ctx, width: int = 64, height: int = 48) -> tuple[int, int, int]:
    c = x.c
    surface, xdg, top = c.toplevel(x.wl_compositor, x.xdg_wm_base, "bench.fuzz")
    (buffer,) = c.shm_buffer(x.wl_shm, width, height)
    c.show(surface, buffer, width, height)
    return surface, xdg, top


# wl_display: the core protocol, answered by libwayland-server itself ------------------------


@case("wl_display")
def bad_object_id(x: Ctx) -> Expect:
    oid = x.rng.choice([x.rng.randrange(1000, 0xFF000000), x.rng.randrange(0xFF000000, 1 << 32)])
    x.params["object"] = oid
    x.c.send_raw(oid, x.rng.randrange(0, 4), struct.pack("<I", 0))
    return display_err("invalid_object", "wayland.xml: invalid_object, server couldn't find object")


@case("wl_display")
def bad_opcode(x: Ctx) -> Expect:
    name = x.rng.choice(
        ["wl_display", "wl_compositor", "wl_shm", "xdg_wm_base", "wl_drm", "wl_surface"]
    )
    oid = 1 if name == "wl_display" else x.ids.get(name)
    if name == "wl_surface":
        oid = x.c.send(x.wl_compositor, "create_surface")
    count = len(PROTOCOLS[name].requests)
    opcode = x.rng.choice([count, count + 1, x.rng.randrange(count, 0x10000)])
    x.params.update(object=name, opcode=opcode)
    x.c.send_raw(oid, opcode, bytes(4 * x.rng.randrange(0, 4)))
    return display_err("invalid_method", "wayland.xml: invalid_method, method doesn't exist")


@case("wl_display")
def short_header(x: Ctx) -> Expect:
    size = x.rng.randrange(0, 8)
    x.params["size"] = size
    x.c.queue(struct.pack("<II", 1, (size << 16) | 0) + b"\0" * 8)
    return display_err("invalid_method", "wayland.xml: invalid_method, malformed request")


@case("wl_display")
def truncated_arguments(x: Ctx) -> Expect:
    surface = x.c.send(x.wl_compositor, "create_surface")
    target, opcode, words = x.rng.choice(
        [
            (x.wl_compositor, 0, 0),  # create_surface without its new_id
            (surface, 1, x.rng.randrange(0, 3)),  # attach(buffer, x, y) short
            (surface, 2, x.rng.randrange(0, 4)),  # damage(x, y, w, h) short
            (x.xdg_wm_base, 2, 1),  # get_xdg_surface(id, surface) short
            (x.wl_shm, 0, 1),  # create_pool(id, fd, size) short (no fd either)
        ]
    )
    x.params.update(opcode=opcode, words=words)
    x.c.send_raw(target, opcode, bytes(4 * words))
    return display_err("invalid_method", "wayland.xml: invalid_method, malformed request")


@case("wl_display")
def bad_new_id(x: Ctx) -> Expect:
    new = x.rng.choice([0, x.c.next_id + x.rng.randrange(1, 1000), 1, 0xFF000001])
    x.params["new_id"] = new
    x.c.send_raw(x.wl_compositor, 0, struct.pack("<I", new))
    return display_err("invalid_method", "wayland.xml: invalid_method, malformed request")


@case("wl_display")
def unknown_object_argument(x: Ctx) -> Expect:
    ghost = x.rng.randrange(x.c.next_id + 5, 0xFF000000)
    new = x.c.new_id("xdg_surface")
    x.params["surface"] = ghost
    x.c.send_raw(x.xdg_wm_base, 2, struct.pack("<II", new, ghost))
    return display_err("invalid_method", "wayland.xml: invalid_method, malformed request")


@case("wl_display")
def wrong_type_object_argument(x: Ctx) -> Expect:
    # get_xdg_surface(new, surface) with a wl_compositor / wl_shm / registry id as surface
    wrong = x.rng.choice([x.wl_compositor, x.wl_shm, x.c.registry, 1])
    new = x.c.new_id("xdg_surface")
    x.params["surface"] = wrong
    x.c.send_raw(x.xdg_wm_base, 2, struct.pack("<II", new, wrong))
    return display_err("invalid_method", "wayland.xml: invalid_method, malformed request")


@case("wl_display")
def null_object_argument(x: Ctx) -> Expect:
    new = x.c.new_id("xdg_surface")
    x.c.send_raw(x.xdg_wm_base, 2, struct.pack("<II", new, 0))
    return display_err("invalid_method", "wayland.xml: invalid_method, malformed request")


@case("wl_display")
def string_not_terminated(x: Ctx) -> Expect:
    surface, xdg, serials = x.c.xdg_surface(x.wl_compositor, x.xdg_wm_base)
    top = x.c.send(xdg, "get_toplevel")
    text = bytes(x.rng.randrange(0x41, 0x5B) for _ in range(x.rng.randrange(1, 40)))
    raw = struct.pack("<I", len(text)) + text + b"\x41" * (-len(text) % 4)
    x.params["length"] = len(text)
    x.c.send_raw(top, 2, raw)  # set_title
    return display_err("invalid_method", "wayland.xml: invalid_method, malformed request")


@case("wl_display")
def string_longer_than_message(x: Ctx) -> Expect:
    surface, xdg, serials = x.c.xdg_surface(x.wl_compositor, x.xdg_wm_base)
    top = x.c.send(xdg, "get_toplevel")
    claimed = x.rng.choice([64, 1000, 0xFFFF, 0xFFFFFFF0])
    x.params["claimed_length"] = claimed
    x.c.send_raw(top, 3, struct.pack("<I", claimed) + b"app\0")  # set_app_id
    return display_err("invalid_method", "wayland.xml: invalid_method, malformed request")


@case("wl_display")
def missing_fd(x: Ctx) -> Expect:
    new = x.c.new_id("wl_shm_pool")
    x.c.send_raw(x.wl_shm, 0, struct.pack("<Ii", new, 4096))  # create_pool: no SCM_RIGHTS
    return display_err("invalid_method", "wayland.xml: invalid_method, malformed request")


@case("wl_display")
def bind_unknown_global(x: Ctx) -> Expect:
    name = x.rng.choice([0, 9999, 0xFFFFFFFF])
    interface = x.rng.choice(["wl_compositor", "no_such_interface"])
    x.params.update(name=name, interface=interface)
    x.c.send(x.c.registry, "bind", name, interface, 1)
    # wayland.xml names no error for this; libwayland posts invalid_object on the registry.
    return Expect(
        (("wl_registry", 0), ("wl_display", 0)),
        "wayland.xml names none; libwayland: wl_display.invalid_object code on wl_registry",
    )


@case("wl_display")
def bind_too_new_version(x: Ctx) -> Expect:
    interface = x.rng.choice(["wl_compositor", "xdg_wm_base", "wl_drm", "wl_shm"])
    name, version = x.c.globals[interface]
    x.params.update(interface=interface, version=version + 1)
    x.c.send(x.c.registry, "bind", name, interface, version + x.rng.randrange(1, 100))
    return Expect(
        (("wl_registry", 0), ("wl_display", 0)),
        "wayland.xml names none; libwayland: wl_display.invalid_object code on wl_registry",
    )


@case("wl_display")
def oversized_message(x: Ctx) -> Expect:
    # A header claiming more than libwayland's 4 KiB buffer, then 4 KiB: the server can
    # never read the whole message and drops the client without an error event.
    size = x.rng.randrange(4100, 0x10000) & ~3
    x.params["size"] = size
    x.c.queue(struct.pack("<II", 1, (size << 16) | 0) + bytes(4096))
    return Expect((CLOSED,), "libwayland 1.21: a message larger than its buffer ends the client")


@case("wl_display")
def extra_fd(x: Ctx) -> Expect:
    # An fd sent with a request that takes none: legal to ignore; it must not leak.
    x.c.queue_fd(send_fd(x.c, memfd(4096)))
    x.c.send(x.wl_compositor, "create_surface")
    return ACCEPTED


# wl_surface and wl_shm ---------------------------------------------------------------------


@case("wl_surface")
def invalid_buffer_scale(x: Ctx) -> Expect:
    surface = x.c.send(x.wl_compositor, "create_surface")
    scale = x.rng.choice([0, -1, -(2**31), x.rng.randrange(-1000, 1)])
    x.params["scale"] = scale
    x.c.send(surface, "set_buffer_scale", scale)
    return err("wl_surface", "invalid_scale", "wayland.xml wl_surface.set_buffer_scale")


@case("wl_surface")
def invalid_buffer_transform(x: Ctx) -> Expect:
    surface = x.c.send(x.wl_compositor, "create_surface")
    transform = x.rng.choice([-1, 8, 99, 2**31 - 1, -(2**31)])
    x.params["transform"] = transform
    x.c.send(surface, "set_buffer_transform", transform)
    return err("wl_surface", "invalid_transform", "wayland.xml wl_surface.set_buffer_transform")


@case("wl_surface")
def attach_destroyed_buffer_id(x: Ctx) -> Expect:
    surface = x.c.send(x.wl_compositor, "create_surface")
    (buffer,) = x.c.shm_buffer(x.wl_shm, 32, 32)
    x.c.send(buffer, "destroy")
    x.c.roundtrip()  # the server has deleted the id
    x.c.objects[buffer] = "wl_buffer"
    x.c.send(surface, "attach", buffer, 0, 0)
    return display_err("invalid_method", "wayland.xml: malformed request (unknown object)")


@case("wl_surface")
def request_on_destroyed_surface(x: Ctx) -> Expect:
    surface = x.c.send(x.wl_compositor, "create_surface")
    x.c.send(surface, "destroy")
    x.c.roundtrip()
    x.c.objects[surface] = "wl_surface"
    x.c.send(surface, x.rng.choice(["commit", "frame"]))
    return display_err("invalid_object", "wayland.xml: invalid_object, server couldn't find object")


@case("wl_surface")
def buffer_destroyed_before_commit(x: Ctx) -> Expect:
    surface, xdg, top = x.c.toplevel(x.wl_compositor, x.xdg_wm_base, "bench.fuzz")
    (buffer,) = x.c.shm_buffer(x.wl_shm, 48, 32)
    x.c.send(surface, "attach", buffer, 0, 0)
    x.c.send(buffer, "destroy")
    x.c.send(surface, "damage", 0, 0, 48, 32)
    x.c.send(surface, "commit")
    return ACCEPTED


@case("wl_surface")
def buffer_destroyed_while_shown(x: Ctx) -> Expect:
    surface, xdg, top = x.c.toplevel(x.wl_compositor, x.xdg_wm_base, "bench.fuzz")
    (buffer,) = x.c.shm_buffer(x.wl_shm, 48, 32)
    x.c.show(surface, buffer, 48, 32)
    x.c.roundtrip()
    x.c.send(buffer, "destroy")
    x.c.send(surface, "damage", 0, 0, 48, 32)
    x.c.send(surface, "commit")
    x.c.send(surface, "frame")
    x.c.send(surface, "commit")
    return ACCEPTED


@case("wl_surface")
def surface_destroyed_before_xdg_surface(x: Ctx) -> Expect:
    surface, xdg, top = mapped_toplevel(x)
    x.c.roundtrip()
    x.c.send(surface, "destroy")
    x.c.send(top, "set_title", "after the wl_surface went")
    # wayland.xml/xdg-shell.xml name no error here; the xdg objects become inert.
    return Expect((None, ("xdg_wm_base", 1), ("xdg_surface", 6)), "no error named; inert objects")


@case("wl_surface")
def odd_damage_is_legal(x: Ctx) -> Expect:
    surface = x.c.send(x.wl_compositor, "create_surface")
    r = x.rng
    for _ in range(4):
        args = [r.choice([-(2**31), -1, 0, 2**31 - 1, r.randrange(-5000, 5000)]) for _ in range(4)]
        x.c.send(surface, r.choice(["damage", "damage_buffer"]), *args)
    x.c.send(surface, "commit")
    return ACCEPTED


@case("wl_shm")
def shm_pool_bad_size(x: Ctx) -> Expect:
    size = x.rng.choice([0, -1, -(2**31)])
    x.params["size"] = size
    x.c.send(x.wl_shm, "create_pool", send_fd(x.c, memfd(4096)), size)
    return err("wl_shm", "invalid_stride", "wayland.xml wl_shm.error: invalid size")


@case("wl_shm")
def shm_pool_bad_fd(x: Ctx) -> Expect:
    kind = x.rng.choice(["pipe", "socket", "smaller than size"])
    x.params["fd"] = kind
    fd = {"pipe": pipe_fd, "socket": socket_fd}.get(kind, lambda: memfd(4096))()
    x.c.send(
        x.wl_shm, "create_pool", send_fd(x.c, fd), 4096 if kind != "smaller than size" else 1 << 20
    )
    # A memfd smaller than the pool maps fine (SIGBUS on access): no error is due then.
    if kind == "smaller than size":
        return Expect((None, ("wl_shm", 2)), "wayland.xml: mmap succeeds, the size is not checked")
    return err("wl_shm", "invalid_fd", "wayland.xml wl_shm.error.invalid_fd")


@case("wl_shm")
def shm_buffer_bad_geometry(x: Ctx) -> Expect:
    pool = x.c.send(x.wl_shm, "create_pool", send_fd(x.c, memfd(16384)), 16384)
    r = x.rng
    offset, width, height, stride = r.choice(
        [
            (0, 64, 16, 255),  # stride < width * 4 ... (libwayland checks stride < width)
            (0, 0, 16, 256),
            (0, 64, -1, 256),
            (-4, 64, 16, 256),
            (16384, 64, 16, 256),
            (0, 64, 65, 256),  # past the pool
            (0, 64, 2**31 // 256, 256),
        ]
    )
    if (offset, width, height, stride) == (0, 64, 16, 255):
        width, stride = 300, 299  # libwayland: stride < width is invalid
    x.params.update(offset=offset, width=width, height=height, stride=stride)
    x.c.send(pool, "create_buffer", offset, width, height, stride, 1)
    return err("wl_shm_pool", "invalid_stride", "wayland.xml wl_shm.error.invalid_stride")


@case("wl_shm")
def shm_buffer_bad_format(x: Ctx) -> Expect:
    pool = x.c.send(x.wl_shm, "create_pool", send_fd(x.c, memfd(16384)), 16384)
    fmt = x.rng.choice([0x12345678, 0xFFFFFFFF, 2**31])
    x.params["format"] = hex(fmt)
    x.c.send(pool, "create_buffer", 0, 16, 16, 64, fmt)
    return err("wl_shm_pool", "invalid_format", "wayland.xml wl_shm.error.invalid_format")


# subsurfaces -----------------------------------------------------------------------------


@case("wl_subsurface")
def subsurface_own_parent(x: Ctx) -> Expect:
    surface = x.c.send(x.wl_compositor, "create_surface")
    x.c.send(x.wl_subcompositor, "get_subsurface", surface, surface)
    return err("wl_subcompositor", "bad_surface", "wayland.xml wl_subcompositor.get_subsurface")


@case("wl_subsurface")
def subsurface_twice(x: Ctx) -> Expect:
    a = x.c.send(x.wl_compositor, "create_surface")
    b = x.c.send(x.wl_compositor, "create_surface")
    x.c.send(x.wl_subcompositor, "get_subsurface", a, b)
    x.c.send(x.wl_subcompositor, "get_subsurface", a, b)
    return err("wl_subcompositor", "bad_surface", "wayland.xml wl_subcompositor.get_subsurface")


@case("wl_subsurface")
def subsurface_cycle(x: Ctx) -> Expect:
    a = x.c.send(x.wl_compositor, "create_surface")
    b = x.c.send(x.wl_compositor, "create_surface")
    x.c.send(x.wl_subcompositor, "get_subsurface", a, b)
    x.c.send(x.wl_subcompositor, "get_subsurface", b, a)
    return err("wl_subcompositor", "bad_surface", "wayland.xml wl_subcompositor.get_subsurface")


@case("wl_subsurface")
def subsurface_of_toplevel(x: Ctx) -> Expect:
    surface, xdg, top = mapped_toplevel(x)
    parent = x.c.send(x.wl_compositor, "create_surface")
    x.c.send(x.wl_subcompositor, "get_subsurface", surface, parent)
    return err("wl_subcompositor", "bad_surface", "wayland.xml: the surface has another role")


@case("wl_subsurface")
def subsurface_place_above_stranger(x: Ctx) -> Expect:
    a = x.c.send(x.wl_compositor, "create_surface")
    b = x.c.send(x.wl_compositor, "create_surface")
    stranger = x.c.send(x.wl_compositor, "create_surface")
    sub = x.c.send(x.wl_subcompositor, "get_subsurface", a, b)
    x.c.send(sub, x.rng.choice(["place_above", "place_below"]), stranger)
    return err("wl_subsurface", "bad_surface", "wayland.xml wl_subsurface.place_above")


@case("wl_subsurface")
def subsurface_parent_destroyed(x: Ctx) -> Expect:
    surface, xdg, top = mapped_toplevel(x)
    child = x.c.send(x.wl_compositor, "create_surface")
    sub = x.c.send(x.wl_subcompositor, "get_subsurface", child, surface)
    (buffer,) = x.c.shm_buffer(x.wl_shm, 16, 16)
    x.c.show(child, buffer, 16, 16)
    x.c.send(surface, "commit")
    x.c.roundtrip()
    x.c.send(top, "destroy")
    x.c.send(xdg, "destroy")
    x.c.send(surface, "destroy")
    x.c.send(sub, "set_position", 5, 5)
    x.c.send(child, "commit")
    return ACCEPTED  # the sub-surface becomes inert: legal


# xdg-shell ---------------------------------------------------------------------------------

XDG = "xdg-shell.xml"
WLR = "wlroots 0.15.1 types/xdg_shell/"


@case("xdg_shell")
def get_toplevel_twice(x: Ctx) -> Expect:
    surface, xdg, serials = x.c.xdg_surface(x.wl_compositor, x.xdg_wm_base)
    x.c.send(xdg, "get_toplevel")
    x.c.send(xdg, "get_toplevel")
    return err("xdg_surface", "already_constructed", XDG)


@case("xdg_shell")
def get_popup_after_toplevel(x: Ctx) -> Expect:
    surface, xdg, top = mapped_toplevel(x)
    s2, xdg2, _ = x.c.xdg_surface(x.wl_compositor, x.xdg_wm_base)
    x.c.send(xdg2, "get_toplevel")
    pos = x.c.positioner(x.xdg_wm_base, 20, 20)
    x.c.send(xdg2, "get_popup", xdg, pos)
    return err("xdg_surface", "already_constructed", XDG)


@case("xdg_shell")
def xdg_role_on_subsurface(x: Ctx) -> Expect:
    a = x.c.send(x.wl_compositor, "create_surface")
    b = x.c.send(x.wl_compositor, "create_surface")
    x.c.send(x.wl_subcompositor, "get_subsurface", a, b)
    xdg = x.c.send(x.xdg_wm_base, "get_xdg_surface", a)
    x.c.send(xdg, "get_toplevel")
    return err(
        "xdg_wm_base",
        "role",
        XDG + " get_xdg_surface: a surface with another role is a role error",
        known=WLR + "wlr_xdg_toplevel.c:452 posts xdg_wm_base.role's code on the xdg_surface",
    )


@case("xdg_shell")
def two_xdg_surfaces_one_surface(x: Ctx) -> Expect:
    surface = x.c.send(x.wl_compositor, "create_surface")
    a = x.c.send(x.xdg_wm_base, "get_xdg_surface", surface)
    b = x.c.send(x.xdg_wm_base, "get_xdg_surface", surface)
    x.c.send(a, "get_toplevel")
    x.c.send(b, "get_toplevel")
    return err(
        "xdg_wm_base",
        "role",
        XDG + " (the surface already has the role through another xdg_surface)",
        also=(("xdg_surface", error_code("xdg_surface", "already_constructed")),),
        known=WLR + "../wlr_surface.c:799 posts xdg_wm_base.role's code on the xdg_surface",
    )


@case("xdg_shell")
def xdg_surface_on_surface_with_buffer(x: Ctx) -> Expect:
    surface = x.c.send(x.wl_compositor, "create_surface")
    (buffer,) = x.c.shm_buffer(x.wl_shm, 32, 32)
    x.c.show(surface, buffer, 32, 32)
    x.c.send(x.xdg_wm_base, "get_xdg_surface", surface)
    return err(
        "xdg_surface",
        "unconfigured_buffer",
        XDG + " xdg_surface: creating it for a surface with a buffer is an error",
        also=(("xdg_wm_base", error_code("xdg_wm_base", "invalid_surface_state")),),
        known=WLR + "wlr_xdg_surface.c:389 posts unconfigured_buffer's code (3) on xdg_wm_base",
    )


@case("xdg_shell")
def buffer_before_first_configure(x: Ctx) -> Expect:
    surface, xdg, serials = x.c.xdg_surface(x.wl_compositor, x.xdg_wm_base)
    x.c.send(xdg, "get_toplevel")
    (buffer,) = x.c.shm_buffer(x.wl_shm, 32, 32)
    x.c.show(surface, buffer, 32, 32)
    return err("xdg_surface", "unconfigured_buffer", XDG)


@case("xdg_shell")
def commit_without_role(x: Ctx) -> Expect:
    surface, xdg, serials = x.c.xdg_surface(x.wl_compositor, x.xdg_wm_base)
    x.c.send(surface, "commit")
    return err("xdg_surface", "not_constructed", XDG)


@case("xdg_shell")
def ack_before_configure(x: Ctx) -> Expect:
    surface, xdg, serials = x.c.xdg_surface(x.wl_compositor, x.xdg_wm_base)
    x.c.send(xdg, "get_toplevel")
    serial = x.rng.choice([0, 1, x.rng.randrange(1 << 32)])
    x.params["serial"] = serial
    x.c.send(xdg, "ack_configure", serial)
    return err(
        "xdg_surface",
        "invalid_serial",
        XDG + " ack_configure: acking a configure that was never sent",
        known=WLR + "wlr_xdg_surface.c:114 posts xdg_wm_base.invalid_surface_state",
    )


@case("xdg_shell")
def ack_wrong_serial(x: Ctx) -> Expect:
    surface, xdg, serials = x.c.xdg_surface(x.wl_compositor, x.xdg_wm_base)
    x.c.send(xdg, "get_toplevel")
    x.c.send(surface, "commit")
    x.c.wait(lambda: serials)
    serial = (serials[-1] + x.rng.choice([1, 1000, -1, 1 << 31])) & 0xFFFFFFFF
    x.params.update(sent=serials[-1], acked=serial)
    x.c.send(xdg, "ack_configure", serial)
    return err(
        "xdg_surface",
        "invalid_serial",
        XDG + " ack_configure",
        known=WLR + "wlr_xdg_surface.c:114 posts xdg_wm_base.invalid_surface_state",
    )


@case("xdg_shell")
def ack_same_serial_twice(x: Ctx) -> Expect:
    surface, xdg, serials = x.c.xdg_surface(x.wl_compositor, x.xdg_wm_base)
    x.c.send(xdg, "get_toplevel")
    x.c.send(surface, "commit")
    x.c.wait(lambda: serials)
    x.c.send(xdg, "ack_configure", serials[-1])
    x.c.send(xdg, "ack_configure", serials[-1])
    return err(
        "xdg_surface",
        "invalid_serial",
        XDG + " ack_configure: the same serial twice",
        known=WLR + "wlr_xdg_surface.c:114 posts xdg_wm_base.invalid_surface_state",
    )


@case("xdg_shell")
def ack_without_role(x: Ctx) -> Expect:
    surface, xdg, serials = x.c.xdg_surface(x.wl_compositor, x.xdg_wm_base)
    x.c.send(xdg, "ack_configure", x.rng.randrange(1 << 32))
    return err("xdg_surface", "not_constructed", XDG)


@case("xdg_shell")
def window_geometry_not_positive(x: Ctx) -> Expect:
    surface, xdg, top = x.c.toplevel(x.wl_compositor, x.xdg_wm_base, "bench.fuzz")
    r = x.rng
    w = r.choice([0, -1, -(2**31), r.randrange(1, 500)])
    h = r.choice([0, -1, -(2**31)]) if w > 0 else r.choice([0, -5, 100])
    x.params.update(width=w, height=h)
    x.c.send(xdg, "set_window_geometry", r.randrange(-100, 100), r.randrange(-100, 100), w, h)
    return err(
        "xdg_surface",
        "invalid_size",
        XDG + " set_window_geometry: width and height must be > 0",
        known=WLR + "wlr_xdg_surface.c:244 posts code -1 ('XXX: Switch to the proper error')",
    )


@case("xdg_shell")
def window_geometry_without_role(x: Ctx) -> Expect:
    surface, xdg, serials = x.c.xdg_surface(x.wl_compositor, x.xdg_wm_base)
    x.c.send(xdg, "set_window_geometry", 0, 0, 10, 10)
    return err("xdg_surface", "not_constructed", XDG)


@case("xdg_shell")
def popup_incomplete_positioner(x: Ctx) -> Expect:
    surface, xdg, top = mapped_toplevel(x)
    s2, xdg2, _ = x.c.xdg_surface(x.wl_compositor, x.xdg_wm_base)
    pos = x.c.send(x.xdg_wm_base, "create_positioner")
    missing = x.rng.choice(["size", "anchor_rect", "both"])
    x.params["missing"] = missing
    if missing != "size":
        x.c.send(pos, "set_size", 20, 20)
    if missing != "anchor_rect":
        x.c.send(pos, "set_anchor_rect", 0, 0, 1, 1)
    if missing == "both":
        pos = x.c.send(x.xdg_wm_base, "create_positioner")
    x.c.send(xdg2, "get_popup", xdg, pos)
    return err(
        "xdg_wm_base",
        "invalid_positioner",
        XDG + " xdg_positioner: size and anchor rect are required",
        known=WLR + "wlr_xdg_popup.c:305 posts invalid_positioner's code (5) on the xdg_surface",
    )


@case("xdg_shell")
def positioner_bad_size(x: Ctx) -> Expect:
    pos = x.c.send(x.xdg_wm_base, "create_positioner")
    w, h = x.rng.choice([(0, 10), (10, 0), (-1, 5), (5, -(2**31)), (0, 0)])
    x.params.update(width=w, height=h)
    x.c.send(pos, "set_size", w, h)
    return err("xdg_positioner", "invalid_input", XDG + " set_size")


@case("xdg_shell")
def positioner_negative_anchor_rect(x: Ctx) -> Expect:
    pos = x.c.send(x.xdg_wm_base, "create_positioner")
    w, h = x.rng.choice([(-1, 5), (5, -1), (-(2**31), -(2**31))])
    x.params.update(width=w, height=h)
    x.c.send(pos, "set_anchor_rect", 0, 0, w, h)
    return err("xdg_positioner", "invalid_input", XDG + " set_anchor_rect")


@case("xdg_shell")
def positioner_bad_enum(x: Ctx) -> Expect:
    pos = x.c.send(x.xdg_wm_base, "create_positioner")
    request = x.rng.choice(["set_anchor", "set_gravity"])
    value = x.rng.choice([9, 100, 0xFFFFFFFF])
    x.params.update(request=request, value=value)
    x.c.send(pos, request, value)
    return err("xdg_positioner", "invalid_input", XDG + " set_gravity: not in the enum")


@case("xdg_shell")
def popup_without_parent(x: Ctx) -> Expect:
    # get_popup(parent=null) and commit: xdg-shell.xml says a parent must be set "using some
    # other protocol, before committing the initial state"; we have none.
    surface, xdg, serials = x.c.xdg_surface(x.wl_compositor, x.xdg_wm_base)
    pos = x.c.positioner(x.xdg_wm_base, 20, 20)
    x.c.send(xdg, "get_popup", 0, pos)
    x.c.send(surface, "commit")
    return err(
        "xdg_wm_base",
        "invalid_popup_parent",
        XDG + " get_popup: null parent without another protocol",
        also=(("xdg_surface", error_code("xdg_surface", "not_constructed")),),
        known=WLR + "wlr_xdg_popup.c:203 posts not_constructed, then still emits new_surface",
    )


@case("xdg_shell")
def popup_grab_after_map(x: Ctx) -> Expect:
    surface, xdg, top = mapped_toplevel(x)
    ps, pxdg, popup = x.c.popup(x.wl_compositor, x.xdg_wm_base, xdg)
    (buffer,) = x.c.shm_buffer(x.wl_shm, 40, 30)
    x.c.show(ps, buffer, 40, 30)
    x.c.roundtrip()
    x.c.send(popup, "grab", x.wl_seat, 0)
    return err("xdg_popup", "invalid_grab", XDG + " xdg_popup.grab: tried to grab after mapping")


@case("xdg_shell")
def destroy_non_topmost_popup(x: Ctx) -> Expect:
    surface, xdg, top = mapped_toplevel(x)
    s1, xdg1, popup1 = x.c.popup(x.wl_compositor, x.xdg_wm_base, xdg)
    s2, xdg2, popup2 = x.c.popup(x.wl_compositor, x.xdg_wm_base, xdg1)
    for s in (s1, s2):
        (buffer,) = x.c.shm_buffer(x.wl_shm, 40, 30)
        x.c.show(s, buffer, 40, 30)
    x.c.roundtrip()
    x.c.send(popup1, "destroy")
    return err("xdg_wm_base", "not_the_topmost_popup", XDG + " xdg_popup.destroy")


@case("xdg_shell")
def wm_base_destroyed_before_surfaces(x: Ctx) -> Expect:
    if x.rng.random() < 0.5:
        mapped_toplevel(x)
    else:
        x.c.xdg_surface(x.wl_compositor, x.xdg_wm_base)
    x.c.send(x.xdg_wm_base, "destroy")
    return err("xdg_wm_base", "defunct_surfaces", XDG + " xdg_wm_base.destroy")


@case("xdg_shell")
def xdg_surface_destroyed_before_role(x: Ctx) -> Expect:
    surface, xdg, top = mapped_toplevel(x) if x.rng.random() < 0.5 else (None, None, None)
    if surface is None:
        surface, xdg, _ = x.c.xdg_surface(x.wl_compositor, x.xdg_wm_base)
        top = x.c.send(xdg, "get_toplevel")
    x.c.send(xdg, "destroy")
    x.c.send(top, "set_title", "orphan")
    x.c.send(surface, "commit")
    return err(
        "xdg_surface",
        "defunct_role_object",
        XDG + " xdg_surface.destroy: only after its role object",
        known=WLR + "no check in 0.15.1 (the role object becomes inert)",
    )


@case("xdg_shell")
def toplevel_parent_is_itself(x: Ctx) -> Expect:
    surface, xdg, top = mapped_toplevel(x)
    if x.rng.random() < 0.5:
        x.c.send(top, "set_parent", top)
        x.params["cycle"] = "self"
    else:
        s2, xdg2, top2 = mapped_toplevel(x)
        x.c.send(top2, "set_parent", top)
        x.c.send(top, "set_parent", top2)
        x.params["cycle"] = "two toplevels"
    x.c.send(surface, "commit")
    return err(
        "xdg_toplevel",
        "invalid_parent",
        XDG + " set_parent: not itself nor a descendant",
        known=WLR + "wlr_xdg_toplevel.c:176 does not check (0.15.1)",
    )


@case("xdg_shell")
def toplevel_bad_min_max(x: Ctx) -> Expect:
    surface, xdg, top = x.c.toplevel(x.wl_compositor, x.xdg_wm_base, "bench.fuzz")
    kind = x.rng.choice(["negative max", "negative min", "min > max"])
    x.params["kind"] = kind
    if kind == "negative max":
        x.c.send(top, "set_max_size", -1, x.rng.randrange(-5, 100))
    elif kind == "negative min":
        x.c.send(top, "set_min_size", x.rng.randrange(-5, 100), -(2**31))
    else:
        x.c.send(top, "set_max_size", 100, 100)
        x.c.send(top, "set_min_size", 200, 200)
    x.c.send(surface, "commit")
    return err(
        "xdg_toplevel",
        "invalid_size",
        XDG + " set_min_size/set_max_size",
        known=WLR + "wlr_xdg_toplevel.c:311-319 do not check (0.15.1)",
    )


@case("xdg_shell")
def toplevel_resize_bad_edge(x: Ctx) -> Expect:
    surface, xdg, top = mapped_toplevel(x)
    x.c.roundtrip()
    edge = x.rng.choice([3, 7, 11, 99, 0xFFFFFFFF])
    x.params["edges"] = edge
    x.c.send(top, "resize", x.wl_seat, 0, edge)
    return err(
        "xdg_toplevel",
        "invalid_resize_edge",
        XDG + " resize: edges not in resize_edge",
        known=WLR + "wlr_xdg_toplevel.c does not check the edges (0.15.1)",
    )


# wl_drm: compositor/wl_drm, oracle compositor/wl_drm/validation.py --------------------------

DRM = "wayland-drm.xml + compositor/wl_drm/manager.py"


def _prime(x: Ctx, fd: int, w: int, h: int, fmt: int, planes: tuple) -> int:
    x.params.update(width=w, height=h, format=hex(fmt), planes=planes)
    return x.c.send(x.wl_drm, "create_prime_buffer", send_fd(x.c, fd), w, h, fmt, *planes)


def drm(name: str) -> Expect:
    return err("wl_drm", name, DRM)


INVALID_ARGUMENT = display_err("invalid_method", DRM + " (malformed width/height/offset/stride)")
PLANES = (0, 256, 0, 0, 0, 0)


def _bad(expect: Expect, w=64, h=32, fmt=XRGB8888, planes=PLANES, fd=lambda: memfd(8192)):
    return (fd, w, h, fmt, planes, expect)


# The cases of tests/wl_drm/test_wl_drm_errors.py, with the answers the compositor documents.
DRM_FIXED: dict[str, tuple[Callable[[], int], int, int, int, tuple, Any]] = {
    "unknown_format": _bad(drm("invalid_format"), fmt=0x12345678),
    # NV12 on a memfd: refused where it is not offered, else converted for pixman (b3d9a9e).
    "nv12": _bad(
        lambda offered: ACCEPTED if NV12 in offered else drm("invalid_format"),
        fmt=NV12,
        planes=(0, 64, 2048, 64, 0, 0),
    ),
    "nv16_not_offered": _bad(drm("invalid_format"), fmt=NV16, planes=(0, 64, 2048, 64, 0, 0)),
    "zero_width": _bad(INVALID_ARGUMENT, w=0),
    "negative_height": _bad(INVALID_ARGUMENT, h=-5),
    "too_wide": _bad(INVALID_ARGUMENT, w=16385),
    "negative_offset": _bad(INVALID_ARGUMENT, planes=(-1, 256, 0, 0, 0, 0)),
    "negative_stride": _bad(INVALID_ARGUMENT, planes=(0, -256, 0, 0, 0, 0)),
    "short_stride": _bad(INVALID_ARGUMENT, planes=(0, 255, 0, 0, 0, 0)),
    "stride_overflow": _bad(INVALID_ARGUMENT, w=16384, h=16384, planes=(0, 2**31 - 1, 0, 0, 0, 0)),
    "huge_buffer_small_fd": _bad(
        drm("invalid_name"), w=16384, h=16384, planes=(0, 65536, 0, 0, 0, 0), fd=lambda: memfd(4096)
    ),
    "fd_too_small": _bad(drm("invalid_name"), fd=lambda: memfd(8191)),
    "offset_past_end": _bad(drm("invalid_name"), planes=(8192, 256, 0, 0, 0, 0)),
    "empty_fd": _bad(drm("invalid_name"), fd=lambda: memfd(0)),
    "pipe_fd": _bad(drm("invalid_name"), fd=pipe_fd),
    "socket_fd": _bad(drm("invalid_name"), fd=socket_fd),
    "unmappable_fd": _bad(drm("invalid_name"), fd=write_only_memfd),
    "unsealable_memfd": _bad(drm("invalid_name"), fd=lambda: memfd(8192, sealable=False)),
    "regular_file": _bad(drm("invalid_name"), fd=regular_file),
}


@case("wl_drm")
def drm_fixed(x: Ctx) -> Expect:
    name = x.rng.choice(sorted(DRM_FIXED))
    make, w, h, fmt, planes, expect = DRM_FIXED[name]
    x.params["variant"] = name
    _prime(x, make(), w, h, fmt, planes)
    return expect(x.drm_formats) if callable(expect) else expect


@case("wl_drm")
def drm_flink_refused(x: Ctx) -> Expect:
    name = x.rng.randrange(1, 1 << 32)
    if x.rng.random() < 0.5:
        x.c.send(x.wl_drm, "create_buffer", name, 64, 32, 256, XRGB8888)
        x.params["request"] = "create_buffer"
    else:
        x.c.send(x.wl_drm, "create_planar_buffer", name, 64, 32, XRGB8888, 0, 256, 0, 0, 0, 0)
        x.params["request"] = "create_planar_buffer"
    return drm("invalid_name")


@case("wl_drm")
def drm_quota(x: Ctx) -> Expect:
    if x.rng.random() < 0.5:
        count, size = MAX_BUFFERS + 1, 8192
    else:
        count, size = 2, 3 << 20
    x.params.update(count=count, size=size)
    for _ in range(count):
        x.c.send(
            x.wl_drm,
            "create_prime_buffer",
            send_fd(x.c, memfd(size)),
            64,
            32,
            XRGB8888,
            0,
            256,
            0,
            0,
            0,
            0,
        )
    return display_err("no_memory", DRM + " (--max-client-buffers / --max-client-bytes)")


@case("wl_drm")
def drm_missing_fd(x: Ctx) -> Expect:
    new = x.c.new_id("wl_buffer")
    x.c.send_raw(x.wl_drm, 3, struct.pack("<I9i", new, 64, 32, XRGB8888, 0, 256, 0, 0, 0, 0))
    return display_err("invalid_method", "wayland.xml: malformed request (fd missing)")


@case("wl_drm", wl_drm_version=1)
def drm_prime_on_version_1(x: Ctx) -> Expect:
    _prime(x, sealed_memfd(64, 32), 64, 32, XRGB8888, (0, 256, 0, 0, 0, 0))
    return display_err("invalid_method", "wayland-drm.xml: create_prime_buffer since 2")


@case("wl_drm", target="primary")
def drm_authenticate_primary_without_master(x: Ctx) -> Expect:
    x.c.send(x.wl_drm, "authenticate", x.rng.randrange(1 << 32))
    return drm("authenticate_fail")


@case("wl_drm")
def drm_attach_destroyed_buffer(x: Ctx) -> Expect:
    surface, xdg, top = x.c.toplevel(x.wl_compositor, x.xdg_wm_base, "bench.fuzz")
    buffer = _prime(x, sealed_memfd(64, 32), 64, 32, XRGB8888, (0, 256, 0, 0, 0, 0))
    x.c.send(buffer, "destroy")
    x.c.roundtrip()
    x.c.objects[buffer] = "wl_buffer"
    x.c.send(surface, "attach", buffer, 0, 0)
    return display_err("invalid_method", "wayland.xml: malformed request (unknown object)")


@case("wl_drm")
def drm_buffer_destroyed_while_shown(x: Ctx) -> Expect:
    surface, xdg, top = x.c.toplevel(x.wl_compositor, x.xdg_wm_base, "bench.fuzz")
    buffer = _prime(x, sealed_memfd(64, 32), 64, 32, XRGB8888, (0, 256, 0, 0, 0, 0))
    x.c.show(surface, buffer, 64, 32)
    if x.rng.random() < 0.5:
        x.c.roundtrip()
    x.c.send(buffer, "destroy")
    x.c.send(surface, "damage", 0, 0, 64, 32)
    x.c.send(surface, "commit")
    return ACCEPTED


def i32(value: int) -> int:
    """The int32 the compositor reads for ``value`` (the wire wraps it)."""
    return struct.unpack("<i", struct.pack("<I", value & 0xFFFFFFFF))[0]


def drm_oracle(fmt, width, height, offsets, strides, size, offered) -> Expect:
    """The answer the compositor must give, from its own pure validator."""
    kinds = {
        ErrorKind.INVALID_FORMAT: drm("invalid_format"),
        ErrorKind.INVALID_NAME: drm("invalid_name"),
        ErrorKind.INVALID_ARGUMENT: INVALID_ARGUMENT,
    }
    try:
        layout = check_request(fmt, width, height, offsets, strides, MAX_SIZE, offered)
        if size == 0:
            return drm("invalid_name")
        check_fits(layout, size)
    except RequestError as exc:
        return kinds[exc.kind]
    if size > MAX_BYTES:
        return display_err("no_memory", DRM)
    return ACCEPTED


@case("wl_drm")
def drm_random(x: Ctx) -> Expect:
    r = x.rng
    fmt = r.choice([XRGB8888, XRGB8888, ARGB8888, NV12, 0, 0x12345678, DRM_XRGB8888])
    width = r.choice([r.randrange(1, 200), 0, -1, MAX_SIZE, MAX_SIZE + 1, -(2**31), 2**31 - 1])
    height = r.choice([r.randrange(1, 200), 0, -3, MAX_SIZE + 1, 2**31 - 1])
    row = max(width, 1) * 4
    stride = r.choice([row, row + 64, row - 1, 0, -row, 2**31 - 1, r.randrange(-(2**31), 2**31)])
    offset = r.choice([0, 0, 4, -4, r.randrange(0, 1 << 20), 2**31 - 1])
    need = offset + max(stride, 0) * max(height, 0)
    size = r.choice([need, need, need - 1, need + 4096, 0, 4096])
    size = max(0, min(size, 8 << 20))
    width, height, stride, offset = (i32(v) for v in (width, height, stride, offset))
    planes = (offset, stride, 0, 0, 0, 0)
    x.params["size"] = size
    _prime(x, memfd(size), width, height, fmt, planes)
    return drm_oracle(fmt, width, height, (offset, 0, 0), (stride, 0, 0), size, x.drm_formats)


# -- running -------------------------------------------------------------------------------


@dataclass
class Outcome:
    case: str
    ok: bool
    expected: Expect
    got: Any  # (interface, code), None, CLOSED, or a string for a failure
    message: str
    params: dict[str, Any]
    stage: str  # "answer" or "setup"


def connect(path: str, version: int, rng: random.Random) -> Ctx:
    c = Wire(path, timeout=5.0)
    wanted = dict(GLOBALS)
    wanted["wl_drm"] = version
    ctx = Ctx(c, {}, rng)
    registry = c.send(1, "get_registry")
    c.roundtrip()
    c.registry = registry
    for interface, v in wanted.items():
        if interface in c.globals:
            name, offered = c.globals[interface]
            ctx.ids[interface] = c.send(registry, "bind", name, interface, min(v, offered))
    wm_base = ctx.ids["xdg_wm_base"]
    c.on(wm_base, "ping", lambda serial: c.send(wm_base, "pong", serial))
    c.on(ctx.ids["wl_drm"], "format", ctx.drm_formats.append)
    c.roundtrip()  # the wl_drm events
    return ctx


def run_case(case_: Case, path: str, rng: random.Random) -> Outcome:
    try:
        ctx = connect(path, case_.wl_drm_version, rng)
    except (OSError, ProtocolError, Disconnected, TimeoutError) as exc:
        return Outcome(case_.name, False, ACCEPTED, f"connect failed: {exc!r}", "", {}, "setup")
    try:
        try:
            expect = case_.fn(ctx)
        except ProtocolError as exc:
            return _outcome(case_, None, exc.error, ctx, "setup")
        except (Disconnected, TimeoutError, OSError) as exc:
            return Outcome(case_.name, False, ACCEPTED, f"setup: {exc!r}", "", ctx.params, "setup")
        try:
            error = ctx.c.expect_error(timeout=5.0)
        except (Disconnected, OSError) as exc:
            error = ctx.c.error
            if error is None:
                return _outcome(case_, expect, CLOSED, ctx, "answer", str(exc))
        except TimeoutError:
            return Outcome(
                case_.name, False, expect, "no answer within 5 s", "", ctx.params, "answer"
            )
        if error is None and ctx.c.eof:
            return _outcome(case_, expect, CLOSED, ctx, "answer")
        return _outcome(case_, expect, error, ctx, "answer")
    finally:
        ctx.c.close()


def _outcome(case_, expect, error, ctx, stage, note="") -> Outcome:
    if isinstance(error, ErrorEvent):
        got, text = error.key, error.message
    else:
        got, text = error, note
    if expect is None:  # refused during setup: always a mismatch
        return Outcome(case_.name, False, ACCEPTED, got, text, ctx.params, stage)
    return Outcome(case_.name, got in expect.accept, expect, got, text, ctx.params, stage)


class SimpleShm:
    """weston-simple-shm with the frame-counter shim: the well-behaved client."""

    def __init__(self, comp: Any, workdir: Path) -> None:
        self.counter = workdir / f"simple-shm-{time.monotonic_ns()}.counter"
        env = comp.client_env(
            LD_PRELOAD=str(build_frame_counter()), FRAME_COUNTER_FILE=str(self.counter)
        )
        log = open(workdir / "simple-shm.log", "ab")
        self.proc = subprocess.Popen(["weston-simple-shm"], env=env, stdout=log, stderr=log)
        log.close()

    def commits(self) -> int:
        c = read_counter(self.counter)
        return c.commits if c else 0

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Target:
    """A compositor under fuzz, restarted when it crashes."""

    def __init__(self, name: str, workdir: Path, extra: list[str], with_client: bool) -> None:
        self.name = name
        self.workdir = workdir
        self.extra = extra
        self.with_client = with_client
        self.generation = 0
        self.crashes: list[dict[str, Any]] = []
        self.start()

    def start(self) -> None:
        self.generation += 1
        socket_name = f"fuzz-{self.name}-{os.getpid()}-{self.generation}"
        self.comp = start_compositor(self.workdir, socket_name, 800, 600, self.extra)
        self.path = str(self.comp.runtime_dir / self.comp.socket)
        self.control = Control(self.comp.info["control_socket"])
        self.client = SimpleShm(self.comp, self.workdir) if self.with_client else None
        if self.client is not None:
            wait_for(lambda: self.client.commits() > 5, 20, "weston-simple-shm drawing")

    def stop(self) -> int:
        if self.client is not None:
            self.client.stop()
        self.control.close()
        return self.comp.stop()

    def crashed(self, case_name: str, params: dict[str, Any]) -> dict[str, Any]:
        code = self.comp.proc.returncode
        info = {
            "target": self.name,
            "case": case_name,
            "params": params,
            "returncode": code,
            "signal": signal.Signals(-code).name if code is not None and code < 0 else None,
            "log_tail": self.comp.log_tail(15),
            "log": str(self.comp.log_path),
        }
        self.crashes.append(info)
        self.stop()
        self.start()
        return info

    def stats(self, objects: bool = False) -> dict[str, Any]:
        return self.control.call("stats", objects=1 if objects else 0)


def ctl_ping(comp: Any) -> bool:
    """``pydrm-ctl ping``, the command-line client, as a user would run it."""
    env = comp.client_env()
    env["PYTHONPATH"] = str(ROOT)
    ctl = Path(sys.executable).with_name("pydrm-ctl")
    argv = [str(ctl)] if ctl.exists() else [sys.executable, "-m", "compositor.control_client"]
    result = subprocess.run(
        [*argv, "--socket", comp.info["control_socket"], "ping"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return result.returncode == 0 and '"ok": true' in result.stdout


def quiesce(target: Target, clients: int, timeout: float = 20.0) -> dict[str, Any]:
    """Wait until only ``clients`` Wayland clients are connected; the stats then."""
    deadline = time.monotonic() + timeout
    while True:
        stats = target.stats()
        if stats["clients"] <= clients or time.monotonic() > deadline:
            return stats
        time.sleep(0.2)


def snapshot(target: Target, clients: int) -> dict[str, Any]:
    quiesce(target, clients)
    time.sleep(0.5)
    full = target.stats(objects=True)
    return {
        "rss_kib": proc_rss_kib(target.comp.pid),
        "fds": proc_fds(target.comp.pid),
        "live": live_counts(full),
        "py_objects": full.get("py_objects", {}),
        "gc_objects": full.get("gc_objects"),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=10000, help="malformed requests to send")
    p.add_argument("--batch", type=int, default=250, help="requests between health checks")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--cases", default="", help="only these cases (comma-separated)")
    p.add_argument("--quick", action="store_true", help="a smoke run: 600 requests")
    p.add_argument("--output", type=Path, default=None, help="JSON file (default bench/results)")
    ns = p.parse_args(argv)
    if ns.quick:
        ns.requests, ns.batch = min(ns.requests, 600), min(ns.batch, 150)
    if ns.seed is None:
        ns.seed = int(time.time())
    return ns


class Fuzzer:
    """Runs cases, watches for crashes (restart, attribute, disable) and tallies answers."""

    def __init__(self, targets: dict[str, Target | None], rng: random.Random) -> None:
        self.targets = targets
        self.rng = rng
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.answers: dict[str, Counter] = defaultdict(Counter)
        self.mismatches: dict[tuple, dict[str, Any]] = {}
        self.crash_count: Counter = Counter()
        self.disabled: set[str] = set()
        self.previous: dict[str, tuple[str, dict[str, Any]]] = {}
        self.quiet = False

    def step(self, case_: Case) -> bool:
        """Run one case on its own connection; False if it did not count (the compositor was
        already gone when it connected: an earlier case crashed it)."""
        target = self.targets[case_.target]
        assert target is not None
        outcome = run_case(case_, target.path, self.rng)
        connect_failed = isinstance(outcome.got, str) and outcome.got.startswith("connect")
        ended = connect_failed or outcome.got == CLOSED or isinstance(outcome.got, str)
        dead = not target.comp.alive()
        if not dead and ended:
            # The listening socket closes a moment before the process can be reaped.
            dead = _exited_within(target.comp, 3.0)
        if dead:
            culprit, params = (
                self.previous.get(case_.target, ("?", {}))
                if connect_failed
                else (case_.name, outcome.params)
            )
            self.crash_count[culprit] += 1
            self.counts[culprit]["crash"] += 1
            info = target.crashed(culprit, params)
            print(
                f"CRASH: case {culprit} params {params}: compositor exited "
                f"{info['returncode']} ({info['signal']}); restarted. log: {info['log']}",
                flush=True,
            )
            if self.crash_count[culprit] >= CRASH_LIMIT and culprit not in self.disabled:
                self.disabled.add(culprit)
                print(f"  case {culprit} disabled after {CRASH_LIMIT} crashes", flush=True)
            if connect_failed:
                return False
        self.previous[case_.target] = (case_.name, outcome.params)
        if self.quiet:
            return True
        self.tally(case_, outcome)
        return True

    def tally(self, case_: Case, outcome: Outcome) -> None:
        got = describe(outcome.got) if not isinstance(outcome.got, str) else outcome.got
        self.counts[case_.name]["sent"] += 1
        self.answers[case_.name][got] += 1
        if outcome.ok:
            self.counts[case_.name]["ok"] += 1
            return
        self.counts[case_.name]["mismatch"] += 1
        key = (case_.name, got, outcome.stage)
        entry = self.mismatches.setdefault(
            key,
            {
                "case": case_.name,
                "group": case_.group,
                "expected": [
                    describe(a) if a != CLOSED else CLOSED for a in outcome.expected.accept
                ],
                "source": outcome.expected.source,
                "known": outcome.expected.known,
                "got": got,
                "stage": outcome.stage,
                "message": outcome.message,
                "params": outcome.params,
                "count": 0,
            },
        )
        entry["count"] += 1
        if entry["count"] == 1:
            print(
                f"MISMATCH {case_.name} ({outcome.stage}): expected "
                f"{' or '.join(entry['expected'])}, got {got}"
                + (f" {outcome.message!r}" if outcome.message else "")
                + f" params {outcome.params}"
                + (f"\n  known: {entry['known']}" if entry["known"] else ""),
                flush=True,
            )


def _exited_within(comp: Any, timeout: float) -> bool:
    try:
        comp.proc.wait(timeout)
        return True
    except subprocess.TimeoutExpired:
        return False


def main(argv: list[str] | None = None) -> int:
    ns = parse_args(argv)
    rng = random.Random(ns.seed)
    cases = [c for c in CASES if not ns.cases or c.name in ns.cases.split(",")]
    if not cases:
        sys.exit(f"no such case; cases: {', '.join(c.name for c in CASES)}")
    workdir = Path(tempfile.mkdtemp(prefix="bench-fuzz-"))
    started = datetime.now(UTC)
    print(f"fuzz: {ns.requests} requests, {len(cases)} cases, seed {ns.seed}, workdir {workdir}")
    targets: dict[str, Target | None] = {"main": None, "primary": None}
    try:
        targets["main"] = Target("main", workdir, COMPOSITOR_ARGS, with_client=True)
        if any(c.target == "primary" for c in cases):
            # A primary node by name (absent here: offered anyway when named, and
            # authenticate fails without DRM master, which is the case tested).
            targets["primary"] = Target(
                "primary", workdir, ["--wl-drm-device", "/dev/dri/card0"], with_client=False
            )
        return fuzz(ns, cases, targets, rng, started)
    finally:
        for t in targets.values():
            if t is not None:
                t.stop()


def fuzz(ns, cases, targets, rng, started) -> int:
    main_t = targets["main"]
    fuzzer = Fuzzer(targets, rng)

    def warm_up_and_baseline() -> dict[str, Any]:
        """Every runnable case once (imports, first-use allocations), then the baseline.
        Again after each restart of the main compositor: before/after always compare one
        instance (the last), and the report says how many requests it served."""
        while True:
            generation = main_t.generation
            fuzzer.quiet = True
            for case_ in cases:
                if case_.name not in fuzzer.disabled:
                    fuzzer.step(case_)
            fuzzer.quiet = False
            if main_t.generation == generation:
                break  # no crash during this warm-up
        snap = snapshot(main_t, 1)
        snap["generation"] = main_t.generation
        print(
            f"baseline (instance {main_t.generation}): rss {snap['rss_kib']} KiB, fds "
            f"{snap['fds']}, live {snap['live']}",
            flush=True,
        )
        return snap

    before = warm_up_and_baseline()
    sent_at_baseline = 0
    checks: list[dict[str, Any]] = []
    sent = 0
    t0 = time.monotonic()
    order: list[Case] = []
    while sent < ns.requests:
        if not order:
            order = [c for c in cases if c.name not in fuzzer.disabled]
            if not order:
                print("every case is disabled (each crashed the compositor)")
                break
            rng.shuffle(order)
        case_ = order.pop()
        if case_.name in fuzzer.disabled:
            continue
        generation = main_t.generation
        if not fuzzer.step(case_):
            continue
        sent += 1
        if main_t.generation != generation:
            before = warm_up_and_baseline()
            sent_at_baseline = sent
        if sent % ns.batch == 0 or sent >= ns.requests:
            checks.append(health(main_t, sent, time.monotonic() - t0))
    elapsed = time.monotonic() - t0
    counts, answers, mismatches = fuzzer.counts, fuzzer.answers, fuzzer.mismatches

    after = snapshot(main_t, 1)
    same_instance = main_t.generation == before["generation"]
    served = sent - sent_at_baseline
    objects_diff = diff_objects(before["py_objects"], after["py_objects"]) if same_instance else {}
    live_diff = {
        k: (before["live"][k], after["live"][k])
        for k in before["live"]
        if before["live"][k] != after["live"][k]
    }
    total_mismatch = sum(c["mismatch"] for c in counts.values())
    explained = sum(e["count"] for e in mismatches.values() if e["known"])
    crashes = [i for t in targets.values() if t is not None for i in t.crashes]
    frames_ok = all(c["frames"] > 0 for c in checks)
    pings_ok = all(c["ping"] for c in checks)

    print(f"\n== per case ({sent} requests in {elapsed:.0f} s, {sent / elapsed:.0f}/s)")
    print(f"{'case':40} {'group':14} {'sent':>6} {'ok':>6} {'mism':>6} {'crash':>5}  answers")
    for case_ in cases:
        n = counts[case_.name]
        top = ", ".join(f"{k} x{v}" for k, v in answers[case_.name].most_common(3))
        print(
            f"{case_.name:40} {case_.group:14} {n['sent']:6} {n['ok']:6} {n['mismatch']:6} "
            f"{n['crash']:5}  {top}"
        )
    print("\n== mismatches (expected per the XML vs got)")
    for entry in sorted(mismatches.values(), key=lambda e: (e["group"], e["case"])):
        print(
            f"- {entry['case']} x{entry['count']} ({entry['stage']}): expected "
            f"{' or '.join(entry['expected'])} [{entry['source']}]; got {entry['got']}"
            + (f" {entry['message']!r}" if entry["message"] else "")
            + f"; e.g. params {entry['params']}"
            + (f"\n    known: {entry['known']}" if entry["known"] else "")
        )
    if not mismatches:
        print("none")
    print("\n== crashes")
    for info in crashes:
        print(
            f"- {info['target']}: case {info['case']} params {info['params']}: exit "
            f"{info['returncode']} ({info['signal']}); log {info['log']}\n    "
            + "\n    ".join(info["log_tail"].splitlines()[-5:])
        )
    if not crashes:
        print("none")
    if fuzzer.disabled:
        print(f"disabled after {CRASH_LIMIT} crashes each: {', '.join(sorted(fuzzer.disabled))}")
    print(
        "\n== before / after (main compositor, quiescent: only weston-simple-shm connected; "
        f"instance {before['generation']}, which served the last {served} requests)"
    )
    print(
        f"rss KiB: {before['rss_kib']} -> {after['rss_kib']} "
        f"({after['rss_kib'] - before['rss_kib']:+d})"
    )
    print(f"fds: {before['fds']} -> {after['fds']}")
    print(f"live before: {before['live']}\nlive after:  {after['live']}")
    print(f"live counts differing: {live_diff or 'none'}")
    if same_instance:
        print(f"Python objects by type differing: {objects_diff or 'none'}")
    else:
        print(
            "Python objects: the compositor was restarted after a crash; before/after are "
            "two instances, not compared"
        )
    print(
        f"health checks: {len(checks)}, weston-simple-shm drew in all: {frames_ok}, "
        f"pydrm-ctl ping answered in all: {pings_ok}"
    )
    print(
        f"\nsummary: {sent} malformed requests on {sent} connections, {len(cases)} cases; "
        f"{total_mismatch} mismatches ({explained} of them known wlroots 0.15.1 deviations, "
        f"{total_mismatch - explained} other); {len(crashes)} crashes; fds "
        f"{before['fds']}->{after['fds']}; rss {after['rss_kib'] - before['rss_kib']:+d} KiB; "
        f"Python objects {'identical' if same_instance and not objects_diff else 'differ'} "
        f"(over the last {served} requests)"
    )

    result = {
        "started": started.isoformat(),
        "argv": sys.argv,
        "seed": ns.seed,
        "requests": sent,
        "seconds": round(elapsed, 1),
        "cases": {c.name: dict(counts[c.name]) | {"group": c.group} for c in cases},
        "answers": {k: dict(v) for k, v in answers.items()},
        "mismatches": list(mismatches.values()),
        "crashes": crashes,
        "disabled": sorted(fuzzer.disabled),
        "before": before,
        "after": after,
        "live_diff": live_diff,
        "objects_diff": {k: list(v) for k, v in objects_diff.items()},
        "same_instance": same_instance,
        "served_by_last_instance": served,
        "checks": checks,
        "loadavg": loadavg(),
        "compositor_argv": main_t.comp.info.get("argv"),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = ns.output or RESULTS_DIR / f"fuzz-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"wrote {out}")
    return 0


def health(target: Target, sent: int, elapsed: float) -> dict[str, Any]:
    """Is the well-behaved client still drawing, does pydrm-ctl ping answer?"""
    client = target.client
    before = client.commits() if client else 0
    time.sleep(0.5)
    frames = (client.commits() if client else 0) - before
    ping = ctl_ping(target.comp)
    stats = target.stats()
    check = {
        "sent": sent,
        "t": round(elapsed, 1),
        "frames": frames,
        "ping": ping,
        "rss_kib": stats["rss_kib"],
        "fds": stats["fds"],
        "live": live_counts(stats),
    }
    print(
        f"[{elapsed:6.0f}s] {sent:6d} sent; simple-shm +{frames} frames in 0.5 s; ping "
        f"{'ok' if ping else 'FAILED'}; rss {stats['rss_kib']} KiB; fds {stats['fds']}; "
        f"clients {stats['clients']} views {stats['views']} popups {stats['popups']} "
        f"wl_drm_buffers {stats['wl_drm_buffers']}",
        flush=True,
    )
    return check


if __name__ == "__main__":
    sys.exit(main())
