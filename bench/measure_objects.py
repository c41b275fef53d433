"""What real applications hold of protocol objects, dma-bufs and fds: the figures behind
the per-client object limits' defaults (compositor/limits_options.py).

    python bench/measure_objects.py [--width 3840 --height 2160] [--seconds 6]
        [--only REGEX] [--browser-seconds 40] [--tabs 3 --windows 2] [--shots DIR]
        [--defaults] [--arg=--OPTION=VALUE ...]

The applications and steps of bench/measure_shm_use.py (started, left to draw, maximized
and restored twice, ended), then Firefox ESR and Chromium (browsers()) on a local page heavy
on drawing (BROWSER_PAGE: 400 styled DOM elements, a third of them CSS-animated, a canvas
animation, a looping VP9 video made with ffmpeg), in one window and in several tabs and
windows (opened by the page with window.open, popups allowed); a browser's windows end
maximized all at once. Every object and wl_shm limit far above anything; the `clients`
command's ``limits`` entry (compositor/limits_objects.py) gives each client's peak objects
(all, surfaces, subsurfaces, regions, callbacks, data sources), dma-buf buffers and fds,
its ``wl_shm`` entry (compositor/limits.py) peak pools, buffers, buffers' bytes and bytes
mapped; sampled every second (a browser's helper processes may connect and go). X11
applications are counted in Xwayland (one client for all). --only keeps the applications
whose label matches; --defaults keeps the compositor's default limits instead and prints
each client a limit disconnected. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from measure_shm_use import APPS, key  # noqa: E402

from compositor.limits_options import OBJECT_LIMITS  # noqa: E402
from tests.harness import CompositorProcess  # noqa: E402

FIGURES = ("objects", "surfaces", "subsurfaces", "regions", "callbacks", "data_sources",
           "dmabuf_buffers", "dmabuf_fds", "parked_fds")  # fmt: skip
SHM_FIGURES = ("pools", "buffers", "bytes", "mapped")
# wl_shm limits far above anything too (as bench/measure_shm_use.py sets them).
SHM_HIGH = [
    "--max-client-shm-pools",
    "65536",
    "--max-client-shm-buffers",
    "1048576",
    "--max-client-shm-bytes",
    str(1 << 40),
    "--max-client-shm-mapped",
    str(1 << 46),
]

# A page heavy on drawing: ?windows=N&tabs=M opens N windows and M tabs of itself (plain).
BROWSER_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>heavy page</title>
<style>
body { margin: 0; font: 14px sans-serif; background: #202830; color: #eee; }
#grid { display: flex; flex-wrap: wrap; }
.cell { width: 180px; height: 60px; margin: 4px; border-radius: 8px;
        box-shadow: 0 2px 6px rgba(0,0,0,.6);
        background: linear-gradient(135deg, hsl(var(--h),70%,45%), hsl(var(--h),60%,25%)); }
.spin { animation: spin 2s linear infinite; }
@keyframes spin { from { transform: rotate(0deg); } to { transform: rotate(360deg); } }
#slide { position: fixed; top: 40%; left: 0; width: 300px; height: 120px; opacity: .8;
         background: radial-gradient(#ff0, #f0f);
         animation: slide 3s ease-in-out infinite alternate; }
@keyframes slide { from { transform: translateX(0); } to { transform: translateX(3000px); } }
canvas, video { display: inline-block; margin: 4px; }
</style></head><body>
<canvas id="c" width="1600" height="900"></canvas>
<video src="clip.webm" width="1280" height="720" autoplay muted loop></video>
<div id="slide"></div>
<div id="grid"></div>
<script>
const grid = document.getElementById("grid");
for (let i = 0; i < 400; i++) {
  const d = document.createElement("div");
  d.className = "cell" + (i % 3 === 0 ? " spin" : "");
  d.style.setProperty("--h", (i * 37) % 360);
  d.textContent = "element " + i;
  grid.appendChild(d);
}
const ctx = document.getElementById("c").getContext("2d");
function frame(t) {
  ctx.fillStyle = "rgba(0,0,0,.25)"; ctx.fillRect(0, 0, 1600, 900);
  for (let i = 0; i < 300; i++) {
    const a = t / 1000 + i;
    ctx.fillStyle = `hsl(${(i * 7 + t / 20) % 360},80%,60%)`;
    ctx.beginPath();
    ctx.arc(800 + Math.cos(a * 1.3) * (100 + i), 450 + Math.sin(a) * (50 + i), 12, 0, 7);
    ctx.fill();
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
const q = new URLSearchParams(location.search);
for (let i = 0; i < +(q.get("windows") || 0); i++)
  window.open("page.html?w=" + i, "win" + i, "width=1600,height=1000");
for (let i = 0; i < +(q.get("tabs") || 0); i++) window.open("page.html?t=" + i, "_blank");
</script></body></html>
"""
FIREFOX_PREFS = """user_pref("dom.disable_open_during_load", false);
user_pref("dom.popup_maximum", 100);
user_pref("browser.link.open_newwindow.restriction", 2);
user_pref("media.autoplay.default", 0);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.aboutwelcome.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("browser.tabs.warnOnClose", false);
user_pref("browser.sessionstore.resume_from_crash", false);
"""
CHROMIUM = [
    "chromium",
    "--ozone-platform=wayland",
    "--no-sandbox",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-popup-blocking",
    "--password-store=basic",
    "--autoplay-policy=no-user-gesture-required",
    "--allow-file-access-from-files",
]


def browsers(
    tmp: Path, tabs: int, windows: int
) -> list[tuple[str, list[list[str]], dict[str, str]]]:
    """Firefox ESR and Chromium on BROWSER_PAGE: alone, then with more tabs and windows."""
    (tmp / "page.html").write_text(BROWSER_PAGE)
    clip = tmp / "clip.webm"
    if shutil.which("ffmpeg"):
        subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i",
                        "testsrc2=duration=5:size=1280x720:rate=30", "-c:v", "libvpx-vp9",
                        "-deadline", "realtime", "-b:v", "1M", str(clip)], check=False)  # fmt: skip
    if not clip.exists():
        print("no ffmpeg (or no libvpx-vp9): the page's video stays empty", file=sys.stderr)
    page = (tmp / "page.html").as_uri()
    many = f"{page}?windows={windows}&tabs={tabs}"
    what = f"{tabs} more tabs, {windows} more windows"
    apps = []
    for label, url in (("heavy page", page), (f"heavy page, {what}", many)):
        profile = tmp / f"firefox-{len(apps)}"
        profile.mkdir()
        (profile / "user.js").write_text(FIREFOX_PREFS)
        apps.append((f"firefox-esr: {label}",
                     [["firefox-esr", "--new-instance", "--profile", str(profile), url]],
                     {"MOZ_ENABLE_WAYLAND": "1"}))  # fmt: skip
        data = tmp / f"chromium-{len(apps)}"
        apps.append((f"chromium: {label}", [[*CHROMIUM, f"--user-data-dir={data}", url]], {}))
    return apps


def peaks(comp: CompositorProcess, into: dict[int, dict]) -> None:
    for client in comp.ctl_ok("clients")["clients"]:
        held = client.get("limits")
        if not held:
            continue
        entry = into.setdefault(client["pid"], {"exe": client["exe"]})
        for name in FIGURES:
            entry[name] = max(entry.get(name, 0), held[name]["peak"])
        shm = client.get("wl_shm") or {}
        for name in SHM_FIGURES:
            if name in shm:
                entry[f"shm_{name}"] = max(entry.get(f"shm_{name}", 0), shm[name]["peak"])


def watch(comp: CompositorProcess, into: dict[int, dict], seconds: float) -> None:
    """Peaks every second for ``seconds``."""
    end = time.monotonic() + seconds
    while True:
        peaks(comp, into)
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(1.0, left))


def shown(entry: dict) -> str:
    text = "  ".join(f"{n} {entry[n]}" for n in FIGURES)
    if "shm_pools" in entry:
        mib = 1 << 20
        text += (
            f"  shm pools {entry['shm_pools']} buffers {entry['shm_buffers']}"
            f" {entry['shm_bytes'] / mib:.1f} MiB mapped {entry['shm_mapped'] / mib:.1f} MiB"
        )
    return text


def end(procs: list[subprocess.Popen]) -> None:
    """Each application's process group (a browser's helpers too) ended."""
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for proc in procs:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", type=int, default=3840)
    parser.add_argument("--height", type=int, default=2160)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument(
        "--browser-seconds",
        type=float,
        default=40.0,
        help="how long a browser is left to start and draw before maximizing",
    )
    parser.add_argument("--tabs", type=int, default=3, help="a browser's tabs beyond its first")
    parser.add_argument(
        "--windows", type=int, default=2, help="a browser's windows beyond its first"
    )
    parser.add_argument("--defaults", action="store_true",
                        help="the default limits, not limits far above anything: lines of "
                        "clients disconnected by a limit are printed")  # fmt: skip
    parser.add_argument("--arg", action="append", default=[], metavar="OPTION=VALUE",
                        help="a compositor option: --arg=--max-client-shm-bytes=2048")  # fmt: skip
    parser.add_argument("--only", default="", help="only the applications whose label matches")
    parser.add_argument("--shots", type=Path, help="a screenshot of each application, maximized")
    args = parser.parse_args()
    high = list(SHM_HIGH)
    for _name, option, _default, maximum, _what in OBJECT_LIMITS:
        high += [option, str(maximum)]
    if args.defaults:  # the compositor's own limits: would they stop an application?
        high = []
    high += [a for pair in args.arg for a in pair.split("=", 1)]
    results = []
    stopped: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="objects-use-") as tmp:
        comp = CompositorProcess(Path(tmp), args=["--renderer", "pixman", *high],
                                 width=args.width, height=args.height)  # fmt: skip
        comp.start()
        try:
            for label, commands, env in APPS + browsers(Path(tmp), args.tabs, args.windows):
                if not re.search(args.only, label):
                    continue
                browser = any(c[0] in ("firefox-esr", "chromium") for c in commands)
                missing = [c[0] for c in commands if shutil.which(c[0]) is None]
                if missing:
                    print(f"{label}: skipped, not installed: {missing}", file=sys.stderr)
                    continue
                x11 = env.get("DISPLAY") == "X11"
                if x11:
                    env = {**env, "DISPLAY": comp.ctl_ok("ping")["display"]}
                # Clients already there (Xwayland, kept after the X11 applications) are not
                # this application's, except Xwayland for X11 applications.
                before = {c["pid"] for c in comp.ctl_ok("clients")["clients"]} if not x11 else set()
                procs = [
                    comp.spawn(
                        c,
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                        start_new_session=True,
                    )
                    for c in commands
                ]
                seen: dict[int, dict] = {}
                settle = max(args.seconds, args.browser_seconds) if browser else args.seconds
                watch(comp, seen, settle)
                views, shot = 0, None
                for _ in range(2):
                    key(comp, "Alt_L", True)
                    key(comp, "F10")
                    key(comp, "Alt_L", False)
                    watch(comp, seen, settle / 2 if browser else args.seconds / 2)
                    views = max(views, sum(1 for v in comp.views() if v["mapped"]))
                    if args.shots and not shot:
                        args.shots.mkdir(parents=True, exist_ok=True)
                        shot = args.shots / (re.sub(r"[^A-Za-z0-9]+", "-", label)[:60] + ".png")
                        comp.ctl_ok("screenshot", path=str(shot.resolve()))
                if browser:  # then every window of it maximized at once
                    mapped = [v for v in comp.views() if v["mapped"]]
                    for view in mapped:
                        comp.ctl_ok("maximize", id=view["id"], state="true")
                    watch(comp, seen, settle / 2)
                end(procs)
                time.sleep(1)
                for line in comp.log().splitlines():
                    if "disconnected:" in line and line not in stopped:
                        stopped.add(line)
                        print(f"{label}: {line}", flush=True)
                for pid, entry in seen.items():
                    if entry.get("surfaces") and pid not in before:
                        results.append({"app": label, "views": views, **entry})
                        print(f"{label[:58]:58} {Path(entry['exe'] or '?').name:18} "
                              + shown(entry)
                            + f"  (views {views})", flush=True)  # fmt: skip
        finally:
            comp.stop(check=False)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
