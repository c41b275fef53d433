"""Window decorations: who draws the title bar, and the compositor's own title bars.

Two protocols let a client say who decorates its windows:

- ``zxdg_decoration_manager_v1`` (xdg-decoration; Qt, foot, mpv, kitty): a window whose
  client asks for ``client_side`` keeps drawing its own; one that asks for ``server_side``,
  or leaves the choice to the compositor (no mode, or ``unset_mode``), gets a title bar
  drawn by the compositor. The mode goes out with the next configure.
- ``org_kde_kwin_server_decoration_manager`` (KDE's; GTK3 and Qt5 still use it), with
  ``server`` as the default mode, as sway has it: a surface whose client creates a
  decoration object and keeps the default, or asks for ``server``, gets a title bar; one
  that asks for ``client`` (or ``none``) does not.

A client that uses neither protocol gets no title bar (it draws its own, or none).

A title bar (:class:`TitleBar`) is a set of scene nodes in the window's own scene tree,
above the window geometry and below the client's surfaces (popups open over it): the bar,
the title (text rendered once per title change with Pillow into a CPU ``wlr_buffer``), a
maximize and a close button. It follows the window in C (``comp_decor_*``, ffi/csrc/
decorations.c): its width follows the window geometry at each commit, its colour the
``activated`` state of each configure the client is sent (focused or not), and it is hidden
while a configure says fullscreen; a minimized window hides its whole tree. A maximized
window gets the usable area less the bar's height (:attr:`View.title_bar_height`), so the
bar stays on the output.

The pointer (input/cursor.py) finds the bar through the scene graph like any node of a
window; a press on it is the compositor's and never reaches the client: dragging the bar
moves the window (the same grab as Alt + drag), a click on close sends
``xdg_toplevel.close``, a click on maximize (or a double-click on the bar) toggles
maximized.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from pywayland.server import Listener, Signal
from wlroots import ffi as wlr_ffi
from wlroots.wlr_types.server_decoration import (
    ServerDecorationManager,
    ServerDecorationManagerMode,
)
from wlroots.wlr_types.xdg_decoration_v1 import (
    XdgDecorationManagerV1,
    XdgToplevelDecorationV1,
    XdgToplevelDecorationV1Mode,
)

from compositor.ffi import address, ffi, lib, to_native, to_wlroots
from compositor.listeners import Listeners

if TYPE_CHECKING:
    from pywayland.server import Display

    from compositor.control import ControlServer
    from compositor.shell.view import View
    from compositor.shell.window_manager import WindowManager

log = logging.getLogger(__name__)

ICON_SIZE = 16  # logical pixels of a window's icon in its title bar (xdg-toplevel-icon)
ICON_GAP = 6  # between the icon and the title
_current: Decorations | None = None  # told of icons by comp_py_toplevel_icon


@ffi.def_extern()
def comp_py_toplevel_icon(surface: Any) -> None:
    """A toplevel committed a new icon (ffi/csrc/toplevel_icon.c): its title bar shows
    it."""
    decorations = _current
    if decorations is None:
        return
    view = decorations.view_of_surface(address(surface))
    if view is not None and view.decoration is not None:
        view.decoration.icon_changed()


BAR_HEIGHT = 24
BUTTON_WIDTH = 28
PADDING = 8
# Opaque colours (RRGGBB); tests look for them in screenshots.
FOCUSED = "2e5a8a"
UNFOCUSED = "4d4d4d"
CLOSE = "c0392b"
MAXIMIZE = "3f7a4a"
DEFAULT_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DEFAULT_SIZE = 13
TITLE_FONT = DEFAULT_FONT  # the config file may change them (Decorations.set_style)
TITLE_FONT_INDEX = 0  # the face in a font collection (.ttc)
TITLE_SIZE = DEFAULT_SIZE
MAX_TITLE_WIDTH = 2048  # pixels of text rendered at most (the bar crops to its room)
MAX_TITLE_CHARS = 256
DOUBLE_CLICK_MS = 400
DOUBLE_CLICK_SLOP = 4  # pixels the pointer may move between the two clicks

PARTS = {
    lib.COMP_DECOR_BAR: "bar",
    lib.COMP_DECOR_CLOSE: "close",
    lib.COMP_DECOR_MAXIMIZE: "maximize",
}


class Decorations:
    """The two decoration globals, and which window has a title bar drawn by us."""

    def __init__(self, display: Display, wm: WindowManager) -> None:
        global _current
        _current = self
        self.wm = wm
        self.xdg_manager = XdgDecorationManagerV1.create(display)
        self.kde_manager = ServerDecorationManager.create(display)
        self.kde_manager.set_default_mode(ServerDecorationManagerMode.SERVER)
        kde_new = Signal(
            ptr=to_wlroots(
                lib.comp_kde_decoration_new_signal(
                    to_native(self.kde_manager._ptr, "struct wlr_server_decoration_manager *")
                ),
                "struct wl_signal *",
            )
        )
        self.requests: set[_XdgRequest | _KdeRequest] = set()
        self.style = ffi.new("struct comp_decor_style *")
        self.style.height = BAR_HEIGHT
        self.style.button = BUTTON_WIDTH
        self.style.padding = PADDING
        self.colors = {
            "focused": FOCUSED,
            "unfocused": UNFOCUSED,
            "close": CLOSE,
            "maximize": MAXIMIZE,
        }
        for field, color in self.colors.items():
            getattr(self.style, field)[0:4] = _rgba(color)
        # The config file's window rules: "server", "client" or None (the client's wish)
        # for a window, whatever the client asks for.
        self.forced_mode: Callable[[View], str | None] | None = None
        self._glyphs: tuple[Any, Any] | None = None  # made with the first title bar
        # The press on a title bar now held: (view, part, x, y); the last click on a bar
        # (view, time_msec, x, y), for double-clicks.
        self._pressed: tuple[View, str, float, float] | None = None
        self._last_click: tuple[View, int, float, float] | None = None
        self._listeners = Listeners(
            (self.xdg_manager.new_toplevel_decoration_event, self._on_new_xdg),
            (kde_new, self._on_new_kde),
        )

    def destroy(self) -> None:
        self._listeners.remove_all()
        for request in list(self.requests):
            request.forget()
        self.requests.clear()
        if self._glyphs is not None:
            for glyph in self._glyphs:
                lib.wlr_buffer_drop(glyph)  # freed when the last title bar goes
            self._glyphs = None
        self._pressed = self._last_click = None

    def scale_for(self, view: View) -> int:
        """Pixels per logical pixel of a window's title: its output's scale, rounded up."""
        output = self.wm.output_of(view)
        return max(1, math.ceil(output.scale)) if output is not None else 1

    def rescale(self) -> None:
        """Outputs changed (a scale, a mode, one added or gone): titles follow."""
        for view in self.wm.views:
            if view.decoration is not None:
                view.decoration.rescale()

    # -- the protocols --------------------------------------------------------------------

    def _on_new_xdg(self, listener: Listener, decoration: XdgToplevelDecorationV1) -> None:
        self.requests.add(_XdgRequest(self, decoration))

    def _on_new_kde(self, listener: Listener, data: Any) -> None:
        self.requests.add(_KdeRequest(self, to_native(data, "void *")))

    def guard_unannounced(self, compositor: Any) -> None:
        """Destroy a decoration whose window goes before its first commit (wlroots 0.15
        leaves it linked into freed memory: ffi/csrc/xdg_decoration_guard.c)."""
        if not lib.comp_xdg_decoration_guard(
            to_native(compositor, "struct wlr_compositor *"),
            to_native(self.xdg_manager, "struct wlr_xdg_decoration_manager_v1 *"),
        ):
            raise MemoryError("cannot watch the xdg-decoration objects")

    def on_new_view(self, view: View) -> None:
        """A new toplevel: a KDE decoration made for its surface before it was one applies."""
        surface = address(view.xdg_surface._ptr.surface)
        for request in list(self.requests):
            if isinstance(request, _KdeRequest) and request.surface == surface:
                request.apply()

    def view_of_surface(self, address: int) -> View | None:
        """The window of a wl_surface (C address) a decoration object names."""
        return self.wm.view_of_surface(address)

    def set_server_side(
        self, view: View, server_side: bool, protocol: str, rearrange: bool = True
    ) -> None:
        """Give ``view`` a title bar of ours, or take it away (the client draws its own).
        ``rearrange``: a maximized window takes the bar's room into account (not while its
        client is going away: its decoration objects go before its window)."""
        view.decoration_mode = "server" if server_side else "client"
        if server_side == (view.decoration is not None):
            return
        if server_side:
            view.decoration = TitleBar(self, view)
        else:
            view.decoration.destroy()
            view.decoration = None
        (log.info if rearrange else log.debug)(
            "decorations: %r %s (%s)",
            view.app_id,
            "gets a title bar" if server_side else "draws its own",
            protocol,
        )
        if rearrange and view.maximized and not view.fullscreen:
            view.arrange()  # the bar's room changed

    def wants_server_side(self, view: View | None, requested: bool) -> bool:
        """What a window gets: what its client asked for, unless a window rule says."""
        if view is not None and self.forced_mode is not None:
            forced = self.forced_mode(view)
            if forced is not None:
                return forced == "server"
        return requested

    def apply_forced_mode(self, view: View) -> None:
        """A window rule's decoration, at map (the title or app_id may have come late)."""
        surface = address(view.xdg_surface._ptr.surface) if view.kind == "xdg" else None
        requests = [r for r in self.requests if r.surface == surface]
        for request in requests:
            request.apply()
        if not requests and surface is not None:
            server_side = self.wants_server_side(view, view.decoration is not None)
            if server_side != (view.decoration is not None):
                self.set_server_side(view, server_side, "window rule")

    def set_style(
        self,
        colors: dict[str, str],
        font: str | None = None,
        font_size: int | None = None,
        font_index: int = 0,
    ) -> None:
        """Title bar colours (RRGGBB by part: focused, unfocused, close, maximize) and the
        titles' font file (``font_index``: its face, in a collection) and size (the config
        file, which found the file for a font's name); the bars shown are made again."""
        global TITLE_FONT, TITLE_FONT_INDEX, TITLE_SIZE
        self.colors.update(colors)
        for field, color in self.colors.items():
            getattr(self.style, field)[0:4] = _rgba(color)
        font = font or DEFAULT_FONT
        font_size = font_size or DEFAULT_SIZE
        if (font, font_index, font_size) != (TITLE_FONT, TITLE_FONT_INDEX, TITLE_SIZE):
            TITLE_FONT, TITLE_FONT_INDEX, TITLE_SIZE = font, font_index, font_size
            _font.cache_clear()
        for view in self.wm.views:
            if view.decoration is not None:
                view.decoration.destroy()
                view.decoration = TitleBar(self, view)

    def glyphs(self) -> tuple[Any, Any]:
        """The close and maximize glyphs, shared by every title bar."""
        if self._glyphs is None:
            self._glyphs = (_glyph(10, _cross), _glyph(10, _square))
        return self._glyphs

    # -- the pointer (input/cursor.py) ----------------------------------------------------

    def part_at(self, view: View | None, node: Any) -> str | None:
        """``bar``, ``close`` or ``maximize`` when ``node`` is part of ``view``'s title bar."""
        if view is None or view.decoration is None:
            return None
        return view.decoration.part(node)

    def press(self, view: View, part: str, time_msec: int, x: float, y: float) -> bool:
        """A left press on a title bar; True: it starts a move."""
        self._pressed = (view, part, x, y)
        if part != "bar":
            return False
        last, self._last_click = self._last_click, None
        if (
            last is not None
            and last[0] is view
            and (time_msec - last[1]) & 0xFFFFFFFF <= DOUBLE_CLICK_MS
            and abs(x - last[2]) <= DOUBLE_CLICK_SLOP
            and abs(y - last[3]) <= DOUBLE_CLICK_SLOP
        ):
            self._pressed = None
            self.wm.set_maximized(view, not view.maximized)
            return False
        return True

    def release(self, view: View | None, node: Any, time_msec: int, x: float, y: float) -> None:
        """The last button went up after a press on a title bar; ``view`` and ``node``: what
        is under the pointer now."""
        pressed, self._pressed = self._pressed, None
        if pressed is None:
            return
        pressed_view, part, px, py = pressed
        if pressed_view is not view or pressed_view not in self.wm.views:
            return  # released elsewhere, or the window went: no click
        if self.part_at(view, node) != part:
            return
        if part == "bar":
            if (x, y) == (px, py):  # a click, not a drag: maybe the first of a double-click
                self._last_click = (view, time_msec, x, y)
        elif part == "close":
            log.info("decorations: close button of %r", view.app_id)
            view.close()
        elif part == "maximize":
            self.wm.set_maximized(view, not view.maximized)

    def forget_view(self, view: View) -> None:
        if self._pressed is not None and self._pressed[0] is view:
            self._pressed = None
        if self._last_click is not None and self._last_click[0] is view:
            self._last_click = None

    # -- control --------------------------------------------------------------------------

    def register_commands(self, control: ControlServer) -> None:
        control.register(
            "decorations",
            "title bars drawn by the compositor: live counts, style, each window's mode",
            self.describe,
        )

    def describe(self, request: dict | None = None) -> dict:
        return {
            "title_bars": lib.comp_decor_live_count(),
            "cpu_buffers": lib.comp_cpu_buffer_live_count(),
            "requests": {
                "xdg": sum(isinstance(r, _XdgRequest) for r in self.requests),
                "kde": sum(isinstance(r, _KdeRequest) for r in self.requests),
            },
            "style": {"height": BAR_HEIGHT, "button": BUTTON_WIDTH, **self.colors},
            "views": [
                {"app_id": v.app_id, "mode": v.decoration_mode, **_bar_state(v)}
                for v in self.wm.views
            ],
        }


def _bar_state(view: View) -> dict:
    if view.decoration is None:
        return {"title_bar": False}
    return {
        "title_bar": True,
        "focused": view.decoration.focused,
        "visible": view.decoration.visible,
        "title": view.decoration.title,
    }


class _XdgRequest:
    """One zxdg_toplevel_decoration_v1: the client's wish for one toplevel."""

    def __init__(self, decorations: Decorations, decoration: XdgToplevelDecorationV1) -> None:
        self.decorations = decorations
        self.decoration = decoration
        self.surface = address(decoration._ptr.surface.surface)  # the toplevel's
        self._listeners = Listeners(
            (decoration.request_mode_event, self._on_request_mode),
            (decoration.destroy_event, self._on_destroy),
        )
        # A mode asked for before the first commit came before this object existed.
        self._on_request_mode(None, None)

    def apply(self) -> None:
        self._on_request_mode(None, None)

    def _on_request_mode(self, listener: Listener | None, data: Any) -> None:
        requested = self.decoration._ptr.requested_mode
        view = self.decorations.view_of_surface(self.surface)
        server_side = self.decorations.wants_server_side(
            view, requested != XdgToplevelDecorationV1Mode.CLIENT_SIDE
        )
        self.decoration.set_mode(
            XdgToplevelDecorationV1Mode.SERVER_SIDE
            if server_side
            else XdgToplevelDecorationV1Mode.CLIENT_SIDE
        )
        if view is not None:
            self.decorations.set_server_side(view, server_side, "xdg-decoration")

    def _on_destroy(self, listener: Listener, data: Any) -> None:
        # The client dropped it: its window goes back to client-side decorations (the
        # window itself may be gone already).
        view = self.decorations.view_of_surface(self.surface)
        self.forget()
        self.decorations.requests.discard(self)
        if view is not None:
            self.decorations.set_server_side(
                view, False, "xdg-decoration destroyed", rearrange=False
            )

    def forget(self) -> None:
        self._listeners.remove_all()
        self.decoration = None


class _KdeRequest:
    """One org_kde_kwin_server_decoration: a surface's mode (default: server)."""

    def __init__(self, decorations: Decorations, data: Any) -> None:
        self.decorations = decorations
        self.data = data
        self.surface = address(lib.comp_kde_decoration_surface(data))
        self._listeners = Listeners(
            (_signal(lib.comp_kde_decoration_mode_signal(data)), self._on_mode),
            (_signal(lib.comp_kde_decoration_destroy_signal(data)), self._on_destroy),
        )
        self.apply()

    def apply(self) -> None:
        view = self.decorations.view_of_surface(self.surface)
        if view is None:
            return  # not a toplevel yet: Decorations.on_new_view applies it
        server_side = self.decorations.wants_server_side(
            view, lib.comp_kde_decoration_mode(self.data) == ServerDecorationManagerMode.SERVER
        )
        self.decorations.set_server_side(view, server_side, "kde-server-decoration")

    def _on_mode(self, listener: Listener, data: Any) -> None:
        self.apply()

    def _on_destroy(self, listener: Listener, data: Any) -> None:
        view = self.decorations.view_of_surface(self.surface)
        self.forget()
        self.decorations.requests.discard(self)
        if view is not None:
            self.decorations.set_server_side(
                view, False, "kde-server-decoration destroyed", rearrange=False
            )

    def forget(self) -> None:
        self._listeners.remove_all()
        self.data = ffi.NULL


class TitleBar:
    """The compositor's title bar of one window (its nodes live in C: comp_decor)."""

    def __init__(self, decorations: Decorations, view: View) -> None:
        close, maximize = decorations.glyphs()
        xdg = view.xdg_surface._ptr
        scheduled = view.toplevel._ptr.scheduled
        window = ffi.new("struct comp_decor_window *")
        window.surface = to_native(xdg.surface, "struct wlr_surface *")
        window.xdg_surface = to_native(xdg, "struct wlr_xdg_surface *")
        window.configure_signal = to_native(wlr_ffi.addressof(xdg.events.configure), "void *")
        window.map_signal = to_native(wlr_ffi.addressof(xdg.events.map), "void *")
        window.unmap_signal = to_native(wlr_ffi.addressof(xdg.events.unmap), "void *")
        window.activated = to_native(wlr_ffi.addressof(scheduled, "activated"), "bool *")
        window.fullscreen = to_native(wlr_ffi.addressof(scheduled, "fullscreen"), "bool *")
        window.mapped = bool(xdg.mapped)
        self._decor = lib.comp_decor_create(
            to_native(view.tree, "struct wlr_scene_node *"),
            window,
            decorations.style,
            close,
            maximize,
        )
        if self._decor == ffi.NULL:
            raise MemoryError("cannot create a title bar")
        self.decorations = decorations
        self.view = view
        self.height = BAR_HEIGHT
        self.title: str | None = None
        self.scale = 1
        self._listeners = Listeners((view.toplevel.set_title_event, self._on_title))
        self._on_title(None, None)

    @property
    def focused(self) -> bool:
        return bool(lib.comp_decor_focused(self._decor))

    @property
    def visible(self) -> bool:
        return bool(lib.comp_decor_visible(self._decor))

    def _on_title(self, listener: Listener | None, data: Any) -> None:
        title = self.view.title
        if title == self.title:
            return
        self.title = title
        self._render_title()

    def rescale(self) -> None:
        """The window's output changed scale (or the window changed output): the title
        is rendered again for it."""
        if self.scale != self.decorations.scale_for(self.view):
            self._render_title()

    def icon_changed(self) -> None:
        """The client committed another icon (xdg_toplevel_icon_v1) or none."""
        self._render_title()

    def _icon(self) -> Any:
        """The window's icon (xdg-toplevel-icon) at the bar's scale, a premultiplied RGBA
        Pillow image, or None."""
        size = ffi.new("int *")
        wanted = ICON_SIZE * self.scale
        surface = to_native(self.view.xdg_surface._ptr.surface, "struct wlr_surface *")
        pixels = lib.comp_toplevel_icon_pixels(surface, wanted, size)
        if pixels == ffi.NULL:
            return None
        from PIL import Image

        side = size[0]
        data = bytes(ffi.buffer(pixels, side * side * 4))
        image = Image.frombuffer("RGBA", (side, side), data, "raw", "BGRA", 0, 1)
        return image if side == wanted else image.resize((wanted, wanted), Image.LANCZOS)

    def _render_title(self) -> None:
        # At the output's scale (rounded up, as clients render for a fractional one): on a
        # 2x output the text has twice the pixels, shown at the same logical size.
        self.scale = self.decorations.scale_for(self.view)
        icon = self._icon()
        buffer = (
            render_title(self.title or "", self.scale, icon)
            if self.title or icon is not None
            else ffi.NULL
        )
        lib.comp_decor_set_title(self._decor, buffer, self.scale)
        if buffer != ffi.NULL:
            lib.wlr_buffer_drop(buffer)  # the bar's scene node holds it now

    def part(self, node: Any) -> str | None:
        return PARTS.get(lib.comp_decor_part(self._decor, node))

    def destroy(self) -> None:
        self._listeners.remove_all()
        lib.comp_decor_destroy(self._decor)
        self._decor = ffi.NULL
        self.decorations.forget_view(self.view)
        del self.view, self.decorations


# -- pixels --------------------------------------------------------------------------------


def _rgba(color: str) -> list[float]:
    value = int(color, 16)
    return [((value >> shift) & 0xFF) / 255 for shift in (16, 8, 0)] + [1.0]


@cache
def _font(size: int = TITLE_SIZE):
    from PIL import ImageFont  # Pillow: imported with the first title, not at start-up

    try:
        return ImageFont.truetype(TITLE_FONT, size, index=TITLE_FONT_INDEX)
    except OSError:
        log.warning("decorations: %s not found, titles use Pillow's own font", TITLE_FONT)
        return ImageFont.load_default()


def render_title(title: str, scale: int = 1, icon: Any = None) -> Any:
    """White text on nothing (premultiplied ARGB8888) in a new CPU wlr_buffer, with
    ``scale`` pixels per logical pixel, after ``icon`` (a premultiplied RGBA Pillow image,
    centred on the text's height) when given; NULL when it has no pixels."""
    from PIL import Image, ImageDraw

    font = _font(TITLE_SIZE * scale)
    text = title[:MAX_TITLE_CHARS]
    ascent, descent = font.getmetrics()
    left = icon.width + ICON_GAP * scale if icon is not None else 0
    text_width = int(font.getlength(text)) + 1 if text else 0
    width = min(left + text_width, MAX_TITLE_WIDTH * scale)
    height = min(max(ascent + descent, icon.height if icon is not None else 0),
                 BAR_HEIGHT * scale)  # fmt: skip
    if width <= 1 or height <= 0:
        return ffi.NULL
    coverage = Image.new("L", (width, height), 0)
    if text:
        ImageDraw.Draw(coverage).text((left, (height - ascent - descent) // 2), text,
                                      fill=255, font=font)  # fmt: skip
    # White premultiplied by its coverage: every channel is the coverage.
    image = Image.merge("RGBA", (coverage,) * 4)
    if icon is not None:
        image.paste(icon, (0, (height - icon.height) // 2))
    data = image.tobytes("raw", "BGRA")  # DRM's ARGB8888: B, G, R, A in memory
    buffer = lib.comp_cpu_buffer_create(width, height, data, width * 4)
    if buffer == ffi.NULL:
        log.warning("decorations: no memory for the title %r", title)
    return buffer


def _cross(x: int, y: int, n: int) -> bool:
    return x - y in (0, 1) or x + y - (n - 1) in (0, 1)


def _square(x: int, y: int, n: int) -> bool:
    return x in (0, n - 1) or y in (0, 1, n - 1)


def _glyph(n: int, inked) -> Any:
    """An n x n white glyph (premultiplied ARGB8888) in a CPU wlr_buffer."""
    on, off = b"\xff" * 4, b"\0" * 4
    data = b"".join(on if inked(x, y, n) else off for y in range(n) for x in range(n))
    buffer = lib.comp_cpu_buffer_create(n, n, data, n * 4)
    if buffer == ffi.NULL:
        raise MemoryError("cannot create a title bar glyph")
    return buffer


def _signal(ptr: Any) -> Signal:
    return Signal(ptr=to_wlroots(ptr, "struct wl_signal *"))


