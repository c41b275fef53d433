"""The Python configuration file (compositor/configfile/): bindings, window rules, output
profiles, inputs, cosmetics, hooks, live reload, and mistakes that never cost the session.

Every compositor here is a real one started with ``--config FILE``; keys are injected on
its headless keyboard (the path real keys take), windows are the real test client
(tests/clients/solid_window.py), and the oracles are the test's own: what ``views`` and
``outputs`` report, pixels in screenshots, and the lines a hook writes to a file.
"""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

import pytest

from compositor.configfile.client import CommandFailed, Compositor
from tests.harness import wait_for
from tests.helpers import rgb, solid_window, sync, wait_for_line

SOLID = f"{sys.executable} -m tests.clients.solid_window --color 3366cc --app-id test.spawned"


def write_config(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def start(make_compositor, tmp_path: Path, text: str, **kwargs):
    config = write_config(tmp_path / "config.py", text)
    args = ["--config", str(config), *kwargs.pop("args", [])]
    return make_compositor(args=args, **kwargs), config


def keys(comp, *names: str) -> None:
    """Press the keys in order, then release them in reverse (a chord)."""
    for name in names:
        comp.ctl_ok("key", key=name, pressed=True)
    for name in reversed(names):
        comp.ctl_ok("key", key=name, pressed=False)


def view(comp, app_id: str) -> dict | None:
    return next((v for v in comp.views() if v["app_id"] == app_id and v["mapped"]), None)


# -- bindings ------------------------------------------------------------------------------


def test_bindings_drive_spawn_maximize_and_close(make_compositor, tmp_path):
    comp, _ = start(
        make_compositor,
        tmp_path,
        f"""
        bind("Super+Return", cmd.spawn({SOLID!r}))
        bind("Super+Shift+m", cmd.maximize(), "maximize")
        bind("Super+q", cmd.close())
        unbind("Alt+F4")
        """,
    )
    keys(comp, "Super_L", "Return")
    spawned = comp.wait_for_view("test.spawned")
    assert spawned["state"] == "normal" and spawned["focused"]

    # Super+Shift+M: the binding names the lower-case key, Shift makes it M.
    keys(comp, "Super_L", "Shift_L", "m")
    wait_for(lambda: view(comp, "test.spawned")["state"] == "maximized", what="maximized")
    keys(comp, "Super_L", "Shift_L", "m")
    wait_for(lambda: view(comp, "test.spawned")["state"] == "normal", what="restored")

    # Alt+F4 was unbound: the window stays (the built-in Alt+F10 still works: kept).
    keys(comp, "Alt_L", "F4")
    keys(comp, "Alt_L", "F10")
    wait_for(lambda: view(comp, "test.spawned")["state"] == "maximized", what="Alt+F10")
    assert view(comp, "test.spawned") is not None

    keys(comp, "Super_L", "q")
    wait_for(lambda: view(comp, "test.spawned") is None, what="closed by Super+q")
    described = comp.ctl_ok("config")
    assert described["loaded"] and described["spawned"] == 1
    bound = [b["keys"] for b in described["bindings"]]
    assert bound == ["Super+Return", "Super+Shift+m", "Super+q"]
    assert [u["description"] for u in described["unbound"]] == ["close window"]


def test_default_bindings_off_keeps_the_way_out_and_a_python_action(make_compositor, tmp_path):
    marker = tmp_path / "pressed"
    comp, _ = start(
        make_compositor,
        tmp_path,
        f"""
        default_bindings(False)
        from pathlib import Path

        def note():
            Path({str(marker)!r}).write_text("yes")

        bind("Ctrl+Alt+n", note)
        mouse("Super+left", None)
        """,
    )
    proc, _ = solid_window(comp, "33aa55", "test.kept")
    keys(comp, "Alt_L", "F10")  # built-in: gone, the key reaches the client
    wait_for_line(proc, lambda line: line.startswith("key 68 "))  # F10's evdev code
    assert view(comp, "test.kept")["state"] == "normal"
    keys(comp, "Control_L", "Alt_L", "n")
    wait_for(marker.exists, what="the Python binding")
    # The way out stays bound (not inhibitable).
    config = comp.ctl_ok("config")
    assert any(u["description"] == "close window" for u in config["unbound"])
    assert not any(u["description"] == "quit" for u in config["unbound"])
    # With the defaults off no pointer binding is left either: neither drag moves it.
    start_view = view(comp, "test.kept")
    for modifier in ("Super_L", "Alt_L"):
        drag(comp, modifier, start_view, 40)
    assert (view(comp, "test.kept")["x"], view(comp, "test.kept")["y"]) == (
        start_view["x"],
        start_view["y"],
    )


def drag(comp, modifier: str, window: dict, by: int) -> None:
    """Modifier + left drag from inside the window, ``by`` pixels right and down."""
    x, y = window["x"] + 20, window["y"] + 20
    comp.ctl_ok("pointer-move", x=x, y=y)
    comp.ctl_ok("key", key=modifier, pressed=True)
    comp.ctl_ok("pointer-button", button=0x110, pressed=True)
    comp.ctl_ok("pointer-move", x=x + by, y=y + by)
    comp.ctl_ok("pointer-button", button=0x110, pressed=False)
    comp.ctl_ok("key", key=modifier, pressed=False)


def test_pointer_bindings(make_compositor, tmp_path):
    comp, _ = start(
        make_compositor,
        tmp_path,
        """
        mouse("Super+left", None)         # a built-in one removed
        mouse("Ctrl+Shift+left", "move")  # one added
        mouse("Ctrl+right", cmd.maximize())
        """,
    )
    solid_window(comp, "3366cc", "test.dragged")
    before = view(comp, "test.dragged")
    drag(comp, "Super_L", before, 40)
    assert view(comp, "test.dragged")["x"] == before["x"]
    drag(comp, "Alt_L", before, 40)  # kept
    moved = view(comp, "test.dragged")
    assert (moved["x"], moved["y"]) == (before["x"] + 40, before["y"] + 40)
    comp.ctl_ok("key", key="Control_L", pressed=True)
    comp.ctl_ok("key", key="Shift_L", pressed=True)
    drag(comp, "Control_L", moved, -30)  # with Shift held too
    comp.ctl_ok("key", key="Shift_L", pressed=False)
    comp.ctl_ok("key", key="Control_L", pressed=False)
    again = view(comp, "test.dragged")
    assert (again["x"], again["y"]) == (moved["x"] - 30, moved["y"] - 30)
    comp.ctl_ok("pointer-move", x=again["x"] + 10, y=again["y"] + 10)
    comp.ctl_ok("key", key="Control_L", pressed=True)
    comp.ctl_ok("pointer-button", button=0x111)
    comp.ctl_ok("key", key="Control_L", pressed=False)
    wait_for(lambda: view(comp, "test.dragged")["state"] == "maximized", what="Ctrl+right")


# -- window rules --------------------------------------------------------------------------


def test_rules_place_size_state_output_and_focus(make_compositor, tmp_path):
    comp, _ = start(
        make_compositor,
        tmp_path,
        """
        rule(app_id="test.placed", position=(300, 200), size=(320, 240))
        rule(app_id=r"test\\.max.*", state="maximized")
        rule(app_id="test.there", output="HEADLESS-1")
        rule(title="quiet.*", focus=False)
        """,
        args=["--outputs", "2"],
    )
    solid_window(comp, "3366cc", "test.placed")
    placed = wait_for(
        lambda: (v := view(comp, "test.placed")) and v["width"] == 320 and v,
        what="the rule's size",
    )
    assert (placed["x"], placed["y"], placed["width"], placed["height"]) == (300, 200, 320, 240)

    solid_window(comp, "aa3355", "test.maximal")
    wait_for(lambda: view(comp, "test.maximal")["state"] == "maximized", what="maximized")

    solid_window(comp, "55aa33", "test.there")
    there = view(comp, "test.there")
    # Not where the pointer is (where a window opens without a rule).
    named = next(o for o in comp.ctl_ok("outputs")["outputs"] if o["name"] == "HEADLESS-1")
    assert named["x"] <= there["x"] < named["x"] + named["width"], (there, named)
    pointer_x = comp.ctl_ok("input-protocols")["cursor"][0]
    assert not named["x"] <= pointer_x < named["x"] + named["width"]

    focused_before = next(v["app_id"] for v in comp.views() if v["focused"])
    proc, _ = solid_window(comp, "777777", "test.quiet", title="quiet one")
    sync(proc)
    assert not view(comp, "test.quiet")["focused"]
    assert next(v["app_id"] for v in comp.views() if v["focused"]) == focused_before
    assert comp.ctl_ok("config")["rules_applied"] == 4


def test_decoration_rule_overrides_the_client(make_compositor, tmp_path):
    comp, _ = start(
        make_compositor,
        tmp_path,
        """
        rule(app_id="test.bare", decoration="client")
        title_bar(focused="#aa2200")
        """,
    )
    proc, _ = solid_window(comp, "3366cc", "test.bare", decoration="server")
    wait_for_line(proc, lambda line: line == "decoration-configure client")
    assert view(comp, "test.bare")["decoration"] == "client"
    solid_window(comp, "33aa55", "test.titled", decoration="server")
    titled = view(comp, "test.titled")
    assert titled["decoration"] == "server"
    shot = comp.screenshot()
    assert shot.getpixel((titled["x"] + 2, titled["y"] - 12)) == rgb("aa2200")


# -- outputs -------------------------------------------------------------------------------


def test_output_settings_and_a_profile_applied_on_hotplug(make_compositor, tmp_path):
    comp, _ = start(
        make_compositor,
        tmp_path,
        """
        output("HEADLESS-1", scale=2, transform="90")
        profile("pair", {
            "HEADLESS-1": dict(position=(800, 0)),
            monitor("HEADLESS-2"): dict(mode="800x600", position=(0, 0)),
        })
        """,
    )

    def outputs():
        return {o["name"]: o for o in comp.ctl_ok("outputs")["outputs"]}

    first = outputs()["HEADLESS-1"]
    assert (first["scale"], first["width"], first["height"]) == (2.0, 240, 320)  # turned
    assert comp.ctl_ok("config")["outputs"]["profile"] is None

    comp.ctl_ok("output-add", width=640, height=480)
    wait_for(lambda: len(outputs()) == 2, what="the second output")
    now = outputs()
    assert (now["HEADLESS-2"]["x"], now["HEADLESS-2"]["width"]) == (0, 800), now
    assert (now["HEADLESS-1"]["x"], now["HEADLESS-1"]["width"]) == (800, 240), now
    assert comp.ctl_ok("config")["outputs"]["profile"] == "pair"

    comp.ctl_ok("output-remove", name="HEADLESS-2")
    wait_for(lambda: len(outputs()) == 1, what="the second output gone")
    assert outputs()["HEADLESS-1"]["x"] == 0
    assert comp.ctl_ok("config")["outputs"]["profile"] is None


# -- inputs and cosmetics ------------------------------------------------------------------


def test_keyboard_layout_and_repeat_reach_keyboards(make_compositor, tmp_path):
    marker = tmp_path / "z"
    comp, _ = start(
        make_compositor,
        tmp_path,
        f"""
        input("type:keyboard", xkb_layout="de", repeat_rate=40, repeat_delay=200)
        bind("Super+z", lambda: open({str(marker)!r}, "w").close())
        background("#203040")
        """,
    )
    proc, _ = solid_window(comp, "3366cc", "test.keys")
    wait_for_line(proc, lambda line: line == "repeat-info 40 200")
    # On a German keyboard the key US calls y (evdev 21) is z.
    keys(comp, "Super_L", "y")
    wait_for(marker.exists, what="Super+z on the de layout")
    assert comp.ctl_ok("config")["inputs"]["keyboard:headless"]["xkb_layout"] == "applied"
    shot = comp.screenshot()
    assert shot.getpixel((shot.width - 2, shot.height - 2)) == rgb("203040")


# -- reload and mistakes -------------------------------------------------------------------


def test_reload_with_a_broken_file_keeps_the_running_one(make_compositor, tmp_path):
    comp, config = start(
        make_compositor,
        tmp_path,
        """
        bind("Super+m", cmd.maximize())
        """,
    )
    solid_window(comp, "3366cc", "test.reload")
    write_config(
        config,
        """
        bind("Super+n", cmd.minimize())

        bind("Super+m", cmd.maximize(  # a syntax error on line 3
        """,
    )
    reply = comp.ctl("reload")
    assert not reply["ok"]
    assert f"{config}:3: syntax error" in reply["error"], reply
    described = comp.ctl_ok("config")
    assert described["loaded"] and described["error"]["line"] == 3
    assert described["error_shown"]
    shot = comp.screenshot()
    assert shot.getpixel((shot.width - 3, 2)) == rgb("992020")  # the error line, on screen
    assert "config file error" in comp.log() and f"{config}:3" in comp.log()
    # The old binding still runs, the new file's does not.
    keys(comp, "Super_L", "m")
    wait_for(lambda: view(comp, "test.reload")["state"] == "maximized", what="old binding")
    keys(comp, "Super_L", "n")
    time.sleep(0.3)
    assert view(comp, "test.reload")["state"] == "maximized"
    comp.ctl_ok("config-dismiss")
    assert not comp.ctl_ok("config")["error_shown"]

    # Mistakes the file runs into: each names its line, each keeps the running file.
    for text, line, words in (
        ('bind("Super+m", cmd.maximize())\nbind("Super+Nope", cmd.close())\n', 2, "unknown key"),
        ("x = 1\nrule(app_idd='foot')\n", 2, "unexpected keyword argument"),
        ("output('HEADLESS-1', scale='big')\n", 1, "scale takes a number"),
        ("def f():\n    raise ValueError('no')\n\nf()\n", 2, "ValueError: no"),
        ("bind('Super+x', cmd.nonsense())\n", 1, "unknown command"),
        ("@hook('window_exploded')\ndef f(w): pass\n", 1, "unknown hook event"),
        ("while True:\n    pass\n", 1, "still running after"),
    ):
        config.write_text(text)
        reply = comp.ctl("reload")
        assert not reply["ok"] and f"{config}:{line}: " in reply["error"], (text, reply)
        assert words in reply["error"], (text, reply)
    keys(comp, "Super_L", "m")
    wait_for(lambda: view(comp, "test.reload")["state"] == "normal", what="still the old binding")

    write_config(config, 'bind("Super+n", cmd.minimize())\n')
    assert comp.ctl_ok("reload")["loaded"]
    keys(comp, "Super_L", "m")  # gone with the old file
    keys(comp, "Super_L", "n")
    wait_for(lambda: view(comp, "test.reload")["state"] == "minimized", what="new binding")
    assert comp.ctl_ok("config")["error"] is None
    assert comp.alive()


def test_a_broken_file_at_start_runs_the_defaults(make_compositor, tmp_path):
    comp, config = start(
        make_compositor, tmp_path, 'unbind("Alt+F10")\nbind("Super+Nope", cmd.maximize())\n'
    )
    described = comp.ctl_ok("config")
    assert not described["loaded"] and described["error"]["line"] == 2
    solid_window(comp, "3366cc", "test.defaults")
    keys(comp, "Alt_L", "F10")  # built-in, since nothing of the file applied
    wait_for(lambda: view(comp, "test.defaults")["state"] == "maximized", what="Alt+F10")
    # Fixed, then reloaded by the binding a file in use gets (Super+Shift+C).
    write_config(config, 'unbind("Alt+F10")\n')
    keys(comp, "Super_L", "Shift_L", "c")
    wait_for(lambda: comp.ctl_ok("config")["loaded"], what="reloaded by Super+Shift+C")
    keys(comp, "Alt_L", "F10")
    time.sleep(0.3)
    assert view(comp, "test.defaults")["state"] == "maximized"


# -- hooks ---------------------------------------------------------------------------------


def test_a_raising_hook_is_disabled_and_costs_nothing_else(make_compositor, tmp_path):
    events = tmp_path / "events"
    comp, config = start(
        make_compositor,
        tmp_path,
        f"""
        def record(kind, what):
            with open({str(events)!r}, "a") as f:
                f.write(f"{{kind}} {{what}}\\n")

        @hook("window_mapped")
        def explode(window):
            raise RuntimeError("hook went wrong for " + window["app_id"])  # line 7

        @hook("window_focused")
        def focused(window):
            record("focused", window["app_id"])

        @hook("output_added")
        def added(output):
            record("output", output["name"])

        @hook("client_gone")
        def gone(client):
            record("gone", client["pid"])
        """,
    )
    procs = [solid_window(comp, "3366cc", f"test.hook{i}")[0] for i in range(4)]
    for i in range(4):
        wait_for(lambda i=i: f"focused test.hook{i}\n" in read(events), what="focus hook")
    log = comp.log()
    assert log.count("config hook explode") == 4  # 3 failures, then disabled
    assert "failed (3 of 3)" in log and "disabled after 3 failures" in log
    assert f'File "{config}", line 7, in explode' in log
    assert "RuntimeError: hook went wrong for test.hook0" in log
    hooks = comp.ctl_ok("config")["hooks"]
    assert hooks["window_mapped"][0]["calls"] == 3 and hooks["window_mapped"][0]["disabled"]
    assert all(view(comp, f"test.hook{i}") for i in range(4))

    comp.ctl_ok("output-add", width=320, height=240)
    wait_for(lambda: "output HEADLESS-2\n" in read(events), what="output hook")
    procs[0].kill()
    procs[0].wait()
    wait_for(lambda: f"gone {procs[0].pid}\n" in read(events), what="client_gone hook")


def read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def test_pointer_motion_costs_no_python_with_hooks_and_rules(make_compositor, tmp_path):
    """Hooks and rules observe windows, outputs and clients, never pointer motion."""
    comp, _ = start(
        make_compositor,
        tmp_path,
        """
        rule(app_id="test.motion", position=(40, 40))
        bind("Super+m", cmd.maximize())

        @hook("window_focused")
        def focused(window):
            pass

        @hook("window_title")
        def title(window):
            pass
        """,
    )
    proc, _ = solid_window(comp, "3366cc", "test.motion")
    window = view(comp, "test.motion")
    inside = (window["x"] + 20, window["y"] + 20)
    outside = (600, 440)
    for point in (inside, outside):
        comp.ctl_ok("pointer-move", x=point[0], y=point[1])
    sync(proc)
    ready = tmp_path / "mover.ready"
    rounds = 100
    mover = comp.spawn(
        [
            sys.executable,
            "-m",
            "tests.clients.pointer_mover",
            "--events",
            str(2 * rounds),
            "--rate",
            "0",
            "--extent",
            "640,480",
            "--ready-file",
            str(ready),
            "--hold",
            "--points",
            f"{inside[0]},{inside[1]}",
            f"{outside[0]},{outside[1]}",
        ],
        text=True,
        stdin=__import__("subprocess").PIPE,
    )
    wait_for(ready.exists, what="the virtual pointer")
    before = comp.ctl_ok("stats", objects=0)["python_calls"]
    ready.unlink()
    wait_for_line(mover, lambda line: line == f"done {2 * rounds}", timeout=60)
    after = comp.ctl_ok("stats", objects=0)["python_calls"]
    mover.stdin.write("quit\n")
    mover.stdin.flush()
    assert mover.wait(30) == 0
    assert after - before == 0, f"{after - before} entries into Python for {2 * rounds} motions"


# -- scripts -------------------------------------------------------------------------------


def test_a_script_runs_the_same_commands(make_compositor, tmp_path):
    comp, _ = start(make_compositor, tmp_path, "autostart(['true'])\n")
    solid_window(comp, "3366cc", "test.script")
    with Compositor(comp.control_path) as wm:
        target = next(v for v in wm.views()["views"] if v["app_id"] == "test.script")
        assert wm.maximize(id=target["id"], state=True)["state"] == "maximized"
        wm.move_to_output(id=target["id"], output="HEADLESS-1")
        with pytest.raises(CommandFailed, match="no window with"):
            wm.focus(app_id="nobody")
        wm.close(id=target["id"])
    wait_for(lambda: view(comp, "test.script") is None, what="closed by the script")
    assert comp.ctl_ok("config")["spawned"] == 1  # the autostart


def test_the_example_in_the_repository_loads(make_compositor):
    example = Path(__file__).resolve().parents[2] / "examples" / "config.py"
    comp = make_compositor(args=["--config", str(example)])
    described = comp.ctl_ok("config")
    assert described["loaded"], described["error"]
    assert described["error"] is None and len(described["bindings"]) >= 10
    assert described["rules"] >= 4 and described["outputs"]["profiles"] == ["docked"]
    inputs = described["inputs"]
    assert inputs["keyboard:headless"]["xkb_options"] == "applied"
    assert inputs["pointer:headless"]["accel_profile"] == "not a libinput device"


def test_reload_from_a_binding_and_from_a_hook(make_compositor, tmp_path):
    text = """
        bind("Super+r", cmd.reload())

        @hook("window_mapped")
        def again(window):
            if window["app_id"] == "test.reloader":
                cmd.reload().run()  # replaces this very hook: it runs once the hook returned
        """
    comp, _ = start(make_compositor, tmp_path, text)
    keys(comp, "Super_L", "r")
    wait_for(lambda: comp.ctl_ok("config")["loads"] == 2, what="reloaded by Super+R")
    solid_window(comp, "3366cc", "test.reloader")
    wait_for(lambda: comp.ctl_ok("config")["loads"] == 3, what="reloaded by the hook")
    described = comp.ctl_ok("config")
    assert described["failed_loads"] == 0 and described["hooks"]["window_mapped"][0]["calls"] == 0


def test_a_missing_file_named_by_config_is_an_error_not_a_crash(make_compositor, tmp_path):
    missing = tmp_path / "nowhere.py"
    comp = make_compositor(args=["--config", str(missing)])
    described = comp.ctl_ok("config")
    assert not described["loaded"]
    assert described["error"]["text"].startswith(f"{missing}: cannot read it")
    write_config(missing, 'bind("Super+m", cmd.maximize())\n')
    assert comp.ctl_ok("reload")["loaded"]  # created later: reload finds it
