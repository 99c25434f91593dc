#!/usr/bin/env bash
# Installs what Tenantry needs and is missing; skips what is already there at the right version.
#   scripts/setup.sh run    tools to build and serve the app
#   scripts/setup.sh test   also the servers and browsers the tests use
set -euo pipefail
source "$(dirname "$0")/lib.sh"

mode="${1:-run}"
CARGO_LEPTOS_VERSION=0.3.10
SQLX_CLI_VERSION=0.8.6

apt_packages=(brotli)
# Any installed PostgreSQL server will do; only its initdb and pg_ctl are used.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || apt_packages+=(postgresql)
# Node.js may come from elsewhere than Debian; what matters is that it runs.
command -v npm >/dev/null || apt_packages+=(nodejs npm)
if [ "$mode" = test ]; then
  apt_packages+=(chromium bind9 bind9-dnsutils python3-aiosmtpd haproxy)
fi
missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || die "cargo not found: install Rust with rustup first (https://rustup.rs)"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

installed_version() { "$1" --version 2>/dev/null | awk '{ print $NF }'; }

# Installs a build tool with a quick release profile. These tools run for seconds per build, so
# the speed their own release profiles buy (opt-level 3 for all; fat LTO and one codegen unit
# for cargo-leptos) makes no measurable difference to a build but costs minutes of a cold setup.
# On 2 cores, their own profile against this one: cargo-leptos 1,004 s / 693 s, wasm-bindgen-cli
# 183 s / 150 s, sqlx-cli 128 s / 100 s. The site builds as fast with either: 222–239 s for
# `cargo leptos build --release --split` (two runs each), about 0.4 s for wasm-bindgen on our module.
cargo_install_tool() {
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_LTO=false \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=false \
    cargo install "$@"
}

if [ "$(installed_version cargo-leptos)" != "$CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes a while, once)"
  cargo_install_tool "cargo-leptos@$CARGO_LEPTOS_VERSION" --locked
fi

wasm_bindgen_version=$(locked_wasm_bindgen)
if [ "$(installed_version wasm-bindgen)" != "$wasm_bindgen_version" ]; then
  say "installing wasm-bindgen-cli $wasm_bindgen_version (must match Cargo.lock)"
  cargo_install_tool wasm-bindgen-cli --version "$wasm_bindgen_version" --force
fi

# npm packages are reinstalled when their lock file is newer than the installed tree.
npm_install() {
  local dir="$1"
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "installing npm packages in ${dir#"$ROOT"/}"
    (cd "$dir" && npm ci --no-audit --no-fund)
  fi
}
npm_install "$ROOT/tools"

if [ "$mode" = test ]; then
  if [ "$(installed_version sqlx)" != "$SQLX_CLI_VERSION" ]; then
    say "installing sqlx-cli $SQLX_CLI_VERSION"
    cargo_install_tool "sqlx-cli@$SQLX_CLI_VERSION" --locked --no-default-features --features rustls,postgres
  fi
  if ! rustup component list --installed | grep -q '^clippy'; then rustup component add clippy; fi
  if ! rustup component list --installed | grep -q '^rustfmt'; then rustup component add rustfmt; fi
  npm_install "$ROOT/end2end"
fi
