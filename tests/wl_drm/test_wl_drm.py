"""wl_drm against a real compositor: bind, events, authenticate, buffers on screen, release,
destroy and disconnect (counting the compositor's fds and live buffers), control table.

No /dev/dri on these machines: the default (``--wl-drm-device auto``) then offers no wl_drm
at all, so these tests name /dev/dri/renderD128 (conftest.WL_DRM_TEST_ARGS): a render node,
so authenticate is answered at once, and buffers come from memfds through the same mmap data
path a dma-buf takes under pixman. Real dma-bufs and primary-node authentication run in the
VM (tests/vm).
"""

from __future__ import annotations

import glob
import os

import pytest
from PIL import Image

from compositor.wl_drm.formats import FORMATS
from tests.clients.wl_drm_client import ARGB8888, XRGB8888, ClientGroup, memfd_buffer
from tests.conftest import WL_DRM_TEST_ARGS, needs
from tests.harness import wait_for
from tests.helpers import region_is, rgb

BACKGROUND = (0, 0, 0)


@pytest.fixture
def compositor(wl_drm_compositor):
    return wl_drm_compositor


@pytest.fixture
def clients():
    group = ClientGroup()
    yield group
    group.close_all()


def buffers(comp) -> dict:
    return comp.ctl_ok("buffers")


def live(comp) -> tuple[int, int, int]:
    table = buffers(comp)
    return table["live"], table["native_live"], table["mapped"]


def shows(comp, box, color):
    """A screenshot in which ``box`` is all ``color``, else None (for wait_for)."""
    image = comp.screenshot()
    return image if region_is(image, box, color) else None


def test_bind_sends_device_formats_and_prime_capability(compositor, clients):
    client = clients.connect(compositor)
    assert client.events.device == "/dev/dri/renderD128"
    # pixman imports packed RGB: both mandatory formats, each once, all known to wl_drm;
    # NV12 and YUV420 on top, which the compositor converts on the CPU (test_wl_drm_yuv.py).
    assert XRGB8888 in client.events.formats and ARGB8888 in client.events.formats
    assert len(set(client.events.formats)) == len(client.events.formats)
    planar = [f for f in client.events.formats if FORMATS[f].n_planes > 1]
    assert sorted(FORMATS[f].name for f in planar) == ["nv12", "yuv420"]
    assert all(f in FORMATS for f in client.events.formats)
    assert client.events.capabilities == 1  # wl_drm.capability.prime
    client.close()


def test_version_1_client_gets_no_capabilities_event(compositor, clients):
    client = clients.connect(compositor, version=1)
    assert client.events.device and client.events.formats
    assert client.events.capabilities is None
    client.close()


def test_authenticate_on_render_node_is_answered_at_once(make_compositor, clients):
    comp = make_compositor(args=["--wl-drm-device", "/dev/dri/renderD129"])
    client = clients.connect(comp)
    assert client.events.device == "/dev/dri/renderD129"
    client.authenticate(42)
    client.authenticate(43)
    client.roundtrip()
    assert client.events.authenticated == 2
    client.close()


def test_authenticate_on_primary_node_without_drm_master_fails(make_compositor, clients):
    # Headless: the compositor is DRM master nowhere, so no magic can be authorized. (A
    # named card* path is a primary node; "primary" offers none where no card* exists.)
    comp = make_compositor(args=["--wl-drm-device", "/dev/dri/card0"])
    client = clients.connect(comp)
    assert client.events.device == "/dev/dri/card0"
    client.authenticate(42)
    error = client.expect_error()
    assert (error.interface, error.code) == ("wl_drm", 0)  # authenticate_fail
    assert client.events.authenticated == 0
    assert "holds no DRM master fd" in comp.log()


def test_prime_buffer_pixels_appear_in_screencopy(compositor, clients):
    client = clients.connect(compositor)
    width, height, stride = 160, 120, 160 * 4 + 64  # padded rows
    fd = memfd_buffer(width, height, stride, 0x33CC66)
    buffer = client.create_prime_buffer(fd, width, height, XRGB8888, 0, stride)
    os.close(fd)
    client.show(buffer, width, height)
    view = compositor.wait_for_view("test.wl_drm")
    assert (view["width"], view["height"]) == (width, height)
    box = (view["x"], view["y"], width, height)

    image = wait_for(
        lambda: shows(compositor, box, rgb("33cc66")), 10, what="the buffer's colour on screen"
    )
    # Exactly the buffer (not its padding): right of it and below it, the background.
    assert region_is(image, (view["x"] + width, view["y"], 8, height + 8), BACKGROUND)
    assert region_is(image, (view["x"], view["y"] + height, width, 8), BACKGROUND)
    entry = buffers(compositor)["clients"][0]["buffers"][0]
    assert entry["import"] == "mmap -> pixman (CPU read)"
    assert entry["planes"] == [[0, stride]] and entry["bytes"] == stride * height
    client.close()


def test_offset_plane_reads_from_the_offset(compositor, clients):
    client = clients.connect(compositor)
    width, height, stride, offset = 64, 48, 256, 4096
    fd = memfd_buffer(width, height + 16, stride, 0xCC3300)  # first 16 rows: red
    # Fill the rows after `offset` bytes with blue: only those must be shown.
    blue = memfd_buffer(width, height, stride, 0x0033CC)
    data = os.pread(blue, stride * height, 0)
    os.close(blue)
    os.pwrite(fd, data, offset)
    buffer = client.create_prime_buffer(fd, width, height, XRGB8888, offset, stride)
    os.close(fd)
    client.show(buffer, width, height)
    view = compositor.wait_for_view("test.wl_drm")
    box = (view["x"], view["y"], width, height)
    wait_for(lambda: region_is(compositor.screenshot(), box, rgb("0033cc")), 10, what="blue")
    client.close()


def test_release_is_sent_when_the_next_buffer_replaces_it(compositor, clients):
    client = clients.connect(compositor)
    fds = [memfd_buffer(32, 32, 128, color) for color in (0xFF0000, 0x00FF00)]
    first, second = (client.create_prime_buffer(fd, 32, 32, XRGB8888, 0, 128) for fd in fds)
    for fd in fds:
        os.close(fd)
    surface = client.show(first, 32, 32)
    view = compositor.wait_for_view("test.wl_drm")
    box = (view["x"], view["y"], 32, 32)
    # Composited (a frame read it), then a roundtrip: a release would have come by now.
    wait_for(lambda: shows(compositor, box, (255, 0, 0)), 10, what="the first buffer shown")
    client.roundtrip()
    assert client.released == [], "released while still on screen"
    locks = [b["locks"] for b in buffers(compositor)["clients"][0]["buffers"] if b["locks"]]
    assert locks == [1], "the shown buffer is locked once (by its texture)"
    client.attach(surface, second, 32, 32)
    wait_for(lambda: client.roundtrip() or first in client.released, 5, what="release")
    wait_for(lambda: shows(compositor, box, (0, 255, 0)), 10, what="the second buffer shown")
    client.roundtrip()
    assert client.released == [first], "exactly the replaced buffer is released, once"
    client.close()


def test_destroy_and_disconnect_free_fds_mappings_and_buffers(compositor, clients):
    before = compositor.open_fds()
    client = clients.connect(compositor)
    client.roundtrip()
    baseline = compositor.open_fds()  # with the client's connection
    made = []
    for color in (0x101010, 0x202020, 0x303030):
        fd = memfd_buffer(64, 64, 256, color)
        made.append(client.create_prime_buffer(fd, 64, 64, XRGB8888, 0, 256))
        os.close(fd)
    client.roundtrip()
    assert live(compositor) == (3, 3, 3)
    assert compositor.open_fds() == baseline + 3  # one fd per buffer, held by the bridge
    surface = client.show(made[0], 64, 64)
    # Destroying a buffer that is not shown frees it at once.
    made[1].destroy()
    client.roundtrip()
    assert live(compositor) == (2, 2, 2)
    assert compositor.open_fds() == baseline + 2
    # Destroying the shown buffer keeps it until the texture lets go (the surface).
    made[0].destroy()
    client.roundtrip()
    assert live(compositor)[0] == 2
    surface.destroy()
    client.roundtrip()
    wait_for(lambda: live(compositor) == (1, 1, 1), 5, what="the shown buffer freed")
    # Disconnect frees the rest, with the client's socket.
    client.close()
    wait_for(lambda: live(compositor) == (0, 0, 0), 5, what="all buffers freed")
    wait_for(lambda: compositor.open_fds() == before, 5, what="fds back to before")
    assert buffers(compositor)["clients"] == []


def test_compositor_exits_cleanly_with_live_wl_drm_buffers(compositor, clients):
    client = clients.connect(compositor)
    fd = memfd_buffer(100, 80, 400, 0x445566)
    buffer = client.create_prime_buffer(fd, 100, 80, XRGB8888, 0, 400)
    os.close(fd)
    client.show(buffer, 100, 80)
    compositor.wait_for_view("test.wl_drm")
    assert compositor.stop() == 0  # no traceback, socket removed (checked by stop)
    assert "buffers still alive at exit" not in compositor.log()
    client.close()


def test_buffers_command_lists_each_clients_buffers(compositor, clients):
    a, b = clients.connect(compositor), clients.connect(compositor)
    for client, count in ((a, 2), (b, 1)):
        for _ in range(count):
            fd = memfd_buffer(40, 30, 160, 0x777777)
            client.create_prime_buffer(fd, 40, 30, ARGB8888, 0, 160)
            os.close(fd)
        client.roundtrip()
    table = buffers(compositor)
    assert table["device"] == "/dev/dri/renderD128" and table["device_kind"] == "render"
    counts = sorted(c["count"] for c in table["clients"])
    assert counts == [1, 2]
    assert all(c["pid"] == os.getpid() for c in table["clients"])  # in-process clients
    entry = table["clients"][0]["buffers"][0]
    assert entry["format"] == "argb8888" and entry["fourcc"] == "AR24"
    assert (entry["width"], entry["height"], entry["bytes"]) == (40, 30, 4800)
    assert entry["source"] == "prime"
    help_text = compositor.ctl_ok("help")["commands"]
    assert "buffers" in help_text
    a.close()
    b.close()


def test_every_buffer_is_logged_at_debug_level(make_compositor, clients):
    comp = make_compositor(args=[*WL_DRM_TEST_ARGS, "--log-level", "debug"])
    client = clients.connect(comp)
    fd = memfd_buffer(20, 10, 80, 0x123456)
    client.create_prime_buffer(fd, 20, 10, XRGB8888, 0, 80)
    os.close(fd)
    client.roundtrip()
    client.close()
    wait_for(lambda: "buffer #1 freed" in comp.log(), 5, what="the free log line")
    line = next(ln for ln in comp.log().splitlines() if "buffer #1 (wl_buffer@" in ln)
    for part in (f"pid {os.getpid()}", "20x10", "XR24", "planes=[(0, 80)]", "mmap -> pixman"):
        assert part in line, (part, line)


@pytest.mark.skipif(bool(glob.glob("/dev/dri/*")), reason="this machine has DRM nodes")
@needs("weston-simple-egl")
def test_without_a_drm_node_there_is_no_wl_drm_and_mesa_starts_quietly(make_compositor, clients):
    comp = make_compositor()  # --wl-drm-device auto, on a machine with no /dev/dri
    client = clients.connect(comp)
    assert client.wl_drm is None
    client.close()
    assert "wl_drm: not offered: no DRM node here" in comp.log()
    egl = comp.spawn(["weston-simple-egl"], text=True)
    comp.wait_for_view("org.freedesktop.weston.simple-egl", timeout=30)
    # It renders (software GL over wl_shm) and said nothing about a DRM node on its way.
    wait_for(lambda: comp.frames() > 10, 20, what="frames")
    egl.terminate()
    output = egl.communicate(timeout=10)[0]
    assert "libEGL warning" not in output and "renderD128" not in output, output


def test_no_wl_drm_option_hides_the_global(make_compositor, clients):
    comp = make_compositor(args=["--no-wl-drm"])
    client = clients.connect(comp)
    assert client.wl_drm is None
    client.close()


def test_shared_memfd_is_sealed_so_the_client_cannot_shrink_it(compositor, clients, tmp_path):
    # A shrunk memfd under the compositor's mapping would SIGBUS it at the next frame.
    client = clients.connect(compositor)
    fd = memfd_buffer(64, 64, 256, 0x00FF00)
    buffer = client.create_prime_buffer(fd, 64, 64, XRGB8888, 0, 256)
    client.show(buffer, 64, 64)
    view = compositor.wait_for_view("test.wl_drm")
    box = (view["x"], view["y"], 64, 64)
    wait_for(lambda: shows(compositor, box, (0, 255, 0)), 10, what="the buffer on screen")
    with pytest.raises(PermissionError):
        os.ftruncate(fd, 0)
    os.close(fd)
    # A full render reads the whole mapping again (a screencopy would only redraw damage):
    # from a shrunk memfd that read would SIGBUS the compositor (checked without the seal).
    path = tmp_path / "after-ftruncate.png"
    compositor.ctl_ok("screenshot", path=str(path))
    assert region_is(Image.open(path).convert("RGB"), box, (0, 255, 0))
    assert compositor.alive()
