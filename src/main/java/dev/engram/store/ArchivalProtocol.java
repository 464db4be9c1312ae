package dev.engram.store;

import dev.engram.store.StoreProtocol.Done;
import dev.engram.kernel.Notice;
import dev.engram.kernel.Endpoint;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.model.Document;
import dev.engram.model.Job;
import dev.engram.model.Memory;
import dev.engram.model.Passage;
import dev.engram.model.Source;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Requests and replies of the persistence verticle for archival memory, sources and jobs. */
public final class ArchivalProtocol {
  private ArchivalProtocol() {}

  public static final Endpoint<InsertArchival, Passages> ARCHIVAL_INSERT =
      Endpoint.of("store.archival.insert", InsertArchival.class, Passages.class);
  public static final Endpoint<ListArchival, ArchivalItems> ARCHIVAL_LIST =
      Endpoint.of("store.archival.list", ListArchival.class, ArchivalItems.class);
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
  public static final Endpoint<AgentSources, SourceList> SOURCE_OF_AGENT =
      Endpoint.of("store.source.of-agent", AgentSources.class, SourceList.class);
  public static final Endpoint<SourcePassages, Passages> SOURCE_PASSAGES =
      Endpoint.of("store.source.passages", SourcePassages.class, Passages.class);
  public static final Endpoint<SourceDocuments, Documents> SOURCE_DOCUMENTS =
      Endpoint.of("store.source.documents", SourceDocuments.class, Documents.class);
  public static final Endpoint<CreateJob, NewJob> JOB_CREATE =
      Endpoint.of("store.job.create", CreateJob.class, NewJob.class);
  public static final Endpoint<GetJob, JobReply> JOB_GET = Endpoint.of("store.job.get", GetJob.class, JobReply.class);
  public static final Endpoint<StartJob, JobReply> JOB_START =
      Endpoint.of("store.job.start", StartJob.class, JobReply.class);
  public static final Endpoint<CompleteJob, JobReply> JOB_COMPLETE =
      Endpoint.of("store.job.complete", CompleteJob.class, JobReply.class);
  public static final Endpoint<FailJob, JobReply> JOB_FAIL =
      Endpoint.of("store.job.fail", FailJob.class, JobReply.class);
  public static final Endpoint<ClaimJobs, JobList> JOB_CLAIM =
      Endpoint.of("store.job.claim", ClaimJobs.class, JobList.class);
  public static final Endpoint<GetJobFile, JobFile> JOB_FILE =
      Endpoint.of("store.job.file", GetJobFile.class, JobFile.class);
  public static final Endpoint<JobProgress, Done> JOB_PROGRESS =
      Endpoint.of("store.job.progress", JobProgress.class, Done.class);
  public static final Endpoint<ListJobs, JobList> JOB_LIST = Endpoint.of("store.job.list", ListJobs.class, JobList.class);
  public static final Endpoint<GetFile, FileReply> FILE_GET = Endpoint.of("store.file.get", GetFile.class, FileReply.class);
  public static final Endpoint<ListFiles, JobList> FILE_LIST =
      Endpoint.of("store.file.list", ListFiles.class, JobList.class);
  public static final Endpoint<DeleteFile, Done> FILE_DELETE =
      Endpoint.of("store.file.delete", DeleteFile.class, Done.class);
  /** Published with the ids of agents whose archival memory grew or shrank (cached counts to refresh). */
  public static final Notice<ArchivalChanged> ARCHIVAL_CHANGED =
      Notice.of("store.archival.changed", ArchivalChanged.class);


  /** A passage to store: its text, vector and metadata; the id is chosen by the caller. */
  public record NewPassage(String id, String text, float[] vector, Map<String, Object> metadata) {}

  // archival memory of one agent (its own passages plus those of attached sources)
  /** Stores passages of one agent with the same {@code tags}, at {@code createdAt} (null: now). */
  public record InsertArchival(String userId, String agentId, String embeddingModel, List<NewPassage> passages,
      List<String> tags, Instant createdAt) {}
  /**
   * A page of an agent's passages in creation order ({@code ascending} or not): {@code after} and {@code before} are
   * passage ids meaning next and previous in that order; {@code search} keeps passages containing it (any case).
   */
  public record ListArchival(String userId, String agentId, String after, String before, int limit,
      boolean ascending, String search) {}
  public record Passages(List<Passage> passages) {}
  /** One item of an agent's archival listing: a passage, or (exactly one is set) a memory of an attached Mem0 scope. */
  public record ArchivalItem(Passage passage, Memory memory) {}
  public record ArchivalItems(List<ArchivalItem> items) {}
  /** Which passages a search may answer: any or all of {@code tags} (none: any), created within [from, to]. */
  public record PassageFilter(List<String> tags, boolean allTags, Instant from, Instant to) {
    public static final PassageFilter NONE = new PassageFilter(List.of(), false, null, null);

    public PassageFilter {
      tags = tags == null ? List.of() : List.copyOf(tags);
    }

    public boolean any() {
      return !tags.isEmpty() || from != null || to != null;
    }
  }
  public record SearchArchival(String userId, String agentId, String text, float[] vector, SearchMode mode,
      int limit, PassageFilter filter) {}
  public record Found(Passage passage, double score) {}
  public record FoundPassages(List<Found> found) {}
  public record DeleteArchival(String userId, String agentId, String passageId) {}
  public record CountArchival(String userId, String agentId) {}
  public record Count(long count) {}
  /** Published on {@link #ARCHIVAL_CHANGED}: these agents' archival memory grew or shrank. */
  public record ArchivalChanged(List<String> agentIds) {}

  // sources
  public record CreateSource(String userId, String name, String description, String embeddingModel,
      int embeddingDim, String instructions, Map<String, Object> metadata, Integer chunkTokens) {}
  /** Changes the fields that are not null. */
  public record UpdateSource(String userId, String sourceId, String name, String description, String instructions,
      Map<String, Object> metadata) {}
  /** The sources attached to one agent. */
  public record AgentSources(String userId, String agentId) {}
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

  // jobs, which are also the files of a source (Letta's folder files)
  /** What an upload does when its folder already has a file of the same original name (Letta's four ways). */
  public enum DuplicateFiles {
    SKIP, ERROR, SUFFIX, REPLACE;

    public static DuplicateFiles parse(String value) {
      for (DuplicateFiles d : values()) {
        if (d.name().equalsIgnoreCase(value)) {
          return d;
        }
      }
      return null;
    }
  }
  /**
   * A job for a file received with these bytes ({@code content}, stored with the job), to be run by {@code runner}:
   * {@code fileName} is the name it was sent under (its type is read from it), {@code originalFileName} the name it is
   * known by in the folder. Only for this node's store: the bytes travel by reference.
   */
  public record CreateJob(String userId, String sourceId, String fileName, Buffer content, String runner,
      String originalFileName, String fileType, DuplicateFiles duplicates) {}
  /**
   * The job created, or the existing one when {@code skipped} (a duplicate under SKIP); {@code replaced} when an
   * older file of the same name was deleted for it (REPLACE).
   */
  public record NewJob(Job job, boolean skipped, boolean replaced) {}
  public record GetJob(String userId, String jobId) {}
  /**
   * The requests of a job's run carry its {@code runner} (the id of the node or process running it, jobs.node): a
   * job claimed by another runner meanwhile is no longer this one's to start, advance or end.
   */
  public record StartJob(String jobId, String runner) {}
  /** Stores the document and all its passages and marks the job completed, in one transaction. */
  public record CompleteJob(String jobId, String runner, String documentName, String text, String embeddingModel,
      List<NewPassage> passages) {}
  /** How far a running job got: its chunk count once split (null before), and how many are embedded. */
  public record JobProgress(String jobId, String runner, Integer totalChunks, int chunksEmbedded) {}
  /** A user's jobs, oldest first; only those not ended when {@code activeOnly}. */
  public record ListJobs(String userId, boolean activeOnly) {}
  public record GetFile(String userId, String sourceId, String fileId, boolean includeContent) {}
  /** A file (its job) and, when asked for, the text extracted from it (null otherwise or before it completed). */
  public record FileReply(Job job, String content) {}
  /** The files (jobs) of one source, oldest first. */
  public record ListFiles(String userId, String sourceId) {}
  /** Deletes a file: its job, its document and the document's passages. */
  public record DeleteFile(String userId, String sourceId, String fileId) {}
  public record FailJob(String jobId, String runner, String error) {}
  /**
   * Makes {@code runner} the runner of up to {@code limit} unfinished jobs, oldest first, whose runner is not a node
   * seen within {@code liveWithinMs} (0: any other runner, as at a single process's start).
   */
  public record ClaimJobs(String runner, long liveWithinMs, int limit) {}
  public record GetJobFile(String jobId) {}
  /** The bytes of a job's upload; null when the job has none (it ended, or was made before they were kept). */
  public record JobFile(Buffer bytes) {}
  public record JobReply(Job job) {}
  public record JobList(List<Job> jobs) {}
}
