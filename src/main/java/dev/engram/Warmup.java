package dev.engram;

import dev.engram.agent.TokenCounter;
import dev.engram.embed.EmbedClient;
import dev.engram.llm.WireWarmup;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Once the server is ready, runs the in-process hot paths of the first requests on throwaway inputs, on one
 * low-priority thread beside the first requests: the tokenizer, the model wire of an agent step ({@link
 * WireWarmup}: request encoding, streamed and whole replies), JSON, and the local embedding model (its first
 * inferences are slow). Nothing goes to the database, the indexes, the model or a remote embedder, so no user's data
 * is read or written. On with {@code WARMUP=true}; off by default, because it did not measure better: with the class
 * data sharing archive of scripts/run.sh, the first 10 agent sends of scripts/bench.sh cold-start averaged 4.9 times
 * the warm p50 without it and 5.5 times with it (medians of 6 and 9 starts on a loaded machine): on 2 cores it takes
 * CPU from the first requests (Java thread priorities mean nothing to Linux), and their cold paths (HTTP, event bus,
 * PostgreSQL client, the step) are not the in-process ones it runs. Run after ready, not before: ready within 2 s is
 * a target of its own.
 */
final class Warmup {
  private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
  /** Rounds of the tokenizer and the wire: past the JIT's first tier (a method is compiled after ~200 calls). */
  private static final int ROUNDS = 300;
  /** Local inferences: the first few set up ONNX Runtime's buffers; each costs about 4 ms of CPU once warm. */
  private static final int EMBEDDINGS = 20;

  private Warmup() {}

  /** Starts the warm-up; the future completes when it is done (it never fails: a warm-up is worth no error). */
  static Future<Void> start(Vertx vertx, String llmModel, boolean localEmbedder, long embedTimeoutMs) {
    Promise<Void> done = Promise.promise();
    Thread thread = new Thread(() -> {
      long started = System.nanoTime();
      try {
        int sink = 0;
        TokenCounter tokens = new TokenCounter(llmModel);
        for (int i = 0; i < ROUNDS; i++) {
          String text = "What is the meaning of life? Warm-up round " + i + ".";
          sink += tokens.text(text) + WireWarmup.round(llmModel);
          sink += new JsonObject().put("message", text).put("round", i).encode().length();
        }
        if (localEmbedder) {
          EmbedClient embed = new EmbedClient(vertx, embedTimeoutMs);
          for (int i = 0; i < EMBEDDINGS; i++) {
            sink += embed.embed(List.of("A throwaway sentence to warm the embedding model, round " + i + "."))
                .toCompletionStage().toCompletableFuture().get(embedTimeoutMs, TimeUnit.MILLISECONDS).size();
          }
        }
        LOG.info("Warmed up the tokenizer, the model wire{} in {} ms ({})", localEmbedder ? " and the embedder" : "",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), sink > 0 ? "done" : "empty");
      } catch (Exception | LinkageError e) {
        // typically the server stopping while an embedding was on its way
        LOG.info("The warm-up stopped early ({}); the server is not affected", e.toString());
      } finally {
        done.complete();
      }
    }, "engram-warmup");
    thread.setDaemon(true);
    thread.setPriority(Thread.MIN_PRIORITY);
    thread.start();
    return done.future();
  }
}
