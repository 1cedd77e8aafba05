#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, starts a throwaway
# PostgreSQL, runs the suites under ctest, and stops PostgreSQL again.
#   tests/run.sh [ctest arguments…]     e.g. tests/run.sh -R Storage
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${KNOB_BUILD_DIR:-$root/build}

bash "$root/deploy/install-deps.sh"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DKNOB_BUILD_TESTS=ON >/dev/null
cmake --build "$build" -j "$(nproc)"

pgdir=$(mktemp -d /tmp/knob-test-pg.XXXXXX)
cleanup() { bash "$root/deploy/local-postgres.sh" stop "$pgdir"; rm -rf "$pgdir"; }
trap cleanup EXIT
export KNOB_TEST_DATABASE_URL=$(bash "$root/deploy/local-postgres.sh" start "$pgdir")
echo "tests: PostgreSQL at $KNOB_TEST_DATABASE_URL"

cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@"
