#!/usr/bin/env bash
# Install everything the compositor and its tests need, idempotently:
#   1. the Debian packages in scripts/apt-packages.txt and the release's own list,
#      scripts/apt-packages-<codename>.txt (apt-get; needs root or sudo),
#   2. wlroots 0.15.1: the release's libwlroots-dev (Debian 12), or Debian 12's packages
#      unpacked into .wlroots where the release has none (Debian 13: scripts/wlroots-setup.sh),
#   3. a venv in .venv with pywayland/xkbcommon/pywlroots built from source against the
#      system libwayland and that wlroots (the PyPI wheels bundle their own copies, and two
#      libwaylands in one process crash at the first client),
#   4. the project itself (editable), which compiles its cffi module,
#   5. the Mesa the VM's GL tests use (scripts/gl-setup.sh).
# What each supported release gets: scripts/release.sh, README "Supported releases".
# Re-running is cheap: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${VENV:-$ROOT/.venv}

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# shellcheck source=scripts/release.sh
. scripts/release.sh
release_detect   # RELEASE_NAME, WLROOTS, MESA_VM; exits with a one-line error if unsupported

package_lists() { echo scripts/apt-packages.txt "$(release_packages_file)"; }

wanted_packages() {
    # shellcheck disable=SC2046
    sed -e 's/#.*//' -e '/^\s*$/d' $(package_lists) | sort -u
}

missing_packages() {
    local wanted
    wanted=$(wanted_packages)
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
    local log
    log=$(mktemp /tmp/pydrm-apt.XXXXXX)
    if ! "${sudo[@]}" apt-get update -q >"$log" 2>&1; then
        sed 's/^/    /' "$log" >&2; rm -f "$log"
        die "apt-get update failed (see above): check this machine's apt sources and network," \
            "then rerun"
    fi
    grep '^\(Err\|W\|E\):' "$log" | sed 's/^/    apt: /' >&2 || true
    # A package the release no longer has (or never had): one line naming it and its list.
    local gone=() pkg
    for pkg in $missing; do
        apt-cache show --no-all-versions "$pkg" >/dev/null 2>&1 || gone+=("$pkg")
    done
    if [ ${#gone[@]} -gt 0 ]; then
        rm -f "$log"
        die "$RELEASE_NAME has no package ${gone[*]} (listed in $(package_lists | sed 's/ / or /')):" \
            "rename or drop it there for this release (README: Supported releases)"
    fi
    # shellcheck disable=SC2086
    if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends $missing >"$log" 2>&1; then
        sed 's/^/    /' "$log" | tail -25 >&2; rm -f "$log"
        die "apt-get install failed on $RELEASE_NAME (apt's last lines above); fix that, then rerun"
    fi
    rm -f "$log"
}

# wlroots 0.15.1: the release's own, or a private prefix (.wlroots) where it has none. For
# the private one, pywlroots (which does not use pkg-config) gets its headers and an rpath
# through CFLAGS/LDFLAGS, and our cffi module finds its wlroots.pc (PKG_CONFIG_PATH here;
# compositor/ffi/build.py also looks there itself).
WLROOTS_BUILD_ENV=()
setup_wlroots() {
    if [ "$WLROOTS" = system ]; then
        pkg-config --exists 'wlroots >= 0.15.0' 'wlroots < 0.16' \
            || die "pkg-config finds no wlroots 0.15 on $RELEASE_NAME: apt-get install libwlroots-dev"
        return 0
    fi
    local flags WLROOTS_PKG_CONFIG_PATH="" WLROOTS_CFLAGS="" WLROOTS_LDFLAGS=""
    flags=$(./scripts/wlroots-setup.sh --build-flags) || exit 1
    eval "$flags"
    export PKG_CONFIG_PATH=$WLROOTS_PKG_CONFIG_PATH${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
    WLROOTS_BUILD_ENV=(
        CFLAGS="$WLROOTS_CFLAGS${CFLAGS:+ $CFLAGS}" LDFLAGS="$WLROOTS_LDFLAGS${LDFLAGS:+ $LDFLAGS}"
    )
}

# The libwlroots.so.10 our builds must load: the one wlroots.pc describes (real paths:
# ld.so finds the system's as /lib/..., which is /usr/lib/... on a merged /usr).
wanted_libwlroots() {
    readlink -f "$(pkg-config --variable=libdir wlroots)/libwlroots.so.10"
}

# The libwlroots.so.10 the venv's pywlroots loads, or nothing when it does not import.
venv_libwlroots() {
    local ffi lib
    ffi=$("$1" -c 'import wlroots._ffi as m; print(m.__file__)' 2>/dev/null) || return 0
    lib=$(ldd "$ffi" | awk '$1 == "libwlroots.so.10" { print $3 }')
    [ -z "$lib" ] || readlink -f "$lib"
}

stamp_of() {
    { wanted_libwlroots; cat pyproject.toml setup.py compositor/ffi/build.py compositor/ffi/cdef/* \
        compositor/ffi/csrc/*.[ch] protocols/*.xml 2>/dev/null || true; } | sha256sum | cut -c1-16
}

install_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating venv $VENV"
        python3 -m venv "$VENV"
    fi
    local py="$VENV/bin/python"
    local pip=("$py" -m pip install -q --disable-pip-version-check)
    local want
    want=$(wanted_libwlroots)
    if ! "$py" -c 'import wlroots, pywayland, xkbcommon' 2>/dev/null \
        || [ "$(venv_libwlroots "$py")" != "$want" ]; then
        say "building pywayland, xkbcommon and pywlroots from source (about a minute)"
        "${pip[@]}" -U pip setuptools wheel cffi
        "${pip[@]}" --no-binary pywayland,xkbcommon pywayland==0.4.18 xkbcommon==1.5.1
        # Never from pip's wheel cache: a wheel built elsewhere links another wlroots.
        env "${WLROOTS_BUILD_ENV[@]}" "${pip[@]}" --no-cache-dir --force-reinstall --no-deps \
            --no-binary pywlroots --no-build-isolation pywlroots==0.15.24
        local got
        got=$(venv_libwlroots "$py")
        [ "$got" = "$want" ] || die "pywlroots was built but loads '${got:-nothing}', not $want"
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

case "$WLROOTS" in
    system) wl="from the release (libwlroots-dev)" ;;
    *) wl="from Debian 12's packages, unpacked into .wlroots (scripts/wlroots-setup.sh)" ;;
esac
case "$MESA_VM" in
    system) mesa="the release's own Mesa" ;;
    *) mesa="bookworm-backports' Mesa 25, unpacked into .gl/mesa (scripts/gl-setup.sh)" ;;
esac
say "$RELEASE_NAME: wlroots 0.15.1 $wl; the VM's GL tests on $mesa"
install_packages
setup_wlroots
install_venv
# The Mesa the GLES2 renderer in the VM runs on (tests/vm/test_gl.py): .gl/mesa/env.sh.
./scripts/gl-setup.sh || say "GL setup failed: the GLES2 VM tests will fail; rerun scripts/gl-setup.sh"
# The screen-cast portal (compositor/portal/): the files that make xdg-desktop-portal pick
# our backend (system directories as root, the user's own otherwise; README: Share your screen).
"$VENV/bin/pydrm-portal" install >/dev/null || say "portal install failed: run $VENV/bin/pydrm-portal install"
say "ready: $VENV"
