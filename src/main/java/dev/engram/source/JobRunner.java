package dev.engram.source;

import dev.engram.embed.Chunker;
import dev.engram.embed.EmbedClient;
import dev.engram.kernel.ApiException;
import dev.engram.model.Job;
import dev.engram.store.ArchivalClient;
import dev.engram.store.ArchivalProtocol.NewPassage;
import dev.engram.observe.EngramMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads uploaded files into sources, a few jobs at a time: extract text (on a worker), chunk, embed, then store the
 * document and its passages in the transaction that completes the job. Any failure ends the job failed with its
 * reason and no passages. The uploaded file is removed once its job has ended. A job cut short by the server
 * stopping is left running, with its file, to be resumed at the next start.
 */
public final class JobRunner {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
  private static final int EMBED_BATCH = 64;

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final ArchivalClient store;
  private final EmbedClient embedder;
  private final Chunker chunker;
  private final TextExtractor extractor;
  private final String embeddingModel;
  private final int concurrency;
  private final Queue<Job> queue = new ArrayDeque<>();
  private int running;
  private boolean stopping;

  public JobRunner(Vertx vertx, WorkerExecutor workers, ArchivalClient store, EmbedClient embedder, Chunker chunker,
      TextExtractor extractor, String embeddingModel, int concurrency) {
    this.vertx = vertx;
    this.workers = workers;
    this.store = store;
    this.embedder = embedder;
    this.chunker = chunker;
    this.extractor = extractor;
    this.embeddingModel = embeddingModel;
    this.concurrency = concurrency;
  }

  /** Queues a job; it starts when fewer than {@code concurrency} jobs are running. Call on the verticle's context. */
  public void submit(Job job) {
    queue.add(job);
    drain();
  }

  private void drain() {
    while (running < concurrency && !queue.isEmpty()) {
      Job job = queue.poll();
      running++;
      run(job).onComplete(ar -> {
        running--;
        drain();
      });
    }
  }

  /** From now on a failing job is taken for one cut short by the stop, not for a job that failed. */
  public void stop() {
    stopping = true;
    queue.clear();
  }

  /** Runs one job to its end; the future never fails (failures are recorded on the job). */
  Future<Void> run(Job job) {
    String fileName = String.valueOf(job.metadata().getOrDefault("filename", "upload"));
    Path file = job.filePath() == null ? null : Path.of(job.filePath());
    EngramMetrics metrics = EngramMetrics.of(vertx);
    boolean[] counted = new boolean[1];
    return store.startJob(job.id()).compose(started -> {
      if (started == null) {
        return Future.succeededFuture();
      }
      metrics.jobsRunning().incrementAndGet();
      counted[0] = true;
      Chunker split = job.chunkTokens() == null ? chunker : new Chunker(job.chunkTokens());
      return workers.executeBlocking(() -> extractor.extract(file, fileName), false)
          .compose(text -> workers.executeBlocking(() -> split.split(text), false)
              .compose(chunks -> store.jobProgress(job.id(), chunks.size(), 0)
                  .compose(v -> embedAll(job.id(), chunks))
                  .compose(passages -> store.completeJob(job.id(), fileName, text, embeddingModel, passages))))
          .<Void>mapEmpty()
          .onSuccess(v -> metrics.jobEnded("completed"))
          .recover(e -> stopping ? Future.failedFuture(e) : store.failJob(job.id(), reason(e)).<Void>mapEmpty()
              .onSuccess(v -> metrics.jobEnded("failed")));
    }).onComplete(ar -> {
      if (counted[0]) {
        metrics.jobsRunning().decrementAndGet();
      }
      if (ar.failed() && stopping) {
        LOG.info("job {} was cut short by the server stopping; it resumes at the next start", job.id());
        return;
      }
      if (ar.failed()) {
        LOG.warn("job {} could not be recorded as ended", job.id(), ar.cause());
      }
      removeFile(file);
    }).recover(e -> Future.succeededFuture());
  }

  /** Embeds the chunks a batch at a time, recording after each batch how many are done (the file's progress). */
  private Future<List<NewPassage>> embedAll(String jobId, List<String> chunks) {
    List<NewPassage> passages = new ArrayList<>(chunks.size());
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < chunks.size(); from += EMBED_BATCH) {
      List<String> batch = chunks.subList(from, Math.min(chunks.size(), from + EMBED_BATCH));
      chain = chain.compose(v -> embedder.embed(batch).compose(vectors -> {
        for (int i = 0; i < batch.size(); i++) {
          passages.add(new NewPassage(UUID.randomUUID().toString(), batch.get(i), vectors.get(i), Map.of()));
        }
        return passages.size() < chunks.size()
            ? store.jobProgress(jobId, chunks.size(), passages.size()).<Void>mapEmpty() : Future.<Void>succeededFuture();
      }));
    }
    return chain.map(passages);
  }

  private static String reason(Throwable e) {
    if (e instanceof TextExtractor.BadFile bad) {
      return bad.getMessage();
    }
    ApiException api = ApiException.from(e);
    LOG.warn("job failed", e);
    return api.status() < 500 ? api.getMessage() : "loading failed: " + api.getMessage()
        + (e.getMessage() != null && api.status() == 500 ? " (" + e.getMessage() + ")" : "");
  }

  private void removeFile(Path file) {
    if (file != null) {
      vertx.fileSystem().delete(file.toString()).onFailure(e -> {
        if (Files.exists(file)) {
          LOG.warn("could not remove uploaded file {}", file, e);
        }
      });
    }
  }
}
