#!/usr/bin/env bash
# Every performance figure in one table, each next to a baseline measured in the same run on the
# same machine: the release server against a plain axum server (server/examples/bench_baseline.rs)
# serving the very bytes Tenantry served and making the same query. Builds once; needs `wrk`
# (Debian) and uses a private PostgreSQL. Figures are ratios, since machines differ.
#   bench/run.sh            (SKIP_BUILD=1 to reuse the last release build)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

command -v wrk >/dev/null || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
bench_setup bench_baseline
SQLX_OFFLINE=true cargo build --release -p server --example bench_accounts --example bench_presence --example bench_throughput >&2
database=$BENCH_DATABASE_URL
work=$(mktemp -d)

export_site_env
app=127.0.0.1:3200 base=127.0.0.1:3299
DATABASE_URL="$database" RUST_LOG=warn PAYMENTS=test LEPTOS_SITE_ADDR=$app "$ROOT/target/release/server" &
server=$!
baseline=""
trap 'kill $server $baseline 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; pg_stop "$BENCH_PG_DIR"; true' EXIT
wait_ready $app

# The baseline serves exactly what Tenantry served.
curl -sf "http://$app/signin" -o "$work/signin.html"
curl -sf "http://$app/favicon.svg" -o "$work/favicon.svg"
"$ROOT/target/release/examples/bench_baseline" $base "$database" "$work/signin.html" "$work/favicon.svg" &
baseline=$!
until curl -sf "http://$base/favicon.svg" -o /dev/null; do sleep 0.2; done

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = ""
wrk.headers["Accept"] = "application/json"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA

# wrk's requests per second, or mean latency in ms, for: CONNECTIONS URL [wrk options]
rate() {
  local connections=$1 url=$2
  shift 2
  wrk -t2 -c"$connections" -d"${DURATION:-8}s" "$@" "$url" | awk '/^Requests\/sec:/ { printf "%.0f", $2 }'
}
latency_ms() {
  wrk -t1 -c1 -d"${DURATION:-8}s" "$@" | awk '/^    Latency/ {
    v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
    if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000
    printf "%.2f", v }'
}
ratio() { python3 -c "print(f'{$1 / $2:.3f}')"; }

rows=()
row() { rows+=("$(printf '%-58s %14s %14s %9s  %s' "$@")"); }

keep_app=$(latency_ms "http://$app/signin")
keep_base=$(latency_ms "http://$base/signin")
row "one kept-alive connection, GET /signin, mean ms" "$keep_app" "$keep_base" "$(ratio "$keep_app" "$keep_base")" "goal: under 1 ms"

fav_app=$(rate 64 "http://$app/favicon.svg")
fav_base=$(rate 64 "http://$base/favicon.svg")
row "GET /favicon.svg at 64 connections, requests/s" "$fav_app" "$fav_base" "$(ratio "$fav_app" "$fav_base")" "goal: >= 20,000/s"

ssr_app=$(rate 64 "http://$app/signin")
ssr_base=$(rate 64 "http://$base/signin")
row "server-rendered GET /signin at 64 connections, requests/s" "$ssr_app" "$ssr_base" "$(ratio "$ssr_app" "$ssr_base")" "goal: ratio >= 0.1"

fn_app=$(rate 64 "http://$app/api/database_status" -s "$work/post.lua")
fn_base=$(rate 64 "http://$base/api/database_status" -s "$work/post.lua")
row "server function with one query at 64 connections, req/s" "$fn_app" "$fn_base" "$(ratio "$fn_app" "$fn_base")" "same query through sqlx"

# The main WASM as a browser gets it: precompressed brotli, cached for a year by its hashed name.
wasm=$(cd target/site/pkg && ls tenantry.*.wasm | grep -v '\.br$\|\.gz$' | head -1)
read -r sent seconds < <(curl -s -H 'Accept-Encoding: br' -o /dev/null -w '%{size_download} %{time_total}\n' "http://$app/pkg/$wasm")
raw=$(stat -c %s "target/site/pkg/$wasm")
caching=$(curl -s -D - -o /dev/null -H 'Accept-Encoding: br' "http://$app/pkg/$wasm" | tr -d '\r' | awk -F': ' 'tolower($1) == "cache-control" { print $2 }')
row "main WASM as sent with Accept-Encoding: br, KB" "$((sent / 1024))" "$((raw / 1024))" "$(ratio "$sent" "$raw")" "raw size as baseline; ${seconds}s; $caching"

kill $server $baseline 2>/dev/null || true
wait 2>/dev/null || true
baseline=""

say "first-load sizes"
sizes=$(SKIP_BUILD=1 bench/wasm-size.sh)
say "sign-ups"
accounts=$(SKIP_BUILD=1 bench/accounts.sh 2>/dev/null)
say "live presence"
presence=$(SKIP_BUILD=1 bench/presence.sh 2>/dev/null)
say "throughput under contention"
throughput=$(SKIP_BUILD=1 bench/throughput.sh 2>/dev/null)
say "Lighthouse"
lighthouse=$(SKIP_BUILD=1 bench/lighthouse.sh 2>/dev/null)

echo
echo "bench/run.sh, $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m)"
printf '%-58s %14s %14s %9s  %s\n' "figure" "Tenantry" "baseline" "ratio" "note"
printf '%s\n' "${rows[@]}"
echo
echo "$sizes"
echo
echo "$accounts"
echo
echo "$presence"
echo
echo "$throughput"
echo
echo "$lighthouse"
