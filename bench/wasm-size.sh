#!/usr/bin/env bash
# Builds the release site and prints what a browser downloads on first load of each page: the
# main WASM and JS, plus, for pages whose code is split off, their chunks (listed in the split
# manifest). Sizes raw, gzip -9 and brotli -q 11; the budgets (the launcher 150 KB, any page
# 200 KB) are for WASM + JS, brotli.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

[ "${SKIP_BUILD:-}" = 1 ] || build_release_site >&2

python3 - "$ROOT/target/site/pkg" <<'PY'
import gzip, json, subprocess, sys
from pathlib import Path

LAUNCHER_BUDGET_KB, PAGE_BUDGET_KB = 150, 200
pkg = Path(sys.argv[1])

def sizes(name):
    data = (pkg / name).read_bytes()
    brotli = subprocess.run(["brotli", "-q", "11", "-c"], input=data, capture_output=True, check=True).stdout
    return len(data), len(gzip.compress(data, 9)), len(brotli)

def kb(n):
    return f"{n / 1024:.1f}K"

# File names carry a content hash (hash-files); the build's own .br and .gz copies are skipped.
def named(pattern):
    return sorted(p.name for p in pkg.glob(pattern) if p.suffix not in (".br", ".gz"))

main = named("tenantry.*.wasm") + named("tenantry.*.js") + named("__wasm_split.*.js")
manifests = named("__wasm_split_manifest*.json")
manifest = json.loads((pkg / manifests[0]).read_text()) if manifests else {}

print(f"{'file':<44} {'raw':>9} {'gzip':>9} {'brotli':>9}")
for name in main + named("tenantry.*.css"):
    raw, gz, br = sizes(name)
    print(f"{name:<44} {kb(raw):>9} {kb(gz):>9} {kb(br):>9}")

def first_load(extra):
    files = main + [f"{chunk}.wasm" for chunk in extra]
    totals = [sum(column) for column in zip(*(sizes(name) for name in files))]
    return totals

print()
print(f"{'first load of (WASM + JS)':<44} {'raw':>9} {'gzip':>9} {'brotli':>9}")
pages = [("the launcher (in the main module)", [])]
for split, chunks in sorted(manifest.items()):
    page = split.strip("_").rsplit("_route_view", 1)[0].replace("_", " ")
    pages.append((f"{page} page", chunks))
worst = 0
for label, chunks in pages:
    raw, gz, br = first_load(chunks)
    worst = max(worst, br)
    print(f"{label:<44} {kb(raw):>9} {kb(gz):>9} {kb(br):>9}")
launcher, worst = first_load([])[2] // 1024, worst // 1024
status = "within budget" if launcher <= LAUNCHER_BUDGET_KB and worst <= PAGE_BUDGET_KB else "OVER budget"
print(f"{status}: the launcher loads {launcher} KB brotli of {LAUNCHER_BUDGET_KB} KB; "
      f"the heaviest page {worst} KB of {PAGE_BUDGET_KB} KB")
PY
