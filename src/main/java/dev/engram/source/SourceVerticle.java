package dev.engram.source;

import dev.engram.cluster.Placement;
import dev.engram.config.EngramConfig;
import dev.engram.embed.Chunker;
import dev.engram.embed.EmbedClient;
import dev.engram.model.Job;
import dev.engram.store.ArchivalClient;
import dev.engram.store.ArchivalProtocol.CreateJob;
import dev.engram.store.ArchivalProtocol.NewJob;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source verticle: stores uploaded files with their new jobs in PostgreSQL and runs the jobs on workers
 * ({@link JobRunner}). Jobs whose runner is gone are run again to their end: a single process claims at start every
 * job a previous run left unfinished (stopped or killed mid-job); in cluster mode each node claims, whenever it has
 * room, the unfinished jobs of nodes no longer alive (not seen for a lease's length, as for their agents' leases).
 */
public final class SourceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(SourceVerticle.class);
  private static final int CONCURRENT_JOBS = 2;

  private final EngramConfig config;
  private WorkerExecutor workers;
  private JobRunner runner;
  private ArchivalClient store;
  /** Who runs this node's jobs (jobs.node): the cluster node's id, else an id new at each start of the process. */
  private String runnerId;
  private boolean claiming;

  public SourceVerticle(EngramConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() throws Exception {
    Placement placement = Placement.of(vertx);
    runnerId = Placement.runnerId(vertx);
    workers = vertx.createSharedWorkerExecutor("engram-jobs", CONCURRENT_JOBS);
    store = new ArchivalClient(vertx);
    runner = new JobRunner(vertx, workers, store, new EmbedClient(vertx, config.embedding().timeoutMs()),
        new Chunker(config.archival().chunkTokens()), new TextExtractor(config.archival().maxUploadBytes()),
        config.embedding().model(), CONCURRENT_JOBS, runnerId);
    Future<Void> served = SourceProtocol.UPLOAD.serve(vertx, this::accept);
    if (placement == null) {
      // this process holds the database alone: every unfinished job is one a previous run of it left behind
      return served.compose(v -> store.claimJobs(runnerId, 0, Integer.MAX_VALUE)).map(this::resume);
    }
    long leaseMs = config.cluster().leaseMs();
    vertx.setPeriodic(leaseMs, Math.max(250, leaseMs / 2), id -> claimOrphans(placement, leaseMs));
    return served;
  }

  /** Claims as many jobs of nodes that are gone as this node has idle job slots, and runs them. */
  private void claimOrphans(Placement placement, long leaseMs) {
    int room = runner.idleSlots();
    if (claiming || room == 0 || !placement.healthy()) {
      return;
    }
    claiming = true;
    store.claimJobs(runnerId, leaseMs, room).onComplete(ar -> claiming = false)
        .onSuccess(this::resume)
        .onFailure(e -> LOG.warn("Could not claim the upload jobs of stopped nodes: {}", e.getMessage()));
  }

  private Void resume(List<Job> jobs) {
    if (!jobs.isEmpty()) {
      LOG.info("Running again {} upload jobs whose runner stopped: {}", jobs.size(),
          jobs.stream().map(Job::id).toList());
    }
    jobs.forEach(runner::submit);
    return null;
  }

  /** Stores the file with its job; the received file is removed whatever the outcome. */
  private Future<NewJob> accept(SourceProtocol.Upload upload) {
    return vertx.fileSystem().readFile(upload.uploadedPath())
        .compose(bytes -> store.createJob(new CreateJob(upload.userId(), upload.sourceId(), upload.fileName(), bytes,
            runnerId, upload.originalFileName(), upload.fileType(), upload.duplicates())))
        .onComplete(ar -> vertx.fileSystem().delete(upload.uploadedPath()).onFailure(e -> {
          if (Files.exists(Path.of(upload.uploadedPath()))) { // else the HTTP side removed it first (a failure)
            LOG.warn("could not remove received file {}", upload.uploadedPath(), e);
          }
        }))
        .onSuccess(created -> {
          if (!created.skipped()) {
            runner.submit(created.job());
          }
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
