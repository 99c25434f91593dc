#!/usr/bin/env bash
# Throughput where requests contend, through two release server processes on one private
# PostgreSQL and a BIND for the domain proofs: license assignments on one subscription next to
# pgbench's simple-update TPS on the same cluster (as a ratio), the upgrade of a 10,000-member
# organization while another keeps working, and 5,000 meeting joins at the limit.
#   bench/throughput.sh     (SKIP_BUILD=1 to reuse the last release build; PG_STAT_STATEMENTS=1
#                            to print what took PostgreSQL the most time)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

bench_setup bench_throughput
database=$BENCH_DATABASE_URL
dns_dir=$(mktemp -d) dns_port=15399

# The baseline: pgbench's simple-update transactions (-N) on the same cluster, through TCP as the
# bench's role, as the servers reach it, with as many clients as one server has database
# connections (10), so both get the same share of PostgreSQL. Measured before the servers start
# and again after they stop, and the better of the two taken, so a slow moment of the machine
# cannot flatter the ratio.
pg_admin -c "drop database if exists pgbench" -c "create database pgbench owner tenantry_bench" >/dev/null
# pgbench on database $1 with the options after it; tps prints what it measured, rounded.
pgbench_as_bench() {
  local database=$1; shift
  PGPASSWORD=bench "$(pg_bin)/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U tenantry_bench "$@" "$database"
}
tps() { awk '/^tps/ { printf "%.0f", $3 }'; }
pgbench_as_bench pgbench -i -s 10 -q >/dev/null 2>&1
simple_update_tps() { pgbench_as_bench pgbench -N -c 10 -j 2 -T 10 2>/dev/null | tps; }
# A second reference, for what bounds the seats: every transaction updates the same one row and
# inserts another, as each assignment moved its subscription's one seat counter when there was
# one. A row's lock is held until the commit is flushed, so these transactions queue one behind
# another.
one_row=$(mktemp)
cat >"$one_row" <<'SQL'
\set aid random(1, 100000 * :scale)
BEGIN;
UPDATE pgbench_branches SET bbalance = bbalance + 1 WHERE bid = 1;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, :aid, 1, CURRENT_TIMESTAMP);
END;
SQL
one_row_tps=$(pgbench_as_bench pgbench -n -f "$one_row" -c 10 -j 2 -T 10 2>/dev/null | tps)
rm "$one_row"
pgbench_before=$(simple_update_tps)

"$ROOT/scripts/dns-test-server.sh" "$dns_dir" "$dns_port" >/dev/null 2>&1 &
named=$!
export TRUSTED_PROXIES=127.0.0.1 DNS_NAMESERVERS="127.0.0.1:$dns_port"
bench_servers 2 "kill $named; rm -rf '$dns_dir'"
until dig @127.0.0.1 -p "$dns_port" contoso.com SOA +short +time=1 +tries=1 | grep -q .; do sleep 0.2; done

output=$("$ROOT/target/release/examples/bench_throughput" http://127.0.0.1:3200 http://127.0.0.1:3201 \
  "$database" "$dns_dir" "$dns_port")
echo "$output"
kill $BENCH_SERVER_PIDS && wait $BENCH_SERVER_PIDS 2>/dev/null || true
pgbench_after=$(simple_update_tps)
pgbench_tps=$((pgbench_before > pgbench_after ? pgbench_before : pgbench_after))
assignments=$(echo "$output" | sed -n 's/^seats: .* = \([0-9]*\) requests\/s.*/\1/p')

# What the seats cost PostgreSQL alone: an assignment's one statement (`grant_seat` and its audit
# event, as `licensing::seats::assign` sends it) from pgbench's 10 clients, without HTTP or the
# servers, on an organization of its own with 5,000 seats and 6,000 people asking for them.
pg_admin -d tenantry_bench -q >/dev/null <<'SQL'
insert into organizations (id, domain, status, created_at)
values ('5ea7500d-0000-4000-8000-000000000001', 'seats-sql.example', 'managed', now());
insert into members (id, email, display_name, password_hash, organization_id, created_at, role)
values ('5ea7500d-0000-4000-8000-000000000002', 'admin@seats-sql.example', 'Admin', 'x',
        '5ea7500d-0000-4000-8000-000000000001', now(), 'global_admin');
insert into members (email, display_name, password_hash, organization_id, created_at)
select 'user' || n || '@seats-sql.example', 'User ' || n, 'x', '5ea7500d-0000-4000-8000-000000000001', now()
  from generate_series(1, 6000) n;
insert into subscriptions (id, organization_id, plan_id, billing, purchased, created_at)
values ('5ea7500d-0000-4000-8000-000000000003', '5ea7500d-0000-4000-8000-000000000001',
        'business_basic', 'monthly', 5000, now());
insert into seats (subscription_id) select '5ea7500d-0000-4000-8000-000000000003' from generate_series(1, 5000);
SQL
assign_sql=$(mktemp)
cat >"$assign_sql" <<'SQL'
\set n :client_id * 600 + :i
\set i :i + 1
with seat as (select * from grant_seat('5ea7500d-0000-4000-8000-000000000001', null::uuid,
                                       'user' || :n || '@seats-sql.example', now())),
     audited as (
         insert into audit_events (organization_id, member_id, kind, detail, created_at)
         select '5ea7500d-0000-4000-8000-000000000001', '5ea7500d-0000-4000-8000-000000000002',
                'license.assigned', jsonb_build_object('member', seat.member_id), now()
           from seat where seat.outcome = 'granted')
select outcome from seat;
SQL
statement_tps=$(pgbench_as_bench tenantry_bench -n -f "$assign_sql" -D i=1 -c 10 -j 2 -t 600 2>/dev/null | tps)
rm "$assign_sql"
echo "pgbench simple-update (baseline, 10 clients): $pgbench_before transactions/s before, $pgbench_after after;" \
  "license assignment requests/s / the better = $(python3 -c "print(f'{$assignments / $pgbench_tps:.2f}')") (goal: >= 0.5)"
echo "the assignment's statement alone from pgbench (10 clients, no HTTP): $statement_tps transactions/s;" \
  "/ the better simple-update = $(python3 -c "print(f'{$statement_tps / $pgbench_tps:.2f}')"); licenses given:" \
  "$(pg_admin -d tenantry_bench -At -c "select count(*) from seats where subscription_id = '5ea7500d-0000-4000-8000-000000000003' and member_id is not null") of 5000"
echo "pgbench with every transaction on one row (10 clients): $one_row_tps transactions/s;" \
  "license assignment requests/s / that = $(python3 -c "print(f'{$assignments / $one_row_tps:.2f}')")"
bench_statements 16
