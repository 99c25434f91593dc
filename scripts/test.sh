#!/usr/bin/env bash
# Sets up and runs every check and test: formatting, lints, the SQLx offline data, unit and
# integration tests against a private PostgreSQL, and Playwright in Chromium against the release build.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/setup.sh" test

# A cluster of its own, so a developer's data and any other PostgreSQL stay untouched.
TEST_PG_DIR=$(pg_dir_for test-postgres)
pg_start "$TEST_PG_DIR" 54339
trap 'pg_stop "$TEST_PG_DIR"' EXIT
pg_admin -c "alter role postgres password 'postgres'"
export TEST_DATABASE_ADMIN_URL="postgres://postgres:postgres@127.0.0.1:$PG_PORT/postgres"
# `#[sqlx::test]` makes a fresh database per test on this server.
export DATABASE_URL="$TEST_DATABASE_ADMIN_URL"
export SQLX_OFFLINE=true
# One-off builds gain nothing from incremental state, which costs gigabytes.
export CARGO_INCREMENTAL=0

say "cargo fmt --check"
cargo fmt --all --check

say "clippy (server and browser builds)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

say "SQLx offline data is current"
pg_ensure_app_database tenantry_prepare prepare tenantry_prepare
prepare_url="postgres://tenantry_prepare:prepare@127.0.0.1:$PG_PORT/tenantry_prepare"
sqlx migrate run --source migrations --database-url "$prepare_url" >/dev/null
SQLX_OFFLINE=false DATABASE_URL="$prepare_url" cargo sqlx prepare --workspace --check -- --all-targets

say "unit and integration tests"
cargo test --workspace --all-targets

say "release build"
build_release_site

say "end-to-end tests in Chromium"
# The app runs as a role that is not a superuser, on a database made fresh for this run.
pg_admin -c "drop database if exists tenantry_e2e with (force)"
pg_ensure_app_database tenantry_e2e e2e tenantry_e2e
export E2E_DATABASE_URL="postgres://tenantry_e2e:e2e@127.0.0.1:$PG_PORT/tenantry_e2e"
export_site_env
export LEPTOS_SITE_ADDR=127.0.0.1:3100
E2E_MAIL_DIR=$(mktemp -d) E2E_DNS_DIR=$(mktemp -d)
export E2E_MAIL_DIR E2E_DNS_DIR E2E_SMTP_PORT=2526 E2E_DNS_PORT=15353
export PSQL="$(pg_bin)/psql"
# CI mode: a test left focused with `.only` fails the run instead of skipping the others.
(cd end2end && CI="${CI:-1}" npx playwright test)
rm -rf "$E2E_MAIL_DIR" "$E2E_DNS_DIR"

say "the story through three servers behind HAProxy, in Chromium"
pg_admin -c "drop database if exists tenantry_cluster with (force)"
pg_ensure_app_database tenantry_cluster cluster tenantry_cluster
export E2E_CLUSTER_DATABASE_URL="postgres://tenantry_cluster:cluster@127.0.0.1:$PG_PORT/tenantry_cluster"
E2E_MAIL_DIR=$(mktemp -d) E2E_DNS_DIR=$(mktemp -d) E2E_CLUSTER_DIR=$(mktemp -d)
export E2E_MAIL_DIR E2E_DNS_DIR E2E_CLUSTER_DIR E2E_CLUSTER_PORT=3300
(cd end2end && CI="${CI:-1}" npx playwright test -c cluster.config.ts)
rm -rf "$E2E_MAIL_DIR" "$E2E_DNS_DIR" "$E2E_CLUSTER_DIR"

say "all checks passed"
