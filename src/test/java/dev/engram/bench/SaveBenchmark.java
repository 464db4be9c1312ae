package dev.engram.bench;

import dev.engram.testkit.TempHomes;
import dev.engram.config.EngramConfig;
import dev.engram.kernel.RecordCodec;
import dev.engram.model.Agent;
import dev.engram.model.Block;
import dev.engram.model.CoreMemory;
import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import dev.engram.store.DatabaseLauncher;
import dev.engram.store.StoreClient;
import dev.engram.store.StoreVerticle;
import dev.engram.embed.EmbeddingSettings;
import dev.engram.index.LuceneIndex;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The persistence cost of agent steps alone: N agents each save a user message, then an assistant message with its
 * tool result (the two saves of a send), with contexts growing and shrinking as summarisation would make them, through
 * the store verticle on the embedded PostgreSQL. Prints saves per second and CPU per save.
 *
 * <p>Usage: scripts/bench.sh saves [--agents 64] [--seconds 10] [--context 150] [--sql "alter table ..."]
 */
public final class SaveBenchmark {
  /** Context size (message ids) at which the benchmark "summarises" down to a third; --context sets it. */
  private static int maxContext = 150;

  public static void main(String[] args) {
    try {
      run(args);
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  private static void run(String[] args) throws Exception {
    Map<String, String> opts = BenchArgs.parse(args);
    int agents = Integer.parseInt(opts.getOrDefault("agents", "64"));
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "10"));
    maxContext = Integer.parseInt(opts.getOrDefault("context", "150"));
    Path home = TempHomes.create("engram-save-bench-");
    ResourceMeter meter = new ResourceMeter(home.resolve("pgdata"));
    var db = new EngramConfig.Database(null, null, 5432, "engram", "postgres", null, 8);
    try (DatabaseLauncher database = DatabaseLauncher.start(db, home)) {
      Vertx vertx = Vertx.vertx();
      vertx.eventBus().registerCodec(new RecordCodec());
      vertx.eventBus().codecSelector(body -> body instanceof Record ? RecordCodec.NAME : null);
      StoreVerticle.IndexOpener indexes = name -> new LuceneIndex(vertx, home.resolve("index").resolve(name));
      String storeId = await(vertx.deployVerticle(new StoreVerticle(database.connectOptions(), db.poolSize(), indexes,
          EmbeddingSettings.LOCAL_MODEL, EmbeddingSettings.LOCAL_DIMENSION)));
      if (opts.containsKey("sql")) {
        // an experiment on the schema or settings; the store starts again so that its connections see it
        Pool admin = PgBuilder.pool().connectingTo(database.connectOptions()).using(vertx).build();
        await(admin.query(opts.get("sql")).execute());
        await(admin.close());
        await(vertx.undeploy(storeId));
        await(vertx.deployVerticle(new StoreVerticle(database.connectOptions(), db.poolSize(), indexes,
            EmbeddingSettings.LOCAL_MODEL, EmbeddingSettings.LOCAL_DIMENSION)));
      }
      StoreClient store = new StoreClient(vertx);
      List<Agent> created = new ArrayList<>();
      for (int i = 0; i < agents; i++) {
        created.add(await(create(store, "bench-" + i)));
      }
      run(vertx, store, created, 3);
      ResourceMeter.Sample before = meter.sample();
      long start = System.nanoTime();
      long saves = run(vertx, store, created, seconds);
      double elapsed = (System.nanoTime() - start) / 1e9;
      System.out.printf("agents=%d saves=%d rate=%.0f saves/s%n%s%n", agents, saves, saves / elapsed,
          meter.sample().minus(before).perStep(saves).replace("/step", "/save"));
      await(vertx.close());
    }
  }

  private static Future<Agent> create(StoreClient store, String name) {
    String id = UUID.randomUUID().toString();
    String user = "00000000-0000-0000-0000-000000000000";
    Instant now = Instant.now();
    Message system = message(id, user, Message.SYSTEM, "You are a benchmark agent. ".repeat(200), List.of());
    List<Block> blocks = List.of(
        new Block(UUID.randomUUID().toString(), user, "persona", "The persona of a helpful assistant. ".repeat(20),
            2000, null, Map.of(), false, false, null, List.of(), 1, now, now),
        new Block(UUID.randomUUID().toString(), user, "human", "The human's name is Chad.", 2000, null, Map.of(),
            false, false, null, List.of(), 1, now, now));
    Agent agent = new Agent(id, user, name, null, null, Map.of(), List.of(), "memgpt_chat", "sam", "basic", null,
        new CoreMemory(blocks), List.of("send_message"), List.of(system.id()), false, "gpt-4", 8192, null, null, now,
        now, null, null);
    return store.insertAgent(agent, blocks, List.of(system)).map(done -> agent);
  }

  /** Every agent sends in a loop for {@code seconds}; answers the number of saves. */
  private static long run(Vertx vertx, StoreClient store, List<Agent> agents, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long[] saves = {0};
    List<Future<Void>> loops = new ArrayList<>();
    for (int i = 0; i < agents.size(); i++) {
      int index = i;
      Promise<Void> done = Promise.promise();
      vertx.runOnContext(v -> loop(store, agents, index, end, saves, done));
      loops.add(done.future());
    }
    await(Future.all(loops));
    return saves[0];
  }

  private static void loop(StoreClient store, List<Agent> agents, int index, long end, long[] saves,
      Promise<Void> done) {
    if (System.nanoTime() >= end) {
      done.complete();
      return;
    }
    Agent a = agents.get(index);
    Message user = message(a.id(), a.userId(), Message.USER,
        "{\"type\": \"user_message\", \"message\": \"What is the meaning of life?\", \"time\": \"now\"}", List.of());
    Message assistant = message(a.id(), a.userId(), Message.ASSISTANT, "Thinking briefly.",
        List.of(new ToolCall("call_" + UUID.randomUUID(), "send_message", "{\"message\": \"Hello.\"}")));
    Message tool = message(a.id(), a.userId(), Message.TOOL, "{\"status\": \"OK\", \"message\": \"None\"}",
        List.of());
    Agent withUser = withContext(a, List.of(user));
    Agent withStep = withContext(withUser, List.of(assistant, tool));
    store.saveAgent(withUser, List.of(user), stored(a, withUser))
        .compose(v -> store.saveAgent(withStep, List.of(assistant, tool), stored(withUser, withStep)))
        .onSuccess(v -> {
          saves[0] += 2;
          agents.set(index, withStep);
          loop(store, agents, index, end, saves, done);
        })
        .onFailure(done::fail);
  }

  /** How many leading context ids of {@code next} the store holds already after saving {@code saved}. */
  private static int stored(Agent saved, Agent next) {
    List<String> a = saved.inContextIds();
    List<String> b = next.inContextIds();
    int i = 0;
    while (i < Math.min(a.size(), b.size()) && a.get(i).equals(b.get(i))) {
      i++;
    }
    return i;
  }

  private static Agent withContext(Agent a, List<Message> added) {
    List<String> ids = new ArrayList<>(a.inContextIds());
    added.forEach(m -> ids.add(m.id()));
    if (ids.size() > maxContext) {
      ids.subList(1, ids.size() - maxContext / 3).clear();
    }
    return a.withContext(ids, false, Instant.now());
  }

  private static Message message(String agentId, String userId, String role, String text, List<ToolCall> calls) {
    return new Message(UUID.randomUUID().toString(), agentId, userId, role, text, null, calls, null, null, 20,
        Instant.now());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
  }
}
