"""Browsers share the screen through the portal: a page calls getDisplayMedia after a
click (the user activation browsers ask for), draws the track's frame to a canvas and
reports a pixel in its title, which the compositor's views show. The screen holds a window
of the tests' own colour where the browser does not cover it.

Chromium's own source picker is skipped (--use-fake-ui-for-media-stream: it picks "the
screen"); the choice of which screen is ours, answered ahead, and everything after it is
real: xdg-desktop-portal, our backend, the compositor's PipeWire stream, Chromium's
PipeWire capturer (XDG_SESSION_TYPE=wayland is how it knows to use it).
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.conftest import needs
from tests.helpers import rgb, solid_window
from tests.screencast.pipewire_session import PipewireSession
from tests.screencast.portal_session import PortalSession
from tests.waiting import wait_for

pytestmark = [
    needs("dbus-daemon", "pipewire", "wireplumber", "chromium"),
    needs("/usr/libexec/xdg-desktop-portal"),
    pytest.mark.slow,
]

PAGE = Path(__file__).with_name("pages") / "share.html"
TEAL = "008080"
WIDTH, HEIGHT = 1024, 768


@pytest.fixture
def comp(make_compositor):
    return make_compositor(args=["--renderer", "pixman"], width=WIDTH, height=HEIGHT)


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


def browser_env(comp, pw: PipewireSession, portal: PortalSession) -> dict[str, str]:
    return pw.env(
        DBUS_SESSION_BUS_ADDRESS=portal.env["DBUS_SESSION_BUS_ADDRESS"],
        WAYLAND_DISPLAY=comp.socket,
        XDG_SESSION_TYPE="wayland",
        XDG_CURRENT_DESKTOP="pydrm",
    )


def titled(comp, app_id: str, prefixes: tuple[str, ...]) -> dict | None:
    for view in comp.views():
        if view["app_id"] == app_id and (view["title"] or "").startswith(prefixes):
            return view
    return None


def shared_or_error(comp, app_id: str, portal: PortalSession, log: Path) -> dict:
    """The page's answer in its title; on a timeout the browser's and the portal's logs say
    where it stopped."""
    try:
        return wait_for(
            lambda: titled(comp, app_id, ("shared", "error")),
            180,
            what="getDisplayMedia's frame in the page's title",
        )
    except TimeoutError as error:
        titles = [v["title"] for v in comp.views() if v["app_id"] == app_id]
        raise AssertionError(
            f"{error}; titles {titles}; {app_id}'s log ends: {log.read_text()[-3000:]}; "
            f"portal: {portal.logs()[-3000:]}"
        ) from error


def click_until_asked(comp, app_id: str, x: int, y: int, log: Path) -> None:
    """Click the page's button until the page says it asked (title "asking", or already
    further). A browser may drop the first click of a page it has only just shown (input
    not yet routed to the content, a maximize still on its way): a lost click is clicked
    again; the answer is what the page itself reports."""
    for _ in range(6):
        comp.click(None, x, y)
        try:
            wait_for(
                lambda: titled(comp, app_id, ("asking", "shared", "error")),
                20,
                what="the page asking to share",
            )
            return
        except TimeoutError:
            continue
    titles = [v["title"] for v in comp.views() if v["app_id"] == app_id]
    raise AssertionError(
        f"six clicks at {x},{y} and the page never asked: {titles}; "
        f"{app_id}'s log ends: {log.read_text()[-2000:]}"
    )


@needs("chromium")
def test_chromium_get_display_media_shows_the_screen(comp, pw, portal, tmp_path):
    _, teal = solid_window(comp, TEAL, "share.teal", size="200x150")
    output = comp.ctl_ok("outputs")["outputs"][0]
    comp.ctl_ok("screencast-answer", output=output["name"])
    centre = (teal["x"] + teal["width"] // 2, teal["y"] + teal["height"] // 2)
    log = (tmp_path / "chromium.log").open("w")
    argv = [
        "chromium",
        "--ozone-platform=wayland",
        "--no-sandbox",
        "--enable-features=WebRTCPipeWireCapturer",
        "--use-fake-ui-for-media-stream",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        f"file://{PAGE}?x={centre[0] - output['x']}&y={centre[1] - output['y']}",
    ]
    browser = subprocess.Popen(
        argv,
        env=browser_env(comp, pw, portal),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # Chromium beside the window, not over it (it may stand partly off the output).
        # Its window with the page, moved: looked up again if it went meanwhile (seen once:
        # the window first titled "ready" was gone by the move).
        def moved() -> dict | None:
            window = titled(comp, "chromium", ("ready",))
            if window is None:
                return None
            x = teal["x"] + teal["width"] + 16
            return window if comp.ctl("move", id=window["id"], x=x, y=0)["ok"] else None

        window = wait_for(moved, 120, what="Chromium with the page, moved")
        window = wait_for(
            lambda: next(v for v in comp.views() if v["id"] == window["id"] and v["y"] == 0),
            60,
            what="Chromium moved",
        )
        # The button fills the page: a click in the lower half of what shows is on it.
        visible = min(window["x"] + window["width"], output["x"] + output["width"])
        click_until_asked(
            comp,
            "chromium",
            (window["x"] + visible) // 2,
            window["y"] + window["height"] * 3 // 4,
            tmp_path / "chromium.log",
        )
        done = shared_or_error(comp, "chromium", portal, tmp_path / "chromium.log")
        r, g, b = rgb(TEAL)
        assert done["title"].startswith(
            f"shared {output['width']}x{output['height']} monitor {r},{g},{b}"
        ), portal.logs()
        assert len(comp.ctl_ok("screencast-list")["streams"]) == 1
    finally:
        os.killpg(browser.pid, signal.SIGTERM)
        browser.wait(60)
        log.close()
    # The browser gone, its session closes and the compositor's stream with it.
    wait_for(
        lambda: comp.ctl_ok("screencast-list")["streams"] == [],
        60,
        what="the stream stopped after the browser went",
    )


PAGE_BLUE = (0x33, 0x66, 0xCC)  # the page's button (pages/share.html), filling the page


@needs("firefox-esr")
def test_firefox_get_display_media_shows_the_screen(comp, pw, portal, tmp_path):
    """Firefox ESR (its own permission prompt off by preference): the shared frame shows
    the page's own button colour where Firefox (maximized, it asks for it) shows it."""
    output = comp.ctl_ok("outputs")["outputs"][0]
    comp.ctl_ok("screencast-answer", output=output["name"])
    # A point of the page, away from the button's centred text: x 100, three quarters down.
    point = (output["x"] + 100, output["y"] + output["height"] * 3 // 4)
    profile = tmp_path / "firefox-profile"
    profile.mkdir()
    prefs = {
        "media.navigator.permission.disabled": "true",
        "browser.shell.checkDefaultBrowser": "false",
        "datareporting.policy.dataSubmissionEnabled": "false",
        "browser.aboutwelcome.enabled": "false",
    }
    (profile / "user.js").write_text(
        "".join(f'user_pref("{key}", {value});\n' for key, value in prefs.items())
    )
    env = browser_env(comp, pw, portal) | {"MOZ_ENABLE_WAYLAND": "1"}
    log = (tmp_path / "firefox.log").open("w")
    url = f"file://{PAGE}?x={point[0] - output['x']}&y={point[1] - output['y']}"
    argv = ["firefox-esr", "--new-instance", "--profile", str(profile), url]
    browser = subprocess.Popen(
        argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        window = wait_for(
            lambda: titled(comp, "firefox-esr", ("ready",)), 180, what="Firefox with the page"
        )
        x0, y0 = window["x"], window["y"]
        assert x0 <= point[0] < x0 + window["width"] and y0 <= point[1] < y0 + window["height"]
        # The click away from the point: the stream may carry the cursor where it stays.
        click_until_asked(
            comp,
            "firefox-esr",
            output["x"] + output["width"] * 3 // 4,
            output["y"] + output["height"] // 3,
            tmp_path / "firefox.log",
        )
        done = shared_or_error(comp, "firefox-esr", portal, tmp_path / "firefox.log")
        assert done["title"].startswith(f"shared {output['width']}x{output['height']} "), (
            portal.logs()
        )
        # Firefox hands the capture on in I420 (4:2:0 YUV): a few steps off per channel.
        seen = [int(c) for c in done["title"].split()[3].split(",")]
        assert all(abs(a - b) <= 8 for a, b in zip(seen, PAGE_BLUE, strict=True)), done["title"]
        assert len(comp.ctl_ok("screencast-list")["streams"]) == 1
    finally:
        os.killpg(browser.pid, signal.SIGTERM)
        browser.wait(60)
        log.close()
    wait_for(
        lambda: comp.ctl_ok("screencast-list")["streams"] == [],
        60,
        what="the stream stopped after the browser went",
    )
