#!/usr/bin/env bash
# Runs the Engram server on its embedded defaults (embedded PostgreSQL in ENGRAM_HOME, default ./data).
# Builds target/engram.jar first when it is missing or older than the sources.
# Usage: scripts/run.sh [--host H] [--port P] [--use-ssl] [--ssl-cert F --ssl-key F] [--home DIR] [--help]
set -euo pipefail
cd "$(dirname "$0")/.."

jar=target/engram.jar
if [[ ! -f "$jar" ]] || [[ -n "$(find src pom.xml -newer "$jar" -print -quit 2>/dev/null)" ]]; then
  echo "Building $jar ..." >&2
  mvn -q -B -DskipTests package >&2
fi
exec java ${ENGRAM_JAVA_OPTS:-} -jar "$jar" "$@"
