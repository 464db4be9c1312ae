package dev.engram.http.docs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.engram.EngramServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The OpenAPI 3.1 document of every route, kept by hand as YAML in {@code src/main/resources/openapi/}: the root
 * ({@code openapi.yaml}), one file of paths per API (listed in the root's {@code x-engram-path-files}) and the shared
 * {@code components.yaml}. Written by hand, not generated from the handlers, because the handlers do not know their
 * shapes (they render JsonObjects); tests keep the two in step: OpenApiDocumentTest fails on a mounted route missing
 * here or a path here that is not mounted, ResponseSchemaTest and the tests that use TestServer.checkedApi() on an
 * answer that does not fit its schema.
 *
 * <p>Loading merges the files and adds to every operation the answers any route can give, so that the files say only
 * what is particular to a route: 400 (an unreadable request: the edge checks every one), 401 and 403 (unless the
 * operation is public, {@code security: []}) and {@code default} (405, 408, 413, 414, 431, 5xx).
 */
public final class OpenApiDocument {
  private static final String DIR = "openapi/";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, String> COMMON_ERRORS = Map.of("400", "BadRequest", "401", "Unauthorized", "403",
      "Forbidden", "default", "Error");
  private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch",
      "trace");

  private OpenApiDocument() {}

  /** The whole document; fails when a file is missing or not YAML, so that a broken document fails the start. */
  public static JsonObject load() {
    JsonObject root = read("openapi.yaml");
    JsonArray files = (JsonArray) root.remove("x-engram-path-files");
    JsonObject paths = new JsonObject();
    for (Object file : files) {
      read((String) file).forEach(path -> {
        if (paths.containsKey(path.getKey())) {
          throw new IllegalStateException("openapi: path " + path.getKey() + " is in two files");
        }
        paths.put(path.getKey(), path.getValue());
      });
    }
    paths.forEach(path -> addCommonErrors((JsonObject) path.getValue()));
    root.getJsonObject("info").put("version", EngramServer.VERSION);
    return root.put("paths", paths).put("components", read("components.yaml"));
  }

  private static void addCommonErrors(JsonObject pathItem) {
    for (String method : METHODS) {
      JsonObject op = pathItem.getJsonObject(method);
      if (op == null) {
        continue;
      }
      boolean isPublic = op.getJsonArray("security") != null && op.getJsonArray("security").isEmpty();
      JsonObject responses = op.getJsonObject("responses");
      COMMON_ERRORS.forEach((status, name) -> {
        if (!responses.containsKey(status) && !(isPublic && (status.equals("401") || status.equals("403")))) {
          responses.put(status, new JsonObject().put("$ref", "#/components/responses/" + name));
        }
      });
      op.put("responses", byStatus(responses));
    }
  }

  /** The answers in the order a reader looks for them: by status, {@code default} last. */
  private static JsonObject byStatus(JsonObject responses) {
    JsonObject sorted = new JsonObject();
    responses.fieldNames().stream().sorted(Comparator.comparing((String s) -> s.equals("default"))
        .thenComparing(Comparator.naturalOrder())).forEach(s -> sorted.put(s, responses.getValue(s)));
    return sorted;
  }

  private static JsonObject read(String file) {
    try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(DIR + file)) {
      if (in == null) {
        throw new IllegalStateException("openapi: no resource " + DIR + file);
      }
      // through JSON text, so that every nested object is a JsonObject of its own (not a wrapped Map)
      return new JsonObject(new ObjectMapper().writeValueAsString(YAML.readValue(in, Object.class)));
    } catch (IOException e) {
      throw new UncheckedIOException("openapi: cannot read " + DIR + file, e);
    }
  }
}
