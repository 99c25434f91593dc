#!/usr/bin/env bash
# Where the CPU goes while the release server is loaded, sampled with `perf` across the whole
# machine (server, PostgreSQL and the load generator share its cores):
#   bench/profile.sh ssr       GET /signin at 64 connections (wrk), as in bench/run.sh
#   bench/profile.sh sign-ups  the sign-ups of bench/accounts.sh
#   bench/profile.sh seats     the license assignments of bench/throughput.sh, sampled only
#                              while they race (the rest of that script runs unsampled)
# Prints the share of samples by process, then the server's own by crate and its top symbols.
# Needs `perf` (Debian: linux-perf) and kernel.perf_event_paranoid <= 0 or root.
# SKIP_BUILD=1 reuses the last release build.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

what=${1:-}
case $what in
  ssr | sign-ups | seats) ;;
  *) die "usage: bench/profile.sh ssr|sign-ups|seats" ;;
esac
command -v perf >/dev/null || die "perf is not installed (apt-get install linux-perf)"
command -v wrk >/dev/null || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null

work=$(mktemp -d)
trap "rm -rf '$work'" EXIT
record() { perf record -a -F 499 -o "$work/perf.data" "$@" 2>"$work/perf.log"; }
case $what in
  ssr)
    bench_setup
    bench_servers 1 "rm -rf '$work'"
    wrk -t2 -c64 -d3s http://127.0.0.1:3200/signin >/dev/null # warm up
    record -- wrk -t2 -c64 -d10s http://127.0.0.1:3200/signin >"$work/load.txt"
    echo "load: $(awk '/^Requests\/sec:/ { print $2 }' "$work/load.txt") requests/s of GET /signin at 64 connections"
    ;;
  sign-ups)
    bench_setup bench_accounts
    bench_servers 1 "rm -rf '$work'"
    record -- "$ROOT/target/release/examples/bench_accounts" http://127.0.0.1:3200 "$BENCH_DATABASE_URL" >"$work/load.txt"
    sed -n '/argon2id raw/,/ratio/p' "$work/load.txt" | sed 's/^/load: /'
    ;;
  seats)
    # Sampling starts disabled; the benchmark enables it for the race and disables it after.
    mkfifo "$work/control" "$work/ack"
    record -D -1 --control "fifo:$work/control,$work/ack" -- \
      env PERF_CONTROL="$work/control" PERF_ACK="$work/ack" "$ROOT/bench/throughput.sh" >"$work/load.txt"
    grep '^seats:' "$work/load.txt" | sed 's/^/load: /'
    ;;
esac

# The servers are the processes with samples in the release server binary.
perf script -i "$work/perf.data" -F pid,comm,ip,dso 2>/dev/null >"$work/samples.txt"
server=$(awk '$NF ~ /\/target\/release\/server\)$/ { print $2 }' "$work/samples.txt" | sort -u | paste -sd,)
[ -n "$server" ] || die "no samples in the server"
perf report -i "$work/perf.data" --no-children --pid "$server" --sort sym --stdio 2>/dev/null >"$work/by-sym.txt"
python3 - "$work/samples.txt" "$work/by-sym.txt" "$server" <<'PY'
import re, sys
from collections import defaultdict

samples_text, by_sym = open(sys.argv[1]).read(), open(sys.argv[2]).read()
servers = set(sys.argv[3].split(","))
samples = re.findall(r"^\s*(.+?)\s+(\d+)\s+[0-9a-f]+\s+\(.*\)\s*$", samples_text, re.M)
groups = defaultdict(float)
for comm, pid in samples:
    if pid in servers:
        name = "tenantry server" if len(servers) == 1 else f"tenantry servers ({len(servers)})"
    elif comm.startswith("postgres"):
        name = "PostgreSQL"
    elif comm in ("wrk", "swapper"):
        name = comm
    else:
        name = "the load's client" if comm.startswith(("tokio", "bench_")) else "other"
    groups[name] += 100.0 / max(len(samples), 1)
print("\nCPU samples by process (all cores; swapper is idle time)")
for name, share in sorted(groups.items(), key=lambda kv: -kv[1]):
    print(f"  {share:6.1f}%  {name}")

symbols = re.findall(r"^\s+([\d.]+)%\s+\[([.k])\]\s+(.+?)\s*$", by_sym, re.M)
def crate(symbol: str, space: str) -> str:
    if space == "k":
        return "(kernel)"
    name = symbol.lstrip("<&*( ")
    name = re.sub(r"^(dyn |impl |mut )", "", name)
    head = re.split(r"::|<| as ", name, maxsplit=1)[0]
    if re.match(r"^_?(mi_|_mi_)", head):
        return "mimalloc"
    if head.startswith(("__memcpy", "__memmove", "__memset", "__memcmp", "memcpy", "memmove")):
        return "(libc: memory)"
    return head or "(unknown)"
crates = defaultdict(float)
for share, space, symbol in symbols:
    crates[crate(symbol, space)] += float(share)
total = sum(crates.values()) or 1.0
print("\nthe server's samples by crate (share of the server's own)")
for name, share in sorted(crates.items(), key=lambda kv: -kv[1])[:16]:
    print(f"  {100 * share / total:6.1f}%  {name}")
print("\nthe server's top symbols")
for share, space, symbol in symbols[:15]:
    print(f"  {100 * float(share) / total:6.1f}%  {symbol[:110]}")
PY
