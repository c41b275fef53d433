#!/usr/bin/env bash
# Other people's UI test suites under pydrm-run, unchanged: the proof that pydrm-run replaces
# xvfb-run for a Qt and a GTK project (issue 23).
#
#   scripts/other-suites.sh [qt|gtk|all]   # default all
#
# qt: pytest-qt 4.4.0's own suite with QT_QPA_PLATFORM=wayland. Needs the network (PyPI) and
# python3-pyqt5: a venv of the system Python (PyQt5 is Debian's) in a temporary directory,
# pytest and pytest-qt installed there, pytest-qt's source unpacked and its tests run.
# 2026-12-07: 379 passed, 2 skipped (both PySide-only), in 35 to 48 s.
#
# gtk: GTK 3.24's own installed tests (Debian's gtk-3-examples) and GtkSourceView 4's
# (libgtksourceview-4-tests), as Debian's autopkgtest runs them under xvfb-run: with
# gnome-desktop-testing-runner in a private D-Bus session (dbus-run-session). pydrm-run runs
# them with --no-xwayland: no DISPLAY, so GTK can only use Wayland. No network.
# 2026-12-07, Debian 12 (GTK 3.24.38, GtkSourceView 4.8.4): 80 of 80 passed under pydrm-run,
# the same 80 under xvfb-run -a; without dbus-run-session 3 of GTK's fail under both (no
# session bus).
#
# Exit status: the first failing suite's, else 0.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
which=${1:-all}
case "$which" in qt|gtk|all) ;; *) echo "usage: $0 [qt|gtk|all]" >&2; exit 2 ;; esac
work=$(mktemp -d /tmp/pydrm-other-suites-XXXXXX)
trap 'rm -rf "$work"' EXIT

gtk_suite() {
    local missing=()
    command -v gnome-desktop-testing-runner >/dev/null || missing+=(gnome-desktop-testing)
    command -v dbus-run-session >/dev/null || missing+=(dbus-daemon)
    [ -d /usr/share/installed-tests/gtk+ ] || missing+=(gtk-3-examples)
    [ -d /usr/share/installed-tests/gtksourceview-4 ] || missing+=(libgtksourceview-4-tests)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "other-suites: apt-get install ${missing[*]} (scripts/apt-packages.txt has them)" >&2
        return 1
    fi
    echo "== GTK 3 and GtkSourceView 4 installed tests, Wayland only (--no-xwayland)"
    "$ROOT/.venv/bin/python" -m compositor.run --no-xwayland --log "$work/compositor-gtk.log" \
        --timeout 900 -- dbus-run-session -- gnome-desktop-testing-runner gtk+ gtksourceview-4
}

qt_suite() {
    /usr/bin/python3 -c 'import PyQt5' 2>/dev/null || {
        echo "other-suites: the system Python has no PyQt5: apt-get install python3-pyqt5" >&2
        return 1
    }
    echo "== pytest-qt 4.4.0's suite, QT_QPA_PLATFORM=wayland"
    /usr/bin/python3 -m venv --system-site-packages "$work/venv"
    "$work/venv/bin/pip" install -q --disable-pip-version-check pytest==8.3.3 pytest-qt==4.4.0
    "$work/venv/bin/pip" download -q --disable-pip-version-check --no-deps --no-binary :all: \
        pytest-qt==4.4.0 -d "$work"
    tar xzf "$work"/pytest-qt-4.4.0.tar.gz -C "$work"
    (
        cd "$work/pytest-qt-4.4.0"
        "$ROOT/.venv/bin/python" -m compositor.run --log "$work/compositor.log" --timeout 900 -- \
            env QT_QPA_PLATFORM=wayland "$work/venv/bin/python" -m pytest tests \
            -p no:cacheprovider -q -rs
    )
}

status=0
for suite in qt gtk; do
    if [ "$which" = all ] || [ "$which" = "$suite" ]; then
        rc=0
        "${suite}_suite" || rc=$?
        if [ "$status" -eq 0 ]; then status=$rc; fi
    fi
done
exit "$status"
