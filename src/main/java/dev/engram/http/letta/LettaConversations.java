package dev.engram.http.letta;

import dev.engram.agent.AgentProtocol.NewConversation;
import dev.engram.http.Bodies;
import dev.engram.http.DateParams;
import dev.engram.http.PrefixedIds;
import dev.engram.kernel.Times;
import dev.engram.model.Conversation;
import dev.engram.store.ConversationProtocol.ConversationPatch;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Letta's {@code Conversation} (the SDK's {@code conversations} resource) and the bodies that create and update one:
 * {@code summary} and {@code description} (free text), {@code model} (a handle, {@code openai/<model>}) and
 * {@code context_window_limit} overriding the agent's for this thread, {@code hidden} (left out of listings), and on
 * update {@code archived} and {@code last_message_at}. {@code model_settings} must be an object if given and is not
 * applied (as for agents: the server sends the model no sampling settings).
 */
final class LettaConversations {
  private final LettaModels models;

  LettaConversations(LettaModels models) {
    this.models = models;
  }

  static JsonObject view(Conversation c) {
    JsonArray context = new JsonArray();
    c.inContextIds().forEach(id -> context.add(PrefixedIds.prefixed(PrefixedIds.MESSAGE, id)));
    String user = PrefixedIds.prefixed(PrefixedIds.USER, c.userId());
    return new JsonObject().put("id", PrefixedIds.prefixed(PrefixedIds.CONVERSATION, c.id()))
        .put("agent_id", PrefixedIds.prefixed(PrefixedIds.AGENT, c.agentId())).put("summary", c.summary())
        .put("description", c.description()).put("archived", c.archived())
        .put("archived_at", Times.iso(c.archivedAt()))
        .put("model", c.model() == null ? null : LettaModels.llmHandle(c.model())).putNull("model_settings")
        .put("context_window_limit", c.contextWindow()).put("in_context_message_ids", context)
        .put("created_at", Times.iso(c.createdAt())).put("updated_at", Times.iso(c.updatedAt()))
        .put("last_message_at", Times.iso(c.lastMessageAt())).put("created_by_id", user)
        .put("last_updated_by_id", user);
  }

  NewConversation create(JsonObject body) {
    return new NewConversation(Bodies.optionalString(body, "summary"), Bodies.optionalString(body, "description"),
        model(body), contextWindow(body), Bodies.optionalBoolean(body, "hidden", false));
  }

  ConversationPatch update(JsonObject body) {
    Object archived = body.getValue("archived");
    if (archived != null && !(archived instanceof Boolean)) {
      throw Bodies.invalid("archived must be true or false");
    }
    return new ConversationPatch(Bodies.optionalString(body, "summary"), Bodies.optionalString(body, "description"),
        model(body), contextWindow(body), (Boolean) archived,
        DateParams.start(Bodies.optionalString(body, "last_message_at"), "last_message_at"));
  }

  private String model(JsonObject body) {
    Bodies.optionalObject(body, "model_settings");
    String handle = Bodies.optionalString(body, "model");
    return handle == null ? null : models.modelOf(handle);
  }

  private static Integer contextWindow(JsonObject body) {
    return Bodies.optionalInteger(body, "context_window_limit", 1, Integer.MAX_VALUE);
  }
}
