package dev.engram.agent.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.engram.kernel.Json;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * JSON Schema (draft 7, what OpenAI's function parameters are written in) for the tools that are not built in: a
 * user's explicit schema is checked against the meta-schema, and the arguments a model passes against the tool's
 * parameters. Schemas are compiled once and may be shared between threads.
 */
public final class JsonSchemas {
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
  private static final Schema META = REGISTRY.getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_7.getDialectId()));
  /** At most this many problems are named in one answer. */
  private static final int SHOWN = 3;

  private JsonSchemas() {}

  /** What is wrong with {@code schema} as a JSON schema, or null when nothing is. */
  public static String problems(Map<String, Object> schema) {
    try {
      return describe(META.validate(node(schema)));
    } catch (RuntimeException e) {
      return e.getMessage();
    }
  }

  /** The compiled schema; throws IllegalArgumentException for one that cannot be compiled. */
  public static Schema compile(Map<String, Object> schema) {
    try {
      return REGISTRY.getSchema(node(schema));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** What is wrong with {@code value} for {@code schema}, or null when nothing is. */
  public static String check(Schema schema, Map<String, Object> value) {
    return describe(schema.validate(node(value)));
  }

  private static JsonNode node(Object value) {
    return Json.MAPPER.valueToTree(value);
  }

  private static String describe(List<Error> errors) {
    if (errors.isEmpty()) {
      return null;
    }
    return errors.stream().limit(SHOWN).map(JsonSchemas::say).collect(Collectors.joining("; "));
  }

  /** An error with where it is ({@code $.x: string found, integer expected}); the root is not named. */
  private static String say(Error e) {
    String at = String.valueOf(e.getInstanceLocation());
    return "$".equals(at) || at.isEmpty() ? e.getMessage() : at + ": " + e.getMessage();
  }
}
