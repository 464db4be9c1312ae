package dev.engram.sandbox;

import dev.engram.kernel.Endpoint;
import java.util.Map;

/** The tool sandbox on the bus ({@link SandboxVerticle}): runs a call, derives a schema. */
public final class SandboxProtocol {
  private SandboxProtocol() {}

  /** Never fails: every outcome is a {@link ToolRun}. */
  public static final Endpoint<RunCall, ToolRun> RUN = Endpoint.of("sandbox.run", RunCall.class, ToolRun.class);
  /** 400 with the reason for a source that cannot be a tool, 503 when the sandbox cannot run here. */
  public static final Endpoint<DeriveSchema, DerivedSchema> SCHEMA =
      Endpoint.of("sandbox.schema", DeriveSchema.class, DerivedSchema.class);

  /**
   * Calls {@code function} of {@code source} with {@code args}; {@code returnChars} caps the return, {@code network}
   * lets it connect (the verticle refuses it when the server does not allow networked tools).
   */
  public record RunCall(String source, String function, Map<String, Object> args, Map<String, String> env,
      int returnChars, boolean network) {}
  public record DeriveSchema(String source) {}
  public record DerivedSchema(Map<String, Object> schema) {}
}
