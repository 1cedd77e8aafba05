#!/usr/bin/env bash
# Generates the Python modules of the Knob API (knob/v1/*_pb2.py and
# *_pb2_grpc.py) from proto/ into OUTDIR, which then goes on sys.path.
#
#   client/python/generate.sh OUTDIR
#
# Uses Debian's protoc and grpc_python_plugin so that the generated code
# matches Debian's python3-protobuf and python3-grpcio. The modules are
# written to a scratch directory first and renamed into place one by one, so
# several workers may run this at once while others import the result.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: generate.sh OUTDIR}

require() {
  if ! command -v "$1" >/dev/null; then
    echo "generate.sh: $1 not found; run deploy/install-deps.sh" >&2
    exit 1
  fi
}

scratch=""

main() {
  require protoc
  require grpc_python_plugin
  mkdir -p "$out/knob/v1"
  scratch=$(mktemp -d "$out/.generate.XXXXXX")
  trap 'rm -rf "$scratch"' EXIT

  protoc -I "$root/proto" \
    --python_out="$scratch" --grpc_python_out="$scratch" \
    --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" \
    "$root"/proto/knob/v1/*.proto
  # Regular packages rather than namespace packages: an unrelated `knob`
  # directory elsewhere on sys.path must not shadow or merge with these.
  touch "$scratch/knob/__init__.py" "$scratch/knob/v1/__init__.py"

  local file
  for file in "$scratch"/knob/__init__.py "$scratch"/knob/v1/*.py; do
    mv -f "$file" "$out/${file#"$scratch"/}"
  done
}

main
