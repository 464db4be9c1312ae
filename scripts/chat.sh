#!/usr/bin/env bash
# A terminal chat with an agent of a running Engram: scripts/chat.sh [AGENT] [--url URL] [--no-color] [--help]
# The token comes from ENGRAM_TOKEN (an API key, or the admin password), else MEMGPT_SERVER_PASS.
# Builds target/engram.jar first when it is missing or older than the sources.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/jar.sh
exec java ${ENGRAM_JAVA_OPTS:-} -jar "$jar" chat "$@"
