package dev.engram.source;

import dev.engram.kernel.Endpoint;
import dev.engram.store.ArchivalProtocol.JobReply;

/** Requests of the source verticle. */
public final class SourceProtocol {
  private SourceProtocol() {}

  public static final Endpoint<Upload, JobReply> UPLOAD = Endpoint.of("source.upload", Upload.class, JobReply.class);

  /**
   * A file received for a source, waiting at {@code uploadedPath}; the verticle takes the file over, answers the new
   * job, and loads it in the background.
   */
  public record Upload(String userId, String sourceId, String fileName, String uploadedPath, long sizeBytes) {}
}
