"""A private desktop session for the portal tests: the compositor, a D-Bus session bus of
the test's own, our backend installed the way ``pydrm-portal install --user`` installs it,
and Debian's xdg-desktop-portal started by D-Bus activation on that bus, as in a login.

:class:`PortalClient` is an application's side: the org.freedesktop.portal.* calls over
D-Bus, each answered by its Request's Response signal.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from tests.harness import ROOT
from tests.waiting import wait_for

PORTAL = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
TIMEOUT = 120.0


class PortalSession:
    """dbus-daemon with its environment for a compositor; stopped by :meth:`stop`."""

    def __init__(self, comp: Any, workdir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.comp = comp
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        home = workdir / "home"
        home.mkdir(exist_ok=True)
        (home / "Pictures").mkdir(exist_ok=True)
        self.bus_path = workdir / "bus"
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": str(home),
            "XDG_DATA_HOME": str(workdir / "data"),
            "XDG_CONFIG_HOME": str(workdir / "config"),
            "XDG_DATA_DIRS": "/usr/local/share:/usr/share",
            "XDG_RUNTIME_DIR": str(comp.runtime_dir),
            "WAYLAND_DISPLAY": comp.socket,
            "PYDRM_CONTROL_SOCKET": str(comp.control_path),
            "XDG_CURRENT_DESKTOP": "pydrm",
            "DBUS_SESSION_BUS_ADDRESS": f"unix:path={self.bus_path}",
            "PYDRM_PORTAL_LOG": "DEBUG",
            "G_MESSAGES_DEBUG": "all",
            **(extra_env or {}),
        }
        install = subprocess.run(
            [sys.executable, "-m", "compositor.portal", "install", "--user"],
            env=self.env | {"PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=True,
        )
        self.install_output = install.stdout
        portals = workdir / "data/pydrm-compositor/portals"
        self.env["XDG_DESKTOP_PORTAL_DIR"] = str(portals)
        self.log_path = workdir / "session-bus.log"
        self.log = self.log_path.open("w")
        self.daemon = subprocess.Popen(
            [
                "dbus-daemon",
                "--session",
                "--nofork",
                "--nopidfile",
                f"--address=unix:path={self.bus_path}",
            ],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for(self.bus_path.exists, 30 * comp.timeout_scale, what="the session bus")

    def logs(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.daemon.poll() is None:
            # The bus's activated services (xdg-desktop-portal, ours) exit when it goes.
            self.daemon.terminate()
            self.daemon.wait(30)
        self.log.close()


class PortalClient:
    """An application's portal calls on the session bus."""

    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus
        self.sender = bus.unique_name.lstrip(":").replace(".", "_")

    @classmethod
    async def connect(cls, address: str) -> PortalClient:
        bus = await MessageBus(
            bus_address=address, bus_type=BusType.SESSION, negotiate_unix_fd=True
        ).connect()
        return cls(bus)

    async def request(
        self, interface: str, member: str, signature: str, body: list[Any], options: dict
    ) -> tuple[int, dict[str, Any]]:
        """Call a portal method whose last argument is the options vardict and wait for its
        Request's Response: (response, results with plain values)."""
        token = f"t{secrets.token_hex(6)}"
        path = f"/org/freedesktop/portal/desktop/request/{self.sender}/{token}"
        answered: asyncio.Future = asyncio.get_running_loop().create_future()

        def on_message(message: Message) -> None:
            if (
                message.message_type == MessageType.SIGNAL
                and message.path == path
                and message.member == "Response"
                and not answered.done()
            ):
                answered.set_result(message.body)

        self.bus.add_message_handler(on_message)
        rule = (
            "type='signal',interface='org.freedesktop.portal.Request',"
            f"member='Response',path='{path}'"
        )
        await self._call(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "AddMatch",
            "s",
            [rule],
        )
        try:
            options = {"handle_token": Variant("s", token), **options}
            reply = await self._call(
                PORTAL, PORTAL_PATH, interface, member, signature, [*body, options]
            )
            assert reply.body[0] == path, reply.body
            response, results = await asyncio.wait_for(answered, TIMEOUT)
        finally:
            self.bus.remove_message_handler(on_message)
        return response, {key: value.value for key, value in results.items()}

    async def _call(
        self, dest: str, path: str, interface: str, member: str, signature: str, body: list[Any]
    ) -> Message:
        reply = await self.bus.call(
            Message(
                destination=dest,
                path=path,
                interface=interface,
                member=member,
                signature=signature,
                body=body,
            )
        )
        if reply.message_type == MessageType.ERROR:
            raise RuntimeError(f"{interface}.{member}: {reply.error_name}: {reply.body}")
        return reply

    async def call(
        self,
        interface: str,
        member: str,
        signature: str = "",
        body: list[Any] | None = None,
        path: str = PORTAL_PATH,
    ) -> Message:
        return await self._call(PORTAL, path, interface, member, signature, body or [])

    async def get_property(self, interface: str, name: str) -> Any:
        reply = await self.call("org.freedesktop.DBus.Properties", "Get", "ss", [interface, name])
        return reply.body[0].value

    # -- ScreenCast ------------------------------------------------------------------------

    SC = "org.freedesktop.portal.ScreenCast"

    async def create_session(self) -> str:
        token = f"s{secrets.token_hex(6)}"
        response, results = await self.request(
            self.SC,
            "CreateSession",
            "a{sv}",
            [],
            {"session_handle_token": Variant("s", token)},
        )
        assert response == 0, (response, results)
        return results["session_handle"]

    async def select_sources(self, session: str, **options: Variant) -> int:
        response, _ = await self.request(self.SC, "SelectSources", "oa{sv}", [session], options)
        return response

    async def start(self, session: str) -> tuple[int, dict[str, Any]]:
        return await self.request(self.SC, "Start", "osa{sv}", [session, ""], {})

    async def open_pipewire_remote(self, session: str) -> int:
        message = Message(
            destination=PORTAL,
            path=PORTAL_PATH,
            interface=self.SC,
            member="OpenPipeWireRemote",
            signature="oa{sv}",
            body=[session, {}],
        )
        reply = await self.bus.call(message)
        if reply.message_type == MessageType.ERROR:
            raise RuntimeError(f"OpenPipeWireRemote: {reply.error_name}: {reply.body}")
        return reply.unix_fds[reply.body[0]]

    async def close_session(self, session: str) -> None:
        await self._call(PORTAL, session, "org.freedesktop.portal.Session", "Close", "", [])

    def watch_closed(self, session: str) -> asyncio.Future:
        """A future set when the session's Closed signal comes."""
        closed: asyncio.Future = asyncio.get_running_loop().create_future()

        def on_message(message: Message) -> None:
            if (
                message.message_type == MessageType.SIGNAL
                and message.path == session
                and message.member == "Closed"
                and not closed.done()
            ):
                closed.set_result(True)

        self.bus.add_message_handler(on_message)
        return closed

    async def add_match_closed(self, session: str) -> None:
        rule = f"type='signal',interface='org.freedesktop.portal.Session',path='{session}'"
        await self._call(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "AddMatch",
            "s",
            [rule],
        )
