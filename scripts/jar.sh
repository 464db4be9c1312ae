# Sourced by the scripts that run the jar: builds target/engram.jar when it is missing or older than the sources,
# and sets $jar to its path. Expects to run from the repository root.
jar=target/engram.jar
if [[ ! -f "$jar" ]] || [[ -n "$(find src pom.xml -newer "$jar" -print -quit 2>/dev/null)" ]]; then
  echo "Building $jar ..." >&2
  mvn -q -B -DskipTests package >&2
fi
