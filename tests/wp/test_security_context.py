"""wp_security_context_manager_v1 (compositor/security_context.py, ffi/csrc/security_context.c)
with tests/clients/sandbox_client.py, a sandbox engine of the tests' own: the connections it
makes through its listener see exactly the unprivileged globals, carry their metadata into
the inspector, count against the connection limits, and the listener ends with its close fd.
"""

from __future__ import annotations

import subprocess
import sys

from tests.config.test_config_file import write_config
from tests.helpers import wait_for_line
from tests.waiting import wait_for

# What a sandboxed connection sees on the test compositor (headless, pixman, no wl_drm),
# written out: every global of an ordinary connection but the privileged ones below.
SANDBOXED = {
    "ext_idle_notifier_v1",
    "org_kde_kwin_idle",
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
    "wp_single_pixel_buffer_manager_v1",
    "wp_tearing_control_manager_v1",
    "wp_viewporter",
    "xdg_activation_v1",
    "xdg_toplevel_icon_manager_v1",
    "xdg_wm_base",
    "xdg_wm_dialog_v1",
    "zwp_idle_inhibit_manager_v1",
    "zwp_keyboard_shortcuts_inhibit_manager_v1",
    "zwp_pointer_constraints_v1",
    "zwp_pointer_gestures_v1",
    "zwp_primary_selection_device_manager_v1",
    "zwp_relative_pointer_manager_v1",
    "zwp_tablet_manager_v2",
    "zwp_text_input_manager_v3",
    "zxdg_decoration_manager_v1",
    "zxdg_exporter_v1",
    "zxdg_exporter_v2",
    "zxdg_importer_v1",
    "zxdg_importer_v2",
    "zxdg_output_manager_v1",
}
# Offered to the sandbox engine's own connection, hidden from the sandbox's.
PRIVILEGED = {
    "ext_foreign_toplevel_list_v1",
    "ext_session_lock_manager_v1",
    "ext_transient_seat_manager_v1",
    "wp_security_context_manager_v1",
    "zwlr_data_control_manager_v1",
    "zwlr_export_dmabuf_manager_v1",
    "zwlr_foreign_toplevel_manager_v1",
    "zwlr_gamma_control_manager_v1",
    "zwlr_input_inhibit_manager_v1",
    "zwlr_layer_shell_v1",
    "zwlr_output_manager_v1",
    "zwlr_output_power_manager_v1",
    "zwlr_screencopy_manager_v1",
    "zwlr_virtual_pointer_manager_v1",
    "zwp_input_method_manager_v2",
    "zwp_virtual_keyboard_manager_v1",
}


def start_sandbox(comp, *options: str) -> subprocess.Popen:
    argv = [sys.executable, "-m", "tests.clients.sandbox_client", *options]
    return comp.spawn(argv, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def command(proc: subprocess.Popen, line: str) -> None:
    proc.stdin.write(line + "\n")
    proc.stdin.flush()


def globals_seen(proc: subprocess.Popen) -> tuple[set[str], set[str]]:
    """(the engine's own connection's globals, the sandboxed connection's), once listed."""
    lines: list[str] = []
    wait_for_line(proc, lambda line: lines.append(line) or line == "sandboxed-done", 20)
    own = {line.split()[1] for line in lines if line.startswith("global ")}
    sandboxed = {line.split()[1] for line in lines if line.startswith("sandboxed-global ")}
    return own, sandboxed


def clients_by_sandbox(comp) -> list:
    return sorted(
        (c["security_context"] or {}).get("app_id") or "" for c in comp.ctl_ok("clients")["clients"]
    )


def test_a_sandboxed_connection_sees_no_privileged_global(compositor):
    proc = start_sandbox(
        compositor, "--engine", "org.flatpak", "--app-id", "org.example.App",
        "--instance-id", "4242",
    )  # fmt: skip
    own, sandboxed = globals_seen(proc)
    assert sandboxed == SANDBOXED
    assert own - sandboxed == PRIVILEGED
    # The inspector: the engine's own connection carries nothing, the sandboxed one its
    # metadata.
    contexts = [c["security_context"] for c in compositor.ctl_ok("clients")["clients"]]
    assert sorted(contexts, key=str) == sorted(
        [None, {"sandbox_engine": "org.flatpak", "app_id": "org.example.App",
                "instance_id": "4242"}], key=str,
    )  # fmt: skip
    command(proc, "quit")
    assert proc.wait(timeout=20) == 0
    wait_for(lambda: compositor.ctl_ok("clients")["clients"] == [], 20, what="clients gone")


def test_metadata_left_unset_is_none(compositor):
    proc = start_sandbox(compositor, "--engine", "org.example.bare", "--app-id", "",
                         "--instance-id", "")  # fmt: skip
    globals_seen(proc)
    contexts = [c["security_context"] for c in compositor.ctl_ok("clients")["clients"]]
    assert {"sandbox_engine": "org.example.bare", "app_id": None, "instance_id": None} in contexts


def test_the_close_fd_ends_the_listener_and_its_clients_stay(compositor):
    proc = start_sandbox(compositor)
    globals_seen(proc)
    command(proc, "connect")
    wait_for_line(proc, lambda line: line == "connect-accepted")
    command(proc, "close")
    wait_for_line(proc, lambda line: line == "closed")

    def refused() -> bool:
        command(proc, "connect")
        return wait_for_line(proc, lambda line: line.startswith("connect-")) == "connect-refused"

    wait_for(refused, 20, what="the listener closed once its close fd hung up")
    # The sandboxed connection made before stays, and still carries its metadata.
    assert clients_by_sandbox(compositor) == ["", "org.example.App"]


def test_sandboxed_connections_count_against_the_connection_limits(make_compositor):
    comp = make_compositor(args=["--max-client-connections", "2"])
    proc = start_sandbox(comp, "--connections", "3")
    # The engine's own connection and the first sandboxed one make two for this process.
    lines: list[str] = []
    ends = ("sandboxed-done", "sandboxed-error")
    for _ in range(3):
        wait_for_line(proc, lambda line: lines.append(line) or line.startswith(ends), 20)
    results = [line.split()[0] for line in lines if line.startswith(ends)]
    assert results == ["sandboxed-done", "sandboxed-error", "sandboxed-error"]
    # What libwayland printed of the compositor's wl_display.error: the compositor's words.
    # libwayland 1.23 (Debian 13) may see the socket close before it reads the error event,
    # and print nothing: the count is the compositor's own, below.
    told = [line for line in lines if "(--max-client-connections)" in line]
    assert all("too many connections" in line for line in told), told
    refused = comp.ctl_ok("limits")["connections"]["refused"]
    assert refused["max_client_connections"] == 2


def test_the_config_file_shows_and_hides_globals(make_compositor, tmp_path):
    config = write_config(
        tmp_path / "config.py",
        'sandbox(show=["zwlr_screencopy_manager_v1"], hide=["wp_viewporter"])\n',
    )
    comp = make_compositor(args=["--config", str(config)])
    _, sandboxed = globals_seen(start_sandbox(comp, "--socket", "sandbox-a"))
    assert sandboxed == SANDBOXED - {"wp_viewporter"} | {"zwlr_screencopy_manager_v1"}
    # Reloaded without it: the defaults again, for connections made from then on.
    config.write_text("")
    assert comp.ctl_ok("reload")
    _, sandboxed = globals_seen(start_sandbox(comp, "--socket", "sandbox-b"))
    assert sandboxed == SANDBOXED


def test_a_socket_that_does_not_listen_is_a_protocol_error(compositor):
    proc = start_sandbox(compositor, "--bad-listen-fd")
    # libwayland's line on stderr: the object, the error's code and the compositor's words.
    wait_for_line(
        proc,
        lambda line: (
            # libwayland 1.21 names the object interface@id, 1.23 (Debian 13) interface#id.
            line.replace("#4:", "@4:", 1) == "wp_security_context_manager_v1@4: error 1: "
            "listen_fd is not a listening socket: bind(2) and listen(2) it first"
        ),
        20,
    )
    wait_for_line(proc, lambda line: line.startswith("error "), 20)
    assert proc.wait(timeout=20) == 2


def test_metadata_set_twice_is_a_protocol_error(compositor):
    proc = start_sandbox(compositor, "--set-twice")
    # Destroyed by the client before the error came back: libwayland names no object.
    wait_for_line(proc, lambda line: line.endswith(": error 2: the app id was set already"), 20)
    wait_for_line(proc, lambda line: line.startswith("error "), 20)
    assert proc.wait(timeout=20) == 2


def test_a_sandboxed_connection_cannot_nest_a_context(make_compositor, tmp_path):
    # Shown to sandboxes by the config file, the manager still refuses them.
    config = write_config(
        tmp_path / "config.py", 'sandbox(show=["wp_security_context_manager_v1"])\n'
    )
    comp = make_compositor(args=["--config", str(config)])
    proc = start_sandbox(comp, "--nested")
    wait_for_line(
        proc,
        lambda line: line.endswith(
            "error 2: a sandboxed connection cannot make a security context"
        ),
        20,
    )
    wait_for_line(proc, lambda line: line.startswith("sandboxed-error nested"), 20)
