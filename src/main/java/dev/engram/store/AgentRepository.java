package dev.engram.store;

import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.index.PassageIndex;
import dev.engram.kernel.ApiException;
import dev.engram.cluster.Fence;
import dev.engram.kernel.Ids;
import dev.engram.model.Agent;
import dev.engram.model.AgentSummary;
import dev.engram.model.Message;
import dev.engram.model.RunProgress;
import dev.engram.store.StoreProtocol.*;
import io.vertx.core.Context;
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
      + ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,"
      + " $22, $23)";
  /** What a Letta update, a tool attach or a rename changes; the context and memory are written elsewhere. */
  private static final String UPDATE_SETTINGS = """
      update agents set name = $2, description = $3, metadata = $4, tags = $5, system_prompt = $6, tools = $7,
        model = $8, context_window = $9, embedding = $10, timezone = $11, updated_at = $12, tool_rules = $13,
        tool_approval_off = $14
      where id = $1""";
  private static final String INSERT_MESSAGE = "insert into messages(" + Rows.MESSAGE_COLUMNS
      + ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict (id) do nothing returning seq";
  private static final String ARCHIVAL_COUNT = """
      (select count(*) from passages p where p.agent_id = agents.id
        or p.source_id in (select source_id from agent_sources s where s.agent_id = agents.id)) as archival_count""";
  static final String SELECT_AGENT = "select " + Rows.AGENT_COLUMNS + ", " + ARCHIVAL_COUNT
      + " from agents where id = $1";
  static final String SELECT_CONTEXT = """
      select m.* from unnest($1::uuid[]) with ordinality as c(id, ord)
      join messages m on m.id = c.id order by c.ord""";
  private static final String LIST_AGENTS = "select " + Rows.AGENT_COLUMNS + ", " + ARCHIVAL_COUNT
      + " from agents where user_id = $1 order by coalesce(last_run_at, created_at) desc, id";
  /** Deletes the agent (its conversations, messages and runs go with it) and answers its owner and conversations. */
  private static final String DELETE_AGENT = """
      with threads as (select coalesce(array_agg(id), '{}') as ids from conversations where agent_id = $1)
      delete from agents where id = $1 returning user_id, (select ids from threads)""";
  /**
   * An agent's save: the messages not stored yet are inserted in the given order and counted into recall_count, and
   * the agent's state is written (core memory is not part of it: blocks are written on their own, see
   * {@link BlockRepository}). Its in-context ids become the stored ones up to {@code $3} (checked: the id there
   * must be {@code $4}) followed by {@code $5}; when the check fails they are left as they were and the row says so
   * (the id at {@code $3} is the same before and after the update, so the returned check sees the stored one).
   * A batch of saves runs as one pipeline of these statements in one implicit transaction (see {@link #saveBatch});
   * each touches its agent by primary key only, so its plan stays an index lookup however the table grows.
   * <p>The run the messages belong to ({@code $19}, null for saves outside a run) is written in the same statement:
   * its new events ({@code $20}-{@code $28}, as arrays, stored as one row with where the run stands after that step,
   * {@code $51}-{@code $56}, see {@link dev.engram.model.RunProgress}; a retried save repeats none), and, when
   * {@code $30} (its status) is set, its row ({@code $29}-{@code $45}): inserted by the first save of a run that was
   * not stored before it started, updated by the save that ends it. A step in the middle of a run adds only its
   * events: one row with its primary key, no update.
   * <p>A save of a conversation ({@code $46}, null for the agent's own thread) writes its messages and run into that
   * conversation and its context into the conversation's row instead of the agent's (which it leaves alone).
   * <p>In cluster mode a save carries its {@link dev.engram.cluster.Fence} ({@code $49} shard, {@code $50} epoch):
   * it writes nothing, and says so, unless that lease is still current; the lease row is read {@code for key share},
   * so a takeover (which locks the row {@code for update} before it raises the epoch) waits for a save in progress and
   * every later save of the old epoch fails, while the renewals of the lease (a plain update of its expiry, which takes
   * a lock that key share does not conflict with) never wait for saves: with {@code for share} a renewal of several
   * leases and a batch of saves across shards locked the rows in opposite orders and deadlocked.
   */
  static final String SAVE_AGENT = """
      with held as (
        select 1 from agent_shard_leases where shard = $49::int and epoch = $50::bigint for key share),
      fenced as (select $49::int is null or exists (select 1 from held) as ok),
      added as (
        insert into messages(id, agent_id, user_id, role, text, name, tool_calls, tool_call_id, model, tokens,
          created_at, conversation_id)
        select id, agent_id, user_id, role, text, name, tool_calls::jsonb, tool_call_id, model, tokens, created_at,
          $46::uuid
        from unnest($8::uuid[], $9::uuid[], $10::uuid[], $11::text[], $12::text[], $13::text[], $14::text[],
          $15::text[], $16::text[], $17::int[], $18::timestamptz[]) with ordinality
          as m(id, agent_id, user_id, role, text, name, tool_calls, tool_call_id, model, tokens, created_at, ord)
        where (select ok from fenced)
        order by ord
        on conflict (id) do nothing
        returning id, seq),
      run_row as (
        insert into runs(id, agent_id, user_id, status, stop_reason, background, idempotency_key, request,
          prompt_tokens, completion_tokens, total_tokens, step_count, event_count, error_status, error, created_at,
          completed_at, ttft_ns, total_duration_ns, conversation_id)
        select $19::uuid, $1, $29::uuid, $30::text, $31::text, $32::boolean, $33::text, $34::text::jsonb, $35::int,
          $36::int, $37::int, $38::int, $39::int, $40::int, $41::text, $42::timestamptz, $43::timestamptz,
          $44::bigint, $45::bigint, $46::uuid
        where $30::text is not null and (select ok from fenced)
        on conflict (id) do update set status = excluded.status, stop_reason = excluded.stop_reason,
          prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
          total_tokens = excluded.total_tokens, step_count = excluded.step_count, event_count = excluded.event_count,
          error_status = excluded.error_status, error = excluded.error, completed_at = excluded.completed_at,
          ttft_ns = excluded.ttft_ns, total_duration_ns = excluded.total_duration_ns
        where runs.status in ('created', 'running')),
      run_events_added as (
        insert into run_events(run_id, first_seq, seq, kind, content, status, message_id, date, call_id, call_name,
          call_args, stdout, stderr, step_count, prompt_tokens, completion_tokens, total_tokens, next_step, next_note)
        select $19::uuid, ($20::int[])[1], $20, $21::text[], $22::text[], $23::text[], $24::uuid[],
          $25::timestamptz[], $26::text[], $27::text[], $28::text[], $47::text[], $48::text[], $51::int, $52::int,
          $53::int, $54::int, $55::text, $56::text
        where cardinality($20::int[]) > 0 and (select ok from fenced)
        on conflict do nothing),
      agent_saved as (
        update agents set name = $2, memory_alerted = $6, last_run_at = $7,
          in_context_ids = case when $3::int > 0 and in_context_ids[$3::int] is distinct from $4::uuid
            then in_context_ids else in_context_ids[1:$3::int] || $5::uuid[] end,
          recall_count = recall_count + (select count(*) from added)
        where id = $1 and $46::uuid is null and (select ok from fenced)
        returning in_context_ids[$3::int] is distinct from $4::uuid as mismatch),
      conversation_saved as (
        update conversations set memory_alerted = $6, last_message_at = $7,
          in_context_ids = case when $3::int > 0 and in_context_ids[$3::int] is distinct from $4::uuid
            then in_context_ids else in_context_ids[1:$3::int] || $5::uuid[] end,
          recall_count = recall_count + (select count(*) from added)
        where id = $46::uuid and agent_id = $1 and (select ok from fenced)
        returning in_context_ids[$3::int] is distinct from $4::uuid as mismatch)
      select $3::int > 0 and s.mismatch, array(select id from added order by seq),
        array(select seq from added order by seq), (select ok from fenced)
      from (select mismatch from agent_saved union all select mismatch from conversation_saved
        union all select null where not (select ok from fenced)) s""";
  /** Saves that arrive while others are being written wait and go together: see {@link Coalescer}. */
  static final int SAVES_IN_FLIGHT = 2;
  static final int MAX_SAVES_PER_BATCH = 64;

  private final Pool pool;
  private final PassageIndex recall;
  private final PassageIndex archival;

  private final Coalescer<SaveAgent, Saved> saves;
  private final BlockRepository blocks;

  AgentRepository(Context context, Pool pool, PassageIndex recall, PassageIndex archival, BlockRepository blocks) {
    this.pool = pool;
    this.blocks = blocks;
    this.recall = recall;
    this.archival = archival;
    // one thread's saves go one at a time (each builds on the context the one before stored)
    this.saves = new Coalescer<>(context, SAVES_IN_FLIGHT, MAX_SAVES_PER_BATCH,
        r -> r.conversationId() != null ? r.conversationId() : r.agent().id(), this::saveBatch);
  }

  /**
   * Inserts an agent in one transaction with its new blocks, the links to all its blocks (an existing one must be the
   * user's: 404 otherwise) and its first messages.
   */
  Future<Done> insert(InsertAgent req) {
    var a = req.agent();
    UUID agent = UUID.fromString(a.id());
    List<String> blockIds = a.memory().blocks().stream().map(dev.engram.model.Block::id).toList();
    return pool.withTransaction(conn -> conn.preparedQuery(INSERT_AGENT).execute(Rows.agentInsert(a))
            .compose(r -> BlockRepository.insert(conn, req.newBlocks()))
            .compose(r -> BlockRepository.link(conn, agent, UUID.fromString(a.userId()), blockIds))
            .compose(r -> insertMessages(conn, req.messages()))
            .compose(inserted -> conn.preparedQuery("update agents set recall_count = $2 where id = $1")
                .execute(Tuple.of(agent, inserted.size())).map(inserted)))
        .compose(inserted -> recall.add(searchable(inserted, null)))
        .recover(e -> Future.failedFuture(nameTaken(e, a.name())))
        .map(r -> new Done());
  }

  /** Writes the settings of an agent (name, tools, model...); its context and memory are written elsewhere. */
  Future<Done> updateSettings(UpdateAgentSettings req) {
    return pool.preparedQuery(UPDATE_SETTINGS).execute(Rows.agentSettings(req.agent()))
        .recover(e -> Future.failedFuture(nameTaken(e, req.agent().name())))
        .compose(rows -> rows.rowCount() == 0
            ? Future.failedFuture(ApiException.notFound("Agent agent_id=" + req.agent().id() + " does not exist"))
            : Future.succeededFuture(new Done()));
  }

  /** A unique violation on the agent's name is a 409 naming it; a label clash of its blocks is a 409 too. */
  private static Throwable nameTaken(Throwable e, String name) {
    Throwable label = BlockRepository.labelConflict(e);
    if (label != e) {
      return label;
    }
    return UserRepository.isUniqueViolation(e)
        ? ApiException.conflict("An agent named '" + name + "' already exists") : e;
  }

  Future<LoadedAgent> load(LoadAgent req) {
    UUID id = Ids.parse(req.agentId());
    if (id == null) {
      return Future.succeededFuture(new LoadedAgent(null, List.of(), 0, 0));
    }
    return pool.preparedQuery(SELECT_AGENT).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(new LoadedAgent(null, List.of(), 0, 0));
      }
      var row = rows.iterator().next();
      long recall = row.getLong("recall_count");
      long archival = row.getLong("archival_count");
      return blocks.ofAgent(new BlockProtocol.AgentBlocks(id.toString())).compose(found -> {
        var agent = Rows.agent(row, found.blocks());
        return pool.preparedQuery(SELECT_CONTEXT).execute(Tuple.of(Rows.uuids(agent.inContextIds())))
            .map(msgs -> new LoadedAgent(agent, UserRepository.collect(msgs, Rows::message), recall, archival));
      });
    });
  }

  Future<AgentList> list(ListAgents req) {
    return pool.preparedQuery(LIST_AGENTS).execute(Tuple.of(Ids.require(req.userId(), "user_id")))
        .compose(rows -> {
          List<UUID> ids = new ArrayList<>(rows.size());
          rows.forEach(r -> ids.add(r.getUUID("id")));
          return blocks.ofAgents(ids).map(byAgent -> new AgentList(UserRepository.collect(rows,
              r -> new AgentSummary(Rows.agent(r, byAgent.getOrDefault(r.getUUID("id").toString(), List.of())),
                  r.getLong("recall_count"), r.getLong("archival_count")))));
        });
  }

  Future<Done> delete(RemoveAgent req) {
    UUID agent = UUID.fromString(req.agentId());
    return pool.preparedQuery(DELETE_AGENT).execute(Tuple.of(agent)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(new Done());
      }
      Row row = rows.iterator().next();
      UUID user = row.getUUID(0);
      List<Future<Void>> forgotten = new ArrayList<>();
      forgotten.add(IndexSync.bestEffort(recall.deleteOwner(user, agent), "agent delete"));
      forgotten.add(IndexSync.bestEffort(archival.deleteOwner(user, agent), "agent delete"));
      for (UUID conversation : row.getArrayOfUUIDs(1)) {
        forgotten.add(IndexSync.bestEffort(recall.deleteOwner(user, conversation), "agent delete"));
      }
      return Future.all(forgotten).map(new Done());
    });
  }

  Future<Done> save(SaveAgent req) {
    var a = req.agent();
    return saves.submit(req).compose(saved -> {
      if (saved == FENCED) {
        return Future.failedFuture(ApiException.conflict(Fence.refused(a.id())));
      }
      if (saved == null) {
        return Future.failedFuture(req.conversationId() == null
            ? ApiException.notFound("Agent agent_id=" + a.id() + " does not exist")
            : ConversationRepository.notFound(req.conversationId()));
      }
      if (saved.contextMismatch()) {
        // the caller's idea of the stored context was wrong: write the whole list (the messages are in already)
        return saves.submit(new SaveAgent(a, List.of(), 0, null, req.conversationId(), req.fence())).<Done>mapEmpty();
      }
      return Future.succeededFuture();
    }).map(v -> new Done()).recover(e -> Future.failedFuture(nameTaken(e, a.name())));
  }

  /** What a save did: null when the agent does not exist. */
  private record Saved(boolean contextMismatch, List<Stored> inserted) {}

  /** A save refused by its fence: the lease it was made under is no longer current. */
  private static final Saved FENCED = new Saved(false, List.of());

  /**
   * Writes a batch of saves of distinct agents as one pipeline of statements ending in one sync, which PostgreSQL runs
   * as one implicit transaction: one round trip, one commit. Then hands the new messages to the recall index.
   */
  private Future<List<Saved>> saveBatch(List<SaveAgent> batch) {
    List<Tuple> params = new ArrayList<>(batch.size());
    for (SaveAgent save : batch) {
      params.add(saveParams(save));
    }
    return pool.preparedQuery(SAVE_AGENT).executeBatch(params).map(first -> {
      List<Saved> out = new ArrayList<>(batch.size());
      List<IndexedPassage> searchable = new ArrayList<>();
      int i = 0;
      for (RowSet<Row> rows = first; rows != null && i < batch.size(); rows = rows.next(), i++) {
        if (rows.rowCount() == 0) {
          out.add(null);
          continue;
        }
        Row row = rows.iterator().next();
        if (!row.getBoolean(3)) {
          out.add(FENCED);
          continue;
        }
        SaveAgent save = batch.get(i);
        List<Stored> inserted = stored(row, save.newMessages());
        out.add(new Saved(Boolean.TRUE.equals(row.getBoolean(0)), inserted));
        searchable.addAll(searchable(inserted, save.conversationId()));
      }
      // write-behind: the recall index makes searches wait for these entries, so nothing waits here
      IndexSync.bestEffort(recall.add(searchable), "agent save");
      return out;
    });
  }

  /** One save's parameters: the agent, its context ids after the stored prefix, then its messages by column. */
  private static Tuple saveParams(SaveAgent save) {
    Agent a = save.agent();
    List<String> context = a.inContextIds();
    int kept = Math.max(0, Math.min(save.storedContext(), context.size()));
    UUID[] added = new UUID[context.size() - kept];
    for (int j = kept; j < context.size(); j++) {
      added[j - kept] = UUID.fromString(context.get(j));
    }
    RunProgress progress = save.run() == null ? null : save.run().progress();
    Tuple params = Tuple.of(UUID.fromString(a.id()), a.name(), kept,
            kept == 0 ? null : UUID.fromString(context.get(kept - 1)))
        .addArrayOfUUID(added).addValue(a.memoryAlerted()).addValue(Rows.offset(a.lastRunAt()));
    return RunRows.bindSave(Rows.messageColumns(save.newMessages(), params), save.run())
        .addValue(save.conversationId() == null ? null : UUID.fromString(save.conversationId()))
        .addArrayOfString(RunRows.printed(save.run(), true))
        .addArrayOfString(RunRows.printed(save.run(), false))
        .addValue(save.fence().shard()).addValue(save.fence().epoch())
        .addValue(progress == null ? null : progress.steps())
        .addValue(progress == null ? null : progress.promptTokens())
        .addValue(progress == null ? null : progress.completionTokens())
        .addValue(progress == null ? null : progress.totalTokens())
        .addValue(progress == null ? null : progress.next()).addValue(progress == null ? null : progress.note());
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

  record Stored(long seq, Message message) {}

  /** The messages a save actually inserted, with their seq, from its row's returned id and seq arrays. */
  static List<Stored> stored(Row row, List<Message> sent) {
    UUID[] ids = row.getArrayOfUUIDs(1);
    Long[] seqs = row.getArrayOfLongs(2);
    if (ids.length == 0) {
      return List.of();
    }
    Map<String, Message> byId = new HashMap<>();
    sent.forEach(m -> byId.put(m.id(), m));
    List<Stored> out = new ArrayList<>(ids.length);
    for (int i = 0; i < ids.length; i++) {
      out.add(new Stored(seqs[i], byId.get(ids[i].toString())));
    }
    return out;
  }

  /**
   * The recall-index entries of newly stored messages: what the user and the agent said, owned by their thread (the
   * conversation, or else the agent), so that a search stays in its thread.
   */
  static List<IndexedPassage> searchable(List<Stored> stored, String conversationId) {
    List<IndexedPassage> entries = new ArrayList<>(stored.size());
    for (Stored s : stored) {
      String role = s.message().role();
      if (Message.USER.equals(role) || Message.ASSISTANT.equals(role)) {
        entries.add(IndexFeeds.message(s.seq(), s.message(), conversationId));
      }
    }
    return entries;
  }
}
