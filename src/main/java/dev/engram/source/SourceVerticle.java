package dev.engram.source;

import dev.engram.config.EngramConfig;
import dev.engram.embed.Chunker;
import dev.engram.embed.EmbedClient;
import dev.engram.store.ArchivalClient;
import dev.engram.store.ArchivalProtocol.CreateJob;
import dev.engram.store.ArchivalProtocol.NewJob;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.file.CopyOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The source verticle: takes uploaded files over, creates their jobs and runs them on workers ({@link JobRunner}).
 * At start it resumes the jobs a previous run left unfinished, or fails them when their file is gone.
 */
public final class SourceVerticle extends VerticleBase {
  private static final int CONCURRENT_JOBS = 2;

  private final Path uploads;
  private final EngramConfig config;
  private WorkerExecutor workers;
  private JobRunner runner;
  private ArchivalClient store;

  public SourceVerticle(EngramConfig config) {
    this.config = config;
    this.uploads = config.home().resolve("uploads");
  }

  @Override
  public Future<?> start() throws Exception {
    Files.createDirectories(uploads);
    workers = vertx.createSharedWorkerExecutor("engram-jobs", CONCURRENT_JOBS);
    store = new ArchivalClient(vertx);
    runner = new JobRunner(vertx, workers, store, new EmbedClient(vertx, config.embedding().timeoutMs()),
        new Chunker(config.archival().chunkTokens()), new TextExtractor(config.archival().maxUploadBytes()),
        config.embedding().model(), CONCURRENT_JOBS);
    Future<Void> served = SourceProtocol.UPLOAD.serve(vertx, this::accept);
    if (config.cluster().enabled()) {
      // the unfinished jobs may be other live nodes' (their files are on their disks); those of nodes that stopped
      // are failed by the cluster's placement rounds
      return served;
    }
    return served.compose(v -> store.unfinishedJobs())
        .map(jobs -> {
          jobs.forEach(job -> {
            if (job.filePath() != null && Files.exists(Path.of(job.filePath()))) {
              runner.submit(job);
            } else {
              store.failJob(job.id(), "the server stopped before this job finished and its uploaded file is gone; "
                  + "upload the file again");
            }
          });
          return null;
        });
  }

  /** Takes the file over; it is removed again when no job is made of it (a duplicate skipped or refused). */
  private Future<NewJob> accept(SourceProtocol.Upload upload) {
    String kept = uploads.resolve(UUID.randomUUID() + TextExtractor.extension(upload.fileName())).toString();
    return vertx.fileSystem().move(upload.uploadedPath(), kept, new CopyOptions().setReplaceExisting(true))
        .compose(v -> store.createJob(new CreateJob(upload.userId(), upload.sourceId(), upload.fileName(), kept,
                upload.sizeBytes(), upload.originalFileName(), upload.fileType(), upload.duplicates()))
            .onFailure(e -> vertx.fileSystem().delete(kept)))
        .map(created -> {
          if (created.skipped()) {
            vertx.fileSystem().delete(kept);
          } else {
            runner.submit(created.job());
          }
          return created;
        });
  }

  @Override
  public Future<?> stop() {
    if (runner != null) {
      runner.stop();
    }
    if (workers != null) {
      return workers.close();
    }
    return Future.succeededFuture();
  }
}
