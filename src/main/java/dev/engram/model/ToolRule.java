package dev.engram.model;

import dev.engram.kernel.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One of an agent's tool rules, in Letta's shape (its {@code ToolRule} union, discriminated by {@code type}). One flat
 * record with the fields of every kind; those a kind does not have are null. What each kind means is decided by
 * {@link dev.engram.agent.rules.ToolRuleSolver}. {@code childOutputMapping} maps a tool output (as text: JSON keys
 * are strings) to the one tool allowed after it; {@code args} (run_first) and {@code childArgs} (constrain_child_tools)
 * are Letta's prefilled arguments, kept and shown back.
 */
public record ToolRule(String type, String toolName, List<String> children, String defaultChild,
    Map<String, String> childOutputMapping, Boolean requireOutputMapping, Integer maxCountLimit,
    Map<String, Object> args, List<Map<String, Object>> childArgs, String promptTemplate) {

  public static final String RUN_FIRST = "run_first";
  public static final String EXIT_LOOP = "exit_loop";
  public static final String CONTINUE_LOOP = "continue_loop";
  public static final String CHILDREN = "constrain_child_tools";
  public static final String CONDITIONAL = "conditional";
  public static final String PARENT = "parent_last_tool";
  public static final String MAX_COUNT = "max_count_per_step";
  public static final String REQUIRED_BEFORE_EXIT = "required_before_exit";
  public static final String REQUIRES_APPROVAL = "requires_approval";
  public static final List<String> TYPES = List.of(RUN_FIRST, EXIT_LOOP, CONTINUE_LOOP, CHILDREN, CONDITIONAL, PARENT,
      MAX_COUNT, REQUIRED_BEFORE_EXIT, REQUIRES_APPROVAL);
  /** Bounds that keep one agent's rules small enough to check at every step. */
  public static final int MAX_RULES = 100;
  private static final int MAX_NAME = 256;

  public ToolRule {
    children = children == null ? null : List.copyOf(children);
    childOutputMapping = childOutputMapping == null ? null
        : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(childOutputMapping));
  }

  /** A rule with just a type and a tool (run_first, exit_loop, continue_loop, required_before_exit, approval). */
  public static ToolRule of(String type, String toolName) {
    return new ToolRule(type, toolName, null, null, null, null, null, null, null, null);
  }

  /** The rule as Letta renders it. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("tool_name", toolName).put("type", type).put("prompt_template",
        promptTemplate);
    switch (type) {
      case CHILDREN -> {
        json.put("children", new JsonArray(children));
        json.put("child_arg_nodes", childArgs == null ? null : new JsonArray(new ArrayList<>(childArgs)));
      }
      case PARENT -> json.put("children", new JsonArray(children));
      case CONDITIONAL -> json.put("default_child", defaultChild)
          .put("child_output_mapping", new JsonObject(new LinkedHashMap<>(childOutputMapping)))
          .put("require_output_mapping", Boolean.TRUE.equals(requireOutputMapping));
      case MAX_COUNT -> json.put("max_count_limit", maxCountLimit);
      case RUN_FIRST -> json.put("args", args == null ? null : new JsonObject(args));
      default -> { }
    }
    return json;
  }

  public static JsonArray toJson(List<ToolRule> rules) {
    JsonArray out = new JsonArray();
    rules.forEach(r -> out.add(r.toJson()));
    return out;
  }

  /**
   * Reads a list of rules as a client sends it ({@code where} names the field in errors): an unknown type, a missing
   * or blank tool_name, or a field of the wrong type for its kind is a 422 saying which.
   */
  public static List<ToolRule> parseAll(Object value, String where) {
    if (!(value instanceof JsonArray array)) {
      throw ApiException.unprocessable(where + " must be an array of tool rules");
    }
    if (array.size() > MAX_RULES) {
      throw ApiException.unprocessable(where + " may hold at most " + MAX_RULES + " rules");
    }
    List<ToolRule> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      String at = where + "[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject json)) {
        throw ApiException.unprocessable(at + " must be an object such as {\"type\": \"exit_loop\", \"tool_name\":"
            + " \"send_message\"}");
      }
      ToolRule rule = parse(json, at);
      if (!out.contains(rule)) {
        out.add(rule);
      }
    }
    return List.copyOf(out);
  }

  /** One rule; see {@link #parseAll}. */
  public static ToolRule parse(JsonObject json, String at) {
    Object type = json.getValue("type");
    if (!(type instanceof String t) || !TYPES.contains(t)) {
      throw ApiException.unprocessable(at + ".type must be one of " + TYPES + ", got " + quoted(type));
    }
    String toolName = name(json.getValue("tool_name"), at + ".tool_name");
    String template = optionalString(json, "prompt_template", at);
    return switch (t) {
      case CHILDREN -> {
        List<String> children = names(json.getValue("children"), at + ".children");
        yield new ToolRule(t, toolName, children, null, null, null, null, null, childArgs(json, at, children),
            template);
      }
      case PARENT -> new ToolRule(t, toolName, names(json.getValue("children"), at + ".children"), null, null,
          null, null, null, null, template);
      case CONDITIONAL -> conditional(json, at, toolName, template);
      case MAX_COUNT -> {
        Object limit = json.getValue("max_count_limit");
        if (!(limit instanceof Integer || limit instanceof Long) || ((Number) limit).longValue() < 1
            || ((Number) limit).longValue() > 1_000_000) {
          throw ApiException.unprocessable(at + ".max_count_limit must be a whole number of at least 1, got "
              + quoted(limit));
        }
        yield new ToolRule(t, toolName, null, null, null, null, ((Number) limit).intValue(), null, null, template);
      }
      case RUN_FIRST -> {
        Object args = json.getValue("args");
        if (args != null && !(args instanceof JsonObject)) {
          throw ApiException.unprocessable(at + ".args must be an object of prefilled arguments");
        }
        yield new ToolRule(t, toolName, null, null, null, null, null,
            args == null ? null : ((JsonObject) args).getMap(), null, template);
      }
      default -> new ToolRule(t, toolName, null, null, null, null, null, null, null, template);
    };
  }

  private static ToolRule conditional(JsonObject json, String at, String toolName, String template) {
    Object mapping = json.getValue("child_output_mapping");
    if (!(mapping instanceof JsonObject m) || m.isEmpty()) {
      throw ApiException.unprocessable(at + ".child_output_mapping must be a non-empty object mapping an output to"
          + " a tool name");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : m.fieldNames()) {
      out.put(key, name(m.getValue(key), at + ".child_output_mapping." + key));
    }
    Object dflt = json.getValue("default_child");
    String defaultChild = dflt == null ? null : name(dflt, at + ".default_child");
    Object strict = json.getValue("require_output_mapping");
    if (strict != null && !(strict instanceof Boolean)) {
      throw ApiException.unprocessable(at + ".require_output_mapping must be true or false");
    }
    return new ToolRule(CONDITIONAL, toolName, null, defaultChild, out, Boolean.TRUE.equals(strict), null, null,
        null, template);
  }

  private static List<Map<String, Object>> childArgs(JsonObject json, String at, List<String> children) {
    Object nodes = json.getValue("child_arg_nodes");
    if (nodes == null) {
      return null;
    }
    if (!(nodes instanceof JsonArray array)) {
      throw ApiException.unprocessable(at + ".child_arg_nodes must be an array of {name, args}");
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      String where = at + ".child_arg_nodes[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject node)) {
        throw ApiException.unprocessable(where + " must be an object {name, args}");
      }
      String name = name(node.getValue("name"), where + ".name");
      if (!children.contains(name)) {
        throw ApiException.unprocessable(where + ".name '" + name + "' is not one of the rule's children");
      }
      Object args = node.getValue("args");
      if (args != null && !(args instanceof JsonObject)) {
        throw ApiException.unprocessable(where + ".args must be an object");
      }
      Map<String, Object> child = new LinkedHashMap<>();
      child.put("name", name);
      child.put("args", args == null ? null : ((JsonObject) args).getMap());
      out.add(child);
    }
    return out;
  }

  private static List<String> names(Object value, String where) {
    if (!(value instanceof JsonArray array) || array.isEmpty()) {
      throw ApiException.unprocessable(where + " must be a non-empty array of tool names");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      out.add(name(array.getValue(i), where + "[" + i + "]"));
    }
    return out;
  }

  private static String name(Object value, String where) {
    if (!(value instanceof String s) || s.isBlank() || s.length() > MAX_NAME) {
      throw ApiException.unprocessable(where + " must be a tool name (a non-empty string of at most " + MAX_NAME
          + " characters), got " + quoted(value));
    }
    return s;
  }

  private static String optionalString(JsonObject json, String field, String at) {
    Object value = json.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw ApiException.unprocessable(at + "." + field + " must be a string");
    }
    return (String) value;
  }

  private static String quoted(Object value) {
    return value == null ? "nothing" : value instanceof String s ? "'" + s + "'" : String.valueOf(value);
  }
}
