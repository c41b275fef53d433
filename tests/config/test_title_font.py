"""The title bars' font by its fontconfig name: ``title_bar(font="DejaVu Serif:bold")``.

A real compositor with ``--config FILE`` and the real test client asking for our title bar;
the oracle is the title bar's pixels in screenshots of the same window with the same title:
a name renders exactly as the font file Debian's fonts-dejavu-core installs for it (the
path written here, not asked of fontconfig), and differently from the default font. A name
fontconfig has no family of is an error at load and at reload, and the running font stays.
"""

from __future__ import annotations

from pathlib import Path

from tests.config.test_config_file import start, write_config
from tests.conftest import needs
from tests.shell.test_decorations import (
    BAR_HEIGHT,
    BUTTON_WIDTH,
    decorated,
    screenshot,
    wait_for_bar,
)

pytestmark = needs("fc-match", "fc-pattern")

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
SERIF_BOLD = DEJAVU / "DejaVuSerif-Bold.ttf"
SANS_MONO = DEJAVU / "DejaVuSansMono.ttf"
TITLE = "Hamburgefonstiv WWW 0123"
WIDTH = 400
AT = (40, 80)


def title_pixels(comp) -> bytes:
    """The title bar left of its buttons (the rule puts the bar's top-left at AT), as RGB
    bytes, once the bar is there."""
    x, y = AT
    wait_for_bar(comp, x, y + BAR_HEIGHT, WIDTH)
    box = (x, y, x + WIDTH - 2 * BUTTON_WIDTH, y + BAR_HEIGHT)
    return screenshot(comp).crop(box).convert("RGB").tobytes()


def reload(comp, config: Path, text: str) -> dict:
    write_config(config, text)
    return comp.ctl("reload")


def config_text(font: str | None) -> str:
    line = f"rule(app_id='test.font', position={AT})\n"
    return line + (f"title_bar(font={font!r})\n" if font is not None else "")


def test_a_font_by_name_renders_the_title_and_a_wrong_name_keeps_the_running_one(
    make_compositor, tmp_path
):
    assert SERIF_BOLD.is_file() and SANS_MONO.is_file(), "fonts-dejavu-core is installed"
    comp, config = start(make_compositor, tmp_path, config_text("DejaVu Serif:bold"))
    decorated(comp, "3366cc", "test.font", title=TITLE, size=f"{WIDTH}x100")
    by_name = title_pixels(comp)
    described = comp.ctl_ok("config")["title_font"]
    assert described == {"font_name": "DejaVu Serif:bold", "font": str(SERIF_BOLD),
                         "font_index": 0}  # fmt: skip

    # The same file by its path: the same pixels.
    assert reload(comp, config, config_text(str(SERIF_BOLD)))["ok"]
    assert title_pixels(comp) == by_name
    # No font: the default (DejaVu Sans) draws other pixels.
    assert reload(comp, config, config_text(None))["ok"]
    default = title_pixels(comp)
    assert default != by_name
    # A generic name fontconfig resolves: monospace, in a different case, is the mono file.
    assert reload(comp, config, config_text("dejavu sans mono"))["ok"]
    mono = title_pixels(comp)
    assert mono not in (default, by_name)
    assert reload(comp, config, config_text(str(SANS_MONO)))["ok"]
    assert title_pixels(comp) == mono

    # Names fontconfig has no family of: an error naming the line, and the font stays.
    for name in ("No Such Font Family", "DejaVu Serif Nonexistent:bold"):
        reply = reload(comp, config, config_text(name))
        assert not reply["ok"], reply
        assert f"{config}:2: no font named {name!r}" in reply["error"], reply
        assert "fc-list : family" in reply["error"], reply
        assert title_pixels(comp) == mono
    for path, words in (
        (str(tmp_path / "missing.ttf"), "no such file"),
        (str(config), "not a font Pillow can read"),  # a file, not a font
    ):
        reply = reload(comp, config, config_text(path))
        assert not reply["ok"] and words in reply["error"], reply
    assert comp.ctl_ok("config")["title_font"]["font"] == str(SANS_MONO)
    assert title_pixels(comp) == mono


def test_a_wrong_font_name_at_start_runs_the_defaults(make_compositor, tmp_path):
    comp, config = start(make_compositor, tmp_path, config_text("No Such Font Family"))
    described = comp.ctl_ok("config")
    assert not described["loaded"] and described["error"]["line"] == 2
    assert "no font named 'No Such Font Family'" in described["error"]["message"]
    assert comp.alive()
