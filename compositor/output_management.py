"""wlr-output-management v2 (wlr-randr, kanshi) and wlr-output-power (screen on/off).

The compositor publishes the current configuration (every output: enabled, mode, position,
scale, transform) whenever it changes. A client's ``test`` stages each head's state on its
output, asks wlroots whether the backend would take it and throws it away; ``apply`` does
the same, then commits every output and moves it in the layout, or rolls everything back
and answers ``failed`` when any output refuses. Layer surfaces, windows' placement and the
recorder follow through ``on_changed``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from pywayland.server import Listener
from wlroots.wlr_types import Output
from wlroots.wlr_types.output_management_v1 import (
    OutputConfigurationHeadV1,
    OutputConfigurationV1,
    OutputHeadV1State,
    OutputManagerV1,
)
from wlroots.wlr_types.output_power_management_v1 import (
    OutputPowerManagementV1Mode,
    OutputPowerManagerV1,
    OutputPowerV1SetModeEvent,
)

from compositor.listeners import Listeners

if TYPE_CHECKING:
    from compositor.output import OutputManager

log = logging.getLogger(__name__)

MAX_SIZE = 16384


class ConfigurationRefused(Exception):
    """One head's state is impossible; the message says which and why."""


class OutputManagement:
    def __init__(self, display, outputs: OutputManager, on_changed: Callable[[], None]) -> None:
        self.outputs = outputs
        self.on_changed = on_changed
        self.manager = OutputManagerV1(display)
        self.power = OutputPowerManagerV1(display)
        self.applied = self.refused = 0
        self._listeners = Listeners(
            (self.manager.apply_event, self._on_apply),
            (self.manager.test_event, self._on_test),
            (self.power.set_mode_event, self._on_set_power),
        )

    def publish(self) -> None:
        """Tell every output-management client the configuration as it is now."""
        config = OutputConfigurationV1()
        layout = self.outputs.core.output_layout
        for view in self.outputs:
            head = OutputConfigurationHeadV1.create(config, view.output)
            box = layout.get_box(view.output) if view.output.enabled else None
            if box is not None:
                head.state.x, head.state.y = box.x, box.y
        self.manager.set_configuration(config)

    # -- requests -------------------------------------------------------------------------

    def _on_test(self, listener: Listener, config: OutputConfigurationV1) -> None:
        self._configure(config, commit=False)

    def _on_apply(self, listener: Listener, config: OutputConfigurationV1) -> None:
        self._configure(config, commit=True)

    def _configure(self, config: OutputConfigurationV1, commit: bool) -> None:
        heads = [head.state for head in config.heads]
        staged: list[Output] = []
        error = None
        try:
            for state in heads:
                output = state.output
                staged.append(output)
                _stage(output, state)
                if not output.test():
                    raise ConfigurationRefused(f"{output.name}: the backend refused it")
            if commit:
                for output in staged:
                    output.commit()
        except (ConfigurationRefused, RuntimeError) as exc:
            error = str(exc)
        if error is not None or not commit:
            for output in staged:
                output.rollback()
        what = "apply" if commit else "test"
        if error is not None:
            self.refused += 1
            log.warning("output configuration (%s) refused: %s", what, error)
            config.send_failed()
        else:
            if commit:
                self.applied += 1
                self._lay_out(heads)
            log.info("output configuration (%s): %s", what, _summary(heads))
            config.send_succeeded()
        config.destroy()
        if commit:
            self.on_changed()
            self.publish()

    def _lay_out(self, heads: list[OutputHeadV1State]) -> None:
        layout = self.outputs.core.output_layout
        for state in heads:
            output = state.output
            if state.enabled:
                if layout.get_box(output) is None:
                    layout.add(output, state.x, state.y)
                else:
                    layout.move(output, state.x, state.y)
            elif layout.get_box(output) is not None:
                layout.remove(output)

    def _on_set_power(self, listener: Listener, event: OutputPowerV1SetModeEvent) -> None:
        output = event.output
        on = event.mode == OutputPowerManagementV1Mode.ON
        output.enable(enable=on)
        try:
            output.commit()
        except RuntimeError:
            output.rollback()
            log.warning("output %s: power %s refused", output.name, "on" if on else "off")
            return
        log.info("output %s: power %s", output.name, "on" if on else "off")
        self.on_changed()
        self.publish()

    def register_commands(self, control) -> None:
        control.register(
            "output-management",
            "output configurations applied and refused through wlr-output-management",
            lambda r: {"applied": self.applied, "refused": self.refused},
        )

    def destroy(self) -> None:
        self._listeners.remove_all()


def _stage(output: Output, state: OutputHeadV1State) -> None:
    """Put a head's state on its output as pending state (test or commit decides)."""
    if not state.enabled:
        output.enable(enable=False)
        return
    output.enable(enable=True)
    if state.mode is not None:
        output.set_mode(state.mode)
    else:
        mode = state.custom_mode
        if not (0 < mode.width <= MAX_SIZE and 0 < mode.height <= MAX_SIZE):
            raise ConfigurationRefused(
                f"{output.name}: custom mode {mode.width}x{mode.height} is out of range"
            )
        output.set_custom_mode(mode.width, mode.height, mode.refresh)
    if not 0.25 <= state.scale <= 8:
        raise ConfigurationRefused(f"{output.name}: scale {state.scale} is out of range")
    output.set_scale(state.scale)
    output.set_transform(state.transform)


def _summary(heads: list[OutputHeadV1State]) -> str:
    parts = []
    for state in heads:
        name = state.output.name
        if not state.enabled:
            parts.append(f"{name} off")
            continue
        mode = state.mode
        size = (
            f"{mode.width}x{mode.height}"
            if mode is not None
            else f"{state.custom_mode.width}x{state.custom_mode.height}"
        )
        parts.append(f"{name} {size} at {state.x},{state.y} scale {state.scale:g}")
    return "; ".join(parts)
