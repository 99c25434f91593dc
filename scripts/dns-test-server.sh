#!/usr/bin/env bash
# An authoritative DNS server for tests: BIND 9 on 127.0.0.1:PORT, in the foreground.
#   scripts/dns-test-server.sh DIR PORT [ZONE ...]
# Zones (default: contoso.com fabrikam.com northwind.com tailspin.com litware.com adatum.com wingtip.com example) accept dynamic updates signed with the TSIG
# key in DIR/tsig.key, as with `nsupdate -k DIR/tsig.key`. broken.test always answers SERVFAIL
# (its zone file is missing), and names outside the zones are REFUSED.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

dir="$1" port="$2"
shift 2
zones=("$@")
[ "${#zones[@]}" -gt 0 ] || zones=(contoso.com fabrikam.com northwind.com tailspin.com litware.com adatum.com wingtip.com example)

mkdir -p "$dir"
rm -f "$dir"/*.jnl
tsig-keygen -a hmac-sha256 tenantry-test >"$dir/tsig.key"
{
  cat <<CONF
include "$dir/tsig.key";
options {
    directory "$dir";
    pid-file "$dir/named.pid";
    session-keyfile "$dir/session.key";
    managed-keys-directory "$dir";
    listen-on port $port { 127.0.0.1; };
    listen-on-v6 { none; };
    recursion no;
    allow-query { any; };
    dnssec-validation no;
    notify no;
    # Another server on the same port makes this one fail to start, not share its questions.
    reuseport no;
};
controls { };
zone "broken.test" { type primary; file "missing.zone"; };
CONF
  for zone in "${zones[@]}"; do
    echo "zone \"$zone\" { type primary; file \"$zone.zone\"; allow-update { key \"tenantry-test\"; }; };"
  done
} >"$dir/named.conf"
for zone in "${zones[@]}"; do
  cat >"$dir/$zone.zone" <<ZONE
\$TTL 300
@   IN SOA ns1.$zone. hostmaster.$zone. ( 1 3600 600 86400 60 )
    IN NS  ns1.$zone.
ns1 IN A   127.0.0.1
www IN A   192.0.2.10
; Names this server, so whoever started it knows it answers and not another one on the port.
_instance IN TXT "$dir"
ZONE
done
exec named -g -n 1 -c "$dir/named.conf"
