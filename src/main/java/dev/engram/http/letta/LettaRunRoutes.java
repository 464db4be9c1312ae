package dev.engram.http.letta;

import dev.engram.agent.AgentClient;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.RouteTable;
import dev.engram.kernel.ApiException;
import dev.engram.http.Responses;
import dev.engram.http.RunFollower;
import dev.engram.model.Run;
import dev.engram.model.StepEvent;
import dev.engram.store.RunClient;
import dev.engram.store.RunProtocol.ListRuns;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Runs on /v1 (letta-v1.md §9): a run, a user's runs (filters and paging), a run's messages, and its stream replayed
 * from any point and followed live while it runs: {@code POST /v1/runs/{run_id}/stream} with {@code starting_after}
 * (or the SSE {@code Last-Event-ID} header) gives exactly the events after that seq, once each, then its end, also
 * after the run ended and after a restart (its events are stored with its steps). Any run can be followed, not only
 * background ones as in Letta.
 */
public final class LettaRunRoutes {
  /** Letta's default page of runs and of a run's messages. */
  static final int LIMIT = 100;
  private static final Set<String> STATUSES = Set.of(Run.CREATED, Run.RUNNING, Run.COMPLETED, Run.FAILED,
      Run.CANCELLED);

  private final AgentClient agents;
  private final RunClient runs;

  public LettaRunRoutes(AgentClient agents, RunClient runs) {
    this.agents = agents;
    this.runs = runs;
  }

  public void mount(RouteTable router) {
    router.get("/v1/runs").handler(ctx -> list(ctx, false));
    router.get("/v1/runs/active").handler(ctx -> list(ctx, true));
    router.get("/v1/runs/:run_id").handler(this::get);
    router.get("/v1/runs/:run_id/messages").handler(this::messages);
    router.post("/v1/runs/:run_id/stream").handler(this::stream);
  }

  private void get(RoutingContext ctx) {
    runs.get(Authenticator.user(ctx), ctx.pathParam("run_id"))
        .onSuccess(run -> Responses.json(ctx, 200, LettaResponses.run(run)))
        .onFailure(ctx::fail);
  }

  /** The user's runs, newest first by default; {@code active} (or /v1/runs/active) keeps created and running ones. */
  private void list(RoutingContext ctx, boolean activeRoute) {
    boolean ascending = LettaMessageRoutes.booleanParam(ctx, "ascending", false);
    Paging paging = Paging.parse(ctx, LIMIT, ascending);
    List<String> statuses = new ArrayList<>(ctx.queryParams().getAll("statuses"));
    for (String s : statuses) {
      if (!STATUSES.contains(s)) {
        throw Bodies.invalid("statuses takes values among " + STATUSES + ", got '" + s + "'");
      }
    }
    if (activeRoute || LettaMessageRoutes.booleanParam(ctx, "active", false)) {
      statuses = statuses.isEmpty() ? List.of(Run.CREATED, Run.RUNNING)
          : statuses.stream().filter(s -> s.equals(Run.CREATED) || s.equals(Run.RUNNING)).toList();
      if (statuses.isEmpty()) {
        Responses.json(ctx, 200, new JsonArray());
        return;
      }
    }
    String agentId = Paging.blankToNull(ctx.queryParams().get("agent_id"));
    List<String> agentIds = ctx.queryParams().getAll("agent_ids");
    if (agentId == null && !agentIds.isEmpty()) {
      if (agentIds.size() > 1) {
        throw Bodies.invalid("agent_ids takes one agent id here; use agent_id");
      }
      agentId = agentIds.get(0);
    }
    String backgroundParam = Paging.blankToNull(ctx.queryParams().get("background"));
    Boolean background = backgroundParam == null ? null
        : LettaMessageRoutes.booleanParam(ctx, "background", false);
    String stopReason = Paging.blankToNull(ctx.queryParams().get("stop_reason"));
    boolean backwards = paging.before() != null && paging.after() == null;
    boolean fromLower = paging.ascending() != backwards;
    String conversationId = Paging.blankToNull(ctx.queryParams().get("conversation_id"));
    ListRuns query = new ListRuns(Authenticator.user(ctx), agentId, statuses.isEmpty() ? null : statuses,
        background, stopReason, paging.ascending() ? paging.after() : paging.before(),
        paging.ascending() ? paging.before() : paging.after(), fromLower, paging.limit(), conversationId, null);
    runs.list(query).onSuccess(found -> {
      List<Run> shown = new ArrayList<>(found);
      if (fromLower != paging.ascending()) {
        Collections.reverse(shown);
      }
      JsonArray out = new JsonArray();
      shown.forEach(r -> out.add(LettaResponses.run(r)));
      Responses.json(ctx, 200, out);
    }).onFailure(ctx::fail);
  }

  /** The messages the run produced, as its send showed them, paged by stored message (oldest first by default). */
  private void messages(RoutingContext ctx) {
    Paging paging = Paging.parse(ctx, LIMIT, true);
    runs.events(Authenticator.user(ctx), ctx.pathParam("run_id"), 0).onSuccess(stored -> {
      LettaView view = LettaView.fromJson(stored.run().request().view());
      List<JsonObject> messages = new ArrayList<>();
      for (StepEvent e : stored.events()) {
        JsonObject json = LettaMessages.event(e, stored.run().id(), view);
        if (json != null) {
          messages.add(json);
        }
      }
      JsonArray out = new JsonArray();
      GroupPaging.page(GroupPaging.byId(messages), paging).forEach(out::add);
      Responses.json(ctx, 200, out);
    }).onFailure(ctx::fail);
  }

  /**
   * Replays the run after {@code starting_after} (body) or else the {@code Last-Event-ID} header (default: from its
   * start) and follows it live; 404 for another user's run, before anything is streamed.
   */
  private void stream(RoutingContext ctx) {
    Replay replay = Replay.parse(ctx, Bodies.object(ctx, true));
    String user = Authenticator.user(ctx);
    runs.get(user, ctx.pathParam("run_id")).onSuccess(run -> replay.follow(ctx, agents, runs, run))
        .onFailure(ctx::fail);
  }

  /**
   * Where a replay starts ({@code starting_after} in the body, or else the {@code Last-Event-ID} header; default:
   * the run's start) and whether it carries pings; Letta's polling options are checked and ignored (events are pushed).
   */
  record Replay(int after, boolean pings) {
    static Replay parse(RoutingContext ctx, JsonObject body) {
      int after = seq(body.getValue("starting_after"), "starting_after");
      if (body.getValue("starting_after") == null) {
        String header = ctx.request().getHeader("Last-Event-ID");
        after = header == null || header.isBlank() ? 0 : seq(header.strip(), "Last-Event-ID");
      }
      boolean pings = Bodies.optionalBoolean(body, "include_pings", true);
      for (String number : new String[] {"poll_interval", "batch_size"}) {
        if (body.getValue(number) != null && !(body.getValue(number) instanceof Number)) {
          throw Bodies.invalid(number + " must be a number");
        }
      }
      return new Replay(after, pings);
    }

    /** Streams {@code run}'s events after the resume point, and follows it live until it ends. */
    void follow(RoutingContext ctx, AgentClient agents, RunClient runs, Run run) {
      LettaStream sink = new LettaStream(ctx, LettaView.fromJson(run.request().view()), pings, after);
      RunFollower follower = RunFollower.follow(ctx.vertx(), runs, run.userId(), run.id(), after, sink,
          agents.stepTimeoutMs());
      sink.onDrop(follower::detach);
      ctx.response().closeHandler(v -> {
        follower.detach();
        sink.cancelTimers();
      });
    }
  }

  /** A resume point from the body: a whole number from 0 (0 or absent: from the start). */
  private static int seq(Object value, String name) {
    if (value == null) {
      return 0;
    }
    if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= 0
        && ((Number) value).longValue() <= Integer.MAX_VALUE) {
      return ((Number) value).intValue();
    }
    throw badSeq(name, value);
  }

  /** A resume point from the {@code Last-Event-ID} header: the decimal seq of the last event seen. */
  private static int seq(String header, String name) {
    if (header.isEmpty() || header.length() > 10 || !header.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw badSeq(name, header);
    }
    long n = Long.parseLong(header);
    if (n > Integer.MAX_VALUE) {
      throw badSeq(name, header);
    }
    return (int) n;
  }

  private static ApiException badSeq(String name, Object value) {
    String shown = String.valueOf(value);
    return Bodies.invalid(name + " must be a whole number from 0 (the seq_id of the last event seen), got '"
        + (shown.length() > 40 ? shown.substring(0, 40) + "..." : shown) + "'");
  }

}
