package dev.engram.store;

import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.index.PassageIndex;
import dev.engram.kernel.ApiException;
import dev.engram.model.Agent;
import dev.engram.model.AgentSummary;
import dev.engram.model.Message;
import dev.engram.store.StoreProtocol.*;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
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
   * The saves of a batch of agents (at most one save per agent) in one statement, so one round trip and one implicit
   * transaction: the messages not stored yet are inserted in the given order, counted into each agent's recall_count,
   * and each agent's state is written. An agent's in-context ids are its stored ids up to {@code keep} (checked:
   * the id at {@code keep} must be {@code kept_last}) followed by its slice {@code added_from..added_to} of the
   * appended ids; when the check fails the ids are left as they were and the row says {@code mismatch}.
   */
  private static final String SAVE_AGENTS = """
      with input as (
        select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::timestamptz[],
          $7::int[], $8::uuid[], $9::int[], $10::int[])
          as a(id, name, persona, human, memory_alerted, last_run_at, keep, kept_last, added_from, added_to)),
      checked as (
        select i.*, i.keep > 0 and g.in_context_ids[i.keep] is distinct from i.kept_last as mismatch
        from input i join agents g on g.id = i.id),
      added as (
        insert into messages(id, agent_id, user_id, role, text, name, tool_calls, tool_call_id, model, tokens,
          created_at)
        select id, agent_id, user_id, role, text, name, tool_calls::jsonb, tool_call_id, model, tokens, created_at
        from unnest($12::uuid[], $13::uuid[], $14::uuid[], $15::text[], $16::text[], $17::text[], $18::text[],
          $19::text[], $20::text[], $21::int[], $22::timestamptz[]) with ordinality
          as m(id, agent_id, user_id, role, text, name, tool_calls, tool_call_id, model, tokens, created_at, ord)
        order by ord
        on conflict (id) do nothing
        returning id, agent_id, seq)
      update agents set name = c.name, persona = c.persona, human = c.human, memory_alerted = c.memory_alerted,
        last_run_at = c.last_run_at,
        in_context_ids = case when c.mismatch then agents.in_context_ids
          else agents.in_context_ids[1:c.keep] || ($11::uuid[])[c.added_from:c.added_to] end,
        recall_count = agents.recall_count + (select count(*) from added d where d.agent_id = agents.id)
      from checked c
      where agents.id = c.id
      returning agents.id, c.mismatch, array(select id from added d where d.agent_id = agents.id order by seq),
        array(select seq from added d where d.agent_id = agents.id order by seq)""";
  /** Saves that arrive while others are being written wait and go together: see {@link Coalescer}. */
  static final int SAVES_IN_FLIGHT = 2;
  static final int MAX_SAVES_PER_BATCH = 64;

  private final Pool pool;
  private final PassageIndex recall;
  private final PassageIndex archival;

  private final Coalescer<SaveAgent, Saved> saves;

  AgentRepository(Context context, Pool pool, PassageIndex recall, PassageIndex archival) {
    this.pool = pool;
    this.recall = recall;
    this.archival = archival;
    this.saves = new Coalescer<>(context, SAVES_IN_FLIGHT, MAX_SAVES_PER_BATCH, r -> r.agent().id(),
        this::saveBatch);
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
    return saves.submit(req).compose(saved -> {
      if (saved == null) {
        return Future.failedFuture(ApiException.notFound("Agent agent_id=" + a.id() + " does not exist"));
      }
      if (saved.contextMismatch()) {
        // the caller's idea of the stored context was wrong: write the whole list (the messages are in already)
        return saves.submit(new SaveAgent(a, List.of(), 0)).<Done>mapEmpty();
      }
      return Future.succeededFuture();
    }).map(v -> new Done()).recover(e -> Future.failedFuture(UserRepository.isUniqueViolation(e)
        ? ApiException.conflict("An agent named '" + a.name() + "' already exists") : e));
  }

  /** What a save did: null when the agent does not exist. */
  private record Saved(boolean contextMismatch, List<Stored> inserted) {}

  /** Writes a batch of saves of distinct agents in one statement, then hands the new messages to the recall index. */
  private Future<List<Saved>> saveBatch(List<SaveAgent> batch) {
    return pool.preparedQuery(SAVE_AGENTS).execute(saveParams(batch)).map(rows -> {
      Map<String, Saved> byAgent = new HashMap<>();
      Map<String, Message> sent = new HashMap<>();
      for (SaveAgent save : batch) {
        save.newMessages().forEach(m -> sent.put(m.id(), m));
      }
      List<IndexedPassage> searchable = new ArrayList<>();
      for (Row row : rows) {
        List<Stored> inserted = stored(row, sent);
        byAgent.put(row.getUUID(0).toString(), new Saved(row.getBoolean(1), inserted));
        searchable.addAll(searchable(inserted));
      }
      // write-behind: the recall index makes searches wait for these entries, so nothing waits here
      IndexSync.bestEffort(recall.upsert(searchable), "agent save");
      List<Saved> out = new ArrayList<>(batch.size());
      for (SaveAgent save : batch) {
        out.add(byAgent.get(save.agent().id()));
      }
      return out;
    });
  }

  /** The batch's agents column by column, their appended context ids, then their messages column by column. */
  private static Tuple saveParams(List<SaveAgent> batch) {
    int n = batch.size();
    UUID[] ids = new UUID[n];
    String[] names = new String[n];
    String[] personas = new String[n];
    String[] humans = new String[n];
    Boolean[] alerted = new Boolean[n];
    OffsetDateTime[] lastRun = new OffsetDateTime[n];
    Integer[] keep = new Integer[n];
    UUID[] keptLast = new UUID[n];
    Integer[] addedFrom = new Integer[n];
    Integer[] addedTo = new Integer[n];
    List<UUID> added = new ArrayList<>();
    List<Message> messages = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      SaveAgent save = batch.get(i);
      Agent a = save.agent();
      List<String> context = a.inContextIds();
      int kept = Math.max(0, Math.min(save.storedContext(), context.size()));
      ids[i] = UUID.fromString(a.id());
      names[i] = a.name();
      personas[i] = a.memory().persona();
      humans[i] = a.memory().human();
      alerted[i] = a.memoryAlerted();
      lastRun[i] = Rows.offset(a.lastRunAt());
      keep[i] = kept;
      keptLast[i] = kept == 0 ? null : UUID.fromString(context.get(kept - 1));
      addedFrom[i] = added.size() + 1;
      for (int j = kept; j < context.size(); j++) {
        added.add(UUID.fromString(context.get(j)));
      }
      addedTo[i] = added.size();
      messages.addAll(save.newMessages());
    }
    Tuple params = Tuple.tuple().addArrayOfUUID(ids).addArrayOfString(names).addArrayOfString(personas)
        .addArrayOfString(humans).addArrayOfBoolean(alerted).addArrayOfOffsetDateTime(lastRun)
        .addArrayOfInteger(keep).addArrayOfUUID(keptLast).addArrayOfInteger(addedFrom).addArrayOfInteger(addedTo)
        .addArrayOfUUID(added.toArray(UUID[]::new));
    return Rows.messageColumns(messages, params);
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

  /** The messages a save actually inserted, with their seq, from its row's returned id and seq arrays. */
  private static List<Stored> stored(Row row, Map<String, Message> sent) {
    UUID[] ids = row.getArrayOfUUIDs(2);
    Long[] seqs = row.getArrayOfLongs(3);
    if (ids.length == 0) {
      return List.of();
    }
    List<Stored> out = new ArrayList<>(ids.length);
    for (int i = 0; i < ids.length; i++) {
      out.add(new Stored(seqs[i], sent.get(ids[i].toString())));
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
