package dev.engram.agent;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.kernel.ApiException;
import dev.engram.model.Block;
import dev.engram.model.CoreMemory;
import dev.engram.model.Message;
import dev.engram.model.Run;
import dev.engram.model.RunProgress;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The step loop's pure parts, without a server. */
class LoopLogicTest {
  @Test
  @DisplayName("the loop stops at end of turn, continues on heartbeat, failure or memory pressure, and honours the cap")
  void decisions() {
    assertEquals(new StepDecision(false, StepDecision.Reason.END_TURN), StepDecision.after(1, 10, false, false, false));
    assertEquals(StepDecision.Reason.HEARTBEAT, StepDecision.after(1, 10, false, false, true).reason());
    assertEquals(StepDecision.Reason.FUNCTION_FAILED, StepDecision.after(1, 10, false, true, true).reason());
    assertEquals(StepDecision.Reason.MEMORY_PRESSURE, StepDecision.after(1, 10, true, true, true).reason());
    assertTrue(StepDecision.after(9, 10, false, false, true).proceed());
    assertEquals(new StepDecision(false, StepDecision.Reason.MAX_STEPS), StepDecision.after(10, 10, false, false, true));
  }

  @Test
  @DisplayName("a decision to go on is stored in the words RunProgress reads as going on, and reads back the same;"
      + " an end is stored as its stop reason, which does not read as going on")
  void storedDecisions() {
    List<StepDecision> goingOn = List.of(StepDecision.after(1, 10, false, false, true),
        StepDecision.after(1, 10, false, true, false), StepDecision.after(1, 10, true, false, false));
    assertEquals(List.of(RunProgress.HEARTBEAT, RunProgress.FUNCTION_FAILED, RunProgress.MEMORY_PRESSURE),
        goingOn.stream().map(StepDecision::stored).toList());
    for (StepDecision d : goingOn) {
      assertTrue(new RunProgress(1, 0, 0, 0, d.stored(), null).goesOn(), d.toString());
      assertEquals(d, StepDecision.goingOn(d.stored()));
    }
    assertNull(StepDecision.after(1, 10, false, false, false).stored());
    assertNull(StepDecision.after(10, 10, false, false, true).stored());
    for (String stop : List.of(Run.END_TURN, Run.MAX_STEPS, Run.STOP_CANCELLED, Run.STOP_TOOL_RULE,
        Run.STOP_REQUIRES_APPROVAL)) {
      assertFalse(new RunProgress(1, 0, 0, 0, stop, null).goesOn(), stop);
    }
  }

  private static Message m(String role, int tokens) {
    return new Message("id", "a", "u", role, "x", null, List.of(), null, null, tokens, Instant.EPOCH);
  }

  @Test
  @DisplayName("the summariser cuts the oldest three quarters, keeps the last messages and never orphans a tool result")
  void cutoff() {
    List<Message> ctx = new ArrayList<>(List.of(m("system", 500)));
    for (int i = 0; i < 10; i++) {
      ctx.add(m(i % 2 == 0 ? "user" : "assistant", 100));
    }
    int cut = Summarizer.cutoff(ctx, 10_000);
    assertTrue(cut >= 8 && cut <= ctx.size() - Summarizer.KEEP_LAST, "cut=" + cut);

    List<Message> withTool = new ArrayList<>(List.of(m("system", 10), m("user", 100), m("assistant", 100),
        m("tool", 100), m("user", 100), m("assistant", 1), m("tool", 1), m("user", 1)));
    int c = Summarizer.cutoff(withTool, 10_000);
    assertNotEquals("tool", withTool.get(c).role());

    assertEquals(1, Summarizer.cutoff(List.of(m("system", 10), m("user", 10), m("assistant", 10)), 10_000));

    // a message too big to keep goes even from among the last ones: only what fits the budget is kept
    assertEquals(4, Summarizer.cutoff(List.of(m("system", 10), m("user", 10), m("assistant", 10), m("user", 5000),
        m("user", 10)), 1000));
    assertEquals(2, Summarizer.cutoff(List.of(m("system", 10), m("user", 5000), m("user", 10)), 1000));
  }

  @Test
  @DisplayName("the summariser's transcript cuts an over-long message to its share of the budget, and says so")
  void transcriptWithinBudget() {
    TokenCounter tokens = new TokenCounter("gpt-4");
    String longText = "word ".repeat(5000).strip();
    Message big = new Message("id", "a", "u", "user", longText, null, List.of(), null, null,
        tokens.message(longText, List.of()), Instant.EPOCH);
    Message small = new Message("id2", "a", "u", "assistant", "short reply", null, List.of(), null, null,
        tokens.message("short reply", List.of()), Instant.EPOCH);

    String cut = Summarizer.transcript(List.of(big, small), 1000, tokens);
    assertTrue(tokens.text(cut) <= 1100, "tokens=" + tokens.text(cut));
    assertTrue(cut.contains("more tokens cut for this summary"), cut);
    assertTrue(cut.contains("assistant: short reply"), cut);
    assertEquals("user: " + longText + "\nassistant: short reply\n",
        Summarizer.transcript(List.of(big, small), 10_000, tokens), "a transcript that fits is whole");
  }

  @Test
  @DisplayName("core memory edits enforce the character limit and exact matches")
  void coreMemory() {
    CoreMemory mem = new CoreMemory(List.of(block("persona", "I am Sam."), block("human", "Name: Chad")));
    assertEquals("Name: Chad\nLikes F1", mem.append("human", "Likes F1").valueOf("human"));
    assertEquals("Name: Brad", mem.replace("human", "Chad", "Brad").valueOf("human"));
    ApiException notFound = assertThrows(ApiException.class, () -> mem.replace("human", "Zed", "x"));
    assertTrue(notFound.getMessage().contains("Content not found in human"));
    ApiException tooLong = assertThrows(ApiException.class, () -> mem.append("persona", "x".repeat(40)));
    assertTrue(tooLong.getMessage().startsWith("Edit failed: Exceeds 30 character limit"));
    assertThrows(ApiException.class, () -> mem.append("nonsense", "x"));
  }

  private static Block block(String label, String value) {
    return new Block(label + "-id", "u", label, value, 30, null, Map.of(), false, false, null, List.of(), 1,
        Instant.EPOCH, Instant.EPOCH);
  }

  @Test
  @DisplayName("the mailbox runs one agent's operations one at a time in submission order, even after a failure")
  void mailboxOrder() {
    AgentMailbox box = new AgentMailbox();
    List<String> log = new ArrayList<>();
    Promise<Void> first = Promise.promise();
    box.submit("a", () -> {
      log.add("start1");
      return first.future().onSuccess(v -> log.add("end1"));
    });
    box.submit("a", () -> {
      log.add("start2");
      return Future.failedFuture("boom");
    });
    box.submit("a", () -> {
      log.add("start3");
      return Future.succeededFuture();
    });
    box.submit("b", () -> {
      log.add("b");
      return Future.succeededFuture();
    });
    assertEquals(List.of("start1", "b"), log);
    assertFalse(box.idle("a"));
    first.complete();
    assertEquals(List.of("start1", "b", "end1", "start2", "start3"), log);
    assertTrue(box.idle("a"));
  }
}
