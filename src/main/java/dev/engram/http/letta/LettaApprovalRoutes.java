package dev.engram.http.letta;

import dev.engram.agent.AgentClient;
import dev.engram.agent.AgentProtocol.AgentPatch;
import dev.engram.agent.AgentProtocol.Approval;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;

/**
 * Whether calls to one of an agent's tools wait for its owner's approval (letta-v1.md §8,
 * {@code agents.tools.updateApproval}): {@code PATCH /v1/agents/{agent_id}/tools/approval/{tool_name}} with
 * {@code {"requires_approval": bool}} in the body, or in the query (the SDK's deprecated
 * {@code query_requires_approval}); the 1.12.1 SDK sends its {@code body_requires_approval} unrenamed, so that name is
 * taken too. On, the agent gets a requires_approval rule for the tool; off, it loses it, and the tool's own default no
 * longer applies on this agent. Answers the AgentState.
 */
public final class LettaApprovalRoutes {
  private final AgentClient agents;
  private final LettaAgentStates states;

  public LettaApprovalRoutes(AgentClient agents, LettaAgentStates states) {
    this.agents = agents;
    this.states = states;
  }

  public void mount(RouteTable router) {
    router.patch("/v1/agents/:agent_id/tools/approval/:tool_name").handler(this::update);
  }

  private void update(RoutingContext ctx) {
    String query = ctx.queryParams().get("requires_approval");
    // the body is required unless the query says it (the SDK's query_requires_approval)
    JsonObject body = Bodies.object(ctx, query != null && !query.isEmpty());
    Object value = body.getValue("requires_approval");
    if (value == null) {
      // what the 1.12.1 SDK sends: it spreads its params into the body without renaming body_requires_approval
      value = body.getValue("body_requires_approval");
    }
    if (value == null && query != null && !query.isEmpty()) {
      value = switch (query.toLowerCase(java.util.Locale.ROOT)) {
        case "true" -> true;
        case "false" -> false;
        default -> query;
      };
    }
    if (!(value instanceof Boolean required)) {
      throw Bodies.invalid("requires_approval must be true or false");
    }
    String userId = Authenticator.user(ctx);
    AgentPatch patch = new AgentPatch(null, null, null, null, null, null, null, null, null, null, null, null,
        new Approval(ctx.pathParam("tool_name"), required));
    agents.update(userId, ctx.pathParam("agent_id"), patch)
        .compose(view -> states.of(userId, view.agent()))
        .onSuccess(state -> Responses.json(ctx, 200, state))
        .onFailure(ctx::fail);
  }
}
