#!/usr/bin/env bash
# Runs the Engram server on its embedded defaults (embedded PostgreSQL in ENGRAM_HOME, default ./data).
# Builds target/engram.jar first when it is missing or older than the sources.
# Usage: scripts/run.sh [--host H] [--port P] [--use-ssl] [--ssl-cert F --ssl-key F] [--home DIR] [--help]
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/jar.sh
cluster_opts=()
if [[ "${CLUSTER:-}" == "true" ]]; then
  # cluster mode (src/site/markdown/cluster.md): what Hazelcast reaches into on Java 17, without its warnings
  cluster_opts=(--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
    --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens java.management/sun.management=ALL-UNNAMED
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED)
fi
# the JDK Vector API (an incubator module in Java 17) runs the exact vector scans with SIMD; a jar started without it
# falls back to a scalar loop (several times slower). A jar manifest cannot add a module, so every launcher does.
exec java --add-modules jdk.incubator.vector ${ENGRAM_JAVA_OPTS:-} ${cluster_opts[@]+"${cluster_opts[@]}"} -jar "$jar" "$@"
