"""wlroots' GLES2 renderer on real clients in the VM (Mesa 25 kms_swrast on virtio-gpu):
shm and dma-buf windows composited by GL, zero CPU copies on the dma-buf path, screenshot,
overlay, and the real scanout. One boot for all (tests/vm/scenarios/gl.py)."""

from __future__ import annotations

import pytest

from tests.vm.suite import Scenario, boot_scenario

pytestmark = [pytest.mark.vm, pytest.mark.slow]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return boot_scenario("gl")


def test_auto_picks_gles2_on_a_render_node(scenario):
    scenario.check("auto_picks_gles2")


def test_shm_window_composited_by_gl_with_uploads_counted(scenario):
    scenario.check("shm_window")


def test_dmabuf_window_composited_with_zero_cpu_copies(scenario):
    entry = scenario.check("dmabuf_window")
    assert entry["copy_stats"]["dmabuf_import"]["bytes"] == 0


def test_wl_drm_prime_buffer_imported_by_gl_with_zero_copies(scenario):
    scenario.check("wl_drm_prime")


def test_animated_clients_keep_the_dmabuf_path_zero_copy(scenario):
    scenario.check("animated_clients")


def test_screenshot_command_matches_grim(scenario):
    scenario.check("screenshot")


def test_gl_overlay_pass_shows_and_goes(scenario):
    scenario.check("overlay")


def test_server_side_title_bars_on_gles2(scenario):
    scenario.check("title_bars")


def test_gtk3_qt5_and_x11_windows_on_gles2(scenario):
    scenario.check("toolkits")


def test_gtk3_qt5_and_x11_windows_on_the_drm_backend(scenario):
    scenario.check("toolkits_drm")


def test_gles2_compositor_exits_cleanly(scenario):
    scenario.check("clean_exit")


def test_auto_with_debian_mesa_renders_right_or_falls_back(scenario):
    scenario.check("auto_host_mesa")


def test_gles2_on_the_drm_backend_reaches_the_scanout(scenario):
    # Also: on the same GL stack as the first compositor, after the toolkit clients ran
    # there (the drm compositor once got Debian's Mesa 22.3 then, and segfaulted).
    scenario.check("drm_scanout")
