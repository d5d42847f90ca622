#!/usr/bin/env bash
# Makes the base images the Dockerfiles under docker/ build FROM, for machines where no registry
# answers (CI here). A normal user never needs this: the Dockerfiles default to official images.
#   localhost/debian:bookworm      debootstrap minbase, mirror read from this machine's apt sources
#   localhost/node:20-bookworm     the same plus this machine's own Node.js (Debian's is too old)
# Idempotent: an image that already exists is kept.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

mirror() {
  # deb822 (.sources) or one-line (.list) sources; the first Debian main archive found wins.
  local uri
  uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  if [ -z "$uri" ]; then
    uri=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  fi
  [ -n "$uri" ] || { echo "base-images: no Debian mirror in /etc/apt/sources*" >&2; exit 2; }
  echo "$uri"
}

have() { docker image inspect "$1" >/dev/null 2>&1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! have localhost/debian:bookworm; then
  command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
  debootstrap --variant=minbase bookworm "$work/rootfs" "$(mirror)" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  # The image's apt must reach the same mirror the build machine uses.
  echo "deb $(mirror) bookworm main" >"$work/rootfs/etc/apt/sources.list"
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb
  tar -C "$work/rootfs" -c . | docker import - localhost/debian:bookworm >/dev/null
  echo "base-images: localhost/debian:bookworm made"
fi

if ! have localhost/node:20-bookworm; then
  node_bin=$(command -v node)
  mkdir -p "$work/node/usr/local/bin"
  cp "$node_bin" "$work/node/usr/local/bin/node"
  cat >"$work/node/Dockerfile" <<'DOCKERFILE'
FROM localhost/debian:bookworm
COPY usr/local/bin/node /usr/local/bin/node
DOCKERFILE
  DOCKER_BUILDKIT=0 docker build -q -t localhost/node:20-bookworm "$work/node" >/dev/null
  echo "base-images: localhost/node:20-bookworm made ($("$node_bin" --version))"
fi
