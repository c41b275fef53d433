"""Issue 21's measure: `wayland-info` (a real client) lists every global sway 1.10.1 offers
(headless, pixman), plus wl_drm and the two beyond sway (xdg-toplevel-icon, xdg-dialog).
Both lists are written out here, from sway's own wayland-info run (see README's protocol
table), not read from the product."""

from __future__ import annotations

import re

from tests.conftest import needs

# sway 1.10.1 on Debian 13 (WLR_BACKENDS=headless WLR_RENDERER=pixman, run as nobody in a
# fresh trixie root by ../shared/fresh-debian.sh, 2026-12-07), by wayland-info: 47 globals.
SWAY_1_10 = {
    "ext_foreign_toplevel_list_v1",
    "ext_idle_notifier_v1",
    "ext_session_lock_manager_v1",
    "ext_transient_seat_manager_v1",
    "org_kde_kwin_server_decoration_manager",
    "wl_compositor",
    "wl_data_device_manager",
    "wl_output",
    "wl_seat",
    "wl_shm",
    "wl_subcompositor",
    "wp_alpha_modifier_v1",
    "wp_content_type_manager_v1",
    "wp_cursor_shape_manager_v1",
    "wp_fractional_scale_manager_v1",
    "wp_presentation",
    "wp_security_context_manager_v1",
    "wp_single_pixel_buffer_manager_v1",
    "wp_tearing_control_manager_v1",
    "wp_viewporter",
    "xdg_activation_v1",
    "xdg_wm_base",
    "zwlr_data_control_manager_v1",
    "zwlr_export_dmabuf_manager_v1",
    "zwlr_foreign_toplevel_manager_v1",
    "zwlr_gamma_control_manager_v1",
    "zwlr_layer_shell_v1",
    "zwlr_output_manager_v1",
    "zwlr_output_power_manager_v1",
    "zwlr_screencopy_manager_v1",
    "zwlr_virtual_pointer_manager_v1",
    "zwp_idle_inhibit_manager_v1",
    "zwp_input_method_manager_v2",
    "zwp_keyboard_shortcuts_inhibit_manager_v1",
    "zwp_pointer_constraints_v1",
    "zwp_pointer_gestures_v1",
    "zwp_primary_selection_device_manager_v1",
    "zwp_relative_pointer_manager_v1",
    "zwp_tablet_manager_v2",
    "zwp_text_input_manager_v3",
    "zwp_virtual_keyboard_manager_v1",
    "zxdg_decoration_manager_v1",
    "zxdg_exporter_v1",
    "zxdg_exporter_v2",
    "zxdg_importer_v1",
    "zxdg_importer_v2",
    "zxdg_output_manager_v1",
}
# Ours beyond sway 1.10's: wl_drm (here for a named node), the two of issue 21 beyond sway,
# and two sway 1.7 had and sway 1.10 dropped with wlroots 0.17/0.18 (swayidle 1.7 and
# swaylock 1.6 still use them).
BEYOND = {
    "wl_drm",
    "xdg_toplevel_icon_manager_v1",
    "xdg_wm_dialog_v1",
    "org_kde_kwin_idle",
    "zwlr_input_inhibit_manager_v1",
}


@needs("wayland-info")
def test_wayland_info_lists_sway_1_10s_globals_and_ours(wl_drm_compositor):
    result = wl_drm_compositor.run_client(["wayland-info"])
    assert result.returncode == 0, result.stderr
    seen = set(re.findall(r"interface: '([^']+)'", result.stdout))
    assert len(SWAY_1_10) == 47
    assert SWAY_1_10 - seen == set()
    assert seen == SWAY_1_10 | BEYOND
