"""Zero-copy H.264 encoding with VA-API: output dma-buf -> VPP (RGB -> NV12) -> EncSlice.

NOT RUN ON HARDWARE YET: this module has only been type-checked, compiled against libva's
headers (csrc/va.c) and exercised up to the probe on machines without a render node.

Compositor thread (:meth:`capture`): the committed buffer's dma-buf is imported once per
swapchain buffer (VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2, modifier included; cached by the
dma-buf's inode), locked so the swapchain does not draw into it, and a VPP conversion into
one of a few NV12 surfaces is queued on the GPU. Worker thread: waits for the conversion,
encodes (SPS/PPS/slice headers from :mod:`h264_bitstream` as packed headers), reads the coded
buffer and muxes the Annex-B access unit. Buffers are unlocked back on the compositor thread.
"""

from __future__ import annotations

import logging
import os
import queue
import time
from pathlib import Path
from typing import Any

from compositor.ffi import ffi, lib
from compositor.recorder import h264_bitstream as hb
from compositor.recorder.errors import EncoderError, RecordingWriteError
from compositor.recorder.muxer import Mp4Muxer, ns_to_pts
from compositor.recorder.vaapi_probe import ProbeResult, VaDisplay, error_string
from compositor.recorder.worker import start_worker

log = logging.getLogger(__name__)

NV12_SURFACES = 3  # conversions in flight; beyond that frames are dropped
INTRA_PERIOD = 60
DRM_TO_VA = {
    0x34325258: lib.VA_FOURCC_BGRX,  # XRGB8888
    0x34325241: lib.VA_FOURCC_BGRA,  # ARGB8888
    0x34324258: lib.VA_FOURCC_RGBX,  # XBGR8888
    0x34324241: lib.VA_FOURCC_RGBA,  # ABGR8888
}


def _ok(status: int, what: str) -> None:
    if status != lib.VA_STATUS_SUCCESS:
        raise EncoderError(f"{what} failed: {error_string(status)}")


class VaapiEncoder:
    name = "vaapi"

    def __init__(
        self,
        probe: ProbeResult,
        path: Path,
        buffer: Any,
        width: int,
        height: int,
        fmt: int,
        crf: int = 23,
    ) -> None:
        if not probe.available or probe.device is None:
            raise EncoderError(probe.reason)
        if fmt not in DRM_TO_VA:
            raise EncoderError(f"output format 0x{fmt:08x} has no VA fourcc here")
        self._dmabuf = ffi.new("comp_rec_dmabuf *")
        if not lib.comp_rec_buffer_dmabuf(buffer, self._dmabuf):
            raise EncoderError("the output buffers are not dma-bufs (use --renderer gles2)")
        self.path, self.width, self.height = path, width, height
        self.details = probe.details
        self.va_fourcc = DRM_TO_VA[fmt]
        self.qp = max(crf, 10)  # CQP: x264's CRF scale is close enough to a QP
        self.frames_in = self.frames_encoded = self.frames_dropped = 0
        self.busy_s = 0.0
        self.pts: list[int] = []
        self.error: str | None = None
        self.first_ns: int | None = None
        self._last_pts = -1
        self._imported: dict[tuple[int, int], int] = {}  # (st_dev, st_ino) -> VASurfaceID
        self._to_unlock: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.display = VaDisplay(probe.device)
        try:
            self._setup()
        except Exception:
            self.display.close()
            raise
        self._muxer: Mp4Muxer | None = None
        self._work: queue.SimpleQueue[tuple[int, Any, int] | None] = queue.SimpleQueue()
        self._thread = start_worker(self._run, "recorder-vaapi")

    # -- setup ----------------------------------------------------------------------------

    def _setup(self) -> None:
        dpy, d = self.display.dpy, self.details
        w, h = self.width, self.height
        self.sps = hb.Sps(w, h, profile_idc=d["profile_idc"], level_idc=41 if h > 720 else 31)
        high = d["profile_idc"] == hb.PROFILE_HIGH
        self.pps = hb.Pps(cabac=d["profile_idc"] != 66, transform_8x8=high)
        # NV12 inputs (VPP targets) and two reconstructed surfaces (current, reference).
        self.nv12 = ffi.new("VASurfaceID[]", NV12_SURFACES)
        _ok(
            lib.vaCreateSurfaces(
                dpy, lib.VA_RT_FORMAT_YUV420, w, h, self.nv12, NV12_SURFACES, ffi.NULL, 0
            ),
            "vaCreateSurfaces (NV12)",
        )
        self.recon = ffi.new("VASurfaceID[]", 2)
        _ok(
            lib.vaCreateSurfaces(dpy, lib.VA_RT_FORMAT_YUV420, w, h, self.recon, 2, ffi.NULL, 0),
            "vaCreateSurfaces (reconstructed)",
        )
        self._free_nv12: queue.SimpleQueue[int] = queue.SimpleQueue()
        for i in range(NV12_SURFACES):
            self._free_nv12.put(i)
        vpp_config = ffi.new("VAConfigID *")
        _ok(
            lib.vaCreateConfig(
                dpy, lib.VAProfileNone, lib.VAEntrypointVideoProc, ffi.NULL, 0, vpp_config
            ),
            "vaCreateConfig (VPP)",
        )
        self.vpp_config = vpp_config[0]
        vpp_ctx = ffi.new("VAContextID *")
        _ok(
            lib.vaCreateContext(
                dpy, self.vpp_config, w, h, lib.VA_PROGRESSIVE, self.nv12, NV12_SURFACES, vpp_ctx
            ),
            "vaCreateContext (VPP)",
        )
        self.vpp_ctx = vpp_ctx[0]
        self.packed = d["packed_headers"] & (
            lib.VA_ENC_PACKED_HEADER_SEQUENCE
            | lib.VA_ENC_PACKED_HEADER_PICTURE
            | lib.VA_ENC_PACKED_HEADER_SLICE
        )
        # CQP: a fixed QP from --record-crf; otherwise a bit rate of ~0.1 bit per pixel at 60 Hz.
        self.cqp = d["va_rc"] == lib.VA_RC_CQP
        self.bits_per_second = 0 if self.cqp else w * h * 6
        attribs = ffi.new("VAConfigAttrib[]", 3)
        attribs[0].type, attribs[0].value = lib.VAConfigAttribRTFormat, lib.VA_RT_FORMAT_YUV420
        attribs[1].type, attribs[1].value = lib.VAConfigAttribRateControl, d["va_rc"]
        attribs[2].type, attribs[2].value = lib.VAConfigAttribEncPackedHeaders, self.packed
        enc_config = ffi.new("VAConfigID *")
        _ok(
            lib.vaCreateConfig(
                dpy,
                d["va_profile"],
                d["va_entrypoint"],
                attribs,
                3 if self.packed else 2,
                enc_config,
            ),
            "vaCreateConfig (H.264)",
        )
        self.enc_config = enc_config[0]
        targets = ffi.new("VASurfaceID[]", [*self.nv12, *self.recon])
        enc_ctx = ffi.new("VAContextID *")
        _ok(
            lib.vaCreateContext(
                dpy, self.enc_config, w, h, lib.VA_PROGRESSIVE, targets, NV12_SURFACES + 2, enc_ctx
            ),
            "vaCreateContext (H.264)",
        )
        self.enc_ctx = enc_ctx[0]
        self.coded_size = max(w * h * 3 // 2, 1 << 16)
        coded = ffi.new("VABufferID *")
        _ok(
            lib.comp_va_coded_buffer(dpy, self.enc_ctx, self.coded_size, coded),
            "vaCreateBuffer (coded)",
        )
        self.coded = coded[0]
        self._out = ffi.new("uint8_t[]", self.coded_size)
        self._frame = 0  # frames since the last IDR
        self._idr_id = 0

    # -- compositor thread ----------------------------------------------------------------

    def _surface_for(self) -> int:
        d = self._dmabuf
        st = os.fstat(d.fd[0])
        key = (st.st_dev, st.st_ino)
        surface = self._imported.get(key)
        if surface is None:
            out = ffi.new("VASurfaceID *")
            _ok(
                lib.comp_va_import_dmabuf(self.display.dpy, d, self.va_fourcc, out),
                "importing the output dma-buf",
            )
            surface = self._imported[key] = out[0]
        return surface

    def capture(self, buffer: Any) -> Any | None:
        while not self._to_unlock.empty():
            lib.wlr_buffer_unlock(self._to_unlock.get())
        if self.error is not None:
            return None
        if not lib.comp_rec_buffer_dmabuf(buffer, self._dmabuf):
            self.error = "an output buffer is not a dma-buf"
            return None
        try:
            index = self._free_nv12.get_nowait()
        except queue.Empty:
            self.frames_dropped += 1
            return None
        try:
            source = self._surface_for()
            _ok(
                lib.comp_va_vpp_convert(self.display.dpy, self.vpp_ctx, source, self.nv12[index]),
                "VPP RGB -> NV12",
            )
        except EncoderError as exc:
            self.error = str(exc)
            self._free_nv12.put(index)
            return None
        return (index, lib.wlr_buffer_lock(buffer))

    def submit(self, token: tuple[int, Any], when_ns: int) -> None:
        if self.first_ns is None:
            self.first_ns = when_ns
        self.frames_in += 1
        self._work.put((token[0], token[1], when_ns - self.first_ns))

    def discard(self, token: tuple[int, Any]) -> None:
        lib.vaSyncSurface(self.display.dpy, self.nv12[token[0]])
        lib.wlr_buffer_unlock(token[1])
        self._free_nv12.put(token[0])

    def stop(self) -> None:
        self._work.put(None)
        self._thread.join()
        while not self._to_unlock.empty():
            lib.wlr_buffer_unlock(self._to_unlock.get())
        dpy = self.display.dpy
        lib.vaDestroyBuffer(dpy, self.coded)
        lib.vaDestroyContext(dpy, self.enc_ctx)
        lib.vaDestroyContext(dpy, self.vpp_ctx)
        lib.vaDestroyConfig(dpy, self.enc_config)
        lib.vaDestroyConfig(dpy, self.vpp_config)
        imported = ffi.new("VASurfaceID[]", list(self._imported.values()))
        lib.vaDestroySurfaces(dpy, imported, len(self._imported))
        lib.vaDestroySurfaces(dpy, self.nv12, NV12_SURFACES)
        lib.vaDestroySurfaces(dpy, self.recon, 2)
        self.display.close()

    # -- worker ---------------------------------------------------------------------------

    def _run(self) -> None:
        while (item := self._work.get()) is not None:
            index, locked, delta_ns = item
            start = time.perf_counter()
            try:
                _ok(lib.vaSyncSurface(self.display.dpy, self.nv12[index]), "VPP")
                self._to_unlock.put(locked)  # the RGB buffer is no longer read
                if self.error is None:
                    self._encode(index, delta_ns)
            except (EncoderError, RecordingWriteError) as exc:
                self.error = str(exc)
            finally:
                self._free_nv12.put(index)
            self.busy_s += time.perf_counter() - start
        if self._muxer is not None:
            try:
                self._muxer.close()
            except RecordingWriteError as exc:
                self.error = self.error or str(exc)

    def _encode(self, index: int, delta_ns: int) -> None:
        dpy, ctx = self.display.dpy, self.enc_ctx
        idr = self._frame % INTRA_PERIOD == 0
        if idr:
            self._frame, self._idr_id = 0, self._idr_id + 1
        n = self._frame
        current, reference = self.recon[n % 2], self.recon[(n + 1) % 2]
        sh = hb.SliceHeader(
            hb.SLICE_I if idr else hb.SLICE_P,
            n,
            idr=idr,
            idr_pic_id=self._idr_id % 65536,
            poc_lsb=2 * n,
        )
        buffers: list[int] = []
        out = ffi.new("VABufferID[2]")
        one = ffi.new("VABufferID *")
        try:
            if idr:
                seq = ffi.new(
                    "comp_va_h264_seq *",
                    {
                        "width": self.width,
                        "height": self.height,
                        "level_idc": self.sps.level_idc,
                        "intra_period": INTRA_PERIOD,
                        "log2_max_frame_num": self.sps.log2_max_frame_num,
                        "log2_max_poc_lsb": self.sps.log2_max_poc_lsb,
                        "max_num_ref_frames": 1,
                        "bits_per_second": self.bits_per_second,
                    },
                )
                _ok(lib.comp_va_h264_seq_buffer(dpy, ctx, seq, one), "sequence parameters")
                buffers.append(one[0])
                if not self.cqp:
                    _ok(
                        lib.comp_va_rate_control_buffer(dpy, ctx, self.bits_per_second, one),
                        "rate control",
                    )
                    buffers.append(one[0])
                for kind, rbsp, nal_type in (
                    (lib.VA_ENC_PACKED_HEADER_SEQUENCE, hb.write_sps(self.sps), hb.NAL_SPS),
                    (lib.VA_ENC_PACKED_HEADER_PICTURE, hb.write_pps(self.pps), hb.NAL_PPS),
                ):
                    if self.packed & kind:
                        # Unescaped: the driver inserts emulation prevention bytes.
                        data = hb.START_CODE + bytes([0x60 | nal_type]) + rbsp
                        _ok(
                            lib.comp_va_packed_header(dpy, ctx, kind, data, 8 * len(data), out),
                            "packed SPS/PPS",
                        )
                        buffers += [out[0], out[1]]
            pic = ffi.new(
                "comp_va_h264_pic *",
                {
                    "current": current,
                    "reference": lib.VA_INVALID_ID if idr else reference,
                    "coded_buf": self.coded,
                    "frame_num": n,
                    "poc": 2 * n,
                    "idr": idr,
                    "cabac": self.pps.cabac,
                    "transform_8x8": self.pps.transform_8x8,
                    "pic_init_qp": self.qp,
                },
            )
            _ok(lib.comp_va_h264_pic_buffer(dpy, ctx, pic, one), "picture parameters")
            buffers.append(one[0])
            if self.packed & lib.VA_ENC_PACKED_HEADER_SLICE:
                header, bits = hb.slice_header_nal(sh, self.sps, self.pps)
                data = hb.START_CODE[:3] + header
                _ok(
                    lib.comp_va_packed_header(
                        dpy, ctx, lib.VA_ENC_PACKED_HEADER_SLICE, data, bits + 24, out
                    ),
                    "packed slice header",
                )
                buffers += [out[0], out[1]]
            slc = ffi.new(
                "comp_va_h264_slice *",
                {
                    "num_mbs": self.sps.width_mbs * self.sps.height_mbs,
                    "slice_type": sh.slice_type,
                    "reference": reference,
                    "reference_frame_num": max(n - 1, 0),
                    "reference_poc": 2 * max(n - 1, 0),
                    "idr_pic_id": sh.idr_pic_id,
                    "poc": sh.poc_lsb,
                },
            )
            _ok(lib.comp_va_h264_slice_buffer(dpy, ctx, slc, one), "slice parameters")
            buffers.append(one[0])
            array = ffi.new("VABufferID[]", buffers)
            _ok(lib.comp_va_submit(dpy, ctx, self.nv12[index], array, len(buffers)), "encode")
            _ok(lib.vaSyncSurface(dpy, self.nv12[index]), "encode (sync)")
            length = ffi.new("size_t *")
            _ok(
                lib.comp_va_read_coded(dpy, self.coded, self._out, self.coded_size, length),
                "reading the coded buffer",
            )
            if length[0] > self.coded_size:
                raise EncoderError(f"coded frame of {length[0]} bytes overflows the buffer")
            self._mux(bytes(ffi.buffer(self._out, length[0])), delta_ns, idr)
        finally:
            for buf in buffers:
                lib.vaDestroyBuffer(dpy, buf)
        self._frame += 1

    def _mux(self, access_unit: bytes, delta_ns: int, idr: bool) -> None:
        if self._muxer is None:
            if not idr:
                return
            self._muxer = Mp4Muxer(self.path)
            self._muxer.add_annexb_stream(self.width, self.height, parameter_sets(access_unit))
        pts = max(ns_to_pts(delta_ns), self._last_pts + 1)
        self._last_pts = pts
        self._muxer.mux_annexb(access_unit, pts, idr)
        self.frames_encoded += 1
        self.pts.append(pts)


def parameter_sets(access_unit: bytes) -> bytes:
    """The SPS and PPS NAL units of an Annex-B access unit (the MP4's avcC comes from them)."""
    units = [u for u in access_unit.split(b"\x00\x00\x01") if u]
    keep = [u.rstrip(b"\x00") for u in units if u[0] & 0x1F in (hb.NAL_SPS, hb.NAL_PPS)]
    return b"".join(hb.START_CODE + u for u in keep)
