# pydrm-compositor's configuration file: copy it to ~/.config/pydrm-compositor/config.py
# (or pass --config PATH) and change what you like. It is Python, run at start and at each
# reload (`pydrm-ctl reload`, or Super+Shift+C while a file is in use). A mistake never
# costs the session: a file that fails (syntax, exception, unknown key or option) leaves
# the compositor running on what it ran before, and the error names this file and the line,
# in the log, in `pydrm-ctl reload`'s reply and on screen until `pydrm-ctl config-dismiss`.
#
# Every name used below is already here; the import only tells an editor or linter so.
import logging

from compositor.configfile.api import (
    background,
    bind,
    client_limits,
    cmd,
    cursor,
    hook,
    input,
    mouse,
    output,
    profile,
    rule,
    title_bar,
)

# -- key bindings ---------------------------------------------------------------------------
# Modifiers: Super (Logo, Mod4), Alt (Mod1), Ctrl, Shift; the key is an xkb keysym name.
# The action is a command (cmd.NAME(...): the same commands as `pydrm-ctl NAME ...`) or a
# Python function. The built-in bindings (Alt+F4 close, Alt+Tab, Alt+F10 maximize, Alt+F11
# and Super+F fullscreen, Alt+F9 minimize, Ctrl+Alt+R record, Ctrl+Alt+BackSpace quit,
# Ctrl+Alt+F1..F12 VT) stay unless a binding here takes their keys or unbind() removes them;
# default_bindings(False) removes them all but the way out (quit and the VT switches).
mod = "Super"
bind(f"{mod}+Return", cmd.spawn("foot"), "terminal")
bind(f"{mod}+d", cmd.spawn("fuzzel"), "launcher")
bind(f"{mod}+Shift+q", cmd.close())
bind(f"{mod}+m", cmd.maximize())
bind(f"{mod}+n", cmd.minimize())
bind(f"{mod}+a", cmd.set_layer("above"), "keep the window above the others")
bind(f"{mod}+Shift+a", cmd.set_layer("normal"), "among the others again")
bind(f"{mod}+Tab", cmd.switch_windows(step=1))
bind(f"{mod}+Shift+e", cmd.quit(), inhibitable=False)
bind("Print", cmd.spawn("grim ~/screenshot.png"))
bind(f"{mod}+Right", cmd.move(dx=64))
bind(f"{mod}+Left", cmd.move(dx=-64))
# unbind("Alt+F4")


def focus_terminal():
    """A binding may run any Python: here, focus a foot window if there is one."""
    try:
        cmd.focus(app_id="foot").run()
    except Exception:
        cmd.spawn("foot").run()


bind(f"{mod}+t", focus_terminal, "focus or start a terminal")

# -- pointer bindings (on windows) ----------------------------------------------------------
# Built in: Alt or Super + left drag moves, + right drag resizes.
# mouse("Alt+left", None)             # remove one
mouse(f"{mod}+middle", cmd.close())  # a command, or a function of the window's description

# -- window rules (when a window first maps; later rules win) -------------------------------
# Match (regular expressions on the whole value): app_id, title, x11_class, pid.
# Do: output, position (of the frame, title bar included; from the output's top-left when an
# output is named), size, state (normal, maximized, fullscreen, minimized), decoration
# (server: our title bar; client: none of ours), focus (False: do not take the focus),
# above / below (True: kept over / under every normal window, even a focused one; a reload
# re-applies it; `pydrm-ctl set-layer layer=above|normal|below` does it by hand).
rule(app_id="mpv", state="fullscreen")
rule(app_id="pavucontrol", size=(640, 480))
rule(x11_class="(?i)xeyes", position=(20, 20), focus=False)
rule(title=".*Picture-in-Picture.*", size=(480, 270), decoration="client", above=True)

# -- outputs ---------------------------------------------------------------------------------
# By connector name (as `pydrm-ctl outputs` or wlr-randr show it) or monitor(make=, model=,
# serial=). Settings: mode ("WxH[@Hz]"), scale, transform (normal, 90, 180, 270, flipped,
# flipped-90...), position (x, y; outputs without one go left to right after those with
# one), enabled. Applied when an output appears, at reload, and when one goes.
output("eDP-1", scale=1.5)
# output(monitor(make="Dell Inc.", model="DELL U2720Q"), mode="3840x2160@60", scale=2)

# Profiles, as kanshi: applied when exactly this set of outputs is connected (the first
# that matches); their settings come over output()'s.
profile(
    "docked",
    {
        "eDP-1": dict(enabled=False),
        "DP-1": dict(mode="2560x1440", position=(0, 0)),
    },
)

# -- inputs ----------------------------------------------------------------------------------
# Match: "*", "type:keyboard", "type:pointer", "type:touchpad", or a device's name.
input("type:keyboard", xkb_layout="us", xkb_options="caps:escape", repeat_rate=30,
      repeat_delay=300)  # fmt: skip
input("type:touchpad", tap=True, natural_scroll=True, dwt=True, scroll_method="two_finger")
input("type:pointer", accel_profile="flat", accel_speed=0.0)

# -- programs --------------------------------------------------------------------------------
# autostart: once per session; on_reload: at start and at each reload (sway's exec_always).
# autostart("waybar", "swaybg -c '#203040'")
# on_reload(["notify-send", "configuration loaded"])

# -- looks -----------------------------------------------------------------------------------
cursor(theme="Adwaita", size=24)
background("#203040")
# font: a fontconfig name ("DejaVu Sans Mono", "DejaVu Serif:bold", "monospace"; `fc-list :
# family` lists them) or a font file's path; a name with no such family is an error.
title_bar(focused="#2e5a8a", unfocused="#4d4d4d", close="#c0392b", maximize="#3f7a4a",
          font="DejaVu Sans", font_size=13)  # fmt: skip

# -- sandboxes ---------------------------------------------------------------------------------
# Connections from a sandbox (Flatpak >= 1.15.6, through wp_security_context_v1) do not see
# the privileged globals: screen capture, virtual input, clipboard managers, panels, lock
# screens, output and gamma control... show= offers some of them to sandboxed apps again,
# hide= hides more. `pydrm-ctl clients` shows which connections came from a sandbox.
# sandbox(show=["zwlr_screencopy_manager_v1"], hide=["zwp_tablet_manager_v2"])

# -- client limits ---------------------------------------------------------------------------
# What one client may hold (pydrm-ctl limits shows them; --max-client-* sets them for all):
# client_limits() gives the clients whose executable (a regular expression on the path or
# its base name; "Xwayland" for Xwayland) or uid match other ones when they connect, and can
# keep linux-dmabuf or wl_drm from them (they fall back to shared memory).
# client_limits(exe="firefox", shm_bytes=8 << 30, dmabuf_bytes=4 << 30)
# client_limits(exe="untrusted-.*", linux_dmabuf=False, wl_drm=False, surfaces=64)
# Formats or modifiers refused to a program, to try its fall-back (wayland-info shows them):
# client_limits(exe="mpv", refuse_formats=["NV12"], refuse_modifiers=["LINEAR"])
client_limits(exe="Xwayland", surfaces=16384, objects=200_000)  # one client for all X11 apps

# -- hooks -------------------------------------------------------------------------------------
# A function called at an event with a dict (a window's or output's description, a
# client's pid). Events: window_mapped, window_unmapped, window_focused, window_title,
# output_added, output_removed, client_connected, client_gone, client_first_buffer,
# client_shm_fallback. An event with no hook costs nothing. A hook that raises is logged with
# its traceback and disabled after 3 failures.


@hook("window_mapped")
def dialogs_in_the_middle(window):
    if window["parent"] is not None:
        return  # dialogs already open over their parent
    if window["app_id"] == "org.gnome.Calculator":
        cmd.resize(id=window["id"], width=360, height=520).run()


@hook("client_shm_fallback")
def gpu_path_lost(event):
    # A window that showed dma-bufs now shows shared memory: its EGL/Vulkan fell back to
    # software. `pydrm-ctl clients` says why (the inspector's diagnosis).
    logging.getLogger("config").warning(
        "%s fell back to %s (from %s)", event["app_id"] or event["pid"], event["kind"],
        event["from"],
    )
