#!/usr/bin/env bash
# How Knob copes with one large study: 100,000 finished trials. On one
# private PostgreSQL with synchronous_commit on, through the API only
# (knob-loadgen's workers, random sampler, zero-cost objective), it fills
# study A to 1,000 and study B to 100,000 COMPLETED trials, then measures
#   (a) paging through all of B's trials with ListTrials (10,000 a page,
#       the API's largest; scale_probe list): seconds and trials/s;
#   (b) `knobctl export B --format=csv` to a file: seconds, and the rows
#       counted, which must be B's 100,000;
#   (c) suggest latency p50/p99 on A and on B (two knob-loadgen at once,
#       4 workers and 500 cycles each; each study grows by those 500), and
#       the ratio B/A of the p50s;
#   (d) restarts: knob-server stopped with SIGTERM, started again, and the
#       time from the start until the health check answers SERVING and
#       until the first SuggestTrials on B returns (scale_probe
#       first-suggest); three times, then three times after SIGKILL. Each
#       adds one trial to B.
# Then a table, and last a line
#   scale: trials=100000 suggest_p50_ratio=<r> restart_serve_s=<t>
#   list_all_s=<t> export_csv_s=<t>
# (restart_serve_s: until the first suggest on B, the median of the
# restarts after SIGTERM; every restart is in the table).
# Targets on 2 cores: suggest_p50_ratio <= 1.5, restart_serve_s <= 2,
# export_csv_s <= 5; the table marks each "met" or "MISSED".
#
#   tests/bench/scale.sh            100,000 trials: the fill takes 5–10 min
#                                   on 2 cores (200–400 trials/s), the
#                                   measurements about 1 min more
#   tests/bench/scale.sh --quick    10,000 trials (~1–2 min in all)
#
# Options:
#   --quick            B gets 10,000 trials instead of 100,000
#   --trials=N         B gets N trials (A keeps 1,000)
#   --fill-workers=N   knob-loadgen workers filling the studies (default 32)
#   --server-binary=F  the knob-server to measure (default
#                      $KNOB_BUILD_DIR/bin/knob-server), e.g. a copy of an
#                      earlier build for a before/after comparison
#   --build            rebuild the programs even when present
# Environment: KNOB_BUILD_DIR, the build directory (default: build/;
# configured with -DKNOB_BUILD_BENCHMARKS=ON when new).
#
# Every figure of a run shares the machine's state at that time: compare
# runs made under the same conditions. The table goes to stdout and to
# $KNOB_BUILD_DIR/bench/scale-latest.txt; progress to stderr.
set -euo pipefail
shopt -s inherit_errexit

source "$(dirname "$0")/common.sh"

trials_b=100000
trials_a=1000
fill_workers=32
latency_cycles=500
latency_workers=4
restarts=3
server_binary=""
force_build=0
for argument in "$@"; do
  case "$argument" in
    --quick) trials_b=10000 ;;
    --trials=*) trials_b=${argument#*=} ;;
    --fill-workers=*) fill_workers=${argument#*=} ;;
    --server-binary=*) server_binary=$(realpath "${argument#*=}") ;;
    --build) force_build=1 ;;
    -h | --help)
      bench_help
      exit 0
      ;;
    *) bench_unknown_argument "$argument" ;;
  esac
done

loadgen_binary=$build/bin/knob-loadgen
knobctl_binary=$build/bin/knobctl
probe_binary=$build/tests/bench/scale_probe
built_server=$build/bin/knob-server
: "${server_binary:=$built_server}"
if ((force_build)) || [[ ! -x $built_server || ! -x $loadgen_binary ||
  ! -x $knobctl_binary || ! -x $probe_binary ]]; then
  bench_build knob-server knob-loadgen knobctl scale_probe
fi

work=$(mktemp -d /tmp/knob-scale.XXXXXX)
# PostgreSQL runs as its own user, which must reach its directory.
chmod 755 "$work"
server_pid=""
stop_server() {
  local signal=$1
  if [[ -z $server_pid ]]; then return 0; fi
  kill "-$signal" "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
cleanup() {
  stop_server TERM
  bash "$root/deploy/local-postgres.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

url=$(bench_start_durable_postgres "$work/pg")
psql -q "$url" -c "CREATE DATABASE knob" >/dev/null
database_url=${url%/*}/knob
pg_settings=$(psql -At "$url" -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'shared_buffers', 'jit')")

# Starts knob-server on $listen; sets server_pid and, the first time,
# listen to the port it got.
listen=127.0.0.1:0
start_server() {
  rm -f "$work/port"
  "$server_binary" --listen="$listen" --database_url="$database_url" \
    --port_file="$work/port" --log_format=text >>"$work/server.log" 2>&1 &
  server_pid=$!
}
wait_for_port() {
  for _ in $(seq 600); do
    if [[ -s $work/port ]]; then
      listen=127.0.0.1:$(cat "$work/port")
      return 0
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      tail -n 30 "$work/server.log" >&2
      bench_say "knob-server exited"
      exit 1
    fi
    sleep 0.1
  done
  bench_say "knob-server did not listen within 60 s"
  exit 1
}
bench_say "starting knob-server ($server_binary)"
start_server
wait_for_port

# The value of key $2 in the key=value line $1.
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }

# Runs knob-loadgen on study "<$1>-0" until it holds $2 more completed
# trials, with $3 workers (its log: $work/loadgen$4.log); prints its
# summary line.
loadgen() {
  local prefix=$1 count=$2 workers=$3 log=$work/loadgen${4:-}.log
  "$loadgen_binary" --server="$listen" --prefix="$prefix" --workers="$workers" \
    --channels=4 --trials="$count" --duration=3600s >"$log" 2>&1 || {
    cat "$log" >&2
    return 1
  }
  grep '^loadgen: ' "$log" | tail -n 1
}

# Fills study "<$1>-0" to $2 completed trials in steps, with progress.
fill() {
  local prefix=$1 target=$2 done=0 step line
  local started=$EPOCHREALTIME
  while ((done < target)); do
    step=$((target - done < 10000 ? target - done : 10000))
    line=$(loadgen "$prefix" "$step" "$fill_workers")
    if (($(field "$line" cycles) != step)); then
      bench_say "knob-loadgen completed $(field "$line" cycles) of $step trials: $line"
      exit 1
    fi
    done=$((done + step))
    bench_say "$prefix-0: $done of $target trials," \
      "$(awk -v s="$started" -v n="$EPOCHREALTIME" -v d="$done" \
        'BEGIN { printf "%.0f trials/s", d / (n - s) }')"
  done
  awk -v s="$started" -v n="$EPOCHREALTIME" 'BEGIN { printf "%.1f", n - s }'
}

bench_say "filling study A (scale-a-0) to $trials_a trials"
fill_a_s=$(fill scale-a "$trials_a")
bench_say "filling study B (scale-b-0) to $trials_b trials"
fill_b_s=$(fill scale-b "$trials_b")
completed_b=$(psql -At "$database_url" -c "SELECT count(*) FROM knob.trial t JOIN knob.study s ON s.id = t.study_id WHERE s.name = 'scale-b-0' AND t.state = 'COMPLETED'")
study_b_id=$(psql -At "$database_url" -c "SELECT id FROM knob.study WHERE name = 'scale-b-0'")

bench_say "paging through B's trials with ListTrials"
list_line=$("$probe_binary" --server="$listen" --study=scale-b-0 --page_size=10000 list)
list_all_s=$(field "$list_line" seconds)

bench_say "exporting B to CSV with knobctl export"
export_started=$EPOCHREALTIME
"$knobctl_binary" --server="$listen" --timeout=120 export scale-b-0 \
  --format=csv --output="$work/b.csv" >/dev/null
export_csv_s=$(awk -v s="$export_started" -v n="$EPOCHREALTIME" 'BEGIN { printf "%.3f", n - s }')
export_rows=$(awk 'END { print NR - 1 }' "$work/b.csv")
export_mib=$(du -m "$work/b.csv" | cut -f1)
if ((export_rows != trials_b)); then
  bench_say "the export holds $export_rows rows, not $trials_b"
  exit 1
fi

# A and B at the same time, so that both see the same load from the rest
# of the machine.
bench_say "suggest latency: $latency_workers workers, $latency_cycles cycles on A and on B at once"
loadgen scale-a "$latency_cycles" "$latency_workers" a >"$work/latency-a" &
latency_a_pid=$!
loadgen scale-b "$latency_cycles" "$latency_workers" b >"$work/latency-b"
wait "$latency_a_pid"
latency_a=$(cat "$work/latency-a")
latency_b=$(cat "$work/latency-b")
p50_a=$(field "$latency_a" p50_suggest_ms)
p50_b=$(field "$latency_b" p50_suggest_ms)
ratio=$(awk -v a="$p50_a" -v b="$p50_b" 'BEGIN { printf "%.2f", b / a }')

# Stops the server with signal $1, starts it again, and appends
# scale_probe's line for the first suggest on B to $work/restart-$1 (not
# through a command substitution: the server must stay this shell's child).
restart() {
  stop_server "$1"
  local since=$EPOCHREALTIME
  start_server
  "$probe_binary" --server="$listen" --study_id="$study_b_id" \
    --since="$since" first-suggest >>"$work/restart-$1"
}
# The median of the values of key $2 in the lines of file $1, then all of
# them in the order measured, e.g. "2.1 (2.4 2.1 1.9)".
median_of() {
  local values
  values=$(sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$1")
  echo "$(sort -g <<<"$values" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')" \
    "($(paste -sd' ' <<<"$values"))"
}
for signal in TERM KILL; do
  for round in $(seq "$restarts"); do
    bench_say "restart $round of $restarts after SIG$signal"
    restart "$signal"
  done
done
restart_serve_s=$(median_of "$work/restart-TERM" first_suggest_s | cut -d' ' -f1)

verdict() {
  awk -v value="$1" -v limit="$2" 'BEGIN { print (value + 0 <= limit + 0) ? "met" : "MISSED" }'
}
mkdir -p "$build/bench"
{
  echo "PostgreSQL: $pg_settings"
  echo "knob-server: $server_binary"
  echo "fill: A to $trials_a trials in $fill_a_s s, B to $trials_b trials in" \
    "$fill_b_s s ($fill_workers workers); B holds $completed_b COMPLETED trials"
  echo
  printf "%-44s %12s %14s\n" measurement value target
  printf "%-44s %12s %14s\n" "ListTrials, all of B (10,000 a page), s" \
    "$list_all_s" ""
  printf "%-44s %12s %14s\n" "  trials/s" "$(field "$list_line" trials_per_s)" ""
  printf "%-44s %12s %14s\n" "knobctl export B as CSV, s" "$export_csv_s" \
    "<= 5 $(verdict "$export_csv_s" 5)"
  printf "%-44s %12s %14s\n" "  rows (MiB)" "$export_rows ($export_mib)" ""
  printf "%-44s %12s %14s\n" "suggest p50 on A (1,000 trials), ms" "$p50_a" ""
  printf "%-44s %12s %14s\n" "suggest p99 on A, ms" \
    "$(field "$latency_a" p99_suggest_ms)" ""
  printf "%-44s %12s %14s\n" "suggest p50 on B ($trials_b trials), ms" "$p50_b" ""
  printf "%-44s %12s %14s\n" "suggest p99 on B, ms" \
    "$(field "$latency_b" p99_suggest_ms)" ""
  printf "%-44s %12s %14s\n" "suggest p50 ratio B/A" "$ratio" \
    "<= 1.5 $(verdict "$ratio" 1.5)"
  for signal in TERM KILL; do
    printf "%-44s %s\n" "after SIG$signal: health SERVING, s" \
      "$(median_of "$work/restart-$signal" serving_s)"
    first_suggest=$(median_of "$work/restart-$signal" first_suggest_s)
    printf "%-44s %s  <= 2 %s\n" "after SIG$signal: first suggest on B, s" \
      "$first_suggest" "$(verdict "${first_suggest%% *}" 2)"
  done
  echo "(suggest latency: one knob-loadgen a study, both at once, each" \
    "$latency_workers workers and $latency_cycles cycles; restart times from" \
    "the start of the process, the median of $restarts restarts and each of" \
    "them)"
  echo
  echo "scale: trials=$trials_b suggest_p50_ratio=$ratio" \
    "restart_serve_s=$restart_serve_s list_all_s=$list_all_s" \
    "export_csv_s=$export_csv_s"
} | tee "$build/bench/scale-latest.txt"
