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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads uploaded files into sources, a few jobs at a time: read the upload's bytes from PostgreSQL (job_files, kept
 * there from the upload until the job ends), extract text (on a worker), chunk, embed, then store the document and
 * its passages in the transaction that completes the job. Any failure ends the job failed with its reason and no
 * passages.
 *
 * <p>Running a job again is safe: its passages are written all-or-nothing with its completion, so a run cut short
 * (the process stopped or was killed, its node died) left none behind, and the next run starts from the upload's
 * bytes. Such a job stays running under its runner's id ({@code runner}: this node's or process's); it is claimed
 * and run again by a live node in cluster mode, by the next start of a single process ({@link SourceVerticle}). Every
 * write of a run names its runner, so a runner whose job was claimed by another (a node presumed dead that was only
 * paused) can no longer advance or end it.
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
  private final String runner;
  private final Queue<Job> queue = new ArrayDeque<>();
  private int running;
  private boolean stopping;

  public JobRunner(Vertx vertx, WorkerExecutor workers, ArchivalClient store, EmbedClient embedder, Chunker chunker,
      TextExtractor extractor, String embeddingModel, int concurrency, String runner) {
    this.vertx = vertx;
    this.workers = workers;
    this.store = store;
    this.embedder = embedder;
    this.chunker = chunker;
    this.extractor = extractor;
    this.embeddingModel = embeddingModel;
    this.concurrency = concurrency;
    this.runner = runner;
  }

  /** Queues a job; it starts when fewer than {@code concurrency} jobs are running. Call on the verticle's context. */
  public void submit(Job job) {
    queue.add(job);
    drain();
  }

  /** How many more jobs could start now (none are queued and fewer than {@code concurrency} run). */
  public int idleSlots() {
    return stopping ? 0 : Math.max(0, concurrency - running - queue.size());
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
    EngramMetrics metrics = EngramMetrics.of(vertx);
    boolean[] counted = new boolean[1];
    return store.startJob(job.id(), runner).compose(started -> {
      if (started == null) {
        return Future.succeededFuture();
      }
      metrics.jobsRunning().incrementAndGet();
      counted[0] = true;
      Chunker split = job.chunkTokens() == null ? chunker : new Chunker(job.chunkTokens());
      return store.jobFile(job.id())
          .compose(bytes -> bytes == null
              ? Future.failedFuture(new TextExtractor.BadFile("the uploaded file of this job was not kept (it was "
                  + "received before an upgrade); upload the file again"))
              : workers.executeBlocking(() -> extractor.extract(bytes.getBytes(), fileName), false))
          .compose(text -> workers.executeBlocking(() -> split.split(text), false)
              .compose(chunks -> store.jobProgress(job.id(), runner, chunks.size(), 0)
                  .compose(v -> embedAll(job.id(), chunks))
                  .compose(passages -> store.completeJob(job.id(), runner, fileName, text, embeddingModel,
                      passages))))
          .<Void>mapEmpty()
          .onSuccess(v -> metrics.jobEnded("completed"))
          .recover(e -> stopping ? Future.failedFuture(e) : store.failJob(job.id(), runner, reason(e))
              .map(failed -> {
                if (failed != null) {
                  metrics.jobEnded("failed");
                } else {
                  LOG.info("job {} ended or was claimed by another runner meanwhile: {}", job.id(), e.getMessage());
                }
                return null;
              }));
    }).onComplete(ar -> {
      if (counted[0]) {
        metrics.jobsRunning().decrementAndGet();
      }
      if (ar.failed() && stopping) {
        LOG.info("job {} was cut short by the server stopping; it runs again at the next start (cluster mode: on "
            + "a live node)", job.id());
      } else if (ar.failed()) {
        LOG.warn("job {} could not be recorded as ended", job.id(), ar.cause());
      }
    }).<Void>mapEmpty().recover(e -> Future.succeededFuture());
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
            ? store.jobProgress(jobId, runner, chunks.size(), passages.size()).<Void>mapEmpty()
            : Future.<Void>succeededFuture();
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
}
