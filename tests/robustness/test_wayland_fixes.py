"""compositor/wayland_fixes.py: each workaround is needed, shown with a real compositor.

Without ``enable_requests`` pywayland drops every request on the wl_drm resource (so
``authenticate`` is never answered); without ``deliver_new_ids`` a request carrying a
``new_id`` fails to decode (so create_prime_buffer makes no wl_buffer and leaks nothing but
a traceback). These tests fail if either workaround is removed.
"""

from __future__ import annotations

import os

import pytest
from pywayland.protocol_core.argument import ArgumentType

from compositor import wayland_fixes
from compositor.wl_drm import protocol
from tests.clients.wl_drm_client import XRGB8888, ClientGroup, memfd_buffer, proxy_id


@pytest.fixture
def compositor(wl_drm_compositor):
    return wl_drm_compositor  # wl_drm needs a named node here (see conftest)


@pytest.fixture
def clients():
    group = ClientGroup()
    yield group
    group.close_all()


def test_requests_on_pywayland_resources_reach_their_handler(compositor, clients):
    client = clients.connect(compositor)
    client.authenticate(0x1234)
    client.roundtrip()
    assert client.events.authenticated == 1, "authenticate was dropped: no dispatcher data"
    client.close()
    assert "Traceback" not in compositor.log()


def test_new_id_arguments_arrive_as_the_client_chosen_id(compositor, clients):
    client = clients.connect(compositor)
    fd = memfd_buffer(8, 8, 32, 0x112233)
    buffer = client.create_prime_buffer(fd, 8, 8, XRGB8888, 0, 32)
    os.close(fd)
    client.roundtrip()
    table = compositor.ctl_ok("buffers")
    ids = [b["wl_buffer"] for c in table["clients"] for b in c["buffers"]]
    assert ids == [proxy_id(buffer)], f"the wl_buffer new_id did not arrive: {table}"
    assert "Traceback" not in compositor.log()
    client.close()


def test_deliver_new_ids_patches_only_new_id_requests_and_is_idempotent():
    wayland_fixes.deliver_new_ids(protocol.WlDrm)
    wayland_fixes.deliver_new_ids(protocol.WlDrm)
    for message in protocol.WlDrm.requests:
        has_new_id = any(a.argument_type == ArgumentType.NewId for a in message.arguments)
        patched = "c_to_arguments" in vars(message)
        assert patched == has_new_id, message.name
