#!/usr/bin/env bash
# Builds the Knob image from deploy/Dockerfile and runs it for real: a
# private PostgreSQL on loopback, `knob-server --migrate-only` (what the
# Kubernetes Job runs), knob-server in a container until its health check
# says SERVING, a small study (deploy/demo-quadratic-study.yaml)
# tuned by two knob-example-worker containers, and a look at /metrics.
#
#   bash deploy/test-image.sh
#
# Needs root (podman without a Docker engine, PostgreSQL as `postgres`) and
# Debian's package registry (for podman and for apt-get inside the build).
# No image registry is needed: when debian:bookworm-slim is not there, it
# is made with debootstrap. Everything started is stopped on exit; the
# built image stays, as knob:test-image, so that a second run reuses its
# layers (remove it with: podman rmi knob:test-image).
#
# The last line reads
#   image: size_mb=<n> trials=<n> health=SERVING metrics=<n series>
# where metrics=0 means the server served no /metrics.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
image=localhost/knob:test-image
base_image=docker.io/library/debian:bookworm-slim
study=quadratic-demo
workers=2

work=""
pgdir=""
containers=()

say() { echo "test-image: $*" >&2; }

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local container
  for container in "${containers[@]}"; do
    if ((status != 0)) && [[ $container == knob-test-image-server-* ]]; then
      say "last lines of the server's log:"
      podman logs --tail 20 "$container" 2>&1 | sed 's/^/    /' >&2 || true
    fi
    podman rm -f "$container" >/dev/null 2>&1 || true
  done
  if [[ -n $pgdir ]]; then
    (cd / && bash "$root/deploy/local-postgres.sh" stop "$pgdir") || true
    rm -rf "$pgdir"
  fi
  if [[ -n $work ]]; then rm -rf "$work"; fi
  exit "$status"
}

install_tools() {
  local missing=() package
  for package in podman buildah debootstrap runc; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
      grep -q "ok installed"; then
      missing+=("$package")
    fi
  done
  if ((${#missing[@]} > 0)); then
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# Without systemd or a Docker engine: runc, cgroupfs, and no default
# ulimits (the container may not raise its own).
configure_podman() {
  cat >"$work/containers.conf" <<'EOF'
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
EOF
  export CONTAINERS_CONF=$work/containers.conf
}

podman() { command podman --runtime runc "$@"; }

# debian:bookworm-slim as the registry would give it: a minimal Debian 12
# without documentation, translations or package lists.
make_base_image() {
  if podman image exists "$base_image"; then return 0; fi
  say "making $base_image with debootstrap"
  local rootfs=$work/rootfs
  debootstrap --variant=minbase bookworm "$rootfs" >"$work/debootstrap.log" 2>&1
  rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/locale/* \
    "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
  tar -C "$rootfs" -c . | podman import - "$base_image" >/dev/null
  rm -rf "$rootfs"
}

build_image() {
  say "building $image from deploy/Dockerfile (log: $work/build.log)"
  # npm inside the build trusts what this host trusts: its network may
  # reach the registry through a proxy that re-signs TLS.
  local host_ca=()
  if [[ -r /etc/ssl/certs/ca-certificates.crt ]]; then
    host_ca=(--volume /etc/ssl/certs/ca-certificates.crt:/knob-build-ca/ca.crt:ro
      --build-arg NODE_EXTRA_CA_CERTS=/knob-build-ca/ca.crt)
  fi
  # --format docker keeps HEALTHCHECK, which the OCI format has no field for.
  if ! podman build --format docker --network host --pull=never \
    "${host_ca[@]}" -f "$root/deploy/Dockerfile" -t "$image" "$root" \
    >"$work/build.log" 2>&1; then
    tail -n 30 "$work/build.log" >&2
    return 1
  fi
}

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# knobctl from the image, on the host network.
knobctl() {
  podman run --rm --network host --no-healthcheck --entrypoint knobctl \
    -v "$root/deploy/demo-quadratic-study.yaml:/demo/study.yaml:ro" \
    "$image" --server="127.0.0.1:$grpc_port" "$@"
}

# What the Kubernetes migration Job runs.
migrate_only() {
  say "applying migrations with --migrate-only"
  podman run --rm --network host --no-healthcheck \
    -e KNOB_DATABASE_URL="$database_url" "$image" --migrate-only \
    >"$work/migrate.log" 2>&1 || {
    cat "$work/migrate.log" >&2
    return 1
  }
}

start_server() {
  grpc_port=$(free_port)
  metrics_port=$(free_port)
  server=knob-test-image-server-$$
  containers+=("$server")
  say "starting knob-server on 127.0.0.1:$grpc_port (metrics: $metrics_port)"
  # The health check runs when asked (podman healthcheck run): without
  # systemd, podman has no timer to run it on.
  podman run -d --name "$server" --network host --health-interval=disable \
    -e KNOB_DATABASE_URL="$database_url" \
    -e KNOB_LISTEN="127.0.0.1:$grpc_port" \
    -e KNOB_METRICS_LISTEN="127.0.0.1:$metrics_port" \
    "$image" >/dev/null 2>"$work/server-start.log" || {
    cat "$work/server-start.log" >&2
    return 1
  }
  local deadline=$((SECONDS + 60))
  # The image's own HEALTHCHECK: knobctl health on KNOB_LISTEN's port.
  until podman healthcheck run "$server" >/dev/null 2>&1; do
    if [[ $(podman inspect -f '{{.State.Running}}' "$server") != true ]]; then
      say "knob-server exited during start-up"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      say "knob-server was not healthy within 60 s"
      return 1
    fi
    sleep 1
  done
}

run_study() {
  say "creating $study and tuning it with $workers worker containers"
  knobctl create /demo/study.yaml >&2
  local pids=() i
  for ((i = 1; i <= workers; i++)); do
    containers+=("knob-test-image-worker-$$-$i")
    podman run --rm --name "knob-test-image-worker-$$-$i" --network host \
      --no-healthcheck --entrypoint knob-example-worker "$image" \
      --server="127.0.0.1:$grpc_port" --study="$study" \
      >"$work/worker-$i.log" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      say "worker $((i + 1)) failed:"
      tail -n 20 "$work/worker-$((i + 1)).log" >&2
      return 1
    fi
  done
  # Completed trials, from the export's state column.
  trials=$(knobctl export "$study" --format=csv |
    awk -F, 'NR > 1 && $2 == "COMPLETED"' | wc -l)
  if ((trials == 0)); then
    say "no completed trials"
    return 1
  fi
}

check_health() {
  health=$(podman exec "$server" knobctl --server="127.0.0.1:$grpc_port" \
    --timeout=3 health)
  if [[ $health != SERVING ]]; then
    say "health after the study: $health"
    return 1
  fi
  podman healthcheck run "$server" >/dev/null
}

# Metric series: the non-comment lines of the Prometheus text format.
count_metrics() {
  local text
  if ! text=$(curl -fsS --max-time 5 "http://127.0.0.1:$metrics_port/metrics" 2>&1); then
    say "no /metrics on port $metrics_port ($text)"
    metrics=0
    return 0
  fi
  metrics=$(grep -cv -e '^#' -e '^$' <<<"$text" || true)
}

main() {
  if ((EUID != 0)); then
    say "run as root (podman, and PostgreSQL as the postgres user)"
    exit 2
  fi
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  work=$(mktemp -d /tmp/knob-test-image.XXXXXX)
  install_tools
  configure_podman
  make_base_image
  build_image
  local size_bytes
  size_bytes=$(podman image inspect -f '{{.Size}}' "$image")
  size_mb=$(((size_bytes + 500000) / 1000000))
  say "image size: $size_mb MB"

  pgdir=$(mktemp -d /tmp/knob-test-image-pg.XXXXXX)
  database_url=$(cd / && bash "$root/deploy/local-postgres.sh" start "$pgdir")
  say "PostgreSQL at $database_url"

  migrate_only
  start_server
  run_study
  check_health
  count_metrics
  echo "image: size_mb=$size_mb trials=$trials health=$health metrics=$metrics"
}

main "$@"
