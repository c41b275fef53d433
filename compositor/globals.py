"""The protocol globals the compositor offers, each created on purpose.

Buffer sharing: ``wl_shm`` (always), ``zwp_linux_dmabuf_v1`` (when the renderer can import
dma-bufs and ``--no-linux-dmabuf`` is not given); ``wl_drm`` lives in :mod:`compositor.wl_drm`.
Everything else a desktop client expects: wl_compositor + wl_subcompositor, xdg-output,
viewporter, presentation-time, screencopy (grim and the tests read pixels through it),
export-dmabuf, data-control (clipboard managers), gamma control, xdg-foreign, data device
(clipboard) and primary selection (in :mod:`compositor.input.seat`). Three that sway 1.10
has and wlroots 0.15 lacks, in C (ffi/csrc/<protocol>.h): single-pixel buffers (one colour, a
buffer wlroots can draw), content type (shown in ``views``) and fractional scale (each
surface's preferred scale, from the outputs it is on). Security contexts (sandboxes'
connections, which do not see the privileged globals: :mod:`compositor.security_context`).
``--disable-global
NAME`` hides any global, ours or wlroots', from every client (a libwayland global filter).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from wlroots.wlr_types import (
    Compositor,
    ExportDmabufManagerV1,
    ScreencopyManagerV1,
    Viewporter,
    XdgOutputManagerV1,
)
from wlroots.wlr_types.data_control_v1 import DataControlManagerV1
from wlroots.wlr_types.gamma_control_v1 import GammaControlManagerV1

from compositor.ffi import ffi, lib, to_native
from compositor.format_rules import FormatRules, Refusals
from compositor.security_context import SecurityContexts

if TYPE_CHECKING:
    from compositor.core import Core

log = logging.getLogger(__name__)

CONTENT_TYPES = {0: "none", 1: "photo", 2: "video", 3: "game"}  # wp_content_type_v1.type


class ProtocolGlobals:
    def __init__(self, core: Core) -> None:
        display = to_native(core.display, "struct wl_display *")
        renderer = to_native(core.renderer, "struct wlr_renderer *")
        # wl_shm with the formats the renderer can read (wl_shm's mandatory two included).
        if not lib.wlr_renderer_init_wl_shm(renderer, display):
            raise RuntimeError("wlroots could not create the wl_shm global")
        # wl_compositor and, in wlroots 0.15, wl_subcompositor.
        self.compositor = Compositor(core.display, core.renderer)
        self.linux_dmabuf = ffi.NULL
        dmabuf_formats = lib.comp_renderer_dmabuf_format_count(renderer)
        offer_dmabuf = core.config.linux_dmabuf and dmabuf_formats > 0
        # Formats refused by option or rule: wl_drm and each client's linux-dmabuf ask it.
        self.format_rules = FormatRules(
            display,
            renderer,
            Refusals(
                frozenset(core.config.refuse_formats), frozenset(core.config.refuse_modifiers)
            ),
            offer_dmabuf,
        )
        if not core.config.linux_dmabuf:
            log.info("zwp_linux_dmabuf_v1: off (--no-linux-dmabuf)")
        elif dmabuf_formats == 0:
            log.info(
                "zwp_linux_dmabuf_v1: not offered, the %s renderer imports no dma-bufs",
                core.renderer_kind,
            )
        else:
            self.linux_dmabuf = self.format_rules.main_linux_dmabuf()
            log.info("zwp_linux_dmabuf_v1: %d formats", dmabuf_formats)
        self.xdg_output_manager = XdgOutputManagerV1(core.display, core.output_layout)
        self.viewporter = Viewporter(core.display)
        self.screencopy = ScreencopyManagerV1(core.display)
        self.export_dmabuf = ExportDmabufManagerV1(core.display)
        # Clipboard managers and wl-clipboard read and set the selection without a window.
        self.data_control = DataControlManagerV1(core.display)
        # Night-light tools (gammastep, wlsunset); wlroots applies the ramps at commit.
        self.gamma_control = GammaControlManagerV1(core.display)
        # xdg-foreign v1 + v2: one client's window as the parent of another's (portals).
        registry = lib.wlr_xdg_foreign_registry_create(display)
        self.xdg_foreign = (
            lib.wlr_xdg_foreign_v1_create(display, registry),
            lib.wlr_xdg_foreign_v2_create(display, registry),
        )
        # Since sway 1.7 (ffi/csrc/single_pixel_buffer.h, content_type.h,
        # fractional_scale.h).
        self.single_pixel = lib.comp_single_pixel_manager_create(
            display, to_native(self.compositor, "struct wlr_compositor *")
        )
        self.content_type = lib.comp_content_type_manager_create(display)
        self.fractional_scale = lib.comp_fractional_scale_manager_create(
            display, to_native(core.output_layout, "struct wlr_output_layout *")
        )
        if ffi.NULL in (self.single_pixel, self.content_type, self.fractional_scale):
            raise MemoryError(
                "cannot create a single-pixel, content-type or fractional-scale global"
            )
        # wp_alpha_modifier_v1: the frame path blends a surface with its multiplier.
        self.alpha_modifier = lib.comp_alpha_manager_create(
            display, to_native(core.scene, "struct wlr_scene *")
        )
        if self.alpha_modifier == ffi.NULL:
            raise MemoryError("cannot create the wp_alpha_modifier_v1 global")
        # wp_tearing_control_manager_v1: hints stored and shown, not honoured (wlroots 0.15
        # has no asynchronous page flip).
        self.tearing_control = lib.comp_tearing_manager_create(display)
        if self.tearing_control == ffi.NULL:
            raise MemoryError("cannot create the wp_tearing_control_manager_v1 global")
        # ext_transient_seat_manager_v1: every request denied (one seat here; why in
        # ffi/csrc/transient_seat.c).
        self.transient_seat = lib.comp_transient_seat_manager_create(display)
        if self.transient_seat == ffi.NULL:
            raise MemoryError("cannot create the ext_transient_seat_manager_v1 global")
        # xdg_toplevel_icon_manager_v1: icons shown in our title bars (shell/decorations.py).
        self.toplevel_icon = lib.comp_icon_manager_create(display)
        if self.toplevel_icon == ffi.NULL:
            raise MemoryError("cannot create the xdg_toplevel_icon_manager_v1 global")
        # xdg_wm_dialog_v1: modal dialogs take their parent's focus (shell/window_manager.py).
        self.dialogs = lib.comp_dialog_manager_create(display)
        if self.dialogs == ffi.NULL:
            raise MemoryError("cannot create the xdg_wm_dialog_v1 global")
        # Sandboxes' connections, without the privileged globals (security_context.py).
        self.security_context = SecurityContexts(core.display)
        for name in core.config.disabled_globals:
            lib.comp_globals_disable(display, name.encode())
            log.info("global %s: hidden from clients (--disable-global)", name)
        # presentation-time; the scene graph sends the feedback for the surfaces it shows.
        self.presentation = lib.wlr_presentation_create(
            display, to_native(core.backend, "struct wlr_backend *")
        )
        lib.wlr_scene_set_presentation(
            to_native(core.scene, "struct wlr_scene *"), self.presentation
        )

    def surface_hints(self, surface) -> dict:
        """What a client says of a window's surface: its content (wp_content_type_v1: none,
        photo, video or game), its frames' presentation (wp_tearing_control_v1: vsync or
        async; stored only, every frame waits for vblank on wlroots 0.15) and whether it is
        a modal dialog (xdg_dialog_v1.set_modal). ``surface`` None (an unmapped X11
        window, whose wl_surface may be gone): all None."""
        if surface is None:
            return {"content_type": None, "presentation_hint": None, "modal": None}
        native = to_native(surface, "struct wlr_surface *")
        if native == ffi.NULL:
            return {"content_type": None, "presentation_hint": None, "modal": None}
        return {
            "content_type": CONTENT_TYPES.get(
                lib.comp_content_type_get(self.content_type, native), "none"
            ),
            "presentation_hint": "async" if lib.comp_tearing_hint(native) == 1 else "vsync",
            "modal": bool(lib.comp_dialog_modal(native)),
        }

    def refresh_fractional_scales(self) -> None:
        """Tell each surface its preferred scale again (a window mapped or moved)."""
        lib.comp_fractional_scale_refresh(self.fractional_scale)
