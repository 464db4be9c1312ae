#!/usr/bin/env bash
# The README's run command as a user meets it, with every JVM on the machine: scripts/run.sh builds the jar, starts
# the server on a new home (embedded PostgreSQL, the in-process embedder, the indexes) and answers /health/ready; a
# SIGTERM stops it cleanly and leaves the class data archive; a second start maps that archive and is ready again.
# Run by scripts/test.sh after the suite (the tests run from the class path, never from the jar), with the default
# java and every other JDK of 17 or later under /usr/lib/jvm: the jar must run on the JVMs users have (on Java 21 and
# later Lucene opens its indexes with classes the jar holds for those JVMs only).
# Usage: scripts/smoke-run.sh [JAVA_HOME ...]
set -euo pipefail
cd "$(dirname "$0")/.."

homes=("$@")
if [[ ${#homes[@]} -eq 0 ]]; then
  homes=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  for candidate in /usr/lib/jvm/*/; do
    candidate=$(readlink -f "$candidate")
    [[ -x "$candidate/bin/java" ]] || continue
    version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$candidate/release" 2>/dev/null || true)
    (( ${version:-0} >= 17 )) || continue
    [[ " ${homes[*]} " == *" $candidate "* ]] || homes+=("$candidate")
  done
fi

scratch=$(mktemp -d /tmp/engram-smoke.XXXXXX)
server=
cleanup() {
  [[ -n "$server" ]] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

# Python's standard library, not curl: .ci/run installs python3 (the tool sandbox needs it), and curl may be missing
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ready() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" 2>/dev/null; }

# starts run.sh with this JDK on this home (and these JVM options), waits for /health/ready, then stops it and waits
# for its exit; its pid stays in $stopped
start_and_stop() {
  local jdk=$1 home=$2 log=$3 options=${4:-} port
  port=$(free_port)
  PATH="$jdk/bin:$PATH" ENGRAM_CDS=on ENGRAM_JAVA_OPTS="$options" \
    scripts/run.sh --home "$home" --port "$port" >"$log" 2>&1 &
  server=$!
  stopped=$server
  local deadline=$((SECONDS + 300))
  until ready "http://localhost:$port/health/ready"; do
    if ! kill -0 "$server" 2>/dev/null || ((SECONDS > deadline)); then
      echo "smoke: not ready with $jdk; the end of $log:" >&2
      tail -40 "$log" >&2
      return 1
    fi
    sleep 0.5
  done
  # SIGTERM, as a service manager stops it (a background job of a script ignores SIGINT, and so does its JVM)
  kill -TERM "$server"
  local rc=0
  wait "$server" || rc=$?
  server=
  if ((rc != 0 && rc != 143)) || ! grep -q "Stopped embedded PostgreSQL" "$log"; then
    echo "smoke: no clean stop on SIGTERM ($jdk, exit status $rc); the end of $log:" >&2
    tail -40 "$log" >&2
    return 1
  fi
}

for jdk in "${homes[@]}"; do
  name=$(basename "$jdk")
  home="$scratch/$name"
  start_and_stop "$jdk" "$home" "$scratch/$name-1.log"
  # the second start must map the archive the first one left: -Xshare:on makes a refused one fail the start, and a
  # start that had none would be writing one at its exit under its own pid
  start_and_stop "$jdk" "$home" "$scratch/$name-2.log" -Xshare:on
  if compgen -G "target/engram-*.jsa.*.$stopped" >/dev/null; then
    echo "smoke: the second start had no class data archive to map ($jdk)" >&2
    exit 1
  fi
  echo "smoke: scripts/run.sh ready, stopped and ready again with $("$jdk/bin/java" -version 2>&1 | sed -n 1p)"
done
