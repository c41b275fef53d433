"""Formats and modifiers refused to a client (compositor/format_rules.py), on the host: wl_drm
(the host's only dma-buf-like path: pixman offers no linux-dmabuf) by a configuration rule and
by option. linux-dmabuf's filtered global is tested in the QEMU guest with real programs
(tests/limits/test_format_rules_vm.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from compositor.fourcc import ARGB8888, XRGB8888
from tests.clients.wl_drm_client import WlDrmClient, memfd_buffer
from tests.conftest import WL_DRM_TEST_ARGS
from tests.harness import wait_for
from tests.helpers import region_is, rgb

PYTHON = Path(sys.executable).resolve().name  # /proc/PID/exe of this process: the client
WL_DRM_INVALID_FORMAT = 1  # wl_drm.error.invalid_format


def connect(comp) -> WlDrmClient:
    return WlDrmClient(str(comp.runtime_dir / comp.socket))


def mine(comp) -> dict:
    (client,) = comp.ctl_ok("clients", pid=os.getpid())["clients"]
    return client


def show_buffer(comp, client: WlDrmClient, fmt: int, color: int, app_id: str) -> None:
    """A 64x48 buffer of ``fmt`` in a window; waits until its colour is on screen."""
    fd = memfd_buffer(64, 48, 256, color)
    buffer = client.create_prime_buffer(fd, 64, 48, fmt, 0, 256)
    os.close(fd)
    client.show(buffer, 64, 48, app_id)
    view = comp.wait_for_view(app_id)
    box = (view["x"], view["y"], 64, 48)
    wait_for(
        lambda: region_is(comp.screenshot(), box, rgb(f"{color:06x}")), 20, what=f"{app_id} shown"
    )


def refused_buffer(client: WlDrmClient, fmt: int):
    fd = memfd_buffer(64, 48, 256, 0x102030)
    client.create_prime_buffer(fd, 64, 48, fmt, 0, 256)
    os.close(fd)
    return client.expect_error()


def test_a_rule_refuses_a_format_on_wl_drm_and_others_keep_it(make_compositor, tmp_path):
    """refuse_formats=["XR24"] for this program: its wl_drm lists no XRGB8888 and refuses an
    XRGB8888 buffer with invalid_format (it may still show ARGB8888); `clients` says "rule".
    After a reload without the rule, a new client has XRGB8888 back and shows it: the rule
    changed nothing for others, and nothing of the first client is held after it left."""
    config = tmp_path / "config.py"
    config.write_text(f"client_limits(exe={PYTHON!r}, refuse_formats=['XR24'])\n")
    comp = make_compositor(args=["--config", str(config), *WL_DRM_TEST_ARGS])
    full = comp.ctl_ok("buffers")["formats"]
    assert "XR24" in full and "AR24" in full, full

    restricted = connect(comp)
    try:
        offered = restricted.events.formats
        assert XRGB8888 not in offered and ARGB8888 in offered, offered
        assert sorted(offered) == sorted(f for f in offered if f != XRGB8888)
        assert restricted.events.capabilities == 1  # PRIME: formats are left
        refused = mine(comp)["limits"]["formats_refused"]
        assert refused == {
            "by": "rule", "formats": ["XR24"], "modifiers": [], "linux_dmabuf": "not offered",
        }, refused  # fmt: skip
        show_buffer(comp, restricted, ARGB8888, 0x20C040, "fmt.argb")
        assert (
            "formats and modifiers XR24 refused to it by rule (client_limits): linux-dmabuf "
            "and wl_drm do not offer them" in mine(comp)["diagnosis"]
        )
        error = refused_buffer(restricted, XRGB8888)
        assert (error.interface, error.code) == ("wl_drm", WL_DRM_INVALID_FORMAT), error
    finally:
        restricted.close()
    assert (
        f"refused create_prime_buffer from pid {os.getpid()}: XR24 refused to this client: "
        "its format, by rule (client_limits)" in comp.log()
    )
    wait_for(
        lambda: comp.ctl_ok("limits")["objects"]["formats_refused"]["clients_by_rule"] == 0,
        20, what="the restricted client's record freed",
    )  # fmt: skip

    config.write_text("# no rules\n")
    assert comp.ctl_ok("reload")["loaded"]
    free = connect(comp)
    try:
        assert XRGB8888 in free.events.formats
        assert len(free.events.formats) == len(offered) + 1
        assert mine(comp)["limits"]["formats_refused"] is None
        show_buffer(comp, free, XRGB8888, 0xC04020, "fmt.xrgb")
    finally:
        free.close()


def test_refusing_the_implicit_modifier_by_option_leaves_wl_drm_empty(make_compositor):
    """--refuse-modifier INVALID: wl_drm buffers have no explicit modifier, so none is left:
    no format, no PRIME capability, and a buffer is refused; --refuse-format alone leaves
    the rest. `clients` says "option"."""
    comp = make_compositor(
        args=["--refuse-format", "AR24", "--refuse-modifier", "INVALID", *WL_DRM_TEST_ARGS]
    )
    client = connect(comp)
    try:
        assert client.events.formats == [] and client.events.capabilities is None
        assert mine(comp)["limits"]["formats_refused"] == {
            "by": "option", "formats": ["AR24"], "modifiers": ["INVALID"],
            "linux_dmabuf": "not offered",
        }  # fmt: skip
        error = refused_buffer(client, XRGB8888)
        assert (error.interface, error.code) == ("wl_drm", WL_DRM_INVALID_FORMAT), error
    finally:
        client.close()
    assert "XR24 refused to this client: its implicit modifier (INVALID), by " \
        "--refuse-modifier" in comp.log()  # fmt: skip


def test_a_bad_format_name_is_refused_with_what_to_give(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "compositor", "--refuse-format", "XRGB8888"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2, run
    assert "--refuse-format: 'XRGB8888' is not a DRM format: give its fourcc like XR24" in (
        run.stderr
    )
    run = subprocess.run(
        [sys.executable, "-m", "compositor", "--refuse-modifier", "TILED"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2 and "give LINEAR, INVALID" in run.stderr, run
