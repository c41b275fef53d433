"""The DRM/KMS backend: a libseat session, wlroots' DRM backend per KMS device, libinput.

Instead of ``wlr_backend_autocreate`` the compositor assembles the pieces itself, so that
each failure gets its own actionable message (no seat, no device, device busy, no output,
no input) and so that the session and the DRM master fd stay reachable:

* :func:`master_fd` (or ``wlr_backend_get_drm_fd`` on the backend) is the primary device's
  fd as opened by the session: the DRM master while the session is active. wl_drm calls
  ``drmAuthMagic`` on it.
* :meth:`DrmBackend.get_session` returns the session; ``Core.change_vt`` switches VT
  through it (libseat: seatd or logind).

Outputs are modeset by :mod:`compositor.output` (preferred mode or ``--mode``) and laid
out left to right; wlroots handles connector hotplug (udev) and, on return to our VT,
restores every output's mode and last frame.
"""

from __future__ import annotations

import glob
import logging
import os

from pywayland.server import Display, Listener, Signal
from wlroots.backend import Backend, Session
from wlroots.wlr_types import Output

from compositor import wayland_fixes
from compositor.config import Config
from compositor.drm_backend import diagnose
from compositor.ffi import address, ffi, lib, to_native, to_wlroots
from compositor.listeners import Listeners

log = logging.getLogger(__name__)

MAX_GPUS = 8
RETRY_MS = 8  # after a failed page flip (EBUSY), try again this much later

__all__ = ["DrmBackend", "create_drm_backend", "master_fd"]


def master_fd(backend: Backend) -> int:
    """The DRM fd of the backend's primary device (-1 when it has none).

    With :class:`DrmBackend` this is the session's fd for the primary KMS device, which is
    DRM master while the session is active (``drmAuthMagic`` works on it then).
    """
    return lib.wlr_backend_get_drm_fd(to_native(backend, "struct wlr_backend *"))


class DrmBackend(Backend):
    """wlroots' multi backend (DRM devices + libinput) and the session it runs on."""

    # Set by create_drm_backend (this object is made by re-classing a wrapped pointer).
    _session: object  # struct wlr_session * (project ffi), NULL once destroyed
    devices: list[tuple[str, int]]  # (node, fd) per KMS device, primary first
    drm_outputs: int
    _listeners: Listeners

    def _setup(self, session: object, devices: list[tuple[str, int]]) -> None:
        self._session = session
        self.devices = devices
        self.drm_outputs = 0
        # Live DRM outputs (address -> (native pointer, destroy listener)) and pending retries.
        self._outputs: dict[int, tuple[object, Listeners]] = {}
        self._retries: dict[int, object] = {}
        active = Signal(
            ptr=to_wlroots(lib.comp_session_active_signal(session), "struct wl_signal *")
        )
        self._listeners = Listeners(
            (active, self._on_session_active), (self.new_output_event, self._on_new_output)
        )

    @property
    def drm_fd(self) -> int:
        return master_fd(self)

    @property
    def session_active(self) -> bool:
        return bool(self._session != ffi.NULL and self._session.active)

    def get_session(self) -> Session:
        session = Session.__new__(Session)
        session._ptr = to_wlroots(self._session, "struct wlr_session *")
        return session

    def change_vt(self, vt: int) -> bool:
        if self._session == ffi.NULL:
            return False
        ok = bool(lib.wlr_session_change_vt(self._session, vt))
        if not ok:
            log.warning("the seat refused the switch to VT %d", vt)
        return ok

    def _on_new_output(self, listener: Listener, output: Output) -> None:
        native = to_native(output, "struct wlr_output *")
        if not lib.wlr_output_is_drm(native):
            return
        self.drm_outputs += 1
        key = address(native)
        gone = Listeners((output.destroy_event, lambda _listener, _data: self._forget_output(key)))
        self._outputs[key] = (native, gone)
        log.info("DRM output %s (connector %d)", output.name, lib.wlr_drm_connector_get_id(native))

    def _forget_output(self, key: int) -> None:
        native, gone = self._outputs.pop(key)
        gone.remove_all()
        timer = self._retries.pop(key, None)
        wayland_fixes.remove_source(timer)

    def on_commit_failed(self, output: Output) -> None:
        """A frame could not be committed: retry shortly, or once our VT is back."""
        key = address(output)
        if key not in self._outputs or key in self._retries or not self.session_active:
            return  # not ours, already pending, or _on_session_active schedules it
        display = self._weak_display()
        if display is None:
            return
        timer = wayland_fixes.add_timer(display.get_event_loop(), lambda _data: self._retry(key))
        timer.timer_update(RETRY_MS)
        self._retries[key] = timer

    def _retry(self, key: int) -> int:
        timer = self._retries.pop(key, None)
        wayland_fixes.remove_source(timer)
        if key in self._outputs:
            lib.comp_output_schedule_frame(self._outputs[key][0])
        return 0

    def _on_session_active(self, listener: Listener, data: object) -> None:
        if self.session_active:
            log.info("session active again (back on our VT): restoring outputs")
            for native, _gone in self._outputs.values():
                lib.comp_output_schedule_frame(native)
        else:
            log.info("session inactive (switched to another VT): DRM master released")

    def start(self) -> None:
        from compositor.backend_handle import BackendError

        class StartError(BackendError, RuntimeError):
            """Raised from Server.run(), where the caller reports RuntimeErrors."""

        try:
            super().start()
        except RuntimeError as exc:
            # pywlroots destroyed the backend; the session is ours to close.
            self._destroy_session()
            raise StartError(
                "the DRM/libinput backends did not start (see the wlroots lines above). "
                "When libinput found no usable input device: is udev running, and does your "
                "seat own /dev/input/event*? WLR_LIBINPUT_NO_DEVICES=1 starts without input"
            ) from exc
        if self.drm_outputs == 0:
            node, fd = self.devices[0]
            connected = ffi.new("int *")
            disconnected = ffi.new("int *")
            total = lib.comp_drm_count_connectors(fd, connected, disconnected)
            log.error("%s", diagnose.explain_no_output(node, connected[0], total))

    def destroy(self) -> None:
        listeners = getattr(self, "_listeners", None)
        if listeners is not None:
            listeners.remove_all()
        for key in list(getattr(self, "_outputs", {})):
            self._forget_output(key)
        if self._ptr is not None:
            super().destroy()
        self._destroy_session()

    def _destroy_session(self) -> None:
        # After the DRM backends (they close their devices through it); closing the seat
        # gives the VT back to the text console.
        if self._session != ffi.NULL:
            lib.wlr_session_destroy(self._session)
            self._session = ffi.NULL


def _open_session(native_display: object) -> object:
    from compositor.backend_handle import BackendError

    session = lib.wlr_session_create(native_display)
    if session == ffi.NULL:
        raise BackendError(diagnose.explain_no_seat(diagnose.observe_seat()))
    log.info(
        "session: seat open, VT %s, %s",
        session.vtnr or "?",
        "active" if session.active else "inactive",
    )
    return session


def _find_devices(session: object) -> list[tuple[object, str, int]]:
    from compositor.backend_handle import BackendError

    gpus = ffi.new("struct wlr_device *[]", MAX_GPUS)
    count = lib.wlr_session_find_gpus(session, MAX_GPUS, gpus)
    if count <= 0:
        raise BackendError(
            diagnose.explain_no_device(diagnose.card_nodes(), os.environ.get("WLR_DRM_DEVICES"))
        )
    devices = []
    for i in range(count):
        fd = gpus[i].fd
        devices.append((gpus[i], diagnose.node_name(fd), fd))
    return devices


def create_drm_backend(display: Display, config: Config) -> DrmBackend:
    from compositor.backend_handle import BackendError, wrap_backend

    explicit = os.environ.get("WLR_DRM_DEVICES")
    if not explicit and not diagnose.card_nodes():
        raise BackendError(diagnose.explain_no_device([]))
    native_display = to_native(display, "struct wl_display *")
    session = _open_session(native_display)
    try:
        devices = _find_devices(session)
        if session.active:
            node, fd = devices[0][1], devices[0][2]
            if lib.comp_drm_is_master(fd) != 1:
                raise BackendError(diagnose.explain_busy(node))
        else:
            log.warning("%s", diagnose.explain_inactive(session.vtnr))
        multi = lib.wlr_multi_backend_create(native_display)
        if multi == ffi.NULL:
            raise BackendError("wlroots could not create the multi backend (out of memory?)")
        primary = ffi.NULL
        kept: list[tuple[str, int]] = []
        for dev, node, fd in devices:
            drm = lib.wlr_drm_backend_create(native_display, session, dev, primary)
            if drm == ffi.NULL:
                log.error("%s: wlroots could not use it for KMS (see above); skipping", node)
                continue
            if primary == ffi.NULL:
                primary = drm
            lib.wlr_multi_backend_add(multi, drm)
            kept.append((node, fd))
            log.info("DRM device %s%s", node, " (primary)" if len(kept) == 1 else "")
        if primary == ffi.NULL:
            lib.wlr_backend_destroy(multi)
            raise BackendError(
                f"no DRM device could be used for KMS ({', '.join(d[1] for d in devices)}); "
                "see the wlroots errors above"
            )
        if not glob.glob("/dev/input/event*") and "WLR_LIBINPUT_NO_DEVICES" not in os.environ:
            log.warning("%s", diagnose.explain_no_input())
            os.environ["WLR_LIBINPUT_NO_DEVICES"] = "1"
        libinput = lib.wlr_libinput_backend_create(native_display, session)
        if libinput == ffi.NULL:
            log.error("libinput could not be set up: no keyboard or pointer")
        else:
            lib.wlr_multi_backend_add(multi, libinput)
    except BaseException:
        lib.wlr_session_destroy(session)
        raise
    backend = wrap_backend(multi, display)
    backend.__class__ = DrmBackend  # same object layout; adds the session and DRM helpers
    backend._setup(session, kept)
    log.info("DRM master fd for wl_drm: %d (%s)", backend.drm_fd, kept[0][0])
    return backend
