package dev.engram.store;

import dev.engram.index.PassageIndex;
import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.model.Job;
import dev.engram.store.ArchivalProtocol.*;
import dev.engram.store.StoreProtocol.Done;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;

/**
 * Upload jobs (created by {@link FileRepository}, as they are also a source's files). A job's document and passages are written in the same transaction that marks it completed, so a
 * failed or interrupted job leaves no partial passages.
 */
final class JobRepository {
  private static final String GET = "select " + ArchivalRows.JOB_COLUMNS + " from jobs where id = $1";
  /** Starts a job, or starts over one that a stop cut short (its progress is counted again from nothing). */
  private static final String START = "update jobs set status = 'running', total_chunks = null, chunks_embedded = 0, "
      + "updated_at = now() where id = $1 and status in ('created', 'running') returning " + ArchivalRows.JOB_COLUMNS;
  /** Ends a job; $4 (its chunk count, null on failure) also completes its progress. */
  private static final String FINISH = """
      update jobs set status = $2, metadata = metadata || $3, completed_at = now(), updated_at = now(),
        total_chunks = coalesce($4, total_chunks), chunks_embedded = coalesce($4, chunks_embedded)
      where id = $1 and status in ('created', 'running') returning\s""" + ArchivalRows.JOB_COLUMNS;
  private static final String PROGRESS = """
      update jobs set total_chunks = $2, chunks_embedded = $3, updated_at = now()
      where id = $1 and status = 'running'""";
  private static final String UNFINISHED = "select " + ArchivalRows.JOB_COLUMNS
      + " from jobs where status in ('created', 'running') order by created_at";
  private static final String OF_USER = "select " + ArchivalRows.JOB_COLUMNS + """
       from jobs where user_id = $1 and (not $2 or status in ('created', 'running'))
      order by created_at, id""";
  private static final String INSERT_DOCUMENT = """
      insert into documents(id, user_id, source_id, job_id, name, chars, metadata, text)
      values ($1, $2, $3, $4, $5, $6, $7, $8)""";

  private final Pool pool;
  private final PassageIndex index;

  JobRepository(Pool pool, PassageIndex index) {
    this.pool = pool;
    this.index = index;
  }

  Future<JobReply> get(GetJob req) {
    UUID id = Ids.parse(req.jobId());
    return (id == null ? Future.<Job>succeededFuture(null) : pool.preparedQuery(GET).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : ArchivalRows.job(rows.iterator().next())))
        .compose(job -> job == null || !job.userId().equals(req.userId())
            ? Future.failedFuture(ApiException.notFound("Job job_id=" + req.jobId() + " not found"))
            : Future.succeededFuture(new JobReply(job)));
  }

  /** Marks a job running; the reply's job is null when it already ended (nothing left to do). */
  Future<JobReply> start(StartJob req) {
    return pool.preparedQuery(START).execute(Tuple.of(UUID.fromString(req.jobId())))
        .map(rows -> new JobReply(rows.size() == 0 ? null : ArchivalRows.job(rows.iterator().next())));
  }

  Future<JobReply> complete(CompleteJob req) {
    UUID jobId = UUID.fromString(req.jobId());
    UUID documentId = UUID.randomUUID();
    return pool.withTransaction(conn -> conn.preparedQuery(GET + " for update").execute(Tuple.of(jobId))
        .compose(rows -> {
          Job job = rows.size() == 0 ? null : ArchivalRows.job(rows.iterator().next());
          if (job == null || job.sourceId() == null
              || !(Job.RUNNING.equals(job.status()) || Job.CREATED.equals(job.status()))) {
            return Future.failedFuture(ApiException.conflict("job " + jobId + " is no longer running"));
          }
          UUID user = UUID.fromString(job.userId());
          UUID source = UUID.fromString(job.sourceId());
          return conn.preparedQuery(INSERT_DOCUMENT).execute(Tuple.of(documentId, user, source, jobId,
                  req.documentName(), req.text().length(), new JsonObject().put("filename", req.documentName()),
                  req.text()))
              .compose(r -> PassageRepository.insertRows(conn, user, null, source, documentId, req.embeddingModel(),
                  req.passages(), List.of(), null))
              .compose(inserted -> conn.preparedQuery(FINISH).execute(Tuple.of(jobId, Job.COMPLETED,
                      new JsonObject().put("num_passages", inserted.entries().size()).put("num_documents", 1),
                      inserted.entries().size()))
                  .map(done -> new Completed(ArchivalRows.job(done.iterator().next()), inserted.entries())));
        }))
        .compose(c -> IndexSync.bestEffort(index.upsert(c.entries()), "job completion").map(new JobReply(c.job())));
  }

  Future<JobReply> fail(FailJob req) {
    return pool.preparedQuery(FINISH).execute(Tuple.of(UUID.fromString(req.jobId()), Job.FAILED,
            new JsonObject().put("error", req.error()), null))
        .map(rows -> new JobReply(rows.size() == 0 ? null : ArchivalRows.job(rows.iterator().next())));
  }

  /** Records progress; a job that ended or was deleted meanwhile is left as it is. */
  Future<Done> progress(JobProgress req) {
    return pool.preparedQuery(PROGRESS).execute(Tuple.of(UUID.fromString(req.jobId()), req.totalChunks(),
        req.chunksEmbedded())).map(new Done());
  }

  Future<JobList> ofUser(ListJobs req) {
    return pool.preparedQuery(OF_USER).execute(Tuple.of(UUID.fromString(req.userId()), req.activeOnly()))
        .map(rows -> new JobList(UserRepository.collect(rows, ArchivalRows::job)));
  }

  Future<JobList> unfinished(UnfinishedJobs req) {
    return pool.preparedQuery(UNFINISHED).execute()
        .map(rows -> new JobList(UserRepository.collect(rows, ArchivalRows::job)));
  }

  private record Completed(Job job, List<IndexedPassage> entries) {}
}
