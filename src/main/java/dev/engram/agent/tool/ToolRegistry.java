package dev.engram.agent.tool;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tools agents can use, by name, and the checked invocation of one call: argument JSON parsing, required and
 * typed parameters, {@code request_heartbeat} extraction, and the output size limit.
 */
public final class ToolRegistry {
  /** Outputs longer than this are cut, except for search tools. */
  static final int OUTPUT_LIMIT = 3000;

  /** The tools of the memgpt_chat preset, in the preset's order: every agent's base tools. */
  private static final List<String> MEMGPT_TOOLS = List.of("send_message", "pause_heartbeats", "core_memory_append",
      "core_memory_replace", "conversation_search", "conversation_search_date", "archival_memory_insert",
      "archival_memory_search");
  /** Letta's v2 memory tools, added to the base tools of the agent types that have them. */
  private static final List<String> V2_MEMORY_TOOLS = List.of("memory_insert", "memory_replace");
  private static final List<String> V2_AGENT_TYPES = List.of("memgpt_v2_agent");
  /**
   * The base tools of a {@code letta_v1_agent}, which speaks in plain text (no send_message, and no heartbeats to
   * pause): Letta 0.16.8's (conversation_search, memory_insert, memory_replace) and the archival tools, as the agent
   * files Letta publishes for that type carry them.
   */
  private static final List<String> TEXT_AGENT_TOOLS = List.of("conversation_search", "archival_memory_insert",
      "archival_memory_search", "memory_insert", "memory_replace");
  private static final List<String> MEMORY_TOOLS = List.of("core_memory_append", "core_memory_replace",
      "memory_insert", "memory_replace");

  private final Map<String, Tool> tools = new LinkedHashMap<>();
  private final Map<String, JsonObject> schemaByName = new LinkedHashMap<>();
  private final Map<String, String> nameById = new LinkedHashMap<>();
  private final Map<List<String>, List<JsonObject>> schemaLists = new java.util.concurrent.ConcurrentHashMap<>();

  public ToolRegistry() {
    for (Tool t : List.of(new SendMessage(), new PauseHeartbeats(), new CoreMemoryAppend(), new CoreMemoryReplace(),
        new ConversationSearch(), new ConversationSearchDate(), new ArchivalMemoryInsert(), new ArchivalMemorySearch(),
        new MemoryInsert(), new MemoryReplace())) {
      tools.put(t.name(), t);
      schemaByName.put(t.name(), t.schema());
      nameById.put(toolId(t.name()), t.name());
    }
  }

  /** The tools of the memgpt_chat preset, in the preset's order. */
  public List<String> defaultToolNames() {
    return MEMGPT_TOOLS;
  }

  /**
   * The tools {@code include_base_tools} attaches: a {@code letta_v1_agent}'s own (it speaks in plain text), else the
   * MemGPT tools (the agent speaks through send_message), with Letta's v2 memory tools for the types that have them.
   */
  public List<String> baseToolNames(String agentType) {
    if ("letta_v1_agent".equals(agentType)) {
      return TEXT_AGENT_TOOLS;
    }
    if (!V2_AGENT_TYPES.contains(agentType)) {
      return MEMGPT_TOOLS;
    }
    List<String> out = new ArrayList<>(MEMGPT_TOOLS);
    out.addAll(V2_MEMORY_TOOLS);
    return List.copyOf(out);
  }

  /** Every tool there is, in registration order. */
  public List<String> names() {
    return List.copyOf(tools.keySet());
  }

  public boolean has(String name) {
    return tools.containsKey(name);
  }

  /** A tool's stable id: a name-based UUID, the same on every server (the tools are built in). */
  public static String toolId(String name) {
    return java.util.UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
  }

  /** The name of the tool with this id, or null. */
  public String nameOfId(String id) {
    return nameById.get(id);
  }

  /** The schema of one tool, or null when there is no such tool. */
  public JsonObject schema(String name) {
    return schemaByName.get(name);
  }

  /** Letta's tool_type of a built-in tool: the memory editors are letta_memory_core, the others letta_core. */
  public String toolType(String name) {
    return MEMORY_TOOLS.contains(name) ? "letta_memory_core" : "letta_core";
  }

  /**
   * Whether calls to {@code name} wait for their owner's approval unless the agent says otherwise (a tool's
   * {@code default_requires_approval}). The built-in tools never do; the seam where tools that carry the flag plug in.
   */
  public boolean requiresApprovalByDefault(String name) {
    return false;
  }

  /** The most characters of the tool's output the model sees, or null when it sees all of it. */
  public Integer outputLimit(String name) {
    Tool tool = tools.get(name);
    return tool != null && tool.truncatesOutput() ? OUTPUT_LIMIT : null;
  }

  /** The schemas of the named tools; the same list instance for the same names (callers may cache by identity). */
  public List<JsonObject> schemas(List<String> names) {
    return schemaLists.computeIfAbsent(List.copyOf(names), this::buildSchemas);
  }

  private List<JsonObject> buildSchemas(List<String> names) {
    List<JsonObject> out = new ArrayList<>();
    for (String name : names) {
      JsonObject schema = schemaByName.get(name);
      if (schema != null) {
        out.add(schema);
      }
    }
    return List.copyOf(out);
  }

  /** The outcome of one call: what the model sees, whether it succeeded, and whether it asked to run again. */
  public record Outcome(String output, boolean ok, boolean heartbeat, JsonObject arguments) {}

  public Future<Outcome> invoke(ToolContext ctx, List<String> allowed, String name, String rawArguments) {
    Tool tool = allowed.contains(name) ? tools.get(name) : null;
    if (tool == null) {
      return Future.succeededFuture(new Outcome("No function named " + name, false, false, new JsonObject()));
    }
    JsonObject args;
    try {
      args = rawArguments == null || rawArguments.isBlank() ? new JsonObject() : new JsonObject(rawArguments);
    } catch (RuntimeException e) {
      return Future.succeededFuture(new Outcome("Error parsing JSON for function '" + name + "' arguments: "
          + e.getMessage(), false, false, new JsonObject()));
    }
    boolean heartbeat = Boolean.TRUE.equals(args.getValue(Schemas.REQUEST_HEARTBEAT));
    args.remove(Schemas.REQUEST_HEARTBEAT);
    String invalid = validate(schemaByName.get(name), args);
    if (invalid != null) {
      return Future.succeededFuture(new Outcome("Error calling function " + name + ": " + invalid, false, heartbeat,
          args));
    }
    Future<String> result;
    try {
      result = tool.run(ctx, args);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.map(out -> new Outcome(limit(tool, out), true, heartbeat, args))
        .otherwise(e -> new Outcome("Error calling function " + name + ": " + e.getMessage(), false, heartbeat, args));
  }

  private static String limit(Tool tool, String out) {
    String text = out == null ? "None" : out;
    if (!tool.truncatesOutput() || text.length() <= OUTPUT_LIMIT) {
      return text;
    }
    return text.substring(0, OUTPUT_LIMIT) + "... [NOTE: function output was truncated since it exceeded the"
        + " character limit (" + text.length() + " > " + OUTPUT_LIMIT + ")]";
  }

  /** Checks required parameters and JSON types; returns what is wrong, or null. */
  private static String validate(JsonObject schema, JsonObject args) {
    JsonObject params = schema.getJsonObject("parameters");
    JsonObject props = params.getJsonObject("properties");
    JsonArray required = params.getJsonArray("required");
    for (Object r : required) {
      if (!Schemas.REQUEST_HEARTBEAT.equals(r) && args.getValue((String) r) == null) {
        return "missing required argument '" + r + "'";
      }
    }
    for (String key : args.fieldNames()) {
      JsonObject prop = props.getJsonObject(key);
      if (prop == null) {
        return "unexpected argument '" + key + "'";
      }
      Object value = args.getValue(key);
      String type = prop.getString("type");
      boolean ok = value == null
          || ("string".equals(type) && value instanceof String)
          || ("integer".equals(type) && (value instanceof Integer || value instanceof Long))
          || ("boolean".equals(type) && value instanceof Boolean);
      if (!ok) {
        return "argument '" + key + "' must be of type " + type;
      }
    }
    return null;
  }
}
