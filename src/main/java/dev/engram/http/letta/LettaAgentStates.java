package dev.engram.http.letta;

import dev.engram.model.Agent;
import dev.engram.model.Source;
import dev.engram.store.ArchivalClient;
import dev.engram.store.ArchivalProtocol.AgentRef;
import dev.engram.store.ArchivalProtocol.SourceView;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * AgentStates with what the agent record does not hold: the folders attached to each agent (its {@code sources}),
 * read from the archival store and rendered by the one renderer, {@link LettaViews#agentState}. A list reads the
 * user's folders once, whatever the number of agents.
 */
public final class LettaAgentStates {
  private final ArchivalClient archival;
  private final LettaViews views;

  public LettaAgentStates(ArchivalClient archival, LettaViews views) {
    this.archival = archival;
    this.views = views;
  }

  /** One agent of {@code userId}, as an AgentState. */
  Future<JsonObject> of(String userId, Agent agent) {
    return archival.agentSources(userId, agent.id())
        .map(attached -> views.agentState(agent, attached.stream().map(SourceView::source).toList()));
  }

  /** Agents of {@code userId}, in the order given, as AgentStates. */
  Future<JsonArray> all(String userId, List<Agent> agents) {
    if (agents.isEmpty()) {
      return Future.succeededFuture(new JsonArray());
    }
    return archival.sources(userId).map(folders -> {
      Map<String, List<Source>> byAgent = new HashMap<>();
      for (SourceView folder : folders) {
        for (AgentRef agent : folder.attachedAgents()) {
          byAgent.computeIfAbsent(agent.id(), id -> new ArrayList<>()).add(folder.source());
        }
      }
      JsonArray out = new JsonArray();
      agents.forEach(a -> out.add(views.agentState(a, byAgent.getOrDefault(a.id(), List.of()))));
      return out;
    });
  }
}
