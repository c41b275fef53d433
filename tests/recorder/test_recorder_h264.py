"""The H.264 bitstream writer, checked by FFmpeg: trace_headers parses what it writes,
the h264 decoder decodes it (I_PCM is lossless, so pixels compare exactly), and its Annex-B
packets mux into an MP4 that PyAV and ffprobe read back with the same timestamps.

No VA-API hardware needed: these are the headers the VA-API encoder packs for the driver.
"""

from __future__ import annotations

import re
from pathlib import Path

import av
import pytest

from compositor.recorder import h264_bitstream as hb
from compositor.recorder.muxer import Mp4Muxer
from tests.conftest import needs
from tests.recorder.test_recorder import ffprobe_frames

FIELD = re.compile(r"^\d+\s+(\w+(?:\[\d+\])*)\s+[01]+ = (-?\d+)$")
SECTIONS = ("Sequence Parameter Set", "Picture Parameter Set", "Slice Header")


def trace(stream_bytes: bytes, path: Path) -> list[tuple[str, dict[str, int]]]:
    """Run FFmpeg's trace_headers bitstream filter over an Annex-B stream (through PyAV)."""
    path.write_bytes(stream_bytes)
    previous = av.logging.get_level()
    av.logging.set_level(av.logging.INFO)
    try:
        with av.open(str(path), format="h264") as container, av.logging.Capture() as logs:
            stream = container.streams.video[0]
            bsf = av.bitstream.BitStreamFilterContext("trace_headers", in_stream=stream)
            for packet in container.demux(stream):
                bsf.filter(packet)
            bsf.filter(None)
    finally:
        av.logging.set_level(previous)
    units: list[tuple[str, dict[str, int]]] = []
    for _level, name, message in logs:
        text = message.strip()
        if name != "trace_headers":
            continue
        if text in SECTIONS:
            units.append((text, {}))
        elif units and (match := FIELD.match(text)):
            units[-1][1].setdefault(match[1], int(match[2]))
    return units


def planes(width: int, height: int, seed: int) -> tuple[bytes, bytes, bytes]:
    y = bytes(16 + (x * 7 + r * 3 + seed) % 220 for r in range(height) for x in range(width))
    u = bytes(60 + (x * 5 + seed) % 120 for r in range(height // 2) for x in range(width // 2))
    v = bytes(70 + (r * 9 + seed) % 110 for r in range(height // 2) for x in range(width // 2))
    return y, u, v


def pcm_stream(sps: hb.Sps, pps: hb.Pps, frames: int, seed: int = 0) -> tuple[list[bytes], tuple]:
    """An IDR of I_PCM macroblocks, then all-skip P frames: one Annex-B access unit each."""
    pictures = planes(sps.width_mbs * 16, sps.height_mbs * 16, seed)
    units = [
        hb.headers(sps, pps)
        + hb.pcm_idr_slice(sps, pps, hb.SliceHeader(hb.SLICE_I, 0, idr=True), *pictures)
    ]
    for n in range(1, frames):
        units.append(hb.skip_p_slice(sps, pps, hb.SliceHeader(hb.SLICE_P, n, poc_lsb=2 * n)))
    return units, pictures


def test_exp_golomb_and_emulation_prevention():
    w = hb.BitWriter()
    for value in (0, 1, 2, 3, 7):
        w.ue(value)
    w.se(-1)
    w.se(2)
    w.trailing_bits()
    codes = ["1", "010", "011", "00100", "0001000", "011", "00100"]
    assert format(int.from_bytes(w.rbsp(), "big"), f"0{len(w)}b") == "".join(codes) + "10000"
    assert hb.escape(b"\x00\x00\x01\x00\x00\x00\x00\x00\x03\x05") == (
        b"\x00\x00\x03\x01\x00\x00\x03\x00\x00\x03\x00\x03\x05"
    )
    with pytest.raises(ValueError):
        hb.BitWriter().u(2, 4)


@pytest.mark.parametrize(
    "sps,pps",
    [
        (hb.Sps(1920, 1080), hb.Pps(cabac=True, transform_8x8=True, init_qp=30)),
        (hb.Sps(1280, 720, profile_idc=hb.PROFILE_MAIN, level_idc=31), hb.Pps(cabac=True)),
        (hb.Sps(320, 240, profile_idc=hb.PROFILE_CONSTRAINED_BASELINE, poc_type=2), hb.Pps()),
    ],
    ids=["high-1080p-cabac", "main-720p", "cbaseline-poc2"],
)
def test_trace_headers_reads_back_sps_pps_and_slice_headers(sps, pps, tmp_path):
    sh_i = hb.SliceHeader(hb.SLICE_I, 0, idr=True, idr_pic_id=3, qp_delta=-2)
    sh_p = hb.SliceHeader(hb.SLICE_P, 1, poc_lsb=2, qp_delta=4, disable_deblocking=1)
    stream = hb.headers(sps, pps)
    for sh in (sh_i, sh_p):
        header, bits = hb.slice_header_nal(sh, sps, pps)
        assert (bits + 7) // 8 == len(header)
        # The packed header's bits, then what the driver would append: stand-in slice data.
        w = hb.BitWriter()
        hb.write_slice_header(w, sh, sps, pps)
        assert len(w) + 8 == bits
        while pps.cabac and not w.byte_aligned:
            w.u(1, 1)  # cabac_alignment_one_bit
        w.u(8, 0xA5)
        w.trailing_bits()
        unit = hb.nal(sh.ref_idc, sh.nal_type, w.rbsp())
        assert unit.startswith(hb.START_CODE + header[:1])
        stream += unit
    units = trace(stream, tmp_path / "h.h264")
    # The demuxer also hands SPS/PPS over as extradata, traced first: take the packet's.
    units = units[-4:]
    assert [name for name, _ in units] == list(SECTIONS) + ["Slice Header"]
    s, p, i, pp = (fields for _, fields in units)
    assert s["profile_idc"] == sps.profile_idc and s["level_idc"] == sps.level_idc
    assert s["constraint_set1_flag"] == int(sps.profile_idc == hb.PROFILE_CONSTRAINED_BASELINE)
    assert (s["pic_width_in_mbs_minus1"] + 1) * 16 - 2 * s.get("frame_crop_right_offset", 0) == (
        sps.width
    )
    assert (s["pic_height_in_map_units_minus1"] + 1) * 16 - 2 * s.get(
        "frame_crop_bottom_offset", 0
    ) == sps.height
    assert s["pic_order_cnt_type"] == sps.poc_type
    assert s["matrix_coefficients"] == 1 and s["video_full_range_flag"] == 0
    assert s["max_num_reorder_frames"] == 0
    assert p["entropy_coding_mode_flag"] == int(pps.cabac)
    assert p["pic_init_qp_minus26"] == pps.init_qp - 26
    assert p.get("transform_8x8_mode_flag", 0) == int(pps.transform_8x8)
    assert i["slice_type"] == 7 and i["idr_pic_id"] == 3 and i["slice_qp_delta"] == -2
    assert pp["slice_type"] == 5 and pp["frame_num"] == 1 and pp["slice_qp_delta"] == 4
    assert pp["disable_deblocking_filter_idc"] == 1
    if sps.poc_type == 0:
        assert pp["pic_order_cnt_lsb"] == 2


@pytest.mark.parametrize("width,height", [(64, 48), (40, 24)])
def test_pcm_stream_decodes_losslessly(width, height):
    sps, pps = hb.Sps(width, height), hb.Pps()
    units, (y, u, v) = pcm_stream(sps, pps, frames=3, seed=5)
    ctx = av.CodecContext.create("h264", "r")
    frames = []
    for packet in ctx.parse(b"".join(units)) + ctx.parse(None):
        frames += ctx.decode(packet)
    frames += ctx.decode(None)
    assert len(frames) == 3
    padded = sps.width_mbs * 16
    for frame in frames:
        assert (frame.width, frame.height) == (width, height)
        plane = bytes(frame.planes[0])
        stride = frame.planes[0].line_size
        for row in range(height):
            assert plane[row * stride : row * stride + width] == y[row * padded :][:width]
        chroma = bytes(frame.planes[1])
        cstride = frame.planes[1].line_size
        assert chroma[: width // 2] == u[: width // 2]
        assert chroma[cstride : cstride + width // 2] == u[padded // 2 :][: width // 2]


@needs("ffprobe")
def test_annexb_packets_mux_into_mp4_with_their_timestamps(tmp_path):
    sps, pps = hb.Sps(64, 48), hb.Pps()
    units, (y, _, _) = pcm_stream(sps, pps, frames=5)
    pts = [0, 1500, 4500, 4600, 90000]  # variable frame rate, 1/90000 s
    path = tmp_path / "annexb.mp4"
    muxer = Mp4Muxer(path)
    muxer.add_annexb_stream(64, 48, hb.headers(sps, pps))
    for unit, t in zip(units, pts, strict=True):
        muxer.mux_annexb(unit, t, keyframe=t == 0)
    muxer.close()
    assert ffprobe_frames(path) == 5
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.extradata[0] == 1, "the MP4 stores avcC, not Annex-B"
        frames = list(container.decode(stream))
        decoded_pts = [round(f.pts * stream.time_base * 90000) for f in frames]
    assert decoded_pts == pts
    first = bytes(frames[0].planes[0])
    assert first[:64] == y[:64]
