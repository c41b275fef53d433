"""Pure parts of the DRM backend (no VM needed): mode choice and error messages."""

from __future__ import annotations

from compositor.config import Mode
from compositor.drm_backend import diagnose
from compositor.drm_backend.modes import choose

OFFERED = [(1280, 800, 74994), (1024, 768, 75029), (1024, 768, 60004), (1920, 1080, 59940)]


def test_mode_exact_size_highest_refresh():
    assert choose(Mode(1024, 768), OFFERED) == (1024, 768, 75029)


def test_mode_refresh_within_one_hz():
    assert choose(Mode(1024, 768, 60000), OFFERED) == (1024, 768, 60004)
    assert choose(Mode(1920, 1080, 60000), OFFERED) == (1920, 1080, 59940)
    assert choose(Mode(1024, 768, 50000), OFFERED) is None


def test_mode_unlisted_size():
    assert choose(Mode(800, 600), OFFERED) is None


def _facts(**kw) -> diagnose.SeatFacts:
    base = dict(
        uid=1000,
        libseat_backend=None,
        session_id=None,
        seatd_sock="/run/seatd.sock",
        seatd_sock_exists=False,
        seatd_sock_writable=False,
        seatd_sock_group=None,
    )
    return diagnose.SeatFacts(**{**base, **kw})


def test_no_seat_manager_at_all():
    msg = diagnose.explain_no_seat(_facts())
    assert "no seat manager" in msg and "seatd-launch" in msg and "logind" in msg


def test_seatd_socket_permission():
    msg = diagnose.explain_no_seat(
        _facts(seatd_sock_exists=True, seatd_sock_group="video", libseat_backend="seatd")
    )
    assert "permission denied" in msg and "usermod -aG video" in msg


def test_logind_session_without_seat():
    assert "loginctl" in diagnose.explain_no_seat(_facts(session_id="3"))


def test_device_messages():
    assert "modprobe" in diagnose.explain_no_device([])
    assert "KMS" in diagnose.explain_no_device(["/dev/dri/card0"])
    assert "is busy" in diagnose.explain_busy("/dev/dri/card0")
    assert "connect a monitor" in diagnose.explain_no_output("/dev/dri/card0", 0, 2)
