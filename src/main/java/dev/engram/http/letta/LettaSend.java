package dev.engram.http.letta;

import com.github.f4b6a3.uuid.UuidCreator;
import dev.engram.agent.AgentProtocol.Step;
import dev.engram.http.Bodies;
import dev.engram.model.RunRequest;
import dev.engram.model.ToolAnswer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A send as Letta's clients write it (letta-v1.md §6.1, and the 0.4 client's form of letta-memgpt.md §7): exactly one
 * of {@code messages} (MessageCreate: {@code role} user or system, {@code content} a string or text parts, or the 0.4
 * {@code text}) and {@code input} (a string or text parts, for one user message), with its options. Streaming is
 * chosen by the body ({@code streaming}, or the 0.4 {@code stream_steps}), never by Accept. The idempotency key is
 * the {@code Idempotency-Key} header, or else the {@code otid} of a send's only message.
 */
record LettaSend(Step step, boolean streaming, boolean includePings, LettaView view) {
  static final int MAX_STEPS = 1000;
  static final int MAX_KEY_CHARS = 256;

  /**
   * How the route takes the body: {@code streaming} read from it (off by default; on by default for a conversation's
   * send, as Letta's), forced on (/messages/stream), or async.
   */
  enum Mode { BODY, CONVERSATION, STREAM, ASYNC }

  static LettaSend parse(JsonObject body, Mode mode, String userId, String agentId, String keyHeader) {
    List<ToolAnswer> answers = answers(body);
    List<RunRequest.Input> inputs = inputs(body, !answers.isEmpty());
    boolean streaming = switch (mode) {
      case STREAM -> true;
      case ASYNC -> false;
      case BODY -> Bodies.optionalBoolean(body, "streaming", false)
          || Bodies.optionalBoolean(body, "stream_steps", false);
      case CONVERSATION -> Bodies.optionalBoolean(body, "streaming", true);
    };
    boolean tokens = Bodies.optionalBoolean(body, "stream_tokens", false);
    boolean pings = Bodies.optionalBoolean(body, "include_pings", true);
    boolean background = Bodies.optionalBoolean(body, "background", false);
    if ((mode == Mode.BODY || mode == Mode.CONVERSATION) && !streaming && (tokens || !pings || background)) {
      throw Bodies.invalid("Streaming options set without streaming enabled: stream_tokens, include_pings and"
          + " background only apply with \"streaming\": true");
    }
    int maxSteps = maxSteps(body);
    LettaView view = new LettaView(Bodies.optionalBoolean(body, "use_assistant_message", true),
        LettaView.types(list(body, "include_return_message_types")));
    Bodies.optionalString(body, "assistant_message_tool_name");
    Bodies.optionalString(body, "assistant_message_tool_kwarg");
    String key = idempotencyKey(keyHeader, body);
    RunRequest request = new RunRequest(inputs, maxSteps, streaming && tokens, background || mode == Mode.ASYNC,
        view.toJson(), null, answers, LettaAnswers.clientTools(body));
    Step step = new Step(UuidCreator.getTimeOrderedEpoch().toString(), userId, agentId, request, key,
        mode == Mode.ASYNC);
    return new LettaSend(step, streaming, pings, view);
  }

  /** The same send, to the thread named: the agent's own ({@code conversationId} null) or a conversation. */
  LettaSend to(String agentId, String conversationId) {
    Step s = step;
    return new LettaSend(new Step(s.runId(), s.userId(), agentId, s.request().inConversation(conversationId),
        s.idempotencyKey(), s.async()), streaming, includePings, view);
  }

  /** The answers to a paused tool call: the first message of {@code messages}, when it is one (LettaAnswers). */
  private static List<ToolAnswer> answers(JsonObject body) {
    if (body.getValue("messages") instanceof JsonArray messages && !messages.isEmpty()
        && messages.getValue(0) instanceof JsonObject first && LettaAnswers.isAnswer(first)) {
      return LettaAnswers.parse(first, "messages[0]");
    }
    return List.of();
  }

  /** The messages to the agent; after answers ({@code answered}) there may be none. */
  private static List<RunRequest.Input> inputs(JsonObject body, boolean answered) {
    boolean hasMessages = body.getValue("messages") != null;
    boolean hasInput = body.getValue("input") != null;
    if (hasMessages == hasInput) {
      throw Bodies.invalid("Send exactly one of messages and input");
    }
    if (hasInput) {
      return List.of(new RunRequest.Input("user", text(body.getValue("input"), "input")));
    }
    if (!(body.getValue("messages") instanceof JsonArray messages) || messages.isEmpty()) {
      throw Bodies.invalid("messages must be a non-empty array of messages");
    }
    List<RunRequest.Input> out = new ArrayList<>(messages.size());
    for (int i = answered ? 1 : 0; i < messages.size(); i++) {
      String where = "messages[" + i + "]";
      if (!(messages.getValue(i) instanceof JsonObject m)) {
        throw Bodies.invalid(where + " must be an object such as {\"role\": \"user\", \"content\": \"...\"}");
      }
      Object type = m.getValue("type");
      if (LettaAnswers.isAnswer(m)) {
        throw Bodies.invalid(where + " is an answer to a tool call: only the first message of a send may be one");
      }
      if (type != null && !"message".equals(type)) {
        throw Bodies.invalid(where + ".type must be \"message\", \"approval\" or \"tool_return\", got '" + type
            + "'");
      }
      String role = Bodies.optionalString(m, "role");
      role = role == null ? "user" : role;
      if (!role.equals("user") && !role.equals("system")) {
        throw Bodies.invalid(where + ".role must be \"user\" or \"system\", got \"" + role + "\"");
      }
      Object content = m.getValue("content") != null ? m.getValue("content") : m.getValue("text");
      if (content == null) {
        throw Bodies.invalid(where + ".content is required");
      }
      out.add(new RunRequest.Input(role, text(content, where + ".content")));
    }
    return out;
  }

  /** The text of {@code content}: a non-blank string, or text parts ({@code {"type": "text", "text": ...}}) joined. */
  private static String text(Object content, String where) {
    if (content instanceof String s) {
      if (s.isBlank()) {
        throw Bodies.invalid(where + " must not be empty");
      }
      return s;
    }
    if (!(content instanceof JsonArray parts) || parts.isEmpty()) {
      throw Bodies.invalid(where + " must be a string or a non-empty array of text parts");
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < parts.size(); i++) {
      if (!(parts.getValue(i) instanceof JsonObject part)) {
        throw Bodies.invalid(where + "[" + i + "] must be an object such as {\"type\": \"text\", \"text\": \"...\"}");
      }
      Object type = part.getValue("type");
      if (type != null && !"text".equals(type)) {
        throw Bodies.invalid(where + "[" + i + "].type '" + type + "' is not supported: only text parts are");
      }
      if (!(part.getValue("text") instanceof String t)) {
        throw Bodies.invalid(where + "[" + i + "].text must be a string");
      }
      text.append(text.isEmpty() ? "" : "\n").append(t);
    }
    if (text.toString().isBlank()) {
      throw Bodies.invalid(where + " must not be empty");
    }
    return text.toString();
  }

  private static int maxSteps(JsonObject body) {
    Object value = body.getValue("max_steps");
    if (value == null) {
      return 0; // the server's MAX_CHAINING_STEPS
    }
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 1
        || ((Number) value).longValue() > MAX_STEPS) {
      throw Bodies.invalid("max_steps must be a whole number between 1 and " + MAX_STEPS);
    }
    return ((Number) value).intValue();
  }

  private static List<?> list(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array)) {
      throw Bodies.invalid(field + " must be an array");
    }
    return array.getList();
  }

  /** The header's key, or the otid of the only message; each in its own namespace, so they cannot collide. */
  private static String idempotencyKey(String header, JsonObject body) {
    if (header != null) {
      if (header.isBlank() || header.length() > MAX_KEY_CHARS) {
        throw Bodies.invalid("Idempotency-Key must be 1 to " + MAX_KEY_CHARS + " characters");
      }
      return "key:" + header;
    }
    if (body.getValue("messages") instanceof JsonArray messages && messages.size() == 1
        && messages.getValue(0) instanceof JsonObject only) {
      String otid = Bodies.optionalString(only, "otid");
      if (otid != null && !otid.isBlank()) {
        return "otid:" + Bodies.bounded(otid, "messages[0].otid", MAX_KEY_CHARS);
      }
    }
    return null;
  }
}
