"""wlr-data-control with wl-clipboard: a clipboard manager sees every selection without a
window, and ``--disable-global`` takes the global away (wayland-info no longer lists it)."""

from __future__ import annotations

import subprocess

from tests.conftest import needs
from tests.helpers import wait_for_line

DATA_CONTROL = "zwlr_data_control_manager_v1"


def copy(comp, text: str) -> None:
    # wl-copy forks a server that keeps the selection; its output must not hold pipes open.
    result = subprocess.run(
        ["wl-copy", text],
        env=comp.client_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=30,
    )
    assert result.returncode == 0


@needs("wl-copy", "wl-paste")
def test_a_clipboard_manager_sees_each_selection(compositor):
    # --watch works only through data-control: no window, no focus needed.
    watcher = compositor.spawn(["wl-paste", "--watch", "sh", "-c", "cat; echo"], text=True)
    for text in ("first selection", "second selection"):
        copy(compositor, text)
        wait_for_line(watcher, lambda line, text=text: line == text, timeout=20)
    paste = compositor.run_client(["wl-paste", "--no-newline"])
    assert paste.returncode == 0 and paste.stdout == "second selection"


@needs("wayland-info", "wl-paste")
def test_disable_global_hides_it_from_clients(make_compositor):
    comp = make_compositor(args=["--disable-global", DATA_CONTROL])
    info = comp.run_client(["wayland-info"])
    assert info.returncode == 0
    assert DATA_CONTROL not in info.stdout and "wl_compositor" in info.stdout
    watch = comp.run_client(["wl-paste", "--watch", "true"])
    assert watch.returncode != 0 and "data-control" in watch.stderr
    assert f"global {DATA_CONTROL}: hidden from clients" in comp.log()
