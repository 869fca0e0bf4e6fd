#!/bin/sh
# Fetch a Go toolchain from the Go module proxy for an image build that cannot reach the proxy.
#
#   sh fetch-toolchain.sh go1.27.3        (the contract's "prepare" for the runtime, run in runners/go)
#
# Go's own toolchain mechanism (GOTOOLCHAIN=go1.27.3) downloads the module
# golang.org/toolchain@v0.0.1-go1.27.3.linux-amd64: the release's linux-amd64 tree (bin/, pkg/tool/,
# src/...) as a module zip, checked against the checksum database (sum.golang.org) like any module.
# This script has the driving machine's go download that same module (`go mod download`, into its
# own module cache) and copies the verified zip to
#
#   fetched/go1.27.3.linux-amd64.zip
#   fetched/go1.27.3.linux-amd64.zip.sum     (module, version, h1: hash)
#
# Dockerfile.toolchain unzips it in its build stage and builds with it (GOTOOLCHAIN=local). fetched/
# is not committed (.gitignore) but is part of the build context and so of the image tag's hash.
# Nothing is done when both files are there; delete them to fetch again. The image is linux/amd64
# whatever the driving machine is.
set -eu

toolchain=${1:?usage: sh fetch-toolchain.sh go1.N.P (e.g. go1.27.3)}
case "$toolchain" in
go1.*) ;;
*) echo "fetch-toolchain.sh: expected a Go version such as go1.27.3, got '$toolchain'" >&2; exit 2 ;;
esac
module=golang.org/toolchain
version=v0.0.1-$toolchain.linux-amd64
dest=fetched/$toolchain.linux-amd64.zip

# Already fetched: nothing to do (delete fetched/ to fetch again).
if [ -f "$dest" ] && [ -f "$dest.sum" ]; then
    exit 0
fi

mkdir -p fetched
tmp=$(mktemp -d "fetched/.$toolchain.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# Outside any module or workspace (the runner's go.mod and the repository's go.work must not steer
# it), with the driving machine's own go (GOTOOLCHAIN=local: it must not switch toolchains itself).
# The JSON names the verified zip in the module cache, or the error.
if ! (cd "$tmp" && GOWORK=off GOTOOLCHAIN=local go mod download -json "$module@$version") >"$tmp/download.json"; then
    echo "fetch-toolchain.sh: go mod download $module@$version failed:" >&2
    cat "$tmp/download.json" >&2
    exit 1
fi
zip=$(sed -n 's/^[[:space:]]*"Zip": "\(.*\)",\{0,1\}$/\1/p' "$tmp/download.json")
sum=$(sed -n 's/^[[:space:]]*"Sum": "\(.*\)",\{0,1\}$/\1/p' "$tmp/download.json")
if [ -z "$zip" ] || [ ! -f "$zip" ] || [ -z "$sum" ]; then
    echo "fetch-toolchain.sh: go mod download gave no zip for $module@$version:" >&2
    cat "$tmp/download.json" >&2
    exit 1
fi

printf 'module: %s\nversion: %s\nsum: %s\n' "$module" "$version" "$sum" >"$tmp/sum"
cp "$zip" "$tmp/zip"
chmod 0644 "$tmp/zip" "$tmp/sum"
# The zip first: the .sum beside it marks it complete.
rm -f "$dest.sum"
mv "$tmp/zip" "$dest"
mv "$tmp/sum" "$dest.sum"
