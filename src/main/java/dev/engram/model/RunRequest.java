package dev.engram.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A send as it is stored with its run, so that a run queued before a restart can run after it and a replay can be
 * rendered as the client asked: the messages to the agent ({@code role} user or system), the step budget (0: the
 * server's MAX_CHAINING_STEPS), whether the model's tokens are relayed as they come, whether it is a background run,
 * {@code view}, the rendering options of the API that took the send (opaque to the agent and the store), and the
 * thread it goes to: {@code conversationId}, or null for the agent's own thread (stored in the run's own column, not
 * in {@link #toJson}). {@code answers} resolve the thread's paused tool call (an approval, a denial, a client-side
 * tool's result: then {@code inputs} are what follows them, often none); {@code clientTools} are offered to the model
 * for this send only.
 */
public record RunRequest(List<Input> inputs, int maxSteps, boolean streamTokens, boolean background,
    JsonObject view, String conversationId, List<ToolAnswer> answers, List<ClientTool> clientTools) {
  public record Input(String role, String text) {}

  public RunRequest {
    inputs = List.copyOf(inputs);
    view = view == null ? new JsonObject() : view;
    answers = answers == null ? List.of() : List.copyOf(answers);
    clientTools = clientTools == null ? List.of() : List.copyOf(clientTools);
  }

  public RunRequest(List<Input> inputs, int maxSteps, boolean streamTokens, boolean background, JsonObject view,
      String conversationId) {
    this(inputs, maxSteps, streamTokens, background, view, conversationId, null, null);
  }

  /** A send to the agent's own thread. */
  public RunRequest(List<Input> inputs, int maxSteps, boolean streamTokens, boolean background, JsonObject view) {
    this(inputs, maxSteps, streamTokens, background, view, null);
  }

  /** The same send, to conversation {@code id} (null: the agent's own thread). */
  public RunRequest inConversation(String id) {
    return new RunRequest(inputs, maxSteps, streamTokens, background, view, id, answers, clientTools);
  }

  /** One message, default options: the /api form. */
  public static RunRequest of(String role, String text) {
    return new RunRequest(List.of(new Input(role, text)), 0, false, false, null);
  }

  public JsonObject toJson() {
    JsonArray messages = new JsonArray();
    for (Input in : inputs) {
      messages.add(new JsonObject().put("role", in.role()).put("text", in.text()));
    }
    JsonObject json = new JsonObject().put("inputs", messages).put("max_steps", maxSteps)
        .put("stream_tokens", streamTokens).put("background", background).put("view", view);
    if (!answers.isEmpty()) {
      JsonArray out = new JsonArray();
      answers.forEach(a -> out.add(a.toJson()));
      json.put("answers", out);
    }
    if (!clientTools.isEmpty()) {
      JsonArray out = new JsonArray();
      clientTools.forEach(t -> out.add(t.toJson()));
      json.put("client_tools", out);
    }
    return json;
  }

  public static RunRequest fromJson(JsonObject json) {
    List<Input> inputs = new ArrayList<>();
    for (Object o : json.getJsonArray("inputs", new JsonArray())) {
      JsonObject in = (JsonObject) o;
      inputs.add(new Input(in.getString("role"), in.getString("text")));
    }
    List<ToolAnswer> answers = new ArrayList<>();
    for (Object o : json.getJsonArray("answers", new JsonArray())) {
      answers.add(ToolAnswer.fromJson((JsonObject) o));
    }
    List<ClientTool> clientTools = new ArrayList<>();
    for (Object o : json.getJsonArray("client_tools", new JsonArray())) {
      clientTools.add(ClientTool.fromJson((JsonObject) o));
    }
    return new RunRequest(inputs, json.getInteger("max_steps", 0), json.getBoolean("stream_tokens", false),
        json.getBoolean("background", false), json.getJsonObject("view"), null, answers, clientTools);
  }
}
