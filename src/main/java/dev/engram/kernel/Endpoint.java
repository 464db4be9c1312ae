package dev.engram.kernel;

import dev.engram.observe.Trace;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request/reply endpoint of the event bus: its address with the types of its request and its reply. Each is
 * declared once, beside its protocol's records; the verticle {@link #serve}s it and clients {@link #ask} it, so the
 * compiler checks that both ends agree. A failure travels as {@code fail(status, detail)} from the error vocabulary
 * and arrives as an {@link ApiException}. The request id of the HTTP request being served ({@link Trace}) travels in
 * a header, so that the logs of the work it causes on other verticles carry it too.
 */
public record Endpoint<Q extends Record, R extends Record>(String address, Class<Q> requestType, Class<R> replyType) {
  private static final Logger LOG = LoggerFactory.getLogger(Endpoint.class);

  public static <Q extends Record, R extends Record> Endpoint<Q, R> of(String address, Class<Q> request,
      Class<R> reply) {
    return new Endpoint<>(address, request, reply);
  }

  /** The same endpoint as served by one agent verticle of a cluster node ({@code slot}: node id and index). */
  public Endpoint<Q, R> at(String slot) {
    return new Endpoint<>(address + "@" + slot, requestType, replyType);
  }

  /** The same endpoint as served by instance {@code shard} of a sharded verticle. */
  public Endpoint<Q, R> shard(int shard) {
    return new Endpoint<>(address + "." + shard, requestType, replyType);
  }

  public Future<R> ask(Vertx vertx, Q request, DeliveryOptions options) {
    String requestId = Trace.currentRequestId();
    // callers share their options between requests: a header goes on a copy
    DeliveryOptions sent = requestId == null ? options : new DeliveryOptions(options).addHeader(Trace.HEADER, requestId);
    return vertx.eventBus().request(address, request, sent).transform(ar -> ar.succeeded()
        ? Future.succeededFuture(replyType.cast(ar.result().body()))
        : Future.failedFuture(ApiException.from(ar.cause())));
  }

  /**
   * Binds {@code handler} on this node (in cluster mode the other nodes' verticles serve their own requests): its
   * result is the reply; its failure is the reply's failure.
   */
  public Future<Void> serve(Vertx vertx, Function<? super Q, ? extends Future<? extends R>> handler) {
    return bind(vertx, false, headers -> null, handler);
  }

  /**
   * Binds {@code handler} where every node of the cluster can reach it; a request that {@code refuse} answers an
   * exception for (e.g. an agent this verticle no longer owns) fails with it and is not handled.
   */
  public Future<Void> serveClustered(Vertx vertx, Function<MultiMap, ApiException> refuse,
      Function<? super Q, ? extends Future<? extends R>> handler) {
    return bind(vertx, true, refuse, handler);
  }

  private Future<Void> bind(Vertx vertx, boolean clustered, Function<MultiMap, ApiException> refuse,
      Function<? super Q, ? extends Future<? extends R>> handler) {
    io.vertx.core.Handler<io.vertx.core.eventbus.Message<Object>> consume = msg -> {
      ApiException refused = refuse.apply(msg.headers());
      if (refused != null) {
        msg.fail(refused.status(), refused.getMessage());
        return;
      }
      String requestId = msg.headers().get(Trace.HEADER);
      if (requestId != null) {
        Trace.begin(requestId); // each message is handled on a context of its own
      }
      Future<? extends R> result;
      try {
        result = handler.apply(requestType.cast(msg.body()));
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else {
          ApiException api = ApiException.from(ar.cause());
          if (api.status() >= 500 && !(ar.cause() instanceof ApiException)) {
            LOG.error("{} failed", address, ar.cause());
          }
          msg.fail(api.status(), api.getMessage());
        }
      });
    };
    return (clustered ? vertx.eventBus().consumer(address, consume) : vertx.eventBus().localConsumer(address, consume))
        .completion();
  }
}
