#!/usr/bin/env bash
# Sets up and runs Tenantry on http://127.0.0.1:3000.
# With DATABASE_URL unset, it starts a private PostgreSQL under data/ (kept between runs).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/setup.sh" run

if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$("$ROOT/scripts/pg.sh" url)
  export DATABASE_URL
  say "using the private PostgreSQL under $(pg_dir_for postgres); stop it with: scripts/pg.sh stop"
fi

# Licenses are paid with the offline test cards unless Stripe is configured; both are explicit
# choices, and the server refuses test payments behind an https:// PUBLIC_URL.
if [ -z "${PAYMENTS:-}" ]; then
  if [ -n "${STRIPE_SECRET_KEY:-}" ]; then export PAYMENTS=stripe; else export PAYMENTS=test; fi
  say "PAYMENTS=$PAYMENTS"
fi

# Without SMTP, sign-up codes are read from the development mailbox page.
if [ -z "${SMTP_URL:-}" ]; then
  export DEV_MAILBOX="${DEV_MAILBOX:-true}"
  say "SMTP_URL is not set: mail shows at http://${LEPTOS_SITE_ADDR:-127.0.0.1:3000}/dev/mailbox"
fi

say "building the release site"
build_release_site

export_site_env
say "serving on http://$LEPTOS_SITE_ADDR"
exec "$ROOT/target/release/server"
