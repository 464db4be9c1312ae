package dev.engram.sandbox;

import io.vertx.core.json.JsonObject;

/**
 * What one tool call may use. CPU time, memory, file size and the process count are rlimits of the tool's process
 * (memory and file size per process, so a tool that forks may use up to {@code processes} times {@code memoryMb});
 * {@code wallSeconds} bounds the whole call; {@code outputBytes} caps stdout and stderr each (beyond it the call is
 * stopped); {@code returnChars} truncates the return as Letta's {@code return_char_limit} does. {@code network} lets
 * the tool open connections (a property of the tool, off by default).
 */
public record Limits(int cpuSeconds, int wallSeconds, int memoryMb, int outputBytes, int processes,
    int returnChars, boolean network) {

  /** Letta's server default for a tool's {@code return_char_limit}. */
  public static final int DEFAULT_RETURN_CHARS = 50_000;

  public Limits {
    check(cpuSeconds >= 1 && cpuSeconds <= 3600, "TOOL_CPU_SECONDS must be between 1 and 3600");
    check(wallSeconds >= 1 && wallSeconds <= 3600, "TOOL_WALL_SECONDS must be between 1 and 3600");
    // below 64 MiB the interpreter itself cannot start its work
    check(memoryMb >= 64 && memoryMb <= 65_536, "TOOL_MEMORY_MB must be between 64 and 65536");
    check(outputBytes >= 1024 && outputBytes <= 64 << 20, "TOOL_OUTPUT_BYTES must be between 1024 and 64 MiB");
    check(processes >= 1 && processes <= 1024, "TOOL_PROCESSES must be between 1 and 1024");
    check(returnChars >= 1 && returnChars <= 10_000_000, "a tool's return_char_limit must be between 1 and 10000000");
  }

  public Limits withNetwork(boolean allowed) {
    return new Limits(cpuSeconds, wallSeconds, memoryMb, outputBytes, processes, returnChars, allowed);
  }

  public Limits withReturnChars(int chars) {
    return new Limits(cpuSeconds, wallSeconds, memoryMb, outputBytes, processes, chars, network);
  }

  long memoryBytes() {
    return (long) memoryMb << 20;
  }

  /** The limits as the zygote reads them. */
  JsonObject toJson() {
    return new JsonObject().put("cpu", cpuSeconds).put("wall", wallSeconds).put("memory", memoryBytes())
        .put("output", outputBytes).put("processes", processes).put("return_chars", returnChars);
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
