"""Outputs as the configuration file says: settings by output, and profiles (kanshi's idea)
applied when exactly their set of outputs is connected.

Applied whenever the set of connected outputs changes (one added, one gone) and at each
(re)load; not when a client changes them through wlr-output-management (wlr-randr): that
change stays until the next hotplug or reload. The observers (first in the
:class:`~compositor.output.OutputManager`'s lists, so the rest see the result) exist only
while the file declares outputs or profiles.

Layout: outputs with a ``position`` go there; the others are laid out left to right
after them, in the order they appeared. With nothing declared for the outputs connected,
the built-in layout stays as it is.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pywayland.protocol.wayland import WlOutput

from compositor import wayland_fixes
from compositor.configfile.api import OutputSettings
from compositor.ffi import lib, to_native

if TYPE_CHECKING:
    from compositor.configfile.api import Monitor, Profile
    from compositor.core import Core
    from compositor.output import OutputManager, ServerOutput

log = logging.getLogger(__name__)


class OutputConfig:
    def __init__(self, core: Core, outputs: OutputManager) -> None:
        self.core = core
        self.outputs = outputs
        self.declared: list[tuple[Monitor, OutputSettings]] = []
        self.profiles: list[Profile] = []
        self.profile: str | None = None  # the profile applied last
        self.failures: list[str] = []  # what the outputs refused, last time
        self._notify_source: Any = None

    def set(self, declared: list[tuple[Monitor, OutputSettings]], profiles: list[Profile]) -> None:
        self.declared, self.profiles = list(declared), list(profiles)
        active = bool(self.declared or self.profiles)
        added, changed = self.outputs.added, self.outputs.changed
        if active and self._on_added not in added:
            added.insert(0, self._on_added)
            changed.insert(0, self._on_changed)
        elif not active and self._on_added in added:
            added.remove(self._on_added)
            changed.remove(self._on_changed)
            self.profile = None
        if not active:
            # Outputs keep their modes and places, but a rule goes with the file.
            for server_output in self.outputs:
                _allow_scanout(server_output, True)
        if active and self.apply():
            self.outputs.notify_changed()

    def clear(self) -> None:
        self.set([], [])

    def destroy(self) -> None:
        self.clear()
        wayland_fixes.remove_source(self._notify_source)
        self._notify_source = None

    # -- the observers --------------------------------------------------------------------

    def _on_added(self, server_output: ServerOutput) -> None:
        if self.apply():
            # The others' observers run after this one (they see the new output as set);
            # who follows changes hears of it once they all ran.
            if self._notify_source is None:
                self._notify_source = wayland_fixes.add_idle(
                    self.core.event_loop, self._notify_later
                )

    def _notify_later(self) -> None:
        self._notify_source = None
        self.outputs.notify_changed()

    def _on_changed(self, removed: ServerOutput | None) -> None:
        if removed is not None:  # one went: maybe another profile; the rest see the result
            self.apply(gone=removed)

    # -- applying -------------------------------------------------------------------------

    def settings_for(self, server_output: ServerOutput, profile: Profile | None) -> OutputSettings:
        settings = OutputSettings()
        for monitor, declared in self.declared:
            if monitor.matches(server_output.output):
                settings = settings.merged(declared)
        if profile is not None:
            for monitor, declared in profile.outputs:
                if monitor.matches(server_output.output):
                    settings = settings.merged(declared)
                    break
        return settings

    def match_profile(self, connected: list[ServerOutput]) -> Profile | None:
        """The first profile whose outputs are exactly the ones connected."""
        for profile in self.profiles:
            if len(profile.outputs) != len(connected):
                continue
            free = list(connected)
            for monitor, _ in profile.outputs:
                found = next((o for o in free if monitor.matches(o.output)), None)
                if found is None:
                    break
                free.remove(found)
            else:
                return profile
        return None

    def apply(self, gone: ServerOutput | None = None) -> bool:
        """Put the settings on every connected output; True when something changed."""
        connected = [o for o in self.outputs if o is not gone]
        profile = self.match_profile(connected)
        name = profile.name if profile is not None else None
        if name != self.profile:
            log.info("output profile: %s", name if name is not None else "(none matches)")
            self.profile = name
        self.failures = []
        changed = False
        positions: dict[int, tuple[int, int]] = {}
        declared_any = False
        for server_output in connected:
            settings = self.settings_for(server_output, profile)
            if settings != OutputSettings():
                declared_any = True
            changed |= self._apply_one(server_output, settings)
            if settings.position is not None:
                positions[id(server_output)] = settings.position
        if declared_any:
            changed |= self._lay_out(connected, positions)
        return changed

    def _apply_one(self, server_output: ServerOutput, settings: OutputSettings) -> bool:
        output = server_output.output
        layout = self.core.output_layout
        # A rule, not an output state: no commit; the next frame follows it.
        _allow_scanout(server_output, settings.scanout is not False)
        if settings.enabled is False:
            if not output.enabled:
                return False
            output.enable(enable=False)
            return self._commit(server_output, "disable", lambda: layout.remove(output))
        pending = []
        if not output.enabled:
            output.enable()
            preferred = output.preferred_mode()
            if preferred is not None and settings.mode is None:
                output.set_mode(preferred)
            pending.append("enable")
        ptr = output._ptr
        mode = settings.mode
        if mode is not None and (
            (ptr.width, ptr.height) != (mode.width, mode.height)
            or (mode.refresh_mhz and abs(ptr.refresh - mode.refresh_mhz) > 1000)
        ):
            from compositor.drm_backend.modes import apply_mode

            apply_mode(output, mode)
            pending.append(f"mode {mode.width}x{mode.height}")
        if settings.scale is not None and abs(output.scale - settings.scale) > 1e-6:
            output.set_scale(settings.scale)
            pending.append(f"scale {settings.scale:g}")
        if settings.transform is not None and int(output.transform) != settings.transform:
            output.set_transform(WlOutput.transform(settings.transform))
            pending.append(f"transform {settings.transform}")
        if not pending:
            return False

        def add_back() -> None:
            if layout.get_box(output) is None:
                layout.add(output, *server_output_right_edge(self.outputs, server_output))

        return self._commit(server_output, ", ".join(pending), add_back)

    def _commit(self, server_output: ServerOutput, what: str, then: Any) -> bool:
        output = server_output.output
        if not output.test():
            output.rollback()
            message = f"output {server_output.name}: the backend refuses {what}"
            log.warning("%s", message)
            self.failures.append(message)
            return False
        try:
            output.commit()
        except RuntimeError:
            message = f"output {server_output.name}: committing {what} failed"
            log.warning("%s", message)
            self.failures.append(message)
            return False
        log.info("output %s: %s (config file)", server_output.name, what)
        then()
        return True

    def _lay_out(
        self, connected: list[ServerOutput], positions: dict[int, tuple[int, int]]
    ) -> bool:
        layout = self.core.output_layout
        placed = [o for o in connected if id(o) in positions and o.output.enabled]
        x = max((positions[id(o)][0] + o.size[0] for o in placed), default=0)
        changed = False
        for server_output in connected:
            if not server_output.output.enabled:
                continue
            if id(server_output) in positions:
                where = positions[id(server_output)]
            else:
                where = (x, 0)
                x += server_output.size[0]
            if layout.get_box(server_output.output) is None:
                layout.add(server_output.output, *where)
                changed = True
            elif server_output.layout_position != where:
                layout.move(server_output.output, *where)
                changed = True
        return changed

    def describe(self) -> dict[str, Any]:
        return {
            "declared": len(self.declared),
            "profiles": [p.name for p in self.profiles],
            "profile": self.profile,
            "failures": self.failures,
        }


def server_output_right_edge(outputs: OutputManager, exclude: ServerOutput) -> tuple[int, int]:
    right = max(
        (
            o.layout_position[0] + o.size[0]
            for o in outputs
            if o is not exclude and o.output.enabled
        ),
        default=0,
    )
    return right, 0


def _allow_scanout(server_output: ServerOutput, allowed: bool) -> None:
    native = to_native(server_output.output, "struct wlr_output *")
    if not lib.comp_output_set_scanout_allowed(native, allowed):
        raise MemoryError("cannot keep the output's scan-out rule")
