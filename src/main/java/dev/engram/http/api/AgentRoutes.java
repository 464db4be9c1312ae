package dev.engram.http.api;

import dev.engram.agent.AgentClient;
import dev.engram.agent.AgentProtocol.CreateAgent;
import dev.engram.agent.AgentProtocol.EditCoreMemory;
import dev.engram.agent.AgentProtocol.NewAgent;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.model.CoreMemory;
import dev.engram.store.StoreClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Agents and their core memory: /api/agents, /config, /rename, /memory, /command, DELETE. */
public final class AgentRoutes {
  private final AgentClient agents;
  private final StoreClient store;
  private final Views views;

  public AgentRoutes(AgentClient agents, StoreClient store, Views views) {
    this.agents = agents;
    this.store = store;
    this.views = views;
  }

  public void mount(RouteTable router) {
    router.get("/api/agents").handler(this::list);
    router.post("/api/agents").handler(this::create);
    router.get("/api/agents/:agent_id/config").handler(this::config);
    router.patch("/api/agents/:agent_id/rename").handler(this::rename);
    router.delete("/api/agents/:agent_id").handler(this::delete);
    router.get("/api/agents/:agent_id/memory").handler(this::memory);
    router.post("/api/agents/:agent_id/memory").handler(this::updateMemory);
    router.post("/api/agents/:agent_id/command").handler(this::command);
  }

  private void list(RoutingContext ctx) {
    store.listAgents(Authenticator.user(ctx)).onSuccess(list -> {
      JsonArray items = new JsonArray();
      list.agents().forEach(s -> items.add(views.agentListItem(s)));
      Responses.json(ctx, 200, new JsonObject().put("num_agents", items.size()).put("agents", items));
    }).onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    JsonObject config = Bodies.optionalObject(body, "config");
    if (config == null) {
      throw Bodies.invalid("config is required: {\"config\": {\"name\": ..., \"preset\": ..., \"persona\": ...,"
          + " \"human\": ...}}");
    }
    String persona = firstOf(config, "persona", "persona_name");
    String human = firstOf(config, "human", "human_name");
    var req = new CreateAgent(Authenticator.user(ctx), UUID.randomUUID().toString(), NewAgent.memgpt(
        Bodies.requiredString(config, "name"), Bodies.optionalString(config, "preset"), persona, human));
    agents.create(req).onSuccess(view -> Responses.json(ctx, 200, new JsonObject()
            .put("agent_state", views.agentState(view))
            .put("preset", new JsonObject().put("name", view.agent().preset()))))
        .onFailure(ctx::fail);
  }

  private static String firstOf(JsonObject config, String field, String alias) {
    String value = Bodies.optionalString(config, field);
    return value != null ? value : Bodies.optionalString(config, alias);
  }

  private void config(RoutingContext ctx) {
    agents.get(Authenticator.user(ctx), ctx.pathParam("agent_id"))
        .onSuccess(view -> Responses.json(ctx, 200, new JsonObject().put("agent_state", views.agentState(view))
            .put("sources", new JsonArray()).put("last_run_at", view.agent().lastRunAt() == null
                ? null : view.agent().lastRunAt().getEpochSecond())))
        .onFailure(ctx::fail);
  }

  private void rename(RoutingContext ctx) {
    String name = Bodies.requiredString(Bodies.object(ctx, false), "agent_name");
    agents.rename(Authenticator.user(ctx), ctx.pathParam("agent_id"), name)
        .onSuccess(view -> Responses.json(ctx, 200, new JsonObject().put("agent_state", views.agentState(view))
            .put("sources", new JsonArray()).put("last_run_at", null)))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    String agentId = ctx.pathParam("agent_id");
    agents.delete(Authenticator.user(ctx), agentId).onSuccess(d -> Responses.json(ctx, 200,
            new JsonObject().put("message", "Agent agent_id=" + agentId + " successfully deleted")))
        .onFailure(ctx::fail);
  }

  private void memory(RoutingContext ctx) {
    agents.get(Authenticator.user(ctx), ctx.pathParam("agent_id"))
        .onSuccess(view -> Responses.json(ctx, 200,
            Views.memory(view.agent().memory(), view.recallCount(), view.archivalCount())))
        .onFailure(ctx::fail);
  }

  private void updateMemory(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    Map<String, String> values = new LinkedHashMap<>();
    for (String label : List.of(CoreMemory.PERSONA, CoreMemory.HUMAN)) {
      String value = Bodies.optionalString(body, label);
      if (value != null) {
        values.put(label, value);
      }
    }
    var req = new EditCoreMemory(Authenticator.user(ctx), ctx.pathParam("agent_id"), values);
    agents.updateMemory(req).onSuccess(change -> Responses.json(ctx, 200, new JsonObject()
            .put("old_core_memory", Views.core(change.before())).put("new_core_memory", Views.core(change.after()))))
        .onFailure(ctx::fail);
  }

  private void command(RoutingContext ctx) {
    String command = Bodies.requiredString(Bodies.object(ctx, false), "command");
    agents.command(Authenticator.user(ctx), ctx.pathParam("agent_id"), command)
        .onSuccess(r -> Responses.json(ctx, 200, new JsonObject().put("response", r.response())))
        .onFailure(ctx::fail);
  }
}
