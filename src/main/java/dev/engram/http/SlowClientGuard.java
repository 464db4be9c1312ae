package dev.engram.http;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * Bounds what a client that does not read can make the server hold. A run cannot wait for its client (it is stored
 * whatever happens), so the bytes written to the connection and not yet handed to the network are counted (a write's
 * future completes once its bytes are out); a write that would take that count past {@link #LIMIT} is refused, and
 * the caller drops the client. One batch larger than the limit still goes out to a client that has caught up.
 */
public final class SlowClientGuard {
  /** Bytes a client may leave unsent before it is dropped. */
  public static final long LIMIT = 4L * 1024 * 1024;

  private long unsent;

  /** Runs {@code write} unless the client is too far behind; false means it was not written: drop the client. */
  public boolean write(long bytes, Supplier<Future<Void>> write) {
    if (unsent > 0 && unsent + bytes > LIMIT) {
      return false;
    }
    unsent += bytes;
    write.get().onComplete(ar -> unsent -= bytes);
    return true;
  }
}
