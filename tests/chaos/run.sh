#!/usr/bin/env bash
# The chaos suite: kills workers, servers and PostgreSQL under load and
# checks that nothing the server acknowledged is lost or duplicated and no
# trial is left RUNNING past its lease. Starts its own PostgreSQL cluster
# (it restarts and kills it), with the binaries of the installed
# PostgreSQL; everything listens on 127.0.0.1 only.
#
#   tests/chaos/run.sh [--full] [BUILD_DIR]
#     --full      every scenario 3 times instead of once
#     BUILD_DIR   where knob-server, knob-chaos-worker (the C++ worker
#                 process) and the Python API modules were built
#                 (default: $KNOB_BUILD_DIR, else build/)
# Worker processes alternate between the Python and the C++ worker loop.
# The last line is the summary, with the acknowledged writes per loop:
#   chaos: scenarios=N runs=M acknowledged=A lost=L duplicated=D stuck=S py=P cc=C
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
full=()
build=${KNOB_BUILD_DIR:-$root/build}
for arg in "$@"; do
  case "$arg" in
    --full) full=(--full) ;;
    *) build=$arg ;;
  esac
done

server=$build/bin/knob-server
worker=$build/tests/chaos/knob-chaos-worker
for binary in "$server" "$worker"; do
  if [[ ! -x $binary ]]; then
    echo "chaos: $binary not found; build the knob-server, knob-chaos-worker and knob_python_stubs targets" >&2
    exit 1
  fi
done
export KNOB_PYTHON_STUBS=$build/python
exec /usr/bin/python3 -u "$here/chaos.py" --server-binary "$server" \
  --cc-worker-binary "$worker" "${full[@]}"
