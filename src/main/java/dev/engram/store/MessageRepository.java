package dev.engram.store;

import dev.engram.index.PassageIndex;
import dev.engram.index.PassageIndex.PassageQuery;
import dev.engram.index.PassageIndex.ScoredPassage;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.model.Message;
import dev.engram.store.StoreProtocol.*;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Reads of recall memory: offset pages and cursors (newest first) and searches (ranked, or newest first). Each reads
 * one thread: the agent's own (the MemGPT /api's only one), or one of its conversations; a query written with
 * {@code {thread}} comes in two forms, one per kind of thread, each matching its index (V008).
 */
final class MessageRepository {
  /** The agent's own thread; {@code $5} (the conversation) is null. */
  private static final String AGENT_THREAD = "agent_id = $1 and conversation_id is null and $5::uuid is null";
  private static final String CONVERSATION_THREAD = "conversation_id = $5 and agent_id = $1";
  private static final String OWNED_AGENT = "select in_context_ids, tools from agents where id = $1 and user_id = $2";
  private static final String OWNED_CONVERSATION = """
      select c.in_context_ids, a.tools from conversations c join agents a on a.id = c.agent_id
      where c.id = $3 and c.agent_id = $1 and c.user_id = $2""";
  /** A message of the agent's own thread (the 0.4 client's message routes know no conversations). */
  private static final String GET = "select " + Rows.MESSAGE_COLUMNS
      + " from messages m where id = $1 and agent_id = $2 and conversation_id is null"
      + " and exists (select 1 from agents a where a.id = $2 and a.user_id = $3)";
  private static final String REWRITE = """
      update messages set text = $3, name = $4, tokens = $5
      where id = $1 and agent_id = $2 and conversation_id is null
      returning seq""";
  private static final String PAGE = "select " + Rows.MESSAGE_COLUMNS
      + " from messages where agent_id = $1 and conversation_id is null order by seq desc offset $2 limit $3";
  private static final String CURSOR = "select " + Rows.MESSAGE_COLUMNS + """
       from messages where agent_id = $1 and conversation_id is null
        and ($2::uuid is null or seq < (select seq from messages where id = $2 and agent_id = $1))
        and ($3::uuid is null or seq > (select seq from messages where id = $3 and agent_id = $1))
      order by seq desc limit $4""";
  private static final String CURSOR_SHOWN = """
      select 1 from messages where id = $2 and agent_id = $1 and conversation_id is not distinct from $3""";
  private static final String HISTORY_WHERE = """
       from messages where {thread}
        and ($2::uuid is null or seq > (select seq from messages where id = $2 and {thread}))
        and ($3::uuid is null or seq < (select seq from messages where id = $3 and {thread}))""";
  // the text block above starts with "from" (its common indentation is stripped): keep a space before it
  private static final String HISTORY_UP = "select " + Rows.MESSAGE_COLUMNS + " " + HISTORY_WHERE
      + " order by seq asc limit $4";
  private static final String HISTORY_DOWN = "select " + Rows.MESSAGE_COLUMNS + " " + HISTORY_WHERE
      + " order by seq desc limit $4";
  /** $5 is the conversation (see the threads above); the page is $6 (offset) and $7 (limit). */
  private static final String SEARCH_WHERE = """
       from messages where {thread} and role in ('user', 'assistant')
        and ($2::text is null or text ilike $2 escape '\\')
        and ($3::timestamptz is null or created_at >= $3)
        and ($4::timestamptz is null or created_at < $4)""";
  // the text block above starts with "from" (its common indentation is stripped): keep a space before it
  private static final String SEARCH = "select " + Rows.MESSAGE_COLUMNS + " " + SEARCH_WHERE
      + " order by seq desc offset $6 limit $7";
  private static final String SEARCH_COUNT = "select count(*) " + SEARCH_WHERE;

  private static final String AGENT_USER = "select user_id from agents where id = $1";
  private static final String BY_IDS = "select " + Rows.MESSAGE_COLUMNS + " " + """
      from messages where id = any($1)
        and ($2::timestamptz is null or created_at >= $2)
        and ($3::timestamptz is null or created_at < $3)""";

  /** Ranked recall search looks at this many best matches; the total reported is capped by it. */
  static final int RANKED_DEPTH = 100;

  private final Pool pool;
  private final PassageIndex recall;

  MessageRepository(Pool pool, PassageIndex recall) {
    this.pool = pool;
    this.recall = recall;
  }

  Future<Messages> page(PageMessages req) {
    return owned(req.userId(), req.agentId(), null).compose(owner -> pool.preparedQuery(PAGE)
        .execute(Tuple.of(UUID.fromString(req.agentId()), req.start(), req.count()))
        .map(rows -> messages(rows, owner.inContext())));
  }

  Future<Messages> cursor(CursorMessages req) {
    UUID before = req.before() == null ? null : Ids.require(req.before(), "before");
    UUID after = req.after() == null ? null : Ids.require(req.after(), "after");
    return owned(req.userId(), req.agentId(), null).compose(owner -> {
      UUID agent = UUID.fromString(req.agentId());
      return pool.preparedQuery(CURSOR).execute(Tuple.of(agent, before, after, req.limit()))
          .compose(rows -> rows.size() > 0 ? Future.succeededFuture(rows)
              : cursorShown(agent, null, before, "before").compose(v -> cursorShown(agent, null, after, "after"))
                  .map(rows))
          .map(rows -> messages(rows, owner.inContext()));
    });
  }

  /**
   * An empty page after a cursor: the end of recall, or a cursor that names no message of the thread (404, so that a
   * client does not take a wrong or stale cursor for the end).
   */
  private Future<Void> cursorShown(UUID agent, UUID conversation, UUID cursor, String field) {
    if (cursor == null) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(CURSOR_SHOWN).execute(Tuple.of(agent, cursor, conversation)).compose(rows -> rows
        .size() > 0 ? Future.succeededFuture()
        : Future.failedFuture(ApiException.notFound(field + "=" + cursor + " names no message of "
            + (conversation == null ? "agent " + agent : "conversation " + conversation))));
  }

  /** See {@link HistoryPage}; like {@link #cursor}, a bound that names no message of the thread is a 404. */
  Future<HistoryMessages> history(HistoryPage req) {
    UUID lower = req.lower() == null ? null : Ids.require(req.lower(), "cursor");
    UUID upper = req.upper() == null ? null : Ids.require(req.upper(), "cursor");
    UUID conversation = req.conversationId() == null ? null : Ids.parse(req.conversationId());
    return owned(req.userId(), req.agentId(), req.conversationId()).compose(owner -> {
      UUID agent = UUID.fromString(req.agentId());
      return pool.preparedQuery(thread(req.fromLower() ? HISTORY_UP : HISTORY_DOWN, conversation))
          .execute(Tuple.of(agent, lower, upper, req.limit(), conversation))
          .compose(rows -> rows.size() > 0 ? Future.succeededFuture(rows)
              : cursorShown(agent, conversation, lower, "after")
                  .compose(v -> cursorShown(agent, conversation, upper, "before")).map(rows))
          .map(rows -> new HistoryMessages(UserRepository.collect(rows, Rows::message), owner.tools()));
    });
  }

  /** {@code sql} for the agent's own thread ({@code conversation} null) or for a conversation. */
  private static String thread(String sql, UUID conversation) {
    return sql.replace("{thread}", conversation == null ? AGENT_THREAD : CONVERSATION_THREAD);
  }

  /**
   * A text query is ranked by the recall index (BM25 over what the user and the agent said), best first; when the
   * index finds nothing the query falls back to a case-insensitive substring match, newest first, which also serves
   * date-only searches.
   */
  Future<Messages> search(SearchMessages req) {
    if (req.query() == null || req.query().isBlank()) {
      return substringSearch(req);
    }
    UUID agent = UUID.fromString(req.agentId());
    UUID owner = req.conversationId() == null ? agent : UUID.fromString(req.conversationId());
    return pool.preparedQuery(AGENT_USER).execute(Tuple.of(agent))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture(List.<ScoredPassage>of())
            : recall.search(new PassageQuery(rows.iterator().next().getUUID(0), Set.of(owner), req.query(), null,
                SearchMode.TEXT, RANKED_DEPTH)))
        .compose(hits -> hits.isEmpty() ? Future.succeededFuture(List.<Message>of()) : ranked(hits, req))
        .compose(found -> found.isEmpty() ? substringSearch(req) : Future.succeededFuture(page(found, req)));
  }

  private Future<List<Message>> ranked(List<ScoredPassage> hits, SearchMessages req) {
    UUID[] ids = hits.stream().map(ScoredPassage::id).toArray(UUID[]::new);
    return pool.preparedQuery(BY_IDS).execute(Tuple.of(ids, Rows.offset(req.from()), Rows.offset(req.to())))
        .map(rows -> {
          Map<String, Message> byId = new HashMap<>();
          rows.forEach(r -> {
            Message m = Rows.message(r);
            byId.put(m.id(), m);
          });
          List<Message> ordered = new ArrayList<>();
          for (ScoredPassage hit : hits) {
            Message m = byId.get(hit.id().toString());
            if (m != null) {
              ordered.add(m);
            }
          }
          return ordered;
        });
  }

  private static Messages page(List<Message> found, SearchMessages req) {
    int from = Math.min(req.offset(), found.size());
    int to = Math.min(from + req.limit(), found.size());
    return new Messages(List.copyOf(found.subList(from, to)), List.of(), found.size());
  }

  private Future<Messages> substringSearch(SearchMessages req) {
    String pattern = req.query() == null ? null : "%" + escapeLike(req.query()) + "%";
    UUID conversation = req.conversationId() == null ? null : UUID.fromString(req.conversationId());
    Tuple filter = Tuple.of(UUID.fromString(req.agentId()), pattern, Rows.offset(req.from()), Rows.offset(req.to()),
        conversation);
    Tuple paged = Tuple.of(UUID.fromString(req.agentId()), pattern, Rows.offset(req.from()), Rows.offset(req.to()),
        conversation).addValue(req.offset()).addValue(req.limit());
    return Future.all(pool.preparedQuery(thread(SEARCH, conversation)).execute(paged),
            pool.preparedQuery(thread(SEARCH_COUNT, conversation)).execute(filter))
        .map(both -> {
          RowSet<Row> rows = both.resultAt(0);
          RowSet<Row> count = both.resultAt(1);
          return new Messages(UserRepository.collect(rows, Rows::message), List.of(),
              count.iterator().next().getLong(0));
        });
  }

  /** See {@link GetMessage}. */
  Future<OneMessage> get(GetMessage req) {
    UUID id = Ids.parse(req.messageId());
    UUID agent = Ids.parse(req.agentId());
    UUID user = Ids.parse(req.userId());
    if (id == null || agent == null || user == null) {
      return Future.failedFuture(messageNotFound(req.messageId()));
    }
    return pool.preparedQuery(GET).execute(Tuple.of(id, agent, user)).compose(rows -> rows.size() == 0
        ? Future.failedFuture(messageNotFound(req.messageId()))
        : Future.succeededFuture(new OneMessage(Rows.message(rows.iterator().next()))));
  }

  /**
   * See {@link RewriteMessage}. Answers once the recall index holds the new text (the entry keeps its id and seq),
   * so a search that follows finds the message by its new words and no longer by its old ones.
   */
  Future<Done> rewrite(RewriteMessage req) {
    Message m = req.message();
    return pool.preparedQuery(REWRITE).execute(Tuple.of(UUID.fromString(m.id()), UUID.fromString(m.agentId()),
            m.text(), m.name(), m.tokens()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(messageNotFound(m.id()));
          }
          if (!Message.USER.equals(m.role()) && !Message.ASSISTANT.equals(m.role())) {
            return Future.succeededFuture(new Done()); // only what the user and the agent said is indexed
          }
          long seq = rows.iterator().next().getLong(0);
          return IndexSync.bestEffort(recall.upsert(List.of(IndexFeeds.message(seq, m, null))), "message rewrite")
              .map(new Done());
        });
  }

  private static ApiException messageNotFound(String id) {
    return ApiException.notFound("Message message_id=" + id + " not found");
  }

  /** What a read of a thread's messages needs to know: its in-context ids and the agent's tools. */
  private record Owner(List<String> inContext, List<String> tools) {}

  /**
   * The thread's in-context ids (the agent's, or conversation {@code conversationId}'s) and the agent's tools, or 404
   * when the agent or the conversation does not exist or belongs to another user (or the conversation to another
   * agent).
   */
  private Future<Owner> owned(String userId, String agentId, String conversationId) {
    UUID agent = Ids.parse(agentId);
    UUID user = Ids.parse(userId);
    UUID conversation = conversationId == null ? null : Ids.parse(conversationId);
    if (agent == null || user == null || (conversationId != null && conversation == null)) {
      return Future.failedFuture(conversationId == null
          ? ApiException.notFound("Agent agent_id=" + agentId + " not found")
          : ConversationRepository.notFound(conversationId));
    }
    Future<RowSet<Row>> found = conversation == null
        ? pool.preparedQuery(OWNED_AGENT).execute(Tuple.of(agent, user))
        : pool.preparedQuery(OWNED_CONVERSATION).execute(Tuple.of(agent, user, conversation));
    return found.compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(conversation == null
            ? ApiException.notFound("Agent agent_id=" + agentId + " not found")
            : ConversationRepository.notFound(conversationId));
      }
      Row row = rows.iterator().next();
      List<String> ids = new ArrayList<>();
      for (UUID id : row.getArrayOfUUIDs(0)) {
        ids.add(id.toString());
      }
      return Future.succeededFuture(new Owner(ids, List.of(row.getArrayOfStrings(1))));
    });
  }

  private static Messages messages(RowSet<Row> rows, List<String> context) {
    List<Message> list = UserRepository.collect(rows, Rows::message);
    List<String> inContext = list.stream().map(Message::id).filter(context::contains).toList();
    return new Messages(list, inContext, list.size());
  }

  static String escapeLike(String s) {
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }
}
