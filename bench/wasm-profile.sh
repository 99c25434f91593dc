#!/usr/bin/env bash
# What fills the browser's WebAssembly: twiggy's item sizes of the release build's module, before
# wasm-bindgen, splitting and wasm-opt (so names are still there), summed by the crate each item
# is named after. A generic instantiated for our views counts for the crate that defines it
# (`tachys::…<app::…>` is tachys), which is where its size comes from.
#   bench/wasm-profile.sh      (SKIP_BUILD=1 to reuse the last release build; WASM_MODULE=path
#                               to read another build's module)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

command -v twiggy >/dev/null || cargo install twiggy --locked --version 0.8.0 >&2
[ "${SKIP_BUILD:-}" = 1 ] || build_release_site >&2
module=${WASM_MODULE:-target/front/wasm32-unknown-unknown/wasm-release/frontend.wasm}
twiggy top -n 1000000 --format csv "$module" | python3 -c '
import collections, csv, re, sys
sizes, total = collections.Counter(), 0
for row in csv.DictReader(sys.stdin):
    name, size = row["Name"], int(row["ShallowSize"])
    if name.startswith("custom section") or "subsection" in name:
        continue  # names, linking and relocations: gone from the module browsers get
    total += size
    if name.startswith("data segment"):
        crate = "(data: strings, tables)"
    elif re.match(r"(elem|type|import|export|global|table|memory)\b", name):
        crate = "(module tables)"
    else:
        found = re.search(r"([A-Za-z_][A-Za-z0-9_]*)(\[[0-9a-f]+\])?::", name)
        crate = found.group(1) if found else "(unnamed)"
    sizes[crate] += size
print(f"code and data before wasm-opt: {total / 1024:.0f} KB; by crate:")
for crate, size in sizes.most_common(20):
    print(f"{size / 1024:9.1f} KB {100 * size / total:5.1f}%  {crate}")
'
