package dev.engram.http;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.source.SourceProtocol;
import dev.engram.source.SourceProtocol.Upload;
import dev.engram.source.TextExtractor;
import dev.engram.store.ArchivalClient;
import dev.engram.store.ArchivalProtocol.DuplicateFiles;
import dev.engram.store.ArchivalProtocol.NewJob;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.ext.web.RoutingContext;

/**
 * A file uploaded into a source, the same on every API (/api/sources, Letta's folders and its older sources): the
 * source is checked before the body (held paused until then) is read, so that a wrong id costs no upload; the file is
 * then handed to the source verticle, which answers its job, or the existing file a duplicate name settles to. A file
 * that the verticle did not take over is deleted.
 */
public final class SourceUploads {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(60_000);
  private static final String FIELD = "file";

  /**
   * How one route takes uploads: the name the file is to be known by (null: the name it was sent under), what a
   * duplicate name does, and whether a file of a type that cannot be loaded is refused at once (415, nothing stored)
   * rather than becoming a job that fails with the reason.
   */
  public record Options(String name, DuplicateFiles duplicates, boolean refuseUnsupported) {}

  private final ArchivalClient store;
  private final UploadBody body;

  public SourceUploads(ArchivalClient store, HttpSettings settings) {
    this.store = store;
    this.body = new UploadBody(settings.uploadsDir(), settings.maxUploadBytes(), settings.bodyReadTimeoutMs());
  }

  public Future<NewJob> upload(RoutingContext ctx, String sourceId, Options options) {
    String userId = Authenticator.user(ctx);
    return store.source(userId, sourceId)
        .compose(source -> body.read(ctx, FIELD))
        .compose(file -> {
          String path = file.path().toString();
          if (options.refuseUnsupported() && !TextExtractor.supported(file.fileName())) {
            ctx.vertx().fileSystem().delete(path);
            return Future.failedFuture(new ApiException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, "Unsupported file type: "
                + "'" + file.fileName() + "'; upload one of " + String.join(", ", TextExtractor.SUPPORTED)));
          }
          String type = TextExtractor.mediaType(file.fileName());
          if (type == null) {
            type = file.contentType() == null ? "application/octet-stream" : file.contentType();
          }
          Upload upload = new Upload(userId, sourceId, file.fileName(), path,
              options.name() != null ? options.name() : file.fileName(), type, options.duplicates());
          // once the verticle has the file it removes it itself; until then (it never got it) it is ours to remove
          return SourceProtocol.UPLOAD.ask(ctx.vertx(), upload, OPTIONS)
              .onFailure(e -> ctx.vertx().fileSystem().delete(path).recover(gone -> Future.succeededFuture()));
        });
  }
}
