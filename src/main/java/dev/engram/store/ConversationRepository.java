package dev.engram.store;

import dev.engram.index.PassageIndex;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.model.Conversation;
import dev.engram.model.Message;
import dev.engram.store.AgentRepository.Stored;
import dev.engram.store.ConversationProtocol.*;
import dev.engram.store.StoreProtocol.Done;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Conversations' own rows: insert (with first messages), read, list, update, delete, and the load of a thread. */
final class ConversationRepository {
  static final String COLUMNS = """
      id, agent_id, user_id, summary, description, model, context_window, hidden, archived_at, in_context_ids,
      memory_alerted, recall_count, created_at, updated_at, last_message_at""";
  private static final String INSERT = """
      insert into conversations(id, agent_id, user_id, summary, description, model, context_window, hidden,
        in_context_ids, recall_count, created_at, updated_at)
      select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11
      where exists (select 1 from agents where id = $2 and user_id = $3)""";
  private static final String INSERT_MESSAGES = """
      insert into messages(id, agent_id, user_id, role, text, name, tool_calls, tool_call_id, model, tokens,
        created_at, conversation_id)
      select id, agent_id, user_id, role, text, name, tool_calls::jsonb, tool_call_id, model, tokens, created_at, $12
      from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
        $9::text[], $10::int[], $11::timestamptz[]) with ordinality
        as m(id, agent_id, user_id, role, text, name, tool_calls, tool_call_id, model, tokens, created_at, ord)
      order by ord
      returning id, seq""";
  private static final String GET = "select " + COLUMNS + " from conversations where id = $1 and user_id = $2";
  private static final String BY_ID = "select " + COLUMNS + " from conversations where id = $1";
  private static final String CURSOR_SHOWN = """
      select 1 from conversations where id = $1 and user_id = $2 and ($3::uuid is null or agent_id = $3)""";
  /**
   * {key}: the sort key's columns, the id (creation order) or the time of the last message then the id, compared as
   * a row with the cursor's.
   */
  private static final String LIST_WHERE = """
       from conversations where user_id = $1 and ($2::uuid is null or agent_id = $2) and not hidden
        and ($3::text = 'all' or ($3::text = 'archived') = (archived_at is not null))
        and ($4::text is null or summary ilike $4 escape '\\')
        and ($5::uuid is null or ({key}) > (select {key} from conversations where id = $5))
        and ($6::uuid is null or ({key}) < (select {key} from conversations where id = $6))""";
  private static final String BY_CREATION = "id";
  private static final String BY_LAST_MESSAGE = "coalesce(last_message_at, '-infinity'::timestamptz), id";
  private static final String UPDATE = """
      update conversations set summary = coalesce($3, summary), description = coalesce($4, description),
        model = coalesce($5, model), context_window = coalesce($6, context_window),
        archived_at = case when $7::boolean is null then archived_at when $7::boolean then coalesce(archived_at, $9)
          else null end,
        last_message_at = coalesce($8, last_message_at), updated_at = $9
      where id = $1 and user_id = $2
      returning\s""" + COLUMNS;
  private static final String DELETE = "delete from conversations where id = $1 and user_id = $2 returning user_id";

  private final Pool pool;
  private final PassageIndex recall;
  private final BlockRepository blocks;

  ConversationRepository(Pool pool, PassageIndex recall, BlockRepository blocks) {
    this.pool = pool;
    this.recall = recall;
    this.blocks = blocks;
  }

  static ApiException notFound(String conversationId) {
    return ApiException.notFound("Conversation conversation_id=" + conversationId + " not found");
  }

  Future<Done> insert(InsertConversation req) {
    Conversation c = req.conversation();
    Tuple row = Tuple.of(UUID.fromString(c.id()), UUID.fromString(c.agentId()), UUID.fromString(c.userId()),
            c.summary(), c.description(), c.model(), c.contextWindow(), c.hidden())
        .addArrayOfUUID(Rows.uuids(c.inContextIds())).addValue(c.recallCount()).addValue(Rows.offset(c.createdAt()));
    Tuple messages = Rows.messageColumns(req.messages(), Tuple.tuple()).addValue(UUID.fromString(c.id()));
    return pool.withTransaction(conn -> conn.preparedQuery(INSERT).execute(row).compose(inserted -> inserted
            .rowCount() == 0
            ? Future.failedFuture(ApiException.notFound("Agent agent_id=" + c.agentId() + " not found"))
            : conn.preparedQuery(INSERT_MESSAGES).execute(messages)))
        .compose(rows -> recall.add(AgentRepository.searchable(stored(rows, req.messages()), c.id())))
        .map(v -> new Done());
  }

  private static List<Stored> stored(RowSet<Row> rows, List<Message> sent) {
    Map<String, Message> byId = new HashMap<>();
    sent.forEach(m -> byId.put(m.id(), m));
    List<Stored> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(new Stored(r.getLong("seq"), byId.get(r.getUUID("id").toString()))));
    return out;
  }

  Future<ConversationFound> get(GetConversation req) {
    UUID id = Ids.parse(req.conversationId());
    if (id == null) {
      return Future.failedFuture(notFound(req.conversationId()));
    }
    return pool.preparedQuery(GET).execute(Tuple.of(id, UUID.fromString(req.userId()))).compose(rows -> rows
        .size() == 0 ? Future.failedFuture(notFound(req.conversationId()))
        : Future.succeededFuture(new ConversationFound(conversation(rows.iterator().next()))));
  }

  Future<ConversationList> list(ListConversations req) {
    UUID user = UUID.fromString(req.userId());
    UUID agent = req.agentId() == null ? null : Ids.require(req.agentId(), "agent_id");
    UUID lower = req.lower() == null ? null : Ids.require(req.lower(), "cursor");
    UUID upper = req.upper() == null ? null : Ids.require(req.upper(), "cursor");
    String pattern = req.summarySearch() == null ? null
        : "%" + MessageRepository.escapeLike(req.summarySearch()) + "%";
    Tuple params = Tuple.of(user, agent, req.archived().name().toLowerCase(java.util.Locale.ROOT), pattern, lower,
        upper, req.limit());
    return cursorShown(user, agent, lower).compose(v -> cursorShown(user, agent, upper))
        .compose(v -> pool.preparedQuery(listSql(req.byLastMessage(), req.fromLower())).execute(params))
        .map(rows -> new ConversationList(UserRepository.collect(rows, ConversationRepository::conversation)));
  }

  private static String listSql(boolean byLastMessage, boolean ascending) {
    String key = byLastMessage ? BY_LAST_MESSAGE : BY_CREATION;
    String direction = ascending ? " asc" : " desc";
    String order = byLastMessage
        ? "coalesce(last_message_at, '-infinity'::timestamptz)" + direction + ", id" + direction
        : "id" + direction;
    // the text block starts with "from" (its common indentation is stripped): keep a space before it
    return "select " + COLUMNS + " " + LIST_WHERE.replace("{key}", key) + " order by " + order + " limit $7";
  }

  /** A list's cursor must name one of the user's conversations (of the agent listed): 404 otherwise. */
  private Future<Void> cursorShown(UUID user, UUID agent, UUID cursor) {
    if (cursor == null) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(CURSOR_SHOWN).execute(Tuple.of(cursor, user, agent)).compose(rows -> rows.size() > 0
        ? Future.succeededFuture()
        : Future.failedFuture(ApiException.notFound("The cursor " + cursor + " names no conversation of this list")));
  }

  Future<ConversationFound> update(UpdateConversation req) {
    UUID id = Ids.parse(req.conversationId());
    if (id == null) {
      return Future.failedFuture(notFound(req.conversationId()));
    }
    ConversationPatch p = req.patch();
    Tuple params = Tuple.of(id, UUID.fromString(req.userId()), p.summary(), p.description(), p.model(),
            p.contextWindow(), p.archived(), Rows.offset(p.lastMessageAt()))
        .addValue(Rows.offset(req.at()));
    return pool.preparedQuery(UPDATE).execute(params).compose(rows -> rows.size() == 0
        ? Future.failedFuture(notFound(req.conversationId()))
        : Future.succeededFuture(new ConversationFound(conversation(rows.iterator().next()))));
  }

  /** Deletes the row (its messages and runs cascade) and the thread's entries in the recall index. */
  Future<Done> delete(RemoveConversation req) {
    UUID id = Ids.parse(req.conversationId());
    if (id == null) {
      return Future.failedFuture(notFound(req.conversationId()));
    }
    return pool.preparedQuery(DELETE).execute(Tuple.of(id, UUID.fromString(req.userId()))).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(notFound(req.conversationId()));
      }
      UUID user = rows.iterator().next().getUUID(0);
      return IndexSync.bestEffort(recall.deleteOwner(user, id), "conversation delete").map(new Done());
    });
  }

  /** The conversation with its agent (and the agent's blocks), its context messages and the archival size. */
  Future<LoadedConversation> load(LoadConversation req) {
    UUID id = Ids.parse(req.conversationId());
    LoadedConversation none = new LoadedConversation(null, null, List.of(), 0);
    if (id == null) {
      return Future.succeededFuture(none);
    }
    return pool.preparedQuery(BY_ID).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(none);
      }
      Conversation c = conversation(rows.iterator().next());
      UUID agentId = UUID.fromString(c.agentId());
      var agentRow = pool.preparedQuery(AgentRepository.SELECT_AGENT).execute(Tuple.of(agentId));
      var agentBlocks = blocks.ofAgent(new BlockProtocol.AgentBlocks(c.agentId()));
      var context = pool.preparedQuery(AgentRepository.SELECT_CONTEXT)
          .execute(Tuple.of(Rows.uuids(c.inContextIds())));
      return Future.all(agentRow, agentBlocks, context).map(all -> {
        if (agentRow.result().size() == 0) {
          return none;
        }
        Row a = agentRow.result().iterator().next();
        return new LoadedConversation(c, Rows.agent(a, agentBlocks.result().blocks()),
            UserRepository.collect(context.result(), Rows::message), a.getLong("archival_count"));
      });
    });
  }

  static Conversation conversation(Row r) {
    List<String> context = new ArrayList<>();
    for (UUID id : r.getArrayOfUUIDs("in_context_ids")) {
      context.add(id.toString());
    }
    return new Conversation(r.getUUID("id").toString(), r.getUUID("agent_id").toString(),
        r.getUUID("user_id").toString(), r.getString("summary"), r.getString("description"), r.getString("model"),
        r.getInteger("context_window"), r.getBoolean("hidden"), Rows.instant(r.getOffsetDateTime("archived_at")),
        context, r.getBoolean("memory_alerted"), r.getLong("recall_count"),
        Rows.instant(r.getOffsetDateTime("created_at")), Rows.instant(r.getOffsetDateTime("updated_at")),
        Rows.instant(r.getOffsetDateTime("last_message_at")));
  }
}
