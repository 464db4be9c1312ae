package dev.engram.model;

import dev.engram.kernel.Times;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a Mem0 memory came from, as stored with it and shown on every item ({@code provenance}): a {@code kind}, the
 * {@code timestamp} its input was received, and what the kind names. Kinds: {@code add} (Mem0's add: the
 * {@code messages} the memory was extracted from, or the one message a verbatim add stored, with its
 * {@code message_index}), {@code chat} (a message of the semantic-memory chat: its {@code session_id}),
 * {@code agent} (an agent's archival insert: its {@code agent_id}), {@code edit} (a manual update of the text),
 * {@code import} (a Mem0 platform import).
 */
public final class Provenance {
  public static final String ADD = "add";
  public static final String CHAT = "chat";
  public static final String AGENT = "agent";
  public static final String EDIT = "edit";
  public static final String IMPORT = "import";

  private Provenance() {}

  /**
   * The messages of an add, each {@code {role, content}} (and {@code name} when given); {@code index} is the
   * message a verbatim add stored (null: the memory was extracted from all of them).
   */
  public static Map<String, Object> add(List<Map<String, Object>> messages, Integer index, Instant at) {
    Map<String, Object> p = of(ADD, at);
    p.put("messages", messages);
    if (index != null) {
      p.put("message_index", index);
    }
    return p;
  }

  public static Map<String, Object> chat(String sessionId, Instant at) {
    Map<String, Object> p = of(CHAT, at);
    p.put("session_id", sessionId);
    return p;
  }

  public static Map<String, Object> agent(String agentId, Instant at) {
    Map<String, Object> p = of(AGENT, at);
    p.put("agent_id", agentId);
    return p;
  }

  public static Map<String, Object> of(String kind, Instant at) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("kind", kind);
    p.put("timestamp", Times.iso(at));
    return p;
  }
}
