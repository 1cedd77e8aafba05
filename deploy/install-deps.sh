#!/usr/bin/env bash
# Installs what Knob needs to build, test and run its demo on Debian 12.
# Idempotent: does nothing when every package is already there.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libpqxx-dev libeigen3-dev liblbfgspp-dev libboost-dev
  nlohmann-json3-dev libyaml-cpp-dev libgoogle-perftools-dev prometheus-cpp-dev
  libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang
  postgresql postgresql-contrib
  python3-grpcio python3-protobuf python3-sklearn python3-numpy
  python3-yaml
  chromium
)
# The dashboard's build installs Plotly with npm; a Node.js from elsewhere
# (e.g. NodeSource) brings its own npm, which Debian's would conflict with.
if ! command -v npm >/dev/null; then packages+=(npm); fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if ((EUID != 0)); then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
