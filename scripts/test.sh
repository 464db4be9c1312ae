#!/usr/bin/env bash
# Runs the whole test suite: real embedded PostgreSQL, real HTTP on ephemeral ports, the scripted LLM, and the
# official client SDKs (installed first, outside the repository, by scripts/test-clients.sh); then the README's run
# command itself, the jar on every JVM of the machine (scripts/smoke-run.sh). Arguments go to Maven; with one that
# picks tests (-Dtest=...) only those run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/test-clients.sh
mvn -B -ntp test "$@"
[[ " $* " == *" -Dtest="* ]] || scripts/smoke-run.sh
