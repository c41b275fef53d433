"""Command-line options -> one validated :class:`Config`.

Every option of the product is declared here, once, so that ``--help`` documents all of
them and an impossible combination is refused before anything is started.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from compositor import format_names, limits_options

BACKENDS = ("auto", "headless", "wayland", "x11", "drm")
RENDERERS = ("auto", "pixman", "gles2")
RECORD_ENCODERS = ("auto", "vaapi", "x264")
LOG_LEVELS = ("debug", "info", "warning", "error")


class ConfigError(Exception):
    """An option is wrong; the message says what to do instead."""


@dataclass(frozen=True)
class Mode:
    width: int
    height: int
    refresh_mhz: int = 0  # 0: let the backend choose


@dataclass
class Config:
    backend: str = "auto"
    socket: str | None = None
    width: int = 1280
    height: int = 720
    outputs: int = 1
    renderer: str = "auto"
    log_level: str = "info"
    control_socket: Path | None = None
    no_control: bool = False
    headless_input: bool = True
    # X11 clients through Xwayland, started on the first X11 connection
    xwayland: bool = True
    # frames when the backend says ("backend") or only when stepped ("manual", headless;
    # compositor/frame_clock.py)
    frame_clock: str = "backend"
    # DRM backend (issue: DRM/KMS from a VT)
    mode: Mode | None = None
    # wl_drm
    wl_drm: bool = True
    wl_drm_device: str = "auto"
    allow_flink: bool = False
    linux_dmabuf: bool = True
    # DRM formats and modifiers refused to every client (compositor/format_rules.py)
    refuse_formats: tuple[int, ...] = ()
    refuse_modifiers: tuple[int, ...] = ()
    disabled_globals: tuple[str, ...] = ()
    max_buffer_size: int = 16384
    max_client_buffers: int = 256
    max_client_bytes: int = 1 << 30
    # connections and wl_shm per client (compositor/limits.py); max_clients 0: what the fd
    # limit leaves room for
    max_clients: int = 0
    max_client_connections: int = 16
    max_client_shm_pools: int = 1024
    max_client_shm_buffers: int = 4096
    max_client_shm_bytes: int = 1 << 30
    max_client_shm_mapped: int = 16 << 30
    max_shm_pools: int = 0  # all clients; 0: half of vm.max_map_count
    # objects, dma-bufs and fds per client (compositor/limits_options.py)
    object_limits: dict[str, int] = field(default_factory=lambda: dict(limits_options.DEFAULTS))
    # recorder
    record: Path | None = None
    record_encoder: str = "auto"
    record_crf: int = 23
    # clients to launch once the compositor is up (like `weston -- CLIENT`)
    startup_commands: list[str] = field(default_factory=list)
    # the Python config file (compositor/configfile/): None: $XDG_CONFIG_HOME's, if any
    config_file: Path | None = None
    no_config: bool = False

    def resolved_backend(self, env: dict[str, str] | None = None) -> str:
        """``auto`` -> the backend the environment calls for (Wayland, X11, VT, else headless)."""
        if self.backend != "auto":
            return self.backend
        env = dict(os.environ) if env is None else env
        if env.get("WAYLAND_DISPLAY"):
            return "wayland"
        if env.get("DISPLAY"):
            return "x11"
        if _on_vt(env):
            return "drm"
        return "headless"


def _on_vt(env: dict[str, str]) -> bool:
    if env.get("XDG_SESSION_TYPE") == "tty":
        return True
    try:
        return os.ttyname(0).startswith("/dev/tty") and os.ttyname(0)[8:].isdigit()
    except OSError:
        return False


def _positive(name: str, maximum: int = 1 << 30):
    def parse(text: str) -> int:
        try:
            value = int(text, 0)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be a whole number, not {text!r}"
            ) from None
        if not 0 < value <= maximum:
            raise argparse.ArgumentTypeError(f"{name} must be between 1 and {maximum}")
        return value

    return parse


def _format_name(text: str) -> int:
    try:
        return format_names.parse_format(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--refuse-format: {exc}") from None


def _modifier_name(text: str) -> int:
    try:
        return format_names.parse_modifier(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--refuse-modifier: {exc}") from None


_MODE_RE = re.compile(r"^(\d+)x(\d+)(?:@(\d+(?:\.\d+)?))?$")


def parse_mode(text: str) -> Mode:
    match = _MODE_RE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(
            f"--mode takes WIDTHxHEIGHT[@HZ], e.g. 1920x1080@60, not {text!r}"
        )
    width, height = int(match[1]), int(match[2])
    if not (0 < width <= 16384 and 0 < height <= 16384):
        raise argparse.ArgumentTypeError("--mode width and height must be between 1 and 16384")
    refresh = round(float(match[3]) * 1000) if match[3] else 0
    return Mode(width, height, refresh)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, and a hint
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's, given the terminal's width. Left to find it, argparse imports shutil
    (and shutil bz2 and lzma, for its archives): ~0.3 MiB that the running compositor would
    keep, since argparse makes a formatter for every add_argument, not only for --help."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_terminal_columns() - 2)  # argparse's own margin


def _terminal_columns() -> int:
    """What ``shutil.get_terminal_size().columns`` says: $COLUMNS, stdout's terminal, 80."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="pydrm-compositor",
        description="A Wayland compositor (pywlroots) that shows and limits how clients share "
        "GPU buffers. Clients connect to $XDG_RUNTIME_DIR/SOCKET.",
        epilog="Anything after `--` is run as a client once the compositor is ready, "
        "e.g. `pydrm-compositor -- weston-flower`.",
        formatter_class=_HelpFormatter,
    )
    g = p.add_argument_group("core")
    g.add_argument(
        "--backend",
        choices=BACKENDS,
        default="auto",
        help="where outputs live: auto picks wayland when WAYLAND_DISPLAY is set, x11 "
        "when DISPLAY is set, drm on a text console (VT), else headless",
    )
    g.add_argument(
        "--socket",
        metavar="NAME",
        help="Wayland socket name in $XDG_RUNTIME_DIR (default: first free wayland-N)",
    )
    g.add_argument(
        "--width",
        type=_positive("--width", 16384),
        default=1280,
        help="width of each headless or nested output (default 1280)",
    )
    g.add_argument(
        "--height",
        type=_positive("--height", 16384),
        default=720,
        help="height of each headless or nested output (default 720)",
    )
    g.add_argument(
        "--outputs",
        type=_positive("--outputs", 16),
        default=1,
        help="number of headless or nested outputs, laid out left to right",
    )
    g.add_argument(
        "--renderer",
        choices=RENDERERS,
        default="auto",
        help="compositing renderer: gles2 (GL on a DRM render node), pixman (CPU), "
        "auto: gles2 when a render node works, else pixman",
    )
    g.add_argument("--log-level", choices=LOG_LEVELS, default="info", help="log verbosity")
    g.add_argument(
        "--control-socket",
        type=Path,
        metavar="PATH",
        help="control socket path (default $XDG_RUNTIME_DIR/SOCKET.control)",
    )
    g.add_argument("--no-control", action="store_true", help="do not open a control socket")
    g.add_argument(
        "--no-headless-input",
        dest="headless_input",
        action="store_false",
        help="headless backend: do not create the injectable pointer and keyboard",
    )
    g.add_argument(
        "--no-xwayland",
        dest="xwayland",
        action="store_false",
        help="do not run X11 clients: no Xwayland, no DISPLAY (default: Xwayland starts "
        "on the first X11 connection to the DISPLAY the compositor exports)",
    )

    g.add_argument(
        "--frame-clock",
        choices=("backend", "manual"),
        default="backend",
        help="backend: outputs emit frames at their refresh rate; manual (headless, for "
        "tests): frames only on the control command frame-step, on a virtual clock that "
        "advances one refresh period per step (frame callbacks, presentation time)",
    )

    g = p.add_argument_group("drm backend")
    g.add_argument(
        "--mode",
        type=parse_mode,
        metavar="WxH[@Hz]",
        help="DRM backend: mode for every output (default: each output's preferred mode)",
    )

    g = p.add_argument_group("wl_drm and buffer sharing")
    g.add_argument(
        "--no-wl-drm", dest="wl_drm", action="store_false", help="do not offer the wl_drm global"
    )
    g.add_argument(
        "--wl-drm-device",
        default="auto",
        metavar="{render,primary,PATH}",
        help="DRM node advertised by wl_drm (default: the render node when one exists, "
        "else the primary node)",
    )
    g.add_argument(
        "--allow-flink",
        action="store_true",
        help="legacy: accept wl_drm flink names, only those the same client created",
    )
    g.add_argument(
        "--no-linux-dmabuf",
        dest="linux_dmabuf",
        action="store_false",
        help="do not offer zwp_linux_dmabuf_v1 (Mesa clients then use wl_drm)",
    )
    g.add_argument(
        "--refuse-format",
        dest="refuse_formats",
        action="append",
        default=[],
        type=_format_name,
        metavar="FOURCC",
        help="refuse a DRM format to every client, e.g. XR24, to exercise its fall-back: "
        "left out of linux-dmabuf's and wl_drm's format lists, its buffers refused "
        "(repeatable; client_limits(refuse_formats=...) in the configuration for some)",
    )
    g.add_argument(
        "--refuse-modifier",
        dest="refuse_modifiers",
        action="append",
        default=[],
        type=_modifier_name,
        metavar="MODIFIER",
        help="refuse a DRM modifier to every client: LINEAR, INVALID (no explicit modifier; "
        "all of wl_drm) or its number like 0x0100000000000001 (repeatable)",
    )
    g.add_argument(
        "--disable-global",
        dest="disabled_globals",
        action="append",
        default=[],
        metavar="INTERFACE",
        help="hide a global from every client, e.g. zwlr_data_control_manager_v1 "
        "(repeatable; `wayland-info` lists what is offered)",
    )
    g.add_argument(
        "--max-buffer-size",
        type=_positive("--max-buffer-size", 65536),
        default=16384,
        help="largest width or height of a client buffer (default 16384)",
    )
    g.add_argument(
        "--max-client-buffers",
        type=_positive("--max-client-buffers"),
        default=256,
        help="live wl_drm buffers allowed per client (default 256)",
    )
    g.add_argument(
        "--max-client-bytes",
        type=_positive("--max-client-bytes", 1 << 40),
        default=1 << 30,
        help="bytes of wl_drm buffers allowed per client (default 1 GiB)",
    )

    g = p.add_argument_group("client limits (a client past one gets a protocol error naming it)")
    g.add_argument(
        "--max-clients",
        type=_positive("--max-clients", 1 << 20),
        default=0,
        metavar="N",
        help="Wayland connections in all (default: what the fd limit, ulimit -n, leaves "
        "room for at two fds a client)",
    )
    g.add_argument(
        "--max-client-connections",
        type=_positive("--max-client-connections", 1 << 20),
        default=16,
        metavar="N",
        help="Wayland connections of one process (default 16)",
    )
    g.add_argument(
        "--max-client-shm-pools",
        type=_positive("--max-client-shm-pools", 1 << 16),
        default=1024,
        metavar="N",
        help="wl_shm pools one client may hold mapped (default 1024)",
    )
    g.add_argument(
        "--max-client-shm-buffers",
        type=_positive("--max-client-shm-buffers", 1 << 20),
        default=4096,
        metavar="N",
        help="wl_shm buffers one client may hold (default 4096)",
    )
    g.add_argument(
        "--max-client-shm-bytes",
        type=_positive("--max-client-shm-bytes", 1 << 40),
        default=4 << 30,
        metavar="BYTES",
        help="bytes of live wl_shm buffers one client may hold, what the compositor may read "
        "of its memory (Firefox with 9 windows maximized at 4K: 1.25 GiB; default 4 GiB)",
    )
    g.add_argument(
        "--max-client-shm-mapped",
        type=_positive("--max-client-shm-mapped", 1 << 46),
        default=16 << 30,
        metavar="BYTES",
        help="bytes of wl_shm pools one client may have mapped, address space mostly never "
        "touched (foot maps 512 MiB per window; default 16 GiB)",
    )
    g.add_argument(
        "--max-shm-pools",
        type=_positive("--max-shm-pools", 1 << 24),
        default=0,
        metavar="N",
        help="wl_shm pools of all clients together, one memory mapping each (default: half "
        "of the kernel's limit on a process's mappings, vm.max_map_count)",
    )
    limits_options.add_arguments(g, _positive)

    g = p.add_argument_group("recording")
    g.add_argument(
        "--record",
        type=Path,
        metavar="FILE.mp4",
        help="record the first output to an H.264 MP4 from the start",
    )
    g.add_argument(
        "--record-encoder",
        choices=RECORD_ENCODERS,
        default="auto",
        help="auto: VA-API when a render node has an H.264 encoder, else x264",
    )
    g.add_argument(
        "--record-crf",
        type=int,
        default=23,
        metavar="N",
        help="x264 constant rate factor, 0-51 (default 23)",
    )

    g = p.add_argument_group("configuration file")
    g.add_argument(
        "--config",
        dest="config_file",
        type=Path,
        metavar="PATH",
        help="the Python configuration file (default: "
        "$XDG_CONFIG_HOME/pydrm-compositor/config.py when it exists)",
    )
    g.add_argument(
        "--no-config",
        action="store_true",
        help="read no configuration file: the built-in bindings and settings",
    )
    return p


def parse_args(argv: list[str]) -> Config:
    """Parse and validate; raises SystemExit(2) with a one-line message on bad input."""
    startup: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, startup = argv[:i], argv[i + 1 :]
    parser = build_parser()
    ns = parser.parse_args(argv)
    try:
        config = Config(
            backend=ns.backend,
            socket=ns.socket,
            width=ns.width,
            height=ns.height,
            outputs=ns.outputs,
            renderer=ns.renderer,
            log_level=ns.log_level,
            control_socket=ns.control_socket,
            no_control=ns.no_control,
            headless_input=ns.headless_input,
            xwayland=ns.xwayland,
            frame_clock=ns.frame_clock,
            mode=ns.mode,
            wl_drm=ns.wl_drm,
            wl_drm_device=ns.wl_drm_device,
            allow_flink=ns.allow_flink,
            linux_dmabuf=ns.linux_dmabuf,
            refuse_formats=tuple(dict.fromkeys(ns.refuse_formats)),
            refuse_modifiers=tuple(dict.fromkeys(ns.refuse_modifiers)),
            disabled_globals=tuple(ns.disabled_globals),
            max_buffer_size=ns.max_buffer_size,
            max_client_buffers=ns.max_client_buffers,
            max_client_bytes=ns.max_client_bytes,
            max_clients=ns.max_clients,
            max_client_connections=ns.max_client_connections,
            max_client_shm_pools=ns.max_client_shm_pools,
            max_client_shm_buffers=ns.max_client_shm_buffers,
            max_client_shm_bytes=ns.max_client_shm_bytes,
            max_client_shm_mapped=ns.max_client_shm_mapped,
            max_shm_pools=ns.max_shm_pools,
            object_limits=limits_options.from_namespace(ns),
            record=ns.record,
            record_encoder=ns.record_encoder,
            record_crf=ns.record_crf,
            startup_commands=[" ".join(startup)] if startup else [],
            config_file=ns.config_file,
            no_config=ns.no_config,
        )
        validate(config)
    except ConfigError as exc:
        parser.error(str(exc))
    return config


def validate(config: Config, env: dict[str, str] | None = None) -> None:
    env = dict(os.environ) if env is None else env
    backend = config.resolved_backend(env)
    if config.socket is not None and ("/" in config.socket or not config.socket.strip()):
        raise ConfigError(f"--socket takes a plain name like wayland-5, not {config.socket!r}")
    if backend == "wayland" and not env.get("WAYLAND_DISPLAY"):
        raise ConfigError(
            "--backend wayland needs a running Wayland session (WAYLAND_DISPLAY is "
            "unset); use --backend headless or start it inside a session"
        )
    if backend == "x11" and not env.get("DISPLAY"):
        raise ConfigError(
            "--backend x11 needs an X server (DISPLAY is unset); start Xvfb or use "
            "--backend headless"
        )
    if config.mode is not None and backend != "drm":
        raise ConfigError(
            "--mode applies to the drm backend only; use --width/--height for "
            f"the {backend} backend"
        )
    if config.frame_clock == "manual" and backend != "headless":
        raise ConfigError(
            "--frame-clock manual needs --backend headless (a real or nested output's "
            "frames come from its display)"
        )
    if backend == "drm" and config.outputs != 1:
        raise ConfigError(
            "--outputs applies to headless and nested backends; the drm backend "
            "uses every connected output"
        )
    for name in config.disabled_globals:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ConfigError(f"--disable-global takes an interface name like wl_drm, not {name!r}")
    if config.wl_drm_device not in (
        "auto",
        "render",
        "primary",
    ) and not config.wl_drm_device.startswith("/dev/dri/"):
        raise ConfigError(
            "--wl-drm-device takes render, primary or a /dev/dri/ path, not "
            f"{config.wl_drm_device!r}"
        )
    if config.config_file is not None and config.no_config:
        raise ConfigError("--config and --no-config exclude each other; give one")
    if not 0 <= config.record_crf <= 51:
        raise ConfigError("--record-crf must be between 0 and 51")
    if config.record is not None:
        if config.record.suffix.lower() != ".mp4":
            raise ConfigError(
                f"--record writes MP4: give a path ending in .mp4, not {config.record}"
            )
        parent = config.record.resolve().parent
        if not parent.is_dir() or not os.access(parent, os.W_OK):
            raise ConfigError(f"--record: cannot write to {parent}; choose a writable directory")
    if env.get("XDG_RUNTIME_DIR") is None:
        raise ConfigError(
            "XDG_RUNTIME_DIR is not set; set it to a private directory, e.g. "
            "export XDG_RUNTIME_DIR=/run/user/$(id -u)"
        )
