package dev.engram.store;

import dev.engram.kernel.Json;
import dev.engram.model.Agent;
import dev.engram.model.Block;
import dev.engram.model.CoreMemory;
import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import dev.engram.model.ToolRule;
import dev.engram.model.ToolRules;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Row-to-record mapping and record-to-tuple binding, one place per type. */
final class Rows {
  private Rows() {}

  static final String AGENT_COLUMNS = """
      id, user_id, name, agent_type, description, metadata, tags, preset, persona_template, human_template,
      system_prompt, tools, in_context_ids, memory_alerted, model, context_window, embedding, timezone, created_at,
      updated_at, last_run_at, tool_rules, tool_approval_off, recall_count""";

  static final String MESSAGE_COLUMNS =
      "id, agent_id, user_id, role, text, name, tool_calls, tool_call_id, model, tokens, created_at";

  /** The agent of a row of {@link #AGENT_COLUMNS}, with its blocks (loaded separately, in prompt order). */
  static Agent agent(Row r, List<Block> blocks) {
    List<String> context = new ArrayList<>();
    for (UUID id : r.getArrayOfUUIDs("in_context_ids")) {
      context.add(id.toString());
    }
    JsonObject metadata = r.getJsonObject("metadata");
    return new Agent(r.getUUID("id").toString(), r.getUUID("user_id").toString(), r.getString("name"),
        r.getString("agent_type"), r.getString("description"), metadata == null ? Map.of() : Json.plainMap(metadata),
        Arrays.asList(r.getArrayOfStrings("tags")), r.getString("preset"), r.getString("persona_template"),
        r.getString("human_template"), r.getString("system_prompt"), new CoreMemory(blocks),
        Arrays.asList(r.getArrayOfStrings("tools")), context, r.getBoolean("memory_alerted"), r.getString("model"),
        r.getInteger("context_window"), r.getString("embedding"), r.getString("timezone"),
        instant(r.getOffsetDateTime("created_at")), instant(r.getOffsetDateTime("updated_at")),
        instant(r.getOffsetDateTime("last_run_at")), toolRules(r));
  }

  /** The insert parameters of an agent, in {@link #AGENT_COLUMNS} order without recall_count. */
  static Tuple agentInsert(Agent a) {
    return Tuple.tuple(List.of(UUID.fromString(a.id()), UUID.fromString(a.userId()), a.name(), a.agentType()))
        .addValue(a.description()).addValue(new JsonObject(a.metadata()))
        .addArrayOfString(a.tags().toArray(String[]::new)).addValue(a.preset()).addValue(a.personaTemplate())
        .addValue(a.humanTemplate()).addValue(a.system()).addArrayOfString(a.tools().toArray(String[]::new))
        .addArrayOfUUID(uuids(a.inContextIds())).addValue(a.memoryAlerted()).addValue(a.model())
        .addValue(a.contextWindow()).addValue(a.embedding()).addValue(a.timezone()).addValue(offset(a.createdAt()))
        .addValue(offset(a.updatedAt())).addValue(offset(a.lastRunAt()))
        .addValue(ToolRule.toJson(a.toolRules().rules()))
        .addArrayOfString(a.toolRules().approvalOff().toArray(String[]::new));
  }

  /** The agent's rules as stored (written by {@link #agentInsert} and {@link #agentSettings}, so known good). */
  private static ToolRules toolRules(Row r) {
    Object rules = r.getValue("tool_rules");
    String[] off = r.getArrayOfStrings("tool_approval_off");
    return new ToolRules(ToolRule.parseAll(rules == null ? new JsonArray() : rules, "tool_rules"),
        off == null ? List.of() : Arrays.asList(off));
  }

  /** The parameters of {@code AgentRepository.UPDATE_SETTINGS}: the id, then the settings a Letta update changes. */
  static Tuple agentSettings(Agent a) {
    return Tuple.tuple(List.of(UUID.fromString(a.id()), a.name())).addValue(a.description())
        .addValue(new JsonObject(a.metadata())).addArrayOfString(a.tags().toArray(String[]::new))
        .addValue(a.system()).addArrayOfString(a.tools().toArray(String[]::new)).addValue(a.model())
        .addValue(a.contextWindow()).addValue(a.embedding()).addValue(a.timezone()).addValue(offset(a.updatedAt()))
        .addValue(ToolRule.toJson(a.toolRules().rules()))
        .addArrayOfString(a.toolRules().approvalOff().toArray(String[]::new));
  }

  static Message message(Row r) {
    List<ToolCall> calls = new ArrayList<>();
    Object raw = r.getValue("tool_calls");
    if (raw instanceof JsonArray array) {
      for (Object o : array) {
        JsonObject call = (JsonObject) o;
        calls.add(new ToolCall(call.getString("id"), call.getString("name"), call.getString("arguments")));
      }
    }
    return new Message(r.getUUID("id").toString(), r.getUUID("agent_id").toString(),
        r.getUUID("user_id").toString(), r.getString("role"), r.getString("text"), r.getString("name"), calls,
        r.getString("tool_call_id"), r.getString("model"), r.getInteger("tokens"),
        instant(r.getOffsetDateTime("created_at")));
  }

  static Tuple messageInsert(Message m) {
    JsonArray calls = toolCalls(m);
    return Tuple.tuple(List.of(UUID.fromString(m.id()), UUID.fromString(m.agentId()), UUID.fromString(m.userId()),
            m.role())).addValue(m.text()).addValue(m.name()).addValue(calls).addValue(m.toolCallId())
        .addValue(m.model()).addValue(m.tokens()).addValue(offset(m.createdAt()));
  }

  /** Appends the messages to {@code params} column by column, as eleven arrays in {@link #MESSAGE_COLUMNS} order. */
  static Tuple messageColumns(List<Message> messages, Tuple params) {
    int n = messages.size();
    UUID[] ids = new UUID[n];
    UUID[] agents = new UUID[n];
    UUID[] users = new UUID[n];
    String[] roles = new String[n];
    String[] texts = new String[n];
    String[] names = new String[n];
    String[] calls = new String[n];
    String[] callIds = new String[n];
    String[] models = new String[n];
    Integer[] tokens = new Integer[n];
    OffsetDateTime[] created = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      Message m = messages.get(i);
      ids[i] = UUID.fromString(m.id());
      agents[i] = UUID.fromString(m.agentId());
      users[i] = UUID.fromString(m.userId());
      roles[i] = m.role();
      texts[i] = m.text();
      names[i] = m.name();
      JsonArray json = toolCalls(m);
      calls[i] = json == null ? null : json.encode();
      callIds[i] = m.toolCallId();
      models[i] = m.model();
      tokens[i] = m.tokens();
      created[i] = offset(m.createdAt());
    }
    return params.addArrayOfUUID(ids).addArrayOfUUID(agents).addArrayOfUUID(users).addArrayOfString(roles)
        .addArrayOfString(texts).addArrayOfString(names).addArrayOfString(calls).addArrayOfString(callIds)
        .addArrayOfString(models).addArrayOfInteger(tokens).addArrayOfOffsetDateTime(created);
  }

  private static JsonArray toolCalls(Message m) {
    if (m.toolCalls().isEmpty()) {
      return null;
    }
    JsonArray calls = new JsonArray();
    for (ToolCall c : m.toolCalls()) {
      calls.add(new JsonObject().put("id", c.id()).put("name", c.name()).put("arguments", c.arguments()));
    }
    return calls;
  }

  static UUID[] uuids(List<String> ids) {
    UUID[] out = new UUID[ids.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = UUID.fromString(ids.get(i));
    }
    return out;
  }

  static OffsetDateTime offset(Instant i) {
    return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
  }

  static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
