#!/usr/bin/env bash
# Runs the whole test suite: real embedded PostgreSQL, real HTTP on ephemeral ports, the scripted LLM, and the
# official client SDKs (installed first, outside the repository, by scripts/test-clients.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/test-clients.sh
exec mvn -B -ntp test "$@"
