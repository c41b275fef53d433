"""VA-API without hardware: what can be checked here is checked for real.

- The cffi declarations (cdef/va.h) against /usr/include/va: every constant and enum
  value is static-asserted in csrc/va.c (compile time); this test also compiles an
  independent C program against the headers and compares sizes, offsets and values with
  what the module was built with.
- The probe, through libva itself, says why VA-API is unavailable.
- SPS/PPS extraction from a coded access unit (what the MP4's avcC is made from).

Not checked here (no render node, no VA driver): importing dma-bufs, VPP, encoding.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from compositor.ffi import ffi, lib
from compositor.recorder import h264_bitstream as hb
from compositor.recorder import vaapi_probe
from compositor.recorder.vaapi import VaapiEncoder, parameter_sets
from compositor.recorder.x264 import EncoderError

FFI_DIR = Path(__file__).resolve().parents[2] / "compositor" / "ffi"
CDEF = (FFI_DIR / "cdef" / "va.h").read_text()
CSRC = (FFI_DIR / "csrc" / "va.c").read_text()


def declared_constants() -> dict[str, int]:
    """``#define NAME VALUE`` and ``NAME = VALUE`` enum members stated in the cdef."""
    found = {m[0]: int(m[1], 0) for m in re.findall(r"#define (VA\w+) (0x[0-9a-fA-F]+|\d+)", CDEF)}
    found.update({m[0]: int(m[1]) for m in re.findall(r"\t(VA\w+) = (-?\d+),", CDEF)})
    return found


def test_every_declared_constant_is_static_asserted_in_csrc():
    constants = declared_constants()
    assert len(constants) > 25
    asserted = set(re.findall(r"COMP_VA_SAME\((VA\w+),", CSRC))
    assert set(constants) <= asserted, f"not static-asserted: {set(constants) - asserted}"
    for name, value in constants.items():
        assert getattr(lib, name) == value, name


LAYOUT = {
    "sizeof VAConfigAttrib": ("VAConfigAttrib", None),
    "sizeof VADRMPRIMESurfaceDescriptor": ("VADRMPRIMESurfaceDescriptor", None),
    "offsetof VADRMPRIMESurfaceDescriptor.objects": ("VADRMPRIMESurfaceDescriptor", "objects"),
    "offsetof VADRMPRIMESurfaceDescriptor.num_layers": (
        "VADRMPRIMESurfaceDescriptor",
        "num_layers",
    ),
    "offsetof VADRMPRIMESurfaceDescriptor.layers": ("VADRMPRIMESurfaceDescriptor", "layers"),
}
C_STRUCTS = [
    "VASurfaceAttrib",
    "VAEncSequenceParameterBufferH264",
    "VAEncPictureParameterBufferH264",
    "VAEncSliceParameterBufferH264",
    "VAProcPipelineParameterBuffer",
]


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")
def test_layouts_match_an_independent_compile_against_usr_include_va(tmp_path):
    lines = []
    for key, (struct, member) in LAYOUT.items():
        expr = f"sizeof({struct})" if member is None else f"offsetof({struct}, {member})"
        lines.append(f'printf("{key}=%zu\\n", (size_t){expr});')
    for struct in C_STRUCTS:
        lines.append(f'printf("sizeof {struct}=%zu\\n", sizeof({struct}));')
    for name in declared_constants():
        lines.append(f'printf("{name}=%lld\\n", (long long)(int)({name}));')
    source = tmp_path / "layout.c"
    source.write_text(
        "#include <stddef.h>\n#include <stdio.h>\n#include <va/va.h>\n"
        "#include <va/va_drmcommon.h>\n#include <va/va_enc_h264.h>\n#include <va/va_vpp.h>\n"
        "int main(void) {\n" + "\n".join(lines) + "\nreturn 0;\n}\n"
    )
    subprocess.run(["cc", "-o", str(tmp_path / "layout"), str(source)], check=True)
    out = subprocess.run([str(tmp_path / "layout")], capture_output=True, text=True, check=True)
    truth = dict(line.split("=") for line in out.stdout.splitlines())
    for key, (struct, member) in LAYOUT.items():
        ours = ffi.sizeof(struct) if member is None else ffi.offsetof(struct, member)
        assert ours == int(truth[key]) == lib.comp_va_layout(key.encode()), key
    for struct in C_STRUCTS:
        key = f"sizeof {struct}"
        assert lib.comp_va_layout(key.encode()) == int(truth[key]), key
    for name, value in declared_constants().items():
        assert value & 0xFFFFFFFF == int(truth[name]) & 0xFFFFFFFF, name


def test_probe_says_why_vaapi_is_unavailable():
    result = vaapi_probe.probe()
    if vaapi_probe.render_nodes():
        pytest.skip(reason="render nodes exist here: the probe's answer depends on the driver")
    assert not result.available
    assert "no DRM render node" in result.reason and "/dev/dri/renderD" in result.reason


def test_probe_of_a_non_drm_device_fails_in_libva_with_the_node_named():
    with pytest.raises(OSError, match=r"/dev/null: vaGetDisplayDRM"):
        vaapi_probe.probe_node("/dev/null")


def test_encoder_refuses_to_start_without_a_probe_success(tmp_path):
    reason = "no DRM render node"
    with pytest.raises(EncoderError, match=reason):
        VaapiEncoder(
            vaapi_probe.ProbeResult(False, reason), tmp_path / "x.mp4", ffi.NULL, 64, 48, 0x34325258
        )


def test_parameter_sets_come_from_the_first_access_unit():
    sps, pps = hb.Sps(64, 48), hb.Pps(cabac=True)
    header, _ = hb.slice_header_nal(hb.SliceHeader(hb.SLICE_I, 0, idr=True), sps, pps)
    unit = hb.headers(sps, pps) + b"\x00\x00\x01" + header + b"\x80"
    assert parameter_sets(unit) == hb.headers(sps, pps)
