#!/usr/bin/env bash
# The compositor under valgrind's memcheck, for the tests given (default: the crash tests,
# drag and drop and the chaos run; `scripts/memcheck.sh tests` for the whole suite, which
# takes hours on two cores). Every compositor a test starts runs in valgrind
# (tests/harness.py, PYDRM_MEMCHECK_DIR), with every wait 15 times longer; one log per
# process in artifacts/memcheck/ (PYDRM_ARTIFACTS=DIR: DIR/memcheck/). Exit 1 when any log
# has an invalid read or write, a use of freed memory or an invalid free; the summary lines
# say where. PYDRM_MEMCHECK_LEAKS=1 adds leak checking at each compositor's exit.
#
# AddressSanitizer cannot be preloaded into this Python (its interceptors must come
# first, before libc, in a process whose main program is not instrumented): memcheck sees
# the same invalid accesses in wlroots, libwayland and the project's C module, unmodified.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
if ! command -v valgrind >/dev/null; then
    echo "memcheck: valgrind is not installed: apt-get install valgrind" >&2
    exit 1
fi
out=${PYDRM_ARTIFACTS:-$PWD/artifacts}/memcheck
rm -rf "$out"
mkdir -p "$out"
export PYDRM_MEMCHECK_DIR=$out PYDRM_TIMEOUT_SCALE=${PYDRM_TIMEOUT_SCALE:-15}
if [ $# -eq 0 ]; then
    # Not under valgrind: a truncated pool's SIGBUS (valgrind reports the access and
    # delivers SIGSEGV instead, which no real kernel does there: the tests of the guard
    # cannot pass under it) and an RSS figure (valgrind's own memory is in it).
    set -- tests/robustness/test_crashes.py tests/input/test_drag_and_drop.py \
        tests/robustness/test_chaos.py \
        -k "not truncates_its_pool and not pool_shrank and not bytes_sent_on_a_stream"
fi
set +e
.venv/bin/python -m pytest -ra "$@"
tests=$?
set -e
logs=("$out"/memcheck-*.log)
bad=$(grep -lE "Invalid (read|write)|Invalid free|Source and destination overlap|Mismatched free" \
    "$out"/memcheck-*.log 2>/dev/null || true)
errors=$({ grep -hE "ERROR SUMMARY" "$out"/memcheck-*.log || true; } | awk '{s += $4} END {print s + 0}')
invalid=$({ grep -hcE "Invalid (read|write)" "$out"/memcheck-*.log || true; } | awk '{s += $1} END {print s + 0}')
# With PYDRM_MEMCHECK_LEAKS=1: blocks definitely lost at exit (scripts/memcheck.supp leaves
# out wlroots' and cffi's exit-time ones), in bytes and records.
lost=$({ grep -hE "definitely lost: [0-9,]+ bytes" "$out"/memcheck-*.log || true; } |
    awk '{gsub(",", "", $4); s += $4} END {print s + 0}')
records=$({ grep -hcE "are definitely lost in loss record" "$out"/memcheck-*.log || true; } |
    awk '{s += $1} END {print s + 0}')
echo "memcheck: ${#logs[@]} compositor processes, $invalid invalid reads/writes," \
    "$errors errors in all (uninitialised values included), $lost bytes definitely lost" \
    "($records records), tests exit $tests; logs in $out"
if [ -n "$bad" ]; then
    echo "memcheck: invalid accesses in:" $bad >&2
    exit 1
fi
exit "$tests"
