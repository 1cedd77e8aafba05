#!/usr/bin/env bash
# Knob's parameter importances (GetParamImportances: fANOVA over a random
# forest, server-side) against Optuna's FanovaImportanceEvaluator, on the
# same trials: per study both importance vectors and their Spearman rank
# correlation, and last a line
#   importance: studies=<n> mean_spearman=<r> min_spearman=<r>
#
#   tests/bench/importance.sh              9 studies x 200 trials (~1 min,
#                                          nearly all of it Optuna's)
#   tests/bench/importance.sh --problems=linear-graded,mixed-training \
#       --trials=500 --seed=3
#   tests/bench/importance.sh --server=127.0.0.1:50051   a running server
#   tests/bench/importance.sh --help       every option
#
# Studies (importance_problems.py): synthetic objectives with known,
# graded effects over float, log-scale float and int, stepped int and
# categorical parameters (a noisy linear function, a quadratic bowl, a
# training-like mixed space, log scales, a mostly categorical space,
# stepped ints, Branin with an extra shift, a product interaction, and one
# with three irrelevant parameters among six). Each
# study's trials are drawn uniformly at random (log-uniformly on log
# scales) from seed + i, with seeded noise on the objective.
#
# Knob side: one study per problem (random sampler, seed + i) on a
# knob-server started with memory storage ($KNOB_BUILD_DIR/bin/knob-server,
# built when missing or with --build); the trials are enqueued, handed out
# and completed with their values through gRPC, then GetParamImportances
# answers. Optuna side (Debian's python3-optuna 3.1): the same trials with
# the same distributions added to an in-memory study by create_trial, and
# FanovaImportanceEvaluator(seed=seed + i).evaluate.
#
# Reading the numbers: both sides fit 64 trees (max depth 64, bootstrap)
# and average each parameter's main-effect share of a tree's variance, so
# the vectors should agree up to the forests' randomness and two deliberate
# differences: Knob measures log-scale parameters in log space (Optuna in
# their own scale) and splits categoricals by subsets of choices, each
# choice weighing the same (Optuna one-hot encodes them and measures the
# unit cube of the encoding). spearman is the rank correlation of the two
# vectors over the study's parameters (1: the same order). The times are
# one GetParamImportances call (including the gRPC round trip and reading
# the trials) and one evaluate call.
#
# Options beyond importance.py's own (see --help):
#   --build   build knob-server first even when it exists
# Environment: KNOB_BUILD_DIR, the build directory (default: build/).
# Progress goes to stderr, the tables to stdout.
set -euo pipefail

source "$(dirname "$0")/common.sh"

bench_exec_driver importance.py --server= "$@"
