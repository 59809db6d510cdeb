#!/bin/sh
# vmafx-node: runs the node from this runtime image (a jlink image holding the node's modules and just the JDK
# modules they need). Works through a symlink; plugins/ beside bin/ is the default plugins directory.
# VMAFX_JAVA_OPTS adds JVM options (e.g. -Xmx512m, or -Xshare:off to run without the image's CDS archive).
set -eu
self=$(readlink -f -- "$0")
home=$(cd -- "$(dirname -- "$self")/.." && pwd -P)
# Java maps file names through the locale's charset: under C/POSIX, non-ASCII names cannot be opened.
case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
  *UTF-8*|*utf8*|*UTF8*|*utf-8*) ;;
  *) LC_ALL=C.UTF-8; export LC_ALL ;;
esac
# shellcheck disable=SC2086 # VMAFX_JAVA_OPTS is a list of options, split on purpose
exec "$home/bin/java" ${VMAFX_JAVA_OPTS:-} -Dvmafx.home="$home" -m io.vmafx.core/io.vmafx.core.cli.Main "$@"
