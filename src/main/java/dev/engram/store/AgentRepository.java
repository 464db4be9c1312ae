package dev.engram.store;

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
import java.util.List;
import java.util.UUID;

/** Agents and the transactional write of an agent's state together with its new messages. */
final class AgentRepository {
  private static final String INSERT_AGENT = "insert into agents(" + Rows.AGENT_COLUMNS.replace(", recall_count", "")
      + ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
  private static final String INSERT_MESSAGE = "insert into messages(" + Rows.MESSAGE_COLUMNS
      + ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict (id) do nothing";
  private static final String SELECT_AGENT = "select " + Rows.AGENT_COLUMNS + " from agents where id = $1";
  private static final String SELECT_CONTEXT = """
      select m.* from unnest($1::uuid[]) with ordinality as c(id, ord)
      join messages m on m.id = c.id order by c.ord""";
  private static final String LIST_AGENTS = "select " + Rows.AGENT_COLUMNS
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
        returning 1)
      update agents set name = $2, persona = $3, human = $4, in_context_ids = $5, memory_alerted = $6,
        last_run_at = $7, recall_count = recall_count + (select count(*) from added)
      where id = $1""";

  private final Pool pool;

  AgentRepository(Pool pool) {
    this.pool = pool;
  }

  Future<Done> insert(InsertAgent req) {
    var a = req.agent();
    return pool.withTransaction(conn -> conn.preparedQuery(INSERT_AGENT).execute(Rows.agentInsert(a))
            .compose(r -> insertMessages(conn, req.messages()))
            .compose(inserted -> conn.preparedQuery("update agents set recall_count = $2 where id = $1")
                .execute(Tuple.of(UUID.fromString(a.id()), inserted))))
        .recover(e -> Future.failedFuture(UserRepository.isUniqueViolation(e)
            ? ApiException.conflict("An agent named '" + a.name() + "' already exists") : e))
        .map(r -> new Done());
  }

  Future<LoadedAgent> load(LoadAgent req) {
    UUID id = Ids.uuidOrNull(req.agentId());
    if (id == null) {
      return Future.succeededFuture(new LoadedAgent(null, List.of(), 0));
    }
    return pool.preparedQuery(SELECT_AGENT).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(new LoadedAgent(null, List.of(), 0));
      }
      var row = rows.iterator().next();
      var agent = Rows.agent(row);
      long recall = row.getLong("recall_count");
      return pool.preparedQuery(SELECT_CONTEXT).execute(Tuple.of(Rows.uuids(agent.inContextIds())))
          .map(msgs -> new LoadedAgent(agent, UserRepository.collect(msgs, Rows::message), recall));
    });
  }

  Future<AgentList> list(ListAgents req) {
    return pool.preparedQuery(LIST_AGENTS).execute(Tuple.of(Ids.uuid(req.userId(), "user_id")))
        .map(rows -> new AgentList(UserRepository.collect(rows,
            r -> new AgentSummary(Rows.agent(r), r.getLong("recall_count"), 0))));
  }

  Future<Done> delete(DeleteAgent req) {
    return pool.preparedQuery(DELETE_AGENT).execute(Tuple.of(UUID.fromString(req.agentId()))).map(r -> new Done());
  }

  Future<Done> save(SaveAgent req) {
    var a = req.agent();
    Tuple params = Tuple.of(UUID.fromString(a.id()), a.name(), a.memory().persona(), a.memory().human())
        .addArrayOfUUID(Rows.uuids(a.inContextIds())).addValue(a.memoryAlerted())
        .addValue(Rows.offset(a.lastRunAt()));
    return pool.preparedQuery(SAVE_AGENT).execute(Rows.messageColumns(req.newMessages(), params))
        .compose(r -> r.rowCount() == 0
            ? Future.failedFuture(ApiException.notFound("Agent agent_id=" + a.id() + " does not exist"))
            : Future.succeededFuture(new Done()))
        .recover(e -> Future.failedFuture(UserRepository.isUniqueViolation(e)
            ? ApiException.conflict("An agent named '" + a.name() + "' already exists") : e));
  }

  /** Inserts messages not stored yet (a retried save repeats none) and answers how many were new. */
  private static Future<Integer> insertMessages(SqlConnection conn, List<Message> messages) {
    if (messages.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return conn.preparedQuery(INSERT_MESSAGE).executeBatch(messages.stream().map(Rows::messageInsert).toList())
        .map(first -> {
          int inserted = 0;
          for (RowSet<Row> rs = first; rs != null; rs = rs.next()) {
            inserted += rs.rowCount();
          }
          return inserted;
        });
  }
}
