package dev.engram.testkit;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** One SQL statement on a new connection of its own, for tests that look at or around a database directly. */
public final class DirectSql {
  private static Vertx vertx;

  private DirectSql() {}

  private static synchronized Vertx vertx() {
    if (vertx == null) {
      vertx = Vertx.vertx();
    }
    return vertx;
  }

  /** The rows of {@code sql}; throws the connection's or the statement's failure as it is. */
  public static List<Row> query(PgConnectOptions options, String sql) throws Exception {
    try {
      RowSet<Row> rows = PgConnection.connect(vertx(), options)
          .compose(conn -> conn.query(sql).execute().eventually(conn::close))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      List<Row> list = new ArrayList<>();
      rows.forEach(list::add);
      return list;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** The one value of a one-row, one-column {@code sql}, as text. */
  public static String value(PgConnectOptions options, String sql) throws Exception {
    return String.valueOf(query(options, sql).get(0).getValue(0));
  }

  /** The failure of {@code sql} (fails the test if it succeeds). */
  public static Exception refused(PgConnectOptions options, String sql) {
    try {
      query(options, sql);
    } catch (Exception e) {
      return e;
    }
    throw new AssertionError("expected a refusal, but " + sql + " ran as " + options.getUser());
  }
}
