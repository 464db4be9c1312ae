package dev.engram.store;

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
  /** Published on {@code Addresses.ARCHIVAL_CHANGED}: these agents' archival memory grew or shrank. */
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
