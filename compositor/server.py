"""The composition root: one linear setup, the event loop, and a clean teardown.

Setup order, as :meth:`Server._setup` runs it: display -> backend -> renderer and allocator
-> layout, scene and its layer trees (the :class:`~compositor.core.Core`) -> protocol globals
-> client limits -> outputs -> frame clock, render tools -> window manager, xdg shell,
decorations, switcher, bindings, seat -> taskbar handles, virtual input, activation, layer
shell, session lock, output management -> injected input (headless) -> wl_drm, Xwayland,
recorder, screen sharing -> who follows the outputs -> the configuration file -> inspector,
the portal chooser's answers, tracing, memory trim, stats -> Wayland socket -> control socket
-> the configuration file loaded (its commands exist now) -> SIGINT and SIGTERM;
:meth:`Server.run` starts the backend.

Each feature gets the core and exactly the collaborators it calls; the events between
features (outputs added or changed, windows changed or gone, focus) are observer lists on
their owners, wired here. No feature module imports this one.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pywayland import lib as wl_lib
from pywayland.server import Display
from wlroots.wlr_types import OutputLayout, Scene
from wlroots.wlr_types.keyboard import KeyboardModifier

from compositor import wayland_fixes
from compositor.backend import create_backend
from compositor.config import Config
from compositor.configfile.commands import CommandRegistry
from compositor.configfile.runtime import UserConfig
from compositor.control import ControlServer
from compositor.core import Core, Stacking
from compositor.ffi import ffi, lib, to_native
from compositor.frame_clock import FrameClock
from compositor.globals import ProtocolGlobals
from compositor.input.bindings import Bindings
from compositor.input.injector import InputInjector
from compositor.input.injector import register_commands as register_injection_commands
from compositor.input.seat import SeatManager
from compositor.input.virtual import VirtualInput
from compositor.inspect import Inspector
from compositor.inspect.trace import Tracing
from compositor.limits import ClientLimits
from compositor.output import OutputManager, ServerOutput
from compositor.output_management import OutputManagement
from compositor.portal.answers import ChooserAnswers
from compositor.recorder import create_recorder
from compositor.render.renderer import create_allocator, create_renderer
from compositor.render.tools import RenderTools
from compositor.screencast import ScreenCast
from compositor.shell.activation import Activation
from compositor.shell.decorations import Decorations, render_title
from compositor.shell.foreign_toplevel import ForeignToplevels
from compositor.shell.layer import LayerShell
from compositor.shell.session_lock import SessionLock
from compositor.shell.switcher import WindowSwitcher
from compositor.shell.window_manager import WindowManager
from compositor.shell.xdg_shell import XdgShell
from compositor.shell.xwayland import XWayland
from compositor.stats import Stats

if TYPE_CHECKING:
    import subprocess

log = logging.getLogger(__name__)


class SocketError(Exception):
    """The Wayland socket could not be created."""


class Server:
    """The composition root: makes the :class:`Core`, builds each feature with the
    collaborators it calls, wires their events to each other, runs and tears down."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.backend_name = config.resolved_backend()
        self.children: list[subprocess.Popen] = []
        self._signal_sources: list = []
        self._scale_refresh = None  # an idle callback (_view_changed)
        # Everything shutdown() may free starts as None, so a failed setup can be undone.
        self.core: Core | None = None
        self.backend = self.renderer = self.allocator = self.output_layout = None
        self.outputs = self.wm = self.xdg_shell = self.seat = self.wl_drm = self.recorder = None
        self.screencast: ScreenCast | None = None
        self.layers: LayerShell | None = None
        self.session_lock: SessionLock | None = None
        self.decorations: Decorations | None = None
        self.foreign_toplevels: ForeignToplevels | None = None
        self.virtual_input: VirtualInput | None = None
        self.activation: Activation | None = None
        self.output_management: OutputManagement | None = None
        self.control: ControlServer | None = None
        self.injector: InputInjector | None = None
        self.render_tools: RenderTools | None = None
        self.xwayland: XWayland | None = None
        self.user_config: UserConfig | None = None
        self.display = Display()
        try:
            self._setup()
        except BaseException:
            self.shutdown()
            raise

    def _setup(self) -> None:
        config = self.config
        event_loop = self.display.get_event_loop()
        self.backend = create_backend(self.display, config, self.backend_name)
        # The compositor picks its renderer itself (see render/renderer.py).
        renderer_choice = create_renderer(self.backend, config.renderer)
        self.renderer = renderer_choice.renderer
        self.allocator = create_allocator(self.backend, renderer_choice)
        self.output_layout = OutputLayout()
        scene = Scene(self.output_layout)
        core = self.core = Core(
            config=config,
            display=self.display,
            event_loop=event_loop,
            backend=self.backend,
            backend_name=self.backend_name,
            renderer_choice=renderer_choice,
            allocator=self.allocator,
            output_layout=self.output_layout,
            scene=scene,
            stacking=Stacking(scene),
        )
        self.globals = ProtocolGlobals(core)
        # Connections and each client's wl_shm, before any client (compositor/limits.py).
        self.limits = ClientLimits(core)
        outputs = self.outputs = OutputManager(core)
        # Frames at the refresh rate, or only when a test steps them (frame_clock.py).
        self.frame_clock = FrameClock(config.frame_clock, outputs)
        # Copy counters, overlay and screenshots (render/tools.py).
        self.render_tools = RenderTools(core, self.globals.compositor, outputs)
        wm = self.wm = WindowManager(core, outputs)
        self.xdg_shell = XdgShell(self.display, wm)
        self.decorations = Decorations(self.display, wm)
        self.decorations.guard_unannounced(self.globals.compositor)
        self.xdg_shell.new_view_observers.append(self.decorations.on_new_view)
        switcher = WindowSwitcher(
            core.stacking.overlay,
            wm.switchable,
            wm.focus,
            wm.output_box_under_pointer,
            render_title,
        )
        wm.view_destroyed_observers.append(switcher.forget)
        self.bindings = Bindings(core, wm, switcher)
        seat = self.seat = SeatManager(
            core,
            wm=wm,
            decorations=self.decorations,
            bindings=self.bindings,
            refocus_keyboard=self.refocus_keyboard,
        )
        wm.seat = seat
        self.foreign_toplevels = ForeignToplevels(core, outputs, seat.wlr_seat)
        wm.view_changed_observers.append(self.foreign_toplevels.on_view_changed)
        wm.view_changed_observers.append(self._view_changed)
        # A window shown or hidden may show or hide an idle inhibitor's surface.
        self.foreign_toplevels.on_visibility_changed = seat.idle.update
        self.virtual_input = VirtualInput(self.display, seat.add_input_device)
        self.activation = Activation(self.display, wm)
        self.layers = LayerShell(core, outputs, wm, self.xdg_shell, self._focus_layer_keyboard)
        # ext-session-lock: lock screens; while locked only lock surfaces are shown and get
        # input (the seat asks it).
        self.session_lock = SessionLock(core, outputs, seat)
        seat.session_lock = self.session_lock
        self.session_lock.lock_changed.append(seat.session_lock_changed)
        wm.usable_area = self.layers.usable_area
        self.layers.on_usable_changed = wm.refit
        self.output_management = OutputManagement(
            self.display, outputs, lambda: outputs.notify_changed()
        )
        if self.backend_name == "headless" and config.headless_input:
            self.injector = InputInjector(self.backend, self.output_layout)
        self.wl_drm = self._create_wl_drm()
        self.xwayland = self._create_xwayland()
        self.recorder = create_recorder(core)
        # Screen sharing (issue 24): PipeWire streams of outputs, windows, regions.
        self.screencast = ScreenCast(core, outputs, wm, self.session_lock)
        self.bindings.add(
            KeyboardModifier.CTRL | KeyboardModifier.ALT,
            "r",
            "start/stop recording",
            self.recorder.toggle,
        )
        self._wire_outputs(outputs)
        # The configuration file (compositor/configfile/): loaded once the commands exist.
        self.user_config = UserConfig(
            core,
            wm=wm,
            outputs=outputs,
            bindings=self.bindings,
            seat=seat,
            decorations=self.decorations,
            switcher=switcher,
        )
        self.inspector = Inspector(self._client_inspector)
        # Answers given ahead to the screen-cast portal's chooser (compositor/portal/).
        self.chooser_answers = ChooserAnswers(
            lambda: [o.name for o in self.outputs], lambda: [v.id for v in self.wm.views]
        )
        self.tracing = Tracing(self.display)
        # malloc_trim two seconds after clients went (ffi/csrc/memory_trim.h).
        self.memory_trim = lib.comp_memory_trim_install(
            to_native(self.display, "struct wl_display *")
        )
        self.stats = Stats()
        self._add_gauges(self.stats)
        self.socket_name = self._add_socket(config.socket)
        if not config.no_control:
            path = (
                config.control_socket
                or Path(os.environ["XDG_RUNTIME_DIR"]) / f"{self.socket_name}.control"
            )
            self.control = ControlServer(event_loop, path)
            self._register_commands(self.control)
        commands = self.control
        if commands is None:  # bindings and hooks still run commands
            commands = CommandRegistry()
            self._register_commands(commands)
        self.user_config.start(commands)
        self._signal_sources = [
            wayland_fixes.add_signal(event_loop, signal.SIGINT, self._on_signal),
            wayland_fixes.add_signal(event_loop, signal.SIGTERM, self._on_signal),
        ]

    # -- setup helpers --------------------------------------------------------------------

    def _wire_outputs(self, outputs: OutputManager) -> None:
        """Who follows the outputs, in order (the panels' usable areas before the windows
        that fit into them)."""
        outputs.added.extend(
            (
                self.render_tools.on_output_added,
                self.recorder.on_output_added,
                lambda _output: self.output_management.publish(),
                lambda _output: self.foreign_toplevels.refresh_outputs(),
                self.session_lock.on_output_added,
            )
        )

        def removed_only(removed: ServerOutput | None) -> None:
            if removed is not None:
                self.output_management.publish()

        outputs.changed.extend(
            (
                self.layers.on_outputs_changed,
                removed_only,
                lambda _removed: self.wm.refit(),
                lambda _removed: self.decorations.rescale(),
                lambda _removed: self.foreign_toplevels.refresh_outputs(),
                lambda _removed: self.recorder.on_outputs_changed(),
                self.session_lock.on_outputs_changed,
            )
        )

    def _client_inspector(self):
        from compositor.inspect.clients import ClientInspector

        return ClientInspector(
            self.core,
            linux_dmabuf=self.globals.linux_dmabuf != ffi.NULL,
            wl_drm=self.wl_drm,
            outputs=self.outputs,
            views=lambda: self.wm.views,
            limits=self.limits,
        )

    def _add_gauges(self, stats: Stats) -> None:
        """The live counts of ``stats``: each must come back to its baseline when clients
        leave (endurance tests and bench/bench_soak.py compare them)."""
        display = to_native(self.display, "struct wl_display *")
        scene = to_native(self.core.scene, "struct wlr_scene *")
        copy_stats = self.render_tools.copy_stats
        wl_drm, recorder, event_loop = self.wl_drm, self.recorder, self.core.event_loop
        gauges: dict[str, Callable[[], object]] = {
            "clients": lambda: lib.comp_display_client_count(display),
            "surfaces": copy_stats.tracked_surfaces,
            "views": lambda: len(self.wm.views),
            "popups": lambda: len(self.xdg_shell.popups),
            # Every node of the scene graph, counted in C (csrc/scene_count.c).
            "scene_nodes": lambda: lib.comp_scene_node_count(scene),
            "keyboards": lambda: len(self.seat.keyboards),
            "pointers": lambda: len(self.seat.pointers),
            # Callbacks the event loop holds (timers, idles, fds, signals).
            "event_sources": lambda: wayland_fixes.callbacks_held(event_loop),
            "wl_drm_buffers": lambda: len(wl_drm.buffers) if wl_drm is not None else 0,
            "wl_drm_native_buffers": (
                lambda: wl_drm.bridge.live_count() if wl_drm is not None else 0
            ),
            "wl_drm_clients": lambda: len(wl_drm.clients) if wl_drm is not None else 0,
            "recordings": lambda: int(recorder.session is not None),
            "control_connections": (
                lambda: len(self.control.connections) if self.control is not None else 0
            ),
            "tracers": lambda: len(self.tracing.tracers),
            **self.screencast.gauges(),
            "memory_trims": lambda: lib.comp_memory_trims(self.memory_trim),
            **self.limits.gauges(),
        }
        for name, read in gauges.items():
            stats.gauge(name, read)

    def _create_wl_drm(self):
        if not self.config.wl_drm:
            log.info("wl_drm: off (--no-wl-drm)")
            return None
        try:
            from compositor.wl_drm import create_wl_drm
        except ImportError:
            log.info("wl_drm: not available in this build")
            return None
        return create_wl_drm(self.core)

    def _create_xwayland(self) -> XWayland | None:
        if not self.config.xwayland:
            log.info("xwayland: off (--no-xwayland)")
            return None
        glamor = (
            self.wl_drm is not None and self.wl_drm.device.exists
        ) or self.globals.linux_dmabuf != ffi.NULL
        try:
            return XWayland(self.core, self.globals.compositor, self.wm, self.seat, glamor)
        except RuntimeError as exc:  # no Xwayland binary, no free X display
            log.warning("xwayland: not available (%s); X11 clients cannot connect", exc)
            return None

    def _add_socket(self, name: str | None) -> str:
        """The Wayland socket, accepted by the compositor itself (compositor/limits.py)."""
        try:
            return self.limits.open_socket()
        except Exception as exc:
            runtime = os.environ.get("XDG_RUNTIME_DIR")
            wanted = f"{runtime}/{name}" if name else f"a free wayland-N in {runtime}"
            raise SocketError(
                f"cannot create the Wayland socket {wanted}: it is in use by "
                "another compositor or the directory is not writable; pass "
                "another --socket NAME"
            ) from exc

    def _register_commands(self, control: ControlServer) -> None:
        core = self.core
        control.register(
            "ping",
            "check that the compositor answers",
            lambda r: {
                "socket": self.socket_name,
                "backend": self.backend_name,
                "renderer": core.renderer_kind,
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
            lambda r: {
                "views": [
                    v.describe() | self.globals.surface_hints(v.surface if v.mapped else None)
                    for v in self.wm.views
                ]
            },
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
        register_injection_commands(control, self.injector)
        control.register("quit", "stop the compositor", lambda r: core.terminate() or {})
        # Feature modules add their own commands (buffer table, record start/stop, ...).
        for feature in (
            self.seat,
            self.session_lock,
            self.outputs,
            self.frame_clock,
            self.output_management,
            self.wl_drm,
            self.recorder,
            self.screencast,
            self.render_tools,
            self.decorations,
            self.stats,
            self.limits,
            self.inspector,
            self.tracing,
            self.chooser_answers,
            self.user_config,
            self.xwayland,
        ):
            if feature is not None and hasattr(feature, "register_commands"):
                feature.register_commands(control)

    def _view_changed(self, view, change: str) -> None:
        """A window on (maybe) other outputs: its surfaces' preferred scale, once the scene
        has placed them (wp_fractional_scale_v1)."""
        if change in ("mapped", "moved", "state") and self._scale_refresh is None:

            def refresh() -> None:
                self._scale_refresh = None
                self.globals.refresh_fractional_scales()

            self._scale_refresh = wayland_fixes.add_idle(self.core.event_loop, refresh)

    # -- running --------------------------------------------------------------------------

    def refocus_keyboard(self) -> None:
        """Give the keyboard to whoever should have it now: a layer surface that wants it
        (a launcher), else the focused window (when a client stops inhibiting input)."""
        owner = self.layers.keyboard_owner if self.layers is not None else None
        self._focus_layer_keyboard(owner.surface if owner is not None else None)

    def _focus_layer_keyboard(self, surface) -> None:
        """A layer surface takes the keyboard (launchers), or gives it back (None)."""
        if surface is not None:
            self.seat.focus_keyboard(surface)
        elif self.wm.focused_view is not None:
            self.seat.focus_keyboard(self.wm.focused_view.surface)
        else:
            self.seat.clear_keyboard_focus()

    def _on_signal(self, signal_number: int, data: object) -> int:
        log.info("received %s, shutting down", signal.Signals(signal_number).name)
        self.core.terminate()
        return 0

    def run(self) -> int:
        self.backend.start()
        os.environ["WAYLAND_DISPLAY"] = self.socket_name
        # Children's xdg-desktop-portal picks our backend (compositor/portal/) by this name.
        os.environ["XDG_CURRENT_DESKTOP"] = "pydrm"
        if self.control is not None:
            os.environ["PYDRM_CONTROL_SOCKET"] = str(self.control.path)
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
            self.core.renderer_kind,
        )
        if self.config.startup_commands:
            # Only for `-- CLIENT`: a compositor started without one never loads subprocess.
            import shlex
            import subprocess

            for command in self.config.startup_commands:
                log.info("starting client: %s", command)
                self.children.append(subprocess.Popen(shlex.split(command)))
        self.display.run()
        return self.core.exit_code

    def shutdown(self) -> None:
        """Disconnect clients, then free what the display does not free itself.

        Safe after a partial setup: each step runs only for what exists.
        """
        for child in self.children:
            if child.poll() is None:
                child.terminate()
        if self.user_config is not None:
            self.user_config.destroy()
        if self.recorder is not None:
            # Finalize the file before outputs go away.
            self.recorder.shutdown()
        if self.screencast is not None:
            self.screencast.destroy()  # its streams end (the portal told) before the control
        if self.control is not None:
            self.control.destroy()  # ends the streams: every tracer stops
        if self.xwayland is not None:
            # Before the clients go: Xwayland is one, and wlroots would restart it.
            self.xwayland.destroy()
            self.xwayland = None
        for source in self._signal_sources:
            wayland_fixes.remove_source(source)
        wayland_fixes.remove_source(self._scale_refresh)
        self._scale_refresh = None
        wl_lib.wl_display_destroy_clients(self.display._ptr)
        if self.render_tools is not None:
            self.render_tools.destroy()
        if self.wl_drm is not None:
            self.wl_drm.destroy()
        # pywlroots frees some objects when they are garbage collected; free them here, in
        # dependency order, so nothing is freed twice or after the display is gone.
        for part in (
            self.session_lock,
            self.activation,
            self.virtual_input,
            self.output_management,
            self.layers,
            self.decorations,
            self.foreign_toplevels,
            self.xdg_shell,
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
