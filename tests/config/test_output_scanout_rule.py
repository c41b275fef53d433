"""A rule for graphics work on an output (issue 22, item 4): ``output(NAME, scanout=False)``
composites every frame of that output; ``outputs`` says the rule decided, and a reload
without it takes it back. The host has no dma-buf to scan out, so the rule's reason comes
first and the buffer's own ("not a dma-buf") shows once the rule is gone."""

from __future__ import annotations

import textwrap

from tests.harness import wait_for
from tests.helpers import solid_window

RULE = "by rule: the output's output(..., scanout=False)"
NOT_DMABUF = "the buffer is not a dma-buf (shared memory is composited)"


def refusal(comp) -> str | None:
    return comp.ctl_ok("outputs")["outputs"][0]["scanout_refusal"]


def test_an_output_rule_composites_and_a_reload_takes_it_back(make_compositor, tmp_path):
    config = tmp_path / "config.py"
    config.write_text(textwrap.dedent("""
        from compositor.configfile.api import output
        output("HEADLESS-1", scanout=False)
    """))
    comp = make_compositor(args=["--config", str(config)])
    solid_window(comp, "3366cc", "test.fullscreen", fullscreen=True)
    wait_for(lambda: refusal(comp) == RULE, 10, what="the rule's reason")
    config.write_text("from compositor.configfile.api import output\n")
    assert comp.ctl("reload").get("ok")
    # A new fullscreen window: new frames, and the first says why it was composited.
    solid_window(comp, "cc6633", "test.second", fullscreen=True)
    wait_for(lambda: refusal(comp) == NOT_DMABUF, 10, what="the buffer's own reason")
