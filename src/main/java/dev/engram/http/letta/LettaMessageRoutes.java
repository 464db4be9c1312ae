package dev.engram.http.letta;

import dev.engram.agent.AgentClient;
import dev.engram.agent.AgentProtocol.Cancelled;
import dev.engram.agent.AgentProtocol.EditMessage;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.PrefixedIds;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.http.RunRelay;
import dev.engram.http.letta.LettaSend.Mode;
import dev.engram.kernel.Ids;
import dev.engram.kernel.Times;
import dev.engram.model.Agent;
import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import dev.engram.store.StoreClient;
import dev.engram.store.StoreProtocol.HistoryPage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * An agent's messages on /v1 (letta-v1.md §6): sending (blocking, streamed, async), cancelling its runs, and its
 * history. Every send is a run (see {@code LettaRunRoutes} for following one again).
 */
public final class LettaMessageRoutes {
  /** Letta's default page of history. */
  static final int HISTORY_LIMIT = 100;

  private final AgentClient agents;
  private final StoreClient store;

  public LettaMessageRoutes(AgentClient agents, StoreClient store) {
    this.agents = agents;
    this.store = store;
  }

  public void mount(RouteTable router) {
    router.post("/v1/agents/:agent_id/messages").handler(ctx -> send(ctx, Mode.BODY));
    router.post("/v1/agents/:agent_id/messages/stream").handler(ctx -> send(ctx, Mode.STREAM));
    router.post("/v1/agents/:agent_id/messages/async").handler(this::sendAsync);
    router.post("/v1/agents/:agent_id/messages/cancel").handler(this::cancel);
    router.get("/v1/agents/:agent_id/messages").handler(this::history);
    router.patch("/v1/agents/:agent_id/messages/:message_id").handler(this::edit);
  }

  private void send(RoutingContext ctx, Mode mode) {
    relay(ctx, LettaSend.parse(Bodies.object(ctx, false), mode, Authenticator.user(ctx), ctx.pathParam("agent_id"),
        ctx.request().getHeader("Idempotency-Key")));
  }

  /** Runs a send and answers it: one LettaResponse, or the run as Letta's SSE while it runs. */
  void relay(RoutingContext ctx, LettaSend send) {
    if (!send.streaming()) {
      RunRelay.start(ctx.vertx(), agents, send.step(), new LettaCollected(ctx, send.view()));
      return;
    }
    LettaStream sink = new LettaStream(ctx, send.view(), send.includePings(), 0);
    RunRelay relay = RunRelay.start(ctx.vertx(), agents, send.step(), sink);
    sink.onDrop(relay::detach);
    ctx.response().closeHandler(v -> {
      relay.detach();
      sink.cancelTimers();
    });
  }

  /** Answers the run as soon as it is stored (status created); the agent runs it in its turn. */
  private void sendAsync(RoutingContext ctx) {
    LettaSend send = LettaSend.parse(Bodies.object(ctx, false), Mode.ASYNC, Authenticator.user(ctx),
        ctx.pathParam("agent_id"), ctx.request().getHeader("Idempotency-Key"));
    agents.step(send.step())
        .onSuccess(accepted -> Responses.json(ctx, 200, LettaResponses.run(accepted.run())))
        .onFailure(ctx::fail);
  }

  /** {@code {"run_ids": [...]}} (optional): answers each run id with {@code cancelled} or why it was not. */
  private void cancel(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, true);
    List<String> ids = new ArrayList<>();
    Object given = body.getValue("run_ids");
    if (given != null) {
      if (!(given instanceof JsonArray array)) {
        throw Bodies.invalid("run_ids must be an array of run ids");
      }
      for (Object id : array) {
        if (!(id instanceof String s) || Ids.parse(PrefixedIds.bare(s, PrefixedIds.RUN)) == null) {
          throw Bodies.invalid("run_ids must hold run ids such as run-123e4567-e89b-42d3-a456-426614174000, got '"
              + id + "'");
        }
        ids.add(PrefixedIds.bare(s, PrefixedIds.RUN));
      }
    }
    agents.cancel(Authenticator.user(ctx), ctx.pathParam("agent_id"), ids, null)
        .onSuccess(cancelled -> Responses.json(ctx, 200, cancelled(cancelled)))
        .onFailure(ctx::fail);
  }

  /** Letta's answer to a cancel: each run id with {@code cancelled} or why it was not. */
  static JsonObject cancelled(Cancelled cancelled) {
    JsonObject out = new JsonObject();
    for (Map.Entry<String, String> e : cancelled.results().entrySet()) {
      out.put(PrefixedIds.prefixed(PrefixedIds.RUN, e.getKey()), e.getValue());
    }
    return out;
  }

  /** The agent's history: its own thread's, or with {@code conversation_id} one of its conversations'. */
  private void history(RoutingContext ctx) {
    history(ctx, ctx.pathParam("agent_id"), Paging.blankToNull(ctx.queryParams().get("conversation_id")));
  }

  /**
   * A thread's history (the agent's own, or conversation {@code conversationId}'s), paged by stored message
   * (letta-v1.md §1.7, §6.6): newest first by default, {@code after} the next in the order asked. One stored message
   * may show as several messages sharing its id, or as none (by default the return of send_message; or all of its
   * parts filtered out): stored messages are read until the page holds {@code limit} messages or the history ends, so
   * that only the last page is empty. {@code msg_object=true} (the MemGPT 0.4 client) answers the stored messages
   * themselves.
   */
  void history(RoutingContext ctx, String agentId, String conversationId) {
    Paging paging = Paging.parse(ctx, HISTORY_LIMIT, false);
    List<String> types = ctx.queryParams().getAll("include_return_message_types").stream()
        .filter(t -> !t.isBlank()).toList();
    LettaView view = new LettaView(booleanParam(ctx, "use_assistant_message", true),
        types.isEmpty() ? null : LettaView.types(types));
    boolean objects = booleanParam(ctx, "msg_object", false);
    booleanParam(ctx, "include_err", false);
    // "after" is the next in the order asked: in ascending order later messages, in descending order earlier ones
    String lower = paging.ascending() ? paging.after() : paging.before();
    String upper = paging.ascending() ? paging.before() : paging.after();
    boolean backwards = paging.before() != null && paging.after() == null;
    boolean fromLower = paging.ascending() != backwards;
    List<List<JsonObject>> groups = new ArrayList<>();
    fill(new HistoryPage(Authenticator.user(ctx), agentId, conversationId, lower, upper, fromLower,
        paging.limit()), (m, speaksInText) -> objects ? List.of(messageObject(m))
        : LettaMessages.history(m, view, speaksInText), groups, 0)
        .onSuccess(v -> {
          // the store reads up from the lower bound or down from the upper one; show them in the order asked
          if (fromLower != paging.ascending()) {
            Collections.reverse(groups);
          }
          JsonArray out = new JsonArray();
          groups.forEach(g -> g.forEach(out::add));
          Responses.json(ctx, 200, out);
        }).onFailure(ctx::fail);
  }

  /**
   * Reads pages of stored messages until {@code groups} holds {@code page.limit()} messages or none are left;
   * {@code render} is told whether the agent speaks in plain text.
   */
  private Future<Void> fill(HistoryPage page, BiFunction<Message, Boolean, List<JsonObject>> render,
      List<List<JsonObject>> groups, int items) {
    return store.history(page).compose(found -> {
      int count = items;
      boolean speaksInText = Agent.speaksInText(found.agentTools());
      List<Message> rows = found.messages();
      for (Message m : rows) {
        List<JsonObject> parts = render.apply(m, speaksInText);
        if (!parts.isEmpty()) {
          groups.add(parts);
          count += parts.size();
        }
        if (count >= page.limit()) {
          return Future.succeededFuture();
        }
      }
      if (rows.size() < page.limit()) {
        return Future.succeededFuture();
      }
      String last = rows.get(rows.size() - 1).id();
      HistoryPage next = page.fromLower()
          ? new HistoryPage(page.userId(), page.agentId(), page.conversationId(), last, page.upper(), true,
              page.limit())
          : new HistoryPage(page.userId(), page.agentId(), page.conversationId(), page.lower(), last, false,
              page.limit());
      return fill(next, render, groups, count);
    });
  }

  /**
   * The MemGPT 0.4 client's update_message (letta-memgpt.md §6.2, §7): a stored message's text or name changes, in
   * recall and, when the message is in the context window, in what the model is shown next. Answers the message as
   * the 0.4 client reads it. (Letta 1.x's SDK has no such route.)
   */
  private void edit(RoutingContext ctx) {
    String messageId = ctx.pathParam("message_id");
    var patch = LettaRequests.messagePatch(Bodies.object(ctx, false), messageId);
    agents.editMessage(new EditMessage(Authenticator.user(ctx), ctx.pathParam("agent_id"), messageId, patch))
        .onSuccess(edited -> Responses.json(ctx, 200, messageObject(edited.message())))
        .onFailure(ctx::fail);
  }

  /** A stored message as the MemGPT 0.4 client's {@code Message} ({@code msg_object=true}). */
  static JsonObject messageObject(Message m) {
    JsonArray calls = null;
    if (!m.toolCalls().isEmpty()) {
      calls = new JsonArray();
      for (ToolCall c : m.toolCalls()) {
        calls.add(new JsonObject().put("id", c.id()).put("type", "function")
            .put("function", new JsonObject().put("name", c.name()).put("arguments", c.arguments())));
      }
    }
    return new JsonObject().put("id", PrefixedIds.prefixed(PrefixedIds.MESSAGE, m.id())).put("role", m.role())
        .put("text", m.text()).put("user_id", PrefixedIds.prefixed(PrefixedIds.USER, m.userId()))
        .put("agent_id", PrefixedIds.prefixed(PrefixedIds.AGENT, m.agentId())).put("model", m.model())
        .put("name", m.name()).put("created_at", Times.iso(m.createdAt())).put("tool_calls", calls)
        .put("tool_call_id", m.toolCallId());
  }

  static boolean booleanParam(RoutingContext ctx, String name, boolean fallback) {
    return Bodies.boolParam(ctx, name, fallback);
  }
}
