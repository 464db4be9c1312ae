#!/usr/bin/env bash
# Runs the whole test suite: real embedded PostgreSQL, real HTTP on ephemeral ports, the scripted LLM.
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -B -ntp test "$@"
