"""The screen-cast portal end to end through Debian's xdg-desktop-portal: an application's
D-Bus calls (org.freedesktop.portal.ScreenCast, Screenshot) on a session bus of the test's
own reach our backend (compositor/portal/, installed as ``pydrm-portal install --user``
installs it, started by D-Bus activation), which asks the compositor and its chooser.

Streams themselves (screencast-start) are the compositor's; tests that need one are in
test_portal_streams.py.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlparse

import pytest
from dbus_fast import Variant
from PIL import Image

from tests.conftest import needs
from tests.helpers import rgb, solid_window
from tests.screencast.portal_session import PortalClient, PortalSession
from tests.waiting import wait_for

pytestmark = [needs("dbus-daemon", "/usr/libexec/xdg-desktop-portal"), pytest.mark.slow]

MONITOR, WINDOW = 1, 2
ORANGE = "ff8000"


@pytest.fixture
def portal(compositor, tmp_path):
    session = PortalSession(compositor, tmp_path / "portal")
    yield session
    session.stop()


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 300))


def test_install_writes_what_the_frontend_reads(portal):
    """The files `pydrm-portal install --user` writes say what xdg-desktop-portal needs."""
    data = Path(portal.env["XDG_DATA_HOME"])
    service = data / "dbus-1/services/org.freedesktop.impl.portal.desktop.pydrm.service"
    assert "Name=org.freedesktop.impl.portal.desktop.pydrm\n" in service.read_text()
    portal_file = (data / "pydrm-compositor/portals/pydrm.portal").read_text()
    assert "UseIn=pydrm\n" in portal_file
    assert "org.freedesktop.impl.portal.ScreenCast;" in portal_file
    conf = Path(portal.env["XDG_CONFIG_HOME"]) / "xdg-desktop-portal/pydrm-portals.conf"
    assert "org.freedesktop.impl.portal.ScreenCast=pydrm\n" in conf.read_text()
    # xdg-desktop-portal 1.17+ reads portals.conf only from XDG_DESKTOP_PORTAL_DIR when set.
    assert (data / "pydrm-compositor/portals/pydrm-portals.conf").read_text() == conf.read_text()


def test_frontend_offers_our_screencast(portal):
    """The frontend, D-Bus-activated on the test's bus, exports ScreenCast with what our
    backend says it has (it reads the backend's properties at its start)."""

    async def scenario():
        client = await PortalClient.connect(portal.env["DBUS_SESSION_BUS_ADDRESS"])
        sc = "org.freedesktop.portal.ScreenCast"
        return (
            await client.get_property(sc, "AvailableSourceTypes"),
            await client.get_property(sc, "AvailableCursorModes"),
        )

    types, cursors = run(scenario())
    assert types == MONITOR | WINDOW, portal.logs()
    assert cursors == 1 | 2 | 4


def test_cancel_answered_ahead(portal, compositor):
    """`screencast-answer cancel=true` given ahead: Start answers 1 (cancelled), the answer
    is used up, and no stream was asked for."""
    compositor.ctl_ok("screencast-answer", cancel=True)

    async def scenario():
        client = await PortalClient.connect(portal.env["DBUS_SESSION_BUS_ADDRESS"])
        session = await client.create_session()
        selected = await client.select_sources(session, types=Variant("u", MONITOR))
        response, results = await client.start(session)
        return selected, response, results

    selected, response, results = run(scenario())
    assert selected == 0, portal.logs()
    assert (response, results) == (1, {}), portal.logs()
    assert compositor.ctl_ok("screencast-answer-take")["answer"] is None


def test_chooser_cancelled_by_keyboard(portal, compositor):
    """With no answer ahead the chooser opens as a window of its own; Escape cancels it and
    Start answers 1."""

    async def scenario():
        client = await PortalClient.connect(portal.env["DBUS_SESSION_BUS_ADDRESS"])
        session = await client.create_session()
        await client.select_sources(session, types=Variant("u", MONITOR | WINDOW))
        start = asyncio.ensure_future(client.start(session))
        view = await asyncio.to_thread(compositor.wait_for_view, "pydrm-portal-chooser", 60)
        await asyncio.to_thread(
            wait_for,
            lambda: compositor.ctl_ok("views")["views"][-1]["focused"],
            60,
            what="the chooser focused",
        )
        compositor.key("Escape")
        return view, await start

    view, (response, results) = run(scenario())
    assert view["app_id"] == "pydrm-portal-chooser"
    assert (response, results) == (1, {}), portal.logs()
    wait_for(
        lambda: not any(v["app_id"] == "pydrm-portal-chooser" for v in compositor.views()),
        30,
        what="the chooser gone",
    )


def test_screenshot_uri_shows_the_screen(portal, compositor):
    """Screenshot through the frontend: the permission dialog answered ahead (grant), the
    result a file:// URI of a PNG whose pixels show the test's window."""
    proc, view = solid_window(compositor, ORANGE, "shot-target")
    compositor.ctl_ok("screencast-answer", access="grant")

    async def scenario():
        client = await PortalClient.connect(portal.env["DBUS_SESSION_BUS_ADDRESS"])
        return await client.request(
            "org.freedesktop.portal.Screenshot", "Screenshot", "sa{sv}", [""], {}
        )

    response, results = run(scenario())
    proc.kill()
    assert response == 0, portal.logs()
    uri = urlparse(results["uri"])
    assert uri.scheme == "file"
    image = Image.open(uri.path).convert("RGB")
    output = compositor.ctl_ok("outputs")["outputs"][0]
    assert (image.width, image.height) == (output["width"], output["height"])
    centre = (view["x"] + view["width"] // 2, view["y"] + view["height"] // 2)
    assert image.getpixel(centre) == rgb(ORANGE)


def test_screenshot_denied(portal, compositor):
    """access=deny ahead: the frontend answers 2 and no file is written."""
    compositor.ctl_ok("screencast-answer", access="deny")

    async def scenario():
        client = await PortalClient.connect(portal.env["DBUS_SESSION_BUS_ADDRESS"])
        return await client.request(
            "org.freedesktop.portal.Screenshot", "Screenshot", "sa{sv}", [""], {}
        )

    response, results = run(scenario())
    assert response == 2, portal.logs()
    assert list((Path(portal.env["HOME"]) / "Pictures").iterdir()) == []


def test_pick_color_at_a_point_answered_ahead(portal, compositor):
    """PickColor through the frontend at a point given ahead (pick=X,Y): the window's
    colour, as fractions of 255."""
    proc, view = solid_window(compositor, ORANGE, "pick-target")
    centre = (view["x"] + view["width"] // 2, view["y"] + view["height"] // 2)
    compositor.ctl_ok("screencast-answer", pick=f"{centre[0]},{centre[1]}")

    async def scenario():
        client = await PortalClient.connect(portal.env["DBUS_SESSION_BUS_ADDRESS"])
        return await client.request(
            "org.freedesktop.portal.Screenshot", "PickColor", "sa{sv}", [""], {}
        )

    response, results = run(scenario())
    proc.kill()
    assert response == 0, portal.logs()
    assert [round(c * 255) for c in results["color"]] == list(rgb(ORANGE))


def test_application_gone_while_choosing(portal, compositor):
    """The application's connection goes while the chooser is open: the frontend closes
    its request and session, the chooser goes away and no stream is asked for; the next
    application still gets the chooser."""

    async def open_chooser():
        client = await PortalClient.connect(portal.env["DBUS_SESSION_BUS_ADDRESS"])
        session = await client.create_session()
        await client.select_sources(session, types=Variant("u", MONITOR))
        start = asyncio.ensure_future(client.start(session))
        await asyncio.to_thread(compositor.wait_for_view, "pydrm-portal-chooser", 60)
        start.cancel()
        client.bus.disconnect()
        await client.bus.wait_for_disconnect()

    run(open_chooser())
    wait_for(
        lambda: not any(v["app_id"] == "pydrm-portal-chooser" for v in compositor.views()),
        60,
        what="the chooser gone with its application",
    )
    assert compositor.ctl_ok("screencast-list")["streams"] == []
    compositor.ctl_ok("screencast-answer", cancel=True)

    async def again():
        client = await PortalClient.connect(portal.env["DBUS_SESSION_BUS_ADDRESS"])
        session = await client.create_session()
        await client.select_sources(session, types=Variant("u", MONITOR))
        return await client.start(session)

    assert run(again()) == (1, {}), portal.logs()
