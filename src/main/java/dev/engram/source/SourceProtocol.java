package dev.engram.source;

/** Requests of the source verticle. */
public final class SourceProtocol {
  private SourceProtocol() {}

  /**
   * A file received for a source, waiting at {@code uploadedPath}; the verticle takes the file over, answers the new
   * job, and loads it in the background.
   */
  public record Upload(String userId, String sourceId, String fileName, String uploadedPath, long sizeBytes) {}
}
