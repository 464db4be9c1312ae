package dev.engram.store;

import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.index.PassageIndex;
import dev.engram.kernel.ApiException;
import dev.engram.model.AgentSummary;
import dev.engram.model.Message;
import dev.engram.store.StoreProtocol.*;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Agents and the transactional write of an agent's state together with its new messages. */
final class AgentRepository {
  private static final String INSERT_AGENT = "insert into agents(" + Rows.AGENT_COLUMNS.replace(", recall_count", "")
      + ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
  private static final String INSERT_MESSAGE = "insert into messages(" + Rows.MESSAGE_COLUMNS
      + ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict (id) do nothing returning seq";
  private static final String ARCHIVAL_COUNT = """
      (select count(*) from passages p where p.agent_id = agents.id
        or p.source_id in (select source_id from agent_sources s where s.agent_id = agents.id)) as archival_count""";
  private static final String SELECT_AGENT = "select " + Rows.AGENT_COLUMNS + ", " + ARCHIVAL_COUNT
      + " from agents where id = $1";
  private static final String SELECT_CONTEXT = """
      select m.* from unnest($1::uuid[]) with ordinality as c(id, ord)
      join messages m on m.id = c.id order by c.ord""";
  private static final String LIST_AGENTS = "select " + Rows.AGENT_COLUMNS + ", " + ARCHIVAL_COUNT
      + " from agents where user_id = $1 order by coalesce(last_run_at, created_at) desc, id";
  private static final String DELETE_AGENT = "delete from agents where id = $1";
  /**
   * An agent's state and its new messages in one statement (so one round trip and one implicit transaction): the
   * messages not stored yet are inserted in the given order and counted into recall_count.
   */
  private static final String SAVE_AGENT = """
      with added as (
        insert into messages(id, agent_id, user_id, role, text, name, tool_calls, tool_call_id, model, tokens,
          created_at)
        select id, agent_id, user_id, role, text, name, tool_calls::jsonb, tool_call_id, model, tokens, created_at
        from unnest($8::uuid[], $9::uuid[], $10::uuid[], $11::text[], $12::text[], $13::text[], $14::text[],
          $15::text[], $16::text[], $17::int[], $18::timestamptz[]) with ordinality
          as m(id, agent_id, user_id, role, text, name, tool_calls, tool_call_id, model, tokens, created_at, ord)
        order by ord
        on conflict (id) do nothing
        returning id, seq)
      update agents set name = $2, persona = $3, human = $4, in_context_ids = $5, memory_alerted = $6,
        last_run_at = $7, recall_count = recall_count + (select count(*) from added)
      where id = $1
      returning array(select id from added order by seq), array(select seq from added order by seq)""";

  private final Pool pool;
  private final PassageIndex recall;
  private final PassageIndex archival;

  AgentRepository(Pool pool, PassageIndex recall, PassageIndex archival) {
    this.pool = pool;
    this.recall = recall;
    this.archival = archival;
  }

  Future<Done> insert(InsertAgent req) {
    var a = req.agent();
    return pool.withTransaction(conn -> conn.preparedQuery(INSERT_AGENT).execute(Rows.agentInsert(a))
            .compose(r -> insertMessages(conn, req.messages()))
            .compose(inserted -> conn.preparedQuery("update agents set recall_count = $2 where id = $1")
                .execute(Tuple.of(UUID.fromString(a.id()), inserted.size())).map(inserted)))
        .compose(inserted -> recall.upsert(searchable(inserted)))
        .recover(e -> Future.failedFuture(UserRepository.isUniqueViolation(e)
            ? ApiException.conflict("An agent named '" + a.name() + "' already exists") : e))
        .map(r -> new Done());
  }

  Future<LoadedAgent> load(LoadAgent req) {
    UUID id = Ids.uuidOrNull(req.agentId());
    if (id == null) {
      return Future.succeededFuture(new LoadedAgent(null, List.of(), 0, 0));
    }
    return pool.preparedQuery(SELECT_AGENT).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(new LoadedAgent(null, List.of(), 0, 0));
      }
      var row = rows.iterator().next();
      var agent = Rows.agent(row);
      long recall = row.getLong("recall_count");
      long archival = row.getLong("archival_count");
      return pool.preparedQuery(SELECT_CONTEXT).execute(Tuple.of(Rows.uuids(agent.inContextIds())))
          .map(msgs -> new LoadedAgent(agent, UserRepository.collect(msgs, Rows::message), recall, archival));
    });
  }

  Future<AgentList> list(ListAgents req) {
    return pool.preparedQuery(LIST_AGENTS).execute(Tuple.of(Ids.uuid(req.userId(), "user_id")))
        .map(rows -> new AgentList(UserRepository.collect(rows,
            r -> new AgentSummary(Rows.agent(r), r.getLong("recall_count"), r.getLong("archival_count")))));
  }

  Future<Done> delete(DeleteAgent req) {
    UUID agent = UUID.fromString(req.agentId());
    return pool.preparedQuery(DELETE_AGENT + " returning user_id").execute(Tuple.of(agent)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(new Done());
      }
      UUID user = rows.iterator().next().getUUID(0);
      return Future.all(IndexSync.bestEffort(recall.deleteOwner(user, agent), "agent delete"),
          IndexSync.bestEffort(archival.deleteOwner(user, agent), "agent delete")).map(new Done());
    });
  }

  Future<Done> save(SaveAgent req) {
    var a = req.agent();
    Tuple params = Tuple.of(UUID.fromString(a.id()), a.name(), a.memory().persona(), a.memory().human())
        .addArrayOfUUID(Rows.uuids(a.inContextIds())).addValue(a.memoryAlerted())
        .addValue(Rows.offset(a.lastRunAt()));
    return pool.preparedQuery(SAVE_AGENT).execute(Rows.messageColumns(req.newMessages(), params))
        .compose(r -> r.rowCount() == 0
            ? Future.failedFuture(ApiException.notFound("Agent agent_id=" + a.id() + " does not exist"))
            : Future.succeededFuture(stored(r.iterator().next(), req.newMessages())))
        .compose(inserted -> IndexSync.bestEffort(recall.upsert(searchable(inserted)), "agent save"))
        .map(v -> new Done())
        .recover(e -> Future.failedFuture(UserRepository.isUniqueViolation(e)
            ? ApiException.conflict("An agent named '" + a.name() + "' already exists") : e));
  }

  /** Inserts messages not stored yet (a retried save repeats none) and answers the new ones with their seq. */
  private static Future<List<Stored>> insertMessages(SqlConnection conn, List<Message> messages) {
    if (messages.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return conn.preparedQuery(INSERT_MESSAGE).executeBatch(messages.stream().map(Rows::messageInsert).toList())
        .map(first -> {
          List<Stored> inserted = new ArrayList<>(messages.size());
          int i = 0;
          for (RowSet<Row> rs = first; rs != null; rs = rs.next(), i++) {
            if (rs.rowCount() > 0) {
              inserted.add(new Stored(rs.iterator().next().getLong(0), messages.get(i)));
            }
          }
          return inserted;
        });
  }

  private record Stored(long seq, Message message) {}

  /** The messages the save actually inserted, with their seq, from the save's returned id and seq arrays. */
  private static List<Stored> stored(Row row, List<Message> sent) {
    UUID[] ids = row.getArrayOfUUIDs(0);
    Long[] seqs = row.getArrayOfLongs(1);
    Map<String, Message> byId = new HashMap<>();
    sent.forEach(m -> byId.put(m.id(), m));
    List<Stored> out = new ArrayList<>(ids.length);
    for (int i = 0; i < ids.length; i++) {
      out.add(new Stored(seqs[i], byId.get(ids[i].toString())));
    }
    return out;
  }

  /** The recall-index entries of newly stored messages: what the user and the agent said. */
  private static List<IndexedPassage> searchable(List<Stored> stored) {
    List<IndexedPassage> entries = new ArrayList<>(stored.size());
    for (Stored s : stored) {
      String role = s.message().role();
      if (Message.USER.equals(role) || Message.ASSISTANT.equals(role)) {
        entries.add(IndexFeeds.message(s.seq(), s.message()));
      }
    }
    return entries;
  }
}
