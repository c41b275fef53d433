"""``pydrm-portal``: the backend xdg-desktop-portal forwards ScreenCast, Screenshot and
Access requests to (``org.freedesktop.impl.portal.*`` on the session bus).

ScreenCast: CreateSession exports a Session object; SelectSources records what the
application may get (source types, cursor mode, persist mode, restore data); Start asks the
person which output or window to share (:mod:`.chooser`, or an answer given ahead with
``pydrm-ctl screencast-answer``), has the compositor start a PipeWire stream of it
(``screencast-start``) and returns the stream's node id. When the compositor ends a stream
(the window closed, the output went), the session emits Closed; when the application closes
the session, its streams stop. Screenshot asks the compositor's ``screenshot`` command for
a PNG; PickColor reads one pixel of it. Access is the yes/no dialog the frontend asks before
an application's first screenshot.
"""

import asyncio
import contextlib
import json
import logging
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Annotated, Any

from dbus_fast import BusType, RequestNameReply, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusSignature
from dbus_fast.service import PropertyAccess, ServiceInterface, dbus_property, method, signal

from compositor.portal import BUS_NAME, OBJECT_PATH, link

log = logging.getLogger("pydrm-portal")

ObjPath = Annotated[str, DBusSignature("o")]
Str = Annotated[str, DBusSignature("s")]
UInt = Annotated[int, DBusSignature("u")]
Vardict = Annotated[dict[str, Variant], DBusSignature("a{sv}")]
Reply = Annotated[list[Any], DBusSignature("ua{sv}")]

# Response codes of every portal request.
SUCCESS, CANCELLED, FAILED = 0, 1, 2
# AvailableSourceTypes and AvailableCursorModes bits.
MONITOR, WINDOW = 1, 2
CURSOR_HIDDEN, CURSOR_EMBEDDED, CURSOR_METADATA = 1, 2, 4
CURSOR_NAMES = {CURSOR_HIDDEN: "hidden", CURSOR_EMBEDDED: "embedded", CURSOR_METADATA: "metadata"}
SCREENCAST_VERSION = 4  # what xdg-desktop-portal 1.16 (Debian 12) speaks; 1.18 speaks 5
RESTORE_VENDOR = "pydrm"
RESTORE_VERSION = 1
CHOOSER = Path(__file__).with_name("chooser.py")


def _opt(options: dict[str, Variant], key: str, default: Any) -> Any:
    value = options.get(key)
    return default if value is None else value.value


class Request(ServiceInterface):
    """The impl Request at a call's handle: the frontend calls Close when the application
    closes its request (a dialog open for it goes away)."""

    def __init__(self, portal: "Portal", path: str) -> None:
        super().__init__("org.freedesktop.impl.portal.Request")
        self.portal = portal
        self.path = path
        self.closed = asyncio.Event()
        portal.bus.export(path, self)

    @method()
    def Close(self) -> None:  # noqa: N802
        log.info("request %s closed by the application", self.path)
        self.closed.set()
        self.unexport()

    def unexport(self) -> None:
        with contextlib.suppress(Exception):
            self.portal.bus.unexport(self.path, self)


class Session(ServiceInterface):
    """One screen-cast session: what SelectSources asked for and the streams Start made."""

    def __init__(self, portal: "Portal", path: str, app_id: str) -> None:
        super().__init__("org.freedesktop.impl.portal.Session")
        self.portal = portal
        self.path = path
        self.app_id = app_id
        self.types = MONITOR
        self.multiple = False
        self.cursor_mode = CURSOR_HIDDEN
        self.persist_mode = 0
        self.restore: dict[str, Any] | None = None
        self.selected = False
        self.started = False
        self.streams: list[Any] = []
        self.closed = False
        portal.bus.export(path, self)

    @method()
    async def Close(self) -> None:  # noqa: N802
        log.info("session %s closed by the application", self.path)
        await self.close(emit=False)

    @signal()
    def Closed(self) -> None:  # noqa: N802
        return None

    @dbus_property(access=PropertyAccess.READ)
    def version(self) -> UInt:
        return 1

    async def close(self, emit: bool) -> None:
        if self.closed:
            return
        self.closed = True
        self.portal.sessions.pop(self.path, None)
        for sid in self.streams:
            self.portal.stream_sessions.pop(sid, None)
            try:
                await link.call("screencast-stop", stream=sid)
            except (link.CommandFailed, link.CompositorUnreachable) as exc:
                log.info("stream %s: %s", sid, exc)  # already gone with its window
        if emit:
            self.Closed()
        with contextlib.suppress(Exception):
            self.portal.bus.unexport(self.path, self)


class ScreenCast(ServiceInterface):
    def __init__(self, portal: "Portal") -> None:
        super().__init__("org.freedesktop.impl.portal.ScreenCast")
        self.portal = portal

    @dbus_property(access=PropertyAccess.READ)
    def AvailableSourceTypes(self) -> UInt:  # noqa: N802
        return MONITOR | WINDOW

    @dbus_property(access=PropertyAccess.READ)
    def AvailableCursorModes(self) -> UInt:  # noqa: N802
        return CURSOR_HIDDEN | CURSOR_EMBEDDED | CURSOR_METADATA

    @dbus_property(access=PropertyAccess.READ)
    def version(self) -> UInt:
        return SCREENCAST_VERSION

    @method()
    def CreateSession(  # noqa: N802
        self, handle: ObjPath, session_handle: ObjPath, app_id: Str, options: Vardict
    ) -> Reply:
        if session_handle in self.portal.sessions:
            log.warning("CreateSession: %s exists already", session_handle)
            return [FAILED, {}]
        self.portal.sessions[session_handle] = Session(self.portal, session_handle, app_id)
        log.info("session %s created for %r", session_handle, app_id or "(no app id)")
        return [SUCCESS, {}]

    @method()
    def SelectSources(  # noqa: N802
        self, handle: ObjPath, session_handle: ObjPath, app_id: Str, options: Vardict
    ) -> Reply:
        session = self.portal.sessions.get(session_handle)
        if session is None or session.started:
            log.warning("SelectSources: no session %s waiting to start", session_handle)
            return [FAILED, {}]
        types = _opt(options, "types", MONITOR) & (MONITOR | WINDOW)
        cursor = _opt(options, "cursor_mode", CURSOR_HIDDEN)
        if cursor not in CURSOR_NAMES:
            log.warning("SelectSources: cursor mode %r is not one of %s", cursor, CURSOR_NAMES)
            return [FAILED, {}]
        if not types:
            log.warning("SelectSources: only source types this portal lacks (VIRTUAL)")
            return [FAILED, {}]
        session.types = types
        session.multiple = bool(_opt(options, "multiple", False))
        session.cursor_mode = cursor
        session.persist_mode = int(_opt(options, "persist_mode", 0))
        session.restore = _restore_data(options.get("restore_data"))
        session.selected = True
        return [SUCCESS, {}]

    @method()
    async def Start(  # noqa: N802
        self,
        handle: ObjPath,
        session_handle: ObjPath,
        app_id: Str,
        parent_window: Str,
        options: Vardict,
    ) -> Reply:
        session = self.portal.sessions.get(session_handle)
        if session is None or session.started:
            log.warning("Start: no session %s waiting to start", session_handle)
            return [FAILED, {}]
        session.started = True
        request = Request(self.portal, handle)
        try:
            return await self.portal.start(session, request)
        except (link.CompositorUnreachable, link.CommandFailed, OSError) as exc:
            log.error("Start for %r: %s", app_id or "(no app id)", exc)
            return [FAILED, {}]
        finally:
            request.unexport()


class Screenshot(ServiceInterface):
    def __init__(self, portal: "Portal") -> None:
        super().__init__("org.freedesktop.impl.portal.Screenshot")
        self.portal = portal

    @dbus_property(access=PropertyAccess.READ)
    def version(self) -> UInt:
        return 2

    @method()
    async def Screenshot(  # noqa: N802
        self, handle: ObjPath, app_id: Str, parent_window: Str, options: Vardict
    ) -> Reply:
        try:
            path = await self.portal.screenshot()
        except (link.CompositorUnreachable, link.CommandFailed, OSError) as exc:
            log.error("Screenshot for %r: %s", app_id or "(no app id)", exc)
            return [FAILED, {}]
        return [SUCCESS, {"uri": Variant("s", path.as_uri())}]

    @method()
    async def PickColor(  # noqa: N802
        self, handle: ObjPath, app_id: Str, parent_window: Str, options: Vardict
    ) -> Reply:
        try:
            rgb = await self.portal.pick_color()
        except (link.CompositorUnreachable, link.CommandFailed, OSError, ValueError) as exc:
            log.error("PickColor for %r: %s", app_id or "(no app id)", exc)
            return [FAILED, {}]
        color = tuple(c / 255 for c in rgb)
        return [SUCCESS, {"color": Variant("(ddd)", list(color))}]


class Access(ServiceInterface):
    def __init__(self, portal: "Portal") -> None:
        super().__init__("org.freedesktop.impl.portal.Access")
        self.portal = portal

    @method()
    async def AccessDialog(  # noqa: N802
        self,
        handle: ObjPath,
        app_id: Str,
        parent_window: Str,
        title: Str,
        subtitle: Str,
        body: Str,
        options: Vardict,
    ) -> Reply:
        request = Request(self.portal, handle)
        try:
            answer = await self.portal.ask(
                "access",
                {
                    "mode": "access",
                    "window_title": "Allow?",
                    "title": title,
                    "subtitle": subtitle,
                    "body": body,
                    "grant_label": _opt(options, "grant_label", "Allow"),
                    "deny_label": _opt(options, "deny_label", "Deny"),
                },
                request,
            )
        except (link.CompositorUnreachable, link.CommandFailed, OSError) as exc:
            log.error("AccessDialog for %r: %s", app_id or "(no app id)", exc)
            return [FAILED, {}]
        finally:
            request.unexport()
        granted = answer is not None and answer.get("access") == "grant"
        log.info("access for %r: %s", app_id or "(no app id)", "granted" if granted else "denied")
        return [SUCCESS if granted else CANCELLED, {}]


def _restore_data(value: Variant | None) -> dict[str, Any] | None:
    """Our own restore data ("pydrm", 1, a{sv}), else None (another portal's, or garbage:
    the person is asked again, as the specification says)."""
    if value is None or value.signature != "(suv)":
        return None
    vendor, version, data = value.value
    if vendor != RESTORE_VENDOR or version != RESTORE_VERSION or data.signature != "a{sv}":
        return None
    return {key: item.value for key, item in data.value.items()}


class Portal:
    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus
        self.sessions: dict[str, Session] = {}
        self.stream_sessions: dict[Any, Session] = {}

    # -- choosing ------------------------------------------------------------------------

    async def ask(
        self, kind: str, dialog: dict[str, Any], request: Request
    ) -> dict[str, Any] | None:
        """An answer given ahead, else the dialog's; None when the request was closed."""
        ahead = (await link.call("screencast-answer-take", **{"for": kind}))["answer"]
        if ahead is not None:
            log.info("%s dialog answered ahead: %s", kind, ahead)
            return ahead
        return await self.run_chooser(dialog, request)

    async def run_chooser(self, dialog: dict[str, Any], request: Request) -> dict[str, Any] | None:
        python = os.environ.get("PYDRM_CHOOSER_PYTHON", "/usr/bin/python3")
        proc = await asyncio.create_subprocess_exec(
            python,
            str(CHOOSER),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        proc.stdin.write(json.dumps(dialog).encode() + b"\n")
        await proc.stdin.drain()
        proc.stdin.close()
        # The answer is its last line (GTK or a theme may print lines of their own first).
        answer_task = asyncio.ensure_future(proc.communicate())
        closed_task = asyncio.ensure_future(request.closed.wait())
        await asyncio.wait({answer_task, closed_task}, return_when=asyncio.FIRST_COMPLETED)
        if not answer_task.done():  # the application gave up: the dialog goes
            proc.kill()
            await answer_task
            return None
        closed_task.cancel()
        out, err = answer_task.result()
        lines = [line for line in out.decode(errors="replace").splitlines() if line.startswith("{")]
        if not lines:
            errors = err.decode(errors="replace").strip()
            raise OSError(
                f"the chooser ({python} {CHOOSER}) exited with {proc.returncode} and no "
                f"answer: {errors[-500:] or 'no message'}; it needs python3-gi and "
                "gir1.2-gtk-3.0 (scripts/apt-packages.txt) and WAYLAND_DISPLAY"
            )
        return json.loads(lines[-1])

    # -- screen cast -----------------------------------------------------------------------

    async def start(self, session: Session, request: Request) -> list[Any]:
        sources = await sources_on_screen()
        choice = self._restored(session, sources)
        if choice is None:
            dialog = {
                "mode": "sources",
                "app_id": session.app_id,
                "types": session.types,
                "outputs": sources.get("outputs", []),
                "views": sources.get("views", []),
            }
            choice = await self.ask("sources", dialog, request)
        if choice is None or choice.get("cancel") or session.closed:
            log.info("session %s: the person cancelled", session.path)
            return [CANCELLED, {}]
        source = {k: choice[k] for k in ("output", "view", "region") if k in choice}
        if not source:
            raise link.CommandFailed(f"the chooser answered {choice!r}")
        started = await link.call(
            "screencast-start",
            source=source,
            cursor=CURSOR_NAMES[session.cursor_mode],
            client=session.app_id or "xdg-desktop-portal",
        )
        sid = started["stream"]
        if session.closed:  # closed while the stream started
            await link.call("screencast-stop", stream=sid)
            return [CANCELLED, {}]
        session.streams.append(sid)
        self.stream_sessions[sid] = session
        properties: dict[str, Variant] = {
            "size": Variant("(ii)", [started["width"], started["height"]]),
            "source_type": Variant("u", WINDOW if "view" in source else MONITOR),
            "id": Variant("s", str(sid)),
        }
        if "output" in source:
            output = next((o for o in sources["outputs"] if o["name"] == source["output"]), None)
            if output is not None:
                properties["position"] = Variant("(ii)", [output["x"], output["y"]])
        results: dict[str, Variant] = {
            "streams": Variant("a(ua{sv})", [[started["node_id"], properties]]),
        }
        if session.persist_mode:
            results["persist_mode"] = Variant("u", session.persist_mode)
            results["restore_data"] = Variant(
                "(suv)",
                [RESTORE_VENDOR, RESTORE_VERSION, Variant("a{sv}", _remember(source, sources))],
            )
        log.info(
            "session %s: stream %s of %s, PipeWire node %s, %sx%s",
            session.path,
            sid,
            source,
            started["node_id"],
            started["width"],
            started["height"],
        )
        return [SUCCESS, results]

    @staticmethod
    def _restored(session: Session, sources: dict[str, Any]) -> dict[str, Any] | None:
        """What a restored session shared, if it is still there."""
        data = session.restore
        if not data:
            return None
        if "output" in data and session.types & MONITOR:
            if any(o["name"] == data["output"] for o in sources.get("outputs", [])):
                return {"output": data["output"]}
        if "app_id" in data and session.types & WINDOW:
            same = [v for v in sources.get("views", []) if v.get("app_id") == data["app_id"]]
            titled = [v for v in same if v.get("title") == data.get("title")]
            for group in (titled, same):
                if group:
                    return {"view": group[0]["id"]}
        return None

    async def follow_streams(self) -> None:
        """Sessions whose stream the compositor ended emit Closed; when the compositor goes
        (the events stream ends), every started session closes; then it tries again."""
        said = ""
        while True:
            try:
                async for event in link.stream("screencast-events"):
                    if event.get("event") == "stopped":
                        sid = event.get("stream")
                        session = self.stream_sessions.pop(sid, None)
                        if session is not None:
                            log.info(
                                "stream %s stopped (%s): closing %s",
                                sid,
                                event.get("reason"),
                                session.path,
                            )
                            session.streams.remove(sid)
                            await session.close(emit=True)
            except (link.CompositorUnreachable, link.CommandFailed) as exc:
                if str(exc) != said:  # once per state, not every turn
                    said = str(exc)
                    log.warning("no stream events from the compositor (%s); retrying", exc)
            for session in list(self.sessions.values()):
                if session.started:
                    await session.close(emit=True)
            await asyncio.sleep(2.0)

    # -- screenshots -----------------------------------------------------------------------

    async def screenshot(self) -> Path:
        directory = _pictures_dir()
        stamp = time.strftime("%Y-%m-%d-%H%M%S")
        path = directory / f"Screenshot-{stamp}-{uuid.uuid4().hex[:6]}.png"
        reply = await link.call("screenshot", path=str(path))
        log.info("screenshot of %s: %s", reply.get("output"), path)
        return path

    async def pick_color(self) -> tuple[int, int, int]:
        from PIL import Image  # noqa: PLC0415 (only PickColor needs it)

        # The point given ahead, else the pointer's position (with a software cursor the
        # picture there is the pointer's own tip: no click-to-pick dialog yet).
        ahead = (await link.call("screencast-answer-take", **{"for": "pick"}))["answer"]
        if ahead is not None:
            x, y = ahead["pick"]
        else:
            x, y = (await link.call("input-protocols"))["cursor"]
        outputs = (await sources_on_screen())["outputs"]
        for output in outputs:
            ox, oy = int(x) - output["x"], int(y) - output["y"]
            if 0 <= ox < output["width"] and 0 <= oy < output["height"]:
                break
        else:
            raise ValueError(f"the pointer ({x}, {y}) is on no output")
        runtime = Path(os.environ.get("XDG_RUNTIME_DIR", "/tmp"))
        path = runtime / f"pydrm-portal-pick-{os.getpid()}.png"
        try:
            await link.call("screenshot", path=str(path), output=output["name"])
            with Image.open(path) as image:
                scale = image.width / output["width"]
                pixel = image.convert("RGB").getpixel((int(ox * scale), int(oy * scale)))
        finally:
            path.unlink(missing_ok=True)
        return pixel


async def sources_on_screen() -> dict[str, Any]:
    """Outputs and windows to choose from: ``screencast-sources``, or a compositor without
    streams' ``outputs`` and ``views`` (its chooser still works; Start then fails there)."""
    try:
        return await link.call("screencast-sources")
    except link.CommandFailed as exc:
        if "unknown command" not in str(exc):
            raise
    keys = ("name", "width", "height", "x", "y")
    outputs = [{k: o[k] for k in keys} for o in (await link.call("outputs"))["outputs"]]
    views = [
        {k: v[k] for k in ("id", "title", "app_id", "x", "y", "width", "height")}
        for v in (await link.call("views"))["views"]
        if v.get("mapped") and not v.get("minimized")
    ]
    return {"outputs": outputs, "views": views}


def _remember(source: dict[str, Any], sources: dict[str, Any]) -> dict[str, Variant]:
    if "output" in source:
        return {"output": Variant("s", source["output"])}
    if "view" in source:
        view = next((v for v in sources.get("views", []) if v["id"] == source["view"]), {})
        return {
            "app_id": Variant("s", view.get("app_id") or ""),
            "title": Variant("s", view.get("title") or ""),
        }
    return {}


def _pictures_dir() -> Path:
    """Where screenshots go: $XDG_PICTURES_DIR, ~/Pictures when it exists, else a private
    folder in the runtime directory."""
    for candidate in (os.environ.get("XDG_PICTURES_DIR"), Path.home() / "Pictures"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    fallback = Path(os.environ.get("XDG_RUNTIME_DIR", "/tmp")) / "pydrm-screenshots"
    fallback.mkdir(mode=0o700, exist_ok=True)
    return fallback


async def serve(replace: bool = False) -> int:
    try:
        bus = await MessageBus(bus_type=BusType.SESSION).connect()
    except Exception as exc:
        log.error(
            "cannot connect to the D-Bus session bus (%s): start one with "
            "`pydrm-portal session-services` inside the compositor's session",
            exc,
        )
        return 1
    portal = Portal(bus)
    bus.export(OBJECT_PATH, ScreenCast(portal))
    bus.export(OBJECT_PATH, Screenshot(portal))
    bus.export(OBJECT_PATH, Access(portal))
    reply = await bus.request_name(BUS_NAME)
    if reply not in (RequestNameReply.PRIMARY_OWNER, RequestNameReply.ALREADY_OWNER):
        log.error("%s is owned by another process already (%s)", BUS_NAME, reply)
        return 1
    log.info("serving %s; compositor control socket %s", BUS_NAME, link.control_path())
    follower = asyncio.ensure_future(portal.follow_streams())
    try:
        await bus.wait_for_disconnect()
    except Exception as exc:  # the bus went (the session ended): nothing left to serve
        log.info("the session bus went (%s); exiting", exc)
    follower.cancel()
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("PYDRM_PORTAL_LOG", "INFO"),
        format="pydrm-portal: %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    return asyncio.run(serve())
