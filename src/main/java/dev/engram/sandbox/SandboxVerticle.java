package dev.engram.sandbox;

import static dev.engram.sandbox.SandboxProtocol.*;

import dev.engram.agent.tool.JsonSchemas;
import dev.engram.kernel.Json;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The owner of the tool sandbox: one instance per server process, so its pool bounds the calls of every agent
 * together. Serves {@link SandboxProtocol}; stopping it kills the sandboxed processes.
 */
public final class SandboxVerticle extends VerticleBase {
  private final SandboxSettings settings;
  private ToolSandbox sandbox;

  public SandboxVerticle(SandboxSettings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    sandbox = ToolSandbox.create(vertx, settings);
    return Future.all(List.of(RUN.serve(vertx, this::run), SCHEMA.serve(vertx, this::schema)))
        // warm one process now, in the background: a slow start must not hold the server's start; and load the JSON
        // Schema validator off the event loops (its first use reads and compiles the meta-schema: about a second)
        .onSuccess(v -> {
          sandbox.start();
          vertx.executeBlocking(() -> JsonSchemas.problems(Map.of("type", "object")), false);
        });
  }

  private Future<ToolRun> run(RunCall call) {
    Limits limits = sandbox.defaultLimits().withReturnChars(call.returnChars())
        .withNetwork(call.network() && settings.allowNetwork());
    return sandbox.run(new ToolCode(call.source()), call.function(),
        new JsonObject(new LinkedHashMap<>(call.args())), call.env(), limits);
  }

  private Future<DerivedSchema> schema(DeriveSchema req) {
    return sandbox.schemaOf(req.source()).map(schema -> new DerivedSchema(Json.plainMap(schema)));
  }

  @Override
  public Future<?> stop() {
    return sandbox == null ? Future.succeededFuture() : sandbox.stop();
  }
}
