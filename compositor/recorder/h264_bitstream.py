"""An H.264 bitstream writer: SPS, PPS and slice headers (ITU-T H.264, 7.3), Annex-B NALs.

The VA-API encoder hands these to the driver as packed headers (the driver writes only the
slice data). For tests and for a stream that needs no encoder at all, :func:`pcm_idr_slice`
and :func:`skip_p_slice` write whole slices: I_PCM macroblocks (raw samples) and all-skipped
P macroblocks. Only what the recorder uses is supported: progressive frames, 4:2:0, POC
type 0 or 2, one slice per picture, no B frames.
"""

from __future__ import annotations

from dataclasses import dataclass

NAL_SLICE = 1
NAL_IDR = 5
NAL_SPS = 7
NAL_PPS = 8
SLICE_P = 0
SLICE_I = 2
PROFILE_CONSTRAINED_BASELINE = 66
PROFILE_MAIN = 77
PROFILE_HIGH = 100
START_CODE = b"\x00\x00\x00\x01"


class BitWriter:
    def __init__(self) -> None:
        self._value = 0
        self._bits = 0

    def u(self, bits: int, value: int) -> None:
        if value < 0 or value >> bits:
            raise ValueError(f"{value} does not fit in {bits} bits")
        self._value = (self._value << bits) | value
        self._bits += bits

    def flag(self, value: bool) -> None:
        self.u(1, int(value))

    def ue(self, value: int) -> None:
        """Unsigned Exp-Golomb: value+1 in binary, after as many zeros as it has bits - 1."""
        if value < 0:
            raise ValueError("ue(v) is unsigned")
        code = value + 1
        self.u(2 * code.bit_length() - 1, code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    @property
    def byte_aligned(self) -> bool:
        return self._bits % 8 == 0

    def align_zero(self) -> None:
        if not self.byte_aligned:
            self.u(8 - self._bits % 8, 0)

    def bytes_(self, data: bytes) -> None:
        assert self.byte_aligned
        self._value = (self._value << (8 * len(data))) | int.from_bytes(data, "big")
        self._bits += 8 * len(data)

    def trailing_bits(self) -> None:
        """rbsp_trailing_bits(): a stop bit, then zeros to the byte boundary."""
        self.u(1, 1)
        self.align_zero()

    def rbsp(self) -> bytes:
        assert self.byte_aligned, "call trailing_bits() first"
        return self._value.to_bytes(self._bits // 8, "big")

    def __len__(self) -> int:
        return self._bits


def escape(rbsp: bytes) -> bytes:
    """Emulation prevention: no 00 00 0x (x <= 3) may appear inside a NAL unit."""
    out = bytearray()
    zeros = 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def nal(ref_idc: int, unit_type: int, rbsp: bytes) -> bytes:
    """One Annex-B NAL unit: start code, header byte, escaped payload."""
    return START_CODE + bytes([(ref_idc << 5) | unit_type]) + escape(rbsp)


@dataclass
class Sps:
    width: int
    height: int
    profile_idc: int = PROFILE_HIGH
    level_idc: int = 41
    sps_id: int = 0
    log2_max_frame_num: int = 8
    poc_type: int = 0
    log2_max_poc_lsb: int = 8
    max_num_ref_frames: int = 1
    # VUI video_signal_type: BT.709 primaries/transfer/matrix, limited range.
    colour: int = 1
    full_range: bool = False

    @property
    def width_mbs(self) -> int:
        return (self.width + 15) // 16

    @property
    def height_mbs(self) -> int:
        return (self.height + 15) // 16

    def constraint_flags(self) -> int:
        # constraint_set1 (Main-compatible) for Constrained Baseline, as the spec asks.
        return 0b11000000 if self.profile_idc == PROFILE_CONSTRAINED_BASELINE else 0


def write_sps(sps: Sps) -> bytes:
    w = BitWriter()
    w.u(8, sps.profile_idc)
    w.u(8, sps.constraint_flags())
    w.u(8, sps.level_idc)
    w.ue(sps.sps_id)
    if sps.profile_idc in (100, 110, 122, 244, 44, 83, 86, 118, 128):
        w.ue(1)  # chroma_format_idc 4:2:0
        w.ue(0)  # bit_depth_luma_minus8
        w.ue(0)  # bit_depth_chroma_minus8
        w.flag(False)  # qpprime_y_zero_transform_bypass_flag
        w.flag(False)  # seq_scaling_matrix_present_flag
    w.ue(sps.log2_max_frame_num - 4)
    w.ue(sps.poc_type)
    if sps.poc_type == 0:
        w.ue(sps.log2_max_poc_lsb - 4)
    elif sps.poc_type != 2:
        raise ValueError("only pic_order_cnt_type 0 and 2 are written")
    w.ue(sps.max_num_ref_frames)
    w.flag(False)  # gaps_in_frame_num_value_allowed_flag
    w.ue(sps.width_mbs - 1)
    w.ue(sps.height_mbs - 1)
    w.flag(True)  # frame_mbs_only_flag
    w.flag(True)  # direct_8x8_inference_flag
    crop_right = (sps.width_mbs * 16 - sps.width) // 2  # in chroma units for 4:2:0
    crop_bottom = (sps.height_mbs * 16 - sps.height) // 2
    w.flag(bool(crop_right or crop_bottom))
    if crop_right or crop_bottom:
        for value in (0, crop_right, 0, crop_bottom):
            w.ue(value)
    w.flag(True)  # vui_parameters_present_flag
    _write_vui(w, sps)
    w.trailing_bits()
    return w.rbsp()


def _write_vui(w: BitWriter, sps: Sps) -> None:
    w.flag(False)  # aspect_ratio_info_present_flag
    w.flag(False)  # overscan_info_present_flag
    w.flag(True)  # video_signal_type_present_flag
    w.u(3, 5)  # video_format: unspecified
    w.flag(sps.full_range)
    w.flag(True)  # colour_description_present_flag
    w.u(8, sps.colour)  # colour_primaries
    w.u(8, sps.colour)  # transfer_characteristics
    w.u(8, sps.colour)  # matrix_coefficients
    w.flag(False)  # chroma_loc_info_present_flag
    # No timing info: the container's timestamps carry the (variable) frame rate.
    w.flag(False)  # timing_info_present_flag
    w.flag(False)  # nal_hrd_parameters_present_flag
    w.flag(False)  # vcl_hrd_parameters_present_flag
    w.flag(False)  # pic_struct_present_flag
    w.flag(True)  # bitstream_restriction_flag
    w.flag(True)  # motion_vectors_over_pic_boundaries_flag
    w.ue(0)  # max_bytes_per_pic_denom
    w.ue(0)  # max_bits_per_mb_denom
    w.ue(15)  # log2_max_mv_length_horizontal
    w.ue(15)  # log2_max_mv_length_vertical
    w.ue(0)  # max_num_reorder_frames: no B frames, output order == decode order
    w.ue(sps.max_num_ref_frames)  # max_dec_frame_buffering


@dataclass
class Pps:
    pps_id: int = 0
    sps_id: int = 0
    cabac: bool = False
    init_qp: int = 26
    transform_8x8: bool = False
    num_ref_idx_l0_default: int = 1


def write_pps(pps: Pps) -> bytes:
    w = BitWriter()
    w.ue(pps.pps_id)
    w.ue(pps.sps_id)
    w.flag(pps.cabac)  # entropy_coding_mode_flag
    w.flag(False)  # bottom_field_pic_order_in_frame_present_flag
    w.ue(0)  # num_slice_groups_minus1
    w.ue(pps.num_ref_idx_l0_default - 1)
    w.ue(0)  # num_ref_idx_l1_default_active_minus1
    w.flag(False)  # weighted_pred_flag
    w.u(2, 0)  # weighted_bipred_idc
    w.se(pps.init_qp - 26)  # pic_init_qp_minus26
    w.se(0)  # pic_init_qs_minus26
    w.se(0)  # chroma_qp_index_offset
    w.flag(True)  # deblocking_filter_control_present_flag
    w.flag(False)  # constrained_intra_pred_flag
    w.flag(False)  # redundant_pic_cnt_present_flag
    if pps.transform_8x8:
        w.flag(True)  # transform_8x8_mode_flag
        w.flag(False)  # pic_scaling_matrix_present_flag
        w.se(0)  # second_chroma_qp_index_offset
    w.trailing_bits()
    return w.rbsp()


@dataclass
class SliceHeader:
    slice_type: int  # SLICE_I or SLICE_P
    frame_num: int
    idr: bool = False
    idr_pic_id: int = 0
    poc_lsb: int = 0
    qp_delta: int = 0
    disable_deblocking: int = 0  # disable_deblocking_filter_idc
    cabac_init_idc: int = 0
    ref_idc: int = 1  # nal_ref_idc: every picture here is a reference

    @property
    def nal_type(self) -> int:
        return NAL_IDR if self.idr else NAL_SLICE


def write_slice_header(w: BitWriter, sh: SliceHeader, sps: Sps, pps: Pps) -> None:
    w.ue(0)  # first_mb_in_slice
    w.ue(sh.slice_type + 5)  # +5: every slice of the picture has this type
    w.ue(pps.pps_id)
    w.u(sps.log2_max_frame_num, sh.frame_num % (1 << sps.log2_max_frame_num))
    if sh.idr:
        w.ue(sh.idr_pic_id)
    if sps.poc_type == 0:
        w.u(sps.log2_max_poc_lsb, sh.poc_lsb % (1 << sps.log2_max_poc_lsb))
    if sh.slice_type == SLICE_P:
        w.flag(False)  # num_ref_idx_active_override_flag
        w.flag(False)  # ref_pic_list_modification_flag_l0
    if sh.ref_idc:
        if sh.idr:
            w.flag(False)  # no_output_of_prior_pics_flag
            w.flag(False)  # long_term_reference_flag
        else:
            w.flag(False)  # adaptive_ref_pic_marking_mode_flag: sliding window
    if pps.cabac and sh.slice_type != SLICE_I:
        w.ue(sh.cabac_init_idc)
    w.se(sh.qp_delta)
    w.ue(sh.disable_deblocking)
    if sh.disable_deblocking != 1:
        w.se(0)  # slice_alpha_c0_offset_div2
        w.se(0)  # slice_beta_offset_div2


def slice_header_nal(sh: SliceHeader, sps: Sps, pps: Pps) -> tuple[bytes, int]:
    """The packed slice header for VA-API: bytes and its length in bits (not byte-padded)."""
    w = BitWriter()
    write_slice_header(w, sh, sps, pps)
    bits = len(w)
    w.align_zero()
    return bytes([(sh.ref_idc << 5) | sh.nal_type]) + w.rbsp(), bits + 8


def pcm_idr_slice(sps: Sps, pps: Pps, sh: SliceHeader, y: bytes, u: bytes, v: bytes) -> bytes:
    """A whole CAVLC I slice of I_PCM macroblocks from planar 4:2:0 samples (lossless)."""
    if pps.cabac:
        raise ValueError("I_PCM slices are written with CAVLC only")
    width, height = sps.width_mbs * 16, sps.height_mbs * 16
    if len(y) != width * height or not len(u) == len(v) == width * height // 4:
        raise ValueError("planes must cover whole macroblocks")
    w = BitWriter()
    write_slice_header(w, sh, sps, pps)
    cw = width // 2
    for mby in range(sps.height_mbs):
        for mbx in range(sps.width_mbs):
            w.ue(25)  # mb_type I_PCM
            w.align_zero()  # pcm_alignment_zero_bit
            rows = [y[(mby * 16 + r) * width + mbx * 16 :][:16] for r in range(16)]
            for plane in (u, v):
                rows += [plane[(mby * 8 + r) * cw + mbx * 8 :][:8] for r in range(8)]
            w.bytes_(b"".join(rows))
    w.trailing_bits()
    return nal(sh.ref_idc, sh.nal_type, w.rbsp())


def skip_p_slice(sps: Sps, pps: Pps, sh: SliceHeader) -> bytes:
    """A whole P slice whose macroblocks are all skipped: the previous picture again."""
    w = BitWriter()
    write_slice_header(w, sh, sps, pps)
    if pps.cabac:
        raise ValueError("skip slices are written with CAVLC only")
    w.ue(sps.width_mbs * sps.height_mbs)  # mb_skip_run
    w.trailing_bits()
    return nal(sh.ref_idc, sh.nal_type, w.rbsp())


def headers(sps: Sps, pps: Pps) -> bytes:
    return nal(3, NAL_SPS, write_sps(sps)) + nal(3, NAL_PPS, write_pps(pps))
