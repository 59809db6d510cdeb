#!/usr/bin/env bash
# The whole test suite: installs what the tests need (first run on a fresh machine), builds, runs every test.
set -euo pipefail
home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$home"
scripts/setup.sh
mvn -B verify "$@"
touch distribution/target/modules/.built
