package dev.engram.http.letta;

import dev.engram.agent.AgentClient;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.PrefixedIds;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.http.letta.ConversationTargets.Target;
import dev.engram.http.letta.LettaRunRoutes.Replay;
import dev.engram.http.letta.LettaSend.Mode;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.model.Run;
import dev.engram.store.RunClient;
import dev.engram.store.RunProtocol.ListRuns;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A conversation's messages on /v1: send (streamed by default, as Letta's; {@code "streaming": false} answers one
 * LettaResponse), history (paged as an agent's), compact (summarise its older messages now), and stream (follow the
 * thread's run in progress, or replay its latest, from any point). Sends to one conversation run one after another in
 * arrival order, sends to different conversations of one agent concurrently.
 */
public final class LettaConversationMessageRoutes {
  private static final Set<String> COMPACTION_MODES = Set.of("all", "sliding_window", "self_compact_all",
      "self_compact_sliding_window");

  private final AgentClient agents;
  private final RunClient runs;
  private final LettaMessageRoutes messages;
  private final ConversationTargets targets;

  public LettaConversationMessageRoutes(AgentClient agents, RunClient runs, LettaMessageRoutes messages,
      ConversationTargets targets) {
    this.agents = agents;
    this.runs = runs;
    this.messages = messages;
    this.targets = targets;
  }

  public void mount(RouteTable router) {
    router.post("/v1/conversations/:conversation_id/messages").handler(this::send);
    router.get("/v1/conversations/:conversation_id/messages").handler(this::history);
    router.post("/v1/conversations/:conversation_id/compact").handler(this::compact);
    router.post("/v1/conversations/:conversation_id/stream").handler(this::stream);
  }

  /** The body's {@code agent_id} (of the agent whose own thread {@code default} names), bare; null when absent. */
  static String agentId(JsonObject body) {
    String id = Bodies.optionalString(body, "agent_id");
    return id == null || id.isBlank() ? null : PrefixedIds.bare(id, PrefixedIds.AGENT);
  }

  /**
   * Letta's {@code compaction_settings}, checked (an object, and a known {@code mode}) and not used: the thread is
   * summarised by the server's own rule, as when its context is full.
   */
  static void compactionSettings(JsonObject body) {
    JsonObject settings = Bodies.optionalObject(body, "compaction_settings");
    if (settings != null) {
      String mode = Bodies.optionalString(settings, "mode");
      if (mode != null && !COMPACTION_MODES.contains(mode)) {
        throw Bodies.invalid("compaction_settings.mode takes one of " + COMPACTION_MODES);
      }
    }
  }

  private void send(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    String agentId = agentId(body);
    String user = Authenticator.user(ctx);
    LettaSend send = LettaSend.parse(body, Mode.CONVERSATION, user, null, ctx.request().getHeader("Idempotency-Key"));
    targets.resolve(user, ctx.pathParam("conversation_id"), agentId)
        .onSuccess(t -> messages.relay(ctx, send.to(t.agentId(), t.conversationId())))
        .onFailure(ctx::fail);
  }

  private void history(RoutingContext ctx) {
    targets.resolve(Authenticator.user(ctx), ctx.pathParam("conversation_id"),
            Paging.blankToNull(ctx.queryParams().get("agent_id")))
        .onSuccess(t -> {
          try {
            messages.history(ctx, t.agentId(), t.conversationId());
          } catch (RuntimeException e) {
            ctx.fail(e); // a bad query parameter, found once the thread is known
          }
        })
        .onFailure(ctx::fail);
  }

  /** Summarises the thread's older messages now: {@code {summary, num_messages_before, num_messages_after}}. */
  private void compact(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, true);
    String agentId = agentId(body);
    compactionSettings(body);
    String user = Authenticator.user(ctx);
    targets.resolve(user, ctx.pathParam("conversation_id"), agentId)
        .compose(t -> agents.compact(user, t.agentId(), t.conversationId()))
        .onSuccess(c -> Responses.json(ctx, 200, new JsonObject().put("summary", c.summary())
            .put("num_messages_before", c.messagesBefore()).put("num_messages_after", c.messagesAfter())))
        .onFailure(ctx::fail);
  }

  /**
   * Follows a run of the thread from any point ({@code starting_after} or {@code Last-Event-ID}): {@code run_id} when
   * given, or the run a send with {@code otid} started, or else the thread's run in progress (the latest one), or,
   * when none is, its last run (replayed). Any run can be followed, not only background ones as in Letta.
   */
  private void stream(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, true);
    String agentId = agentId(body);
    Replay replay = Replay.parse(ctx, body);
    String runId = Bodies.optionalString(body, "run_id");
    String otid = Bodies.bounded(Bodies.optionalString(body, "otid"), "otid", LettaSend.MAX_KEY_CHARS);
    String bareRun = runId == null ? null : PrefixedIds.bare(runId, PrefixedIds.RUN);
    if (bareRun != null && Ids.parse(bareRun) == null) {
      throw Bodies.invalid("run_id must be a run id such as run-123e4567-e89b-42d3-a456-426614174000");
    }
    String user = Authenticator.user(ctx);
    targets.resolve(user, ctx.pathParam("conversation_id"), agentId)
        .compose(t -> bareRun != null ? runs.get(user, bareRun).compose(run -> inThread(run, t))
            : otid != null ? latest(user, t, null, "otid:" + otid)
            : latest(user, t, List.of(Run.CREATED, Run.RUNNING), null)
                .recover(none -> latest(user, t, null, null)))
        .onSuccess(run -> replay.follow(ctx, agents, runs, run))
        .onFailure(ctx::fail);
  }

  private static Future<Run> inThread(Run run, Target t) {
    return run.agentId().equals(t.agentId())
        && (t.conversationId() == null || Objects.equals(t.conversationId(), run.conversationId()))
        ? Future.succeededFuture(run)
        : Future.failedFuture(ApiException.notFound("Run run_id=" + run.id() + " is not a run of this thread"));
  }

  /** The thread's latest run with one of {@code statuses} (any when null) and that key (any when null). */
  private Future<Run> latest(String user, Target t, List<String> statuses, String key) {
    return runs.list(new ListRuns(user, t.agentId(), statuses, null, null, null, null, false, 1, t.conversationId(),
        key)).compose(found -> found.isEmpty()
        ? Future.failedFuture(ApiException.notFound("No run to stream in this thread"
            + (key != null ? " for that otid" : statuses != null ? " is in progress" : "")))
        : Future.succeededFuture(found.get(0)));
  }
}
