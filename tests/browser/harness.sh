# Shared by tests/browser/run.sh and tests/bench/dashboard.sh (sourced, not
# run): installs headless Chromium and playwright-core, starts PostgreSQL
# and a knob-server with the dashboard on free ports, and stops them again.
#
# The caller sets `root` (the repository) and `build` (the build directory
# holding bin/knob-server, bin/knobctl and python/) before sourcing, and
# calls harness_cleanup from its EXIT trap.

harness_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
harness_tmp=$(mktemp -d /tmp/knob-browser.XXXXXX)
harness_server_pid=""
harness_pgdir=""
harness_database=""
harness_admin_url=""

harness_say() { echo "$(basename "$0"): $*" >&2; }

# Debian's Chromium, when /usr/bin/chromium is missing.
harness_install_chromium() {
  if [[ -x /usr/bin/chromium ]]; then return 0; fi
  harness_say "installing chromium"
  local sudo=""
  if ((EUID != 0)); then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
}

# playwright-core as pinned by tests/browser/package-lock.json, installed
# with `npm ci` into the build directory (again only when the lock file
# changed); exports NODE_PATH so that node scripts anywhere can require it.
harness_install_playwright() {
  local directory=$build/browser-test/npm
  local lock=$harness_dir/package-lock.json
  mkdir -p "$directory"
  if ! cmp -s "$lock" "$directory/package-lock.json" ||
    [[ ! -d $directory/node_modules/playwright-core ]]; then
    harness_say "npm ci playwright-core into $directory"
    cp "$harness_dir/package.json" "$lock" "$directory/"
    (cd "$directory" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null)
  fi
  export NODE_PATH=$directory/node_modules
}

# Sets database_url to an empty database: a new one on the PostgreSQL of
# KNOB_TEST_DATABASE_URL when set (as tests/run.sh does), else on a private
# cluster started here.
harness_start_database() {
  if [[ -n ${KNOB_TEST_DATABASE_URL:-} ]]; then
    harness_admin_url=$KNOB_TEST_DATABASE_URL
  else
    # A directory of its own: the cluster belongs to the postgres user,
    # who cannot enter harness_tmp.
    harness_pgdir=$(mktemp -d /tmp/knob-browser-pg.XXXXXX)
    harness_admin_url=$(bash "$root/deploy/local-postgres.sh" start "$harness_pgdir")
  fi
  harness_database=knob_browser_$$
  psql "$harness_admin_url" -qc "CREATE DATABASE $harness_database" >/dev/null
  database_url=${harness_admin_url%/*}/$harness_database
}

# Starts knob-server on free ports; sets grpc_address and dashboard_url.
harness_start_server() {
  local port_file=$harness_tmp/port log=$harness_tmp/server.log
  "$build/bin/knob-server" --storage=postgres --database_url="$database_url" \
    --listen=127.0.0.1:0 --port_file="$port_file" \
    --dashboard_listen=127.0.0.1:0 --shutdown_grace=2s \
    >"$log" 2>&1 </dev/null &
  harness_server_pid=$!
  local dashboard_port="" deadline=$((SECONDS + 30))
  while [[ -z $dashboard_port ]]; do
    if ! kill -0 "$harness_server_pid" 2>/dev/null || ((SECONDS > deadline)); then
      cat "$log" >&2
      harness_say "knob-server did not start"
      return 1
    fi
    sleep 0.1
    # The port file is complete once its line ends; the dashboard's port
    # is in the "listening" log line that follows.
    if [[ $(tail -c1 "$port_file" 2>/dev/null) == "" && -s $port_file ]]; then
      dashboard_port=$(sed -n 's/.*"dashboard_port": *"\{0,1\}\([0-9][0-9]*\).*/\1/p' "$log" | head -n1)
    fi
  done
  grpc_address=127.0.0.1:$(<"$port_file")
  dashboard_url=http://127.0.0.1:$dashboard_port
  harness_say "knob-server at $grpc_address, dashboard at $dashboard_url"
}

# Runs a command (in a process group of its own) while the server lives:
# fails at once, stopping the command and its children, if the server dies
# meanwhile, rather than letting clients retry against nothing.
harness_while_serving() {
  setsid "$@" &
  local pid=$!
  echo "$pid" >"$harness_tmp/group.pid"
  while kill -0 "$pid" 2>/dev/null; do
    if ! kill -0 "$harness_server_pid" 2>/dev/null; then
      kill -- "-$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      harness_say "knob-server died while running: $*"
      return 1
    fi
    sleep 0.5
  done
  wait "$pid"
}

# The server's log, for failure messages.
harness_server_log() {
  cat "$harness_tmp/server.log" >&2
}

harness_cleanup() {
  local group
  group=$(cat "$harness_tmp/group.pid" 2>/dev/null || true)
  if [[ -n $group ]]; then kill -- "-$group" 2>/dev/null || true; fi
  if [[ -n $harness_server_pid ]] && ! kill -0 "$harness_server_pid" 2>/dev/null; then
    harness_say "knob-server died; its log:"
    tail -n 40 "$harness_tmp/server.log" >&2
  elif [[ -n $harness_server_pid ]]; then
    kill "$harness_server_pid" 2>/dev/null || true
    wait "$harness_server_pid" 2>/dev/null || true
  fi
  if [[ -n $harness_database && -n $harness_admin_url ]]; then
    psql "$harness_admin_url" -qc \
      "DROP DATABASE IF EXISTS $harness_database WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [[ -n $harness_pgdir ]]; then
    bash "$root/deploy/local-postgres.sh" stop "$harness_pgdir" >/dev/null 2>&1 || true
    rm -rf "$harness_pgdir"
  fi
  rm -rf "$harness_tmp"
}
