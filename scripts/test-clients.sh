#!/usr/bin/env bash
# Installs the official JavaScript clients that the tests drive (pinned in src/test/js/package.json) into a folder
# outside the repository: ENGRAM_TEST_CLIENTS, default ~/.cache/engram/test-clients. Does nothing when that folder
# already holds exactly these versions. Needs node and npm (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${ENGRAM_TEST_CLIENTS:-$HOME/.cache/engram/test-clients}
mkdir -p "$dir"
if cmp -s src/test/js/package.json "$dir/package.json" && [ -d "$dir/node_modules" ]; then
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "npm is needed for the client tests (apt-get install nodejs npm)" >&2; exit 1; }
cp src/test/js/package.json "$dir/package.json"
echo "Installing test clients into $dir" >&2
# --omit=peer: mem0ai lists its storage back ends (better-sqlite3, a native module, and dozens more) as peers; its
# MemoryClient needs none of them, and npm would otherwise try to build them
npm install --prefix "$dir" --no-audit --no-fund --no-package-lock --omit=peer --loglevel=error >&2
