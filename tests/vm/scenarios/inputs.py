"""VM scenario: the configuration file's input() settings on real libinput devices (run
inside the guest: QEMU's virtio keyboard, mouse and tablet, the DRM backend under seatd).

Checks, in order (one boot; results in /mnt/out/results.json):
  devices        the compositor's seat has the three virtio devices, all through libinput
  support        what the compositor reads back as "unsupported" is what `libinput
                 list-devices` (libinput-tools: its own libinput context, the independent
                 view) shows as n/a: tap on the mouse and the tablet, acceleration on the tablet
  applied        the settings of the file, read back from libinput (`inputs`): mouse flat
                 accel at speed 0.5, left-handed, natural scroll, scroll on button down;
                 tablet natural scroll and left-handed; keyboard repeat 40/300. tap=True on
                 the mouse is reported by `config` as "not supported by the device"
  flat_motion    a real relative motion of (10, 6) on the virtio mouse (QMP
                 input-send-event) reaches a client's zwp_relative_pointer_v1 as (15, 9):
                 libinput's flat profile multiplies by 1 + speed
  left_handed    a real left-button press reaches the client as BTN_RIGHT
  natural_scroll a real wheel notch up reaches the client as +15 (not -15)
  reload         `reload` with changed settings (speed -0.5, right-handed, no natural
                 scroll, no scroll method): read back again, (10, 6) now moves (5, 3), the
                 left button is BTN_LEFT again, wheel up is -15
  reload_defaults  the first file again, then one that names no pointer: every setting
                 is libinput's default again (what `libinput list-devices` marks as the
                 default: adaptive, not left-handed, no natural scrolling, no scroll
                 method; speed 0, libinput's documented default), the left button is
                 BTN_LEFT and wheel up -15
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.harness import CompositorProcess
from tests.helpers import wait_for_line
from tests.vm.guest.vmlib import (
    OUT,
    SEAT_ENV,
    Checks,
    input_events,
    setup_devices,
    start_seatd,
    wait_for,
)

ARGS = ["--renderer", "pixman", "--log-level", "debug", "--no-wl-drm"]
MOUSE = "QEMU Virtio Mouse"
TABLET = "QEMU Virtio Tablet"
KEYBOARD = "QEMU Virtio Keyboard"
BTN_LEFT, BTN_RIGHT = 0x110, 0x111

CONFIG_1 = f"""
from compositor.configfile.api import input
input({MOUSE!r}, accel_profile="flat", accel_speed=0.5, left_handed=True,
      natural_scroll=True, tap=True, scroll_method="on_button_down")
input({TABLET!r}, natural_scroll=True, left_handed=True, tap=True)
input("type:keyboard", repeat_rate=40, repeat_delay=300)
"""
CONFIG_2 = f"""
from compositor.configfile.api import input
input({MOUSE!r}, accel_profile="flat", accel_speed=-0.5, left_handed=False,
      natural_scroll=False, scroll_method="none")
input({TABLET!r}, natural_scroll=False, left_handed=False)
input("type:keyboard", repeat_rate=20, repeat_delay=500)
"""
CONFIG_3 = """
from compositor.configfile.api import input
input("type:keyboard", repeat_rate=25, repeat_delay=600)
"""


def list_devices() -> dict[str, dict[str, str]]:
    """`libinput list-devices`: device name -> {field: value}."""
    text = subprocess.run(
        ["libinput", "list-devices"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    (OUT / "libinput-list-devices.txt").write_text(text)
    devices: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        if key == "Device":
            current = devices.setdefault(value.strip(), {})
        else:
            current[key.strip()] = value.strip()
    return devices


def by_name(comp: CompositorProcess) -> dict[str, dict[str, Any]]:
    return {(d["type"], d["name"]): d for d in comp.ctl_ok("inputs")["devices"]}


def pointer(comp: CompositorProcess, name: str) -> dict[str, Any]:
    return by_name(comp)[("pointer", name)]["settings"]


def rel(dx: int, dy: int) -> None:
    input_events(
        {"type": "rel", "data": {"axis": "x", "value": dx}},
        {"type": "rel", "data": {"axis": "y", "value": dy}},
    )


def click_left() -> None:
    for down in (True, False):
        input_events({"type": "btn", "data": {"down": down, "button": "left"}})


def relative_line(proc, udx: int, udy: int) -> tuple[float, float, float, float]:
    """The client's relative motion whose unaccelerated delta is (udx, udy): the mouse's
    (the tablet's absolute moves also come as relative motion, with other deltas)."""
    line = wait_for_line(
        proc, lambda ln: ln.startswith("relative ") and ln.endswith(f" {udx} {udy}"), 60
    )
    dx, dy, udx, udy = (float(v) for v in line.split()[1:5])
    return dx, dy, udx, udy


def wheel_up(proc) -> float:
    """One real wheel notch up; the client's vertical axis value (wheel up scrolls by a
    negative value, 15 degrees a notch; natural scrolling turns the sign)."""
    for down in (True, False):
        input_events({"type": "btn", "data": {"down": down, "button": "wheel-up"}})
    line = wait_for_line(proc, lambda ln: ln.startswith("axis 0 "), 60)
    return float(line.split()[2])


def button_line(proc) -> int:
    line = wait_for_line(proc, lambda ln: ln.startswith("button ") and ln.endswith(" 1"), 60)
    return int(line.split()[1])


def reload(comp: CompositorProcess, config: Path, text: str) -> None:
    config.write_text(text)
    reply = comp.ctl("reload")
    assert reply.get("ok"), f"reload failed: {reply}"


def main() -> int:
    checks = Checks()
    setup_devices(("virtio-gpu", "virtio_input"))
    seatd = start_seatd()
    config = Path("/tmp/inputs-config.py")
    config.write_text(CONFIG_1)
    comp = CompositorProcess(
        Path("/tmp/comp-inputs"),
        args=[*ARGS, "--config", str(config)],
        env=SEAT_ENV,
        backend="drm",
    )
    client = None
    try:
        with checks.check("devices") as info:
            comp.start(timeout=90)
            wait_for(
                lambda: (
                    {("pointer", MOUSE), ("pointer", TABLET), ("keyboard", KEYBOARD)}
                    <= set(by_name(comp))
                ),
                60,
                what="the virtio mouse, tablet and keyboard in the seat",
            )
            info["inputs"] = comp.ctl_ok("inputs")["devices"]
            for key in (("pointer", MOUSE), ("pointer", TABLET), ("keyboard", KEYBOARD)):
                assert by_name(comp)[key]["libinput"], f"{key} is not a libinput device"
        with checks.check("support") as info:
            listed = list_devices()
            info["list_devices"] = {n: listed.get(n) for n in (MOUSE, TABLET)}
            for name in (MOUSE, TABLET):
                ours, theirs = pointer(comp, name), listed[name]
                for key, field in (
                    ("tap", "Tap-to-click"),
                    ("left_handed", "Left-handed"),
                    ("natural_scroll", "Nat.scrolling"),
                    ("accel_speed", "Accel profiles"),
                    ("dwt", "Disable-w-typing"),
                ):
                    assert (ours[key] == "unsupported") == (theirs[field] == "n/a"), (
                        f"{name} {key}: compositor {ours[key]!r}, libinput {theirs[field]!r}"
                    )
                methods = {"button": "on_button_down", "two-finger": "two_finger", "edge": "edge"}
                listed_methods = sorted(
                    methods[m.strip("*")]
                    for m in theirs["Scroll methods"].split()
                    if m.strip("*") in methods
                )
                assert sorted(ours["scroll_methods"]) == listed_methods, (name, ours, theirs)
            assert pointer(comp, MOUSE)["tap"] == "unsupported"  # a mouse has no tap
        with checks.check("applied") as info:
            mouse, tablet = pointer(comp, MOUSE), pointer(comp, TABLET)
            info["mouse"], info["tablet"] = mouse, tablet
            assert mouse["accel_profile"] == "flat" and mouse["accel_speed"] == 0.5, mouse
            assert mouse["left_handed"] is True and mouse["natural_scroll"] is True, mouse
            assert mouse["scroll_method"] == "on_button_down", mouse
            for key in ("left_handed", "natural_scroll"):
                assert tablet[key] in (True, "unsupported"), tablet
            assert tablet["left_handed"] is True, tablet
            keyboard = by_name(comp)[("keyboard", KEYBOARD)]
            assert (keyboard["repeat_rate"], keyboard["repeat_delay"]) == (40, 300), keyboard
            status = comp.ctl_ok("config")["inputs"]
            info["config_status"] = status
            assert status[f"pointer:{MOUSE}"]["tap"] == "not supported by the device", status
            assert status[f"pointer:{MOUSE}"]["accel_speed"] == "applied", status
            assert status[f"pointer:{TABLET}"]["tap"] == "not supported by the device", status
            assert "not supported by the device" in comp.log()
        with checks.check("flat_motion") as info:
            client = comp.spawn(
                [
                    sys.executable,
                    "-m",
                    "tests.clients.input_window",
                    "--relative",
                    "--axis",
                    "--app-id",
                    "vm.input",
                    "--size",
                    "600x400",
                    "--color",
                    "3366cc",
                ],
                text=True,
            )
            view = comp.wait_for_view("vm.input", timeout=60)
            output = comp.ctl_ok("outputs")["outputs"][0]
            cx, cy = view["x"] + view["width"] // 2, view["y"] + view["height"] // 2
            input_events(  # the tablet puts the pointer on the window (0..32767 each axis)
                {"type": "abs", "data": {"axis": "x", "value": cx * 32767 // output["width"]}},
                {"type": "abs", "data": {"axis": "y", "value": cy * 32767 // output["height"]}},
            )
            wait_for_line(client, lambda ln: ln.startswith("enter "), 60)
            rel(10, 6)
            info["relative"] = motion = relative_line(client, 10, 6)
            assert motion == (15, 9, 10, 6), f"flat at 0.5 gave {motion}, expected 1.5 x (10, 6)"
        with checks.check("left_handed") as info:
            click_left()
            info["button"] = button = button_line(client)
            assert button == BTN_RIGHT, f"left button gave {button:#x}, expected BTN_RIGHT"
        with checks.check("natural_scroll") as info:
            info["axis"] = value = wheel_up(client)
            assert value == 15, f"wheel up gave axis {value}, expected +15 (natural scrolling)"
        with checks.check("reload") as info:
            reload(comp, config, CONFIG_2)
            mouse, tablet = pointer(comp, MOUSE), pointer(comp, TABLET)
            info["mouse"], info["tablet"] = mouse, tablet
            assert mouse["accel_profile"] == "flat" and mouse["accel_speed"] == -0.5, mouse
            assert mouse["left_handed"] is False and mouse["natural_scroll"] is False, mouse
            assert mouse["scroll_method"] == "none", mouse
            assert tablet["left_handed"] is False, tablet
            keyboard = by_name(comp)[("keyboard", KEYBOARD)]
            assert (keyboard["repeat_rate"], keyboard["repeat_delay"]) == (20, 500), keyboard
            rel(10, 6)
            info["relative"] = motion = relative_line(client, 10, 6)
            assert motion == (5, 3, 10, 6), f"flat at -0.5 gave {motion}, expected 0.5 x (10, 6)"
            click_left()
            info["button"] = button = button_line(client)
            assert button == BTN_LEFT, f"left button gave {button:#x} after reload"
            info["axis"] = value = wheel_up(client)
            assert value == -15, f"wheel up gave axis {value} after reload, expected -15"
        with checks.check("reload_defaults") as info:
            reload(comp, config, CONFIG_1)
            assert pointer(comp, MOUSE)["left_handed"] is True
            reload(comp, config, CONFIG_3)
            mouse = info["mouse"] = pointer(comp, MOUSE)
            listed = list_devices()[MOUSE]
            info["listed"] = listed
            (default_profile,) = [
                p[1:] for p in listed["Accel profiles"].split() if p.startswith("*")
            ]
            default_scroll = [m[1:] for m in listed["Scroll methods"].split() if m[0] == "*"]
            expected = {
                "accel_profile": default_profile,
                "accel_speed": 0.0,
                "left_handed": listed["Left-handed"] == "enabled",
                "natural_scroll": listed["Nat.scrolling"] == "enabled",
                "scroll_method": {"button": "on_button_down", "two-finger": "two_finger"}.get(
                    default_scroll[0], default_scroll[0]
                )
                if default_scroll
                else "none",
            }
            assert {k: mouse[k] for k in expected} == expected, (mouse, expected)
            click_left()
            info["button"] = button = button_line(client)
            assert button == BTN_LEFT, f"left button gave {button:#x} with no setting"
            info["axis"] = value = wheel_up(client)
            assert value == -15, f"wheel up gave axis {value} with no setting, expected -15"
    finally:
        if client is not None:
            client.kill()
        if comp.log_path.exists():
            (OUT / "compositor.log").write_text(comp.log())
        comp.stop(check=False)
        seatd.terminate()
        seatd.wait()
    return 0 if all(r["ok"] for r in checks.results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
