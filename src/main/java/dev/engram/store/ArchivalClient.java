package dev.engram.store;

import static dev.engram.store.ArchivalProtocol.*;

import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.kernel.Endpoint;
import dev.engram.model.Job;
import dev.engram.model.Passage;
import dev.engram.store.StoreProtocol.Done;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Instant;
import java.util.List;

/** Typed access to the persistence verticle's archival, source and job addresses over the event bus. */
public final class ArchivalClient {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(60_000);

  private final Vertx vertx;

  public ArchivalClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<List<String>> insert(String userId, String agentId, String model, List<NewPassage> passages) {
    return insert(userId, agentId, model, passages, List.of(), null)
        .map(stored -> stored.stream().map(Passage::id).toList());
  }

  /** Stores passages with {@code tags}, created at {@code createdAt} (null: now); the rows stored, in order. */
  public Future<List<Passage>> insert(String userId, String agentId, String model, List<NewPassage> passages,
      List<String> tags, Instant createdAt) {
    return ask(ARCHIVAL_INSERT, new InsertArchival(userId, agentId, model, passages, tags, createdAt))
        .map(Passages::passages);
  }

  /**
   * The oldest first page of an agent's archival items (its passages, its sources', and the current memories of its
   * attached Mem0 scopes) after or before an item id.
   */
  public Future<List<ArchivalItem>> list(String userId, String agentId, String after, String before, int limit) {
    return list(new ListArchival(userId, agentId, after, before, limit, true, null));
  }

  public Future<List<ArchivalItem>> list(ListArchival query) {
    return ask(ARCHIVAL_LIST, query).map(ArchivalItems::items);
  }

  public Future<List<Found>> search(String userId, String agentId, String text, float[] vector, SearchMode mode,
      int limit) {
    return search(userId, agentId, text, vector, mode, limit, PassageFilter.NONE);
  }

  public Future<List<Found>> search(String userId, String agentId, String text, float[] vector, SearchMode mode,
      int limit, PassageFilter filter) {
    return ask(ARCHIVAL_SEARCH,
        new SearchArchival(userId, agentId, text, vector, mode, limit, filter)).map(FoundPassages::found);
  }

  public Future<Done> delete(String userId, String agentId, String passageId) {
    return ask(ARCHIVAL_DELETE, new DeleteArchival(userId, agentId, passageId));
  }

  public Future<Long> count(String userId, String agentId) {
    return ask(ARCHIVAL_COUNT, new CountArchival(userId, agentId)).map(Count::count);
  }

  public Future<SourceView> createSource(String userId, String name, String description, String model, int dim) {
    return createSource(new CreateSource(userId, name, description, model, dim, null, null, null));
  }

  public Future<SourceView> createSource(CreateSource request) {
    return ask(SOURCE_CREATE, request);
  }

  public Future<SourceView> updateSource(String userId, String sourceId, String name, String description) {
    return updateSource(new UpdateSource(userId, sourceId, name, description, null, null));
  }

  public Future<SourceView> updateSource(UpdateSource request) {
    return ask(SOURCE_UPDATE, request);
  }

  /** The sources attached to an agent; fails 404 when the agent is not the user's. */
  public Future<List<SourceView>> agentSources(String userId, String agentId) {
    return ask(SOURCE_OF_AGENT, new AgentSources(userId, agentId)).map(SourceList::sources);
  }

  public Future<SourceView> source(String userId, String sourceId) {
    return ask(SOURCE_GET, new GetSource(userId, sourceId));
  }

  public Future<List<SourceView>> sources(String userId) {
    return ask(SOURCE_LIST, new ListSources(userId)).map(SourceList::sources);
  }

  public Future<Done> deleteSource(String userId, String sourceId) {
    return ask(SOURCE_DELETE, new DeleteSource(userId, sourceId));
  }

  public Future<SourceView> attach(String userId, String sourceId, String agentId, boolean attach) {
    return ask(SOURCE_ATTACH, new AttachSource(userId, sourceId, agentId, attach));
  }

  public Future<Passages> sourcePassages(String userId, String sourceId, String after, int limit) {
    return ask(SOURCE_PASSAGES, new SourcePassages(userId, sourceId, after, limit));
  }

  public Future<Documents> documents(String userId, String sourceId) {
    return ask(SOURCE_DOCUMENTS, new SourceDocuments(userId, sourceId));
  }

  public Future<NewJob> createJob(CreateJob request) {
    return ask(JOB_CREATE, request);
  }

  public Future<Job> job(String userId, String jobId) {
    return ask(JOB_GET, new GetJob(userId, jobId)).map(JobReply::job);
  }

  /** Marks the job running under {@code runner}; null when it has ended or another runner claimed it. */
  public Future<Job> startJob(String jobId, String runner) {
    return ask(JOB_START, new StartJob(jobId, runner)).map(JobReply::job);
  }

  /** The bytes of the job's upload; null when it has none. */
  public Future<Buffer> jobFile(String jobId) {
    return ask(JOB_FILE, new GetJobFile(jobId)).map(JobFile::bytes);
  }

  public Future<Job> completeJob(String jobId, String runner, String documentName, String text, String model,
      List<NewPassage> passages) {
    return ask(JOB_COMPLETE, new CompleteJob(jobId, runner, documentName, text, model, passages))
        .map(JobReply::job);
  }

  public Future<Done> jobProgress(String jobId, String runner, Integer totalChunks, int chunksEmbedded) {
    return ask(JOB_PROGRESS, new JobProgress(jobId, runner, totalChunks, chunksEmbedded));
  }

  /** The user's jobs, oldest first; only those not ended when {@code activeOnly}. */
  public Future<List<Job>> jobs(String userId, boolean activeOnly) {
    return ask(JOB_LIST, new ListJobs(userId, activeOnly)).map(JobList::jobs);
  }

  public Future<FileReply> file(String userId, String sourceId, String fileId, boolean includeContent) {
    return ask(FILE_GET, new GetFile(userId, sourceId, fileId, includeContent));
  }

  /** The files (jobs) of a source, oldest first; fails 404 when the source is not the user's. */
  public Future<List<Job>> files(String userId, String sourceId) {
    return ask(FILE_LIST, new ListFiles(userId, sourceId)).map(JobList::jobs);
  }

  public Future<Done> deleteFile(String userId, String sourceId, String fileId) {
    return ask(FILE_DELETE, new DeleteFile(userId, sourceId, fileId));
  }

  /** Ends the job failed with {@code error}; null when it had ended or is another runner's. */
  public Future<Job> failJob(String jobId, String runner, String error) {
    return ask(JOB_FAIL, new FailJob(jobId, runner, error)).map(JobReply::job);
  }

  /** Claims for {@code runner} up to {@code limit} unfinished jobs whose runner is gone (see {@link ClaimJobs}). */
  public Future<List<Job>> claimJobs(String runner, long liveWithinMs, int limit) {
    return ask(JOB_CLAIM, new ClaimJobs(runner, liveWithinMs, limit)).map(JobList::jobs);
  }

  private <Q extends Record, R extends Record> Future<R> ask(Endpoint<Q, R> endpoint, Q request) {
    return endpoint.ask(vertx, request, OPTIONS);
  }
}
