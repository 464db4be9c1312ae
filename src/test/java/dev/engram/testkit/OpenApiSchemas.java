package dev.engram.testkit;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The response schemas of an OpenAPI 3.1 document (the server's /openapi.json), and a check of real answers against
 * them with a JSON Schema 2020-12 validator (networknt). A request is matched to its operation as the router does:
 * the path template that matches, a literal segment winning over a parameter ({@code /v1/agents/count} over
 * {@code /v1/agents/{agent_id}}); its status to {@code responses[status]}, else {@code default}.
 */
public final class OpenApiSchemas {
  private record Template(String path, Pattern pattern, int literals) {}

  private final JsonObject document;
  private final List<Template> templates = new ArrayList<>();
  /** JSON Schema 2020-12 with OpenAPI 3.1's vocabulary (discriminator, example), the document's jsonSchemaDialect. */
  private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31());
  private final Map<String, Schema> compiled = new ConcurrentHashMap<>();

  public OpenApiSchemas(JsonObject document) {
    this.document = document;
    for (String path : document.getJsonObject("paths").fieldNames()) {
      String[] segments = path.split("/", -1);
      StringBuilder regex = new StringBuilder();
      int literals = 0;
      for (int i = 1; i < segments.length; i++) {
        boolean param = segments[i].startsWith("{");
        regex.append('/').append(param ? "[^/]+" : Pattern.quote(segments[i]));
        literals += param ? 0 : 1;
      }
      templates.add(new Template(path, Pattern.compile(regex + "/?"), literals));
    }
    // the most literal template first: the router's choice among templates that match (count before {agent_id})
    templates.sort(Comparator.comparingInt(Template::literals).reversed());
  }

  /** The served document of {@code api}'s server. */
  public static OpenApiSchemas of(Api api) {
    Api.Response r = api.get("/openapi.json", null);
    if (r.status() != 200) {
      throw new AssertionError("GET /openapi.json answered " + r.status() + ": " + r.body());
    }
    return new OpenApiSchemas(r.json());
  }

  public JsonObject document() {
    return document;
  }

  /** The path template of the document that {@code method path} goes to, or null when none does. */
  public String template(String method, String path) {
    String bare = path.split("\\?", 2)[0];
    for (Template t : templates) {
      if (t.pattern().matcher(bare).matches()
          && document.getJsonObject("paths").getJsonObject(t.path()).containsKey(method.toLowerCase(Locale.ROOT))) {
        return t.path();
      }
    }
    return null;
  }

  /**
   * What is wrong with an answer, given the document: null when the body fits the JSON schema of its route and
   * status, or the route declares no JSON body for it (SSE, 204, a WebSocket); else the validator's messages.
   * An answer of a route the document does not name is a problem too.
   */
  public String problems(String method, String path, int status, String body) {
    String template = template(method, path);
    if (template == null) {
      return method + " " + path + " is not in the document";
    }
    String key = method.toLowerCase(Locale.ROOT) + " " + template + " " + status;
    JsonObject schema = responseSchema(method.toLowerCase(Locale.ROOT), template, status);
    if (schema == null) {
      return null;
    }
    List<Error> errors = errors(key, schema, body);
    if (errors.isEmpty()) {
      return null;
    }
    return method + " " + path + " (" + template + ") answered " + status + " not as documented: "
        + errors.stream().limit(10).map(Error::toString).toList() + "\n    body: "
        + (body.length() > 1500 ? body.substring(0, 1500) + "..." : body);
  }

  /**
   * What is wrong with one event of a Server-Sent Events answer (the JSON of a {@code data:} line) or one frame of a
   * WebSocket, given the schema its operation names in {@code x-event-schema}: null when it fits; {@code [DONE]}
   * always fits.
   */
  public String eventProblems(String method, String path, String data) {
    String template = template(method, path);
    if (template == null) {
      return method + " " + path + " is not in the document";
    }
    String op = method.toLowerCase(Locale.ROOT);
    JsonObject responses = document.getJsonObject("paths").getJsonObject(template).getJsonObject(op)
        .getJsonObject("responses");
    // a stream's media type, or a WebSocket's 101, names the schema of its events
    JsonObject ok = responses.getJsonObject("200");
    JsonObject holder = ok != null && ok.getJsonObject("content") != null
        ? ok.getJsonObject("content").getJsonObject("text/event-stream") : responses.getJsonObject("101");
    if (holder == null || holder.getJsonObject("x-event-schema") == null) {
      return method + " " + template + " declares no event stream or WebSocket with an x-event-schema";
    }
    if (data.equals("[DONE]")) {
      return null;
    }
    List<Error> errors = errors(op + " " + template + " event", holder.getJsonObject("x-event-schema"), data);
    return errors.isEmpty() ? null : method + " " + path + " streamed an event not as documented: "
        + errors.stream().limit(10).map(Error::toString).toList() + "\n    event: " + data;
  }

  /**
   * Asserts that the answer fits the document (see {@link #problems}); an answer of a path no route takes must be an
   * error, {@code {"detail"}}.
   */
  public void check(String method, String path, Api.Response r) {
    if (template(method, path) == null) {
      if (r.status() < 400 || !errors("error", new JsonObject().put("$ref", "#/components/schemas/Error"), r.body())
          .isEmpty()) {
        throw new AssertionError(method + " " + path + " is not in the document, yet answered " + r.status() + ": "
            + r.body());
      }
      return;
    }
    String problem = problems(method, path, r.status(), r.body());
    if (problem != null) {
      throw new AssertionError(problem);
    }
  }

  private List<Error> errors(String key, JsonObject schema, String body) {
    try {
      return compiled.computeIfAbsent(key, k -> compile(schema)).validate(body, InputFormat.JSON);
    } catch (RuntimeException notJson) {
      throw new AssertionError("not JSON: " + body, notJson);
    }
  }

  /** The JSON schema of the answer's body, or null when the route declares none for that status. */
  private JsonObject responseSchema(String method, String template, int status) {
    JsonObject responses = document.getJsonObject("paths").getJsonObject(template).getJsonObject(method)
        .getJsonObject("responses");
    JsonObject response = responses.getJsonObject(Integer.toString(status));
    if (response == null) {
      response = responses.getJsonObject("default");
    }
    if (response == null) {
      throw new AssertionError(method + " " + template + " has no response " + status + " nor a default one");
    }
    if (response.containsKey("$ref")) {
      String name = response.getString("$ref").replace("#/components/responses/", "");
      response = document.getJsonObject("components").getJsonObject("responses").getJsonObject(name);
    }
    JsonObject content = response.getJsonObject("content");
    JsonObject json = content == null ? null : content.getJsonObject("application/json");
    return json == null ? null : json.getJsonObject("schema");
  }

  /**
   * A schema with the document's component schemas as its {@code $defs}, so that {@code #/components/schemas/X}
   * (rewritten {@code #/$defs/X}) resolves within it.
   */
  private Schema compile(JsonObject schema) {
    JsonObject root = new JsonObject().put("$defs", document.getJsonObject("components").getJsonObject("schemas"))
        .put("allOf", new io.vertx.core.json.JsonArray().add(schema));
    return registry.getSchema(root.encode().replace("\"#/components/schemas/", "\"#/$defs/"), InputFormat.JSON);
  }
}
