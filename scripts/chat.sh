#!/usr/bin/env bash
# A terminal chat with an agent of a running Engram: scripts/chat.sh [AGENT] [--url URL] [--no-color] [--help]
# The token comes from ENGRAM_TOKEN (an API key, or the admin password), else MEMGPT_SERVER_PASS.
# Builds target/engram.jar first when it is missing or older than the sources.
set -euo pipefail
cd "$(dirname "$0")/.."

jar=target/engram.jar
if [[ ! -f "$jar" ]] || [[ -n "$(find src pom.xml -newer "$jar" -print -quit 2>/dev/null)" ]]; then
  echo "Building $jar ..." >&2
  mvn -q -B -DskipTests package >&2
fi
exec java ${ENGRAM_JAVA_OPTS:-} -jar "$jar" chat "$@"
