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
# Class data sharing (AppCDS, src/site/markdown/performance.md "Cold start"): the classes a run loaded, parsed and
# verified once, kept in an archive beside the jar and mapped by every later start (about 40 % less CPU to ready).
# The first run after a build writes it when the server stops (-XX:ArchiveClassesAtExit) under a name of its own
# (the jar's build time and the pid), and a later run adopts it: a dump cut short is never used (a truncated archive
# can crash the JVM), nor one of a jar rebuilt meanwhile. One archive per JVM build (a checksum of the java launcher
# and its release file); an archive older than the jar is stale and made again. A mismatched archive is refused by
# the JVM itself (one warning line, the start goes on without it). ENGRAM_CDS=off starts without one.
cds_opts=()
cds=${ENGRAM_CDS:-on}
for arg in "$@"; do
  case "$arg" in -h|--help|-V|--version|chat) cds=off ;; esac # not a server: its classes would make a poor archive
done
if [[ "$cds" != "off" ]]; then
  java_bin=$(readlink -f "$(command -v java || true)" || true)
  key=$({ cat "$java_bin" "$(dirname "$java_bin")/../release" 2>/dev/null || true; } | cksum | cut -d' ' -f1)
  archive="target/engram-$key.jsa"
  built=$(stat -c %Y "$jar")
  for dumped in "$archive".*.*; do
    [[ -e "$dumped" ]] && ! kill -0 "${dumped##*.}" 2>/dev/null || continue # none, or its run is still going
    stamp=${dumped%.*}
    # a complete dump starts with the dynamic archive's magic (its header is written last)
    if [[ "${stamp##*.}" == "$built" && "$(od -An -tx4 -N4 "$dumped" | tr -d ' ')" == f00baba8 ]]; then
      mv -f "$dumped" "$archive"
    else
      rm -f "$dumped"
    fi
  done
  if [[ -s "$archive" && ! "$jar" -nt "$archive" ]]; then
    cds_opts=(-XX:SharedArchiveFile="$archive")
  else
    rm -f "$archive"
    # exec keeps this shell's pid; -Xlog:cds=off: the dump lists every class it skips
    cds_opts=(-XX:ArchiveClassesAtExit="$archive.$built.$$" -Xlog:cds=off -Xlog:cds+dynamic=off)
  fi
fi
# the JDK Vector API (an incubator module in Java 17) runs the exact vector scans with SIMD; a jar started without it
# falls back to a scalar loop (several times slower). A jar manifest cannot add a module, so every launcher does.
exec java --add-modules jdk.incubator.vector ${cds_opts[@]+"${cds_opts[@]}"} ${ENGRAM_JAVA_OPTS:-} \
  ${cluster_opts[@]+"${cluster_opts[@]}"} -jar "$jar" "$@"
