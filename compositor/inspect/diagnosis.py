"""Why a client is not on the zero-copy path, in words: pure functions over the facts the
inspector gathered (easy to test without a compositor)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Context:
    """What the compositor offers, which decides what a client could have done."""

    renderer: str  # "gles2" or "pixman"
    linux_dmabuf: bool  # zwp_linux_dmabuf_v1 offered
    wl_drm_device: str | None  # the node wl_drm advertises, None: wl_drm not offered
    wl_drm_device_exists: bool


SCANOUT_PATH = "direct scanout on a KMS plane (no composition, no copy)"
# Multi-planar YUV the wl_drm bridge converts to XRGB8888 on the CPU for pixman.
CPU_CONVERTED = ("NV12", "YU12")


def buffer_path(kind: str, texture_gles2: bool, fourcc: str = "") -> str:
    """How a buffer of this kind reached the output on this renderer."""
    if kind in ("none", "released"):
        return "nothing shown"
    if not texture_gles2 and fourcc in CPU_CONVERTED:
        return "CPU colour conversion (BT.601) to XRGB8888, read by pixman"
    if not texture_gles2:
        return "pixman reads the client's mapping (CPU)"
    if kind == "wl_shm":
        return "GL texture upload (CPU copy of the damage)"
    return "EGLImage (no copy)"


def diagnose(client: dict[str, Any], context: Context) -> list[str]:
    """Sentences that explain why a client's buffers are copied or read with the CPU; empty
    when nothing is to be said (see :func:`zero_copy` and :func:`scanout_notes`)."""
    notes: list[str] = []
    refused = (client.get("limits") or {}).get("formats_refused")
    if refused:  # compositor/format_rules.py: the path was decided by rule (or option)
        by = (
            "by rule (client_limits)"
            if refused["by"] == "rule"
            else "by --refuse-format/--refuse-modifier"
        )
        left = "" if refused["linux_dmabuf"] != "hidden: nothing left" else "; no linux-dmabuf left"
        notes.append(
            f"formats and modifiers {', '.join(refused['formats'] + refused['modifiers'])} "
            f"refused to it {by}: linux-dmabuf and wl_drm do not offer them{left}"
        )
    surfaces = [s for s in client["surfaces"] if s["buffer"]["kind"] not in ("none", "released")]
    kinds = {s["buffer"]["kind"] for s in surfaces}
    bound = client["globals"]
    wl_drm = client.get("wl_drm") or {}
    if "wl_drm" in bound and wl_drm.get("authentication") == "not asked":
        notes.append("bound wl_drm but never authenticated")
    if wl_drm.get("authentication", "").startswith("refused"):
        notes.append(f"wl_drm authentication {wl_drm['authentication']}")
    if "wl_drm" in bound and not context.wl_drm_device_exists:
        notes.append(
            f"wl_drm node {context.wl_drm_device} does not exist here: the client cannot "
            "open it, so only memfd-backed PRIME buffers work"
        )
    if any(s["path"] == SCANOUT_PATH for s in surfaces):
        return notes  # its buffer is on a plane: nothing about the path to say
    if "wl_shm" in kinds:
        if "zwp_linux_dmabuf_v1" in bound or "wl_drm" in bound:
            notes.append(
                "on shared memory (wl_shm) although it bound a dma-buf protocol: its EGL "
                "fell back to software rendering (check its libEGL warnings)"
            )
        else:
            notes.append(
                "on shared memory (wl_shm), bound neither zwp_linux_dmabuf_v1 nor wl_drm: "
                "it renders in software"
            )
        if context.renderer == "pixman":
            notes.append(
                "the pixman renderer reads wl_shm buffers with the CPU (no GPU renderer here)"
            )
    if not context.linux_dmabuf and context.renderer == "pixman" and "wl_shm" not in kinds:
        if kinds & {"linux-dmabuf", "wl_drm PRIME dma-buf"}:
            notes.append("no linux-dmabuf: the pixman renderer maps dma-bufs with the CPU")
    if "wl_drm PRIME memfd" in kinds:
        notes.append(
            "wl_drm PRIME buffers backed by memfds, not dma-bufs: read with the CPU "
            "(no DRM device here)"
        )
    return notes


NO_COPY_PATHS = ("EGLImage (no copy)", SCANOUT_PATH)


def zero_copy(client: dict[str, Any]) -> bool:
    """Whether what the client shows reaches the output with no copy: every surface with a
    buffer on an EGLImage or a KMS plane (direct scan-out is a further step, not a condition:
    see :func:`scanout_notes`)."""
    shown = [s for s in client["surfaces"] if s["buffer"]["kind"] not in ("none", "released")]
    return bool(shown) and all(s["path"] in NO_COPY_PATHS for s in shown)


def scanout_notes(client: dict[str, Any], refusals: list[str] | None = None) -> list[str]:
    """Why a client's dma-buf is composited rather than scanned out directly; empty when it
    is scanned out or has no dma-buf to scan out. ``refusals``: what the outputs' frame loops
    said of their last composited frame (``scanout_refusal`` in ``pydrm-ctl outputs``)."""
    surfaces = [s for s in client["surfaces"] if s["buffer"]["kind"] not in ("none", "released")]
    if not surfaces or any(s["path"] == SCANOUT_PATH for s in surfaces):
        return []
    if not any(s["buffer"]["kind"] in ("linux-dmabuf", "wl_drm PRIME dma-buf") for s in surfaces):
        return []
    if not any(s["role"] == "xdg_toplevel" and s["fullscreen"] for s in surfaces):
        return ["not fullscreen: direct scanout needs one opaque surface covering the output"]
    said = [r for r in refusals or [] if r]
    if said:
        return [f"fullscreen, but composited: {'; '.join(sorted(set(said)))}"]
    return ["fullscreen, but composited (the output has not said why yet)"]
