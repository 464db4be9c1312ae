package dev.engram.http.letta;

import dev.engram.agent.rules.PendingCall;
import dev.engram.agent.tool.Toolsets;
import dev.engram.agent.tool.UserTools;
import dev.engram.model.Agent;
import dev.engram.model.Source;
import dev.engram.store.ArchivalClient;
import dev.engram.store.ArchivalProtocol.AgentRef;
import dev.engram.store.ArchivalProtocol.SourceView;
import dev.engram.store.StoreClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * AgentStates with what the agent record does not hold: the folders attached to each agent (its {@code sources}),
 * read from the archival store, the user's own and MCP tools it has, and (for one agent) the call it waits on,
 * rendered by the one renderer, {@link LettaViews#agentState}. A list reads the user's folders once, whatever the
 * number of agents.
 */
public final class LettaAgentStates {
  private final ArchivalClient archival;
  private final StoreClient store;
  private final LettaViews views;
  private final Toolsets toolsets;

  public LettaAgentStates(ArchivalClient archival, StoreClient store, LettaViews views, Toolsets toolsets) {
    this.archival = archival;
    this.store = store;
    this.views = views;
    this.toolsets = toolsets;
  }

  /** One agent of {@code userId}, as an AgentState, with the tool call it waits on ({@code pending_approval}). */
  Future<JsonObject> of(String userId, Agent agent) {
    var tools = userTools(userId, List.of(agent));
    var sources = archival.agentSources(userId, agent.id());
    Future<JsonObject> pending = pendingApproval(userId, agent);
    return Future.all(tools, sources, pending).map(all -> views.agentState(agent,
        sources.result().stream().map(SourceView::source).toList(), tools.result())
        .put("pending_approval", pending.result()));
  }

  /** All the user's own and MCP tools when a create or update body names tools; none otherwise (nothing read). */
  Future<UserTools> namedTools(String userId, io.vertx.core.json.JsonObject body) {
    return LettaRequests.namesTools(body) ? toolsets.load(userId, null) : Future.succeededFuture(UserTools.NONE);
  }

  /** The user's own and MCP tools among these agents' tools; nothing is read when they are all built in. */
  Future<UserTools> userTools(String userId, List<Agent> agents) {
    List<String> others = new ArrayList<>();
    for (Agent a : agents) {
      for (String name : a.tools()) {
        if (!views.tools().has(name) && !others.contains(name)) {
          others.add(name);
        }
      }
    }
    return others.isEmpty() ? Future.succeededFuture(UserTools.NONE) : toolsets.load(userId, others);
  }

  /**
   * The approval_request_message of the call the agent's own thread waits on (its last in-context message, a call
   * with no return: see agent.rules.PendingCall), or null. A list of agents leaves it null, as Letta does unless asked.
   */
  private Future<JsonObject> pendingApproval(String userId, Agent agent) {
    List<String> ids = agent.inContextIds();
    if (ids.size() < 2) {
      return Future.succeededFuture(null);
    }
    return store.message(userId, agent.id(), ids.get(ids.size() - 1)).map(last -> {
      PendingCall pending = PendingCall.of(last, agent.tools());
      return pending == null ? null
          : LettaMessages.approvalRequest(pending.request().id(), pending.call(), pending.request().createdAt());
    }).otherwise((JsonObject) null);
  }

  /** Agents of {@code userId}, in the order given, as AgentStates. */
  Future<JsonArray> all(String userId, List<Agent> agents) {
    if (agents.isEmpty()) {
      return Future.succeededFuture(new JsonArray());
    }
    var tools = userTools(userId, agents);
    var all = archival.sources(userId);
    return Future.all(tools, all).map(both -> {
      List<SourceView> folders = all.result();
      Map<String, List<Source>> byAgent = new HashMap<>();
      for (SourceView folder : folders) {
        for (AgentRef agent : folder.attachedAgents()) {
          byAgent.computeIfAbsent(agent.id(), id -> new ArrayList<>()).add(folder.source());
        }
      }
      JsonArray out = new JsonArray();
      agents.forEach(a -> out.add(views.agentState(a, byAgent.getOrDefault(a.id(), List.of()), tools.result())));
      return out;
    });
  }
}
