#!/usr/bin/env bash
# Lighthouse (npm, driving Debian's Chromium with its mobile defaults: a phone's screen, slow 4G,
# a 4x slower CPU) on the landing, sign-in, wizard and licensing pages of the release server.
# Playwright signs a member up and takes them through the wizard (with the test DNS and SMTP
# servers of the end-to-end tests); Lighthouse measures each page with that member's cookies.
#   bench/lighthouse.sh     (SKIP_BUILD=1 to reuse the last release build)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

for dir in end2end bench/lighthouse; do
  [ -d "$dir/node_modules" ] || (cd "$dir" && npm ci --no-audit --no-fund >&2)
done
bench_setup
export_site_env
trap 'pg_stop "$BENCH_PG_DIR"' EXIT
out=$(mktemp)

(cd end2end && E2E_DATABASE_URL=$BENCH_DATABASE_URL LEPTOS_SITE_ADDR=127.0.0.1:3210 \
  E2E_SMTP_PORT=2536 E2E_DNS_PORT=15363 E2E_MAIL_DIR="$out.mail" E2E_DNS_DIR="$out.dns" \
  LIGHTHOUSE_BIN="$ROOT/bench/lighthouse/node_modules/.bin/lighthouse" LIGHTHOUSE_OUT="$out" \
  npx playwright test -c lighthouse.config.ts >&2)

echo "Lighthouse $("$ROOT/bench/lighthouse/node_modules/.bin/lighthouse" --version), mobile, $(date -u +%Y-%m-%d)"
python3 - "$out" <<'PY'
import json, sys
print(f"{'page':<12} {'path':<18} {'score':>5} {'LCP ms':>7} {'TBT ms':>7} {'CLS':>6}  goal: score >= 95, LCP <= 2500 ms, TBT <= 200 ms, CLS <= 0.1")
for f in json.load(open(sys.argv[1])):
    misses = [name for name, bad in [("score", f["score"] < 95), ("LCP", f["lcpMs"] > 2500),
                                     ("TBT", f["tbtMs"] > 200), ("CLS", f["cls"] > 0.1)] if bad]
    note = "met" if not misses else "missed: " + ", ".join(misses)
    print(f"{f['page']:<12} {f['path']:<18} {f['score']:>5} {f['lcpMs']:>7} {f['tbtMs']:>7} {f['cls']:>6}  {note}")
PY
rm -rf "$out" "$out.mail" "$out.dns"
