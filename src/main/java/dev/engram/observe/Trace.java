package dev.engram.observe;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.spi.context.storage.ContextLocal;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * What a piece of work is being done for: the HTTP request that started it ({@code X-Request-Id}) and, once known, the
 * run it started. Kept on the Vert.x context that serves the request (Vert.x gives each request and each event-bus
 * message its own duplicated context, and carries it through the futures and clients used while serving them), sent
 * along in a header of every event-bus request ({@code kernel/Endpoint}), and printed with every log line
 * ({@link TraceConverter}, {@link TraceJsonProvider}). Only ever set on a duplicated context, never on a verticle's own
 * (which would leak it into everything the verticle does afterwards).
 */
public final class Trace {
  /** The HTTP header and the event-bus header that carry the request id. */
  public static final String HEADER = "X-Request-Id";
  /** An incoming id is kept when it is this sane: short, printable, no spaces or quotes; else a new one is made. */
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:@/+=-]{1,128}");
  private static final ContextLocal<Trace> LOCAL = ContextLocal.registerLocal(Trace.class);
  /** The cluster node this process is (null outside cluster mode): every log line names it. */
  private static volatile String node;

  /** Names this process's node in every log line from now on (cluster mode). */
  public static void node(String name) {
    node = name;
  }

  /** This process's node name, or null outside cluster mode. */
  public static String node() {
    return node;
  }

  private final String requestId;
  private volatile String runId;

  private Trace(String requestId) {
    this.requestId = requestId;
  }

  /**
   * Registers the context slot; call before the server's Vert.x is created (a Vert.x created earlier has no slot,
   * and its work is then simply not traced).
   */
  public static void install() {
    // loading the class registers LOCAL
  }

  /** The incoming id when it is sane, else a new random one (32 hex digits). */
  public static String idFor(String incoming) {
    if (incoming != null && SANE.matcher(incoming).matches()) {
      return incoming;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return Long.toHexString(random.nextLong() | Long.MIN_VALUE).substring(1)
        + Long.toHexString(random.nextLong() | Long.MIN_VALUE).substring(1)
        + Integer.toHexString(random.nextInt(0x100) | 0x100).substring(1);
  }

  /** Starts tracing {@code requestId} on the current context (when it is a duplicated one); null otherwise. */
  public static Trace begin(String requestId) {
    Context context = Vertx.currentContext();
    if (!(context instanceof ContextInternal internal) || !internal.isDuplicate()) {
      return null;
    }
    Trace trace = new Trace(requestId);
    try {
      LOCAL.put(context, trace);
    } catch (IllegalArgumentException noSlot) {
      return null; // a Vert.x created before install()
    }
    return trace;
  }

  /** The trace of the work running now, or null. */
  public static Trace current() {
    Context context = Vertx.currentContext();
    if (context == null) {
      return null;
    }
    try {
      return LOCAL.get(context);
    } catch (IllegalArgumentException noSlot) {
      return null;
    }
  }

  /** The request id of the work running now, or null. */
  public static String currentRequestId() {
    Trace trace = current();
    return trace == null ? null : trace.requestId;
  }

  /** Notes that the work running now started (or runs) run {@code runId}. */
  public static void run(String runId) {
    Trace trace = current();
    if (trace != null) {
      trace.runId = runId;
    }
  }

  public String requestId() {
    return requestId;
  }

  public String runId() {
    return runId;
  }
}
