package dev.engram.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.testkit.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Statements sent together in one transaction commit together or not at all, on the test server's database, through
 * a pool of one connection (so a connection left inside a transaction would fail the next test's statements).
 */
class PipelinedTransactionTest {
  private static final String TABLE = "pipelined_test";
  private static final String INSERT = "insert into " + TABLE + "(id, note) values ($1, $2) returning id";

  private static Vertx vertx;
  private static Pool pool;

  @BeforeAll
  static void connect() throws Exception {
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
        .connectingTo(TestServer.shared().server().databaseOptions()).using(vertx).build();
    await(pool.query("create table if not exists " + TABLE + "(id int primary key, note text)").execute());
  }

  @AfterAll
  static void close() throws Exception {
    await(pool.query("drop table if exists " + TABLE).execute());
    await(pool.close());
    await(vertx.close());
  }

  @Test
  @DisplayName("statements sent together commit together, and what they returned is answered after the commit")
  void commitsAll() throws Exception {
    List<Integer> ids = await(PipelinedTransaction.run(pool, conn -> {
      List<Future<Integer>> sent = new ArrayList<>();
      for (int id = 1; id <= 3; id++) {
        sent.add(conn.preparedQuery(INSERT).execute(Tuple.of(id, "all")).map(rows -> rows.iterator().next()
            .getInteger(0)));
      }
      return Future.join(sent).map(all -> all.<Integer>list());
    }));
    assertEquals(List.of(1, 2, 3), ids);
    assertEquals(List.of(1, 2, 3), stored("all"));
  }

  @Test
  @DisplayName("one failing statement rolls back the others, even those that succeeded, and its cause is the answer;"
      + " the connection is clean for the next transaction")
  void oneFailureRollsBackAll() throws Exception {
    ExecutionException failed = assertThrows(ExecutionException.class, () -> await(PipelinedTransaction.run(pool,
        conn -> Future.join(conn.preparedQuery(INSERT).execute(Tuple.of(10, "failed")),
            conn.preparedQuery(INSERT).execute(Tuple.of(11, "failed")),
            conn.preparedQuery(INSERT).execute(Tuple.of(10, "failed"))))));
    assertTrue(failed.getCause().getMessage().contains("duplicate key"), failed.getCause().getMessage());
    assertEquals(List.of(), stored("failed"));
    await(PipelinedTransaction.run(pool, conn -> conn.preparedQuery(INSERT).execute(Tuple.of(12, "after"))));
    assertEquals(List.of(12), stored("after"));
  }

  @Test
  @DisplayName("a statement function that throws after sending some statements rolls them back")
  void throwingRollsBack() throws Exception {
    assertThrows(ExecutionException.class, () -> await(PipelinedTransaction.run(pool, conn -> {
      conn.preparedQuery(INSERT).execute(Tuple.of(20, "thrown"));
      throw new IllegalStateException("no more");
    })));
    assertEquals(List.of(), stored("thrown"));
  }

  private static List<Integer> stored(String note) throws Exception {
    List<Integer> ids = new ArrayList<>();
    for (Row r : await(pool.preparedQuery("select id from " + TABLE + " where note = $1 order by id")
        .execute(Tuple.of(note)))) {
      ids.add(r.getInteger(0));
    }
    return ids;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
