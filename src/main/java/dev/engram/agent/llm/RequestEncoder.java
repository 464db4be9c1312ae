package dev.engram.agent.llm;

import dev.engram.model.Message;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes chat-completions request bodies, reusing the bytes of the previous body of the same conversation (keyed by
 * its first message, the agent's system message): between steps a context only grows at its end, so only the new
 * messages are encoded and the rest is one copy. Bodies of up to {@link #MAX_CACHED_BYTES} are kept, least recently
 * used dropped first. Confined to one event loop.
 */
final class RequestEncoder {
  static final long MAX_CACHED_BYTES = 32L << 20;
  private static final int SPARE_BYTES = 8192;

  private final Map<String, Previous> previous = new LinkedHashMap<>(64, 0.75f, true);
  private long cachedBytes;
  private List<JsonObject> lastTools;
  private Buffer lastToolsJson;

  /** A body as sent, the messages it holds and where each message's JSON ends in it. Never written to again. */
  private record Previous(String model, List<Message> messages, int[] ends, Buffer body) {}

  /** The JSON body for {@code POST /chat/completions}; {@code defaultModel} is used when the request names none. */
  Buffer encode(LlmRequest request, String defaultModel, boolean stream) {
    String model = request.model() != null && !request.model().isBlank() ? request.model() : defaultModel;
    List<Message> messages = request.messages();
    String key = messages.isEmpty() ? null : messages.get(0).id();
    Previous prev = key == null ? null : previous.get(key);
    int reused = prev == null || !prev.model().equals(model) ? 0 : commonPrefix(prev.messages(), messages);
    Buffer out = Buffer.buffer((prev == null ? 4 * SPARE_BYTES : prev.body().length()) + SPARE_BYTES);
    int[] ends = new int[messages.size()];
    if (reused > 0) {
      out.appendBuffer(prev.body(), 0, prev.ends()[reused - 1]);
      System.arraycopy(prev.ends(), 0, ends, 0, reused);
    } else {
      out.appendString("{\"model\":").appendString(Json.encode(model)).appendString(",\"messages\":[");
    }
    for (int i = reused; i < messages.size(); i++) {
      if (i > 0) {
        out.appendByte((byte) ',');
      }
      out.appendBuffer(OpenAiWire.toWire(messages.get(i)).toBuffer());
      ends[i] = out.length();
    }
    out.appendByte((byte) ']');
    if (!request.tools().isEmpty()) {
      out.appendString(",\"tools\":").appendBuffer(tools(request.tools()))
          .appendString(",\"tool_choice\":\"auto\"");
    }
    if (request.user() != null) {
      out.appendString(",\"user\":").appendString(Json.encode(request.user()));
    }
    if (request.options() != null) {
      request.options().forEach(e -> out.appendString(",").appendString(Json.encode(e.getKey())).appendString(":")
          .appendString(Json.encode(e.getValue())));
    }
    if (stream) {
      out.appendString(",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
    }
    out.appendByte((byte) '}');
    if (key != null) {
      remember(key, new Previous(model, messages, ends, out));
    }
    return out;
  }

  /** How many leading messages the two lists share (the same instances: messages are immutable). */
  private static int commonPrefix(List<Message> a, List<Message> b) {
    int n = Math.min(a.size(), b.size());
    int i = 0;
    while (i < n && a.get(i) == b.get(i)) {
      i++;
    }
    return i;
  }

  private void remember(String key, Previous body) {
    Previous replaced = previous.put(key, body);
    cachedBytes += body.body().length() - (replaced == null ? 0 : replaced.body().length());
    Iterator<Previous> oldest = previous.values().iterator();
    while (cachedBytes > MAX_CACHED_BYTES && oldest.hasNext()) {
      cachedBytes -= oldest.next().body().length();
      oldest.remove();
    }
  }

  /** The tools' JSON, encoded once per distinct list instance (the tool registry hands out one per tool set). */
  private Buffer tools(List<JsonObject> tools) {
    if (tools != lastTools) {
      JsonArray array = new JsonArray();
      tools.forEach(schema -> array.add(new JsonObject().put("type", "function").put("function", schema)));
      lastToolsJson = array.toBuffer();
      lastTools = tools;
    }
    return lastToolsJson;
  }

  /** Bytes held for reuse (for tests). */
  long cachedBytes() {
    return cachedBytes;
  }
}
