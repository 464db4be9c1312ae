package dev.engram.store;

import static dev.engram.store.ArchivalProtocol.*;

import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.kernel.Endpoint;
import dev.engram.model.Job;
import dev.engram.store.StoreProtocol.Done;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;

/** Typed access to the persistence verticle's archival, source and job addresses over the event bus. */
public final class ArchivalClient {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(60_000);

  private final Vertx vertx;

  public ArchivalClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<List<String>> insert(String userId, String agentId, String model, List<NewPassage> passages) {
    return ask(ARCHIVAL_INSERT, new InsertArchival(userId, agentId, model, passages))
        .map(PassageIds::ids);
  }

  public Future<Passages> list(String userId, String agentId, String after, String before, int limit) {
    return ask(ARCHIVAL_LIST, new ListArchival(userId, agentId, after, before, limit));
  }

  public Future<List<Found>> search(String userId, String agentId, String text, float[] vector, SearchMode mode,
      int limit) {
    return ask(ARCHIVAL_SEARCH,
        new SearchArchival(userId, agentId, text, vector, mode, limit)).map(FoundPassages::found);
  }

  public Future<Done> delete(String userId, String agentId, String passageId) {
    return ask(ARCHIVAL_DELETE, new DeleteArchival(userId, agentId, passageId));
  }

  public Future<Long> count(String userId, String agentId) {
    return ask(ARCHIVAL_COUNT, new CountArchival(userId, agentId)).map(Count::count);
  }

  public Future<SourceView> createSource(String userId, String name, String description, String model, int dim) {
    return ask(SOURCE_CREATE, new CreateSource(userId, name, description, model, dim));
  }

  public Future<SourceView> updateSource(String userId, String sourceId, String name, String description) {
    return ask(SOURCE_UPDATE, new UpdateSource(userId, sourceId, name, description));
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

  public Future<Job> createJob(String userId, String sourceId, String fileName, String filePath, long size) {
    return ask(JOB_CREATE, new CreateJob(userId, sourceId, fileName, filePath, size))
        .map(JobReply::job);
  }

  public Future<Job> job(String userId, String jobId) {
    return ask(JOB_GET, new GetJob(userId, jobId)).map(JobReply::job);
  }

  /** Marks the job running; null when it has already ended. */
  public Future<Job> startJob(String jobId) {
    return ask(JOB_START, new StartJob(jobId)).map(JobReply::job);
  }

  public Future<Job> completeJob(String jobId, String documentName, int chars, String model,
      List<NewPassage> passages) {
    return ask(JOB_COMPLETE, new CompleteJob(jobId, documentName, chars, model, passages))
        .map(JobReply::job);
  }

  public Future<Job> failJob(String jobId, String error) {
    return ask(JOB_FAIL, new FailJob(jobId, error)).map(JobReply::job);
  }

  public Future<List<Job>> unfinishedJobs() {
    return ask(JOB_UNFINISHED, new UnfinishedJobs()).map(JobList::jobs);
  }

  private <Q extends Record, R extends Record> Future<R> ask(Endpoint<Q, R> endpoint, Q request) {
    return endpoint.ask(vertx, request, OPTIONS);
  }
}
