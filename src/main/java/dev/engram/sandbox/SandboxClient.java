package dev.engram.sandbox;

import static dev.engram.sandbox.SandboxProtocol.*;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.Map;

/** Typed access to the tool sandbox's verticle. */
public final class SandboxClient {
  private final Vertx vertx;
  private final DeliveryOptions options;

  /** {@code wallSeconds}: the longest a call may run; the reply waits for that, a queue and a margin. */
  public SandboxClient(Vertx vertx, int wallSeconds) {
    this.vertx = vertx;
    this.options = new DeliveryOptions().setSendTimeout(wallSeconds * 1000L * 4 + 60_000);
  }

  public Future<ToolRun> run(String source, String function, Map<String, Object> args, Map<String, String> env,
      int returnChars, boolean network) {
    return RUN.ask(vertx, new RunCall(source, function, args, env, returnChars, network), options);
  }

  /** The schema derived from a tool's source; 400 saying why when it cannot be, 503 when the sandbox cannot run. */
  public Future<Map<String, Object>> schemaOf(String source) {
    return SCHEMA.ask(vertx, new DeriveSchema(source), options).map(DerivedSchema::schema);
  }
}
