package dev.engram.http;

import static net.logstash.logback.argument.StructuredArguments.v;

import dev.engram.observe.Trace;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every request: gives it a request id (the caller's {@code X-Request-Id} when sane, else a new
 * one), answers it in the same header, traces the work done for it under that id ({@link Trace}: the logs of the
 * agent step it starts carry it too), and writes one line when the response ends: method, route template, status,
 * duration, request id, and the run it started if any. Logger {@code dev.engram.access}.
 */
final class AccessLog {
  private static final Logger LOG = LoggerFactory.getLogger("dev.engram.access");
  private static final String STARTED = "engram.access.started";

  private final RouteTemplates templates;

  AccessLog(RouteTemplates templates) {
    this.templates = templates;
  }

  void handle(RoutingContext ctx) {
    if (ctx.get(STARTED) != null) {
      ctx.next(); // a re-routed request (LettaTransport) passes here again
      return;
    }
    long started = System.nanoTime();
    ctx.put(STARTED, started);
    String id = Trace.idFor(ctx.request().getHeader(Trace.HEADER));
    Trace.begin(id);
    ctx.response().putHeader(Trace.HEADER, id);
    if (LOG.isInfoEnabled()) {
      Context request = Vertx.currentContext();
      ctx.addEndHandler(ended -> onRequestContext(request, () -> log(ctx, started)));
    }
    ctx.next();
  }

  /**
   * Runs {@code task} on the thread it is called on, with the request's own context current, whose trace the log
   * line prints: a response that ends after asynchronous work may report its end on the connection's context.
   */
  private static void onRequestContext(Context request, Runnable task) {
    if (request instanceof ContextInternal internal && Vertx.currentContext() != request) {
      internal.dispatch(task);
    } else {
      task.run();
    }
  }

  private void log(RoutingContext ctx, long started) {
    double ms = (System.nanoTime() - started) / 1000 / 1000.0;
    // in JSON each value is also a field of its own; request_id and run_id come from the trace (TraceJsonProvider)
    // a response that never ended: the client went away first
    Object status = ctx.response().ended() ? ctx.response().getStatusCode() : "closed";
    LOG.info("{} {} {} {}ms", v("method", ctx.request().method().name()), v("route", templates.of(ctx)),
        v("status", status), v("duration_ms", ms));
  }
}
