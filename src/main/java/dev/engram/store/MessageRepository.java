package dev.engram.store;

import dev.engram.kernel.ApiException;
import dev.engram.model.Message;
import dev.engram.store.StoreProtocol.*;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Reads of recall memory: offset pages, cursors and searches, always newest first. */
final class MessageRepository {
  private static final String OWNED_AGENT = "select in_context_ids from agents where id = $1 and user_id = $2";
  private static final String PAGE = "select " + Rows.MESSAGE_COLUMNS
      + " from messages where agent_id = $1 order by seq desc offset $2 limit $3";
  private static final String CURSOR = "select " + Rows.MESSAGE_COLUMNS + """
       from messages where agent_id = $1
        and ($2::uuid is null or seq < (select seq from messages where id = $2 and agent_id = $1))
        and ($3::uuid is null or seq > (select seq from messages where id = $3 and agent_id = $1))
      order by seq desc limit $4""";
  private static final String SEARCH_WHERE = """
       from messages where agent_id = $1 and role in ('user', 'assistant')
        and ($2::text is null or text ilike $2 escape '\\')
        and ($3::timestamptz is null or created_at >= $3)
        and ($4::timestamptz is null or created_at < $4)""";
  // the text block above starts with "from" (its common indentation is stripped): keep a space before it
  private static final String SEARCH = "select " + Rows.MESSAGE_COLUMNS + " " + SEARCH_WHERE
      + " order by seq desc offset $5 limit $6";
  private static final String SEARCH_COUNT = "select count(*) " + SEARCH_WHERE;

  private final Pool pool;

  MessageRepository(Pool pool) {
    this.pool = pool;
  }

  Future<Messages> page(PageMessages req) {
    return owned(req.userId(), req.agentId()).compose(context -> pool.preparedQuery(PAGE)
        .execute(Tuple.of(UUID.fromString(req.agentId()), req.start(), req.count()))
        .map(rows -> messages(rows, context)));
  }

  Future<Messages> cursor(CursorMessages req) {
    UUID before = req.before() == null ? null : Ids.uuid(req.before(), "before");
    UUID after = req.after() == null ? null : Ids.uuid(req.after(), "after");
    return owned(req.userId(), req.agentId()).compose(context -> pool.preparedQuery(CURSOR)
        .execute(Tuple.of(UUID.fromString(req.agentId()), before, after, req.limit()))
        .map(rows -> messages(rows, context)));
  }

  Future<Messages> search(SearchMessages req) {
    String pattern = req.query() == null ? null : "%" + escapeLike(req.query()) + "%";
    Tuple filter = Tuple.of(UUID.fromString(req.agentId()), pattern, Rows.offset(req.from()), Rows.offset(req.to()));
    Tuple paged = Tuple.of(UUID.fromString(req.agentId()), pattern, Rows.offset(req.from()), Rows.offset(req.to()),
        req.offset(), req.limit());
    return Future.all(pool.preparedQuery(SEARCH).execute(paged), pool.preparedQuery(SEARCH_COUNT).execute(filter))
        .map(both -> {
          RowSet<Row> rows = both.resultAt(0);
          RowSet<Row> count = both.resultAt(1);
          return new Messages(UserRepository.collect(rows, Rows::message), List.of(),
              count.iterator().next().getLong(0));
        });
  }

  /** The agent's in-context ids, or 404 when the agent does not exist or belongs to another user. */
  private Future<List<String>> owned(String userId, String agentId) {
    UUID agent = Ids.uuidOrNull(agentId);
    UUID user = Ids.uuidOrNull(userId);
    if (agent == null || user == null) {
      return Future.failedFuture(ApiException.notFound("Agent agent_id=" + agentId + " not found"));
    }
    return pool.preparedQuery(OWNED_AGENT).execute(Tuple.of(agent, user)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(ApiException.notFound("Agent agent_id=" + agentId + " not found"));
      }
      List<String> ids = new ArrayList<>();
      for (UUID id : rows.iterator().next().getArrayOfUUIDs(0)) {
        ids.add(id.toString());
      }
      return Future.succeededFuture(ids);
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
