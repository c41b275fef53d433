"""Is VA-API H.264 encoding possible here? Says exactly why not when it is not.

Checked in order, stopping at the first thing missing: a DRM render node, the GLES2
renderer (only its output buffers are dma-bufs; pixman's are CPU memory), a VA driver that
initializes on the node, an H.264 profile with an encode entrypoint (EncSliceLP preferred,
else EncSlice), 4:2:0 surfaces, a usable rate-control mode, and VPP (VideoProc) for the
RGB -> NV12 conversion. Packed headers are recorded: without them the driver writes its own
SPS/PPS/slice headers and the recorder takes SPS/PPS from its first keyframe.
"""

from __future__ import annotations

import glob
import logging
import os
from dataclasses import dataclass, field
from typing import Any

from compositor.ffi import ffi, lib

log = logging.getLogger(__name__)

PROFILES = [
    ("High", lib.VAProfileH264High, 100),
    ("Main", lib.VAProfileH264Main, 77),
    ("ConstrainedBaseline", lib.VAProfileH264ConstrainedBaseline, 66),
]
ENTRYPOINTS = [("EncSliceLP", lib.VAEntrypointEncSliceLP), ("EncSlice", lib.VAEntrypointEncSlice)]
RC_MODES = [("CQP", lib.VA_RC_CQP), ("VBR", lib.VA_RC_VBR), ("CBR", lib.VA_RC_CBR)]


@dataclass
class ProbeResult:
    available: bool
    reason: str
    device: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def render_nodes() -> list[str]:
    return sorted(glob.glob("/dev/dri/renderD*"))


class VaDisplay:
    """An initialized VADisplay on a render node; close() terminates it and the fd."""

    def __init__(self, node: str) -> None:
        self.node = node
        self.fd = os.open(node, os.O_RDWR | os.O_CLOEXEC)
        self.dpy = lib.vaGetDisplayDRM(self.fd)
        if self.dpy == ffi.NULL:
            os.close(self.fd)
            raise OSError(f"{node}: vaGetDisplayDRM returned no display")
        major, minor = ffi.new("int *"), ffi.new("int *")
        status = lib.vaInitialize(self.dpy, major, minor)
        if status != lib.VA_STATUS_SUCCESS:
            message = error_string(status)
            os.close(self.fd)
            raise OSError(
                f"{node}: vaInitialize failed ({message}): no VA driver for this GPU; install "
                "its driver (intel-media-va-driver, mesa-va-drivers) and check with "
                f"`vainfo --display drm --device {node}`"
            )
        self.version = f"{major[0]}.{minor[0]}"
        vendor = lib.vaQueryVendorString(self.dpy)
        self.vendor = ffi.string(vendor).decode(errors="replace") if vendor != ffi.NULL else "?"

    def profiles(self) -> set[int]:
        profiles = ffi.new("VAProfile[]", max(lib.vaMaxNumProfiles(self.dpy), 1))
        count = ffi.new("int *")
        check(lib.vaQueryConfigProfiles(self.dpy, profiles, count), "vaQueryConfigProfiles")
        return {int(profiles[i]) for i in range(count[0])}

    def entrypoints(self, profile: int) -> set[int]:
        entrypoints = ffi.new("VAEntrypoint[]", max(lib.vaMaxNumEntrypoints(self.dpy), 1))
        count = ffi.new("int *")
        status = lib.vaQueryConfigEntrypoints(self.dpy, profile, entrypoints, count)
        if status != lib.VA_STATUS_SUCCESS:
            return set()
        return {int(entrypoints[i]) for i in range(count[0])}

    def attributes(self, profile: int, entrypoint: int, types: list[int]) -> dict[int, int]:
        attribs = ffi.new("VAConfigAttrib[]", len(types))
        for i, kind in enumerate(types):
            attribs[i].type = kind
        check(
            lib.vaGetConfigAttributes(self.dpy, profile, entrypoint, attribs, len(types)),
            "vaGetConfigAttributes",
        )
        return {
            kind: (0 if attribs[i].value == lib.VA_ATTRIB_NOT_SUPPORTED else attribs[i].value)
            for i, kind in enumerate(types)
        }

    def close(self) -> None:
        if self.dpy is not None:
            lib.vaTerminate(self.dpy)
            self.dpy = None
            os.close(self.fd)


def error_string(status: int) -> str:
    return ffi.string(lib.vaErrorStr(status)).decode(errors="replace")


def check(status: int, what: str) -> None:
    if status != lib.VA_STATUS_SUCCESS:
        raise OSError(f"{what} failed: {error_string(status)}")


def probe(renderer_kind: str | None = None) -> ProbeResult:
    """Can this machine record with VA-API, zero-copy from ``renderer_kind``'s frames?"""
    nodes = render_nodes()
    if not nodes:
        return ProbeResult(
            False,
            "no DRM render node (/dev/dri/renderD* does not exist): VA-API needs a GPU "
            "with a VA driver",
        )
    if renderer_kind is not None and renderer_kind != "gles2":
        return ProbeResult(
            False,
            f"the {renderer_kind} renderer draws into CPU memory, not dma-bufs; "
            "zero-copy VA-API needs --renderer gles2",
        )
    reasons = []
    for node in nodes:
        try:
            result = probe_node(node)
        except OSError as exc:
            reasons.append(str(exc))
            continue
        if result.available:
            log.info("VA-API: %s on %s: %s", result.details["vendor"], node, result.details)
            return result
        reasons.append(result.reason)
    return ProbeResult(False, "; ".join(reasons))


def probe_node(node: str) -> ProbeResult:
    display = VaDisplay(node)
    try:
        details: dict[str, Any] = {"vendor": display.vendor, "va": display.version}
        profiles = display.profiles()
        encode = None
        for name, profile, idc in PROFILES:
            if profile not in profiles:
                continue
            eps = display.entrypoints(profile)
            for ep_name, ep in ENTRYPOINTS:
                if ep in eps:
                    encode = (name, profile, idc, ep_name, ep)
                    break
            if encode:
                break
        if encode is None:
            found = [name for name, profile, _ in PROFILES if profile in profiles]
            return ProbeResult(
                False,
                f"{node} ({display.vendor}): no H.264 encode entrypoint "
                f"(H.264 profiles: {', '.join(found) or 'none'}; decoding only?)",
            )
        name, profile, idc, ep_name, ep = encode
        attrs = display.attributes(
            profile,
            ep,
            [
                lib.VAConfigAttribRTFormat,
                lib.VAConfigAttribRateControl,
                lib.VAConfigAttribEncPackedHeaders,
                lib.VAConfigAttribEncMaxRefFrames,
            ],
        )
        rc_modes = attrs[lib.VAConfigAttribRateControl]
        rc = next(((n, v) for n, v in RC_MODES if rc_modes & v), ("none", 0))
        details.update(
            profile=name,
            profile_idc=idc,
            va_profile=profile,
            entrypoint=ep_name,
            va_entrypoint=ep,
            rate_control=rc[0],
            va_rc=rc[1],
            packed_headers=attrs[lib.VAConfigAttribEncPackedHeaders],
            max_ref_frames=attrs[lib.VAConfigAttribEncMaxRefFrames] & 0xFFFF,
        )
        if not attrs[lib.VAConfigAttribRTFormat] & lib.VA_RT_FORMAT_YUV420:
            return ProbeResult(False, f"{node}: H.264 encoding without 4:2:0 surfaces")
        if rc[1] == 0:
            return ProbeResult(False, f"{node}: no CQP, VBR or CBR rate control")
        if lib.VAEntrypointVideoProc not in display.entrypoints(lib.VAProfileNone):
            return ProbeResult(False, f"{node}: no VPP (VideoProc) for RGB -> NV12")
        return ProbeResult(True, "ok", node, details)
    finally:
        display.close()
