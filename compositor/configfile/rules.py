"""Window rules: what the configuration file says a window gets when it first maps.

Every rule whose match holds applies, in the file's order (a later one's setting wins).
They run from the window manager's ``view_map_observers`` (after the window was placed,
before it is focused), registered only while there are rules; a decoration rule is also
asked when the client negotiates its decoration (``Decorations.forced_mode``), so the first
configure already carries it.

The window layer (``above=True``/``below=True``: the window manager's window layers) is the
one setting that also follows the rules at each reload: every shown window's layer is worked
out again (a new rule applies to the windows already there), and one whose layer a rule had
set goes back to normal when no rule says so any more. A layer chosen since by the
``set-layer`` command stays as long as what the rules say of that window does not change.
"""

from __future__ import annotations

import logging
import weakref
from typing import TYPE_CHECKING, Any

from compositor.configfile.commands import move_to_output

if TYPE_CHECKING:
    from compositor.configfile.api import Rule
    from compositor.shell.decorations import Decorations
    from compositor.shell.view import View
    from compositor.shell.window_manager import WindowManager

log = logging.getLogger(__name__)

FIELDS = ("output", "position", "size", "state", "decoration", "focus", "layer")


class WindowRules:
    def __init__(self, wm: WindowManager, decorations: Decorations) -> None:
        self.wm = wm
        self.decorations = decorations
        self.rules: list[Rule] = []
        self.applied = 0  # windows a rule applied to, since start
        self._seen: weakref.WeakSet[View] = weakref.WeakSet()  # mapped once already
        # The layer the rules gave each window seen (None: they said nothing of it).
        self._layers: weakref.WeakKeyDictionary[View, str | None] = weakref.WeakKeyDictionary()

    def set(self, rules: list[Rule], relayer: bool = True) -> None:
        """These rules from now on; ``relayer``: the windows' layers follow them at once
        (not while a reload takes the old rules out before it puts the new ones in)."""
        self.rules = list(rules)
        if relayer:
            self._relayer()
        observers = self.wm.view_map_observers
        if self.rules and self._on_map not in observers:
            observers.append(self._on_map)
        elif not self.rules and self._on_map in observers:
            observers.remove(self._on_map)
        wants_decoration = any(rule.decoration is not None for rule in self.rules)
        self.decorations.forced_mode = self._forced_mode if wants_decoration else None

    def clear(self) -> None:
        """No rules (a reload putting new ones in next, or the end): layers stay as they are."""
        self.set([], relayer=False)

    def _relayer(self) -> None:
        """Each window shown gets the layer the rules give it now, where that changed."""
        for view in list(self.wm.views):
            if not (view.mapped or view in self._seen):
                continue  # not shown yet: the rules apply when it maps
            layer = self.settings_for(view)[0].get("layer")
            if layer != self._layers.get(view):
                self._layers[view] = layer
                self.wm.set_layer(view, layer or "normal")

    def settings_for(self, view: View) -> tuple[dict[str, Any], list[int]]:
        """What the matching rules say, merged, and the lines of those rules."""
        merged: dict[str, Any] = {}
        lines = []
        for rule in self.rules:
            if rule.matches(view):
                lines.append(rule.line)
                for name in FIELDS:
                    value = getattr(rule, name)
                    if value is not None:
                        merged[name] = value
        return merged, lines

    def _forced_mode(self, view: View) -> str | None:
        return self.settings_for(view)[0].get("decoration")

    def _on_map(self, view: View) -> bool | None:
        if view in self._seen:
            return None  # mapped again (a toolkit's dialog): rules applied at the first map
        self._seen.add(view)
        settings, lines = self.settings_for(view)
        self._layers[view] = settings.get("layer")
        if not settings:
            return None
        self.applied += 1
        log.info(
            "window rule (line %s) for app_id=%r title=%r: %s",
            ", ".join(map(str, lines)),
            view.app_id,
            view.title,
            ", ".join(f"{k}={v}" for k, v in settings.items()),
        )
        try:
            self._apply(view, settings)
        except Exception as exc:  # a rule must never stop a window from showing
            log.error("window rule for %r failed: %s", view.app_id, exc)
        if settings.get("focus") is False or settings.get("state") == "minimized":
            return False
        return None

    def _apply(self, view: View, settings: dict[str, Any]) -> None:
        wm = self.wm
        output = None
        if "output" in settings:
            output = next((o.output for o in wm.outputs if o.name == settings["output"]), None)
            if output is None:
                log.warning("window rule: no output named %r now", settings["output"])
        if "size" in settings:
            view.set_size(*settings["size"])
        if "position" in settings:
            x, y = settings["position"]
            box = wm.output_layout.get_box(output) if output is not None else None
            if box is not None:
                x, y = box.x + x, box.y + y
            view.move_to(x, y + view.title_bar_height)  # the frame's top-left
        elif output is not None:
            self._centre(view, output, settings.get("size"))
        if "decoration" in settings:
            self.decorations.apply_forced_mode(view)
        if "layer" in settings:
            view.layer = settings["layer"]  # the window manager restacks once it mapped
        state = settings.get("state")
        if state == "maximized":
            wm.set_maximized(view, True)
        elif state == "fullscreen":
            wm.set_fullscreen(view, True, output.name if output is not None else None)
        elif state == "minimized":
            wm.set_minimized(view, True)
        elif state == "normal":
            if view.fullscreen:
                wm.set_fullscreen(view, False)
            if view.maximized:
                wm.set_maximized(view, False)

    def _centre(self, view: View, output: Any, size: tuple[int, int] | None) -> None:
        """In the middle of ``output``'s usable area (a window moved to another output)."""
        box = self.wm.usable_area(output) or self.wm.output_layout.get_box(output)
        if box is None:
            return
        if view.maximized or view.fullscreen:
            move_to_output(self.wm, view, output)
            return
        _, _, width, height = view.geometry()
        if size is not None:
            width, height = size
        bar = view.title_bar_height
        x = box.x + max(0, (box.width - width) // 2)
        y = box.y + max(0, (box.height - height - bar) // 2) + bar
        view.move_to(x, y)
