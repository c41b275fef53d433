"""The pure wl_drm request validator: a table of bad fields, then a hypothesis fuzz.

The fuzz states the validator's contract over thousands of random argument sets: it either
raises RequestError naming a real field with a protocol error kind, or returns a layout in
which every plane has a stride of at least one row and lies inside the buffer once
check_fits accepts the size; nothing else ever escapes.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from compositor.wl_drm.formats import ARGB8888, FORMATS, NV12, XRGB8888, fourcc, fourcc_name
from compositor.wl_drm.validation import (
    INT32_MAX,
    MAX_BUFFER_BYTES,
    ErrorKind,
    RequestError,
    check_fits,
    check_request,
)

MAX = 16384
INT32 = st.integers(-(1 << 31), INT32_MAX)
PLANE_FIELDS = {f"{k}{i}" for k in ("offset", "stride") for i in range(3)}
FIELDS = {"format", "width", "height", "name"} | PLANE_FIELDS


def request(fmt=XRGB8888, w=64, h=32, offsets=(0, 0, 0), strides=(256, 0, 0), offered=None):
    return check_request(fmt, w, h, offsets, strides, MAX, offered)


def test_good_single_plane_layout():
    layout = request()
    assert layout.end == 256 * 32 and len(layout.planes) == 1
    check_fits(layout, 256 * 32)


def test_good_nv12_layout_has_half_height_chroma():
    layout = request(NV12, 64, 32, (0, 2048, 0), (64, 64, 0))
    assert [p.end for p in layout.planes] == [2048, 2048 + 64 * 16]
    check_fits(layout, 2048 + 1024)
    with pytest.raises(RequestError) as exc:
        check_fits(layout, 2048 + 1023)
    assert exc.value.kind == ErrorKind.INVALID_NAME


@pytest.mark.parametrize(
    ("args", "kind", "field", "words"),
    [
        ({"fmt": 0x12345678}, ErrorKind.INVALID_FORMAT, "format", "not offered"),
        ({"fmt": fourcc("C8")}, ErrorKind.INVALID_FORMAT, "format", "C8"),
        ({"fmt": NV12, "offered": [XRGB8888]}, ErrorKind.INVALID_FORMAT, "format", "NV12"),
        ({"w": 0}, ErrorKind.INVALID_ARGUMENT, "width", "out of range 1..16384"),
        ({"w": -1}, ErrorKind.INVALID_ARGUMENT, "width", "width -1"),
        ({"h": MAX + 1}, ErrorKind.INVALID_ARGUMENT, "height", "--max-buffer-size"),
        ({"offsets": (-4, 0, 0)}, ErrorKind.INVALID_ARGUMENT, "offset0", "out of range"),
        ({"strides": (-256, 0, 0)}, ErrorKind.INVALID_ARGUMENT, "stride0", "is invalid"),
        ({"strides": (255, 0, 0)}, ErrorKind.INVALID_ARGUMENT, "stride0", "needs 256 to"),
        (
            {"fmt": NV12, "offsets": (0, 2048, 0), "strides": (64, 63, 0)},
            ErrorKind.INVALID_ARGUMENT,
            "stride1",
            "plane 1",
        ),
        (
            {"fmt": NV12, "offsets": (0, -1, 0), "strides": (64, 64, 0)},
            ErrorKind.INVALID_ARGUMENT,
            "offset1",
            "offset1 -1",
        ),
        (
            {"w": MAX, "h": MAX, "strides": (INT32_MAX, 0, 0)},
            ErrorKind.INVALID_ARGUMENT,
            "stride0",
            "limit",
        ),
    ],
)
def test_each_bad_field_is_named(args, kind, field, words):
    with pytest.raises(RequestError) as exc:
        request(**args)
    assert (exc.value.kind, exc.value.field) == (kind, field)
    assert words in str(exc.value)


def test_planes_a_format_lacks_are_ignored():
    # Mesa's clients send zeros (or anything) for planes XRGB8888 does not have.
    layout = request(offsets=(0, -5, 99), strides=(256, -1, 7))
    assert [(p.offset, p.stride, p.end) for p in layout.planes] == [(0, 256, 256 * 32)]


@pytest.mark.parametrize(
    ("size", "field", "words"),
    [(8191, "name", "needs 8192 bytes"), (100, "name", "too small")],
)
def test_fd_too_small(size, field, words):
    with pytest.raises(RequestError) as exc:
        check_fits(request(), size)
    assert (exc.value.kind, exc.value.field) == (ErrorKind.INVALID_NAME, field)
    assert words in str(exc.value)


def test_offset_past_the_end():
    with pytest.raises(RequestError) as exc:
        check_fits(request(offsets=(10000, 0, 0)), 9000)
    assert exc.value.field == "offset0" and "past the end" in str(exc.value)


def test_fourcc_names_round_trip():
    assert fourcc_name(XRGB8888) == "XR24" and fourcc_name(ARGB8888) == "AR24"
    assert fourcc_name(0x01020304) == "0x01020304"


formats = st.one_of(st.sampled_from(sorted(FORMATS)), st.integers(0, (1 << 32) - 1))
interesting = st.one_of(
    INT32,
    st.sampled_from([0, 1, -1, 3, 4, 64, 255, 256, 4096, MAX, MAX + 1, INT32_MAX, -(1 << 31)]),
)


@settings(max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt=formats,
    width=interesting,
    height=interesting,
    offsets=st.tuples(interesting, interesting, interesting),
    strides=st.tuples(interesting, interesting, interesting),
    size=st.one_of(st.integers(0, 1 << 42), st.sampled_from([0, 1, 4096, 1 << 20])),
)
def test_fuzz_validator_contract(fmt, width, height, offsets, strides, size):
    try:
        layout = check_request(fmt, width, height, offsets, strides, MAX)
    except RequestError as exc:
        assert exc.field in FIELDS and isinstance(exc.kind, ErrorKind) and str(exc)
        event(f"refused: {exc.field}")
        return
    f = FORMATS[fmt]
    assert 0 < width <= MAX and 0 < height <= MAX
    assert len(layout.planes) == f.n_planes
    for i, (plane, spec) in enumerate(zip(layout.planes, f.planes, strict=True)):
        assert plane.offset == offsets[i] and 0 <= plane.offset <= INT32_MAX
        assert plane.stride == strides[i] <= INT32_MAX  # fits the bridge's uint32_t
        assert plane.stride >= -(-width // spec.hsub) * spec.cpp
        assert plane.end == plane.offset + plane.stride * -(-height // spec.vsub)
    assert layout.end <= MAX_BUFFER_BYTES
    try:
        check_fits(layout, size)
    except RequestError as exc:
        assert exc.kind == ErrorKind.INVALID_NAME and exc.field in FIELDS
        assert layout.end > size
        event("valid request, fd too small")
        return
    assert all(p.end <= size for p in layout.planes)
    event(f"accepted ({f.n_planes} plane{'s' if f.n_planes > 1 else ''})")


@st.composite
def near_valid(draw):
    """Requests around the edges of validity: strides, offsets and sizes off by a little."""
    f = FORMATS[draw(st.sampled_from(sorted(FORMATS)))]
    width = draw(st.one_of(st.integers(1, 300), st.sampled_from([1, 2, 3, MAX, MAX + 1, 0])))
    height = draw(st.one_of(st.integers(1, 300), st.sampled_from([1, 2, 3, MAX, 0])))
    offsets, strides, cursor = [0, 0, 0], [0, 0, 0], 0
    for i, plane in enumerate(f.planes):
        row = -(-max(width, 1) // plane.hsub) * plane.cpp
        strides[i] = row + draw(st.integers(-3, 64))
        offsets[i] = cursor + draw(st.integers(-2, 8192))
        cursor = offsets[i] + strides[i] * -(-max(height, 1) // plane.vsub)
    size = max(0, cursor + draw(st.integers(-4096, 4096)))
    return f.code, width, height, tuple(offsets), tuple(strides), size


@settings(max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_valid())
def test_fuzz_near_valid_requests(case):
    test_fuzz_validator_contract.hypothesis.inner_test(*case)
