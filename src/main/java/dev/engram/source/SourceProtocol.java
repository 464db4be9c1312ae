package dev.engram.source;

import dev.engram.kernel.Endpoint;
import dev.engram.store.ArchivalProtocol.DuplicateFiles;
import dev.engram.store.ArchivalProtocol.NewJob;

/** Requests of the source verticle. */
public final class SourceProtocol {
  private SourceProtocol() {}

  public static final Endpoint<Upload, NewJob> UPLOAD = Endpoint.of("source.upload", Upload.class, NewJob.class);

  /**
   * A file received for a source, waiting at {@code uploadedPath}; the verticle stores its bytes with the new job
   * (PostgreSQL), removes the received file, answers the job (or the existing file a duplicate name settles to), and
   * loads it in the background. {@code fileName} is the name the file was sent under (its type is read from it),
   * {@code originalFileName} the name it is to be known by.
   */
  public record Upload(String userId, String sourceId, String fileName, String uploadedPath,
      String originalFileName, String fileType, DuplicateFiles duplicates) {}
}
