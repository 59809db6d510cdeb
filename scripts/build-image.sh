#!/usr/bin/env bash
# Builds the node's container image (deploy/container/Containerfile) with buildah on a machine that reaches no
# image registry: the Containerfile's base, debian:bookworm-slim, is replaced by a Debian bookworm made here with
# `debootstrap --variant=minbase` from Debian's own archive (what bookworm-slim is made from too).
#
#   scripts/build-image.sh STORAGE_DIR [TAG]       (as root; TAG defaults to localhost/vmafx-node:0.1.0)
#
# STORAGE_DIR holds buildah's image store (vfs driver: plain directories, no mounts, so removing the directory
# removes everything). The base's root file system is made once and kept as a tar in
# ${XDG_CACHE_HOME:-~/.cache}/vmafx-node/container-base/ (made again when missing: about 2 minutes and 40 MB from the
# Debian archive); each build imports it (seconds). Prerequisites: the jlink images (mvn package) and
# .tools/ffprobe/ffprobe (scripts/setup.sh). Prints the phases' times on stderr as "build-image: <phase> <ms> ms".
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
store=${1:?usage: build-image.sh STORAGE_DIR [TAG]}
tag=${2:-localhost/vmafx-node:0.1.0}
base_tag=localhost/vmafx-base:bookworm-minbase
cache=${XDG_CACHE_HOME:-$HOME/.cache}/vmafx-node/container-base
# The name carries the recipe's version: a changed recipe makes a new base rather than reuse a stale one.
base_tar=$cache/bookworm-minbase-2.tar

for f in "$here/distribution/target/images/full/bin/vmafx-node" "$here/.tools/ffprobe/ffprobe"; do
  [[ -e $f ]] || { echo "build-image: $f is missing (run mvn package and scripts/setup.sh first)" >&2; exit 2; }
done
for tool in buildah debootstrap; do
  command -v "$tool" >/dev/null || { echo "build-image: $tool is not installed (scripts/setup.sh installs it)" >&2; exit 2; }
done

now() { date +%s%3N; }
phase() { echo "build-image: $1 $(($(now) - $2)) ms" >&2; }

if [[ ! -s $base_tar ]]; then
  t=$(now)
  mkdir -p "$cache"
  rm -f "$cache"/bookworm-minbase*.tar # bases of older recipes
  work=$(mktemp -d "$cache/.debootstrap.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  echo "build-image: making the base (debootstrap --variant=minbase bookworm) into $base_tar" >&2
  if ! debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1; then
    tail -n 20 "$work/debootstrap.log" >&2
    echo "build-image: debootstrap failed (log above)" >&2
    exit 1
  fi
  # As in debian:bookworm-slim: updates and security updates in the sources; apt keeps no downloads, package
  # caches or translations, and dpkg installs no documentation, manual pages or locales (without these the image's
  # apt-get layer is far larger).
  r="$work/rootfs"
  cat >"$r/etc/apt/sources.list" <<'SOURCES'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES
  cat >"$r/etc/apt/apt.conf.d/docker-clean" <<'CLEAN'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CLEAN
  echo 'Acquire::Languages "none";' >"$r/etc/apt/apt.conf.d/docker-no-languages"
  echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$r/etc/apt/apt.conf.d/docker-autoremove-suggests"
  cat >"$r/etc/dpkg/dpkg.cfg.d/docker" <<'EXCLUDE'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
EXCLUDE
  [[ -d $r/var/lib/apt ]] || { echo "build-image: debootstrap made no root file system at $r" >&2; exit 1; }
  rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/archives/*.deb "$r"/var/cache/apt/*.bin "$r"/var/log/*.log
  tar --numeric-owner --xattrs -C "$work/rootfs" -cf "$work/base.tar" .
  mv "$work/base.tar" "$base_tar"
  rm -rf "$work"
  trap - EXIT
  phase base-debootstrap "$t"
fi

b=(buildah --root "$store/root" --runroot "$store/run" --storage-driver vfs)
if ! "${b[@]}" inspect --type image "$base_tag" >/dev/null 2>&1; then
  t=$(now)
  ctr=$("${b[@]}" from --name vmafx-base-import scratch)
  "${b[@]}" add "$ctr" "$base_tar" / >/dev/null
  "${b[@]}" config --os linux --arch amd64 --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --cmd /bin/bash "$ctr"
  "${b[@]}" commit --quiet --rm "$ctr" "$base_tag" >/dev/null
  phase base-import "$t"
fi

t=$(now)
"${b[@]}" bud --quiet --isolation chroot --pull=never --from "$base_tag" \
  -f "$here/deploy/container/Containerfile" -t "$tag" "$here" >/dev/null
phase build "$t"
echo "$tag"
