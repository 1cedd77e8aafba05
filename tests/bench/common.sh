# Shared by the benchmark scripts (sourced, not run): where the build is,
# the Debian packages the benchmarks need, building one target, running a
# Python driver against a knob-server.
#
# Environment: KNOB_BUILD_DIR, the build directory (default: build/).

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(realpath -m "${KNOB_BUILD_DIR:-$root/build}")
# Debian's interpreter: the one with python3-optuna and python3-grpcio,
# whatever `python3` comes first on PATH.
python=/usr/bin/python3

bench_say() { echo "$(basename "$0"): $*" >&2; }

# The answers to the arguments every benchmark takes or refuses: --help
# prints the script's header comment, anything unknown stops it.
bench_help() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
bench_unknown_argument() {
  bench_say "unknown argument: $1 (see --help)"
  exit 2
}

# Starts a private PostgreSQL in the directory $1 with synchronous_commit on
# (durable commits, which is what the benchmarks measure against) and
# prints its URL.
bench_start_durable_postgres() {
  bench_say "starting PostgreSQL in $1"
  local url
  url=$(bash "$root/deploy/local-postgres.sh" start "$1")
  psql -q "$url" -c "ALTER SYSTEM SET synchronous_commit = on" \
    -c "SELECT pg_reload_conf()" >/dev/null
  echo "$url"
}

# Installs the Debian packages of Optuna and its samplers' dependencies,
# and of the Python client, when missing.
bench_install_python_packages() {
  local packages=(python3-optuna python3-cmaes python3-scipy python3-sklearn
    python3-numpy python3-grpcio python3-protobuf) missing=() package
  for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
      missing+=("$package")
    fi
  done
  if ((${#missing[@]} == 0)); then return 0; fi
  bench_say "installing ${missing[*]}"
  local sudo=""
  if ((EUID != 0)); then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Builds the targets in $build (configured with the benchmarks on when it
# is new; an existing build keeps its options unless they lack them).
bench_build() {
  bash "$root/deploy/install-deps.sh"
  local log=$build/bench-build.log
  mkdir -p "$build"
  bench_say "building $* in $build (log: $log)"
  local generator=()
  if [[ ! -f $build/CMakeCache.txt ]]; then generator=(-G Ninja); fi
  if ! { cmake -S "$root" -B "$build" "${generator[@]}" -DKNOB_BUILD_BENCHMARKS=ON &&
    cmake --build "$build" -j "$(nproc)" --target "$@"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    bench_say "build failed; see $log"
    return 1
  fi
}

# Generates the Python modules of the API into $build/python.
bench_python_stubs() {
  bash "$root/client/python/generate.sh" "$build/python"
  export KNOB_PYTHON_STUBS=$build/python
}

# Runs the benchmark driver tests/bench/$1 (replacing this shell) with the
# Python client importable and KNOB_SERVER_BINARY set, after installing the
# Python packages, building knob-server when the driver will start one and
# it is missing or the arguments ask for --build, and generating the API
# modules. $2 is the driver's option (a prefix, e.g. --report=) that makes
# it start no server, as --help does; the rest are the driver's arguments,
# less --build.
bench_exec_driver() {
  local driver=$1 serverless_option=$2 force_build=0 needs_server=1
  local arguments=() argument
  shift 2
  for argument in "$@"; do
    case "$argument" in
      --build) force_build=1 ;;
      -h | --help | "$serverless_option"*) needs_server=0; arguments+=("$argument") ;;
      *) arguments+=("$argument") ;;
    esac
  done

  bench_install_python_packages
  local server_binary=$build/bin/knob-server
  if ((needs_server)) && { ((force_build)) || [[ ! -x $server_binary ]]; }; then
    bench_build knob-server
  fi
  bench_python_stubs

  export KNOB_SERVER_BINARY=$server_binary
  export PYTHONPATH=$root/client/python${PYTHONPATH:+:$PYTHONPATH}
  exec "$python" "$root/tests/bench/$driver" "${arguments[@]}"
}
