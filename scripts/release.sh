# Which Debian release this machine runs, and what setup does on it. Sourced by
# scripts/setup.sh, scripts/wlroots-setup.sh and scripts/gl-setup.sh; defines functions and
# variables only.
#
# Supported releases (README "Supported releases"; to add one: a case below, a package list
# scripts/apt-packages-<codename>.txt, and a CI run in .ci/run):
#
#   codename  WLROOTS             MESA_VM
#   bookworm  system              backports   libwlroots-dev 0.15.1 from Debian 12 itself;
#                                             Mesa 25 from bookworm-backports for the VM's GL
#   trixie    bookworm-debs       system      Debian 12's wlroots 0.15.1 packages unpacked into
#                                             .wlroots (scripts/wlroots-setup.sh); the
#                                             release's own Mesa 25 serves the VM's GL tests
#
# PYDRM_RELEASE=<codename> makes setup treat this machine as that release (to try a release
# that is not listed yet, e.g. Debian testing as trixie); nothing else reads it.

SUPPORTED_RELEASES="bookworm (Debian 12), trixie (Debian 13)"

# release_detect: sets RELEASE_CODENAME, RELEASE_NAME ("Debian 13 (trixie)"), WLROOTS, MESA_VM,
# and APT_CODENAME (the machine's own codename, which its apt sources name); exits with a
# one-line error where the release is not supported.
release_detect() {
    local id="" codename="" version="" pretty=""
    if [ -r /etc/os-release ]; then
        # shellcheck disable=SC1091
        id=$(. /etc/os-release && echo "${ID:-}")
        codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
        version=$(. /etc/os-release && echo "${VERSION_ID:-}")
        pretty=$(. /etc/os-release && echo "${PRETTY_NAME:-}")
    fi
    APT_CODENAME=$codename
    if [ -n "${PYDRM_RELEASE:-}" ]; then
        codename=$PYDRM_RELEASE
        version=""
        id=debian
    fi
    APT_CODENAME=${APT_CODENAME:-$codename}
    if [ "$id" != debian ]; then
        release_die "this is ${pretty:-an unknown system (no /etc/os-release)}, not Debian:" \
            "setup supports $SUPPORTED_RELEASES only (README: Supported releases)"
    fi
    RELEASE_CODENAME=$codename
    case "$codename" in
        bookworm) RELEASE_NAME="Debian 12 (bookworm)"; WLROOTS=system; MESA_VM=backports ;;
        trixie) RELEASE_NAME="Debian 13 (trixie)"; WLROOTS=bookworm-debs; MESA_VM=system ;;
        *)
            release_die "Debian ${version:+$version }${codename:-(no codename)} is not a supported release" \
                "($SUPPORTED_RELEASES); to try it as the nearest one run with" \
                "PYDRM_RELEASE=trixie, or add it (README: Supported releases)"
            ;;
    esac
    [ -f "$(release_packages_file)" ] \
        || release_die "$(release_packages_file) is missing: the package list for $RELEASE_NAME"
}

release_die() {
    printf '[setup] error: %s\n' "$*" >&2
    exit 1
}

# The release's own package list (the common one is scripts/apt-packages.txt).
release_packages_file() {
    echo "scripts/apt-packages-$RELEASE_CODENAME.txt"
}

# debian_archive_uri: the Debian archive this machine's apt is configured with for its own
# release ($APT_CODENAME) (a mirror or proxy as the user set it up), e.g. http://deb.debian.org/debian/.
# Other suites of the same archive (bookworm-backports, bookworm on trixie) are read from there.
debian_archive_uri() {
    local own=$APT_CODENAME uri
    # Every deb line/stanza apt knows, one per suite and component: "URI SUITE CODENAME".
    # $(CODENAME) is only known once apt has read the Release file; match either.
    uri=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(CODENAME) $(TARGET_OF)' \
            'Identifier: Packages' 2>/dev/null \
        | awk -v own="$own" '$NF == "deb" && ($2 == own || $3 == own) { print $1; exit }')
    if [ -z "$uri" ]; then
        release_die "no '$own' archive in this machine's apt sources (apt-get indextargets):" \
            "add the Debian archive for $own to /etc/apt/sources.list(.d), run apt-get update," \
            "then rerun setup"
    fi
    echo "${uri%/}"
}

# private_apt_options DIR: apt-get/apt-cache options for an apt state of our own under DIR
# (its own sources, lists, cache and an empty dpkg status): reads an archive without touching
# the machine's apt configuration or needing root. The machine's apt.conf (proxies, mirrors'
# credentials) still applies. Sets the array PRIVATE_APT.
private_apt_options() {
    local dir=$1
    mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/sources.list.d" \
        "$dir/preferences.d"
    : > "$dir/status"
    PRIVATE_APT=(
        -o "Dir::Etc::SourceList=$dir/sources.list"
        -o "Dir::Etc::SourceParts=$dir/sources.list.d"
        -o "Dir::Etc::Preferences=$dir/preferences"
        -o "Dir::Etc::PreferencesParts=$dir/preferences.d"
        -o "Dir::State::Lists=$dir/lists"
        -o "Dir::State::status=$dir/status"
        -o "Dir::Cache=$dir/cache"
        -o "APT::Architecture=amd64" -o "APT::Architectures::=amd64"
        # apt drops to _apt to download; it cannot enter a checkout in a mode-700 home.
        -o "APT::Sandbox::User=$(id -un)"
    )
}
