#!/usr/bin/env bash
# Knob's pruners (early stopping) against Optuna's, side by side, on the
# same trials and learning curves: training steps consumed, the final best
# value, steps saved and quality lost against no pruning, and last a line
#   pruning: best=<pruner> steps_saved=<x>x best_gap=<pct>% vs_optuna_steps=<ratio>
#
#   tests/bench/pruning.sh                 everything: 4 tasks, 5 seeds, 80 trials
#                                          (~9 min on 2 busy cores, 6 of them
#                                          training the curves, cached after)
#   tests/bench/pruning.sh --quick         a smoke run of well under a minute
#   tests/bench/pruning.sh --tasks=synthetic,sgd-digits --seeds=3 \
#       --trials=60 --steps=30 --pruners=none,median,hyperband --workers=4
#   tests/bench/pruning.sh --report=build/bench/pruning-latest.jsonl
#   tests/bench/pruning.sh --help          every option
#
# Tasks (tests/bench/pruning_tasks.py): learning curves from real training,
# scikit-learn models trained epoch by epoch with partial_fit on datasets
# bundled with scikit-learn, the validation loss after each epoch as the
# intermediate value (SGD logistic regression and a one-hidden-layer MLP on
# digits, SGD linear regression on diabetes), and a synthetic family
# (exponential decay to a parameter-dependent asymptote, with crossing
# curves, overfitting, divergence and seeded noise; pruning_synthetic.py
# gives the formula).
#
# Same trials on both sides: for each (task, seed) the parameters of every
# trial are drawn up front (uniformly, seeded) and every trial is trained
# to the end once; the curves are cached in $KNOB_BUILD_DIR/bench/
# pruning-curves. Knob enqueues the trials (EnqueueTrial) and Optuna
# enqueues them too (study.enqueue_trial), in the same order, and both
# replay the cached curves, so the runs differ only in their pruners'
# decisions, not in sampling or training noise.
#
# Knob side: one study per (task, pruner, seed) on a knob-server started
# once with memory storage ($KNOB_BUILD_DIR/bin/knob-server, built when
# missing or with --build), evaluated by --workers (4) Python worker
# processes through client/python/knob_worker.py over gRPC: a worker
# reports the loss after each step and stops when trial.report says so.
# Workers replay at the pace of the calls, so running trials advance at
# about the same speed, as in training with equal epoch times. A pruner
# the server does not know (or whose options it rejects) shows as
# "unavailable". Optuna side (Debian's python3-optuna 3.1): NopPruner,
# MedianPruner, PercentilePruner, SuccessiveHalvingPruner,
# HyperbandPruner, ThresholdPruner and PatientPruner with the same options
# as their Knob namesakes (pruning_pruners.py lists them), with as many
# worker processes per study as Knob's side: the study is created once on
# a journal file (JournalStorage, in /dev/shm) with its trials enqueued,
# and each worker loads it with its own pruner and runs study.optimize
# until the queue is empty (pruning_optuna_workers.py). So on both sides a
# pruner judges a trial against fewer finished ones than one trial at a
# time would give it, and both start --workers trials before any has
# finished. With --workers=1 Optuna runs the study in process, one trial
# at a time, as Knob's single worker does.
#
# Reading the numbers (pruning_report.py defines them exactly): "steps" is
# the training consumed (intermediate values reported, summed over the
# trials); "saved" is steps without pruning / steps (2.00x = half the
# training); "best" is the lowest final value of the completed trials;
# "gap%" is how much worse that best is than without pruning, in percent.
# Tables show medians over seeds and the worst gap. vs_optuna_steps is
# Knob's steps / Optuna's steps for the same pruner, counted on the (task,
# seed) pairs where Knob's best is the same or better than Optuna's (within
# 1%); below 1 Knob trained less. The last line names the Knob pruner with
# the largest median steps saved among those whose median best gap over
# every task and seed is at most 1% (and whose runs all finished).
#
# Options beyond pruning.py's own (see --help):
#   --build   build knob-server first even when it exists
# Environment: KNOB_BUILD_DIR, the build directory (default: build/).
#
# Progress goes to stderr, the tables to stdout; results are written to
# $KNOB_BUILD_DIR/bench/pruning-<time>.jsonl (one record per run, with
# every trial's steps and state), the latest also as pruning-latest.jsonl,
# and the tables as pruning-latest.txt. Exit status 1 when a run did not
# finish all its trials.
set -euo pipefail

source "$(dirname "$0")/common.sh"

bench_exec_driver pruning.py --report= --output="$build/bench" "$@"
