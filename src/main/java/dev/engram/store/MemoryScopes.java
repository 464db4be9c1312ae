package dev.engram.store;

import dev.engram.store.MemoryProtocol.FindScopes;
import dev.engram.store.MemoryProtocol.Scope;
import dev.engram.store.MemoryProtocol.ScopeIds;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;

/** Finds the scope ids of a user that a query's Mem0 ids select (a null id selects any value, null included). */
final class MemoryScopes {
  private static final String MATCHING = """
      select id from memory_scopes where user_id = $1
        and ($2::text is null or scope_user = $2) and ($3::text is null or scope_agent = $3)
        and ($4::text is null or scope_run = $4)""";

  private final Pool pool;

  MemoryScopes(Pool pool) {
    this.pool = pool;
  }

  Future<ScopeIds> find(FindScopes req) {
    return matching(UUID.fromString(req.userId()), req.scope()).map(ScopeIds::new);
  }

  Future<List<UUID>> matching(UUID tenant, Scope scope) {
    return pool.preparedQuery(MATCHING).execute(Tuple.of(tenant, scope.user(), scope.agent(), scope.run()))
        .map(rows -> UserRepository.collect(rows, r -> r.getUUID(0)));
  }
}
