#!/usr/bin/env bash
# Set up everything, start the compositor and run Weston's demo clients against it.
#
#   ./run_weston_clients.sh [--headless] [--seconds N] [-- COMPOSITOR OPTIONS...]
#
# Inside a Wayland or X11 session the compositor opens a window there (nested) and runs
# until you close it or press Ctrl+C. Without a session (or with --headless) it runs
# headless for N seconds (default 5), writes a PNG screenshot of the output (via grim, a
# real wlr-screencopy client) and prints where it is.
set -euo pipefail
cd "$(dirname "$0")"

seconds=5
force_headless=0
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --headless) force_headless=1 ;;
        --seconds) seconds=$2; shift ;;
        --) shift; extra=("$@"); break ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run_weston_clients.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

./scripts/setup.sh
PY=$PWD/.venv/bin/python
OUT=${PYDRM_ARTIFACTS:-$PWD/artifacts}
mkdir -p "$OUT"

if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -w "${XDG_RUNTIME_DIR}" ]; then
    export XDG_RUNTIME_DIR
    XDG_RUNTIME_DIR=$(mktemp -d /tmp/pydrm-xdg.XXXXXX)
fi

if [ "$force_headless" = 1 ] || { [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${DISPLAY:-}" ]; }; then
    mode=headless
    backend=(--backend headless --width 1280 --height 720)
else
    mode=nested
    backend=(--backend auto --width 1280 --height 720)
fi

socket="pydrm-demo-$$"
log="$OUT/compositor.log"
echo "starting the compositor ($mode) on WAYLAND_DISPLAY=$socket; log: $log"
"$PY" -m compositor "${backend[@]}" --socket "$socket" "${extra[@]}" >"$log" 2>&1 &
compositor_pid=$!

cleanup() {
    for pid in "${client_pids[@]:-}"; do kill "$pid" 2>/dev/null || true; done
    if kill -0 "$compositor_pid" 2>/dev/null; then
        kill -TERM "$compositor_pid" 2>/dev/null || true
        wait "$compositor_pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT INT TERM

ctl() { "$PY" -m compositor.control_client --socket "$XDG_RUNTIME_DIR/$socket.control" "$@"; }
for _ in $(seq 100); do
    ctl ping >/dev/null 2>&1 && break
    if ! kill -0 "$compositor_pid" 2>/dev/null; then
        echo "the compositor failed to start:" >&2; tail -20 "$log" >&2; exit 1
    fi
    sleep 0.1
done

export WAYLAND_DISPLAY=$socket
unset DISPLAY
# No GPU here: Mesa's EGL clients render in software into wl_shm buffers.
[ -e /dev/dri/renderD128 ] || export LIBGL_ALWAYS_SOFTWARE=1
client_pids=()
for client in weston-simple-shm weston-flower weston-simple-egl weston-terminal foot; do
    if command -v "$client" >/dev/null; then
        echo "  running $client"
        "$client" >"$OUT/$client.log" 2>&1 &
        client_pids+=($!)
    else
        echo "  skipping $client: not installed"
    fi
done

if [ "$mode" = nested ]; then
    echo "running nested; close the window or press Ctrl+C to stop"
    wait "$compositor_pid" || true
    exit 0
fi

sleep "$seconds"
echo "windows:"
ctl views | "$PY" -c 'import json, sys
for v in json.load(sys.stdin)["views"]:
    print("  %(app_id)-40s %(width)dx%(height)d at %(x)d,%(y)d" % v)'
shot="$OUT/weston-clients.png"
grim "$shot"
echo "screenshot of the headless output: $shot"
