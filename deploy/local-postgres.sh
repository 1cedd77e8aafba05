#!/usr/bin/env bash
# Runs a private PostgreSQL cluster in a directory, for the quickstart, the
# tests and the benchmarks. PostgreSQL refuses to run as root, so the
# cluster belongs to the `postgres` system user.
#
#   local-postgres.sh start DIR [PORT]   initdb if needed, start; prints the URL
#   local-postgres.sh stop DIR           fast shutdown
#   local-postgres.sh url DIR            the URL of a started cluster
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
command=${1:?usage: local-postgres.sh start|stop|url DIR [PORT]}
dir=$(realpath -m "${2:?missing DIR}")

as_postgres() {
  if ((EUID == 0)); then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case "$command" in
  start)
    mkdir -p "$dir"
    if ((EUID == 0)); then chown postgres:postgres "$dir"; fi
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
      as_postgres "$bindir/initdb" -D "$dir/data" -A trust -U postgres \
        --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    fi
    port=${3:-$(free_port)}
    mkdir -p "$dir/socket"
    if ((EUID == 0)); then chown postgres:postgres "$dir/socket"; fi
    as_postgres "$bindir/pg_ctl" -D "$dir/data" -w -t 60 -l "$dir/postgres.log" \
      -o "-p $port -k $dir/socket -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB" \
      start >/dev/null
    echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$dir/url"
    cat "$dir/url"
    ;;
  stop)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      as_postgres "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    ;;
  url)
    cat "$dir/url"
    ;;
  *)
    echo "unknown command: $command" >&2
    exit 2
    ;;
esac
