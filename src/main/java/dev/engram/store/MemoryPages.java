package dev.engram.store;

import dev.engram.model.Memory;
import dev.engram.store.MemoryProtocol.Entities;
import dev.engram.store.MemoryProtocol.Entity;
import dev.engram.store.MemoryProtocol.ListEntities;
import dev.engram.store.MemoryProtocol.NumberedPage;
import dev.engram.store.MemoryProtocol.PageMemories;
import dev.engram.kernel.ApiException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The Mem0 platform's listings: numbered pages of a user's memories under a filter (with the total, for the
 * platform's {@code count}), and the entities (Mem0 user, agent and run ids) that hold memories.
 */
final class MemoryPages {
  /** The page, each row carrying the number of matching rows (the platform's envelope reports it). */
  private static final String PAGE = "select " + MemoryRows.COLUMNS + ", count(*) over () as total from memories m"
      + " where user_id = $1 and scope_id = any($2) and %s and %s order by created_at, id limit $3 offset $4";
  /** Each Mem0 id that holds current memories, with how many and when its first and latest came. */
  private static final String ENTITIES = """
      select kind, name, count(*) as total, min(created_at) as first_at, max(updated_at) as last_at from (
        select 'user' as kind, scope_user as name, created_at, updated_at from memories m
          where user_id = $1 and scope_user is not null and %1$s
        union all
        select 'agent', scope_agent, created_at, updated_at from memories m
          where user_id = $1 and scope_agent is not null and %1$s
        union all
        select 'run', scope_run, created_at, updated_at from memories m
          where user_id = $1 and scope_run is not null and %1$s) e
      group by kind, name order by min(created_at), kind, name""".formatted(MemoryValidity.CURRENT);

  private final Pool pool;
  private final MemoryScopes scopes;

  MemoryPages(Pool pool, MemoryScopes scopes) {
    this.pool = pool;
    this.scopes = scopes;
  }

  Future<NumberedPage> page(PageMemories req) {
    UUID tenant = UUID.fromString(req.userId());
    List<Object> params = new ArrayList<>(Arrays.asList(tenant, null, req.limit(), req.offset()));
    String validity = MemoryValidity.sql(req.validity(), params);
    String filter;
    try {
      filter = req.filter() == null ? "true" : MemoryFilterSql.compile(req.filter(), params);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiException.badRequest("Invalid filters: " + e.getMessage()));
    }
    String sql = PAGE.formatted(validity, filter);
    return scopes.matching(tenant, req.scope())
        .compose(ids -> {
          params.set(1, ids.toArray(UUID[]::new));
          return pool.preparedQuery(sql).execute(Tuple.from(params));
        })
        .compose(rows -> {
          List<Memory> page = UserRepository.collect(rows, MemoryRows::memory);
          long total = rows.size() > 0 ? rows.iterator().next().getLong("total") : 0;
          if (rows.size() == 0 && req.offset() > 0) {
            // past the last page: the total is still wanted, so count without the offset
            return count(req).map(n -> new NumberedPage(List.of(), n));
          }
          return Future.succeededFuture(new NumberedPage(page, total));
        });
  }

  private Future<Long> count(PageMemories req) {
    return page(new PageMemories(req.userId(), req.scope(), req.filter(), req.validity(), 0, 1))
        .map(NumberedPage::total);
  }

  Future<Entities> entities(ListEntities req) {
    return pool.preparedQuery(ENTITIES).execute(Tuple.of(UUID.fromString(req.userId())))
        .map(rows -> new Entities(UserRepository.collect(rows, MemoryPages::entity)));
  }

  private static Entity entity(Row r) {
    return new Entity(r.getString("kind"), r.getString("name"), r.getLong("total"),
        Rows.instant(r.getOffsetDateTime("first_at")), Rows.instant(r.getOffsetDateTime("last_at")));
  }
}
