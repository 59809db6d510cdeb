#!/usr/bin/env bash
# Installs everything the node and its tests need on a fresh Debian bookworm machine (run as root).
# Safe to run twice: each step checks first and does nothing when its tool is already there.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$here/.tools"
mkdir -p "$tools"

need_apt=()
for pair in rclone:rclone fusermount3:fuse3 clang:clang llc:llvm bpftool:bpftool \
            xxd:xxd pkg-config:pkg-config; do
  bin=${pair%%:*} pkg=${pair#*:}
  command -v "$bin" >/dev/null 2>&1 || need_apt+=("$pkg")
done
for pair in /usr/include/bpf/libbpf.h:libbpf-dev /usr/include/libelf.h:libelf-dev /usr/include/zlib.h:zlib1g-dev; do
  [[ -e ${pair%%:*} ]] || need_apt+=("${pair#*:}")
done
if ((${#need_apt[@]})); then
  echo "setup: installing Debian packages: ${need_apt[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# The eBPF probe's native library (bypass-ebpf-native) is built for linux-x86_64 and, cross-compiled, for
# linux-aarch64: make, binutils (readelf), the aarch64 cross compiler and the arm64 static libbpf/libelf/zlib.
# (bookworm's libelf.a, elfutils 0.188, does not use zstd, so no libzstd-dev:arm64; the build's check of the
# library's NEEDED entries would say so if a later one did.)
native_missing=()
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || native_missing+=(gcc-aarch64-linux-gnu)
command -v make >/dev/null 2>&1 || native_missing+=(make)
command -v readelf >/dev/null 2>&1 || native_missing+=(binutils)
for pair in libbpf.a:libbpf-dev:arm64 libelf.a:libelf-dev:arm64 libz.a:zlib1g-dev:arm64; do
  [[ -e /usr/lib/aarch64-linux-gnu/${pair%%:*} ]] || native_missing+=("${pair#*:}")
done
if ((${#native_missing[@]})); then
  echo "setup: installing the eBPF probe's build tools for linux-aarch64: ${native_missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${native_missing[@]}" >/dev/null
fi

# A static ffmpeg built with --enable-libvmaf, from the npm registry (Debian's ffmpeg has no libvmaf).
ffmpeg="$tools/ffmpeg/ffmpeg"
if [[ ! -x $ffmpeg ]]; then
  echo "setup: fetching the static ffmpeg with libvmaf (npm @ffmpeg-installer/linux-x64)" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent @ffmpeg-installer/linux-x64@4.1.0 >/dev/null)
  tar -xzf "$tmp"/ffmpeg-installer-linux-x64-*.tgz -C "$tmp"
  mkdir -p "$tools/ffmpeg"
  install -m 0755 "$tmp/package/ffmpeg" "$ffmpeg"
  cp "$tmp/package/package.json" "$tools/ffmpeg/" 2>/dev/null || true
fi
filters=$("$ffmpeg" -hide_banner -filters 2>/dev/null || true)
[[ $filters == *libvmaf* ]] || { echo "setup: $ffmpeg has no libvmaf filter" >&2; exit 1; }

# tracefs is needed by the eBPF bypass's tracepoints; mount it when we may.
if [[ ! -e /sys/kernel/tracing/events ]] && [[ -d /sys/kernel/tracing ]]; then
  mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
fi
echo "setup: ok (ffmpeg: $ffmpeg, rclone: $(command -v rclone))" >&2
