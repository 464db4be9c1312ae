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
 * Upload jobs (created by {@link FileRepository}, as they are also a source's files) and their uploads' bytes
 * ({@code job_files}, kept while the job is unfinished). A job's document and passages are written in the same
 * transaction that marks it completed, so a failed or interrupted job leaves no partial passages, and running it again
 * from the start cannot store them twice.
 *
 * <p>Each unfinished job has one runner ({@code jobs.node}): the node (cluster mode) or process that runs it. Starting,
 * advancing and ending a job name its runner and do nothing for a job another runner has claimed since; a claim
 * moves the jobs whose runner is gone (a node no longer alive, a process that stopped) to a live one.
 */
final class JobRepository {
  private static final String GET = "select " + ArchivalRows.JOB_COLUMNS + " from jobs where id = $1";
  /** Starts a job, or starts over one that a stop cut short (its progress is counted again from nothing). */
  private static final String START = "update jobs set status = 'running', total_chunks = null, chunks_embedded = 0, "
      + "updated_at = now() where id = $1 and node = $2 and status in ('created', 'running') returning "
      + ArchivalRows.JOB_COLUMNS;
  /** Ends a job and deletes its upload's bytes; $4 (its chunk count, null on failure) also completes its progress. */
  private static final String FINISH = """
      with ended as (
        update jobs set status = $2, metadata = metadata || $3, completed_at = now(), updated_at = now(),
          total_chunks = coalesce($4, total_chunks), chunks_embedded = coalesce($4, chunks_embedded)
        where id = $1 and node = $5 and status in ('created', 'running') returning\s""" + ArchivalRows.JOB_COLUMNS + """
      ),
      gone as (delete from job_files where job_id in (select id from ended))
      select * from ended""";
  private static final String PROGRESS = """
      update jobs set total_chunks = $3, chunks_embedded = $4, updated_at = now()
      where id = $1 and node = $2 and status = 'running'""";
  /**
   * Claims unfinished jobs whose runner is gone ($1 the claimer, $2 how recently a live node was seen, $3 at most how
   * many). Two claimers never get one job: the update re-reads a row another claim changed since the select, and the
   * runner it then has no longer matches the one selected ({@code was}).
   */
  private static final String CLAIM = """
      with orphan(job_id, was) as (
        select id, node from jobs where status in ('created', 'running') and node is distinct from $1
          and (node is null or node not in
            (select id from cluster_nodes where seen_at > now() - $2 * interval '1 millisecond'))
        order by created_at limit $3)
      update jobs set node = $1, updated_at = now() from orphan
      where id = orphan.job_id and node is not distinct from orphan.was and status in ('created', 'running')
      returning\s""" + ArchivalRows.JOB_COLUMNS;
  private static final String FILE = "select bytes from job_files where job_id = $1";
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

  /** Marks a job running; the reply's job is null when it ended or another runner claimed it (nothing to do). */
  Future<JobReply> start(StartJob req) {
    return pool.preparedQuery(START).execute(Tuple.of(UUID.fromString(req.jobId()), req.runner()))
        .map(rows -> new JobReply(rows.size() == 0 ? null : ArchivalRows.job(rows.iterator().next())));
  }

  Future<JobReply> complete(CompleteJob req) {
    UUID jobId = UUID.fromString(req.jobId());
    UUID documentId = UUID.randomUUID();
    return pool.withTransaction(conn -> conn.preparedQuery(GET + " and node = $2 for update")
        .execute(Tuple.of(jobId, req.runner()))
        .compose(rows -> {
          Job job = rows.size() == 0 ? null : ArchivalRows.job(rows.iterator().next());
          if (job == null || job.sourceId() == null
              || !(Job.RUNNING.equals(job.status()) || Job.CREATED.equals(job.status()))) {
            return Future.failedFuture(ApiException.conflict("job " + jobId + " is no longer running here"));
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
                      inserted.entries().size(), req.runner()))
                  .map(done -> new Completed(ArchivalRows.job(done.iterator().next()), inserted.entries())));
        }))
        .compose(c -> IndexSync.bestEffort(index.upsert(c.entries()), "job completion").map(new JobReply(c.job())));
  }

  Future<JobReply> fail(FailJob req) {
    return pool.preparedQuery(FINISH).execute(Tuple.of(UUID.fromString(req.jobId()), Job.FAILED,
            new JsonObject().put("error", req.error()), null, req.runner()))
        .map(rows -> new JobReply(rows.size() == 0 ? null : ArchivalRows.job(rows.iterator().next())));
  }

  /** Records progress; a job that ended or was deleted meanwhile is left as it is. */
  Future<Done> progress(JobProgress req) {
    return pool.preparedQuery(PROGRESS).execute(Tuple.of(UUID.fromString(req.jobId()), req.runner(),
        req.totalChunks(), req.chunksEmbedded())).map(new Done());
  }

  Future<JobList> ofUser(ListJobs req) {
    return pool.preparedQuery(OF_USER).execute(Tuple.of(UUID.fromString(req.userId()), req.activeOnly()))
        .map(rows -> new JobList(UserRepository.collect(rows, ArchivalRows::job)));
  }

  Future<JobList> claim(ClaimJobs req) {
    return pool.preparedQuery(CLAIM).execute(Tuple.of(req.runner(), req.liveWithinMs(), req.limit()))
        .map(rows -> new JobList(UserRepository.collect(rows, ArchivalRows::job)));
  }

  Future<JobFile> file(GetJobFile req) {
    return pool.preparedQuery(FILE).execute(Tuple.of(UUID.fromString(req.jobId())))
        .map(rows -> new JobFile(rows.size() == 0 ? null : rows.iterator().next().getBuffer(0)));
  }

  private record Completed(Job job, List<IndexedPassage> entries) {}
}
