package dev.engram.http.letta;

import dev.engram.agent.AgentClient;
import dev.engram.agent.AgentProtocol.CreateAgent;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.PrefixedIds;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.kernel.Times;
import dev.engram.model.Agent;
import dev.engram.model.AgentSummary;
import dev.engram.store.ArchivalClient;
import dev.engram.store.StoreClient;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Function;

/**
 * Letta's agents (letta-v1.md §3): create, list (name, tags, query_text; paged, newest first by default), count,
 * retrieve, update, delete, the context window's breakdown and the reset of its messages. Every relationship is
 * always included (the include rule allows it), so {@code include} is accepted and ignored. Create and update also
 * attach the folders named by {@code folder_ids} (or the deprecated {@code source_ids}).
 */
public final class LettaAgentRoutes {
  private static final int DEFAULT_LIMIT = 50;
  private static final List<String> INCLUDES = List.of("agent.blocks", "agent.identities", "agent.managed_group",
      "agent.pending_approval", "agent.secrets", "agent.sources", "agent.tags", "agent.tools");

  private final AgentClient agents;
  private final StoreClient store;
  private final LettaViews views;
  private final LettaAgentStates states;
  private final LettaAgentFolders folders;
  private final LettaRequests requests;

  public LettaAgentRoutes(AgentClient agents, StoreClient store, ArchivalClient archival, LettaViews views,
      LettaAgentStates states) {
    this.agents = agents;
    this.store = store;
    this.views = views;
    this.states = states;
    this.folders = new LettaAgentFolders(archival);
    this.requests = new LettaRequests(views);
  }

  /**
   * {@code /v1/agents/count} comes before {@code /v1/agents/:agent_id}; another method on it reaches the agent routes
   * and names no agent (404), as Letta's validator answers 422 for it.
   */
  public void mount(RouteTable router) {
    router.get("/v1/agents/count").handler(this::count);
    router.post("/v1/agents").handler(this::create);
    router.get("/v1/agents").handler(this::list);
    router.get("/v1/agents/:agent_id").handler(this::retrieve);
    router.patch("/v1/agents/:agent_id").handler(this::update);
    router.delete("/v1/agents/:agent_id").handler(this::delete);
    router.get("/v1/agents/:agent_id/context").handler(this::context);
    router.patch("/v1/agents/:agent_id/reset-messages").handler(this::reset);
  }

  /** Folders named by {@code folder_ids} are checked first (404 stores nothing), then attached. */
  private void create(RoutingContext ctx) {
    String userId = Authenticator.user(ctx);
    JsonObject body = Bodies.object(ctx, false);
    List<String> folderIds = LettaRequests.folderIds(body);
    states.namedTools(userId, body)
        .map(user -> requests.create(body, userId, Times.now(), user))
        .compose(spec -> folders.check(userId, folderIds).map(spec))
        .compose(spec -> agents.create(new CreateAgent(userId, UUID.randomUUID().toString(), spec)))
        .compose(view -> folders.set(userId, view.agent().id(), folderIds).map(view))
        .compose(view -> states.of(userId, view.agent()))
        .onSuccess(state -> Responses.json(ctx, 200, state))
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    Paging paging = Paging.parse(ctx, DEFAULT_LIMIT, false);
    checkInclude(ctx);
    Filter filter = Filter.parse(ctx);
    Function<Agent, Instant> order = order(ctx);
    String userId = Authenticator.user(ctx);
    store.listAgents(userId).compose(found -> {
      List<Agent> matching = found.agents().stream().map(AgentSummary::agent).filter(filter::matches)
          .sorted(Comparator.comparing(order, Comparator.nullsFirst(Comparator.naturalOrder()))
              .thenComparing(Agent::id))
          .toList();
      return states.all(userId, paging.applyKnown(matching, Agent::id, "agent"));
    }).onSuccess(out -> Responses.json(ctx, 200, out)).onFailure(ctx::fail);
  }

  /**
   * The relationships a client may ask to include (Letta's list); every one is always included here, but a name
   * outside the list is refused as Letta refuses it.
   */
  private static void checkInclude(RoutingContext ctx) {
    for (String name : ctx.queryParams().getAll("include")) {
      if (!name.isBlank() && !INCLUDES.contains(name)) {
        throw Bodies.invalid("query parameter include must be one of " + INCLUDES + ", got '" + name + "'");
      }
    }
  }

  /** The agents' order: created_at (Letta's default), updated_at or last_run_completion. */
  private static Function<Agent, Instant> order(RoutingContext ctx) {
    String by = Paging.blankToNull(ctx.queryParams().get("order_by"));
    if (by == null || by.equals("created_at")) {
      return Agent::createdAt;
    }
    return switch (by) {
      case "updated_at" -> Agent::updatedAt;
      case "last_run_completion" -> Agent::lastRunAt;
      default -> throw Bodies.invalid("query parameter order_by must be created_at, updated_at or"
          + " last_run_completion, got '" + by + "'");
    };
  }

  private void count(RoutingContext ctx) {
    Filter filter = Filter.parse(ctx);
    store.listAgents(Authenticator.user(ctx)).onSuccess(found -> {
      long n = found.agents().stream().map(AgentSummary::agent).filter(filter::matches).count();
      ctx.response().putHeader("content-type", "application/json").end(Long.toString(n));
    }).onFailure(ctx::fail);
  }

  private void retrieve(RoutingContext ctx) {
    checkInclude(ctx);
    agents.get(Authenticator.user(ctx), ctx.pathParam("agent_id"))
        .compose(view -> states.of(Authenticator.user(ctx), view.agent()))
        .onSuccess(state -> Responses.json(ctx, 200, state))
        .onFailure(ctx::fail);
  }

  /** {@code folder_ids}, when given, are the agent's folders from now on (checked first, like on create). */
  private void update(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    List<String> folderIds = LettaRequests.folderIds(body);
    String userId = Authenticator.user(ctx);
    String agentId = ctx.pathParam("agent_id");
    states.namedTools(userId, body)
        .map(user -> requests.update(body, user))
        .compose(patch -> folders.check(userId, folderIds).map(patch))
        .compose(patch -> agents.update(userId, agentId, patch))
        .compose(view -> folders.set(userId, agentId, folderIds).map(view))
        .compose(view -> states.of(userId, view.agent()))
        .onSuccess(state -> Responses.json(ctx, 200, state))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    String agentId = ctx.pathParam("agent_id");
    agents.delete(Authenticator.user(ctx), agentId).onSuccess(d -> Responses.json(ctx, 200, new JsonObject()
            .put("message", "Agent id=" + PrefixedIds.prefixed(PrefixedIds.AGENT, agentId) + " successfully deleted")))
        .onFailure(ctx::fail);
  }

  private void context(RoutingContext ctx) {
    agents.context(Authenticator.user(ctx), ctx.pathParam("agent_id"))
        .onSuccess(c -> Responses.json(ctx, 200, views.context(c)))
        .onFailure(ctx::fail);
  }

  private void reset(RoutingContext ctx) {
    boolean initial = Bodies.optionalBoolean(Bodies.object(ctx, false), "add_default_initial_messages", false);
    agents.resetMessages(Authenticator.user(ctx), ctx.pathParam("agent_id"), initial)
        .compose(view -> states.of(Authenticator.user(ctx), view.agent()))
        .onSuccess(state -> Responses.json(ctx, 200, state))
        .onFailure(ctx::fail);
  }

  /** The list and count filters: exact name, tags (any, or all with match_all_tags), query_text in the name. */
  private record Filter(String name, List<String> tags, boolean allTags, String queryText) {
    static Filter parse(RoutingContext ctx) {
      List<String> tags = ctx.queryParams().getAll("tags").stream().filter(t -> !t.isBlank()).toList();
      String all = Paging.blankToNull(ctx.queryParams().get("match_all_tags"));
      if (all != null && !all.equals("true") && !all.equals("false")) {
        throw Bodies.invalid("query parameter match_all_tags must be true or false, got '" + all + "'");
      }
      String query = Paging.blankToNull(ctx.queryParams().get("query_text"));
      return new Filter(Paging.blankToNull(ctx.queryParams().get("name")), tags, "true".equals(all),
          query == null ? null : query.toLowerCase(Locale.ROOT));
    }

    boolean matches(Agent a) {
      if (name != null && !name.equals(a.name())) {
        return false;
      }
      if (queryText != null && !a.name().toLowerCase(Locale.ROOT).contains(queryText)) {
        return false;
      }
      if (!tags.isEmpty()) {
        return allTags ? a.tags().containsAll(tags) : tags.stream().anyMatch(a.tags()::contains);
      }
      return true;
    }
  }
}
