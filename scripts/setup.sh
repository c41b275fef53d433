#!/usr/bin/env bash
# Install everything the compositor and its tests need, idempotently:
#   1. the Debian packages in scripts/apt-packages.txt (apt-get; needs root or sudo),
#   2. a venv in .venv with pywayland/xkbcommon/pywlroots built from source against the
#      system libwayland and wlroots 0.15 (the PyPI wheels bundle their own copies, and two
#      libwaylands in one process crash at the first client),
#   3. the project itself (editable), which compiles its cffi module.
# Re-running is cheap: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${VENV:-$ROOT/.venv}

say() { printf '[setup] %s\n' "$*" >&2; }

missing_packages() {
    local wanted
    wanted=$(sed -e 's/#.*//' -e '/^\s*$/d' scripts/apt-packages.txt)
    dpkg-query -W -f='${Package} ${Status}\n' $wanted 2>/dev/null \
        | awk '$NF == "installed" {print $1}' | sort > /tmp/.pydrm-installed.$$ || true
    comm -23 <(echo "$wanted" | sort -u) /tmp/.pydrm-installed.$$
    rm -f /tmp/.pydrm-installed.$$
}

install_packages() {
    local missing
    missing=$(missing_packages | tr '\n' ' ')
    [ -z "${missing// /}" ] && return 0
    say "installing Debian packages: $missing"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo=(sudo)
        else
            say "these packages are missing and installing them needs root:"
            say "  sudo apt-get install -y $missing"
            say "run that (or this script as root), then run this script again."
            exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q
    # shellcheck disable=SC2086
    "${sudo[@]}" apt-get install -y -q --no-install-recommends $missing
}

stamp_of() {
    { cat pyproject.toml setup.py compositor/ffi/build.py compositor/ffi/cdef/* \
        compositor/ffi/csrc/* protocols/*.xml 2>/dev/null || true; } | sha256sum | cut -c1-16
}

install_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating venv $VENV"
        python3 -m venv "$VENV"
    fi
    local py="$VENV/bin/python"
    local pip=("$py" -m pip install -q --disable-pip-version-check)
    if ! "$py" -c 'import wlroots, pywayland, xkbcommon' 2>/dev/null; then
        say "building pywayland, xkbcommon and pywlroots from source (about a minute)"
        "${pip[@]}" -U pip setuptools wheel cffi
        "${pip[@]}" --no-binary pywayland,xkbcommon pywayland==0.4.18 xkbcommon==1.5.1
        "${pip[@]}" --no-binary pywlroots --no-build-isolation pywlroots==0.15.24
    fi
    local stamp
    stamp=$(stamp_of)
    if [ "$(cat "$VENV/.pydrm-stamp" 2>/dev/null)" != "$stamp" ] \
        || ! "$py" -c 'import compositor.ffi' 2>/dev/null; then
        say "installing the project (editable) and its test tools"
        # The build rewrites the module in place, which would crash a compositor running
        # from this tree (it maps the file): give the path a fresh copy first, so running
        # processes keep the old file and new ones still find a module during the build.
        for so in compositor/ffi/_native*.so; do
            [ -e "$so" ] && cp -p "$so" "$so.tmp" && mv -f "$so.tmp" "$so"
        done
        "${pip[@]}" --no-build-isolation -e ".[test]"
        echo "$stamp" > "$VENV/.pydrm-stamp"
    fi
    # pip compiles what it installs, not an editable project: compile ours too, or every
    # start compiles it again where bytecode is not written (PYTHONDONTWRITEBYTECODE), which
    # costs start-up time and ~1 MiB of the compositor's memory. Quick when up to date.
    "$py" -m compileall -q compositor
}

install_packages
install_venv
# Mesa 25 in .gl/mesa for the GLES2 renderer in the VM (tests/vm/test_gl.py).
./scripts/gl-setup.sh || say "GL setup failed: the GLES2 VM tests will fail; rerun scripts/gl-setup.sh"
say "ready: $VENV"
