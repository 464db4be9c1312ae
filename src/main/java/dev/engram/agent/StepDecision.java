package dev.engram.agent;

import dev.engram.model.RunProgress;
import java.util.Locale;

/** Whether the loop runs the model again after a step, and with which input. Pure: tested without Vert.x. */
record StepDecision(boolean proceed, Reason reason) {
  enum Reason {
    /** The model is done and waits for the user. */
    END_TURN,
    /** The chaining cap was reached. */
    MAX_STEPS,
    /** Continue: the context is filling up, the model is warned so it can save what matters. */
    MEMORY_PRESSURE,
    /** Continue: the function call failed and the model gets to react. */
    FUNCTION_FAILED,
    /** Continue: the model asked for a heartbeat. */
    HEARTBEAT
  }

  /** How a run goes on, as stored with its step ({@link RunProgress#next()}); null when it does not. */
  String stored() {
    return proceed ? reason.name().toLowerCase(Locale.ROOT) : null;
  }

  /** The decision a stored step that went on ({@link RunProgress#goesOn()}) had made. */
  static StepDecision goingOn(String stored) {
    return new StepDecision(true, Reason.valueOf(stored.toUpperCase(Locale.ROOT)));
  }

  static StepDecision after(int stepsTaken, int maxSteps, boolean memoryWarning, boolean failed, boolean heartbeat) {
    if (!memoryWarning && !failed && !heartbeat) {
      return new StepDecision(false, Reason.END_TURN);
    }
    if (stepsTaken >= maxSteps) {
      return new StepDecision(false, Reason.MAX_STEPS);
    }
    if (memoryWarning) {
      return new StepDecision(true, Reason.MEMORY_PRESSURE);
    }
    return new StepDecision(true, failed ? Reason.FUNCTION_FAILED : Reason.HEARTBEAT);
  }
}
