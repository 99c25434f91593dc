#!/usr/bin/env bash
# The people list at 100,000 members through the release server: p50/p95 of the first page, a
# search, a page deep in the list and a full CSV export, next to a plain indexed SELECT of one
# page in the same run. Uses a private PostgreSQL.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

bench_example bench_people 1
