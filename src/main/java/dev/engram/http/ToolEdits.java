package dev.engram.http;

import dev.engram.agent.AgentClient;
import dev.engram.agent.tool.JsonSchemas;
import dev.engram.agent.tool.ToolRegistry;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.Times;
import dev.engram.mcp.SecretMask;
import dev.engram.model.CustomTool;
import dev.engram.sandbox.Limits;
import dev.engram.sandbox.SandboxClient;
import dev.engram.store.ToolClient;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Creating, changing and deleting a user's own tools, for both APIs. A tool's schema is derived from its source in
 * the sandbox (as Letta derives it from the signature and docstring) unless an explicit {@code json_schema} is given,
 * which is then checked against the JSON Schema meta-schema and must name the source's function. Whatever is refused
 * (a source that does not parse, no function or several, a bad schema, a built-in tool's name, network access the
 * server does not allow) is refused before anything is stored. Deleting a tool detaches it from the user's agents.
 */
public final class ToolEdits {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");

  private final ToolClient store;
  private final SandboxClient sandbox;
  private final AgentClient agents;
  private final ToolRegistry builtIns;
  private final boolean networkAllowed;

  public ToolEdits(ToolClient store, SandboxClient sandbox, AgentClient agents, ToolRegistry builtIns,
      boolean networkAllowed) {
    this.store = store;
    this.sandbox = sandbox;
    this.agents = agents;
    this.builtIns = builtIns;
    this.networkAllowed = networkAllowed;
  }

  public Future<CustomTool> create(String userId, ToolDraft d) {
    return schema(d, null).compose(schema -> {
      Instant now = Times.now();
      return store.create(merge(userId, UUID.randomUUID().toString(), d, schema, null, now));
    });
  }

  /** Creates the tool, or replaces the user's tool of the same name (Letta's upsert). */
  public Future<CustomTool> upsert(String userId, ToolDraft d) {
    return schema(d, null).compose(schema -> store.find(userId, List.of((String) schema.get("name"))).compose(found -> {
      Instant now = Times.now();
      if (found.isEmpty()) {
        return store.create(merge(userId, UUID.randomUUID().toString(), d, schema, null, now));
      }
      CustomTool old = found.get(0);
      return store.save(merge(userId, old.id(), d, schema, old, now));
    }));
  }

  /** The fields given change; a new source or schema is checked (and the schema derived) again. */
  public Future<CustomTool> update(String userId, String toolId, ToolDraft d) {
    return store.get(userId, toolId).compose(old -> {
      boolean reschema = d.sourceCode() != null || d.jsonSchema() != null;
      ToolDraft full = reschema ? new ToolDraft(d.name(), d.description(),
          d.sourceCode() != null ? d.sourceCode() : old.sourceCode(), d.sourceType(), d.jsonSchema(), d.tags(),
          d.returnCharLimit(), d.defaultRequiresApproval(), d.env(), d.allowNetwork(), d.metadata()) : d;
      Future<Map<String, Object>> schema = reschema ? schema(full, null) : renamed(old, d);
      return schema.compose(s -> store.save(merge(userId, old.id(), full, s, old, Times.now())));
    });
  }

  /** Deletes the tool, then detaches it from each agent of the user that had it. */
  public Future<CustomTool> delete(String userId, String toolId) {
    return store.delete(userId, toolId).compose(deleted -> {
      Future<Void> detached = Future.succeededFuture();
      for (String agentId : deleted.agentIds()) {
        detached = detached.compose(v -> agents.linkTool(userId, agentId, deleted.tool().name(), false)
            .<Void>mapEmpty().otherwiseEmpty());
      }
      return detached.map(deleted.tool());
    });
  }

  /** The stored schema with a new name or description, when only those are given. */
  private Future<Map<String, Object>> renamed(CustomTool old, ToolDraft d) {
    Map<String, Object> schema = new LinkedHashMap<>(old.jsonSchema());
    if (d.description() != null) {
      schema.put("description", d.description());
    }
    if (d.name() != null && !d.name().equals(old.name())) {
      return Future.failedFuture(ApiException.unprocessable("A tool's name is its function's name ('" + old.name()
          + "'): change the source to rename it"));
    }
    return Future.succeededFuture(schema);
  }

  private CustomTool merge(String userId, String id, ToolDraft d, Map<String, Object> schema, CustomTool old,
      Instant now) {
    String name = (String) schema.get("name");
    if (builtIns.has(name)) {
      throw ApiException.conflict("'" + name + "' is the name of a built-in tool; a custom tool needs another name");
    }
    boolean network = d.allowNetwork() != null ? d.allowNetwork() : old != null && old.allowNetwork();
    if (network && !networkAllowed) {
      throw ApiException.unprocessable("allow_network: this server does not let tools open network connections"
          + " (its operator can allow it with TOOL_ALLOW_NETWORK=true)");
    }
    Map<String, String> env = d.env() == null ? (old == null ? Map.of() : old.env())
        : SecretMask.keep(d.env(), old == null ? Map.of() : old.env());
    String description = d.description() != null ? d.description() : (String) schema.get("description");
    return new CustomTool(id, userId, name, description,
        d.sourceCode() != null ? d.sourceCode() : old.sourceCode(), "python", schema,
        d.tags() != null ? d.tags() : old == null ? List.of() : old.tags(),
        d.returnCharLimit() != null ? d.returnCharLimit() : old == null ? Limits.DEFAULT_RETURN_CHARS
            : old.returnCharLimit(),
        d.defaultRequiresApproval() != null ? d.defaultRequiresApproval()
            : old != null && old.defaultRequiresApproval(),
        env, network, d.metadata() != null ? d.metadata() : old == null ? Map.of() : old.metadata(),
        old == null ? now : old.createdAt(), now);
  }

  /**
   * The tool's schema: derived from the source, or the explicit one checked. {@code name}, when given, must be the
   * function's name (a tool is called by it).
   */
  private Future<Map<String, Object>> schema(ToolDraft d, Void unused) {
    if (d.sourceCode() == null || d.sourceCode().isBlank()) {
      return Future.failedFuture(Bodies.invalid("source_code is required: a tool is Python source with one function"));
    }
    if (d.jsonSchema() == null) {
      return sandbox.schemaOf(d.sourceCode()).compose(derived -> {
        Map<String, Object> schema = new LinkedHashMap<>(derived);
        if (d.name() != null && !d.name().equals(schema.get("name"))) {
          return Future.failedFuture(ApiException.unprocessable("name '" + d.name() + "' is not the name of the"
              + " source's function '" + schema.get("name") + "'"));
        }
        if (d.description() != null) {
          schema.put("description", d.description());
        }
        return Future.succeededFuture(schema);
      });
    }
    Map<String, Object> schema = explicit(d);
    String name = (String) schema.get("name");
    // the source must still be a tool: it parses and has one function, of the schema's name; a function without
    // the docstring or annotations that derivation needs is fine when the schema is given
    return sandbox.schemaOf(d.sourceCode()).map(derived -> (String) derived.get("name")).recover(e -> {
      ApiException api = ApiException.from(e);
      String detail = api.getMessage() == null ? "" : api.getMessage();
      if (api.kind() == ErrorKind.UNAVAILABLE || detail.contains("does not parse") || detail.contains("defines")) {
        return Future.failedFuture(api);
      }
      return Future.succeededFuture(null);
    }).compose(function -> {
      boolean defines = function != null ? function.equals(name)
          : Pattern.compile("(?m)^(async\\s+)?def\\s+" + Pattern.quote(name) + "\\s*\\(").matcher(d.sourceCode())
              .find();
      if (!defines) {
        return Future.failedFuture(ApiException.unprocessable("json_schema.name '" + name + "' is not the name of"
            + " the source's function" + (function == null ? "" : " '" + function + "'")));
      }
      return Future.succeededFuture(schema);
    });
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> explicit(ToolDraft d) {
    Map<String, Object> schema = new LinkedHashMap<>(d.jsonSchema());
    Object name = schema.get("name");
    if (d.name() != null && name == null) {
      name = d.name();
      schema.put("name", name);
    }
    if (!(name instanceof String n) || !IDENTIFIER.matcher(n).matches()) {
      throw Bodies.invalid("json_schema.name must be the Python name of the tool's function");
    }
    if (d.name() != null && !d.name().equals(name)) {
      throw Bodies.invalid("name '" + d.name() + "' differs from json_schema.name '" + name + "'");
    }
    if (d.description() != null) {
      schema.put("description", d.description());
    }
    schema.putIfAbsent("description", "");
    Object params = schema.get("parameters");
    if (params == null) {
      params = new LinkedHashMap<>(Map.of("type", "object", "properties", new LinkedHashMap<>()));
      schema.put("parameters", params);
    }
    if (!(params instanceof Map<?, ?> p) || !"object".equals(p.get("type"))) {
      throw Bodies.invalid("json_schema.parameters must be a JSON schema of type object");
    }
    String problems = JsonSchemas.problems((Map<String, Object>) params);
    if (problems != null) {
      throw Bodies.invalid("json_schema.parameters is not a valid JSON schema: " + problems);
    }
    Map<String, Object> props = (Map<String, Object>) ((Map<String, Object>) params).get("properties");
    if (props != null && props.containsKey("request_heartbeat")) {
      // the agent adds its own; the tool never sees it
      props = new LinkedHashMap<>(props);
      props.remove("request_heartbeat");
      Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) params);
      copy.put("properties", props);
      Object required = copy.get("required");
      if (required instanceof List<?> list) {
        List<Object> kept = new ArrayList<>(list);
        kept.remove("request_heartbeat");
        copy.put("required", kept);
      }
      schema.put("parameters", copy);
    }
    return schema;
  }
}
