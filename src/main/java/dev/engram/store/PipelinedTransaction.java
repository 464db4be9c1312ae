package dev.engram.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.util.function.Function;

/**
 * A transaction whose statements do not wait for each other's answers: BEGIN and every statement go out together
 * (the connection pipelines them), COMMIT once all have answered, ROLLBACK if one failed. Two round trips to
 * PostgreSQL, where a transaction that composes its statements one after another takes one per statement plus two.
 * For writes whose later statements need nothing the earlier ones return; what they return can still be read after
 * the commit.
 */
final class PipelinedTransaction {
  private PipelinedTransaction() {}

  /**
   * Runs {@code statements} (which sends its statements on the connection it is given, without composing them, and
   * answers a future of all of them that completes once every one has answered: {@code Future.join}, not the
   * fail-fast {@code Future.all}) in one transaction, and answers their result once committed. A statement that
   * fails rolls the whole transaction back and fails the answer with its cause.
   */
  static <T> Future<T> run(Pool pool, Function<SqlConnection, Future<T>> statements) {
    return pool.withConnection(conn -> {
      Future<Transaction> begun = conn.begin();
      Future<T> sent;
      try {
        sent = statements.apply(conn);
      } catch (RuntimeException e) {
        sent = Future.failedFuture(e);
      }
      Future<T> all = sent;
      // the connection goes back to the pool only once every statement has answered (COMMIT and ROLLBACK are
      // answered after the statements sent before them; a failed BEGIN waits for the statements' joined future)
      return begun.transform(began -> began.failed() ? all.transform(v -> Future.<T>failedFuture(began.cause()))
          : all.transform(done -> done.succeeded()
              ? began.result().commit().map(v -> done.result())
              : began.result().rollback().transform(v -> Future.<T>failedFuture(done.cause()))));
    });
  }
}
