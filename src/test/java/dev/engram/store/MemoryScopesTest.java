package dev.engram.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.store.MemoryProtocol.Scope;
import dev.engram.store.MemoryScopes.ScopeRow;
import dev.engram.testkit.Api;
import dev.engram.testkit.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The scopes held in memory answer as the database does: for every shape of query, for scopes first inserted after
 * the tenant's rows were read, for one whose transaction was still open when they were read, and for a tenant with
 * more scopes than are held. The database is the test server's; each test has users of its own.
 */
class MemoryScopesTest {
  private static final List<Scope> QUERIES = List.of(new Scope("alice", null, null), new Scope("alice", "a1", null),
      new Scope("alice", null, "r1"), new Scope(null, "a1", null), new Scope(null, null, "r1"),
      new Scope("alice", "a1", "r1"), new Scope("bob", null, null), new Scope(null, null, null));

  private static Vertx vertx;
  private static Pool pool;
  private static Api api;

  @BeforeAll
  static void connect() {
    TestServer server = TestServer.shared();
    api = new Api(server.server().baseUrl());
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
        .connectingTo(server.server().databaseOptions()).using(vertx).build();
  }

  @AfterAll
  static void close() throws Exception {
    await(pool.close());
    await(vertx.close());
  }

  @Test
  @DisplayName("held scopes select what the database selects, also scopes inserted after the first read")
  void heldScopesAnswerAsTheDatabase() throws Exception {
    UUID tenant = newTenant();
    MemoryScopes held = new MemoryScopes(pool, true);
    MemoryScopes database = new MemoryScopes(pool, false);
    insert(held, tenant, new Scope("alice", null, null), new Scope("bob", "a1", null));
    assertSameAnswers(tenant, held, database);

    // new scopes after the read: each must be selected at once
    insert(held, tenant, new Scope("alice", "a1", null), new Scope("alice", "a1", "r1"), new Scope(null, null, "r1"));
    assertSameAnswers(tenant, held, database);
    assertEquals(2, await(held.matching(tenant, new Scope("alice", "a1", null))).size());
    assertEquals(5, await(held.matching(tenant, new Scope(null, null, null))).size());
  }

  @Test
  @DisplayName("a scope whose insert was not yet committed when the tenant's rows were read is selected after commit")
  void scopeOfAnOpenTransactionIsNotMissed() throws Exception {
    UUID tenant = newTenant();
    MemoryScopes held = new MemoryScopes(pool, true);
    insert(held, tenant, new Scope("alice", null, null));
    SqlConnection conn = await(pool.getConnection());
    try {
      var tx = await(conn.begin());
      await(held.ensure(conn, List.of(ScopeRow.of(tenant, new Scope("alice", "late", null)))));
      // the first read of the tenant happens now, while that insert is uncommitted: the database cannot show it
      assertEquals(1, await(new MemoryScopes(pool, false).matching(tenant, new Scope("alice", null, null))).size());
      await(held.matching(tenant, new Scope("alice", null, null)));
      await(tx.commit());
    } finally {
      await(conn.close());
    }
    assertEquals(Set.of(MemoryRows.scopeId(tenant, new Scope("alice", null, null)),
            MemoryRows.scopeId(tenant, new Scope("alice", "late", null))),
        new HashSet<>(await(held.matching(tenant, new Scope("alice", null, null)))));
  }

  @Test
  @DisplayName("a tenant with more scopes than are held is looked up in the database, and answered right")
  void tenantPastTheBoundIsAskedOfTheDatabase() throws Exception {
    UUID tenant = newTenant();
    int n = MemoryScopes.MAX_PER_TENANT + 5;
    await(pool.preparedQuery("""
        insert into memory_scopes(id, user_id, scope_user, scope_agent, scope_run)
        select gen_random_uuid(), $1, 'alice', null, 'run-' || i from generate_series(1, $2) i""")
        .execute(Tuple.of(tenant, n)));
    MemoryScopes held = new MemoryScopes(pool, true);
    assertEquals(n, await(held.matching(tenant, new Scope("alice", null, null))).size());
    assertEquals(0, held.held(), "nothing of a tenant past the bound is held");
    insert(held, tenant, new Scope("alice", "a1", null));
    assertEquals(n + 1, await(held.matching(tenant, new Scope("alice", null, null))).size());
    assertEquals(1, await(held.matching(tenant, new Scope(null, null, "run-7"))).size());
    assertEquals(0, held.held());
  }

  @Test
  @DisplayName("a deleted tenant's scopes are let go")
  void forgottenTenantIsReadAgain() throws Exception {
    UUID tenant = newTenant();
    MemoryScopes held = new MemoryScopes(pool, true);
    insert(held, tenant, new Scope("alice", null, null), new Scope("alice", "a1", null));
    assertEquals(2, await(held.matching(tenant, new Scope("alice", null, null))).size());
    assertEquals(2, held.held());
    await(pool.preparedQuery("delete from memory_scopes where user_id = $1").execute(Tuple.of(tenant)));
    held.forget(tenant);
    assertEquals(0, held.held());
    assertEquals(List.of(), await(held.matching(tenant, new Scope("alice", null, null))));
  }

  private static void assertSameAnswers(UUID tenant, MemoryScopes held, MemoryScopes database) throws Exception {
    for (Scope q : QUERIES) {
      assertEquals(new HashSet<>(await(database.matching(tenant, q))), new HashSet<>(await(held.matching(tenant, q))),
          "query " + q);
    }
    assertTrue(held.held() > 0, "the held instance holds the tenant's scopes");
  }

  private static void insert(MemoryScopes scopes, UUID tenant, Scope... inserted) throws Exception {
    await(pool.withTransaction(conn -> scopes.ensure(conn,
        List.of(inserted).stream().map(s -> ScopeRow.of(tenant, s)).toList()).mapEmpty()));
  }

  private static UUID newTenant() {
    return UUID.fromString(api.newUser().getString("user_id"));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
