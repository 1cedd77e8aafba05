#!/usr/bin/env bash
# The sampler benchmark's whole pipeline at a small scale (2 problems,
# 2 seeds, 20 trials, Knob's random sampler against every Optuna sampler):
# it must finish every trial of every run, print a table per problem and
# end with the auto-vs-optuna line, counting both problems.
#
#   samplers_smoke_test.sh BUILD_DIR     (registered in ctest, label bench)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: samplers_smoke_test.sh BUILD_DIR}
output=$(mktemp)
trap 'rm -f "$output"' EXIT

fail() {
  cat "$output" >&2
  echo "samplers_smoke_test: FAIL: $*" >&2
  exit 1
}

if ! KNOB_BUILD_DIR=$build bash "$root/tests/bench/samplers.sh" --quick \
  --problems=branin,conditional --seeds=2 --trials=20 \
  --knob-samplers=random --headline=random >"$output" 2>&1; then
  fail "samplers.sh did not succeed (it fails when a run misses trials)"
fi
for problem in branin conditional; do
  grep -q "^== $problem: " "$output" || fail "no table for $problem"
done
row='^   (knob|optuna):[a-z0-9-]+ +[-0-9.e+]+  \['
rows=$(grep -cE "$row" "$output" || true)
((rows == 12)) || fail "expected 12 result rows (2 problems x 6 samplers), got $rows"
if grep -E "$row" "$output" | grep -vq ' 100%$'; then
  fail "a sampler did not complete 100% of its trials"
fi
last=$(tail -n 1 "$output")
[[ $last =~ ^auto-vs-optuna:\ tpe\ [0-2]/2\ cmaes\ [0-2]/2\ qmc\ [0-2]/2\ random\ [0-2]/2$ ]] ||
  fail "last line is not the auto-vs-optuna summary: $last"
echo "samplers_smoke_test: ok: $last"
