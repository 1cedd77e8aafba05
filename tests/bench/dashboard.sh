#!/usr/bin/env bash
# How fast the dashboard's study page is at 50,000 trials: fills one study
# through the gRPC API (random sampler, 100 trials per SuggestTrials; the
# last 200 trials and every 100th report learning curves), then loads its
# page three times in headless Chromium, each with nothing cached, and
# prints, each with its median:
#   ready_s     when the page became ready (body[data-ready]: the first table
#               page and every chart drawn, but the parallel coordinates,
#               drawn next, and the importances the server computes in the
#               background), on the page's clock from navigation start;
#   painted_s   when the page's first frame after that was done (page clock);
#   noticed_s   when the test browser driver saw body[data-ready]: later, as
#               the parallel coordinates drawn right after ready keep the
#               page's main thread from answering it for a second or more;
#   all_charts_s when it saw the parallel coordinates drawn too;
# and the size of the plots payload. Ends with
#   dashboard: trials=N ready_s=MEDIAN painted_s=MEDIAN noticed_s=MEDIAN all_charts_s=MEDIAN target_s=3
#
#   tests/bench/dashboard.sh [--trials N] [--build]
# Environment: KNOB_BUILD_DIR (default build/), KNOB_TEST_DATABASE_URL (a
# PostgreSQL superuser URL; without it a private cluster is started).
set -euo pipefail

source "$(dirname "$0")/common.sh"
trials=50000
force_build=0
while (($#)); do
  case "$1" in
    --trials) trials=${2:?--trials needs a number}; shift 2 ;;
    --trials=*) trials=${1#--trials=}; shift ;;
    --build) force_build=1; shift ;;
    -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "dashboard.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if ((force_build)) || [[ ! -x $build/bin/knob-server ]]; then
  bench_build knob-server
fi
bench_python_stubs
source "$root/tests/browser/harness.sh"
trap harness_cleanup EXIT
harness_install_chromium
harness_install_playwright
harness_start_database
harness_start_server

study=dashboard-bench
started=$SECONDS
export PYTHONPATH=$root/client/python
harness_while_serving "$python" \
  "$root/tests/browser/populate.py" --server "$grpc_address" \
  bulk --study "$study" --trials "$trials"
bench_say "filled $study in $((SECONDS - started)) s"

load_log=$harness_tmp/load.log
node "$root/tests/bench/dashboard_load.js" --url "$dashboard_url" \
  --study "$study" --loads 3 | tee "$load_log"
ready_s=$(sed -n 's/^ready_s=\([0-9.]*\) .*/\1/p' "$load_log")
painted_s=$(sed -n 's/^ready_s=.* painted_s=\([0-9.]*\) .*/\1/p' "$load_log")
noticed_s=$(sed -n 's/^ready_s=.* noticed_s=\([0-9.]*\) .*/\1/p' "$load_log")
all_charts_s=$(sed -n 's/^ready_s=.* all_charts_s=\([0-9.]*\) .*/\1/p' "$load_log")
[[ -n $ready_s ]] || { bench_say "no timing measured"; exit 1; }
echo "dashboard: trials=$trials ready_s=$ready_s painted_s=$painted_s" \
  "noticed_s=$noticed_s all_charts_s=$all_charts_s target_s=3"
