package dev.engram.memory;

import dev.engram.kernel.Times;
import dev.engram.memory.MemoryRequests.AddMemories;
import dev.engram.memory.MemoryRequests.Turn;
import dev.engram.model.AddEvent;
import dev.engram.store.MemoryProtocol.Scope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An asynchronous add as its event keeps it ({@code payload}, Mem0's request fields), and back: what a resumed
 * extraction runs from after a restart.
 */
final class AddPayload {
  private AddPayload() {}

  static Map<String, Object> of(AddMemories req) {
    List<Object> messages = new ArrayList<>();
    for (Turn t : req.messages()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("role", t.role());
      m.put("content", t.content());
      if (t.name() != null) {
        m.put("name", t.name());
      }
      messages.add(m);
    }
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("messages", messages);
    putIfSet(payload, "user_id", req.scope().user());
    putIfSet(payload, "agent_id", req.scope().agent());
    putIfSet(payload, "run_id", req.scope().run());
    putIfSet(payload, "metadata", req.metadata());
    putIfSet(payload, "expiration_date", req.expirationDate() == null ? null : Times.iso(req.expirationDate()));
    payload.put("infer", true);
    payload.put("async_mode", true);
    return payload;
  }

  @SuppressWarnings("unchecked")
  static AddMemories request(AddEvent event) {
    Map<String, Object> p = event.payload();
    List<Turn> turns = new ArrayList<>();
    for (Object o : (List<Object>) p.getOrDefault("messages", List.of())) {
      Map<String, Object> m = (Map<String, Object>) o;
      turns.add(new Turn((String) m.get("role"), (String) m.get("content"), (String) m.get("name")));
    }
    Scope scope = new Scope((String) p.get("user_id"), (String) p.get("agent_id"), (String) p.get("run_id"));
    Object expires = p.get("expiration_date");
    return new AddMemories(event.userId(), scope, turns, (Map<String, Object>) p.get("metadata"), true, null, null,
        expires == null ? null : Instant.parse((String) expires));
  }

  private static void putIfSet(Map<String, Object> payload, String key, Object value) {
    if (value != null) {
      payload.put(key, value);
    }
  }
}
