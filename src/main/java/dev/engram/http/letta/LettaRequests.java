package dev.engram.http.letta;

import dev.engram.agent.tool.UserTools;

import dev.engram.agent.AgentProtocol.AgentPatch;
import dev.engram.agent.AgentProtocol.MessagePatch;
import dev.engram.agent.AgentProtocol.NewAgent;
import dev.engram.agent.tool.ToolRegistry;
import dev.engram.http.Bodies;
import dev.engram.http.PrefixedIds;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.kernel.Json;
import dev.engram.model.Agent;
import dev.engram.model.Block;
import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import dev.engram.model.ToolRule;
import dev.engram.store.BlockProtocol.BlockPatch;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads Letta's request bodies into our requests: agent create and update (letta-v1.md §3.1, §3.3, and the 0.4
 * client's older field names), block create and update (§2.2), the 0.4 client's message update (letta-memgpt.md
 * §6.2). A field of the wrong type or value is a 422 naming it, an unknown tool or block id a 404, a model handle
 * without '/' a 400; nothing is stored before all of it is read.
 */
final class LettaRequests {
  private static final List<String> MESSAGE_ROLES = List.of(Message.SYSTEM, Message.USER, Message.ASSISTANT,
      Message.TOOL);
  private static final Pattern PARTICIPANT_NAME = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");

  private final LettaViews views;

  LettaRequests(LettaViews views) {
    this.views = views;
  }

  NewAgent create(JsonObject body, String userId, Instant now) {
    return create(body, userId, now, UserTools.NONE);
  }

  /** {@code user}: the user's own and MCP tools, which {@code tools} and {@code tool_ids} may name too. */
  NewAgent create(JsonObject body, String userId, Instant now, UserTools user) {
    String agentType = agentType(body);
    List<Block> blocks = new ArrayList<>();
    JsonArray memoryBlocks = array(body, "memory_blocks");
    if (memoryBlocks != null) {
      for (int i = 0; i < memoryBlocks.size(); i++) {
        blocks.add(newBlock(object(memoryBlocks, i, "memory_blocks"), userId, now, false));
      }
    }
    // the 0.4 client sends its Memory: {"memory": {"memory": {"<label>": Block}}}
    JsonObject memory = Bodies.optionalObject(body, "memory");
    JsonObject byLabel = memory == null ? null : Bodies.optionalObject(memory, "memory");
    if (byLabel != null) {
      for (String label : byLabel.fieldNames()) {
        JsonObject b = Bodies.optionalObject(byLabel, label);
        if (b != null) {
          blocks.add(newBlock(b.copy().put("label", b.getValue("label") == null ? label : b.getValue("label"))
              .put("is_template", false), userId, now, false));
        }
      }
    }
    boolean baseTools = Bodies.optionalBoolean(body, "include_base_tools", true);
    LinkedHashSet<String> tools = new LinkedHashSet<>();
    if (baseTools) {
      tools.addAll(views.tools().baseToolNames(agentType == null ? Agent.MEMGPT_AGENT : agentType));
    }
    tools.addAll(toolNames(body, "tools", user));
    tools.addAll(toolIds(body, user));
    String model = model(body);
    return new NewAgent(Bodies.optionalString(body, "name"), agentType, null, null, null,
        Bodies.optionalString(body, "system"), blocks, blockIds(body), List.copyOf(tools),
        Bodies.optionalStrings(body, "tags"), Bodies.optionalString(body, "description"), metadata(body), model,
        contextWindow(body), embedding(body), timezone(body), null, null, toolRules(body));
  }

  AgentPatch update(JsonObject body) {
    return update(body, UserTools.NONE);
  }

  AgentPatch update(JsonObject body, UserTools user) {
    List<String> tools = null;
    if (body.getValue("tool_ids") != null) {
      tools = toolIds(body, user);
    } else if (body.getValue("tools") != null) {
      tools = toolNames(body, "tools", user);
    }
    String name = Bodies.optionalString(body, "name");
    return new AgentPatch(name, Bodies.optionalString(body, "system"), Bodies.optionalString(body, "description"),
        metadata(body), Bodies.optionalStrings(body, "tags"), model(body), contextWindow(body), embedding(body),
        timezone(body), tools, blockIds(body), toolRules(body), null);
  }

  /** {@code tool_rules} when given (null: unchanged); each rule is checked (ToolRule.parseAll). */
  static List<ToolRule> toolRules(JsonObject body) {
    Object rules = body.getValue("tool_rules");
    return rules == null ? null : ToolRule.parseAll(rules, "tool_rules");
  }

  private static String agentType(JsonObject body) {
    String type = Bodies.optionalString(body, "agent_type");
    if (type != null && !Agent.AGENT_TYPES.contains(type)) {
      throw Bodies.invalid("agent_type must be one of " + Agent.AGENT_TYPES + ", got '" + type + "'");
    }
    return type;
  }

  private String model(JsonObject body) {
    String handle = Bodies.optionalString(body, "model");
    if (handle != null) {
      return views.models().modelOf(handle);
    }
    JsonObject llm = Bodies.optionalObject(body, "llm_config");
    return llm == null ? null : Bodies.optionalString(llm, "model");
  }

  private static Integer contextWindow(JsonObject body) {
    Integer limit = Bodies.optionalInteger(body, "context_window_limit", 1, Integer.MAX_VALUE);
    if (limit != null) {
      return limit;
    }
    JsonObject llm = Bodies.optionalObject(body, "llm_config");
    return llm == null ? null : Bodies.optionalInteger(llm, "context_window", 1, Integer.MAX_VALUE);
  }

  private String embedding(JsonObject body) {
    String handle = Bodies.optionalString(body, "embedding");
    return handle == null ? null : views.models().embeddingOf(handle);
  }

  private static String timezone(JsonObject body) {
    String zone = Bodies.optionalString(body, "timezone");
    if (zone != null) {
      try {
        ZoneId.of(zone);
      } catch (DateTimeException e) {
        throw Bodies.invalid("timezone must be an IANA time zone such as 'Europe/Paris', got '" + zone + "'");
      }
    }
    return zone;
  }

  /** {@code metadata}, or the 0.4 client's {@code metadata_}; a JSON object. */
  private static Map<String, Object> metadata(JsonObject body) {
    JsonObject metadata = Bodies.optionalObject(body, "metadata");
    if (metadata == null) {
      metadata = Bodies.optionalObject(body, "metadata_");
    }
    return metadata == null ? null : Json.plainMap(metadata);
  }

  /** Whether the body names tools that may be the user's own or MCP ones (then those are read first). */
  static boolean namesTools(JsonObject body) {
    return body.getValue("tools") != null || body.getValue("tool_ids") != null;
  }

  private List<String> toolNames(JsonObject body, String field, UserTools user) {
    List<String> names = Bodies.optionalStrings(body, field);
    if (names == null) {
      return List.of();
    }
    for (String name : names) {
      if (!views.tools().has(name) && !user.has(name)) {
        List<String> known = new ArrayList<>(views.tools().names());
        known.addAll(user.names());
        throw Bodies.invalid("Unknown tool '" + name + "' in " + field + "; the tools are " + known);
      }
    }
    return names;
  }

  private List<String> toolIds(JsonObject body, UserTools user) {
    List<String> ids = Bodies.optionalStrings(body, "tool_ids");
    List<String> names = new ArrayList<>();
    for (String id : ids == null ? List.<String>of() : ids) {
      String bare = PrefixedIds.bare(id, PrefixedIds.TOOL);
      String name = views.tools().nameOfId(bare);
      if (name == null) {
        name = user.nameOfId(bare);
      }
      if (name == null) {
        throw ApiException.notFound("Tool tool_id=" + id + " not found");
      }
      names.add(name);
    }
    return names;
  }

  /**
   * The folders an agent is to have: {@code folder_ids} and the deprecated {@code source_ids} together (bare, each
   * once), or null when neither is given.
   */
  static List<String> folderIds(JsonObject body) {
    List<String> folders = Bodies.optionalStrings(body, "folder_ids");
    List<String> sources = Bodies.optionalStrings(body, "source_ids");
    if (folders == null && sources == null) {
      return null;
    }
    LinkedHashSet<String> bare = new LinkedHashSet<>();
    for (String field : List.of("folder_ids", "source_ids")) {
      for (String id : field.equals("folder_ids") ? nullToEmpty(folders) : nullToEmpty(sources)) {
        String b = PrefixedIds.bare(id, PrefixedIds.SOURCE);
        if (Ids.parse(b) == null) {
          throw Bodies.invalid(field + " must hold folder ids (source-<uuid>), got '" + id + "'");
        }
        bare.add(b);
      }
    }
    return List.copyOf(bare);
  }

  private static List<String> nullToEmpty(List<String> list) {
    return list == null ? List.of() : list;
  }

  private static List<String> blockIds(JsonObject body) {
    List<String> ids = Bodies.optionalStrings(body, "block_ids");
    if (ids == null) {
      return null;
    }
    List<String> bare = new ArrayList<>(ids.size());
    for (String id : ids) {
      String b = PrefixedIds.bare(id, PrefixedIds.BLOCK);
      if (Ids.parse(b) == null) {
        throw Bodies.invalid("block_ids must hold block ids (block-<uuid>), got '" + id + "'");
      }
      bare.add(b);
    }
    return bare;
  }

  /**
   * A new block from a CreateBlock body: a label and a value (null is ""), within its limit (by default Letta's for
   * that label). The 0.4 client's {@code name}, {@code template} and {@code metadata_} are read as well.
   */
  static Block newBlock(JsonObject json, String userId, Instant now, boolean templateByDefault) {
    String label = Bodies.optionalString(json, "label");
    Block.checkLabel(label);
    if (!json.containsKey("value")) {
      throw Bodies.invalid("value is required (a string)");
    }
    String value = Bodies.optionalString(json, "value");
    value = value == null ? "" : value;
    Integer limit = Bodies.optionalInteger(json, "limit", 0, Integer.MAX_VALUE);
    int max = limit == null ? Block.defaultLimit(label) : limit;
    Block.checkFits(label, value, max);
    Boolean template = json.getValue("is_template") != null ? Bodies.optionalBoolean(json, "is_template", false)
        : json.getValue("template") != null ? Bodies.optionalBoolean(json, "template", false) : templateByDefault;
    String templateName = templateName(json);
    return new Block(UUID.randomUUID().toString(), userId, label, value, max,
        Bodies.optionalString(json, "description"), metadata(json), Bodies.optionalBoolean(json, "read_only", false),
        template, templateName, Bodies.optionalStrings(json, "tags"), 1, now, now);
  }

  /** A BlockUpdate body: every field optional (null: unchanged). */
  static BlockPatch blockPatch(JsonObject json) {
    String label = Bodies.optionalString(json, "label");
    if (label != null) {
      Block.checkLabel(label);
    }
    Boolean readOnly = flag(json, "read_only");
    Boolean template = json.getValue("is_template") != null ? flag(json, "is_template") : flag(json, "template");
    String templateName = templateName(json);
    return new BlockPatch(label, Bodies.optionalString(json, "value"),
        Bodies.optionalInteger(json, "limit", 0, Integer.MAX_VALUE), Bodies.optionalString(json, "description"),
        metadata(json), readOnly, template, templateName, Bodies.optionalStrings(json, "tags"));
  }

  /** {@code template_name}, or the 0.4 client's {@code name}; a name by {@link Block#checkName}'s rule. */
  private static String templateName(JsonObject json) {
    String field = json.getValue("template_name") != null ? "template_name" : "name";
    String name = Bodies.optionalString(json, field);
    if (name != null) {
      Block.checkName(field, name);
    }
    return name;
  }

  /**
   * The 0.4 client's {@code UpdateMessage} {id, role?, text?, name?, tool_calls?, tool_call_id?} for the message
   * {@code messageId} (bare); null fields are unchanged. Its {@code id}, when given, must name the same message. A
   * name must be one the model's API takes for a participant (OpenAI's rule: 1 to 64 letters, digits, '_' or '-').
   */
  static MessagePatch messagePatch(JsonObject json, String messageId) {
    String id = Bodies.optionalString(json, "id");
    if (id != null && !PrefixedIds.bare(id, PrefixedIds.MESSAGE).equals(messageId)) {
      throw Bodies.invalid("id must be the message_id of the path, " + PrefixedIds.prefixed(PrefixedIds.MESSAGE,
          messageId) + ", or be left out");
    }
    String role = Bodies.optionalString(json, "role");
    if (role != null && !MESSAGE_ROLES.contains(role)) {
      throw Bodies.invalid("role must be one of " + MESSAGE_ROLES + ", got '" + role + "'");
    }
    String name = Bodies.optionalString(json, "name");
    if (name != null && !PARTICIPANT_NAME.matcher(name).matches()) {
      throw Bodies.invalid("name must be 1 to 64 letters, digits, '_' or '-'");
    }
    return new MessagePatch(role, Bodies.optionalString(json, "text"), name, toolCalls(json),
        Bodies.optionalString(json, "tool_call_id"));
  }

  /** OpenAI's {@code tool_calls} ({@code {id, type, function: {name, arguments}}}), or null when absent or null. */
  private static List<ToolCall> toolCalls(JsonObject json) {
    JsonArray calls = array(json, "tool_calls");
    if (calls == null) {
      return null;
    }
    List<ToolCall> out = new ArrayList<>();
    for (int i = 0; i < calls.size(); i++) {
      JsonObject call = object(calls, i, "tool_calls");
      JsonObject function = Bodies.optionalObject(call, "function");
      if (function == null) {
        throw Bodies.invalid("tool_calls[" + i + "].function is required: {\"name\": ..., \"arguments\": ...}");
      }
      out.add(new ToolCall(Bodies.optionalString(call, "id"), Bodies.optionalString(function, "name"),
          Bodies.optionalString(function, "arguments")));
    }
    return out;
  }

  /** A boolean field, or null when absent or null. */
  private static Boolean flag(JsonObject json, String field) {
    return json.getValue(field) == null ? null : Boolean.valueOf(Bodies.optionalBoolean(json, field, false));
  }

  private static JsonArray array(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value != null && !(value instanceof JsonArray)) {
      throw Bodies.invalid(field + " must be a list");
    }
    return (JsonArray) value;
  }

  private static JsonObject object(JsonArray array, int i, String field) {
    Object item = array.getValue(i);
    if (!(item instanceof JsonObject json)) {
      throw Bodies.invalid(field + "[" + i + "] must be an object");
    }
    return json;
  }
}
