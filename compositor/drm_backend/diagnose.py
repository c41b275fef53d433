"""Explain why the DRM backend cannot start, in words that say what to do next.

Pure functions over what can be observed (environment, device nodes, file modes): the
backend calls them when a step fails, and tests call them with made-up observations.
"""

from __future__ import annotations

import glob
import grp
import os
import stat
from dataclasses import dataclass, field


@dataclass
class SeatFacts:
    """What decides whether libseat can open a seat."""

    uid: int
    libseat_backend: str | None  # $LIBSEAT_BACKEND
    session_id: str | None  # $XDG_SESSION_ID (logind)
    seatd_sock: str  # $SEATD_SOCK or /run/seatd.sock
    seatd_sock_exists: bool
    seatd_sock_writable: bool
    seatd_sock_group: str | None
    user_groups: list[str] = field(default_factory=list)


def observe_seat(env: dict[str, str] | None = None) -> SeatFacts:
    env = dict(os.environ) if env is None else env
    sock = env.get("SEATD_SOCK", "/run/seatd.sock")
    exists = os.path.exists(sock)
    group = None
    if exists:
        try:
            group = grp.getgrgid(os.stat(sock).st_gid).gr_name
        except (KeyError, OSError):
            group = None
    groups = []
    for gid in os.getgroups():
        try:
            groups.append(grp.getgrgid(gid).gr_name)
        except KeyError:
            groups.append(str(gid))
    return SeatFacts(
        uid=os.getuid(),
        libseat_backend=env.get("LIBSEAT_BACKEND"),
        session_id=env.get("XDG_SESSION_ID"),
        seatd_sock=sock,
        seatd_sock_exists=exists,
        seatd_sock_writable=exists and os.access(sock, os.R_OK | os.W_OK),
        seatd_sock_group=group,
        user_groups=groups,
    )


def explain_no_seat(facts: SeatFacts) -> str:
    """Message for ``wlr_session_create`` failing (libseat found no usable seat)."""
    head = "could not open a seat (libseat): "
    launch = "sudo seatd-launch -- pydrm-compositor --backend drm"
    if facts.seatd_sock_exists and not facts.seatd_sock_writable:
        group = facts.seatd_sock_group or "the socket's group"
        return (
            head + f"permission denied on {facts.seatd_sock}; add your user to the group "
            f"'{group}' (sudo usermod -aG {group} $USER, then log in again) or run: {launch}"
        )
    if facts.libseat_backend == "seatd" and not facts.seatd_sock_exists:
        return (
            head + f"LIBSEAT_BACKEND=seatd but seatd is not running ({facts.seatd_sock} "
            f"missing); start it (sudo systemctl start seatd, or sudo seatd -g video) or run: "
            f"{launch}"
        )
    if facts.libseat_backend == "logind" or (
        facts.session_id and not facts.seatd_sock_exists and facts.libseat_backend is None
    ):
        return (
            head + "logind did not give this session a seat; run from a text console (VT) "
            "login, not over ssh or inside another session, check `loginctl show-session "
            f"$XDG_SESSION_ID` shows Seat=seat0, or run: {launch}"
        )
    if not facts.seatd_sock_exists and not facts.session_id:
        return (
            head + f"no seat manager: no logind session (XDG_SESSION_ID is unset) and no "
            f"seatd ({facts.seatd_sock} missing). Log in on a VT (logind), or start seatd "
            f"(sudo seatd -g video; add yourself to 'video'), or run: {launch}"
        )
    return (
        head + "the seat is taken or refused us (is another compositor running on this seat, "
        f"or are you not on the foreground VT?); see the libseat lines above, or run: {launch}"
    )


def card_nodes() -> list[str]:
    return sorted(glob.glob("/dev/dri/card[0-9]*"))


def explain_no_device(nodes: list[str], explicit: str | None = None) -> str:
    """Message for finding no KMS device."""
    if explicit:
        return (
            f"no usable KMS device in WLR_DRM_DEVICES={explicit}: check the paths exist and "
            "are display (card*) nodes, or unset WLR_DRM_DEVICES"
        )
    if not nodes:
        return (
            "no DRM device: /dev/dri has no card* node. Load your GPU's kernel driver "
            "(e.g. modprobe i915 / amdgpu / virtio-gpu; nvidia needs nvidia-drm.modeset=1), "
            "or use --backend headless"
        )
    return (
        f"none of {', '.join(nodes)} is a KMS display device (render-only drivers such as "
        "vgem cannot show anything); use a GPU with a display engine or --backend headless"
    )


def explain_busy(node: str) -> str:
    return (
        f"{node} is busy: another process (an X server, another compositor, or a leftover "
        "process) is its DRM master, so this compositor cannot modeset. Stop it (see "
        "`fuser -v " + node + "`), or switch to a free VT and start there"
    )


def explain_inactive(vt: int) -> str:
    return (
        f"the seat's session (VT {vt or '?'}) is not active: start the compositor from the "
        "VT that is in the foreground, not from ssh or a background job"
    )


def explain_no_output(node: str, connected: int, total: int) -> str:
    if total <= 0:
        return f"{node} has no connectors; nothing can be shown on it"
    return (
        f"no connected output on {node} ({total} connector(s), {connected} connected): "
        "connect a monitor and check the cable and the monitor's input; the compositor "
        "keeps running and lights up outputs as they are plugged in"
    )


def explain_no_input() -> str:
    return (
        "no input devices (/dev/input/event* missing or none usable): the compositor starts "
        "anyway, but you cannot type or use Ctrl+Alt+BackSpace; stop it with SIGTERM "
        "(kill), and check that udev runs and your seat owns the input devices"
    )


def node_name(fd: int) -> str:
    """/dev/dri/cardN for an open DRM fd (best effort)."""
    try:
        st = os.fstat(fd)
    except OSError:
        return f"fd {fd}"
    if not stat.S_ISCHR(st.st_mode):
        return f"fd {fd}"
    major, minor = os.major(st.st_rdev), os.minor(st.st_rdev)
    link = f"/sys/dev/char/{major}:{minor}"
    try:
        return "/dev/dri/" + os.path.basename(os.readlink(link))
    except OSError:
        return f"DRM device {major}:{minor}"
