package dev.engram.http.letta;

import com.github.f4b6a3.uuid.UuidCreator;
import dev.engram.EngramServer;
import dev.engram.agent.AgentProtocol.NewAgent;
import dev.engram.agent.TokenCounter;
import dev.engram.agent.Templates;
import dev.engram.http.Bodies;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Json;
import dev.engram.kernel.Times;
import dev.engram.model.Agent;
import dev.engram.model.Block;
import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import dev.engram.model.ToolRule;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Letta's Agent File ({@code .af}, the {@code AgentFileSchema} of letta/schemas/agent_file.py): agents with their
 * blocks, tools, settings and messages, each object named by a file-local id ({@code agent-0}, {@code block-0},
 * {@code tool-0}, {@code message-0}). Export writes one agent; import reads every agent of a file into new objects
 * with new ids. Only the built-in tools come over (custom tools are a later feature); tool rules, groups, sources,
 * files and MCP servers are not read.
 */
final class AgentFiles {
  private final LettaViews views;

  AgentFiles(LettaViews views) {
    this.views = views;
  }

  // export

  /** The agent file of one agent with its history (oldest first; those not in it are dropped from its context). */
  JsonObject export(Agent a, List<Message> history, Instant now) {
    Map<String, String> fileIds = new HashMap<>();
    JsonArray blocks = new JsonArray();
    JsonArray blockIds = new JsonArray();
    for (Block b : a.memory().blocks()) {
      String id = "block-" + blocks.size();
      blockIds.add(id);
      blocks.add(new JsonObject().put("value", b.value()).put("limit", b.limit()).putNull("project_id")
          .put("template_name", b.templateName()).put("is_template", b.template()).putNull("template_id")
          .putNull("base_template_id").putNull("deployment_id").putNull("entity_id")
          .put("preserve_on_migration", false).put("label", b.label()).put("read_only", b.readOnly())
          .put("description", b.description()).put("metadata", new JsonObject(b.metadata()))
          .put("tags", new JsonArray(b.tags())).putNull("hidden").put("id", id));
    }
    JsonArray tools = new JsonArray();
    JsonArray toolIds = new JsonArray();
    for (String name : a.tools()) {
      JsonObject tool = views.tool(name);
      if (tool != null) {
        String id = "tool-" + tools.size();
        toolIds.add(id);
        tools.add(tool.put("id", id));
      }
    }
    JsonArray messages = new JsonArray();
    for (Message m : history) {
      if (Message.APPROVAL.equals(m.role())) {
        continue; // an answer to a paused call is history only: the call's return, exported, says what came of it
      }
      String id = "message-" + messages.size();
      fileIds.put(m.id(), id);
      messages.add(message(m, id));
    }
    JsonArray inContext = new JsonArray();
    a.inContextIds().stream().map(fileIds::get).filter(id -> id != null).forEach(inContext::add);
    JsonObject agent = new JsonObject().put("name", a.name()).put("memory_blocks", new JsonArray())
        .put("tools", new JsonArray()).put("tool_ids", toolIds).put("source_ids", new JsonArray()).putNull("folder_ids")
        .put("block_ids", blockIds).put("tool_rules", ToolRule.toJson(a.toolRules().rules()))
        .put("tags", new JsonArray(a.tags()))
        .put("system", Templates.instructions(a)).put("agent_type", a.agentType())
        .putNull("initial_message_sequence").put("include_base_tools", false).put("include_multi_agent_tools", false)
        .put("include_base_tool_rules", false).put("include_default_source", false)
        .put("description", a.description()).put("metadata", new JsonObject(a.metadata()))
        .put("llm_config", views.models().llmConfig(a.model(), a.contextWindow()))
        .put("embedding_config", views.models().embeddingConfig()).putNull("model").putNull("embedding")
        .putNull("context_window_limit").put("tool_exec_environment_variables", new JsonObject()).putNull("secrets")
        .putNull("project_id").putNull("template_id").putNull("base_template_id").putNull("identity_ids")
        .put("message_buffer_autoclear", false).put("enable_sleeptime", false).putNull("response_format")
        .put("timezone", a.timezone()).put("max_files_open", 5).put("per_file_view_window_char_limit", 15000)
        .putNull("hidden").put("id", "agent-0").put("in_context_message_ids", inContext).put("messages", messages)
        .put("files_agents", new JsonArray()).put("group_ids", new JsonArray());
    return new JsonObject().put("agents", new JsonArray().add(agent)).put("groups", new JsonArray())
        .put("blocks", blocks).put("files", new JsonArray()).put("sources", new JsonArray()).put("tools", tools)
        .put("mcp_servers", new JsonArray()).put("skills", new JsonArray())
        .put("metadata", new JsonObject().put("revision_id", "engram-" + EngramServer.VERSION))
        .put("created_at", Times.iso(now));
  }

  private static JsonObject message(Message m, String id) {
    JsonArray content = new JsonArray();
    if (m.text() != null) {
      content.add(new JsonObject().put("type", "text").put("text", m.text()).putNull("signature"));
    }
    JsonArray calls = null;
    if (!m.toolCalls().isEmpty()) {
      calls = new JsonArray();
      for (ToolCall c : m.toolCalls()) {
        calls.add(new JsonObject().put("id", c.id())
            .put("function", new JsonObject().put("arguments", c.arguments()).put("name", c.name()))
            .put("type", "function"));
      }
    }
    JsonArray returns = new JsonArray();
    if (Message.TOOL.equals(m.role())) {
      returns.add(new JsonObject().put("tool_call_id", m.toolCallId()).put("status", toolStatus(m.text()))
          .putNull("stdout").putNull("stderr").put("func_response", m.text()));
    }
    return new JsonObject().put("type", "message").put("role", m.role()).put("content", content)
        .put("name", m.name()).putNull("otid").putNull("sender_id").putNull("batch_item_id").putNull("group_id")
        .put("id", id).put("model", m.model()).put("agent_id", "agent-0").put("tool_calls", calls)
        .put("tool_call_id", m.toolCallId()).put("tool_returns", returns).put("created_at", Times.iso(m.createdAt()))
        .putNull("approve").putNull("approval_request_id").putNull("denial_reason").put("approvals", new JsonArray());
  }

  /** A MemGPT tool result is {"status": "OK"|"Failed", ...}; Letta's return status is success or error. */
  private static String toolStatus(String packaged) {
    try {
      return "Failed".equals(new JsonObject(packaged).getString("status")) ? "error" : "success";
    } catch (RuntimeException notJson) {
      return "success";
    }
  }

  // import

  /** What importing a file makes: its blocks (new ids) and its agents (new ids, their messages with new ids). */
  record Plan(List<Block> blocks, List<NewAgent> agents, List<String> agentIds) {}

  /** How the import form asks the file to be read (Letta's form fields). */
  record Options(String name, boolean appendCopySuffix, boolean stripMessages, String model) {}

  /** The file's JSON: an object, or (as some published files are) a JSON string holding one. */
  static JsonObject parse(Buffer bytes) {
    try {
      Object value = io.vertx.core.json.Json.decodeValue(bytes);
      if (value instanceof String text) {
        value = io.vertx.core.json.Json.decodeValue(text);
      }
      if (value instanceof JsonObject json) {
        if (!(json.getValue("agents") instanceof JsonArray)) {
          throw ApiException.badRequest("Legacy AgentSchema format is deprecated. Please use the new AgentFileSchema"
              + " format with 'agents' field.");
        }
        return json;
      }
    } catch (DecodeException e) {
      throw ApiException.badRequest("Corrupted agent file format.");
    }
    throw ApiException.badRequest("Corrupted agent file format.");
  }

  /**
   * Reads every agent of the file for the user; {@code names} picks each agent's name (the file's, or the one asked
   * for, made unique). Nothing is stored: a wrong field is found before anything is.
   */
  Plan plan(JsonObject file, String userId, Options options, java.util.function.UnaryOperator<String> names) {
    Instant now = Times.now();
    Map<String, Block> blocks = new LinkedHashMap<>();
    JsonArray fileBlocks = list(file, "blocks");
    for (int i = 0; i < fileBlocks.size(); i++) {
      JsonObject b = object(fileBlocks, i, "blocks");
      blocks.put(Bodies.requiredString(b, "id"), block(b, userId, now));
    }
    Map<String, String> toolNames = new HashMap<>();
    JsonArray fileTools = list(file, "tools");
    for (int i = 0; i < fileTools.size(); i++) {
      JsonObject t = object(fileTools, i, "tools");
      String name = Bodies.optionalString(t, "name");
      if (name != null && views.tools().has(name)) {
        toolNames.put(Bodies.requiredString(t, "id"), name);
      }
    }
    List<NewAgent> agents = new ArrayList<>();
    List<String> agentIds = new ArrayList<>();
    JsonArray fileAgents = list(file, "agents");
    for (int i = 0; i < fileAgents.size(); i++) {
      String agentId = UUID.randomUUID().toString();
      agentIds.add(agentId);
      agents.add(agent(object(fileAgents, i, "agents"), agentId, userId, blocks, toolNames, options, names));
    }
    return new Plan(List.copyOf(blocks.values()), agents, agentIds);
  }

  /** A file block as a new block of the user; a value longer than its limit (Letta allows it) raises the limit. */
  private static Block block(JsonObject b, String userId, Instant now) {
    String label = Bodies.optionalString(b, "label");
    Block.checkLabel(label);
    String value = Bodies.optionalString(b, "value");
    value = value == null ? "" : value;
    Integer limit = Bodies.optionalInteger(b, "limit", 0, Integer.MAX_VALUE);
    int max = Math.max(limit == null ? Block.defaultLimit(label) : limit, value.length());
    JsonObject metadata = Bodies.optionalObject(b, "metadata");
    return new Block(UUID.randomUUID().toString(), userId, label, value, max, Bodies.optionalString(b, "description"),
        metadata == null ? Map.of() : Json.plainMap(metadata), Bodies.optionalBoolean(b, "read_only", false),
        Bodies.optionalBoolean(b, "is_template", false), Bodies.optionalString(b, "template_name"),
        Bodies.optionalStrings(b, "tags"), 1, now, now);
  }

  private NewAgent agent(JsonObject a, String agentId, String userId, Map<String, Block> blocks,
      Map<String, String> toolNames, Options options, java.util.function.UnaryOperator<String> names) {
    String type = Bodies.optionalString(a, "agent_type");
    if (type != null && !Agent.AGENT_TYPES.contains(type)) {
      throw Bodies.invalid("agents[].agent_type must be one of " + Agent.AGENT_TYPES + ", got '" + type + "'");
    }
    List<String> blockIds = new ArrayList<>();
    for (String fileId : strings(a, "block_ids")) {
      Block b = blocks.get(fileId);
      if (b == null) {
        throw Bodies.invalid("agent " + a.getValue("id") + " names block " + fileId + ", which the file does not have");
      }
      blockIds.add(b.id());
    }
    List<String> tools = new ArrayList<>();
    for (String fileId : strings(a, "tool_ids")) {
      String name = toolNames.get(fileId);
      if (name != null && !tools.contains(name)) {
        tools.add(name);
      }
    }
    for (String name : strings(a, "tools")) {
      if (views.tools().has(name) && !tools.contains(name)) {
        tools.add(name);
      }
    }
    if (Bodies.optionalBoolean(a, "include_base_tools", false)) {
      views.tools().baseToolNames(type == null ? Agent.MEMGPT_AGENT : type).stream().filter(n -> !tools.contains(n))
          .forEach(tools::add);
    }
    JsonObject llm = Bodies.optionalObject(a, "llm_config");
    String model = options.model() != null ? views.models().modelOf(options.model()) : fileModel(llm);
    Integer window = options.model() == null && model != null && llm != null
        ? Bodies.optionalInteger(llm, "context_window", 1, Integer.MAX_VALUE) : null;
    String tokenModel = model != null ? model : views.models().defaultModel();
    List<Message> messages = null;
    List<String> inContext = null;
    if (!options.stripMessages()) {
      Map<String, String> ids = new HashMap<>();
      messages = messages(list(a, "messages"), agentId, userId, tokenModel, ids);
      inContext = strings(a, "in_context_message_ids").stream().map(ids::get).filter(id -> id != null).toList();
    }
    String name = options.name() != null ? options.name()
        : Bodies.optionalString(a, "name") == null ? null
        : Bodies.optionalString(a, "name") + (options.appendCopySuffix() ? "_copy" : "");
    JsonObject metadata = Bodies.optionalObject(a, "metadata");
    return new NewAgent(names.apply(name), type, null, null, null, Bodies.optionalString(a, "system"), List.of(),
        blockIds, tools, Bodies.optionalStrings(a, "tags"), Bodies.optionalString(a, "description"),
        metadata == null ? null : Json.plainMap(metadata), model, window, null, timezone(a), messages, inContext,
        LettaRequests.toolRules(a));
  }

  /** The file's model when it is served here ({@code openai/...}); otherwise null, the server's default. */
  private static String fileModel(JsonObject llm) {
    if (llm == null) {
      return null;
    }
    String handle = Bodies.optionalString(llm, "handle");
    String model = Bodies.optionalString(llm, "model");
    String type = Bodies.optionalString(llm, "model_endpoint_type");
    boolean openai = handle != null ? handle.startsWith(LettaModels.LLM_PROVIDER + "/")
        : LettaModels.LLM_PROVIDER.equals(type);
    return openai ? model : null;
  }

  private static String timezone(JsonObject a) {
    String zone = Bodies.optionalString(a, "timezone");
    try {
      return zone == null ? null : ZoneId.of(zone).getId();
    } catch (DateTimeException e) {
      return null;
    }
  }

  /**
   * The file's messages as new messages of the agent, oldest first, with new time-ordered ids ({@code ids} maps the
   * file's). Roles other than system, user, assistant and tool are skipped; a tool message without a name takes the
   * name of the call it answers.
   */
  private static List<Message> messages(JsonArray file, String agentId, String userId, String model,
      Map<String, String> ids) {
    TokenCounter tokens = new TokenCounter(model);
    Map<String, String> callNames = new HashMap<>();
    List<Message> out = new ArrayList<>();
    for (int i = 0; i < file.size(); i++) {
      JsonObject m = object(file, i, "messages");
      String role = Bodies.optionalString(m, "role");
      if (!List.of(Message.SYSTEM, Message.USER, Message.ASSISTANT, Message.TOOL).contains(role)) {
        continue;
      }
      List<ToolCall> calls = new ArrayList<>();
      for (Object o : m.getValue("tool_calls") instanceof JsonArray a ? a : new JsonArray()) {
        if (o instanceof JsonObject call && call.getValue("function") instanceof JsonObject f) {
          String callId = Bodies.optionalString(call, "id");
          String name = Bodies.optionalString(f, "name");
          calls.add(new ToolCall(callId, name, Bodies.optionalString(f, "arguments")));
          callNames.put(callId, name);
        }
      }
      String text = text(m.getValue("content"));
      String callId = Bodies.optionalString(m, "tool_call_id");
      String name = Bodies.optionalString(m, "name");
      if (name == null && Message.TOOL.equals(role)) {
        name = callNames.get(callId);
      }
      String id = UuidCreator.getTimeOrderedEpoch().toString();
      ids.put(Bodies.optionalString(m, "id"), id);
      out.add(new Message(id, agentId, userId, role, text, name, calls, callId, Bodies.optionalString(m, "model"),
          tokens.message(text, calls), instant(Bodies.optionalString(m, "created_at"))));
    }
    return out;
  }

  /** The text of Letta's content: a string, or the text parts joined by newlines (reasoning parts are left out). */
  private static String text(Object content) {
    if (content instanceof String s) {
      return s;
    }
    if (!(content instanceof JsonArray parts)) {
      return null;
    }
    List<String> texts = new ArrayList<>();
    for (Object part : parts) {
      if (part instanceof JsonObject p && "text".equals(p.getString("type"))
          && p.getValue("text") instanceof String t) {
        texts.add(t);
      }
    }
    return texts.isEmpty() ? null : String.join("\n", texts);
  }

  private static Instant instant(String iso) {
    if (iso == null) {
      return Times.now();
    }
    try {
      return OffsetDateTime.parse(iso).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return java.time.LocalDateTime.parse(iso).toInstant(java.time.ZoneOffset.UTC);
      } catch (DateTimeParseException again) {
        return Times.now();
      }
    }
  }

  private static JsonArray list(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray array)) {
      throw Bodies.invalid(field + " must be a list");
    }
    return array;
  }

  private static List<String> strings(JsonObject json, String field) {
    List<String> values = Bodies.optionalStrings(json, field);
    return values == null ? List.of() : values;
  }

  private static JsonObject object(JsonArray array, int i, String field) {
    Object item = array.getValue(i);
    if (!(item instanceof JsonObject json)) {
      throw Bodies.invalid(field + "[" + i + "] must be an object");
    }
    return json;
  }
}
