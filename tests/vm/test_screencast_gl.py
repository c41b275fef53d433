"""Screen sharing (issue 24) on wlroots' GLES2 renderer in the VM (Mesa's llvmpipe via
kms_swrast on virtio-gpu) with a real PipeWire daemon and GStreamer's pipewiresrc: output,
window and region streams read back through GL, a resize, the end when the window closes,
and the cost per shared frame beside pixman's. One boot for all
(tests/vm/scenarios/screencast_gl.py)."""

from __future__ import annotations

import logging

import pytest

from tests.vm.suite import Scenario, boot_scenario

pytestmark = [pytest.mark.vm, pytest.mark.slow]
log = logging.getLogger(__name__)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return boot_scenario("screencast_gl", extra_devices=("virtio-tablet-pci",))


def test_gles2_is_the_renderer(scenario):
    scenario.check("gles2")


def test_output_stream_is_read_back_from_the_committed_buffer(scenario):
    scenario.check("output_stream")


def test_window_stream_is_rendered_by_gl_even_when_covered(scenario):
    scenario.check("window_stream")


def test_region_stream_cursor_embedded_hidden_or_metadata(scenario):
    scenario.check("region_cursor")


def test_window_stream_follows_a_resize(scenario):
    scenario.check("resize")


def test_window_close_ends_the_stream_and_frees_its_buffers(scenario):
    scenario.check("window_closed")


def test_drm_backend_output_and_window_streams(scenario):
    scenario.check("drm_output_stream")


def test_cost_per_shared_frame(scenario):
    gl = scenario.check("cost")["gles2"]
    pixman = scenario.check("cost_pixman")["pixman"]
    log.info("ms per shared frame: gles2 %s, pixman %s", gl, pixman)


def test_the_compositor_exits_cleanly(scenario):
    scenario.check("clean_exit")
