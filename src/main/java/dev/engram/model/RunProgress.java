package dev.engram.model;

/**
 * Where a run stood after one of its steps, stored with that step's events: the steps stored so far (that one
 * included), the usage so far, and what came after it. {@code next} is the reason of the next step's input
 * ({@link #HEARTBEAT}, {@link #FUNCTION_FAILED}, {@link #MEMORY_PRESSURE}), or the run's stop reason when that step
 * ended it; {@code note} says why a tool rule kept the run going (null otherwise). In cluster mode a node that takes
 * over the agent of a run whose node died lets the run go on from its last stored step with it.
 */
public record RunProgress(int steps, int promptTokens, int completionTokens, int totalTokens, String next,
    String note) {
  public static final String HEARTBEAT = "heartbeat";
  public static final String FUNCTION_FAILED = "function_failed";
  public static final String MEMORY_PRESSURE = "memory_pressure";

  /** Whether the run went on after this step: its next step was to run. */
  public boolean goesOn() {
    return HEARTBEAT.equals(next) || FUNCTION_FAILED.equals(next) || MEMORY_PRESSURE.equals(next);
  }
}
