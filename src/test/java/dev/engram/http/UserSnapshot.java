package dev.engram.http;

import static dev.engram.http.FuzzFixture.SCOPE_AGENT;
import static dev.engram.http.FuzzFixture.SCOPE_RUN;
import static dev.engram.http.FuzzFixture.SCOPE_USER;

import dev.engram.testkit.Api;
import dev.engram.testkit.DirectSql;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything a user has, read through the API as the user (and the admin) would: agents with their memory and message
 * counts, config, core memory, recall with in-context flags and archival; sources with passages, documents and the
 * fixture's job; the Mem0 memories of the fixture's scopes with their history; the session; the API key hints. Two
 * snapshots are equal when nothing was stored, changed or deleted. The API cannot list what a request might have
 * stored under a scope or session nobody knows, so the snapshot also counts the user's rows in every table.
 */
final class UserSnapshot {
  /**
   * Every table with a user's rows (V001 to V003, V005's blocks and presets, V006's runs with their events, V008's
   * conversations, V015's asynchronous adds).
   */
  private static final String ROW_COUNTS = """
      select t, n from (
        select 'agents' t, count(*) n from agents where user_id = $1
        union all select 'messages', count(*) from messages where user_id = $1
        union all select 'sources', count(*) from sources where user_id = $1
        union all select 'agent_sources', count(*) from agent_sources a join agents g on g.id = a.agent_id
          where g.user_id = $1
        union all select 'jobs', count(*) from jobs where user_id = $1
        union all select 'documents', count(*) from documents where user_id = $1
        union all select 'passages', count(*) from passages where user_id = $1
        union all select 'memory_scopes', count(*) from memory_scopes where user_id = $1
        union all select 'agent_memory_scopes', count(*) from agent_memory_scopes where user_id = $1
        union all select 'chat_sessions', count(*) from chat_sessions where user_id = $1
        union all select 'memories', count(*) from memories where user_id = $1
        union all select 'memory_history', count(*) from memory_history where user_id = $1
        union all select 'memory_add_events', count(*) from memory_add_events where user_id = $1
        union all select 'api_keys', count(*) from api_keys where user_id = $1
        union all select 'blocks', count(*) from blocks where user_id = $1
        union all select 'agent_blocks', count(*) from agent_blocks a join agents g on g.id = a.agent_id
          where g.user_id = $1
        union all select 'presets', count(*) from presets where user_id = $1
        union all select 'conversations', count(*) from conversations where user_id = $1
        union all select 'runs', count(*) from runs where user_id = $1
        union all select 'run_events', count(*) from run_events e join runs r on r.id = e.run_id
          where r.user_id = $1) counts""";

  private UserSnapshot() {}

  static JsonObject read(TestServer server, FuzzFixture user) {
    Api api = server.api;
    String key = user.key;
    JsonObject out = new JsonObject();
    JsonObject agentList = json(api.get("/api/agents", key));
    out.put("agents", agentList);
    for (Object item : agentList.getJsonArray("agents")) {
      String id = ((JsonObject) item).getString("id");
      String base = "/api/agents/" + id;
      out.put("agent " + id, new JsonObject()
          .put("config", json(api.get(base + "/config", key)))
          .put("memory", json(api.get(base + "/memory", key)))
          .put("messages", json(api.get(base + "/messages?start=0&count=1000", key)))
          .put("archival", json(api.get(base + "/archival/all", key))));
    }
    JsonObject sources = json(api.get("/api/sources", key));
    out.put("sources", sources);
    for (Object item : sources.getJsonArray("sources")) {
      String id = ((JsonObject) item).getString("id");
      out.put("source " + id, new JsonObject()
          .put("passages", json(api.get("/api/sources/" + id + "/passages", key)))
          .put("documents", json(api.get("/api/sources/" + id + "/documents", key))));
    }
    out.put("job", json(api.get("/api/sources/status/" + user.id("job"), key)));
    String conversation = "/v1/conversations/" + user.id("conversation");
    out.put("conversation", json(api.get(conversation, key)))
        .put("conversation messages", json(api.get(conversation + "/messages?limit=1000", key)));
    Set<String> memoryIds = new TreeSet<>();
    for (String scope : new String[] {"user_id=" + SCOPE_USER, "agent_id=" + SCOPE_AGENT, "run_id=" + SCOPE_RUN}) {
      JsonObject page = json(api.get("/memories?" + scope, key));
      out.put("memories " + scope, page);
      page.getJsonArray("results").forEach(m -> memoryIds.add(((JsonObject) m).getString("id")));
    }
    for (String id : memoryIds) {
      out.put("history " + id, json(api.get("/memories/" + id + "/history", key)));
    }
    out.put("session", json(api.get("/sessions/" + user.id("session"), key)));
    out.put("keys", json(api.get("/admin/users/keys?user_id=" + user.userId, TestServer.ADMIN)));
    out.put("rows", rowCounts(server, user.userId));
    return out;
  }

  /** The ids of all users, as the admin lists them. */
  static JsonObject users(TestServer server) {
    return json(server.api.get("/admin/users", TestServer.ADMIN));
  }

  private static JsonObject rowCounts(TestServer server, String userId) {
    try {
      JsonObject counts = new JsonObject();
      for (Row row : DirectSql.query(server.server().databaseOptions(),
          ROW_COUNTS.replace("$1", "'" + userId + "'::uuid"))) {
        counts.put(row.getString(0), row.getLong(1));
      }
      return counts;
    } catch (Exception e) {
      throw new IllegalStateException("cannot count the user's rows", e);
    }
  }

  private static JsonObject json(Api.Response r) {
    if (r.status() != 200) {
      throw new AssertionError("the snapshot could not read: " + r.status() + " " + r.body());
    }
    return r.body().startsWith("[") ? new JsonObject().put("list", new JsonArray(r.body())) : r.json();
  }
}
