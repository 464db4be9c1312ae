package dev.engram.store;

import dev.engram.store.MemoryProtocol.FindScopes;
import dev.engram.store.MemoryProtocol.Scope;
import dev.engram.store.MemoryProtocol.ScopeIds;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The Mem0 scopes of each user (memory_scopes: one row per distinct user, agent and run id within a tenant): finds the
 * scope ids that a query's ids select (a null id selects any value, null included), and inserts the rows of new ones.
 *
 * <p>On a single node every scope row is inserted through {@link #ensure}, so a tenant's scopes are read from the
 * database once and then answered from memory: a search saves a PostgreSQL round trip. What is held is a superset of
 * the committed rows: a scope is noted before the statement that inserts it (a rollback leaves an id that holds no
 * memories, which selects nothing), and a read merges what was noted meanwhile, so no committed scope can be missing.
 * A tenant past {@link #MAX_PER_TENANT} scopes, or past the process's {@link #MAX_HELD} in all, is asked of the
 * database at every lookup from then on, as is every tenant first seen after {@link #MAX_TENANTS} others (tenants
 * are never let go, so one that was not followed from its first insert never is). Cluster members never hold scopes:
 * another node may insert one.
 */
final class MemoryScopes {
  /** At most this many scopes of one tenant are held; a tenant with more is looked up in the database. */
  static final int MAX_PER_TENANT = 10_000;
  /** At most this many scopes are held in all (about 200 bytes each). */
  static final int MAX_HELD = 200_000;
  /** At most this many tenants are followed; the others are looked up in the database. */
  static final int MAX_TENANTS = 100_000;
  private static final String MATCHING = """
      select id from memory_scopes where user_id = $1
        and ($2::text is null or scope_user = $2) and ($3::text is null or scope_agent = $3)
        and ($4::text is null or scope_run = $4)""";
  private static final String ALL = "select id, scope_user, scope_agent, scope_run from memory_scopes"
      + " where user_id = $1 limit " + (MAX_PER_TENANT + 1);
  private static final String ENSURE = """
      insert into memory_scopes(id, user_id, scope_user, scope_agent, scope_run) values ($1, $2, $3, $4, $5)
      on conflict (id) do nothing""";

  /** A scope's row: its id (derived from the tenant and the three ids, {@link MemoryRows#scopeId}) and its ids. */
  record ScopeRow(UUID id, UUID tenant, Scope scope) {
    static ScopeRow of(UUID tenant, Scope scope) {
      return new ScopeRow(MemoryRows.scopeId(tenant, scope), tenant, scope);
    }

    Tuple tuple() {
      return Tuple.of(id, tenant, scope.user(), scope.agent(), scope.run());
    }
  }

  /** What is held of one tenant; guarded by the {@link MemoryScopes} instance. */
  private static final class Held {
    final Map<UUID, Scope> scopes = new LinkedHashMap<>();
    /** Every committed row of the tenant is in {@link #scopes} (a read has completed since the tenant was seen). */
    boolean complete;
    /** The tenant is looked up in the database from now on (too many scopes, or the budget ran out). */
    boolean unheld;
    Future<Void> reading;
  }

  private final Pool pool;
  private final boolean hold;
  private final Map<UUID, Held> tenants = new HashMap<>();
  private int held;

  /** {@code hold}: false in a cluster, where other nodes insert scopes too. */
  MemoryScopes(Pool pool, boolean hold) {
    this.pool = pool;
    this.hold = hold;
  }

  Future<ScopeIds> find(FindScopes req) {
    return matching(UUID.fromString(req.userId()), req.scope()).map(ScopeIds::new);
  }

  Future<List<UUID>> matching(UUID tenant, Scope scope) {
    Future<Void> read;
    synchronized (this) {
      Held h = heldOf(tenant);
      if (h == null || h.unheld) {
        return pool.preparedQuery(MATCHING).execute(Tuple.of(tenant, scope.user(), scope.agent(), scope.run()))
            .map(rows -> UserRepository.collect(rows, r -> r.getUUID(0)));
      }
      if (h.complete) {
        return Future.succeededFuture(selected(h, scope));
      }
      if (h.reading == null) {
        h.reading = readAll(tenant, h);
      }
      read = h.reading;
    }
    return read.compose(v -> matching(tenant, scope));
  }

  private static List<UUID> selected(Held h, Scope q) {
    List<UUID> ids = new ArrayList<>();
    h.scopes.forEach((id, s) -> {
      if (selects(q.user(), s.user()) && selects(q.agent(), s.agent()) && selects(q.run(), s.run())) {
        ids.add(id);
      }
    });
    return ids;
  }

  /** As the SQL above: a null part of the query selects any value; a given one only an equal one (never null). */
  private static boolean selects(String asked, String stored) {
    return asked == null || asked.equals(stored);
  }

  private Future<Void> readAll(UUID tenant, Held h) {
    return pool.preparedQuery(ALL).execute(Tuple.of(tenant)).<Void>map(rows -> {
      synchronized (this) {
        h.reading = null;
        if (!h.unheld) {
          rows.forEach(r -> note(h, r.getUUID(0), new Scope(r.getString(1), r.getString(2), r.getString(3))));
          h.complete = !h.unheld;
        }
      }
      return null;
    }).onFailure(e -> {
      synchronized (this) {
        h.reading = null;
      }
    });
  }

  /**
   * Inserts the scopes' rows on {@code conn}, in its transaction if one is open (a verbatim add's batch sends them in
   * an implicit transaction of their own, just before its memories), in id order (two transactions never wait on each
   * other's new scopes); rows that exist stay. Each is held before the statement goes out.
   */
  Future<?> ensure(SqlConnection conn, Collection<ScopeRow> rows) {
    List<ScopeRow> ordered = rows.stream().distinct().sorted((a, b) -> a.id().compareTo(b.id())).toList();
    if (ordered.isEmpty()) {
      return Future.succeededFuture();
    }
    synchronized (this) {
      for (ScopeRow r : ordered) {
        Held h = heldOf(r.tenant());
        if (h != null) {
          note(h, r.id(), r.scope());
        }
      }
    }
    return ordered.size() == 1 ? conn.preparedQuery(ENSURE).execute(ordered.get(0).tuple())
        : conn.preparedQuery(ENSURE).executeBatch(ordered.stream().map(ScopeRow::tuple).toList());
  }

  /** The tenant is gone (its rows deleted with it): what was held of it is let go, and read again if asked. */
  synchronized void forget(UUID tenant) {
    Held h = tenants.get(tenant);
    if (h != null && !h.unheld) {
      letGo(h);
    }
  }

  /** What is held of the tenant, made when it is first seen while there is room; null: ask the database. */
  private Held heldOf(UUID tenant) {
    Held h = tenants.get(tenant);
    if (h == null && hold && tenants.size() < MAX_TENANTS) {
      h = new Held();
      tenants.put(tenant, h);
    }
    return h;
  }

  /** Holds one scope of the tenant, or gives the tenant up when a bound is passed. */
  private void note(Held h, UUID id, Scope scope) {
    if (h.unheld || h.scopes.containsKey(id)) {
      return;
    }
    if (h.scopes.size() >= MAX_PER_TENANT || held >= MAX_HELD) {
      letGo(h);
      h.unheld = true;
      return;
    }
    h.scopes.put(id, Objects.requireNonNull(scope));
    held++;
  }

  /** Lets go of what is held of a tenant: it is read again when next asked (unless it is unheld from now on). */
  private void letGo(Held h) {
    held -= h.scopes.size();
    h.scopes.clear();
    h.complete = false;
  }

  /** How many scopes are held in all (for tests). */
  synchronized int held() {
    return held;
  }
}
