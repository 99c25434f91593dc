#!/usr/bin/env bash
# Builds the release site and prints what a browser downloads on first load: WASM, JS and CSS,
# raw, gzip -9 and brotli -q 11, against the budget for WASM + JS.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

BUDGET_BROTLI_KB=250
[ "${SKIP_BUILD:-}" = 1 ] || SQLX_OFFLINE=true cargo leptos build --release >&2

kb() { awk -v n="$1" 'BEGIN { printf "%.1fK", n / 1024 }'; }
pkg="$ROOT/target/site/pkg"
printf '%-18s %10s %10s %10s\n' file raw gzip brotli
total_raw=0 total_gzip=0 total_brotli=0
for file in "$pkg"/tenantry.wasm "$pkg"/tenantry.js "$pkg"/tenantry.css; do
  raw=$(stat -c %s "$file")
  gz=$(gzip -9 -c "$file" | wc -c)
  br=$(brotli -q 11 -c "$file" | wc -c)
  printf '%-18s %10s %10s %10s\n' "$(basename "$file")" "$(kb "$raw")" "$(kb "$gz")" "$(kb "$br")"
  case "$file" in
    *.css) ;;
    *) total_raw=$((total_raw + raw)) total_gzip=$((total_gzip + gz)) total_brotli=$((total_brotli + br)) ;;
  esac
done
printf '%-18s %10s %10s %10s\n' "WASM + JS" "$(kb "$total_raw")" "$(kb "$total_gzip")" "$(kb "$total_brotli")"
brotli_kb=$((total_brotli / 1024))
if [ "$brotli_kb" -le "$BUDGET_BROTLI_KB" ]; then
  echo "within budget: ${brotli_kb} KB brotli of ${BUDGET_BROTLI_KB} KB"
else
  echo "OVER budget: ${brotli_kb} KB brotli of ${BUDGET_BROTLI_KB} KB"
fi
