#!/usr/bin/env bash
# Builds every module (tests skipped) and stamps the module path bin/vmafx-node runs from.
set -euo pipefail
home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$home"
echo "build: mvn package (tests skipped)" >&2
rm -rf distribution/target/modules
mvn -q -B -Dstyle.color=never -DskipTests package
touch distribution/target/modules/.built
