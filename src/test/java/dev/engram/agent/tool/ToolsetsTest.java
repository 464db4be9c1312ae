package dev.engram.agent.tool;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The per-run toolset's cheap path and the JSON Schema checks, called directly. */
class ToolsetsTest {
  @Test
  @DisplayName("an agent whose tools are all built in gets the shared built-in toolset at once: no store is asked")
  void builtInOnlyNeedsNoQuery() {
    ToolRegistry registry = new ToolRegistry();
    // no store, sandbox or MCP client at all: a query would fail with a NullPointerException
    Toolsets toolsets = new Toolsets(registry, null, null, null, null);
    var first = toolsets.of("user", registry.defaultToolNames());
    var second = toolsets.of("user", List.of("send_message", "memory_insert"));
    assertTrue(first.succeeded() && second.succeeded());
    assertSame(first.result(), second.result());
    assertSame(registry.schemas(registry.defaultToolNames()), first.result().schemas(registry.defaultToolNames()));
    assertFalse(first.result().defaultRequiresApproval("send_message"));
  }

  @Test
  @DisplayName("arguments are checked against a tool's parameters, and a schema against the draft-07 meta-schema")
  void jsonSchemaChecks() {
    var schema = JsonSchemas.compile(Map.of("type", "object", "properties", Map.of("n", Map.of("type", "integer")),
        "required", List.of("n")));
    assertNull(JsonSchemas.check(schema, Map.of("n", 3)));
    assertTrue(JsonSchemas.check(schema, Map.of("n", "three")).contains("integer expected"));
    assertTrue(JsonSchemas.check(schema, Map.of()).contains("n"));
    assertNull(JsonSchemas.problems(Map.of("type", "object")));
    assertNotNull(JsonSchemas.problems(Map.of("type", "object", "properties", Map.of("n", Map.of("type", "int")))));
  }
}
