package dev.engram.store;

import dev.engram.store.StoreProtocol.Done;
import dev.engram.kernel.Notice;
import dev.engram.kernel.Endpoint;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.model.Document;
import dev.engram.model.Job;
import dev.engram.model.Passage;
import dev.engram.model.Source;
import java.util.List;
import java.util.Map;

/** Requests and replies of the persistence verticle for archival memory, sources and jobs. */
public final class ArchivalProtocol {
  private ArchivalProtocol() {}

  public static final Endpoint<InsertArchival, PassageIds> ARCHIVAL_INSERT =
      Endpoint.of("store.archival.insert", InsertArchival.class, PassageIds.class);
  public static final Endpoint<ListArchival, Passages> ARCHIVAL_LIST =
      Endpoint.of("store.archival.list", ListArchival.class, Passages.class);
  public static final Endpoint<SearchArchival, FoundPassages> ARCHIVAL_SEARCH =
      Endpoint.of("store.archival.search", SearchArchival.class, FoundPassages.class);
  public static final Endpoint<DeleteArchival, Done> ARCHIVAL_DELETE =
      Endpoint.of("store.archival.delete", DeleteArchival.class, Done.class);
  public static final Endpoint<CountArchival, Count> ARCHIVAL_COUNT =
      Endpoint.of("store.archival.count", CountArchival.class, Count.class);
  public static final Endpoint<CreateSource, SourceView> SOURCE_CREATE =
      Endpoint.of("store.source.create", CreateSource.class, SourceView.class);
  public static final Endpoint<UpdateSource, SourceView> SOURCE_UPDATE =
      Endpoint.of("store.source.update", UpdateSource.class, SourceView.class);
  public static final Endpoint<GetSource, SourceView> SOURCE_GET =
      Endpoint.of("store.source.get", GetSource.class, SourceView.class);
  public static final Endpoint<ListSources, SourceList> SOURCE_LIST =
      Endpoint.of("store.source.list", ListSources.class, SourceList.class);
  public static final Endpoint<DeleteSource, Done> SOURCE_DELETE =
      Endpoint.of("store.source.delete", DeleteSource.class, Done.class);
  public static final Endpoint<AttachSource, SourceView> SOURCE_ATTACH =
      Endpoint.of("store.source.attach", AttachSource.class, SourceView.class);
  public static final Endpoint<SourcePassages, Passages> SOURCE_PASSAGES =
      Endpoint.of("store.source.passages", SourcePassages.class, Passages.class);
  public static final Endpoint<SourceDocuments, Documents> SOURCE_DOCUMENTS =
      Endpoint.of("store.source.documents", SourceDocuments.class, Documents.class);
  public static final Endpoint<CreateJob, JobReply> JOB_CREATE =
      Endpoint.of("store.job.create", CreateJob.class, JobReply.class);
  public static final Endpoint<GetJob, JobReply> JOB_GET = Endpoint.of("store.job.get", GetJob.class, JobReply.class);
  public static final Endpoint<StartJob, JobReply> JOB_START =
      Endpoint.of("store.job.start", StartJob.class, JobReply.class);
  public static final Endpoint<CompleteJob, JobReply> JOB_COMPLETE =
      Endpoint.of("store.job.complete", CompleteJob.class, JobReply.class);
  public static final Endpoint<FailJob, JobReply> JOB_FAIL =
      Endpoint.of("store.job.fail", FailJob.class, JobReply.class);
  public static final Endpoint<UnfinishedJobs, JobList> JOB_UNFINISHED =
      Endpoint.of("store.job.unfinished", UnfinishedJobs.class, JobList.class);
  /** Published with the ids of agents whose archival memory grew or shrank (cached counts to refresh). */
  public static final Notice<ArchivalChanged> ARCHIVAL_CHANGED =
      Notice.of("store.archival.changed", ArchivalChanged.class);


  /** A passage to store: its text, vector and metadata; the id is chosen by the caller. */
  public record NewPassage(String id, String text, float[] vector, Map<String, Object> metadata) {}

  // archival memory of one agent (its own passages plus those of attached sources)
  public record InsertArchival(String userId, String agentId, String embeddingModel, List<NewPassage> passages) {}
  public record PassageIds(List<String> ids) {}
  public record ListArchival(String userId, String agentId, String after, String before, int limit) {}
  public record Passages(List<Passage> passages) {}
  public record SearchArchival(String userId, String agentId, String text, float[] vector, SearchMode mode,
      int limit) {}
  public record Found(Passage passage, double score) {}
  public record FoundPassages(List<Found> found) {}
  public record DeleteArchival(String userId, String agentId, String passageId) {}
  public record CountArchival(String userId, String agentId) {}
  public record Count(long count) {}
  /** Published on {@link #ARCHIVAL_CHANGED}: these agents' archival memory grew or shrank. */
  public record ArchivalChanged(List<String> agentIds) {}

  // sources
  public record CreateSource(String userId, String name, String description, String embeddingModel,
      int embeddingDim) {}
  public record UpdateSource(String userId, String sourceId, String name, String description) {}
  public record GetSource(String userId, String sourceId) {}
  public record ListSources(String userId) {}
  public record DeleteSource(String userId, String sourceId) {}
  public record AttachSource(String userId, String sourceId, String agentId, boolean attach) {}
  public record SourcePassages(String userId, String sourceId, String after, int limit) {}
  public record SourceDocuments(String userId, String sourceId) {}
  public record AgentRef(String id, String name) {}
  /** A source with its counts and the agents it is attached to. */
  public record SourceView(Source source, long numPassages, long numDocuments, List<AgentRef> attachedAgents) {}
  public record SourceList(List<SourceView> sources) {}
  public record Documents(List<Document> documents) {}

  // jobs
  public record CreateJob(String userId, String sourceId, String fileName, String filePath, long sizeBytes) {}
  public record GetJob(String userId, String jobId) {}
  public record StartJob(String jobId) {}
  /** Stores the document and all its passages and marks the job completed, in one transaction. */
  public record CompleteJob(String jobId, String documentName, int chars, String embeddingModel,
      List<NewPassage> passages) {}
  public record FailJob(String jobId, String error) {}
  public record UnfinishedJobs() {}
  public record JobReply(Job job) {}
  public record JobList(List<Job> jobs) {}
}
