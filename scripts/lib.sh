# Shared helpers for the setup, run and test scripts. Source it; do not run it.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# wasm-opt comes from npm (tools/), ahead of any older one on the system.
export PATH="$ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# The newest PostgreSQL server binaries on this machine.
pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] || die "PostgreSQL server binaries not found; run scripts/setup.sh first"
  echo "$dir"
}

# Runs a PostgreSQL tool as the cluster owner: `postgres` when we are root (initdb refuses root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Where a private cluster named $1 keeps its files: under data/ in the checkout, or, when we are
# root and the `postgres` user cannot reach the checkout (say, under /root), under /var/lib.
pg_dir_for() {
  local name="$1"
  if [ "$(id -u)" != 0 ] || runuser -u postgres -- test -x "$ROOT"; then
    echo "$ROOT/data/$name"
  else
    echo "/var/lib/tenantry/$(printf '%s' "$ROOT" | md5sum | cut -c1-12)/$name"
  fi
}

# Starts (creating on first use) a private cluster under $1, preferring port $2, with the server
# options in $PG_OPTIONS if set. Sets PG_DIR, PG_PORT and PG_SOCKET. Data survives restarts.
pg_start() {
  PG_DIR="$1"
  local preferred="$2" bin
  bin=$(pg_bin)
  PG_SOCKET="$PG_DIR/run"
  mkdir -p "$PG_DIR"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_DIR"; chmod 700 "$PG_DIR"; fi
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    say "creating a private PostgreSQL cluster in $PG_DIR"
    as_pg "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
      || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
  fi
  as_pg mkdir -p "$PG_SOCKET"
  if as_pg "$bin/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
    PG_PORT=$(cat "$PG_DIR/port")
    return
  fi
  PG_PORT=$(cat "$PG_DIR/port" 2>/dev/null || echo "$preferred")
  while ! port_is_free "$PG_PORT"; do PG_PORT=$((PG_PORT + 1)); done
  echo "$PG_PORT" | as_pg tee "$PG_DIR/port" >/dev/null
  as_pg "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_SOCKET -c listen_addresses=127.0.0.1 ${PG_OPTIONS:-}" start >/dev/null \
    || { tail -n 20 "$PG_DIR/postgres.log" >&2; die "PostgreSQL did not start"; }
}

pg_stop() {
  as_pg "$(pg_bin)/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true
}

# Runs SQL as the cluster's superuser over the private socket.
pg_admin() {
  as_pg "$(pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET" -p "$PG_PORT" -U postgres -d postgres "$@"
}

# Ensures a login role $1 (not a superuser) with password $2 owning database $3.
pg_ensure_app_database() {
  local role="$1" password="$2" database="$3"
  pg_admin -v role="$role" -v password="$password" <<'SQL'
select format('create role %I login password %L', :'role', :'password')
 where not exists (select from pg_roles where rolname = :'role') \gexec
select format('alter role %I login password %L nosuperuser nocreaterole', :'role', :'password') \gexec
SQL
  pg_admin -v role="$role" -v db="$database" <<'SQL'
select format('create database %I owner %I', :'db', :'role')
 where not exists (select from pg_database where datname = :'db') \gexec
SQL
}

# A random password kept beside the cluster, readable only by its owner.
pg_app_password() {
  local file="$PG_DIR/app-password"
  if [ ! -s "$file" ]; then
    (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$file")
  fi
  cat "$file"
}

# The wasm-bindgen version Cargo.lock pins: the CLI must match it exactly.
locked_wasm_bindgen() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# Builds the release site and server, then writes each static file's best brotli (-q 11) and
# gzip (-9) beside it, which the server sends to browsers that accept them instead of
# compressing on every request.
build_release_site() {
  SQLX_OFFLINE=true cargo leptos build --release --split
  precompress_site "$ROOT/target/site"
}

precompress_site() {
  find "$1" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.svg' -o -name '*.json' \) \
    -size +1k -print0 |
    xargs -0 -r -P "$(nproc)" -I{} sh -c 'brotli -f -q 11 -o "$1.br" "$1" && gzip -f -9 -k "$1"' _ {}
}

# The site settings the release server needs when it runs outside cargo-leptos.
export_site_env() {
  export LEPTOS_OUTPUT_NAME=tenantry
  export LEPTOS_SITE_ROOT="$ROOT/target/site"
  export LEPTOS_SITE_PKG_DIR=pkg
  # The build names /pkg files by their content; the server reads the names from target/release/hash.txt.
  export LEPTOS_HASH_FILES=true
  export LEPTOS_ENV=PROD
  export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
}

# For benchmarks: builds the release site (unless SKIP_BUILD=1) and the example $1 if named, and makes a
# fresh database on a private cluster. Sets BENCH_PG_DIR and BENCH_DATABASE_URL.
bench_setup() {
  [ "${SKIP_BUILD:-}" = 1 ] || build_release_site >&2
  [ -z "${1:-}" ] || SQLX_OFFLINE=true cargo build --release -p server --example "$1" >&2
  # PG_STAT_STATEMENTS=1: PostgreSQL counts each statement's calls and time, and
  # bench_statements prints the costliest.
  [ "${PG_STAT_STATEMENTS:-}" != 1 ] \
    || PG_OPTIONS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
  pg_start "$(pg_dir_for bench-postgres)" 54349
  BENCH_PG_DIR=$PG_DIR
  if [ "${PG_STAT_STATEMENTS:-}" = 1 ]; then
    pg_admin -c "create extension if not exists pg_stat_statements" -c "select pg_stat_statements_reset()" >/dev/null
  fi
  pg_admin -c "drop database if exists tenantry_bench with (force)"
  pg_ensure_app_database tenantry_bench bench tenantry_bench
  BENCH_DATABASE_URL="postgres://tenantry_bench:bench@127.0.0.1:$PG_PORT/tenantry_bench"
}

# With PG_STAT_STATEMENTS=1, the statements that took PostgreSQL the most time since bench_setup.
bench_statements() {
  [ "${PG_STAT_STATEMENTS:-}" = 1 ] || return 0
  echo "statements by total time (pg_stat_statements): calls, total ms, mean ms, blocks read or hit per call"
  pg_admin -At -F' | ' -c "select calls, round(total_exec_time::numeric), round(mean_exec_time::numeric, 3),
      (shared_blks_hit + shared_blks_read) / greatest(calls, 1), left(regexp_replace(query, '\s+', ' ', 'g'), 110)
      from pg_stat_statements where dbid = (select oid from pg_database where datname = 'tenantry_bench')
      order by total_exec_time desc limit ${1:-12}"
}

# For benchmarks, after bench_setup: starts $1 release servers on 127.0.0.1:3200, :3201, ...
# against the bench database, waits until each is ready, and on exit runs $2 (the caller's own
# cleanup, if any), then stops the servers and the private PostgreSQL. Anything the servers
# should see besides (TRUSTED_PROXIES, DNS_NAMESERVERS) is exported before.
bench_servers() {
  local count=$1 port
  export_site_env
  export DATABASE_URL="$BENCH_DATABASE_URL" RUST_LOG=warn PAYMENTS=test
  BENCH_SERVER_PIDS=""
  # Servers the caller stopped already are not there to kill; PostgreSQL is stopped regardless.
  trap "${2:-true}; kill \$BENCH_SERVER_PIDS 2>/dev/null || true; wait 2>/dev/null; pg_stop '$BENCH_PG_DIR'" EXIT
  # Each server gets its share of the cores as tokio worker threads, as an operator running
  # several processes on one machine would set it; by default each would start one a core, and
  # the processes would wake and preempt each other's threads.
  local workers=${BENCH_SERVER_WORKERS:-$(($(nproc) / count))}
  [ "$workers" -ge 1 ] || workers=1
  for port in $(seq 3200 $((3199 + count))); do
    TOKIO_WORKER_THREADS=$workers LEPTOS_SITE_ADDR=127.0.0.1:$port "$ROOT/target/release/server" &
    BENCH_SERVER_PIDS="$BENCH_SERVER_PIDS $!"
    wait_ready "127.0.0.1:$port"
  done
}

# For the benchmarks that are one example binary ($1) against $2 release servers: sets up, starts
# the servers and runs the example with each server's address and the database URL.
bench_example() {
  local example=$1 count=$2 port servers=()
  bench_setup "$example"
  bench_servers "$count"
  for port in $(seq 3200 $((3199 + count))); do servers+=("http://127.0.0.1:$port"); done
  "$ROOT/target/release/examples/$example" "${servers[@]}" "$BENCH_DATABASE_URL"
  bench_statements
}

# Waits until the server on $1 (host:port) answers /readyz.
wait_ready() {
  for _ in $(seq 100); do
    curl -sf "http://$1/readyz" >/dev/null && return
    sleep 0.2
  done
  die "the server on $1 did not become ready"
}
