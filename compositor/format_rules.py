"""Formats and modifiers refused to clients, so that their fall-back paths can be exercised:
for every client by option (``--refuse-format XR24``, ``--refuse-modifier LINEAR``), for
some by the configuration's ``client_limits(exe=..., refuse_formats=[...],
refuse_modifiers=[...])`` (decided when the client connects, like the rule's other limits;
see compositor/limits_objects.py).

**linux-dmabuf** (C in ffi/csrc/format_rules.c): wlroots 0.15's zwp_linux_dmabuf_v1 sends its
renderer's formats itself (v3's format/modifier events, v4's feedback table) and checks a new
buffer by importing it on that renderer. Refusals are a second global made on a small
renderer in front of the real one: its formats are the real one's less the refused ones, it
refuses a buffer of a refused format or modifier (the client gets params.failed, or
create_immed's invalid_wl_buffer error, as for any buffer the compositor cannot import) and
hands the others to the real renderer. One such global per distinct set of refusals, made
the first time a client needs it and kept until exit; the display's global filter shows a
restricted client that global and no other zwp_linux_dmabuf_v1, and other clients none of
the rules'. With the options, the compositor's own global is such a filter. Where nothing is
left, the client is shown no zwp_linux_dmabuf_v1 at all.

**wl_drm** (compositor/wl_drm/manager.py): its format events leave the refused formats out and
its create requests refuse them with wl_drm.error invalid_format. wl_drm buffers carry no
modifier (the driver's implicit layout): refusing ``INVALID`` refuses all of them.

``pydrm-ctl clients`` shows a client's refusals in its ``limits.formats_refused``, with
``by`` "rule" (and the rules' lines) or "option".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from compositor.ffi import ffi, lib, to_native
from compositor.format_names import MODIFIERS, format_label, modifier_label

log = logging.getLogger(__name__)

INVALID = MODIFIERS["INVALID"]

_active: FormatRules | None = None


@dataclass(frozen=True)
class Refusals:
    formats: frozenset[int] = frozenset()
    modifiers: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.formats or self.modifiers)

    def __or__(self, other: Refusals) -> Refusals:
        return Refusals(self.formats | other.formats, self.modifiers | other.modifiers)

    def describe(self) -> dict[str, list[str]]:
        return {
            "formats": sorted(format_label(f) for f in self.formats),
            "modifiers": sorted(modifier_label(m) for m in self.modifiers),
        }

    def refuses_wl_drm(self, code: int) -> bool:
        """A wl_drm buffer of format ``code`` (no modifier: INVALID) is refused."""
        return code in self.formats or INVALID in self.modifiers


def _arrays(refusals: Refusals) -> tuple[Any, int, Any, int]:
    formats = sorted(refusals.formats)
    modifiers = sorted(refusals.modifiers)
    return (
        ffi.new("uint32_t[]", formats or [0]),
        len(formats),
        ffi.new("uint64_t[]", modifiers or [0]),
        len(modifiers),
    )


class FormatRules:
    """Made by compositor/globals.py with the renderer; ``option``: the command line's."""

    def __init__(self, display: Any, renderer: Any, option: Refusals, offer_dmabuf: bool) -> None:
        global _active
        self.display = to_native(display, "struct wl_display *")
        self.renderer = to_native(renderer, "struct wlr_renderer *")
        self.option = option
        # Whether clients are offered zwp_linux_dmabuf_v1 at all (GLES2, not --no-linux-dmabuf).
        self.offer_dmabuf = offer_dmabuf
        self.filters: dict[Refusals, Any] = {}  # ffi.NULL: nothing left, the global hidden
        self.main_filter = ffi.NULL
        _active = self

    def _filter(self, refusals: Refusals, for_rule: bool) -> Any:
        known = self.filters.get(refusals)
        if known is not None:
            return known
        formats, n_formats, modifiers, n_modifiers = _arrays(refusals)
        left = ffi.new("size_t *")
        native = lib.comp_format_filter_create(
            self.display, self.renderer, formats, n_formats, modifiers, n_modifiers, for_rule,
            left,
        )  # fmt: skip
        described = refusals.describe()
        if native == ffi.NULL:
            if left[0] == 0:
                log.info(
                    "zwp_linux_dmabuf_v1 without formats %s, modifiers %s: nothing is left, "
                    "so the clients refused them are offered no linux-dmabuf at all",
                    described["formats"], described["modifiers"],
                )  # fmt: skip
            else:
                log.error("zwp_linux_dmabuf_v1 with refused formats: out of memory")
        else:
            log.info(
                "zwp_linux_dmabuf_v1 for %s: %d format and modifier pairs, without formats "
                "%s, modifiers %s", "rules" if for_rule else "all clients (options)", left[0],
                described["formats"], described["modifiers"],
            )  # fmt: skip
        self.filters[refusals] = native
        return native

    def main_linux_dmabuf(self) -> Any:
        """The compositor's own zwp_linux_dmabuf_v1 (a ``struct wlr_linux_dmabuf_v1 *``, NULL
        when none): the renderer's, or with the options' refusals a filter's."""
        if not self.option:
            return lib.wlr_linux_dmabuf_v1_create(self.display, self.renderer)
        self.main_filter = self._filter(self.option, for_rule=False)
        if self.main_filter == ffi.NULL:
            return ffi.NULL
        return lib.comp_format_filter_linux_dmabuf(self.main_filter)

    def apply(self, client: Any, refusals: Refusals) -> None:
        """A rule's refusals for a client that just connected (compositor/limits_objects.py):
        with the options', its linux-dmabuf global and what wl_drm refuses to it."""
        refusals = refusals | self.option
        filter_ = ffi.NULL
        if self.offer_dmabuf:
            filter_ = self._filter(refusals, for_rule=True)
        formats, n_formats, modifiers, n_modifiers = _arrays(refusals)
        native = to_native(client, "struct wl_client *")
        if not lib.comp_format_rules_client_set(
            native, formats, n_formats, modifiers, n_modifiers, filter_
        ):
            raise MemoryError("cannot record the formats refused to a client")

    def refused(self, client: Any) -> tuple[Refusals, str] | None:
        """What is refused to a client and by what ("rule" or "option"), None: nothing."""
        info = ffi.new("comp_format_rules_info *")
        if lib.comp_format_rules_client(to_native(client, "struct wl_client *"), info):
            refusals = Refusals(
                frozenset(info.formats[i] for i in range(info.n_formats)),
                frozenset(info.modifiers[i] for i in range(info.n_modifiers)),
            )
            return refusals, "rule"
        if self.option:
            return self.option, "option"
        return None

    def client(self, client: Any) -> dict[str, Any] | None:
        """For ``clients``: the formats and modifiers refused to it, by what, and what
        linux-dmabuf it is shown."""
        found = self.refused(client)
        if found is None:
            return None
        refusals, by = found
        out: dict[str, Any] = {"by": by, **refusals.describe()}
        if not self.offer_dmabuf:
            out["linux_dmabuf"] = "not offered"
        else:
            filter_ = self.filters.get(refusals if by == "rule" else self.option)
            out["linux_dmabuf"] = (
                "filtered"
                if filter_ is not None and filter_ != ffi.NULL
                else "hidden: nothing left"
            )
        return out

    def describe(self) -> dict[str, Any]:
        clients, filters = ffi.new("uint64_t *"), ffi.new("uint64_t *")
        lib.comp_format_rules_totals(clients, filters)
        made = []
        for refusals, native in self.filters.items():
            entry: dict[str, Any] = refusals.describe()
            if native != ffi.NULL:
                pairs, refused = ffi.new("uint64_t *"), ffi.new("uint64_t *")
                lib.comp_format_filter_counts(native, pairs, refused)
                entry.update(offered_pairs=pairs[0], buffers_refused=refused[0])
            else:
                entry.update(offered_pairs=0, buffers_refused=0)
            made.append(entry)
        return {
            "option": self.option.describe(),
            "clients_by_rule": clients[0],
            "linux_dmabuf_filters": made,
            "live_filters": filters[0],
        }


def current() -> FormatRules | None:
    return _active


def refused(client: Any) -> tuple[Refusals, str] | None:
    """What wl_drm must not offer or accept from a client and by what ("rule" or "option");
    None: nothing refused."""
    return _active.refused(client) if _active is not None else None
