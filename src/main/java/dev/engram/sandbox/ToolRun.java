package dev.engram.sandbox;

import io.vertx.core.json.JsonObject;

/**
 * The outcome of one tool call. On success {@code returnValue} is what the model sees, as Letta makes it: a string
 * return as it is, None as {@code "None"}, anything else as its JSON text, cut at the call's return limit with
 * Letta's note ({@code truncated}). On failure {@code returnValue} is null, {@code failure} says which kind and
 * {@code error} says what happened in words (for an exception, the last line of its traceback; the traceback itself
 * is at the end of {@code stderr}). {@code stdout} and {@code stderr} are what the tool printed, each capped.
 * {@code functionMicros} is the time inside the function itself, {@code elapsedMicros} the whole call as the caller
 * waited for it (queueing included).
 */
public record ToolRun(Status status, String returnValue, boolean truncated, String stdout, String stderr,
    Failure failure, String error, long functionMicros, long elapsedMicros) {

  public enum Status {
    SUCCESS("success"),
    ERROR("error");

    /** Letta's spelling, as in a tool return message's {@code status}. */
    public final String wire;

    Status(String wire) {
      this.wire = wire;
    }
  }

  /** Why a call failed; {@code code} is the zygote's word for it. */
  public enum Failure {
    /** The function raised (SystemExit included). */
    EXCEPTION("exception"),
    /** The source does not compile. */
    BAD_SOURCE("bad_source"),
    /** The source has no function of the called name. */
    NO_FUNCTION("no_function"),
    /** The return value is neither a string nor JSON-serialisable. */
    NOT_SERIALISABLE("not_serialisable"),
    TIMEOUT("timeout"),
    CPU_LIMIT("cpu"),
    MEMORY_LIMIT("memory"),
    PROCESS_LIMIT("processes"),
    /** stdout or stderr went past the cap, or a file past the size limit. */
    OUTPUT_LIMIT("output"),
    /** The tool's process, or the call's supervisor, was killed or exited without an answer. */
    KILLED("killed"),
    /** Schema derivation refused the source. */
    REFUSED("refused"),
    /** The call itself was malformed (an environment variable's name, the function's name). */
    BAD_CALL("bad_call"),
    /** More calls are waiting than the sandbox queues. */
    BUSY("busy"),
    /** The sandbox cannot run here (a missing program, namespaces not allowed); the message says what to do. */
    UNAVAILABLE("unavailable");

    public final String code;

    Failure(String code) {
      this.code = code;
    }

    static Failure ofCode(String code) {
      for (Failure f : values()) {
        if (f.code.equals(code)) {
          return f;
        }
      }
      return KILLED;
    }
  }

  public boolean ok() {
    return status == Status.SUCCESS;
  }

  /** The tool return text for the model, as Letta words a failure: "Error executing function f: ...". */
  public String toolReturn(String function) {
    return ok() ? returnValue : "Error executing function " + function + ": " + error;
  }

  static ToolRun failed(Failure failure, String error, long elapsedMicros) {
    return new ToolRun(Status.ERROR, null, false, "", "", failure, error, 0, elapsedMicros);
  }

  /** Reads the zygote's result frame. */
  static ToolRun of(JsonObject frame, long elapsedMicros) {
    boolean ok = "success".equals(frame.getString("status"));
    return new ToolRun(ok ? Status.SUCCESS : Status.ERROR, ok ? frame.getString("return", "") : null,
        frame.getBoolean("truncated", false), frame.getString("stdout", ""), frame.getString("stderr", ""),
        ok ? null : Failure.ofCode(frame.getString("failure", "killed")),
        ok ? null : frame.getString("error", "the tool failed"), frame.getLong("function_us", 0L), elapsedMicros);
  }
}
