"""wayland-info, a real client, lists the globals the compositor promises."""

from __future__ import annotations

import re

from tests.conftest import needs
from tests.helpers import solid_window

EXPECTED = {
    "wl_compositor",
    "wl_subcompositor",
    "wl_shm",
    "wl_seat",
    "wl_output",
    "wl_data_device_manager",
    "xdg_wm_base",
    "zxdg_output_manager_v1",
    "wp_viewporter",
    "wp_presentation",
    "zwlr_screencopy_manager_v1",
    "zwp_primary_selection_device_manager_v1",
}


def interfaces(text: str) -> set[str]:
    return set(re.findall(r"interface: '([^']+)'", text))


@needs("wayland-info")
def test_wayland_info_lists_expected_globals(compositor):
    result = compositor.run_client(["wayland-info"])
    assert result.returncode == 0, result.stderr
    found = interfaces(result.stdout)
    assert EXPECTED <= found, f"missing: {EXPECTED - found}"
    # pixman renders on the CPU: no dma-buf import, so linux-dmabuf must not be offered.
    assert "zwp_linux_dmabuf_v1" not in found
    # wl_shm advertises the two mandatory formats (wayland-info prints fourcc codes).
    assert "'AR24'" in result.stdout and "'XR24'" in result.stdout


@needs("wayland-info")
def test_outputs_option_creates_outputs_left_to_right(make_compositor):
    comp = make_compositor(args=["--outputs", "2"], width=320, height=200)
    outputs = comp.ctl_ok("outputs")["outputs"]
    assert [(o["x"], o["y"], o["width"], o["height"]) for o in outputs] == [
        (0, 0, 320, 200),
        (320, 0, 320, 200),
    ]
    result = comp.run_client(["wayland-info"])
    assert result.stdout.count("interface: 'wl_output'") == 2


def test_headless_hotplug_keeps_outputs_packed_left_to_right(make_compositor):
    comp = make_compositor(args=["--outputs", "2"], width=320, height=200)
    comp.ctl_ok("output-add", width=400, height=300)

    def layout():
        outputs = sorted(comp.ctl_ok("outputs")["outputs"], key=lambda o: o["x"])
        return [(o["name"], o["x"], o["width"]) for o in outputs]

    before = layout()
    assert [(x, w) for _, x, w in before] == [(0, 320), (320, 320), (640, 400)]
    assert before[-1][0] == "HEADLESS-3"  # a new output goes to the right
    comp.ctl_ok("output-remove", name=before[0][0])  # pull the leftmost
    assert layout() == [(before[1][0], 0, 320), ("HEADLESS-3", 320, 400)]
    # Clients see the change: wl_output globals follow.
    result = comp.run_client(["wayland-info"])
    assert result.stdout.count("interface: 'wl_output'") == 2
    assert "no output named" in comp.ctl("output-remove", name="nope")["error"]
    # Pixels still reach the remaining outputs.
    _, view = solid_window(comp, "5588aa", "test.after-hotplug")
    assert comp.screenshot().getpixel((view["x"] + 5, view["y"] + 5)) == (0x55, 0x88, 0xAA)
