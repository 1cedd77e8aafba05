#!/usr/bin/env bash
# Knob in one command. Installs what is missing, builds knob-server and
# knobctl, starts PostgreSQL and the server, creates a demo study and tunes
# a scikit-learn classifier on the bundled digits dataset with several
# Python workers at once, prints the best trial and how to query the data
# with psql, then keeps serving until Ctrl-C.
#
#   bash deploy/quickstart.sh [--exit] [--workers N]
#
#   --exit        stop everything this script started after the demo, exit 0
#   --workers N   Python worker processes to run at once (default: 4)
#
# Environment:
#   KNOB_BUILD_DIR     build directory (default: build/)
#   KNOB_DATABASE_URL  PostgreSQL to use (default: a private cluster under
#                      .knob/postgres, started and stopped by this script)
#   KNOB_PORT          port of the server (default: 50051 when free, else
#                      any free port)
#
# Progress goes to stderr, the workers' trial lines and the results to
# stdout; logs are under .knob/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state_dir=$root/.knob
build=$(realpath -m "${KNOB_BUILD_DIR:-$root/build}")
# Debian's interpreter: the one with python3-grpcio and python3-sklearn,
# whatever `python3` comes first on PATH.
python=/usr/bin/python3

exit_after_demo=0
worker_count=4

# What this script started, for cleanup: only those are stopped.
server_pid=""
worker_pids=()
private_postgres_dir=""
# What is under way, and its log, for the message when something fails.
step=""
step_log=""
serving=0

say() { echo "quickstart: $*" >&2; }

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit "$1"
}

parse_arguments() {
  while (($# > 0)); do
    case "$1" in
      --exit) exit_after_demo=1 ;;
      --workers) worker_count=${2:?--workers needs a number}; shift ;;
      --workers=*) worker_count=${1#--workers=} ;;
      -h|--help) usage 0 ;;
      *) say "unknown argument: $1"; usage 2 ;;
    esac
    shift
  done
  if ! [[ $worker_count =~ ^[1-9][0-9]*$ ]]; then
    say "--workers wants a positive number, not '$worker_count'"
    exit 2
  fi
}

# Marks the start of a step: a progress line, and what to blame on failure.
begin() {
  step=$1
  step_log=${2:-}
  say "$step${step_log:+ (log: ${step_log#"$root"/})}"
}

show_log_tail() {
  local log=$1
  if [[ -s $log ]]; then
    say "last lines of ${log#"$root"/}:"
    tail -n 20 "$log" | sed 's/^/    /' >&2
  fi
}

# TERM, then KILL if the process is still there after `seconds`.
stop_process() {
  local pid=$1 seconds=$2 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < seconds * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# Stops, in order, the workers, the server and the private PostgreSQL; a
# database given through KNOB_DATABASE_URL is never touched.
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if ((status != 0 && status != 130)) && [[ -n $step ]]; then
    say "FAILED while: $step"
    if [[ -n $step_log ]]; then show_log_tail "$step_log"; fi
  fi
  local pid
  for pid in "${worker_pids[@]}"; do stop_process "$pid" 5; done
  if [[ -n $server_pid ]]; then
    say "stopping knob-server"
    stop_process "$server_pid" 15
  fi
  if [[ -n $private_postgres_dir ]]; then
    say "stopping the private PostgreSQL"
    local_postgres stop "$private_postgres_dir" || true
  fi
  exit "$status"
}

on_signal() {
  # Ctrl-C is how a user ends the serving phase: that is a success.
  if ((serving)); then
    step=""
    exit 0
  fi
  say "interrupted"
  step=""
  exit 130
}

install_dependencies() {
  begin "checking the Debian packages Knob needs"
  bash "$root/deploy/install-deps.sh"
}

build_binaries() {
  local log=$state_dir/build.log generator=(-G Ninja)
  begin "building knob-server and knobctl in ${build#"$root"/}" "$log"
  # An existing build directory keeps its generator and options.
  if [[ -f $build/CMakeCache.txt ]]; then
    generator=()
  else
    say "(a first build takes several minutes)"
  fi
  # One redirection per command, not one around a group: should a command
  # fail, the exit trap must report on stderr, not into the log.
  cmake -S "$root" -B "$build" "${generator[@]}" >"$log" 2>&1
  cmake --build "$build" --target knob-server knobctl -j "$(nproc)" >>"$log" 2>&1
  server_binary=$build/bin/knob-server
  knobctl_binary=$build/bin/knobctl

  begin "generating the Python API modules into ${build#"$root"/}/python" \
    "$state_dir/build.log"
  bash "$root/client/python/generate.sh" "$build/python" >>"$state_dir/build.log" 2>&1
  export KNOB_PYTHON_STUBS=$build/python
}

# deploy/local-postgres.sh, run from / because its commands run as the
# `postgres` user, who may not be allowed into the current directory.
local_postgres() {
  (cd / && bash "$root/deploy/local-postgres.sh" "$@")
}

# The directory of the private cluster. PostgreSQL runs as the `postgres`
# user, which cannot enter a checkout under a private home such as /root;
# the cluster then lives in postgres's own home, linked from .knob/postgres.
private_postgres_location() {
  local dir=$state_dir/postgres
  if ((EUID == 0)) && [[ ! -e $dir ]] &&
    ! runuser -u postgres -- test -x "$state_dir"; then
    local home
    home=/var/lib/postgresql/knob-quickstart-$(echo "$root" | md5sum | cut -c1-8)
    mkdir -p "$home"
    chown postgres:postgres "$home"
    ln -sfn "$home" "$dir"
  fi
  echo "$dir"
}

start_postgres() {
  if [[ -n ${KNOB_DATABASE_URL:-} ]]; then
    begin "checking the PostgreSQL in KNOB_DATABASE_URL"
    database_url=$KNOB_DATABASE_URL
    if ! pg_isready -q -d "$database_url"; then
      say "PostgreSQL at KNOB_DATABASE_URL does not answer (pg_isready)"
      return 1
    fi
    return 0
  fi
  local dir
  dir=$(private_postgres_location)
  if [[ -f $dir/url ]] && pg_isready -q -d "$(cat "$dir/url")"; then
    # Left running by an earlier run that did not get to stop it.
    database_url=$(cat "$dir/url")
    say "reusing the private PostgreSQL already running at $database_url" \
      "(stop it with: bash deploy/local-postgres.sh stop .knob/postgres)"
    return 0
  fi
  begin "starting a private PostgreSQL under .knob/postgres" "$dir/postgres.log"
  database_url=$(local_postgres start "$dir")
  private_postgres_dir=$dir
  say "PostgreSQL is at $database_url"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

choose_port() {
  if [[ -n ${KNOB_PORT:-} ]]; then
    if port_in_use "$KNOB_PORT"; then
      say "KNOB_PORT=$KNOB_PORT is already in use"
      return 1
    fi
    port=$KNOB_PORT
  elif ! port_in_use 50051; then
    port=50051
  else
    port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  fi
  address=127.0.0.1:$port
}

knobctl() {
  "$knobctl_binary" --server="$address" "$@"
}

start_server() {
  choose_port
  local log=$state_dir/server.log
  begin "starting knob-server on $address" "$log"
  echo "=== $(date -Is) knob-server --listen=$address" >>"$log"
  # The database URL goes through the environment rather than the command
  # line, where every user of the machine could read a password in it.
  KNOB_DATABASE_URL=$database_url \
    "$server_binary" --listen="$address" >>"$log" 2>&1 &
  server_pid=$!
  local deadline=$((SECONDS + 30))
  # Migrations run before the server listens; knobctl retries on its own,
  # hence the outer time limit per attempt.
  until port_in_use "$port" &&
    timeout 10 "$knobctl_binary" --server="$address" --timeout=5 studies \
      >/dev/null 2>&1; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      wait "$server_pid" || true
      server_pid=""
      say "knob-server exited during start-up"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      say "knob-server did not answer within 30 s"
      return 1
    fi
    sleep 0.5
  done
  say "knob-server answers on $address"
}

create_study() {
  study=sklearn-digits-$(date +%Y%m%d-%H%M%S)
  local spec=$state_dir/demo-study.yaml
  begin "creating the demo study $study" "$state_dir/knobctl.log"
  # A fresh name per run: re-running the quickstart tunes a new study, and
  # earlier ones stay in the database to compare with.
  sed "s/^name: .*/name: $study/" "$root/deploy/demo-study.yaml" >"$spec"
  if ! grep -q "^name: $study\$" "$spec"; then
    say "deploy/demo-study.yaml has no top-level 'name:' line to replace"
    return 1
  fi
  knobctl create "$spec" >"$state_dir/knobctl.log" 2>&1
  say "$(head -n 1 "$state_dir/knobctl.log")"
}

run_workers() {
  begin "tuning with $worker_count Python workers (client/examples/sklearn_worker.py)"
  local i pid started=$SECONDS
  for ((i = 1; i <= worker_count; i++)); do
    # Trial lines go straight to stdout: one short write per line, so the
    # workers' lines never mix within a line.
    "$python" -u "$root/client/examples/sklearn_worker.py" \
      --server "$address" --study "$study" 2>"$state_dir/worker-$i.log" &
    worker_pids+=($!)
  done
  local failed=()
  for i in "${!worker_pids[@]}"; do
    pid=${worker_pids[$i]}
    if ! wait "$pid"; then failed+=($((i + 1))); fi
  done
  worker_pids=()
  if ((${#failed[@]} > 0)); then
    say "worker(s) ${failed[*]} failed"
    for i in "${failed[@]}"; do show_log_tail "$state_dir/worker-$i.log"; done
    step_log=""
    return 1
  fi
  say "the workers finished in $((SECONDS - started)) s"
}

# The psql command printed for the user: the study's trials, best first,
# from the wide per-trial view.
psql_command() {
  local query="SELECT trial_number, state, value, params FROM knob.trial_summary WHERE study_name = '$study' ORDER BY value DESC NULLS LAST"
  printf 'psql "%s" -c "%s"' "$database_url" "$query"
}

show_results() {
  begin "reading the results" "$state_dir/knobctl.log"
  echo
  echo "Best trial of $study:"
  knobctl best "$study" 2>>"$state_dir/knobctl.log"
  echo
  echo "More:"
  echo "  ${knobctl_binary#"$root"/} --server=$address show $study"
  echo "  ${knobctl_binary#"$root"/} --server=$address trials $study"
  echo "  ${knobctl_binary#"$root"/} --server=$address export $study --format=csv"
  echo "  $(psql_command)"
  echo
}

serve_until_interrupted() {
  begin "serving on $address until Ctrl-C" "$state_dir/server.log"
  serving=1
  if wait "$server_pid"; then
    server_pid=""
    say "knob-server exited"
    return 1
  fi
  server_pid=""
  say "knob-server exited with an error"
  return 1
}

main() {
  parse_arguments "$@"
  mkdir -p "$state_dir"
  trap cleanup EXIT
  trap on_signal INT TERM

  install_dependencies
  build_binaries
  start_postgres
  start_server
  create_study
  run_workers
  show_results

  if ((exit_after_demo)); then
    step=""
    say "demo done; stopping what was started (--exit)"
    return 0
  fi
  serve_until_interrupted
}

# Sourcing the script (for tests of its functions) does not run it.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  main "$@"
fi
