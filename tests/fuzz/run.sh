#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in a build directory of their own, and runs
# each for a bounded time from its seed corpus (tests/fuzz/corpus/<target>).
# New inputs go to BUILD_DIR/corpus, crashing ones to BUILD_DIR/crashes.
#
#   tests/fuzz/run.sh [--full] [BUILD_DIR]
#     --full      300 s per target instead of 30 s, and api_request_fuzzer
#                 too: it links the whole server, whose sanitizer build
#                 takes longer than the test suite's budget on 2 cores
#     BUILD_DIR   default: build-fuzz/ in the repository
# The last line is the summary:
#   fuzz: targets=N runs=EXECUTIONS crashes=C
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=30
build=$root/build-fuzz
targets=(study_config_fuzzer convert_fuzzer)
for arg in "$@"; do
  case "$arg" in
    --full)
      seconds=300
      targets+=(api_request_fuzzer)
      ;;
    *) build=$arg ;;
  esac
done

if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found; run deploy/install-deps.sh" >&2
  exit 1
fi
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
# Only the fuzzers and the libraries they link are built.
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKNOB_BUILD_TESTS=ON \
  -DKNOB_BUILD_FUZZERS=ON "${launcher[@]}" \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
  >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"

runs=0
crashes=0
for target in "${targets[@]}"; do
  corpus=$build/corpus/$target
  mkdir -p "$corpus" "$build/crashes"
  log=$build/$target.log
  status=0
  "$build/tests/fuzz/$target" -max_total_time="$seconds" -print_final_stats=1 \
    -timeout=10 -artifact_prefix="$build/crashes/$target-" \
    "$corpus" "$here/corpus/$target" >"$log" 2>&1 || status=$?
  executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  runs=$((runs + ${executed:-0}))
  if ((status != 0)); then
    crashes=$((crashes + 1))
    echo "fuzz: $target failed (exit $status):" >&2
    tail -n 40 "$log" >&2
  fi
  echo "fuzz: $target runs=${executed:-0} exit=$status"
done
echo "fuzz: targets=${#targets[@]} runs=$runs crashes=$crashes"
((crashes == 0))
