"""The compositor: one linear setup, the event loop, and a clean teardown.

Setup order matters and is the order of the fields below: display -> backend -> renderer
and allocator -> protocol globals -> layout and scene -> outputs, shell, seat -> wl_drm,
control socket, recorder -> Wayland socket -> backend start.
"""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

from pywayland import lib as wl_lib
from pywayland.server import Display
from wlroots.wlr_types import OutputLayout, Scene

from compositor import wayland_fixes
from compositor.backend import create_backend
from compositor.config import Config
from compositor.control import CommandError, ControlServer
from compositor.ffi import ffi, lib, to_native
from compositor.globals import ProtocolGlobals
from compositor.input.bindings import Bindings
from compositor.input.injector import InputInjector
from compositor.input.seat import SeatManager
from compositor.input.virtual import VirtualInput
from compositor.inspect import Inspector
from compositor.inspect.trace import Tracing
from compositor.output import OutputManager, ServerOutput
from compositor.output_management import OutputManagement
from compositor.recorder import create_recorder
from compositor.render.renderer import create_allocator, create_renderer
from compositor.render.tools import RenderTools
from compositor.shell.activation import Activation
from compositor.shell.decorations import Decorations
from compositor.shell.foreign_toplevel import ForeignToplevels
from compositor.shell.layer import LayerShell
from compositor.shell.stacking import Stacking
from compositor.shell.xdg_shell import Shell
from compositor.shell.xwayland import XWayland
from compositor.stats import Stats

if TYPE_CHECKING:
    import subprocess

log = logging.getLogger(__name__)


class SocketError(Exception):
    """The Wayland socket could not be created."""


class Server:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.backend_name = config.resolved_backend()
        self.exit_code = 0
        self.children: list[subprocess.Popen] = []
        self._signal_sources: list = []
        # Everything shutdown() may free starts as None, so a failed setup can be undone.
        self.backend = self.renderer = self.allocator = self.output_layout = None
        self.outputs = self.shell = self.seat = self.wl_drm = self.recorder = None
        self.layers: LayerShell | None = None
        self.decorations: Decorations | None = None
        self.foreign_toplevels: ForeignToplevels | None = None
        self.virtual_input: VirtualInput | None = None
        self.activation: Activation | None = None
        self.output_management: OutputManagement | None = None
        self.control: ControlServer | None = None
        self.injector: InputInjector | None = None
        self.render_tools: RenderTools | None = None
        self.xwayland: XWayland | None = None
        self.display = Display()
        try:
            self._setup()
        except BaseException:
            self.shutdown()
            raise

    def _setup(self) -> None:
        config = self.config
        self.event_loop = self.display.get_event_loop()
        self.backend = create_backend(self.display, config, self.backend_name)
        # The compositor picks its renderer itself (see render/renderer.py).
        self.renderer_choice = create_renderer(self.backend, config.renderer)
        self.renderer = self.renderer_choice.renderer
        self.allocator = create_allocator(self.backend, self.renderer_choice)
        self.output_layout = OutputLayout()
        self.scene = Scene(self.output_layout)
        self.globals = ProtocolGlobals(self)
        # Copy counters, overlay and screenshots (render/tools.py).
        self.render_tools = RenderTools(self)
        self.stacking = Stacking(self.scene)
        self.outputs = OutputManager(self)
        self.shell = Shell(self, self.stacking.views)
        self.decorations = Decorations(self)
        self.seat = SeatManager(self)
        self.foreign_toplevels = ForeignToplevels(self)
        # A window shown or hidden may show or hide an idle inhibitor's surface.
        self.foreign_toplevels.on_visibility_changed = self.seat.idle.update
        self.virtual_input = VirtualInput(self.display, self.seat)
        self.activation = Activation(self.display, self.shell)
        self.layers = LayerShell(self, self.stacking, self._focus_layer_keyboard)
        self.shell.usable_area = self.layers.usable_area
        self.layers.on_usable_changed = self.shell.refit
        self.output_management = OutputManagement(
            self.display, self.outputs, self.on_outputs_changed
        )
        self.bindings = Bindings(self)
        if self.backend_name == "headless" and config.headless_input:
            self.injector = InputInjector(self)
        self.wl_drm = self._create_wl_drm()
        self.xwayland = self._create_xwayland()
        self.recorder = create_recorder(self)
        self.stats = Stats(self)
        self.inspector = Inspector(self)
        self.tracing = Tracing(self)
        # malloc_trim two seconds after clients went (ffi/cdef/19_memory_trim.h).
        self.memory_trim = lib.comp_memory_trim_install(
            to_native(self.display, "struct wl_display *")
        )
        self.socket_name = self._add_socket(config.socket)
        if not config.no_control:
            path = (
                config.control_socket
                or Path(os.environ["XDG_RUNTIME_DIR"]) / f"{self.socket_name}.control"
            )
            self.control = ControlServer(self, path)
            self._register_commands(self.control)
        self._signal_sources = [
            wayland_fixes.add_signal(self.event_loop, signal.SIGINT, self._on_signal),
            wayland_fixes.add_signal(self.event_loop, signal.SIGTERM, self._on_signal),
        ]

    # -- setup helpers --------------------------------------------------------------------

    def _create_wl_drm(self):
        if not self.config.wl_drm:
            log.info("wl_drm: off (--no-wl-drm)")
            return None
        try:
            from compositor.wl_drm import create_wl_drm
        except ImportError:
            log.info("wl_drm: not available in this build")
            return None
        return create_wl_drm(self)

    def _create_xwayland(self) -> XWayland | None:
        if not self.config.xwayland:
            log.info("xwayland: off (--no-xwayland)")
            return None
        glamor = (
            self.wl_drm is not None and self.wl_drm.device.exists
        ) or self.globals.linux_dmabuf != ffi.NULL
        try:
            return XWayland(self, glamor)
        except RuntimeError as exc:  # no Xwayland binary, no free X display
            log.warning("xwayland: not available (%s); X11 clients cannot connect", exc)
            return None

    def _add_socket(self, name: str | None) -> str:
        try:
            return (
                self.display.add_socket(name).decode()
                if name is None
                else (self.display.add_socket(name) and name)
            )
        except Exception as exc:
            runtime = os.environ.get("XDG_RUNTIME_DIR")
            wanted = f"{runtime}/{name}" if name else f"a free wayland-N in {runtime}"
            raise SocketError(
                f"cannot create the Wayland socket {wanted}: it is in use by "
                "another compositor or the directory is not writable; pass "
                "another --socket NAME"
            ) from exc

    def _register_commands(self, control: ControlServer) -> None:
        control.register(
            "ping",
            "check that the compositor answers",
            lambda r: {
                "socket": self.socket_name,
                "backend": self.backend_name,
                "renderer": self.renderer_choice.kind,
                "pid": os.getpid(),
                "display": self.xwayland.display_name if self.xwayland is not None else None,
            },
        )
        control.register(
            "outputs",
            "list outputs with their frame counters",
            lambda r: {"outputs": [o.describe() for o in self.outputs]},
        )
        control.register(
            "views",
            "list windows, bottom to top",
            lambda r: {"views": [v.describe() for v in self.shell.views]},
        )
        control.register(
            "layers",
            "list layer-shell surfaces (panels, wallpapers, launchers) and each output's "
            "usable area",
            lambda r: {
                "surfaces": self.layers.describe(),
                "usable": {name: vars(rect) for name, rect in sorted(self.layers.usable.items())},
            },
        )
        control.register("pointer-move", "move the pointer to layout x, y", self._cmd_move)
        control.register(
            "pointer-button",
            "click a button (button=272 left); pressed=true|false for only the press or release",
            self._cmd_button,
        )
        control.register(
            "key",
            "press and release a key (name or evdev code); pressed=true|false for only one",
            self._cmd_key,
        )
        control.register("type", "type text on the injected keyboard", self._cmd_type)
        control.register(
            "pointer-gesture",
            "a touchpad gesture on the injected pointer: kind=swipe|pinch|hold "
            "phase=begin|update|end [fingers=3 dx= dy= scale= rotation= cancelled=false]",
            self._cmd_gesture,
        )
        control.register(
            "tablet-add",
            "plug a tablet (a tablet-tool device) into the headless backend",
            lambda r: self._injector().add_tablet() or {},
        )
        control.register(
            "tablet-pen",
            "the headless tablet's pen at layout x, y: [tip=down|up] [pressure=0..1] "
            "[proximity=in|out] [button=331 pressed=true|false]",
            self._cmd_pen,
        )
        control.register(
            "input-plug",
            "headless: plug in another keyboard or pointer (kind=keyboard|pointer); injected "
            "input goes to it",
            lambda r: self._injector().plug(str(r.get("kind"))) or {},
        )
        control.register(
            "input-unplug",
            "headless: pull out the newest keyboard or pointer (kind=keyboard|pointer)",
            lambda r: self._injector().unplug(str(r.get("kind"))) or {},
        )
        control.register("quit", "stop the compositor", lambda r: self.terminate() or {})
        # Feature modules add their own commands (buffer table, record start/stop, ...).
        for feature in (
            self.seat,
            self.outputs,
            self.output_management,
            self.wl_drm,
            self.recorder,
            self.render_tools,
            self.decorations,
            self.stats,
            self.inspector,
            self.tracing,
            self.xwayland,
        ):
            if feature is not None and hasattr(feature, "register_commands"):
                feature.register_commands(control)

    def _injector(self) -> InputInjector:
        if self.injector is None:
            raise CommandError(
                "input injection needs the headless backend (and no --no-headless-input)"
            )
        return self.injector

    def _cmd_move(self, request: dict) -> dict:
        self._injector().move(float(request["x"]), float(request["y"]))
        return {}

    def _cmd_pen(self, request: dict) -> dict:
        pressure, button = request.get("pressure"), request.get("button")
        self._injector().pen(
            float(request["x"]),
            float(request["y"]),
            tip=request.get("tip"),
            pressure=None if pressure is None else float(pressure),
            proximity=request.get("proximity"),
            button=None if button is None else int(button),
            pressed=str(request.get("pressed", "true")).lower() in ("true", "1", "yes"),
        )
        return {}

    def _cmd_button(self, request: dict) -> dict:
        injector, button = self._injector(), int(request.get("button", 0x110))
        for pressed in _press_release(request):
            injector.button(button, pressed)
        return {}

    def _cmd_key(self, request: dict) -> dict:
        injector = self._injector()
        for pressed in _press_release(request):
            injector.key(request["key"], pressed)
        return {}

    def _cmd_type(self, request: dict) -> dict:
        self._injector().type_text(str(request["text"]))
        return {}

    def _cmd_gesture(self, request: dict) -> dict:
        self._injector().gesture(
            str(request["kind"]),
            str(request["phase"]),
            fingers=int(request.get("fingers", 3)),
            dx=float(request.get("dx", 0)),
            dy=float(request.get("dy", 0)),
            scale=float(request.get("scale", 1)),
            rotation=float(request.get("rotation", 0)),
            cancelled=str(request.get("cancelled", "false")).lower() in ("true", "1"),
        )
        return {}

    # -- running --------------------------------------------------------------------------

    def on_output_added(self, output: ServerOutput) -> None:
        """Called by the OutputManager for each output once it is enabled and laid out."""
        if self.render_tools is not None:
            self.render_tools.on_output_added(output)
        if self.recorder is not None:
            self.recorder.on_output_added(output)
        if self.output_management is not None:
            self.output_management.publish()
        if self.foreign_toplevels is not None:
            self.foreign_toplevels.refresh_outputs()

    def on_outputs_changed(self, removed: ServerOutput | None = None) -> None:
        """Called by the OutputManager when outputs went away or moved in the layout."""
        if self.layers is None:
            return
        if removed is not None:
            self.layers.on_output_removed(removed.output)
            if self.output_management is not None:
                self.output_management.publish()
        for output in self.outputs:
            self.layers.arrange(output.output)
        self.shell.refit()
        if self.decorations is not None:
            self.decorations.rescale()
        if self.foreign_toplevels is not None:
            self.foreign_toplevels.refresh_outputs()
        if self.recorder is not None:
            self.recorder.on_outputs_changed()

    def refocus_keyboard(self) -> None:
        """Give the keyboard to whoever should have it now: a layer surface that wants it
        (a launcher), else the focused window (when a client stops inhibiting input)."""
        owner = self.layers.keyboard_owner if self.layers is not None else None
        self._focus_layer_keyboard(owner.surface if owner is not None else None)

    def _focus_layer_keyboard(self, surface) -> None:
        """A layer surface takes the keyboard (launchers), or gives it back (None)."""
        if surface is not None:
            self.seat.focus_keyboard(surface)
        elif self.shell.focused_view is not None:
            self.seat.focus_keyboard(self.shell.focused_view.surface)
        else:
            self.seat.clear_keyboard_focus()

    def change_vt(self, vt: int) -> None:
        if self.backend_name != "drm":
            log.info("VT switching needs the drm backend")
            return
        self.backend.get_session().change_vt(vt)

    def terminate(self, exit_code: int = 0) -> None:
        self.exit_code = exit_code
        self.display.terminate()

    def _on_signal(self, signal_number: int, data: object) -> int:
        log.info("received %s, shutting down", signal.Signals(signal_number).name)
        self.terminate()
        return 0

    def run(self) -> int:
        self.backend.start()
        os.environ["WAYLAND_DISPLAY"] = self.socket_name
        # Clients started from here reach our X display, or none (not a host's X server).
        if self.xwayland is not None:
            os.environ["DISPLAY"] = self.xwayland.display_name
        else:
            os.environ.pop("DISPLAY", None)
        log.info(
            "ready: WAYLAND_DISPLAY=%s DISPLAY=%s backend=%s renderer=%s",
            self.socket_name,
            self.xwayland.display_name if self.xwayland is not None else "(none)",
            self.backend_name,
            self.renderer_choice.kind,
        )
        if self.config.startup_commands:
            # Only for `-- CLIENT`: a compositor started without one never loads subprocess.
            import shlex
            import subprocess

            for command in self.config.startup_commands:
                log.info("starting client: %s", command)
                self.children.append(subprocess.Popen(shlex.split(command)))
        self.display.run()
        return self.exit_code

    def shutdown(self) -> None:
        """Disconnect clients, then free what the display does not free itself.

        Safe after a partial setup: each step runs only for what exists.
        """
        for child in self.children:
            if child.poll() is None:
                child.terminate()
        if self.recorder is not None:
            # Finalize the file before outputs go away.
            self.recorder.shutdown()
        if self.control is not None:
            self.control.destroy()  # ends the streams: every tracer stops
        if self.xwayland is not None:
            # Before the clients go: Xwayland is one, and wlroots would restart it.
            self.xwayland.destroy()
            self.xwayland = None
        for source in self._signal_sources:
            wayland_fixes.remove_source(source)
        wl_lib.wl_display_destroy_clients(self.display._ptr)
        if self.render_tools is not None:
            self.render_tools.destroy()
        if self.wl_drm is not None:
            self.wl_drm.destroy()
        # pywlroots frees some objects when they are garbage collected; free them here, in
        # dependency order, so nothing is freed twice or after the display is gone.
        for part in (
            self.activation,
            self.virtual_input,
            self.output_management,
            self.layers,
            self.decorations,
            self.foreign_toplevels,
            self.shell,
            self.outputs,
        ):
            if part is not None:
                part.destroy()
        # Destroying the backend destroys its outputs and input devices (our listeners see
        # them go while the seat still exists).
        if self.backend is not None:
            self.backend.destroy()
        if self.seat is not None:
            self.seat.destroy()
        if self.output_layout is not None:
            self.output_layout.destroy()
        self.display.destroy()
        if self.allocator is not None:
            lib.wlr_allocator_destroy(to_native(self.allocator, "struct wlr_allocator *"))
        if self.renderer is not None:
            lib.wlr_renderer_destroy(to_native(self.renderer, "struct wlr_renderer *"))
        if self.children:
            import subprocess  # loaded by run() already

            for child in self.children:
                try:
                    child.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    child.kill()


def _press_release(request: dict) -> tuple[bool, ...]:
    """A click (press, release) unless ``pressed`` asks for one of them."""
    if "pressed" not in request:
        return True, False
    value = request["pressed"]
    if isinstance(value, str):
        value = {"true": True, "1": True, "false": False, "0": False}.get(value.lower(), value)
    if not isinstance(value, (bool, int)) or value not in (0, 1):
        raise CommandError(f"pressed must be true or false, not {request['pressed']!r}")
    return (bool(value),)
