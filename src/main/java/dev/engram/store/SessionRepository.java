package dev.engram.store;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.kernel.Times;
import dev.engram.model.Memory;
import dev.engram.store.MemoryProtocol.*;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Sessions of the semantic-memory chat API. A session's messages are memories (role user or assistant, run id = the
 * session id) linked to it, so deleting the session deletes them, with their DELETE history rows.
 */
final class SessionRepository {
  private static final String INSERT = """
      insert into chat_sessions(id, user_id, external_user_id, name, created_at) values ($1, $2, $3, $4, $5)""";
  private static final String GET = """
      select s.id, s.external_user_id, s.name, s.created_at,
        (select count(*) from memories m where m.session_id = s.id) as message_count
      from chat_sessions s where s.id = $1 and s.user_id = $2""";
  private static final String DELETE_MEMORIES = MemoryRepository.DELETE_ONE.replace("m.id = $1 and m.user_id = $2",
      "m.session_id = $1 and m.user_id = $2");
  private static final String DELETE = "delete from chat_sessions where id = $1 and user_id = $2";
  private static final String RECENT = "select " + MemoryRows.COLUMNS
      + " from memories where session_id = $1 and user_id = $2 order by created_at desc, seq desc limit $3";

  private final Pool pool;
  private final MemoryRepository memories;

  SessionRepository(Pool pool, MemoryRepository memories) {
    this.pool = pool;
    this.memories = memories;
  }

  Future<SessionReply> create(CreateSession req) {
    UUID id = UUID.randomUUID();
    UUID tenant = UUID.fromString(req.userId());
    return pool.preparedQuery(INSERT).execute(Tuple.of(id, tenant, req.externalUserId(), req.name(),
            Rows.offset(Times.now())))
        .compose(v -> get(new GetSession(req.userId(), id.toString())));
  }

  Future<SessionReply> get(GetSession req) {
    UUID id = Ids.parse(req.sessionId());
    if (id == null) {
      return Future.failedFuture(notFound(req.sessionId()));
    }
    return pool.preparedQuery(GET).execute(Tuple.of(id, UUID.fromString(req.userId()))).compose(rows ->
        rows.size() == 0 ? Future.failedFuture(notFound(req.sessionId()))
            : Future.succeededFuture(new SessionReply(MemoryRows.session(rows.iterator().next()))));
  }

  /** Deletes the session and its messages; answers how many messages went with it. */
  Future<DeletedCount> delete(DeleteSession req) {
    UUID id = Ids.parse(req.sessionId());
    if (id == null) {
      return Future.failedFuture(notFound(req.sessionId()));
    }
    UUID tenant = UUID.fromString(req.userId());
    return pool.withTransaction(conn -> conn.preparedQuery(DELETE_MEMORIES).execute(Tuple.of(id, tenant))
            .compose(gone -> conn.preparedQuery(DELETE).execute(Tuple.of(id, tenant)).compose(session ->
                session.rowCount() == 0 ? Future.failedFuture(notFound(req.sessionId()))
                    : Future.succeededFuture(UserRepository.collect(gone, r -> r.getUUID(0))))))
        .compose(ids -> memories.mirror(tenant, List.of(), ids, "session delete").map(new DeletedCount(ids.size())));
  }

  Future<Memories> recent(RecentMessages req) {
    UUID id = UUID.fromString(req.sessionId());
    return pool.preparedQuery(RECENT).execute(Tuple.of(id, UUID.fromString(req.userId()), req.limit()))
        .map(rows -> {
          List<Memory> list = new ArrayList<>(UserRepository.collect(rows, MemoryRows::memory));
          Collections.reverse(list);
          return new Memories(list);
        });
  }

  static ApiException notFound(String sessionId) {
    return ApiException.notFound("Session " + sessionId + " not found");
  }
}
