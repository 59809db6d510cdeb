#!/usr/bin/env bash
# Runs `bin/vmafx-node bench fleet` against a throwaway PostgreSQL 15 cluster: made with initdb in a private
# temporary directory, run as the postgres user on 127.0.0.1 on a free port (socket in that directory), stopped and
# removed on exit, Ctrl-C included. Arguments go to the bench (e.g. --tiny-jobs 100).
set -euo pipefail
home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=/usr/lib/postgresql/15/bin
[[ -x $bin/initdb ]] || "$home/scripts/setup.sh" >&2
dir=$(mktemp -d /tmp/vmafx-bench-pg-XXXXXX)
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
mkdir -p "$dir/socket" "$dir/secret"
printf '%s\n' "$password" > "$dir/pwfile"
[[ $(id -u) == 0 ]] && chown -R postgres: "$dir/socket" "$dir/pwfile" && chown postgres: "$dir"
as_pg "$bin/initdb" -D "$dir/data" -U vmafx -E UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 \
  --pwfile="$dir/pwfile" -N >/dev/null
rm -f "$dir/pwfile"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Settings of a throwaway database (no fsync): the figures are the node's and the store's, not the disk's.
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-p $port -k $dir/socket -c listen_addresses=127.0.0.1 \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
as_pg "$bin/psql" -h "$dir/socket" -p "$port" -U vmafx -d postgres -qc "CREATE DATABASE vmafx" >/dev/null
install -m 0600 /dev/null "$dir/secret/password"
printf '%s\n' "$password" > "$dir/secret/password"
VMAFX_JOB_STORE="postgresql://127.0.0.1:$port/vmafx" VMAFX_JOB_STORE_USER=vmafx \
  VMAFX_JOB_STORE_PASSWORD_FILE="$dir/secret/password" "$home/bin/vmafx-node" bench fleet "$@"
