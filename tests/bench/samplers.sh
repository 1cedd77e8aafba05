#!/usr/bin/env bash
# Knob's samplers against Optuna's, side by side, on the same problems and
# seeds: median best value after N trials, its interquartile range, the
# normalized regret, problems won, and last a line
#   auto-vs-optuna: tpe W/N cmaes W/N qmc W/N random W/N
# where W counts the problems on which Knob's `auto` sampler has the
# strictly lower median final best value than that Optuna sampler.
#
#   tests/bench/samplers.sh                 everything (10 seeds x 100 trials)
#   tests/bench/samplers.sh --quick         a smoke run of a minute or two
#   tests/bench/samplers.sh --problems=branin,mixed --seeds=3 \
#       --knob-samplers=random,tpe --optuna-samplers=tpe,random \
#       --headline=tpe --jobs=2
#   tests/bench/samplers.sh --report=build/bench/samplers-latest.jsonl
#   tests/bench/samplers.sh --help          every option
#
# The problems are defined once in Python (tests/bench/problems.py): ten
# test functions (Branin, Hartmann-6, Rosenbrock-10, Ackley-10, Levy-5,
# Styblinski-Tang-8, a noisy Hartmann-6, a 20-D ellipsoid, a mixed
# int/categorical one, a conditional one) and two real tuning tasks on
# datasets bundled with scikit-learn (SVC on breast_cancer, kernel ridge on
# diabetes, cross-validated).
#
# Knob side: one study per (problem, sampler, seed) with max_trials, on a
# knob-server started once ($KNOB_BUILD_DIR/bin/knob-server, built when
# missing or with --build), evaluated by --workers (4) Python worker
# processes through client/python/knob_worker.py over gRPC, as users run
# workers; so a Knob sampler sees up to 3 trials still running when it
# proposes one. The server keeps its studies in memory storage: sampling
# depends only on the history, which is the same on either storage, and
# memory keeps PostgreSQL's commit latency and CPU out of a comparison of
# samplers on a 2-core machine. --database-url=URL runs on PostgreSQL
# instead (e.g. a private one from deploy/local-postgres.sh).
#
# Optuna side (Debian's python3-optuna 3.1): TPESampler() ("tpe"),
# TPESampler(multivariate=True, group=True) ("tpe-mv"), CmaEsSampler
# ("cmaes"; categorical and conditional parameters fall back to
# independent random sampling, as in Optuna), QMCSampler with scrambled
# Sobol ("qmc"), RandomSampler ("random"); one process per study, one
# trial at a time, in-memory storage.
#
# Reading the numbers: a run's score is the noiseless value of its best
# trial; the tables show the median over seeds and its interquartile range,
# and the regret normalized by Optuna's random sampler (report.py says
# how). Ten seeds leave chance a large say in "won" counts: Knob's and
# Optuna's uniform random samplers, alike but for their random streams,
# split the 12 problems 11 to 1 on seeds 1-10. Everything is deterministic
# given the seeds, except which pending trials a Knob sampler sees, which
# depends on the workers' timing.
#
# Options beyond samplers.py's own (see --help):
#   --build   build knob-server first even when it exists
# Environment: KNOB_BUILD_DIR, the build directory (default: build/).
#
# Progress goes to stderr, the tables to stdout; results are written to
# $KNOB_BUILD_DIR/bench/samplers-<time>.jsonl (every trial's value) and
# .csv (one row per run), the latest also as samplers-latest.jsonl.
# Exit status 1 when a run did not complete all its trials.
set -euo pipefail

source "$(dirname "$0")/common.sh"

force_build=0
arguments=()
for argument in "$@"; do
  case "$argument" in
    --build) force_build=1 ;;
    *) arguments+=("$argument") ;;
  esac
done

bench_install_python_packages
server_binary=$build/bin/knob-server
if ((force_build)) || [[ ! -x $server_binary ]]; then
  bench_build knob-server
fi
bench_python_stubs

export KNOB_SERVER_BINARY=$server_binary
export PYTHONPATH=$root/client/python${PYTHONPATH:+:$PYTHONPATH}
exec "$python" "$root/tests/bench/samplers.py" --output="$build/bench" \
  "${arguments[@]}"
