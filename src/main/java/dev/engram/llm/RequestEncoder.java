package dev.engram.llm;

import dev.engram.model.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes chat-completions request bodies into one buffer per conversation (keyed by its first message, the agent's
 * system message), rewritten in place from the first message that changed: between steps a context only grows at its
 * end, so only the new messages and the closing part (tools, options) are written, and no new body is allocated. A
 * body therefore stays valid only until the next body of the same conversation is encoded, which is after its call
 * has ended (an agent's calls are sequential). Buffers of up to {@link #MAX_CACHED_BYTES} are kept, least recently
 * used dropped first. Confined to one event loop.
 */
final class RequestEncoder {
  static final long MAX_CACHED_BYTES = 32L << 20;
  private static final int SPARE_BYTES = 8192;

  private final Map<String, Conversation> conversations = new LinkedHashMap<>(64, 0.75f, true);
  private long cachedBytes;
  private List<JsonObject> lastTools;
  private Buffer lastToolsJson;

  /** A conversation's buffer, the messages it holds and where each message's JSON ends in it. */
  private static final class Conversation {
    String model;
    List<Message> messages = List.of();
    int[] ends = new int[0];
    ByteBuf buffer = Unpooled.buffer(4 * SPARE_BYTES);
  }

  /**
   * The JSON body for {@code POST /chat/completions}; {@code defaultModel} is used when the request names none. Valid
   * until the next call for the same conversation.
   */
  Buffer encode(LlmRequest request, String defaultModel, boolean stream) {
    String model = request.model() != null && !request.model().isBlank() ? request.model() : defaultModel;
    List<Message> messages = request.messages();
    String key = messages.isEmpty() ? null : messages.get(0).id();
    Conversation c = key == null ? null : conversations.get(key);
    if (c == null) {
      c = new Conversation();
    }
    int capacityBefore = c.buffer.capacity();
    int reused = model.equals(c.model) ? commonPrefix(c.messages, messages) : 0;
    ByteBuf out = c.buffer;
    int[] ends = new int[messages.size()];
    if (reused > 0) {
      out.writerIndex(c.ends[reused - 1]);
      System.arraycopy(c.ends, 0, ends, 0, reused);
    } else {
      out.clear();
      write(out, "{\"model\":" + Json.encode(model) + ",\"messages\":[");
    }
    for (int i = reused; i < messages.size(); i++) {
      if (i > 0) {
        out.writeByte(',');
      }
      ByteBuf wire = ((BufferInternal) OpenAiWire.toWire(messages.get(i)).toBuffer()).getByteBuf();
      out.writeBytes(wire, wire.readerIndex(), wire.readableBytes());
      ends[i] = out.writerIndex();
    }
    out.writeByte(']');
    if (!request.tools().isEmpty()) {
      write(out, ",\"tools\":");
      ByteBuf tools = ((BufferInternal) tools(request.tools())).getByteBuf();
      out.writeBytes(tools, tools.readerIndex(), tools.readableBytes());
      write(out, ",\"tool_choice\":\"auto\"");
    }
    if (request.user() != null) {
      write(out, ",\"user\":" + Json.encode(request.user()));
    }
    if (request.options() != null) {
      request.options().forEach(e -> write(out, "," + Json.encode(e.getKey()) + ":" + Json.encode(e.getValue())));
    }
    if (stream) {
      write(out, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
    }
    out.writeByte('}');
    c.model = model;
    c.messages = messages;
    c.ends = ends;
    if (key != null) {
      remember(key, c, capacityBefore);
    }
    return BufferInternal.buffer(out.slice(0, out.writerIndex()).asReadOnly());
  }

  private static void write(ByteBuf out, String ascii) {
    out.writeCharSequence(ascii, java.nio.charset.StandardCharsets.UTF_8);
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

  private void remember(String key, Conversation c, int capacityBefore) {
    Conversation replaced = conversations.put(key, c);
    cachedBytes += c.buffer.capacity() - (replaced == null ? 0 : capacityBefore);
    Iterator<Conversation> oldest = conversations.values().iterator();
    while (cachedBytes > MAX_CACHED_BYTES && conversations.size() > 1 && oldest.hasNext()) {
      Conversation dropped = oldest.next();
      if (dropped == c) {
        continue;
      }
      cachedBytes -= dropped.buffer.capacity();
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
