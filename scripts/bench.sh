#!/usr/bin/env bash
# Benchmarks (they print figures; they are not tests). Usage:
#   scripts/bench.sh steps [--agents 64] [--rate 1000] [--seconds 20] [--warmup 30] [--api api|v1] [--ttft-sends 500]
#     [--conversations 64] (N conversations of one agent, sent to through /v1/conversations, instead of N agents)
#   scripts/bench.sh saves [--agents 64] [--seconds 10] [--sql "alter table ..."]
#   scripts/bench.sh locomo [--data ../shared/data/locomo] [--modes vector,text,hybrid]
#   scripts/bench.sh locomo-sweep [--weights 0.5,0.6,0.7,0.8,0.9] [--feedback 0:0:0,3:10:0.3] (more in LocomoSweep)
#   scripts/bench.sh locomo-heldout [--weights 0.6,0.7,0.8] [--reaches 1,2] [--times 0,0.3,0.5,0.7,1] [--model minilm|bge] (leave-one-conversation-out table)
#   scripts/bench.sh side-by-side [--memories 2000] [--searches 500] [--search-warmup 0] [--embeddings-url URL]   (issue 14 vs Mem0)
#   scripts/bench.sh streams [--ws 5000] [--sse 5000] [--agents 500] [--rate 500] [--seconds 20]   (needs ulimit -n > 2 per client)
#   scripts/bench.sh scan [--sizes 2000,5000,10000,20000,50000] [--candidates 100,200,400,800] [--kernel-rows 100000]   (kernels; exact scan vs HNSW)
#   scripts/bench.sh scan-ab --against ../other-checkout [--memories 100000] [--rounds 12] [--queries 2000]
#     (the large owners' scan of this checkout against another built one, in one process, turn by turn)
#   scripts/bench.sh hybrid --index /tmp/mem100k/index/memories [--queries 500] [--variants default,candidates=100]
#     (hybrid search of a memory benchmark's index on one thread: CPU per search, top-10 agreement with exact)
#   scripts/bench.sh index [--vectors 1000000] [--queries 1000] [--dim 384] (more options in VectorIndexBenchmark)
#   scripts/bench.sh memories [--memories 100000] [--callers 64] [--per-request 1] [--searches 2000] [--add-warmup 0]
#   scripts/bench.sh async-adds [--seconds 20] [--callers 8] [--model-ms 0] [--workers 4] [--embeddings local|scripted]
#     (async_mode: time from add to searchable, adds/s and extractions/s with the scripted model)
#   scripts/bench.sh add-search-churn [--passages 3000]   (the memories index alone: CPU per add, per add then search)
#   scripts/bench.sh embed [--texts 2000] [--callers 64] [--batch-size 32] [--wait-ms 2] [--threads 2] [--rows-per-run 1]
#   scripts/bench.sh tools [--calls 2000] [--concurrency 32] [--pool 8] [--fresh 50]   (the sandbox alone)
#   scripts/bench.sh tool-calls [--sends 300] [--agents 32] [--seconds 20]   (a custom tool call through an agent)
#   scripts/bench.sh cold-start [--starts 3] [--first 20] [--warm 2000] [--train FIRST] [--java-opts "..."]
#     (start to ready, first sends; --train: the sends of the first start, whose classes the archive keeps)
#   scripts/bench.sh cluster [--nodes 2] [--agents 64] [--seconds 20] [--warmup 5] [--mode single]   (cluster mode: N JVMs, one
#     PostgreSQL; steps/s, send -> [DONE] p50/p99 by owning/other node, index replication delay, failover time)
# Builds main and test classes, then runs the benchmark main in its own JVM.
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-steps}
shift || true
case "$which" in
  steps) main=dev.engram.bench.StepBenchmark ;;
  saves) main=dev.engram.bench.SaveBenchmark ;;
  locomo) main=dev.engram.bench.LocomoBenchmark ;;
  locomo-sweep) main=dev.engram.bench.LocomoSweep ;;
  locomo-heldout) main=dev.engram.bench.LocomoHeldOut ;;
  index) main=dev.engram.bench.VectorIndexBenchmark ;;
  scan) main=dev.engram.index.ExactScanBenchmark ;;
  scan-ab) main=dev.engram.index.ScanAbBenchmark ;;
  hybrid) main=dev.engram.index.HybridSearchBenchmark ;;
  side-by-side) main=dev.engram.bench.SideBySideBenchmark ;;
  streams) main=dev.engram.bench.StreamBenchmark ;;
  embed) main=dev.engram.bench.EmbedBenchmark ;;
  memories) main=dev.engram.bench.MemoryBenchmark ;;
  async-adds) main=dev.engram.bench.AsyncAddBenchmark ;;
  add-search-churn) main=dev.engram.bench.AddSearchChurnBenchmark ;;
  tools) main=dev.engram.sandbox.ToolBenchmark ;;
  tool-calls) main=dev.engram.bench.ToolCallBenchmark ;;
  cold-start) main=dev.engram.bench.ColdStartBenchmark ;;
  cluster) main=dev.engram.bench.ClusterBenchmark ;;
  *) echo "unknown benchmark '$which' (known: steps, saves, locomo, locomo-sweep, locomo-heldout, index, scan, scan-ab, hybrid, side-by-side, streams, embed, memories, async-adds, add-search-churn, tools, tool-calls, cold-start, cluster)" >&2; exit 2 ;;
esac
mvn -q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >&2
# run from a private copy of the classes so that a concurrent build cannot pull them away mid-run
rm -rf target/bench-classes && mkdir -p target/bench-classes
cp -r target/classes/. target/test-classes/. target/bench-classes/
# BENCH_GC picks the collector (e.g. BENCH_GC=-XX:+UseG1GC); BENCH_JAVA_OPTS adds any other JVM option
exec java -Xms1g -Xmx2g --add-modules jdk.incubator.vector ${BENCH_GC:--XX:+UseParallelGC} ${BENCH_JAVA_OPTS:-} \
  -cp "target/bench-classes:$(cat target/bench.classpath)" "$main" "$@"
