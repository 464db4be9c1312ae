#!/usr/bin/env bash
# Runs the Engram server on its embedded defaults (embedded PostgreSQL in ENGRAM_HOME, default ./data).
# Builds target/engram.jar first when it is missing or older than the sources.
# Usage: scripts/run.sh [--host H] [--port P] [--use-ssl] [--ssl-cert F --ssl-key F] [--home DIR] [--help]
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/jar.sh
# the JDK Vector API (an incubator module in Java 17) runs the exact vector scans with SIMD; a jar started without it
# falls back to a scalar loop (several times slower). A jar manifest cannot add a module, so every launcher does.
exec java --add-modules jdk.incubator.vector ${ENGRAM_JAVA_OPTS:-} -jar "$jar" "$@"
