package dev.engram.bench;

import dev.engram.store.embedded.EmbeddedPostgres;
import dev.engram.testkit.Api;
import dev.engram.testkit.DirectSql;
import dev.engram.testkit.EngramProcess;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Cluster mode on one machine: {@code --nodes} Engram JVMs over one PostgreSQL, {@code --agents} agents, one client per
 * agent sending streamed messages (to [DONE]) through the nodes in turn. Prints steps/s and send-to-[DONE] p50/p99,
 * split by whether the node that took the send owns the agent (the cross-node cost), the index replication delay
 * (a passage written through one node, searched through another) and, with two nodes or more, the time from
 * {@code kill -9} of a node to the first completed send to one of its agents. {@code --mode single} runs one process
 * outside cluster mode on the same external PostgreSQL with the same load: the baseline that separates what cluster
 * mode costs from what this load generator costs.
 * {@code scripts/bench.sh cluster --nodes 2 --agents 64 --seconds 20 --warmup 5 [--mode single]}
 */
public final class ClusterBenchmark {
  private static final List<String> CLUSTER_JVM = List.of("--add-modules", "java.se", "--add-exports",
      "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens",
      "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.management/sun.management=ALL-UNNAMED", "--add-opens",
      "jdk.management/com.sun.management.internal=ALL-UNNAMED");

  private ClusterBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = BenchArgs.parse(args);
    int nodes = Integer.parseInt(a.getOrDefault("nodes", "2"));
    int agents = Integer.parseInt(a.getOrDefault("agents", "64"));
    int seconds = Integer.parseInt(a.getOrDefault("seconds", "20"));
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "5"));
    int shards = 64;
    boolean single = a.getOrDefault("mode", "cluster").equals("single");
    if (single) {
      nodes = 1;
    }
    ScriptedLlm llm = TestServer.llm();
    llm.keepRequests(false).fallbackIgnoringRequest(() -> ScriptedLlm.Step.sendMessage("Thinking.", "Hello."));
    EmbeddedPostgres postgres = EmbeddedPostgres.start(TempHomes.create("engram-bench-pg-"));
    PgConnectOptions db = new PgConnectOptions().setHost("127.0.0.1").setPort(postgres.port())
        .setDatabase(EmbeddedPostgres.DATABASE).setUser(EmbeddedPostgres.ROLE).setPassword(postgres.password());
    String url = "postgresql://" + EmbeddedPostgres.ROLE + ":" + postgres.password() + "@127.0.0.1:" + postgres.port()
        + "/" + EmbeddedPostgres.DATABASE;
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      ports.add(freePort());
    }
    String members = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
    String cluster = "engram-bench-" + UUID.randomUUID();
    List<EngramProcess> started = new ArrayList<>();
    boolean failed = false;
    try {
      for (int i = 0; i < nodes; i++) {
        Map<String, String> env = new HashMap<>(single ? Map.of("DATABASE_URL", url, "AGENT_INSTANCES", "2",
            "ENGRAM_ACCESS_LOG", "WARN") : Map.of("CLUSTER", "true", "CLUSTER_HOST", "127.0.0.1",
            "CLUSTER_PORT", ports.get(i).toString(), "CLUSTER_MEMBERS", members, "CLUSTER_NAME", cluster,
            "CLUSTER_NODE_NAME", "n" + i, "CLUSTER_SHARDS", Integer.toString(shards), "DATABASE_URL", url,
            "AGENT_INSTANCES", "2", "ENGRAM_ACCESS_LOG", "WARN"));
        env.put("HTTP_INSTANCES", "2");
        // as scripts/run.sh starts a node in cluster mode (full JIT, the JVM's default heap), not as the tests do
        started.add(EngramProcess.start(TempHomes.create("engram-bench-node-"), env, CLUSTER_JVM));
      }
      Api first = started.get(0).api;
      String key = first.newUser().getString("api_key");
      if (!single) {
        awaitSpread(first, nodes, shards);
      }
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < agents; i++) {
        ids.add(first.newAgent(key, "bench-" + i));
      }
      Map<String, String> nodeIds = new HashMap<>();
      for (EngramProcess p : single ? List.<EngramProcess>of() : started) {
        nodeIds.put(p.api.get("/health", null).json().getJsonObject("cluster").getString("node_id"),
            p.api.base());
      }
      System.out.printf("%s, %d agents, %d s (after %d s warm-up)%n", single ? "one process outside cluster mode"
          : nodes + " nodes", agents, seconds, warmup);
      run(started, ids, key, db, nodeIds, shards, warmup, false);
      run(started, ids, key, db, nodeIds, shards, seconds, true);
      indexDelay(started, key);
      if (nodes > 1) {
        failover(started, key, db, nodeIds, shards);
      }
    } catch (Exception | AssertionError e) {
      e.printStackTrace();
      failed = true;
    } finally {
      for (EngramProcess p : started) {
        p.close();
      }
      postgres.close();
      TestServer.llm().close();
    }
    System.exit(failed ? 1 : 0);
  }

  private static void run(List<EngramProcess> nodes, List<String> ids, String key, PgConnectOptions db,
      Map<String, String> nodeIds, int shards, int seconds, boolean print) throws Exception {
    Map<Integer, String> owners = owners(db, nodeIds);
    List<Long> local = Collections.synchronizedList(new ArrayList<>());
    List<Long> remote = Collections.synchronizedList(new ArrayList<>());
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    ExecutorService clients = Executors.newFixedThreadPool(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      String agent = ids.get(i);
      int client = i;
      clients.submit(() -> {
        int n = client;
        while (System.nanoTime() < end) {
          Api api = nodes.get(n++ % nodes.size()).api;
          long t = System.nanoTime();
          api.stream("/api/agents/" + agent + "/messages", key,
              new JsonObject().put("message", "hi").put("stream", true));
          long took = System.nanoTime() - t;
          // outside cluster mode there are no leases: the one process owns every agent
          boolean owned = owners.isEmpty() || api.base().equals(owners.get(Math.floorMod(agent.hashCode(), shards)));
          (owned ? local : remote).add(took);
        }
        return null;
      });
    }
    clients.shutdown();
    clients.awaitTermination(seconds + 120L, TimeUnit.SECONDS);
    if (print) {
      List<Long> all = new ArrayList<>(local);
      all.addAll(remote);
      System.out.printf("steps/s %.1f; send -> [DONE] p50 %.2f ms, p99 %.2f ms (%d sends)%n",
          all.size() / (double) seconds, ms(all, 50), ms(all, 99), all.size());
      System.out.printf("  taken by the owning node: p50 %.2f ms, p99 %.2f ms (%d); by another: p50 %.2f ms,"
          + " p99 %.2f ms (%d)%n", ms(local, 50), ms(local, 99), local.size(), ms(remote, 50), ms(remote, 99),
          remote.size());
    }
  }

  /** Where each shard is served now: the base URL of its node. */
  private static Map<Integer, String> owners(PgConnectOptions db, Map<String, String> nodeIds) throws Exception {
    Map<Integer, String> owners = new HashMap<>();
    DirectSql.query(db, "select shard, node from agent_shard_leases").forEach(r -> owners.put(r.getInteger(0),
        nodeIds.get(r.getString(1))));
    return owners;
  }

  private static void indexDelay(List<EngramProcess> nodes, String key) throws Exception {
    Api writer = nodes.get(0).api;
    Api reader = nodes.get(nodes.size() - 1).api;
    String agent = writer.newAgent(key, "bench-search");
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String word = "zq" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
      writer.post("/api/agents/" + agent + "/archival", key, new JsonObject().put("content", "about " + word));
      long t = System.nanoTime();
      while (!reader.get("/api/agents/" + agent + "/archival?query=" + word + "&mode=text", key).body()
          .contains(word)) {
        Thread.sleep(5);
      }
      delays.add(System.nanoTime() - t);
    }
    delays.remove(0); // the reader's first search warms it up
    System.out.printf("index replication delay (write on one node, found on another): p50 %.1f ms, p99 %.1f ms%n",
        ms(delays, 50), ms(delays, 99));
  }

  private static void failover(List<EngramProcess> nodes, String key, PgConnectOptions db,
      Map<String, String> nodeIds, int shards) throws Exception {
    EngramProcess victim = nodes.get(nodes.size() - 1);
    Map<Integer, String> owners = owners(db, nodeIds);
    String agent = null;
    while (agent == null) {
      String id = nodes.get(0).api.newAgent(key, "failover-" + UUID.randomUUID().toString().substring(0, 8));
      if (victim.api.base().equals(owners.get(Math.floorMod(id.hashCode(), shards)))) {
        agent = id;
      }
    }
    long killed = System.nanoTime();
    victim.kill();
    List<String> events = nodes.get(0).api.stream("/api/agents/" + agent + "/messages", key,
        new JsonObject().put("message", "still there?").put("stream", true));
    System.out.printf("failover: a send to an agent of the killed node completed %.0f ms after kill -9 (%s)%n",
        (System.nanoTime() - killed) / 1e6, events.get(events.size() - 1));
  }

  private static double ms(List<Long> nanos, int percentile) {
    if (nanos.isEmpty()) {
      return Double.NaN;
    }
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    int i = (int) Math.min(sorted.size() - 1, Math.ceil(percentile / 100.0 * sorted.size()) - 1);
    return sorted.get(Math.max(0, i)) / 1e6;
  }

  private static void awaitSpread(Api api, int nodes, int shards) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      JsonObject view = api.get("/admin/cluster", TestServer.ADMIN).json();
      var members = view.getJsonArray("members");
      if (members.size() == nodes && members.stream().allMatch(m -> ((JsonObject) m).getInteger("shards") > 0)
          && members.stream().mapToInt(m -> ((JsonObject) m).getInteger("shards")).sum() == shards) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the shards did not spread over the nodes");
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
