package dev.engram.store;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.store.MemoryProtocol.AgentScopes;
import dev.engram.store.MemoryProtocol.AttachScope;
import dev.engram.store.MemoryProtocol.Scope;
import dev.engram.store.MemoryProtocol.ScopeAttachment;
import dev.engram.store.MemoryProtocol.ScopeAttachments;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * The Mem0 scopes attached to agents (agent_memory_scopes). A scope is attached once per agent (keyed by the id its
 * memories are stored under); only a scope the user already holds memories in can be attached, so a scope id of
 * another user is unknown here as it is to Mem0's routes (404).
 */
final class AgentScopeRepository {
  private static final String OWNED_AGENT = "select 1 from agents where id = $1 and user_id = $2";
  private static final String TAKE_INSERTS = """
      update agent_memory_scopes set archival_inserts = false
      where agent_id = $1 and archival_inserts and scope_id <> $2""";
  private static final String ATTACH = """
      insert into agent_memory_scopes(agent_id, scope_id, user_id, scope_user, scope_agent, scope_run,
                                      archival_inserts)
      values ($1, $2, $3, $4, $5, $6, $7)
      on conflict (agent_id, scope_id) do update set archival_inserts = excluded.archival_inserts""";
  private static final String DETACH = "delete from agent_memory_scopes where agent_id = $1 and scope_id = $2";
  private static final String OF_AGENT = """
      select scope_user, scope_agent, scope_run, archival_inserts, attached_at from agent_memory_scopes
      where agent_id = $1 and user_id = $2 order by attached_at, scope_id""";

  private final Pool pool;
  private final MemoryScopes scopes;

  AgentScopeRepository(Pool pool, MemoryScopes scopes) {
    this.pool = pool;
    this.scopes = scopes;
  }

  Future<ScopeAttachments> attach(AttachScope req) {
    UUID tenant = UUID.fromString(req.userId());
    UUID agent = agentId(req.agentId());
    UUID scopeId = MemoryRows.scopeId(tenant, req.scope());
    return owned(tenant, agent).compose(v -> req.attach()
        ? known(tenant, req.scope()).compose(k -> pool.withTransaction(conn -> attach(conn, tenant, agent, scopeId,
            req)))
        : pool.preparedQuery(DETACH).execute(Tuple.of(agent, scopeId)).compose(rows -> rows.rowCount() > 0
            ? Future.succeededFuture()
            : Future.failedFuture(ApiException.notFound("Mem0 scope " + req.scope().describe()
                + " is not attached to agent " + agent))))
        .compose(v -> list(tenant, agent));
  }

  private Future<Void> attach(SqlClient conn, UUID tenant, UUID agent, UUID scopeId, AttachScope req) {
    Future<?> taken = req.archivalInserts()
        ? conn.preparedQuery(TAKE_INSERTS).execute(Tuple.of(agent, scopeId)) : Future.succeededFuture();
    Scope s = req.scope();
    return taken.compose(v -> conn.preparedQuery(ATTACH).execute(Tuple.of(agent, scopeId, tenant, s.user(),
        s.agent(), s.run()).addValue(req.archivalInserts()))).mapEmpty();
  }

  Future<ScopeAttachments> ofAgent(AgentScopes req) {
    UUID tenant = UUID.fromString(req.userId());
    UUID agent = agentId(req.agentId());
    return owned(tenant, agent).compose(v -> list(tenant, agent));
  }

  private Future<ScopeAttachments> list(UUID tenant, UUID agent) {
    return pool.preparedQuery(OF_AGENT).execute(Tuple.of(agent, tenant)).map(rows -> new ScopeAttachments(
        UserRepository.collect(rows, r -> new ScopeAttachment(agent.toString(),
            new Scope(r.getString("scope_user"), r.getString("scope_agent"), r.getString("scope_run")),
            r.getBoolean("archival_inserts"), Rows.instant(r.getOffsetDateTime("attached_at"))))));
  }

  /** A scope the user holds no memories in (not even past ones) is unknown: 404, as Mem0's own routes answer. */
  private Future<Void> known(UUID tenant, Scope scope) {
    return scopes.matching(tenant, scope).compose(ids -> ids.isEmpty()
        ? Future.failedFuture(ApiException.notFound("No memories under Mem0 scope " + scope.describe()
            + "; add one through Mem0 before attaching it"))
        : Future.succeededFuture());
  }

  private Future<Void> owned(UUID tenant, UUID agent) {
    return pool.preparedQuery(OWNED_AGENT).execute(Tuple.of(agent, tenant)).compose(rows -> rows.size() == 0
        ? Future.failedFuture(ApiException.notFound("Agent agent_id=" + agent + " not found"))
        : Future.succeededFuture());
  }

  private static UUID agentId(String value) {
    UUID id = Ids.parse(value);
    if (id == null) {
      throw ApiException.notFound("Agent agent_id=" + value + " not found");
    }
    return id;
  }
}
