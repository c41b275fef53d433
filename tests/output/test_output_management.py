"""wlr-output-management with wlr-randr: list, change mode, scale and position; what the
backend cannot do is refused cleanly; layer surfaces, screenshots and the recorder follow."""

from __future__ import annotations

from tests.conftest import needs
from tests.waiting import wait_for

pytestmark = needs("wlr-randr", "grim")


def randr(comp, *args: str):
    return comp.run_client(["wlr-randr", *args])


def output(comp, name: str = "HEADLESS-1") -> dict:
    return next(o for o in comp.ctl_ok("outputs")["outputs"] if o["name"] == name)


def test_wlr_randr_lists_the_outputs(compositor):
    result = randr(compositor)
    assert result.returncode == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert lines[0].startswith("HEADLESS-1")
    assert "Enabled: yes" in lines
    assert "640x480 px, 60.000000 Hz (current)" in lines
    assert "Position: 0,0" in lines and "Scale: 1.000000" in lines


def test_a_new_mode_resizes_the_output_its_screenshots_and_its_layers(compositor):
    compositor.spawn(["swaybg", "-c", "#3050a0"])
    wait_for(
        lambda: [s["width"] for s in compositor.ctl_ok("layers")["surfaces"]] == [640],
        20,
        what="the wallpaper",
    )
    result = randr(compositor, "--output", "HEADLESS-1", "--custom-mode", "800x600")
    assert result.returncode == 0, result.stderr
    assert (output(compositor)["width"], output(compositor)["height"]) == (800, 600)
    assert compositor.screenshot().size == (800, 600)
    wallpaper = compositor.ctl_ok("layers")["surfaces"][0]
    assert (wallpaper["width"], wallpaper["height"]) == (800, 600)
    assert "800x600 px, 60.000000 Hz (current)" in randr(compositor).stdout
    assert compositor.ctl_ok("output-management") == {"ok": True, "applied": 1, "refused": 0}


def test_scale_halves_the_layout_size(compositor):
    result = randr(compositor, "--output", "HEADLESS-1", "--scale", "2")
    assert result.returncode == 0, result.stderr
    described = output(compositor)
    assert (described["width"], described["height"], described["scale"]) == (320, 240, 2.0)


def test_position_moves_an_output_in_the_layout(make_compositor):
    comp = make_compositor(args=["--outputs", "2"])
    right = next(o["name"] for o in comp.ctl_ok("outputs")["outputs"] if o["x"] == 640)
    result = randr(comp, "--output", right, "--pos", "0,480")
    assert result.returncode == 0, result.stderr
    assert (output(comp, right)["x"], output(comp, right)["y"]) == (0, 480)
    assert "Position: 0,480" in randr(comp).stdout


def test_what_the_backend_cannot_do_is_refused_and_nothing_changes(compositor):
    # wlroots 0.15's headless backend cannot disable an output: the apply fails cleanly.
    result = randr(compositor, "--output", "HEADLESS-1", "--off")
    assert result.returncode != 0 and "failed" in result.stderr
    assert compositor.ctl_ok("output-management") == {"ok": True, "applied": 0, "refused": 1}
    assert output(compositor)["enabled"] is True
    assert "Enabled: yes" in randr(compositor).stdout
    assert compositor.ctl_ok("ping")["ok"]


def test_a_mode_change_ends_a_recording_of_the_old_size(compositor, tmp_path):
    compositor.spawn(["weston-simple-shm"])
    compositor.ctl_ok("record-start", path=str(tmp_path / "r.mp4"))
    wait_for(
        lambda: compositor.ctl_ok("record-status")["current"]["frames_encoded"] >= 5,
        60,
        what="5 encoded frames",
    )
    assert randr(compositor, "--output", "HEADLESS-1", "--custom-mode", "800x600").returncode == 0
    status = compositor.ctl_ok("record-status")
    assert status["recording"] is False
    assert status["last"]["frames_encoded"] >= 5 and status["last"]["error"] is None
    assert "changed to 800x600" in compositor.log()
