package dev.engram.store;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.model.Memory;
import dev.engram.model.Passage;
import dev.engram.store.ArchivalProtocol.ArchivalItem;
import dev.engram.store.ArchivalProtocol.ArchivalItems;
import dev.engram.store.ArchivalProtocol.ListArchival;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * An agent's archival listing: its passages and those of its attached sources, and, when Mem0 scopes are attached to
 * it, the facts that hold now of those scopes, in one order (creation time, then id) under one kind of cursor (the id
 * of any item listed). An agent without scopes is listed by {@link PassageRepository#list} alone.
 */
final class ArchivalListing {
  /** The agent's row when it is the user's, with whether any Mem0 scope is attached to it. */
  private static final String AGENT = """
      select exists(select 1 from agent_memory_scopes where agent_id = $1) from agents where id = $1 and user_id = $2""";
  /** The ids of the memory_scopes rows that the agent's attachments select (a null part matches any value). */
  private static final String ATTACHED_SCOPES = """
      select s.id from agent_memory_scopes a join memory_scopes s on s.user_id = a.user_id
        and (a.scope_user is null or s.scope_user = a.scope_user)
        and (a.scope_agent is null or s.scope_agent = a.scope_agent)
        and (a.scope_run is null or s.scope_run = a.scope_run)
      where a.agent_id = $1 and a.user_id = $2""";
  /** Every item the listing shows ($1 the agent, $2 the user) as (id, created_at, text, is_memory). */
  private static final String ITEMS = "(select p.id, p.created_at, p.text, false as is_memory from passages p where "
      + PassageRepository.VISIBLE + " union all select m.id, m.created_at, m.text, true from memories m"
      + " where m.user_id = $2 and " + MemoryValidity.CURRENT + " and m.scope_id in (" + ATTACHED_SCOPES + "))";
  private static final String POSITION = "(select c.created_at, c.id from " + ITEMS + " c where c.id = %s)";
  /** $3 the cursor id, $4 the page size, $5 the ILIKE pattern or null, $6 the bound id or null. */
  private static final String LIST = "select i.id, i.is_memory from " + ITEMS + " i"
      + " where ($5::text is null or i.text ilike $5 escape '\\')"
      + " and ($3::uuid is null or (i.created_at, i.id) %1$s " + POSITION.formatted("$3") + ")"
      + " and ($6::uuid is null or (i.created_at, i.id) %2$s " + POSITION.formatted("$6") + ")"
      + " order by i.created_at %3$s, i.id %3$s limit $4";
  private static final String LIST_UP = LIST.formatted(">", "<", "asc");
  private static final String LIST_DOWN = LIST.formatted("<", ">", "desc");
  private static final String SHOWN = "select count(*) from " + ITEMS + " i where i.id = any($3)";
  private static final String PASSAGES = "select " + ArchivalRows.PASSAGE_SELECT + " from " + ArchivalRows.PASSAGE_FROM
      + " where p.id = any($1) and p.user_id = $2";
  private static final String MEMORIES = "select " + MemoryRows.COLUMNS + MemoryRows.ofIdsOfTenant();

  private final Pool pool;
  private final PassageRepository passages;

  ArchivalListing(Pool pool, PassageRepository passages) {
    this.pool = pool;
    this.passages = passages;
  }

  Future<ArchivalItems> list(ListArchival req) {
    UUID user = UUID.fromString(req.userId());
    UUID agent = Ids.parse(req.agentId());
    if (agent == null) {
      return Future.failedFuture(ApiException.notFound("Agent agent_id=" + req.agentId() + " not found"));
    }
    return pool.preparedQuery(AGENT).execute(Tuple.of(agent, user)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(ApiException.notFound("Agent agent_id=" + agent + " not found"));
      }
      if (!rows.iterator().next().getBoolean(0)) {
        return passages.list(req).map(page -> new ArchivalItems(page.passages().stream()
            .map(p -> new ArchivalItem(p, null)).toList()));
      }
      return withMemories(req, user, agent);
    });
  }

  private Future<ArchivalItems> withMemories(ListArchival req, UUID user, UUID agent) {
    UUID after = req.after() == null ? null : Ids.require(req.after(), "after");
    UUID before = req.before() == null ? null : Ids.require(req.before(), "before");
    // as PassageRepository#list: a page that has only "before" is read backwards from it and turned round
    boolean backwards = before != null && after == null;
    boolean up = req.ascending() != backwards;
    String pattern = req.search() == null || req.search().isEmpty() ? null
        : "%" + PassageRepository.likeEscaped(req.search()) + "%";
    return pool.preparedQuery(up ? LIST_UP : LIST_DOWN)
        .execute(Tuple.of(agent, user, backwards ? before : after, req.limit(), pattern, backwards ? null : before))
        .compose(rows -> rows.size() > 0 || (after == null && before == null) ? Future.succeededFuture(rows)
            : cursorsShown(agent, user, after, before).map(rows))
        .compose(rows -> fetch(user, rows))
        .map(items -> {
          if (backwards) {
            Collections.reverse(items);
          }
          return new ArchivalItems(items);
        });
  }

  /** The passages and memories of a page, in its order. */
  private Future<List<ArchivalItem>> fetch(UUID user, RowSet<Row> page) {
    List<UUID> passageIds = new ArrayList<>();
    List<UUID> memoryIds = new ArrayList<>();
    page.forEach(r -> (r.getBoolean("is_memory") ? memoryIds : passageIds).add(r.getUUID("id")));
    Map<UUID, ArchivalItem> byId = new HashMap<>();
    Future<?> p = passageIds.isEmpty() ? Future.succeededFuture() : pool.preparedQuery(PASSAGES)
        .execute(Tuple.of(passageIds.toArray(UUID[]::new), user)).map(rows -> {
          rows.forEach(r -> {
            Passage passage = ArchivalRows.passage(r);
            byId.put(r.getUUID("id"), new ArchivalItem(passage, null));
          });
          return null;
        });
    Future<?> m = memoryIds.isEmpty() ? Future.succeededFuture() : pool.preparedQuery(MEMORIES)
        .execute(Tuple.of(memoryIds.toArray(UUID[]::new), user)).map(rows -> {
          rows.forEach(r -> {
            Memory memory = MemoryRows.memory(r);
            byId.put(r.getUUID("id"), new ArchivalItem(null, memory));
          });
          return null;
        });
    return Future.all(p, m).map(v -> {
      List<ArchivalItem> items = new ArrayList<>(page.size());
      page.forEach(r -> {
        ArchivalItem item = byId.get(r.getUUID("id"));
        if (item != null) { // deleted between the two reads
          items.add(item);
        }
      });
      return items;
    });
  }

  /** As PassageRepository's: an empty page after a cursor that names no item listed is a 404, not the end. */
  private Future<Void> cursorsShown(UUID agent, UUID user, UUID after, UUID before) {
    UUID[] cursors = Stream.of(after, before).filter(Objects::nonNull).toArray(UUID[]::new);
    return pool.preparedQuery(SHOWN).execute(Tuple.of(agent, user, cursors)).compose(rows ->
        rows.iterator().next().getLong(0) == cursors.length ? Future.succeededFuture()
            : Future.failedFuture(ApiException.notFound((after != null && before != null ? "after or before"
                : after != null ? "after" : "before") + " names no item in the archival memory of agent " + agent)));
  }
}
