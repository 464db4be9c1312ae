package dev.engram.http.letta;

import com.github.f4b6a3.uuid.UuidCreator;
import dev.engram.agent.AgentClient;
import dev.engram.agent.AgentProtocol.CreateConversation;
import dev.engram.agent.AgentProtocol.EditConversation;
import dev.engram.agent.AgentProtocol.ForkThread;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.PrefixedIds;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.kernel.Ids;
import dev.engram.model.Conversation;
import dev.engram.store.ConversationClient;
import dev.engram.store.ConversationProtocol.Archived;
import dev.engram.store.ConversationProtocol.ListConversations;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Conversations on /v1 (the SDK's {@code conversations}): independent threads on one agent, each with its own messages
 * and context window on the agent's shared blocks, tools and archival memory. Create (on {@code ?agent_id=}), list,
 * retrieve, update, delete, cancel a thread's runs, fork a thread into a new conversation, and recompile its system
 * prompt; the thread's messages are in {@link LettaConversationMessageRoutes}. Where Letta allows it, {@code default}
 * with an {@code agent_id} names the agent's own thread.
 */
public final class LettaConversationRoutes {
  /** Letta's default page of conversations. */
  static final int LIMIT = 50;
  private static final Set<String> ORDER_BY = Set.of("created_at", "last_message_at", "last_run_completion");

  private final AgentClient agents;
  private final ConversationClient conversations;
  private final ConversationTargets targets;
  private final LettaConversations requests;

  public LettaConversationRoutes(AgentClient agents, ConversationClient conversations, ConversationTargets targets,
      LettaModels models) {
    this.agents = agents;
    this.conversations = conversations;
    this.targets = targets;
    this.requests = new LettaConversations(models);
  }

  public void mount(RouteTable router) {
    router.post("/v1/conversations").handler(this::create);
    router.get("/v1/conversations").handler(this::list);
    router.get("/v1/conversations/:conversation_id").handler(this::get);
    router.patch("/v1/conversations/:conversation_id").handler(this::update);
    router.delete("/v1/conversations/:conversation_id").handler(this::delete);
    router.post("/v1/conversations/:conversation_id/cancel").handler(this::cancel);
    router.post("/v1/conversations/:conversation_id/fork").handler(this::fork);
    router.post("/v1/conversations/:conversation_id/recompile").handler(this::recompile);
  }

  private void create(RoutingContext ctx) {
    String agentId = Bodies.requiredParam(ctx, "agent_id");
    var spec = requests.create(Bodies.object(ctx, true));
    String id = UuidCreator.getTimeOrderedEpoch().toString();
    agents.createConversation(new CreateConversation(Authenticator.user(ctx), agentId, id, spec))
        .onSuccess(view -> Responses.json(ctx, 200, LettaConversations.view(view.conversation())))
        .onFailure(ctx::fail);
  }

  /**
   * The user's conversations (of one agent with {@code agent_id}; an unknown one has none), newest first by default,
   * by creation or by their last message ({@code last_run_completion} is the same here: a run's end is its last
   * message); hidden ones never, archived ones on request ({@code archive_status}).
   */
  private void list(RoutingContext ctx) {
    Paging paging = Paging.parse(ctx, LIMIT, false);
    String orderBy = Paging.blankToNull(ctx.queryParams().get("order_by"));
    if (orderBy != null && !ORDER_BY.contains(orderBy)) {
      throw Bodies.invalid("order_by takes one of " + ORDER_BY + ", got '" + orderBy + "'");
    }
    String status = Paging.blankToNull(ctx.queryParams().get("archive_status"));
    Archived archived;
    try {
      archived = status == null ? Archived.UNARCHIVED : Archived.valueOf(status.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Bodies.invalid("archive_status takes unarchived, archived or all, got '" + status + "'");
    }
    String agentId = Paging.blankToNull(ctx.queryParams().get("agent_id"));
    if (agentId != null) {
      Ids.require(agentId, "agent_id");
    }
    boolean backwards = paging.before() != null && paging.after() == null;
    boolean fromLower = paging.ascending() != backwards;
    ListConversations query = new ListConversations(Authenticator.user(ctx), agentId, archived,
        Paging.blankToNull(ctx.queryParams().get("summary_search")),
        orderBy != null && !orderBy.equals("created_at"), paging.ascending() ? paging.after() : paging.before(),
        paging.ascending() ? paging.before() : paging.after(), fromLower, paging.limit());
    conversations.list(query).onSuccess(found -> {
      List<Conversation> shown = new ArrayList<>(found);
      if (fromLower != paging.ascending()) {
        Collections.reverse(shown);
      }
      JsonArray out = new JsonArray();
      shown.forEach(c -> out.add(LettaConversations.view(c)));
      Responses.json(ctx, 200, out);
    }).onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    conversations.get(Authenticator.user(ctx), ctx.pathParam("conversation_id"))
        .onSuccess(c -> Responses.json(ctx, 200, LettaConversations.view(c)))
        .onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    var patch = requests.update(Bodies.object(ctx, false));
    String user = Authenticator.user(ctx);
    targets.conversation(user, ctx.pathParam("conversation_id"))
        .compose(t -> agents.updateConversation(new EditConversation(user, t.agentId(), t.conversationId(), patch)))
        .onSuccess(view -> Responses.json(ctx, 200, LettaConversations.view(view.conversation())))
        .onFailure(ctx::fail);
  }

  /** Deletes the conversation with its messages and runs (its runs in progress are cancelled first). */
  private void delete(RoutingContext ctx) {
    String user = Authenticator.user(ctx);
    String id = ctx.pathParam("conversation_id");
    targets.conversation(user, id)
        .compose(t -> agents.deleteConversation(user, t.agentId(), t.conversationId()))
        .onSuccess(d -> {
          targets.forget(id);
          Responses.json(ctx, 200, new JsonObject().put("message", "Conversation id="
              + PrefixedIds.prefixed(PrefixedIds.CONVERSATION, id) + " successfully deleted"));
        })
        .onFailure(ctx::fail);
  }

  /** Cancels the thread's queued and running runs; answers each with {@code cancelled} (none: an empty object). */
  private void cancel(RoutingContext ctx) {
    String user = Authenticator.user(ctx);
    targets.resolve(user, ctx.pathParam("conversation_id"), Paging.blankToNull(ctx.queryParams().get("agent_id")))
        .compose(t -> agents.cancel(user, t.agentId(), List.of(), t.conversationId()))
        .onSuccess(cancelled -> Responses.json(ctx, 200, LettaMessageRoutes.cancelled(cancelled)))
        .onFailure(ctx::fail);
  }

  /**
   * A new conversation of the same agent whose context is a copy of this thread's (up to and including
   * {@code message_id} when given), after a system message compiled from the agent's blocks as they now are.
   */
  private void fork(RoutingContext ctx) {
    String user = Authenticator.user(ctx);
    boolean hidden = LettaMessageRoutes.booleanParam(ctx, "hidden", false);
    String messageId = Paging.blankToNull(ctx.queryParams().get("message_id"));
    String upTo = messageId == null ? null : PrefixedIds.bare(messageId, PrefixedIds.MESSAGE);
    if (upTo != null && Ids.parse(upTo) == null) {
      throw Bodies.invalid("message_id must be a message id such as message-123e4567-e89b-42d3-a456-426614174000,"
          + " got '" + (messageId.length() > 60 ? messageId.substring(0, 60) + "..." : messageId) + "'");
    }
    String id = UuidCreator.getTimeOrderedEpoch().toString();
    targets.resolve(user, ctx.pathParam("conversation_id"), Paging.blankToNull(ctx.queryParams().get("agent_id")))
        .compose(t -> agents.fork(new ForkThread(user, t.agentId(), t.conversationId(), id, upTo, hidden)))
        .onSuccess(view -> Responses.json(ctx, 200, LettaConversations.view(view.conversation())))
        .onFailure(ctx::fail);
  }

  /**
   * Compiles the thread's system prompt anew from the agent's instructions and blocks and answers it (a JSON string);
   * {@code dry_run=true} writes nothing. The body's {@code compaction_settings} are checked and not used.
   */
  private void recompile(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, true);
    String agentId = LettaConversationMessageRoutes.agentId(body);
    LettaConversationMessageRoutes.compactionSettings(body);
    boolean dryRun = LettaMessageRoutes.booleanParam(ctx, "dry_run", false);
    String user = Authenticator.user(ctx);
    targets.resolve(user, ctx.pathParam("conversation_id"), agentId)
        .compose(t -> agents.recompile(user, t.agentId(), t.conversationId(), dryRun))
        .onSuccess(r -> Responses.jsonString(ctx, 200, r.system()))
        .onFailure(ctx::fail);
  }
}
