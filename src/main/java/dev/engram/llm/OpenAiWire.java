package dev.engram.llm;

import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.Map;
import java.util.TreeMap;

/** The OpenAI chat-completions wire format: request bodies, completion replies and streamed chunks. */
final class OpenAiWire {
  private static final int EXCERPT_CHARS = 300;

  private OpenAiWire() {}

  /**
   * The JSON body for {@code POST /chat/completions} as a tree; {@code defaultModel} is used when the request names
   * none. {@link RequestEncoder} writes the same body straight to bytes.
   */
  static JsonObject requestBody(LlmRequest request, String defaultModel, boolean stream) {
    String model = request.model() != null && !request.model().isBlank() ? request.model() : defaultModel;
    JsonArray messages = new JsonArray();
    request.messages().forEach(m -> messages.add(toWire(m)));
    JsonObject body = new JsonObject().put("model", model).put("messages", messages);
    if (!request.tools().isEmpty()) {
      JsonArray tools = new JsonArray();
      request.tools().forEach(schema -> tools.add(new JsonObject().put("type", "function").put("function", schema)));
      body.put("tools", tools).put("tool_choice", "auto");
    }
    if (request.user() != null) {
      body.put("user", request.user());
    }
    if (request.options() != null) {
      request.options().forEach(e -> body.put(e.getKey(), e.getValue()));
    }
    if (stream) {
      body.put("stream", true).put("stream_options", new JsonObject().put("include_usage", true));
    }
    return body;
  }

  /** One domain message in the OpenAI format. */
  static JsonObject toWire(Message message) {
    JsonObject wire = new JsonObject().put("role", message.role());
    switch (message.role()) {
      case Message.ASSISTANT -> {
        wire.put("content", message.text());
        if (!message.toolCalls().isEmpty()) {
          JsonArray calls = new JsonArray();
          message.toolCalls().forEach(call -> calls.add(toWire(call)));
          wire.put("tool_calls", calls);
        }
      }
      case Message.TOOL -> wire.put("tool_call_id", message.toolCallId()).put("content", nullToEmpty(message.text()));
      case Message.USER -> {
        wire.put("content", nullToEmpty(message.text()));
        if (message.name() != null) {
          wire.put("name", message.name());
        }
      }
      default -> wire.put("content", nullToEmpty(message.text()));
    }
    return wire;
  }

  private static JsonObject toWire(ToolCall call) {
    return new JsonObject()
        .put("id", call.id())
        .put("type", "function")
        .put("function", new JsonObject().put("name", call.name()).put("arguments", call.arguments()));
  }

  /** Parses a non-streamed {@code chat.completion} body. */
  static LlmReply parseCompletion(String body) {
    JsonObject json = parseJson(body);
    throwIfError(json);
    JsonArray choices = array(json, "choices");
    if (choices.isEmpty() || !(choices.getValue(0) instanceof JsonObject choice)) {
      throw upstream("completion without choices: " + excerpt(body));
    }
    JsonObject message = object(choice, "message");
    List<ToolCall> calls = new ArrayList<>();
    JsonArray wireCalls = array(message, "tool_calls");
    for (int i = 0; i < wireCalls.size(); i++) {
      JsonObject call = wireCalls.getJsonObject(i);
      JsonObject function = object(call, "function");
      calls.add(new ToolCall(call.getString("id"), function.getString("name"), arguments(function.getValue("arguments"))));
    }
    return new LlmReply(emptyToNull(message.getString("content")), calls, choice.getString("finish_reason"),
        usage(json.getValue("usage") instanceof JsonObject u ? u : null));
  }

  /** Parses a whole server-sent-events body of {@code chat.completion.chunk}s (or a plain completion body). */
  static LlmReply parseStream(String body) {
    if (body.stripLeading().startsWith("{")) {
      return parseCompletion(body);
    }
    StreamAssembler assembler = new StreamAssembler();
    for (String line : body.split("\n")) {
      if (!assembler.acceptLine(line)) {
        break;
      }
    }
    return assembler.finish();
  }

  /** Whether an HTTP 400 body says the prompt did not fit the context window. */
  static boolean isContextOverflow(String body) {
    String lower = body == null ? "" : body.toLowerCase();
    return lower.contains("context_length_exceeded") || lower.contains("maximum context length");
  }

  /** The first characters of a body, on one line, for error messages. */
  static String excerpt(String body) {
    if (body == null || body.isBlank()) {
      return "(empty body)";
    }
    String flat = body.strip().replaceAll("\\s+", " ");
    return flat.length() <= EXCERPT_CHARS ? flat : flat.substring(0, EXCERPT_CHARS) + "...";
  }

  /** Assembles streamed chunks into one reply: content deltas, tool-call deltas by index, finish reason, usage. */
  static final class StreamAssembler {
    private final Consumer<LlmDelta> onDelta;
    private final StringBuilder content = new StringBuilder();
    private final Map<Integer, CallBuilder> calls = new TreeMap<>();
    private String finishReason;
    private LlmReply.Usage usage = LlmReply.Usage.NONE;
    private boolean sawChoice;
    private int lastIndex;

    StreamAssembler() {
      this(null);
    }

    /** An assembler that also hands each fragment to {@code onDelta} (null: none) as it is taken. */
    StreamAssembler(Consumer<LlmDelta> onDelta) {
      this.onDelta = onDelta;
    }

    /** Takes one SSE line; returns false once {@code data: [DONE]} has been seen. */
    boolean acceptLine(String rawLine) {
      String line = rawLine.strip();
      if (!line.startsWith("data:")) {
        return true;
      }
      String data = line.substring("data:".length()).strip();
      if (data.equals("[DONE]")) {
        return false;
      }
      if (!data.isEmpty()) {
        accept(parseJson(data));
      }
      return true;
    }

    /** Takes one {@code chat.completion.chunk}. */
    void accept(JsonObject chunk) {
      throwIfError(chunk);
      if (chunk.getValue("usage") instanceof JsonObject wireUsage) {
        usage = usage(wireUsage);
      }
      JsonArray choices = array(chunk, "choices");
      if (choices.isEmpty() || !(choices.getValue(0) instanceof JsonObject choice)) {
        return;
      }
      sawChoice = true;
      if (choice.getString("finish_reason") != null) {
        finishReason = choice.getString("finish_reason");
      }
      JsonObject delta = object(choice, "delta");
      String text = delta.getString("content");
      if (text != null) {
        content.append(text);
        if (onDelta != null && !text.isEmpty()) {
          onDelta.accept(LlmDelta.content(text));
        }
      }
      JsonArray deltaCalls = array(delta, "tool_calls");
      for (int i = 0; i < deltaCalls.size(); i++) {
        acceptCall(deltaCalls.getJsonObject(i));
      }
    }

    private void acceptCall(JsonObject delta) {
      int fallbackIndex = delta.getString("id") != null && calls.containsKey(lastIndex) ? calls.size() : lastIndex;
      lastIndex = delta.getValue("index") instanceof Number n ? n.intValue() : fallbackIndex;
      CallBuilder call = calls.computeIfAbsent(lastIndex, i -> new CallBuilder());
      if (delta.getString("id") != null) {
        call.id = delta.getString("id");
      }
      JsonObject function = object(delta, "function");
      if (function.getString("name") != null) {
        call.name = function.getString("name");
      }
      String fragment = function.getValue("arguments") == null ? null : arguments(function.getValue("arguments"));
      if (fragment != null) {
        call.arguments.append(fragment);
      }
      if (onDelta != null) {
        onDelta.accept(LlmDelta.call(lastIndex, delta.getString("id"), function.getString("name"), fragment));
      }
    }

    /** The assembled reply; fails when the stream held no choice at all. */
    LlmReply finish() {
      if (!sawChoice) {
        throw upstream("stream without choices");
      }
      List<ToolCall> toolCalls = calls.values().stream()
          .map(c -> new ToolCall(c.id, c.name, c.arguments.toString()))
          .toList();
      return new LlmReply(emptyToNull(content.toString()), toolCalls, finishReason, usage);
    }

    private static final class CallBuilder {
      private String id;
      private String name;
      private final StringBuilder arguments = new StringBuilder();
    }
  }

  private static JsonObject parseJson(String text) {
    try {
      return new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw upstream("unparseable answer: " + excerpt(text));
    }
  }

  private static void throwIfError(JsonObject json) {
    if (json.getValue("error") != null) {
      throw upstream("error in answer: " + excerpt(json.encode()));
    }
  }

  private static LlmReply.Usage usage(JsonObject usage) {
    if (usage == null) {
      return LlmReply.Usage.NONE;
    }
    int prompt = number(usage, "prompt_tokens");
    int completion = number(usage, "completion_tokens");
    int total = usage.getValue("total_tokens") instanceof Number n ? n.intValue() : prompt + completion;
    return new LlmReply.Usage(prompt, completion, total);
  }

  private static JsonArray array(JsonObject json, String key) {
    return json.getValue(key) instanceof JsonArray array ? array : new JsonArray();
  }

  private static JsonObject object(JsonObject json, String key) {
    return json.getValue(key) instanceof JsonObject object ? object : new JsonObject();
  }

  private static int number(JsonObject json, String key) {
    return json.getValue(key) instanceof Number n ? n.intValue() : 0;
  }

  private static String arguments(Object raw) {
    if (raw == null) {
      return "";
    }
    return raw instanceof JsonObject object ? object.encode() : raw.toString();
  }

  private static String nullToEmpty(String text) {
    return text == null ? "" : text;
  }

  private static String emptyToNull(String text) {
    return text == null || text.isEmpty() ? null : text;
  }

  private static LlmException upstream(String message) {
    return new LlmException(LlmException.Kind.UPSTREAM, message);
  }
}
