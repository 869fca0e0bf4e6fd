#!/bin/sh
# The local executor's build (schema/runner_contract.json, languages.rust.local.build):
#   sh runners/rust/build.sh BINARY
# builds the runner from the vendored crates (no registry; see .cargo/config.toml) and copies it to
# BINARY. vendor/ is made once, on a machine that reaches crates.io: cargo vendor --locked vendor
set -eu
cd "$(dirname "$0")"
if [ ! -f vendor/tokio/Cargo.toml ]; then
    echo "runners/rust/vendor is missing: run 'cargo vendor --locked vendor' in runners/rust first" >&2
    exit 1
fi
cargo build --release --locked --offline --bin runner
cp target/release/runner "$1"
