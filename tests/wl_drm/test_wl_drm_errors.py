"""Bad wl_drm requests against a real compositor: the exact protocol error for each, the
offending client alone is disconnected, no fd leaks, and a well-behaved client
(weston-simple-shm) keeps getting frames. Then a live fuzz checked against the protocol's
rules, stated again in the test as its oracle (not taken from the compositor's validator).
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, event, given, settings

from compositor.wl_drm.formats import XRGB8888, fourcc
from compositor.wl_drm.quotas import ClientUsage, FlinkNames, OwnershipError, QuotaError, Quotas
from tests.clients.wl_drm_client import ClientGroup, WlDrmClient
from tests.conftest import WL_DRM_TEST_ARGS, needs
from tests.harness import CompositorProcess, wait_for
from tests.wl_drm.test_wl_drm_validation import near_valid

MAX_BUFFERS = 3
MAX_BYTES = 4 << 20
SIMPLE_SHM = "org.freedesktop.weston.simple-shm"


@pytest.fixture(scope="module")
def comp(tmp_path_factory) -> Iterator[CompositorProcess]:
    """One compositor for the module, with weston-simple-shm animating next to the tests."""
    limits = ["--max-client-buffers", str(MAX_BUFFERS), "--max-client-bytes", str(MAX_BYTES)]
    limits += WL_DRM_TEST_ARGS
    proc = CompositorProcess(tmp_path_factory.mktemp("wl_drm_errors"), args=limits).start()
    proc.spawn(["weston-simple-shm"])
    proc.wait_for_view(SIMPLE_SHM)
    proc.baseline_fds = proc.open_fds()  # type: ignore[attr-defined]
    yield proc
    proc.stop()


@pytest.fixture
def clients() -> Iterator[ClientGroup]:
    group = ClientGroup()
    yield group
    group.close_all()


def memfd(size: int, flags: int = os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING) -> Callable[[], int]:
    def make() -> int:
        fd = os.memfd_create("wl-drm-bad", flags)
        os.ftruncate(fd, size)
        return fd

    return make


def pipe_fd() -> int:
    r, w = os.pipe()
    os.close(w)
    return r


def socket_fd() -> int:
    a, b = socket.socketpair()
    b.close()
    return a.detach()


def write_only_memfd() -> int:
    """The same sealed memfd, reopened write-only: sized and sealed, but not mappable."""
    fd = memfd(8192)()
    fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK)
    wronly = os.open(f"/proc/self/fd/{fd}", os.O_WRONLY | os.O_CLOEXEC)
    os.close(fd)
    return wronly


def regular_file() -> int:
    path = f"/tmp/wl-drm-file-{os.getpid()}"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    os.unlink(path)
    os.ftruncate(fd, 8192)
    return fd


DEFAULT_FD = memfd(8192)


def prime(make_fd=DEFAULT_FD, w=64, h=32, fmt=XRGB8888, planes=(0, 256, 0, 0, 0, 0)):
    def send(client: WlDrmClient) -> None:
        fd = make_fd()
        try:
            client.create_prime_buffer(fd, w, h, fmt, *planes)
        finally:
            os.close(fd)

    return send


def many(count: int, size: int):
    def send(client: WlDrmClient) -> None:
        for _ in range(count - 1):
            prime(memfd(size), planes=(0, 256, 0, 0, 0, 0))(client)
        # The ones within the limits are accepted: a roundtrip, with no error, before the
        # last one (ConnectionLost here means a limit was off by one).
        client.roundtrip()
        prime(memfd(size), planes=(0, 256, 0, 0, 0, 0))(client)

    return send


CASES = {
    "unknown_format": (prime(fmt=0x12345678), "wl_drm", 1, "is not offered"),
    # NV12 and YUV420 are converted for pixman (test_wl_drm_yuv.py); NV16 is not offered.
    "nv16_not_offered_by_pixman": (
        prime(fmt=fourcc("NV16"), planes=(0, 64, 2048, 64, 0, 0)),
        "wl_drm",
        1,
        "format NV16",
    ),
    "zero_width": (prime(w=0), "wl_display", 1, "width 0 is out of range"),
    "negative_height": (prime(h=-5), "wl_display", 1, "height -5 is out of range"),
    "too_wide": (prime(w=16385), "wl_display", 1, "--max-buffer-size"),
    "negative_offset": (prime(planes=(-1, 256, 0, 0, 0, 0)), "wl_display", 1, "offset0 -1"),
    "negative_stride": (prime(planes=(0, -256, 0, 0, 0, 0)), "wl_display", 1, "stride0 -256"),
    "short_stride": (prime(planes=(0, 255, 0, 0, 0, 0)), "wl_display", 1, "stride0 255 is invalid"),
    "huge_stride_overflow": (
        prime(w=16384, h=16384, planes=(0, 2**31 - 1, 0, 0, 0, 0)),
        "wl_display",
        1,
        "byte limit",
    ),
    "huge_buffer_small_fd": (
        prime(memfd(4096), w=16384, h=16384, planes=(0, 65536, 0, 0, 0, 0)),
        "wl_drm",
        2,
        "needs 1073741824 bytes, the fd has 4096",
    ),
    "fd_too_small": (prime(memfd(8191)), "wl_drm", 2, "needs 8192 bytes, the fd has 8191"),
    "offset_past_end": (
        prime(planes=(8192, 256, 0, 0, 0, 0)),
        "wl_drm",
        2,
        "offset0 8192 is past the end",
    ),
    "empty_fd": (prime(memfd(0)), "wl_drm", 2, "empty"),
    "pipe_fd": (prime(pipe_fd), "wl_drm", 2, "the fd is a pipe"),
    "socket_fd": (prime(socket_fd), "wl_drm", 2, "the fd is a socket"),
    "unmappable_fd": (prime(write_only_memfd), "wl_drm", 2, "cannot map the buffer"),
    "unsealable_memfd": (prime(memfd(8192, os.MFD_CLOEXEC)), "wl_drm", 2, "MFD_ALLOW_SEALING"),
    "regular_file": (prime(regular_file), "wl_drm", 2, "sealable against shrinking"),
    "flink_create_buffer": (
        lambda c: c.create_buffer(7, 64, 32, 256, XRGB8888),
        "wl_drm",
        2,
        "flink names are refused",
    ),
    "flink_create_planar_buffer": (
        lambda c: c.create_planar_buffer(7, 64, 32, XRGB8888, 0, 256, 0, 0, 0, 0),
        "wl_drm",
        2,
        "--allow-flink",
    ),
    "quota_buffers": (many(MAX_BUFFERS + 1, 8192), "wl_display", 2, "--max-client-buffers"),
    "quota_bytes": (many(2, 3 << 20), "wl_display", 2, "--max-client-bytes"),
}


def refused(comp, clients, capfd, send, interface, code, words) -> None:
    frames = comp.frames()
    fds = comp.open_fds()
    client = clients.connect(comp)
    send(client)
    error = client.expect_error()
    assert (error.interface, error.code) == (interface, code)
    assert words in capfd.readouterr().err  # libwayland-client prints the error message
    client.close()
    wait_for(lambda: comp.open_fds() == fds, 5, what=f"the compositor's fds back to {fds}")
    table = comp.ctl_ok("buffers")
    assert (table["live"], table["native_live"], table["mapped"]) == (0, 0, 0)
    # The well-behaved client was never disturbed.
    wait_for(lambda: comp.frames() >= frames + 10, 10, what="weston-simple-shm frames")
    assert comp.alive() and "Traceback" not in comp.log()


@needs("weston-simple-shm")
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_request_is_refused_with_the_exact_error(comp, clients, capfd, case):
    send, interface, code, words = CASES[case]
    refused(comp, clients, capfd, send, interface, code, words)


@needs("weston-simple-shm")
def test_allow_flink_still_needs_a_primary_node(make_compositor, clients, capfd):
    comp = make_compositor(args=[*WL_DRM_TEST_ARGS, "--allow-flink"])
    client = clients.connect(comp)
    client.create_buffer(7, 64, 32, 256, XRGB8888)
    error = client.expect_error()
    assert (error.interface, error.code) == ("wl_drm", 2)
    assert "primary DRM node" in capfd.readouterr().err
    assert "flink allowed (legacy)" in comp.log()


def test_flink_names_belong_to_the_first_client_that_presents_them():
    names = FlinkNames()
    a, b = ClientUsage(pid=1), ClientUsage(pid=2)
    names.claim(5, a)
    names.claim(5, a)  # its own name again: fine
    with pytest.raises(OwnershipError, match="belongs to another client"):
        names.claim(5, b)
    names.release(a)  # a disconnected
    names.claim(5, b)
    assert len(names) == 1


def test_quota_arithmetic():
    quotas = Quotas(max_buffers=2, max_bytes=100)
    usage = ClientUsage(pid=1, buffers=1, bytes=60)
    quotas.check(usage, 40)
    with pytest.raises(QuotaError, match="--max-client-bytes"):
        quotas.check(usage, 41)
    usage.buffers = 2
    with pytest.raises(QuotaError, match="--max-client-buffers"):
        quotas.check(usage, 1)


def _code(name: str) -> int:
    return int.from_bytes(name.encode(), "little")


# The live fuzz's oracle, written from the protocol and drm_fourcc.h rather than taken from
# the compositor's validator: what a pixman compositor offers, each format's planes as
# (bytes per pixel block, horizontal, vertical subsampling).
RGB32 = [(4, 1, 1)]
OFFERED_PLANES = {
    **dict.fromkeys(("AR24", "XR24", "AB24", "XB24", "RA24", "RX24", "BA24", "BX24"), RGB32),
    **dict.fromkeys(("AR30", "XR30", "AB30", "XB30"), RGB32),
    "RG16": [(2, 1, 1)],
    "BG16": [(2, 1, 1)],
    "NV12": [(1, 1, 1), (2, 2, 2)],  # Y, then CbCr pairs at half width and height
    "YU12": [(1, 1, 1), (1, 2, 2), (1, 2, 2)],  # Y, Cb, Cr
}
MAX_SIZE = 16384  # --max-buffer-size's default
INT32_MAX = (1 << 31) - 1
MAX_PLANE_END = 1 << 40  # the most the compositor maps
INVALID_FORMAT, INVALID_NAME = ("wl_drm", 1), ("wl_drm", 2)
INVALID_METHOD, NO_MEMORY = ("wl_display", 1), ("wl_display", 2)


def _expected(case) -> tuple[str, int] | None:
    """What the compositor must answer: the format offered, else invalid_format; width and
    height in 1..MAX_SIZE, each plane's offset in 0..INT32_MAX and its stride at least a
    row of its pixels, else a malformed request (invalid_method); then the fd's size: not
    empty, and each plane (its offset, and stride * rows after it) inside it, else
    invalid_name; last the per-client byte quota (no_memory)."""
    fmt, width, height, offsets, strides, size = case
    planes = {_code(name): p for name, p in OFFERED_PLANES.items()}.get(fmt)
    if planes is None:
        return INVALID_FORMAT
    if not (1 <= width <= MAX_SIZE and 1 <= height <= MAX_SIZE):
        return INVALID_METHOD
    ends = []
    for (cpp, hsub, vsub), offset, stride in zip(planes, offsets, strides, strict=False):
        row_bytes = -(-width // hsub) * cpp
        rows = -(-height // vsub)
        if not 0 <= offset <= INT32_MAX or not row_bytes <= stride <= INT32_MAX:
            return INVALID_METHOD
        if offset + stride * rows > MAX_PLANE_END:
            return INVALID_METHOD
        ends.append((offset, offset + stride * rows))
    if size == 0 or any(offset >= size or end > size for offset, end in ends):
        return INVALID_NAME
    if size > MAX_BYTES:
        return NO_MEMORY
    return None


def test_the_oracle_offers_what_the_compositor_offers(comp):
    """The live fuzz's formats are the ones the compositor advertises, no more, no less."""
    group = ClientGroup()
    try:
        client = group.connect(comp)
        assert sorted(client.events.formats) == sorted(map(_code, OFFERED_PLANES))
    finally:
        group.close_all()


LIVE_FUZZ_EXAMPLES = 300


@needs("weston-simple-shm")
@settings(
    max_examples=LIVE_FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=near_valid())
def test_live_fuzz_answers_as_the_protocol_rules_say(comp, case):
    fmt, width, height, offsets, strides, size = case
    planes = [v for pair in zip(offsets, strides, strict=True) for v in pair]
    group = ClientGroup()
    try:
        client = group.connect(comp)
        expected = _expected(case)
        event(f"expected: {expected or 'accepted'}")
        prime(memfd(size), width, height, fmt, tuple(planes))(client)
        if expected is None:
            client.roundtrip()
            assert comp.ctl_ok("buffers")["live"] == 1
        else:
            error = client.expect_error()
            assert (error.interface, error.code) == expected, case
    finally:
        group.close_all()


@needs("weston-simple-shm")
def test_after_the_live_fuzz_nothing_leaked(comp):
    # Runs after the fuzz (file order): the compositor is alive, holds no wl_drm buffer,
    # and weston-simple-shm still animates.
    frames = comp.frames()
    wait_for(lambda: comp.ctl_ok("buffers")["native_live"] == 0, 5, what="buffers freed")
    wait_for(lambda: comp.open_fds() == comp.baseline_fds, 5, what="fds back to the start")
    wait_for(lambda: comp.frames() >= frames + 10, 10, what="weston-simple-shm frames")
    assert comp.alive() and "Traceback" not in comp.log()
