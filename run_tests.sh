#!/usr/bin/env bash
# Set up everything (Debian packages, venv, the project) and run the whole test suite.
# Extra arguments go to pytest, e.g. ./run_tests.sh -k wl_drm -x
set -euo pipefail
cd "$(dirname "$0")"
./scripts/setup.sh
export PYDRM_ARTIFACTS=${PYDRM_ARTIFACTS:-$PWD/artifacts}
mkdir -p "$PYDRM_ARTIFACTS"
exec .venv/bin/python -m pytest -ra "$@"
