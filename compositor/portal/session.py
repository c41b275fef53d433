"""``pydrm-portal install`` and ``pydrm-portal session-services``: what makes Debian's
xdg-desktop-portal pick our backend, and the services a session without a desktop lacks.

install: three files. The ``.portal`` file (xdg-desktop-portal reads these only from
``/usr/share/xdg-desktop-portal/portals`` or the one directory ``$XDG_DESKTOP_PORTAL_DIR``
names, 1.16 and 1.18 alike; 1.16 picks by its ``UseIn=pydrm``), ``pydrm-portals.conf``
(1.17 and later pick by it), and the D-Bus activation ``.service`` that starts
``pydrm-portal``. As root: the system directories. Otherwise: the user's data and config
directories, and a portals directory of the user's own (links to the system's ``.portal``
files and ours, and the portals.conf: 1.17+ reads only that directory's then) that
session-services names in ``XDG_DESKTOP_PORTAL_DIR``.

session-services: a D-Bus session bus at ``$XDG_RUNTIME_DIR/bus`` when none answers,
PipeWire and WirePlumber when no ``pipewire-0`` socket answers, and the bus's activation
environment (``WAYLAND_DISPLAY``, ``XDG_CURRENT_DESKTOP=pydrm``, the control socket) so
that xdg-desktop-portal and our backend, started by D-Bus, find this compositor. It stays
in the foreground and stops what it started when it is stopped (the compositor stops its
``--`` client at exit), or when the command given after ``--`` exits.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from compositor.portal import BUS_NAME, DESKTOP

log = logging.getLogger("pydrm-portal")

SYSTEM_PORTALS = Path("/usr/share/xdg-desktop-portal/portals")
SYSTEM_SERVICES = Path("/usr/local/share/dbus-1/services")
SYSTEM_CONF = Path("/etc/xdg-desktop-portal")
INTERFACES = ("ScreenCast", "Screenshot", "Access")
PORTAL_FILE = f"{DESKTOP}.portal"
CONF_FILE = f"{DESKTOP}-portals.conf"


def backend_command() -> str:
    """How D-Bus starts the backend: this venv's entry point, else this Python."""
    script = Path(sys.executable).with_name("pydrm-portal")
    if script.exists():
        return str(script)
    return f"{sys.executable} -m compositor.portal"


def portal_text() -> str:
    interfaces = "".join(f"org.freedesktop.impl.portal.{name};" for name in INTERFACES)
    return f"[portal]\nDBusName={BUS_NAME}\nInterfaces={interfaces}\nUseIn={DESKTOP}\n"


def conf_text() -> str:
    lines = ["[preferred]", "default=gtk"]
    lines += [f"org.freedesktop.impl.portal.{name}={DESKTOP}" for name in INTERFACES]
    return "\n".join(lines) + "\n"


def service_text() -> str:
    return f"[D-BUS Service]\nName={BUS_NAME}\nExec={backend_command()}\n"


def user_data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local/share")


def user_config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def user_portal_dir() -> Path:
    return user_data_home() / "pydrm-compositor" / "portals"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(f"pydrm-portal: wrote {path}")


def install(system: bool) -> int:
    if system:
        _write(SYSTEM_PORTALS / PORTAL_FILE, portal_text())
        _write(SYSTEM_SERVICES / f"{BUS_NAME}.service", service_text())
        _write(SYSTEM_CONF / CONF_FILE, conf_text())
        return 0
    _write(user_data_home() / "dbus-1/services" / f"{BUS_NAME}.service", service_text())
    _write(user_config_home() / "xdg-desktop-portal" / CONF_FILE, conf_text())
    portals = user_portal_dir()
    _write(portals / PORTAL_FILE, portal_text())
    # With XDG_DESKTOP_PORTAL_DIR set, xdg-desktop-portal 1.17+ reads portals.conf from
    # that directory only.
    _write(portals / CONF_FILE, conf_text())
    if SYSTEM_PORTALS.is_dir():
        for other in SYSTEM_PORTALS.glob("*.portal"):
            link = portals / other.name
            if other.name != PORTAL_FILE and not link.exists():
                link.symlink_to(other)
    if not (SYSTEM_PORTALS / PORTAL_FILE).exists():
        print(
            f"pydrm-portal: xdg-desktop-portal reads .portal files only from {SYSTEM_PORTALS} "
            f"or $XDG_DESKTOP_PORTAL_DIR: `pydrm-portal session-services` sets that to "
            f"{portals}; or run `sudo {backend_command()} install --system` once"
        )
    return 0


# -- session services ---------------------------------------------------------------------


def _answers(path: Path) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        probe.close()


def _bus_path(address: str) -> Path | None:
    for part in address.split(";"):
        if part.startswith("unix:"):
            for item in part[5:].split(","):
                if item.startswith("path="):
                    return Path(item[5:])
    return None


def _wait_socket(path: Path, what: str, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not _answers(path):
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before {path} answered")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not open {path} in {timeout:.0f} s")
        time.sleep(0.05)


def environment_for_portal() -> dict[str, str]:
    """What D-Bus-started services need from this session."""
    env = {"XDG_CURRENT_DESKTOP": os.environ.get("XDG_CURRENT_DESKTOP") or DESKTOP}
    for key in ("WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "PYDRM_CONTROL_SOCKET", "DISPLAY"):
        if os.environ.get(key):
            env[key] = os.environ[key]
    if not (SYSTEM_PORTALS / PORTAL_FILE).exists() and (user_portal_dir() / PORTAL_FILE).exists():
        env["XDG_DESKTOP_PORTAL_DIR"] = str(user_portal_dir())
    return env


def session_services(command: list[str]) -> int:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if not runtime or not Path(runtime).is_dir():
        print(
            "pydrm-portal: XDG_RUNTIME_DIR is not a directory; log in with a session "
            "manager (systemd-logind, seatd) or export it",
            file=sys.stderr,
        )
        return 1
    if DESKTOP not in os.environ.get("XDG_CURRENT_DESKTOP", "").split(":"):
        print(
            f"pydrm-portal: XDG_CURRENT_DESKTOP is {os.environ.get('XDG_CURRENT_DESKTOP')!r}, "
            f"not {DESKTOP!r}: xdg-desktop-portal will pick another backend; run this from "
            "inside pydrm-compositor (it sets it) or export it",
            file=sys.stderr,
        )
    started: list[tuple[str, subprocess.Popen]] = []

    def stop(*_: object) -> None:
        for name, proc in reversed(started):
            if proc.poll() is None:
                log.info("stopping %s (%d)", name, proc.pid)
                proc.terminate()
        for _name, proc in started:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()

    try:
        address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
        path = _bus_path(address) if address else Path(runtime) / "bus"
        if path is not None and not _answers(path):
            if address and path != Path(runtime) / "bus":
                raise RuntimeError(
                    f"DBUS_SESSION_BUS_ADDRESS={address} does not answer; unset it to get a new bus"
                )
            exe = shutil.which("dbus-daemon")
            if exe is None:
                raise RuntimeError("no dbus-daemon: apt-get install dbus-daemon")
            path = Path(runtime) / "bus"
            path.unlink(missing_ok=True)
            proc = subprocess.Popen(
                [exe, "--session", "--nofork", "--nopidfile", f"--address=unix:path={path}"]
            )
            started.append(("dbus-daemon", proc))
            _wait_socket(path, "dbus-daemon", proc)
            address = f"unix:path={path}"
            print(f"pydrm-portal: started a session bus: DBUS_SESSION_BUS_ADDRESS={address}")
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = address or f"unix:path={path}"
        pipewire = Path(runtime) / "pipewire-0"
        if not _answers(pipewire):
            for name in ("pipewire", "wireplumber"):
                exe = shutil.which(name)
                if exe is None:
                    raise RuntimeError(f"no {name}: apt-get install pipewire wireplumber")
                proc = subprocess.Popen([exe])
                started.append((name, proc))
                if name == "pipewire":
                    _wait_socket(pipewire, "pipewire", proc)
            print("pydrm-portal: started pipewire and wireplumber")
        env = environment_for_portal()
        updater = shutil.which("dbus-update-activation-environment")
        if updater is None:
            raise RuntimeError("no dbus-update-activation-environment: apt-get install dbus-bin")
        systemd = ["--systemd"] if Path(runtime, "systemd").is_dir() else []
        subprocess.run([updater, *systemd, *(f"{k}={v}" for k, v in env.items())], check=True)
        print(
            "pydrm-portal: D-Bus activation environment: "
            + " ".join(f"{k}={v}" for k, v in env.items()),
            flush=True,
        )
        _warn_stale_portal(env["XDG_CURRENT_DESKTOP"])
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
        if command:
            return subprocess.call(command)
        if not started:
            return 0
        while all(proc.poll() is None for _name, proc in started):
            time.sleep(1.0)
        for name, proc in started:
            if proc.poll() is not None:
                print(f"pydrm-portal: {name} exited with {proc.returncode}", file=sys.stderr)
        return 1
    except RuntimeError as exc:
        print(f"pydrm-portal: {exc}", file=sys.stderr)
        return 1
    finally:
        stop()


def _warn_stale_portal(desktop: str) -> None:
    """An xdg-desktop-portal started before with another desktop keeps its backends."""
    try:
        out = subprocess.run(
            ["pgrep", "-u", str(os.getuid()), "-x", "xdg-desktop-portal"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
    except FileNotFoundError:
        return
    for pid in out:
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        theirs = next(
            (e[20:].decode() for e in environ if e.startswith(b"XDG_CURRENT_DESKTOP=")), ""
        )
        if theirs != desktop:
            print(
                f"pydrm-portal: xdg-desktop-portal (pid {pid}) runs for XDG_CURRENT_DESKTOP="
                f"{theirs!r} and keeps its backends: restart it (`systemctl --user restart "
                f"xdg-desktop-portal`, or kill {pid}; D-Bus starts it again)",
                file=sys.stderr,
            )


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="pydrm-portal: %(message)s")
    parser = argparse.ArgumentParser(prog="pydrm-portal")
    sub = parser.add_subparsers(dest="what", required=True)
    inst = sub.add_parser("install", help="the files that make xdg-desktop-portal pick us")
    inst.add_argument(
        "--system", action="store_true", default=None, help="system directories (default when root)"
    )
    inst.add_argument(
        "--user",
        dest="system",
        action="store_false",
        help="the user's directories (default when not root)",
    )
    services = sub.add_parser("session-services", help="bus, PipeWire, activation environment")
    services.add_argument("command", nargs=argparse.REMAINDER, help="-- CMD to run with them")
    sub.add_parser("env", help="print what session-services puts in the activation environment")
    ns = parser.parse_args(argv)
    if ns.what == "install":
        system = ns.system if ns.system is not None else os.geteuid() == 0
        return install(system)
    if ns.what == "env":
        for key, value in environment_for_portal().items():
            print(f"{key}={value}")
        return 0
    command = ns.command[1:] if ns.command[:1] == ["--"] else ns.command
    return session_services(command)
