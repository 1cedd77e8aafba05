#!/usr/bin/env bash
# What one suggestion costs, Knob's samplers next to Optuna 3.1's: a 10-D
# space (floats, log-scale floats, ints), a history of n = 100, 500, 1,000
# and 10,000 completed trials, the median time of one suggestion; then the
# targets (tpe <= 1 ms at n=1000, gp <= 150 ms at n=500, cmaes <= 100 us).
#
#   tests/bench/sampler_speed.sh
#   tests/bench/sampler_speed.sh --samplers=tpe,gp --sizes=100,500,1000
#   tests/bench/sampler_speed.sh --skip-optuna      Knob's figures only
#
# Options:
#   --samplers=a,b    Knob samplers (default: every registered one but grid)
#   --sizes=a,b       history sizes (default 100,500,1000,10000)
#   --cap=SECONDS     a (sampler, n) still running after this is stopped and
#                     reported; the sampler's larger n are skipped (default 60)
#   --budget=SECONDS  time spent on repeats per (sampler, n), at least 3
#                     calls (default 2)
#   --skip-optuna     do not time Optuna
#   --build           rebuild sampler_speed even when it exists
# Environment: KNOB_BUILD_DIR, the build directory (default: build/).
#
# Knob: tests/bench/sampler_speed.cc (target sampler_speed, built with
# -DKNOB_BUILD_BENCHMARKS=ON), calling Sampler::Sample directly, without
# the server. Optuna: tests/bench/optuna_speed.py, timing study.ask() and
# the suggest calls on in-memory storage; Optuna 3.1 has no GPSampler.
# Both time suggestions one after the other on a growing history, as in a
# run. The table goes to stdout and to $KNOB_BUILD_DIR/bench/
# sampler-speed-latest.txt; progress to stderr.
set -euo pipefail

source "$(dirname "$0")/common.sh"

knob_arguments=()
optuna_arguments=()
force_build=0
for argument in "$@"; do
  case "$argument" in
    --samplers=* | --sizes=*) knob_arguments+=("$argument") ;;
    --cap=* | --budget=*)
      knob_arguments+=("$argument")
      optuna_arguments+=("$argument")
      ;;
    --skip-optuna) optuna_arguments+=("$argument") ;;
    --build) force_build=1 ;;
    -h | --help)
      bench_help
      exit 0
      ;;
    *) bench_unknown_argument "$argument" ;;
  esac
done

bench_install_python_packages
speed_binary=$build/tests/bench/sampler_speed
if ((force_build)) || [[ ! -x $speed_binary ]]; then
  bench_build sampler_speed
fi

mkdir -p "$build/bench"
stamp=$(date +%Y%m%d-%H%M%S)
knob_table=$build/bench/sampler-speed-$stamp.tsv
bench_say "timing Knob's samplers (${speed_binary#"$root"/})"
"$speed_binary" --tsv="$knob_table" "${knob_arguments[@]}" >&2
"$python" "$root/tests/bench/optuna_speed.py" --knob="$knob_table" \
  "${optuna_arguments[@]}" | tee "$build/bench/sampler-speed-latest.txt"
bench_say "Knob's rows: $knob_table"
