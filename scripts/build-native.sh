#!/usr/bin/env bash
# Builds the native scan kernel (src/main/c/engram_scan.c) into CLASSES/native/linux-x86_64/, where
# index/NativeDotProduct loads it from the class path (and so from the jar). Maven runs this after compiling
# (process-classes). Optional by design: without gcc, on another CPU architecture or OS, or if the compile fails,
# it says so and the build goes on; the server then scans with the JDK Vector API, as its start log line shows.
# Usage: scripts/build-native.sh CLASSES_DIR [JAVA_HOME]
set -uo pipefail
cd "$(dirname "$0")/.."
classes=${1:?usage: scripts/build-native.sh CLASSES_DIR [JAVA_HOME]}
java_home=${2:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}}
source=src/main/c/engram_scan.c
out=$classes/native/linux-x86_64/libengram_scan.so
if [[ "$(uname -s)" != Linux || "$(uname -m)" != x86_64 ]]; then
  echo "native scan kernel: not built on $(uname -s) $(uname -m) (Linux x86_64 only); the Java kernels are used" >&2
  exit 0
fi
if ! command -v gcc >/dev/null 2>&1; then
  echo "native scan kernel: not built, gcc is not installed; the Java kernels are used" >&2
  exit 0
fi
if [[ -s "$out" && "$out" -nt "$source" && "$out" -nt "$0" ]]; then
  exit 0
fi
mkdir -p "$(dirname "$out")"
# written beside and renamed, so that a JVM loading the library never maps a half-written file
if gcc -O3 -shared -fPIC -fvisibility=hidden -Wall -Wextra -Werror -std=c11 \
    -I"$java_home/include" -I"$java_home/include/linux" -o "$out.tmp" "$source"; then
  mv -f "$out.tmp" "$out"
else
  rm -f "$out.tmp"
  echo "native scan kernel: gcc failed (above); the Java kernels are used" >&2
fi
exit 0
