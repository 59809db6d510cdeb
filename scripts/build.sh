#!/usr/bin/env bash
# Builds every module (tests skipped) and stamps the module path bin/vmafx-node runs from.
# Maven's output is shown only when the build fails, so a first `bin/vmafx-node ...` prints one line here.
set -euo pipefail
home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$home"
echo "build: mvn package (tests skipped)" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rm -rf distribution/target/modules
if ! mvn -q -B -Dstyle.color=never -DskipTests package >"$log" 2>&1; then
  cat "$log" >&2
  echo "build: failed" >&2
  exit 1
fi
touch distribution/target/modules/.built
