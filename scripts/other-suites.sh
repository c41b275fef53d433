#!/usr/bin/env bash
# Other people's UI test suites under pydrm-run, unchanged: the proof that pydrm-run replaces
# xvfb-run for a Qt project (issue 23). Needs the network (PyPI) and python3-pyqt5.
#
#   scripts/other-suites.sh            # pytest-qt 4.4.0's own suite, QT_QPA_PLATFORM=wayland
#
# It makes a venv of the system Python (PyQt5 is Debian's python3-pyqt5) in a temporary
# directory, installs pytest and pytest-qt there, unpacks pytest-qt's source and runs its
# tests inside `pydrm-run`. Exit status: the suite's.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
work=$(mktemp -d /tmp/pydrm-other-suites-XXXXXX)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 -c 'import PyQt5' 2>/dev/null || {
    echo "other-suites: the system Python has no PyQt5: apt-get install python3-pyqt5" >&2
    exit 1
}
/usr/bin/python3 -m venv --system-site-packages "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check pytest==8.3.3 pytest-qt==4.4.0
"$work/venv/bin/pip" download -q --disable-pip-version-check --no-deps --no-binary :all: \
    pytest-qt==4.4.0 -d "$work"
tar xzf "$work"/pytest-qt-4.4.0.tar.gz -C "$work"
cd "$work/pytest-qt-4.4.0"
"$ROOT/.venv/bin/python" -m compositor.run --log "$work/compositor.log" --timeout 900 -- \
    env QT_QPA_PLATFORM=wayland "$work/venv/bin/python" -m pytest tests -p no:cacheprovider -q -rs
