"""A minimal Wayland client that speaks the wire protocol itself: socket + struct + SCM_RIGHTS.

No libwayland, no pywayland: the endurance benchmarks (bench_soak.py, bench_fuzz.py,
bench_hostile.py) open tens of thousands of short connections and send requests a real
client library refuses to send (bad opcodes, bad ids, truncated messages, wrong fds). The
requests and events are described by the protocol XMLs (wayland.xml, xdg-shell.xml and
protocols/wayland-drm.xml), loaded once, so requests are sent by name::

    conn = Wire(socket_path)
    ids = conn.bind_globals({"wl_compositor": 4, "wl_shm": 1, "xdg_wm_base": 2})
    surface = conn.send(ids["wl_compositor"], "create_surface")   # returns the new id
    conn.roundtrip()                                               # ProtocolError if refused

Wire format (wayland.xml's "Wire Format"): each message is ``object id (u32)``, ``size << 16 |
opcode (u32)``, then the arguments, 32-bit little-endian words; strings and arrays carry a
length and are padded to 4 bytes; fds travel out of band as SCM_RIGHTS, in order.

Also here, for the three benchmarks: starting our compositor with extra options
(:func:`start_compositor`), its live counts (:func:`stats`), and per-process RSS and fds.
"""

from __future__ import annotations

import array
import errno
import mmap
import os
import select
import socket
import struct
import sys
import time
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

PROTOCOL_XMLS = (
    Path("/usr/share/wayland/wayland.xml"),
    Path("/usr/share/wayland-protocols/stable/xdg-shell/xdg-shell.xml"),
    ROOT / "protocols" / "wayland-drm.xml",
)
MAX_FDS_PER_SENDMSG = 28  # libwayland's receive buffer holds 28 fds per recvmsg
HEADER = struct.Struct("<II")
XRGB8888 = 1  # wl_shm.format.xrgb8888
DRM_XRGB8888 = 0x34325258
SERVER_ID_START = 0xFF000000


# -- the protocol description --------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    name: str
    type: str  # int uint fixed string object new_id array fd
    interface: str | None
    nullable: bool


@dataclass(frozen=True)
class Message:
    name: str
    opcode: int
    args: tuple[Arg, ...]
    since: int
    destructor: bool


@dataclass
class Interface:
    name: str
    version: int
    requests: list[Message] = field(default_factory=list)
    events: list[Message] = field(default_factory=list)
    enums: dict[str, dict[str, int]] = field(default_factory=dict)

    def request(self, name: str) -> Message:
        for message in self.requests:
            if message.name == name:
                return message
        raise KeyError(f"{self.name} has no request {name!r}")

    def error(self, name: str) -> int:
        return self.enums["error"][name]


def load_protocols(paths: Iterable[Path] = PROTOCOL_XMLS) -> dict[str, Interface]:
    interfaces: dict[str, Interface] = {}
    for path in paths:
        for node in ET.parse(path).getroot().iter("interface"):
            iface = Interface(node.get("name", ""), int(node.get("version", "1")))
            for kind, target in (("request", iface.requests), ("event", iface.events)):
                for opcode, msg in enumerate(node.findall(kind)):
                    args = tuple(
                        Arg(
                            a.get("name", ""),
                            a.get("type", ""),
                            a.get("interface"),
                            a.get("allow-null") == "true",
                        )
                        for a in msg.findall("arg")
                    )
                    target.append(
                        Message(
                            msg.get("name", ""),
                            opcode,
                            args,
                            int(msg.get("since", "1")),
                            msg.get("type") == "destructor",
                        )
                    )
            for enum in node.findall("enum"):
                iface.enums[enum.get("name", "")] = {
                    e.get("name", ""): int(e.get("value", "0"), 0) for e in enum.findall("entry")
                }
            interfaces[iface.name] = iface
    return interfaces


PROTOCOLS = load_protocols()


def error_code(interface: str, name: str) -> int:
    return PROTOCOLS[interface].error(name)


# -- marshalling ---------------------------------------------------------------------------


def pad4(n: int) -> int:
    return (n + 3) & ~3


def wire_string(text: str | bytes | None) -> bytes:
    if text is None:
        return struct.pack("<I", 0)
    raw = (text.encode() if isinstance(text, str) else text) + b"\0"
    return struct.pack("<I", len(raw)) + raw + b"\0" * (pad4(len(raw)) - len(raw))


def message(object_id: int, opcode: int, payload: bytes = b"") -> bytes:
    return HEADER.pack(object_id, ((8 + len(payload)) << 16) | opcode) + payload


@dataclass(frozen=True)
class ErrorEvent:
    """A wl_display.error event: what the compositor said ended the connection."""

    object_id: int
    interface: str | None  # the interface of object_id, as this client knows it
    code: int
    message: str

    @property
    def key(self) -> tuple[str | None, int]:
        return (self.interface, self.code)


class ProtocolError(Exception):
    def __init__(self, error: ErrorEvent) -> None:
        super().__init__(f"{error.interface}@{error.object_id} error {error.code}: {error.message}")
        self.error = error


class Disconnected(Exception):
    """The compositor closed the connection without a protocol error (or we timed out)."""


class Wire:
    """One connection: objects by id, requests by name, events decoded and dispatched."""

    def __init__(self, path: str | os.PathLike, timeout: float = 10.0) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        self.timeout = timeout
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(os.fspath(path))
        except OSError:
            self.sock.close()
            raise
        self.objects: dict[int, str] = {1: "wl_display"}
        self.next_id = 2
        self.out = bytearray()
        self.out_fds: list[int] = []
        self.close_after_flush: list[int] = []
        self.inbuf = bytearray()
        self.in_fds: deque[int] = deque()
        self.handlers: dict[tuple[int, str], Callable[..., None]] = {}
        self.globals: dict[str, tuple[int, int]] = {}  # interface -> (name, version)
        self.error: ErrorEvent | None = None
        self.eof = False
        self.done_callbacks: set[int] = set()
        self.events_received = 0
        self.requests_sent = 0
        self.bytes_sent = 0

    # -- objects and requests ---------------------------------------------------------------

    def new_id(self, interface: str) -> int:
        oid = self.next_id
        self.next_id += 1
        self.objects[oid] = interface
        return oid

    def send(self, oid: int, name: str, *args: Any) -> int | None:
        """Queue request ``name`` on object ``oid``; returns the new object's id, if any.

        Arguments follow the XML, except new_id: a typed new_id is allocated here (leave it
        out); an untyped one (wl_registry.bind) takes (interface, version) in its place.
        Objects are ids (0 for null), fds are ints (sent, not closed), fixed are floats.
        """
        iface = PROTOCOLS[self.objects[oid]]
        msg = iface.request(name)
        payload = bytearray()
        new = None
        values = list(args)
        for arg in msg.args:
            if arg.type == "new_id":
                if arg.interface:
                    new = self.new_id(arg.interface)
                else:
                    interface, version = values.pop(0), values.pop(0)
                    payload += wire_string(interface) + struct.pack("<I", version)
                    new = self.new_id(interface)
                payload += struct.pack("<I", new)
                continue
            value = values.pop(0)
            if arg.type in ("int", "uint", "object"):  # out-of-range values wrap, as in C
                payload += struct.pack("<I", value & 0xFFFFFFFF)
            elif arg.type == "fixed":
                payload += struct.pack("<i", int(value * 256))
            elif arg.type == "string":
                payload += wire_string(value)
            elif arg.type == "array":
                payload += (
                    struct.pack("<I", len(value)) + value + b"\0" * (pad4(len(value)) - len(value))
                )
            elif arg.type == "fd":
                self.queue_fd(value)
        if values:
            raise TypeError(f"{iface.name}.{name}: {len(values)} arguments too many")
        self.queue(message(oid, msg.opcode, bytes(payload)))
        return new  # a destroyed object's id stays known until the server's delete_id

    def queue(self, data: bytes) -> None:
        self.out += data
        self.requests_sent += 1

    def queue_fd(self, fd: int) -> None:
        if len(self.out_fds) >= MAX_FDS_PER_SENDMSG:
            self.flush()
        self.out_fds.append(fd)

    def send_raw(
        self, oid: int, opcode: int, payload: bytes = b"", fds: Iterable[int] = ()
    ) -> None:
        for fd in fds:
            self.queue_fd(fd)
        self.queue(message(oid, opcode, payload))

    def flush(self) -> None:
        data, fds = bytes(self.out), self.out_fds
        self.out.clear()
        self.out_fds = []
        try:
            if fds:
                anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds).tobytes())]
                sent = self.sock.sendmsg([data], anc)
                self.bytes_sent += sent
                data = data[sent:]
            while data:
                sent = self.sock.send(data)
                self.bytes_sent += sent
                data = data[sent:]
        except (BrokenPipeError, ConnectionResetError) as exc:
            self.eof = True
            raise Disconnected(f"send failed: {exc}") from None
        finally:
            for fd in self.close_after_flush:
                os.close(fd)
            self.close_after_flush.clear()

    # -- events -----------------------------------------------------------------------------

    def on(self, oid: int, event: str, handler: Callable[..., None]) -> None:
        self.handlers[(oid, event)] = handler

    def _recv(self, timeout: float | None) -> bool:
        """Read what is there (waiting up to ``timeout``); False at end of stream."""
        if timeout is not None:
            ready, _, _ = select.select([self.sock], [], [], max(timeout, 0))
            if not ready:
                return True
        try:
            data, ancdata, _, _ = self.sock.recvmsg(
                65536, socket.CMSG_SPACE(MAX_FDS_PER_SENDMSG * 4)
            )
        except (ConnectionResetError, BrokenPipeError):
            data, ancdata = b"", []
        except (BlockingIOError, InterruptedError, TimeoutError):
            return True
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds = array.array("i")
                fds.frombytes(payload[: len(payload) - len(payload) % 4])
                self.in_fds.extend(fds)
        if not data:
            self.eof = True
            return False
        self.inbuf += data
        self._parse()
        return True

    def _parse(self) -> None:
        buf = self.inbuf
        pos = 0
        while len(buf) - pos >= 8:
            oid, word = HEADER.unpack_from(buf, pos)
            size = word >> 16
            if size < 8 or len(buf) - pos < size:
                break
            self._dispatch(oid, word & 0xFFFF, bytes(buf[pos + 8 : pos + size]))
            pos += size
        del buf[:pos]

    def _dispatch(self, oid: int, opcode: int, payload: bytes) -> None:
        self.events_received += 1
        interface = self.objects.get(oid)
        if interface is None:
            return  # an event for an object we already destroyed
        events = PROTOCOLS[interface].events
        if opcode >= len(events):
            return
        msg = events[opcode]
        args: list[Any] = []
        pos = 0
        for arg in msg.args:
            if arg.type == "fd":
                fd = self.in_fds.popleft() if self.in_fds else -1
                if fd >= 0:
                    os.close(fd)  # keymaps and the like: not needed here
                args.append(fd)
                continue
            (word,) = struct.unpack_from("<I", payload, pos)
            pos += 4
            if arg.type == "int":
                args.append(struct.unpack("<i", struct.pack("<I", word))[0])
            elif arg.type == "fixed":
                args.append(struct.unpack("<i", struct.pack("<I", word))[0] / 256)
            elif arg.type in ("string", "array"):
                raw = payload[pos : pos + word]
                pos += pad4(word)
                args.append(raw[:-1].decode(errors="replace") if arg.type == "string" else raw)
            elif arg.type == "new_id":
                if arg.interface:
                    self.objects[word] = arg.interface
                args.append(word)
            else:
                args.append(word)
        if interface == "wl_display":
            if msg.name == "error":
                obj, code, text = args
                self.error = ErrorEvent(obj, self.objects.get(obj), code, text)
            elif msg.name == "delete_id":
                self.objects.pop(args[0], None)
        elif interface == "wl_registry" and msg.name == "global":
            self.globals.setdefault(args[1], (args[0], args[2]))
        elif interface == "wl_callback" and msg.name == "done":
            self.done_callbacks.add(oid)
        handler = self.handlers.get((oid, msg.name))
        if handler is not None:
            handler(*args)

    def dispatch(self, timeout: float = 0.0) -> bool:
        """Handle the events that arrive within ``timeout``; False once the server hung up."""
        return self._recv(timeout) and not self.eof

    def wait(self, predicate: Callable[[], Any], timeout: float | None = None) -> Any:
        """Flush, then read events until ``predicate()``; ProtocolError/Disconnected if the
        server ends the connection first, TimeoutError if time runs out."""
        self.flush()
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            value = predicate()
            if value:
                return value
            if self.error is not None:
                raise ProtocolError(self.error)
            if self.eof:
                raise Disconnected("the compositor closed the connection")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from the compositor")
            self._recv(min(left, 1.0))

    def sync(self) -> int:
        return self.send(1, "sync")  # type: ignore[return-value]

    def roundtrip(self, timeout: float | None = None) -> None:
        callback = self.sync()
        self.wait(lambda: callback in self.done_callbacks, timeout)
        self.done_callbacks.discard(callback)

    def expect_error(self, timeout: float | None = None) -> ErrorEvent | None:
        """Roundtrip until the server ends the connection; its error (None: closed without
        one). Raises TimeoutError if it neither answers nor closes, and returns None with
        ``self.error`` unset when the roundtrip completes (the request was accepted)."""
        try:
            self.roundtrip(timeout)
            self.roundtrip(timeout)  # errors posted from an idle callback come one turn later
        except ProtocolError as exc:
            return exc.error
        except Disconnected:
            return self.error
        return None

    def close(self) -> None:
        for fd in self.out_fds + self.close_after_flush + list(self.in_fds):
            try:
                os.close(fd)
            except OSError:
                pass
        self.out_fds, self.close_after_flush = [], []
        self.in_fds.clear()
        self.sock.close()

    def __enter__(self) -> Wire:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- common client steps ----------------------------------------------------------------

    def bind_globals(self, wanted: dict[str, int]) -> dict[str, int]:
        """get_registry, one roundtrip, bind each wanted global that exists at
        min(wanted, advertised) version; returns interface -> object id."""
        registry = self.send(1, "get_registry")
        self.roundtrip()
        ids = {}
        for interface, version in wanted.items():
            if interface in self.globals:
                name, offered = self.globals[interface]
                ids[interface] = self.send(registry, "bind", name, interface, min(version, offered))
        if "xdg_wm_base" in ids:
            wm_base = ids["xdg_wm_base"]
            self.on(wm_base, "ping", lambda serial: self.send(wm_base, "pong", serial))
        self.registry = registry
        return ids

    def shm_buffer(
        self, shm: int, width: int, height: int, color: int = 0x3366CC, count: int = 1
    ) -> list[int]:
        """``count`` XRGB wl_buffers in one memfd pool (the pool is destroyed at once)."""
        stride = width * 4
        size = stride * height * count
        fd = os.memfd_create("wire-shm", os.MFD_CLOEXEC)
        os.ftruncate(fd, size)
        if color:
            with mmap.mmap(fd, size) as data:
                data[:] = (color | 0xFF000000).to_bytes(4, "little") * (size // 4)
        pool = self.send(shm, "create_pool", fd, size)
        self.close_after_flush.append(fd)
        buffers = [
            self.send(pool, "create_buffer", i * stride * height, width, height, stride, XRGB8888)
            for i in range(count)
        ]
        self.send(pool, "destroy")
        return buffers  # type: ignore[return-value]

    def xdg_surface(self, compositor: int, wm_base: int) -> tuple[int, int, list[int]]:
        """wl_surface + xdg_surface; the list collects configure serials as they come."""
        surface = self.send(compositor, "create_surface")
        xdg = self.send(wm_base, "get_xdg_surface", surface)
        serials: list[int] = []
        self.on(xdg, "configure", serials.append)  # type: ignore[arg-type]
        return surface, xdg, serials  # type: ignore[return-value]

    def toplevel(
        self, compositor: int, wm_base: int, app_id: str = "bench.wire"
    ) -> tuple[int, int, int]:
        """A configured (acked, not yet mapped) xdg_toplevel: (wl_surface, xdg_surface,
        xdg_toplevel)."""
        surface, xdg, serials = self.xdg_surface(compositor, wm_base)
        top = self.send(xdg, "get_toplevel")
        self.send(top, "set_app_id", app_id)
        self.send(surface, "commit")
        self.wait(lambda: serials)
        self.send(xdg, "ack_configure", serials[-1])
        return surface, xdg, top  # type: ignore[return-value]

    def positioner(self, wm_base: int, width: int, height: int, x: int = 10, y: int = 10) -> int:
        pos = self.send(wm_base, "create_positioner")
        self.send(pos, "set_size", width, height)
        self.send(pos, "set_anchor_rect", x, y, 1, 1)
        self.send(pos, "set_anchor", 8)  # bottom_right... any valid anchor
        self.send(pos, "set_gravity", 8)
        return pos  # type: ignore[return-value]

    def popup(
        self, compositor: int, wm_base: int, parent_xdg: int, width: int = 40, height: int = 30
    ) -> tuple[int, int, int]:
        """A configured (acked) xdg_popup of ``parent_xdg``: (wl_surface, xdg_surface, popup)."""
        surface, xdg, serials = self.xdg_surface(compositor, wm_base)
        pos = self.positioner(wm_base, width, height)
        popup = self.send(xdg, "get_popup", parent_xdg, pos)
        self.send(pos, "destroy")
        self.send(surface, "commit")
        self.wait(lambda: serials)
        self.send(xdg, "ack_configure", serials[-1])
        return surface, xdg, popup  # type: ignore[return-value]

    def show(self, surface: int, buffer: int, width: int, height: int) -> None:
        self.send(surface, "attach", buffer, 0, 0)
        self.send(surface, "damage", 0, 0, width, height)
        self.send(surface, "commit")

    def frame(self, surface: int) -> int:
        return self.send(surface, "frame")  # type: ignore[return-value]


def sealed_memfd(width: int, height: int, color: int = 0x33CC66, size: int = 0) -> int:
    """A memfd for wl_drm.create_prime_buffer: sealable (the compositor seals it)."""
    size = size or width * height * 4
    fd = os.memfd_create("wire-prime", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    os.ftruncate(fd, size)
    if color and size:
        with mmap.mmap(fd, size) as data:
            data[:] = (color | 0xFF000000).to_bytes(4, "little") * (size // 4)
    return fd


# -- the compositor under test -------------------------------------------------------------


def start_compositor(
    workdir: Path,
    socket_name: str,
    width: int,
    height: int,
    extra_args: list[str] | None = None,
    timeout: float = 30.0,
) -> Any:
    """Our compositor, headless, pixman, with ``extra_args``; a common.Compositor handle
    (ready when its control socket answers)."""
    import common

    runtime_dir = common._private_runtime_dir(workdir, "ours")
    argv = [sys.executable, "-m", "compositor", "--backend", "headless", "--renderer", "pixman"]
    argv += ["--socket", socket_name, "--width", str(width), "--height", str(height)]
    argv += extra_args or []
    env = common._clean_env(runtime_dir)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    comp = common._launch("ours", argv, env, workdir, runtime_dir, socket_name, (width, height))
    comp.info["control_socket"] = str(runtime_dir / f"{socket_name}.control")
    comp.info["argv"] = argv
    common._wait_ready(comp, timeout, lambda: common.ours_outputs(comp) is not None)
    return comp


class Control:
    """A persistent control-socket connection (what ``pydrm-ctl`` uses), reopened on error."""

    def __init__(self, path: str, timeout: float = 30.0) -> None:
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        self.path = path
        self.timeout = timeout
        self.client: Any = None

    def call(self, cmd: str, **args: Any) -> dict[str, Any]:
        from compositor.control_client import ControlClient

        for attempt in range(2):
            try:
                if self.client is None:
                    self.client = ControlClient(self.path, timeout=self.timeout)
                return self.client.call(cmd, **args)
            except (OSError, ValueError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None


def proc_rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def proc_fds(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


LIVE_KEYS = (
    "clients",
    "surfaces",
    "views",
    "popups",
    "listeners",
    "event_sources",
    "wl_drm_buffers",
    "wl_drm_native_buffers",
    "wl_drm_clients",
    "recordings",
    "control_connections",
)


def live_counts(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: stats.get(k) for k in LIVE_KEYS}


def diff_objects(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Types whose count differs: type -> (before, after)."""
    return {
        k: (before.get(k, 0), after.get(k, 0))
        for k in sorted(set(before) | set(after))
        if before.get(k, 0) != after.get(k, 0)
    }


def is_disconnect_errno(exc: OSError) -> bool:
    return exc.errno in (errno.EPIPE, errno.ECONNRESET, errno.ECONNREFUSED, errno.ENOENT)
