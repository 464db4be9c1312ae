package dev.engram.http;

import dev.engram.kernel.Json;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A tool as a create, upsert or update body gives it (Letta's ToolCreate / ToolUpdate, the 0.3 API's form): every
 * field may be absent (null). {@code env} is the tool's own environment variables (an object of strings); a value
 * sent back masked, as a view shows it, keeps the stored secret.
 */
public record ToolDraft(String name, String description, String sourceCode, String sourceType,
    Map<String, Object> jsonSchema, List<String> tags, Integer returnCharLimit, Boolean defaultRequiresApproval,
    Map<String, String> env, Boolean allowNetwork, Map<String, Object> metadata) {

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");
  private static final int MAX_SOURCE_CHARS = 1 << 20;
  private static final int MAX_ENV = 100;

  /** Reads the fields of a body; a field of the wrong type is a 422 naming it. */
  public static ToolDraft of(JsonObject body) {
    String source = Bodies.optionalString(body, "source_code");
    if (source != null) {
      Bodies.bounded(source, "source_code", MAX_SOURCE_CHARS);
    }
    String type = Bodies.optionalString(body, "source_type");
    if (type != null && !type.equals("python")) {
      throw Bodies.invalid("source_type must be 'python' (Engram runs Python tools only)");
    }
    JsonObject schema = Bodies.optionalObject(body, "json_schema");
    JsonObject metadata = Bodies.optionalObject(body, "metadata_");
    if (metadata == null) {
      metadata = Bodies.optionalObject(body, "metadata");
    }
    Object approval = body.getValue("default_requires_approval");
    Object network = body.getValue("allow_network");
    return new ToolDraft(Bodies.optionalString(body, "name"), Bodies.optionalString(body, "description"), source,
        type, schema == null || schema.isEmpty() ? null : Json.plainMap(schema), Bodies.optionalStrings(body, "tags"),
        Bodies.optionalInteger(body, "return_char_limit", 1, 1_000_000),
        approval == null ? null : Bodies.optionalBoolean(body, "default_requires_approval", false), env(body),
        network == null ? null : Bodies.optionalBoolean(body, "allow_network", false),
        metadata == null ? null : Json.plainMap(metadata));
  }

  private static Map<String, String> env(JsonObject body) {
    JsonObject env = Bodies.optionalObject(body, "env");
    if (env == null) {
      return null;
    }
    if (env.size() > MAX_ENV) {
      throw Bodies.invalid("env has more than " + MAX_ENV + " variables");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : env.fieldNames()) {
      if (!ENV_NAME.matcher(key).matches()) {
        throw Bodies.invalid("env: '" + key + "' is not a valid environment variable name (letters, digits, _)");
      }
      if (!(env.getValue(key) instanceof String value)) {
        throw Bodies.invalid("env: the value of " + key + " must be a string");
      }
      out.put(key, value);
    }
    return out;
  }
}
