"""Screen sharing through the portal as an application does it: xdg-desktop-portal's
ScreenCast on a session bus of the test's own, our backend, the compositor's PipeWire
streams, and a real consumer (GStreamer's pipewiresrc) on the PipeWire remote the frontend
opens for the application (OpenPipeWireRemote: a connection that sees only the shared
node). The oracle is the test client's own colour, never the compositor's screenshot.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from dbus_fast import Variant
from PIL import Image

from tests.conftest import needs
from tests.harness import CompositorProcess
from tests.helpers import rgb, solid_window
from tests.screencast.pipewire_session import PipewireSession
from tests.screencast.portal_session import PortalClient, PortalSession
from tests.waiting import wait_for

pytestmark = [
    needs("dbus-daemon", "pipewire", "wireplumber", "gst-launch-1.0"),
    needs("/usr/libexec/xdg-desktop-portal"),
    pytest.mark.slow,
]

MONITOR, WINDOW = 1, 2
HIDDEN = 1
ORANGE, TEAL = "ff8000", "008080"
GST_TIMEOUT = 120


@pytest.fixture
def comp(make_compositor) -> CompositorProcess:
    return make_compositor(args=["--renderer", "pixman"])


@pytest.fixture
def pw(comp, tmp_path):
    session = PipewireSession(tmp_path / "pw", runtime_dir=comp.runtime_dir).start()
    yield session
    session.stop()


@pytest.fixture
def portal(comp, pw, tmp_path):
    session = PortalSession(comp, tmp_path / "portal")
    yield session
    session.stop()


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 300))


async def share(
    portal: PortalSession, types: int, client: PortalClient | None = None, **select: Variant
):
    """CreateSession, SelectSources, Start: (client, session, response, results)."""
    if client is None:
        client = await PortalClient.connect(portal.env["DBUS_SESSION_BUS_ADDRESS"])
    session = await client.create_session()
    selected = await client.select_sources(
        session, types=Variant("u", types), cursor_mode=Variant("u", HIDDEN), **select
    )
    assert selected == 0, portal.logs()
    response, results = await client.start(session)
    return client, session, response, results


def grab(pw: PipewireSession, fd: int, node: int, size: tuple[int, int], path: Path) -> Image.Image:
    """One frame read by gst-launch-1.0 through the application's PipeWire remote."""
    argv = ["gst-launch-1.0", "-q", "pipewiresrc", f"fd={fd}", f"path={node}"]
    argv += ["always-copy=true", "num-buffers=1", "!", "video/x-raw,format=BGRx", "!"]
    argv += ["filesink", f"location={path}"]
    proc = subprocess.run(
        argv, env=pw.env(), pass_fds=(fd,), capture_output=True, text=True, timeout=GST_TIMEOUT
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = path.read_bytes()
    assert len(data) == size[0] * size[1] * 4, (len(data), size)
    return Image.frombytes("RGB", size, data, "raw", "BGRX")


def only_stream(results: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    streams = results["streams"]
    assert len(streams) == 1, streams
    node, props = streams[0]
    return node, {
        key: list(value.value) if isinstance(value.value, tuple) else value.value
        for key, value in props.items()
    }


def test_output_shared_to_a_pipewire_consumer(comp, pw, portal, tmp_path):
    """The whole output, answered ahead: Start returns its node, size, position and type;
    pipewiresrc on OpenPipeWireRemote's fd receives a frame showing the window's colour;
    closing the session stops the compositor's stream."""
    _, view = solid_window(comp, ORANGE, "share.orange", size="200x150")
    output = comp.ctl_ok("outputs")["outputs"][0]
    comp.ctl_ok("screencast-answer", output=output["name"])

    async def scenario():
        client, session, response, results = await share(portal, MONITOR)
        assert response == 0, portal.logs()
        node, props = only_stream(results)
        fd = await client.open_pipewire_remote(session)
        size = tuple(props["size"])
        image = await asyncio.to_thread(grab, pw, fd, node, size, tmp_path / "frame.bgrx")
        os.close(fd)
        listed = comp.ctl_ok("screencast-list")["streams"]
        await client.close_session(session)
        return node, props, image, listed

    node, props, image, listed = run(scenario())
    assert props["size"] == [output["width"], output["height"]]
    assert props["position"] == [output["x"], output["y"]]
    assert props["source_type"] == MONITOR
    assert [s["node_id"] for s in listed] == [node]
    centre = (view["x"] + view["width"] // 2, view["y"] + view["height"] // 2)
    assert image.getpixel(centre) == rgb(ORANGE)
    wait_for(lambda: comp.ctl_ok("screencast-list")["streams"] == [], 30, what="stream stopped")


def test_window_closing_closes_the_session(comp, pw, portal, tmp_path):
    """One window, answered ahead: the stream has the window's size and colour; when the
    window closes the compositor ends the stream and the application's Session emits
    Closed."""
    proc, view = solid_window(comp, TEAL, "share.teal", size="160x120")
    comp.ctl_ok("screencast-answer", view=view["id"])

    async def scenario():
        client, session, response, results = await share(portal, WINDOW)
        assert response == 0, portal.logs()
        node, props = only_stream(results)
        await client.add_match_closed(session)
        closed = client.watch_closed(session)
        fd = await client.open_pipewire_remote(session)
        image = await asyncio.to_thread(
            grab, pw, fd, node, tuple(props["size"]), tmp_path / "frame.bgrx"
        )
        os.close(fd)
        proc.kill()
        await asyncio.wait_for(closed, 120)
        return props, image

    props, image = run(scenario())
    assert props["source_type"] == WINDOW
    assert props["size"] == [view["width"], view["height"]]
    assert image.getcolors(image.width * image.height) == [(image.width * image.height, rgb(TEAL))]
    assert comp.ctl_ok("screencast-list")["streams"] == []


def test_chooser_by_pointer(comp, pw, portal, tmp_path):
    """No answer ahead: the chooser lists the output and the window; a click on the
    window's row (the row under the selected first one, found in the screen's pixels)
    shares that window."""
    _, view = solid_window(comp, TEAL, "share.teal", size="160x120")

    async def scenario():
        client = await PortalClient.connect(portal.env["DBUS_SESSION_BUS_ADDRESS"])
        session = await client.create_session()
        await client.select_sources(session, types=Variant("u", MONITOR | WINDOW))
        start = asyncio.ensure_future(client.start(session))
        chooser = await asyncio.to_thread(comp.wait_for_view, "pydrm-portal-chooser", 60)
        x, y = await asyncio.to_thread(second_row, comp, chooser)
        comp.click(None, x, y)
        return await start

    response, results = run(scenario())
    assert response == 0, portal.logs()
    _, props = only_stream(results)
    assert props["source_type"] == WINDOW
    assert props["size"] == [view["width"], view["height"]]


def test_chooser_by_keyboard(comp, pw, portal):
    """No answer ahead: in the chooser, Down moves from the output (first row) to the
    window, Return shares it."""
    _, view = solid_window(comp, TEAL, "share.teal", size="160x120")

    async def scenario():
        client = await PortalClient.connect(portal.env["DBUS_SESSION_BUS_ADDRESS"])
        session = await client.create_session()
        await client.select_sources(session, types=Variant("u", MONITOR | WINDOW))
        start = asyncio.ensure_future(client.start(session))
        chooser = await asyncio.to_thread(comp.wait_for_view, "pydrm-portal-chooser", 60)
        await asyncio.to_thread(second_row, comp, chooser)  # drawn, first row selected
        comp.key("Down")
        comp.key("Return")
        return await start

    response, results = run(scenario())
    assert response == 0, portal.logs()
    _, props = only_stream(results)
    assert props["source_type"] == WINDOW
    assert props["size"] == [view["width"], view["height"]]


def second_row(comp: CompositorProcess, chooser: dict[str, Any]) -> tuple[int, int]:
    """The centre of the row under the chooser's selected (highlighted) first row: the
    highlight is the band of the chooser's most common saturated blue."""

    def band():
        path = comp.workdir / "chooser.png"
        comp.ctl_ok("screenshot", path=str(path))
        image = Image.open(path).convert("RGB")
        x0, y0 = chooser["x"], chooser["y"]
        box = image.crop((x0, y0, x0 + chooser["width"], y0 + chooser["height"]))
        rows = [
            y
            for y in range(box.height)
            if sum(1 for x in range(box.width) if _blue(box.getpixel((x, y)))) > box.width // 2
        ]
        if not rows:
            return None
        first = [rows[0]]
        for y in rows[1:]:
            if y != first[-1] + 1:
                break
            first.append(y)
        return y0 + first[0], y0 + first[-1]

    top, bottom = wait_for(band, 60, what="the chooser's selected row")
    return chooser["x"] + chooser["width"] // 2, bottom + 1 + (bottom - top + 1) // 2


def _blue(pixel: tuple[int, int, int]) -> bool:
    r, g, b = pixel
    return b > 150 and r < 120 and b - g > 40


def test_restore_token_skips_the_chooser(comp, pw, portal):
    """persist_mode 2: Start gives a restore token (the frontend keeps our restore data);
    a second session with that token shares the same output without asking: an answer
    left waiting ahead (cancel) is not taken."""
    output = comp.ctl_ok("outputs")["outputs"][0]
    comp.ctl_ok("screencast-answer", output=output["name"])

    async def scenario():
        client, first, response, results = await share(
            portal, MONITOR, persist_mode=Variant("u", 2)
        )
        assert response == 0, portal.logs()
        token = results["restore_token"]
        await client.close_session(first)
        comp.ctl_ok("screencast-answer", cancel=True)
        _, second, response2, results2 = await share(
            portal, MONITOR, client, persist_mode=Variant("u", 2), restore_token=Variant("s", token)
        )
        await client.close_session(second)
        return results, response2, results2

    results, response2, results2 = run(scenario())
    assert response2 == 0, portal.logs()
    assert only_stream(results2)[1]["size"] == [output["width"], output["height"]]
    assert comp.ctl_ok("screencast-answer-take")["answer"] == {"cancel": True}


def test_region_answered_ahead(comp, pw, portal, tmp_path):
    """region=X,Y,W,H given ahead (as pydrm-ctl passes it, a string): a stream of that size
    whose every pixel is the window's, the region lying inside the window."""
    _, view = solid_window(comp, ORANGE, "share.orange", size="200x150")
    region = (view["x"] + 20, view["y"] + 10, 96, 64)
    comp.ctl_ok("screencast-answer", region=",".join(str(v) for v in region))

    async def scenario():
        client, session, response, results = await share(portal, MONITOR)
        assert response == 0, portal.logs()
        node, props = only_stream(results)
        fd = await client.open_pipewire_remote(session)
        image = await asyncio.to_thread(
            grab, pw, fd, node, tuple(props["size"]), tmp_path / "frame.bgrx"
        )
        os.close(fd)
        await client.close_session(session)
        return props, image

    props, image = run(scenario())
    assert props["size"] == [region[2], region[3]]
    assert image.getcolors(image.width * image.height) == [
        (image.width * image.height, rgb(ORANGE))
    ]
