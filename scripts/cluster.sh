#!/usr/bin/env bash
# Three Tenantry servers on one database behind HAProxy on loopback, in the foreground, as the
# README's "Running more than one server" describes; ends them all when it ends.
#   scripts/cluster.sh DIR PORT
# HAProxy listens on PORT and the servers on PORT+1..PORT+3. DIR receives the HAProxy
# configuration and each server's log and pid (server-N.log, server-N.pid), so a test can kill
# one. Needs DATABASE_URL and the rest of the servers' settings in the environment, and the
# release build (scripts/lib.sh build_release_site).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

dir="$1" port="$2"
mkdir -p "$dir"
export_site_env
# Only HAProxy's X-Forwarded-For is believed, and links in mail lead to HAProxy.
export TRUSTED_PROXIES=127.0.0.1 PUBLIC_URL="http://127.0.0.1:$port"

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait' EXIT
for n in 1 2 3; do
  LEPTOS_SITE_ADDR="127.0.0.1:$((port + n))" "$ROOT/target/release/server" >"$dir/server-$n.log" 2>&1 &
  pids+=("$!")
  echo "$!" >"$dir/server-$n.pid"
done
sed -e "s/@LISTEN@/127.0.0.1:$port/" \
  -e "s/@SERVER1@/127.0.0.1:$((port + 1))/" \
  -e "s/@SERVER2@/127.0.0.1:$((port + 2))/" \
  -e "s/@SERVER3@/127.0.0.1:$((port + 3))/" \
  "$ROOT/scripts/haproxy.cfg" >"$dir/haproxy.cfg"
haproxy -W -db -f "$dir/haproxy.cfg" &
haproxy=$!
pids+=("$haproxy")
# The servers may be killed one by one by a test; the cluster lives as long as HAProxy does.
wait "$haproxy"
