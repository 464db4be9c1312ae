package dev.engram.kernel;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds a Future-returning handler to an address: the reply is the handler's record, a failure becomes
 * {@code fail(status, detail)} from the error vocabulary. Unexpected failures are logged with their stack.
 */
public final class BusService {
  private static final Logger LOG = LoggerFactory.getLogger(BusService.class);

  private BusService() {}

  @SuppressWarnings("unchecked")
  public static <Q extends Record> Future<Void> serve(Vertx vertx, String address,
      Function<Q, Future<? extends Record>> handler) {
    return vertx.eventBus().<Record>consumer(address, (Message<Record> msg) -> {
      Future<? extends Record> result;
      try {
        result = handler.apply((Q) msg.body());
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
    }).completion();
  }
}
