#!/usr/bin/env bash
# The dashboard in headless Chromium against a real knob-server on
# PostgreSQL: studies filled by real worker processes through the gRPC API,
# every page and chart checked by dashboard_test.js, screenshots saved to
# BUILD_DIR/browser-screenshots/, and a `knobctl report --html` file opened
# from disk. Ends with
#   dashboard: pages=N plots=N screenshots=N failures=N
# and exits non-zero when any check failed.
#
#   run.sh BUILD_DIR   (KNOB_TEST_DATABASE_URL: a superuser URL; without it
#                       a private PostgreSQL is started)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath -m "${1:?usage: run.sh BUILD_DIR}")
source "$root/tests/browser/harness.sh"
trap harness_cleanup EXIT

for binary in knob-server knobctl; do
  [[ -x $build/bin/$binary ]] || { harness_say "missing $build/bin/$binary: build it first"; exit 1; }
done
harness_install_chromium
harness_install_playwright
harness_start_database
harness_start_server

export PYTHONPATH=$root/client/python KNOB_PYTHON_STUBS=$build/python
harness_while_serving /usr/bin/python3 "$root/tests/browser/populate.py" \
  --server "$grpc_address" studies --trials 1000 --workers 4

report=$harness_tmp/report.html
if ! "$build/bin/knobctl" --server="$grpc_address" report browser-quadratic \
  --html "$report" >"$harness_tmp/report.log" 2>&1; then
  cat "$harness_tmp/report.log" >&2
  harness_say "knobctl report --html failed; the browser checks will count it"
  rm -f "$report"
fi

screenshots=$build/browser-screenshots
rm -rf "$screenshots"
mkdir -p "$screenshots"
results=$harness_tmp/results.log
if ! harness_while_serving node "$root/tests/browser/dashboard_test.js" \
  --url "$dashboard_url" --report "$report" --screenshots "$screenshots" \
  --grpc "$grpc_address" | tee "$results"; then
  harness_server_log
  # The summary stays the last line.
  tail -n 1 "$results"
  exit 1
fi
