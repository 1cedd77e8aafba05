#!/usr/bin/env bash
# How many trials per second Knob serves from PostgreSQL, next to what that
# PostgreSQL commits (pgbench) and what Optuna 3.1 reaches on it. In one
# run, on one private PostgreSQL with synchronous_commit on:
#   (a) pgbench TPC-B tps (scale 10, 8 clients);
#   (b) knob-loadgen cycles/s (suggest + complete, zero-cost objective,
#       random sampler) with 1, 8, 64 and 256 workers on one study;
#   (c) the same spread over 16 studies;
#   (d) Optuna 3.1 (RDBStorage, psycopg2) with 8 worker processes on one
#       study, RandomSampler, zero-cost objective: trials/s.
# Then a table, and last a line
#   throughput: knob64=<cycles/s> knob256=<cycles/s> optuna=<trials/s>
#   pgbench=<tps> knob/optuna=<r> knob/pgbench=<r> p99_suggest_ms=<v>
# (knob64 and knob256 on one study; the ratios use knob64; p99 of suggest
# at 64 workers on one study).
#
#   tests/bench/throughput.sh              10 s per measurement (~3 min)
#   tests/bench/throughput.sh --quick      3 s per measurement (~1 min)
#   tests/bench/throughput.sh --workers=64,256 --duration=20
#
# Options:
#   --quick           3 s per measurement (pgbench 5 s)
#   --duration=S      seconds per knob and Optuna measurement (default 10)
#   --workers=a,b     knob worker counts (default 1,8,64,256)
#   --channels=N      gRPC connections of each knob-loadgen (default 4)
#   --server-flag=F   pass F to knob-server (repeatable), e.g.
#                     --server-flag=--pool_size=32
#   --skip-optuna     do not run Optuna
#   --build           rebuild knob-server and knob-loadgen even when present
# Environment: KNOB_BUILD_DIR, the build directory (default: build/;
# configured with -DKNOB_BUILD_BENCHMARKS=ON when new).
#
# Knob: one knob-server ($KNOB_BUILD_DIR/bin/knob-server, default flags
# unless --server-flag) on that PostgreSQL, and client/loadgen's
# knob-loadgen, a fresh set of studies per measurement, each after a
# VACUUM (ANALYZE) of the knob database. Every figure of a
# run shares the machine's state at that time, so compare ratios within a
# run, not absolute figures across runs. The table goes to stdout and to
# $KNOB_BUILD_DIR/bench/throughput-latest.txt; progress to stderr.
set -euo pipefail

source "$(dirname "$0")/common.sh"

duration=10
pgbench_seconds=10
worker_counts=1,8,64,256
channels=4
server_flags=()
skip_optuna=0
force_build=0
for argument in "$@"; do
  case "$argument" in
    --quick) duration=3 pgbench_seconds=5 ;;
    --duration=*) duration=${argument#*=} pgbench_seconds=${argument#*=} ;;
    --workers=*) worker_counts=${argument#*=} ;;
    --channels=*) channels=${argument#*=} ;;
    --server-flag=*) server_flags+=("${argument#*=}") ;;
    --skip-optuna) skip_optuna=1 ;;
    --build) force_build=1 ;;
    -h | --help)
      bench_help
      exit 0
      ;;
    *) bench_unknown_argument "$argument" ;;
  esac
done
IFS=, read -r -a workers <<<"$worker_counts"

bench_install_python_packages
if ! dpkg-query -W -f='${Status}' python3-psycopg2 2>/dev/null | grep -q "ok installed"; then
  bench_say "installing python3-psycopg2"
  sudo=""
  if ((EUID != 0)); then sudo="sudo"; fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends python3-psycopg2 >/dev/null
fi
server_binary=$build/bin/knob-server
loadgen_binary=$build/bin/knob-loadgen
if ((force_build)) || [[ ! -x $server_binary || ! -x $loadgen_binary ]]; then
  bench_build knob-server knob-loadgen
fi
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

work=$(mktemp -d /tmp/knob-throughput.XXXXXX)
# PostgreSQL runs as its own user, which must reach its directory.
chmod 755 "$work"
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  bash "$root/deploy/local-postgres.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

url=$(bench_start_durable_postgres "$work/pg")
database_url() { echo "${url%/*}/$1"; }
for database in pgbench knob optuna; do
  psql -q "$url" -c "CREATE DATABASE $database" >/dev/null
done
pg_settings=$(psql -At "$url" -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'wal_sync_method', 'shared_buffers', 'max_connections')")

bench_say "pgbench: scale 10, 8 clients, ${pgbench_seconds} s"
"$pg_bin/pgbench" -q -i -s 10 "$(database_url pgbench)" >"$work/pgbench-init.log" 2>&1
"$pg_bin/pgbench" -c 8 -j 2 -T "$pgbench_seconds" "$(database_url pgbench)" \
  >"$work/pgbench.log" 2>&1
pgbench_tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/pgbench.log" | head -n 1 |
  awk '{ printf "%.1f", $1 }')

bench_say "starting knob-server"
"$server_binary" --listen=127.0.0.1:0 --database_url="$(database_url knob)" \
  --port_file="$work/port" --log_format=text "${server_flags[@]}" \
  >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 600); do
  [[ -s $work/port ]] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$work/server.log" >&2
    bench_say "knob-server exited"
    exit 1
  fi
  sleep 0.1
done
address=127.0.0.1:$(cat "$work/port")

# Runs knob-loadgen; prints its summary line. The database is vacuumed
# first, so that no measurement pays for the autovacuum of the rows the
# one before wrote.
loadgen() {
  local count=$1 studies=$2
  psql -q "$(database_url knob)" -c "VACUUM (ANALYZE)" >/dev/null
  bench_say "knob: $count workers on $studies studies, $duration s"
  "$loadgen_binary" --server="$address" --workers="$count" \
    --studies="$studies" --channels="$channels" --duration="${duration}s" \
    --prefix="throughput-$studies-$count" >"$work/loadgen.log" 2>&1 || {
    cat "$work/loadgen.log" >&2
    return 1
  }
  grep '^loadgen: ' "$work/loadgen.log" | tail -n 1
}
# The value of key $2 in the key=value line $1.
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }

declare -A rows
for studies in 1 16; do
  for count in "${workers[@]}"; do
    rows[$studies,$count]=$(loadgen "$count" "$studies")
  done
done

optuna_rate=skipped
if ((!skip_optuna)); then
  bench_say "optuna: 8 worker processes, $duration s"
  optuna_line=$("$python" "$root/tests/bench/throughput_optuna.py" \
    --url="$(database_url optuna | sed 's/^postgresql:/postgresql+psycopg2:/')" \
    --workers=8 --duration="$duration")
  optuna_rate=$(field "$optuna_line" trials_per_s)
fi

mkdir -p "$build/bench"
{
  echo "PostgreSQL: $pg_settings"
  echo "pgbench (TPC-B, scale 10, 8 clients, ${pgbench_seconds} s): $pgbench_tps tps"
  if ((!skip_optuna)); then echo "Optuna 3.1, 8 processes, RandomSampler: $optuna_line"; fi
  echo
  printf "%-8s %8s %8s %10s %9s %9s %9s %9s %7s\n" studies workers cycles \
    cycles/s p50_sug p99_sug p999_sug p99_comp errors
  for studies in 1 16; do
    for count in "${workers[@]}"; do
      line=${rows[$studies,$count]}
      printf "%-8s %8s %8s %10s %9s %9s %9s %9s %7s\n" "$studies" "$count" \
        "$(field "$line" cycles)" "$(field "$line" cycles_per_s)" \
        "$(field "$line" p50_suggest_ms)" "$(field "$line" p99_suggest_ms)" \
        "$(field "$line" p999_suggest_ms)" "$(field "$line" p99_complete_ms)" \
        "$(field "$line" errors)"
    done
  done
  echo "(latencies in ms; cycles/s = suggest + complete per second)"
  echo
  knob64=$(field "${rows[1,64]:-}" cycles_per_s)
  knob256=$(field "${rows[1,256]:-}" cycles_per_s)
  p99=$(field "${rows[1,64]:-}" p99_suggest_ms)
  ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "n/a" }'
  }
  echo "throughput: knob64=${knob64:-n/a} knob256=${knob256:-n/a}" \
    "optuna=$optuna_rate pgbench=$pgbench_tps" \
    "knob/optuna=$(ratio "$knob64" "$optuna_rate")" \
    "knob/pgbench=$(ratio "$knob64" "$pgbench_tps") p99_suggest_ms=${p99:-n/a}"
} | tee "$build/bench/throughput-latest.txt"
