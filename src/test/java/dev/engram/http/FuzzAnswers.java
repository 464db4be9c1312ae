package dev.engram.http;

import static org.junit.jupiter.api.Assertions.fail;

import dev.engram.testkit.SocketFrames;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** What a refusal must look like, over HTTP and over the WebSocket, and how a changed state is reported. */
final class FuzzAnswers {
  private FuzzAnswers() {}

  /**
   * What is wrong with {@code reply} to a variant that must be refused, or null: it must come, be a 4xx (the status
   * of the fault's rule where it has one), and carry a JSON {@code {"detail": "..."}}.
   */
  static String problem(Variant v, FuzzWire.Reply reply) {
    String shown = cut(reply.body(), 300);
    if (reply.status() == 0) {
      return reply.body();
    }
    if (reply.status() < 400 || reply.status() >= 500) {
      return "answered " + reply.status() + ": " + shown;
    }
    if (v.kind().status != 0 && reply.status() != v.kind().status) {
      return "answered " + reply.status() + " where the rule says " + v.kind().status + ": " + shown;
    }
    if (v.kind().status == 0 && Set.of(401, 403, 405).contains(reply.status())) {
      return "answered " + reply.status() + ": the variant did not reach the route: " + shown;
    }
    Object detail;
    try {
      detail = new JsonObject(reply.body()).getValue("detail");
    } catch (RuntimeException e) {
      return "the body is not a JSON object: " + shown;
    }
    if (!(detail instanceof String s) || s.isBlank()) {
      return "no {\"detail\": \"...\"} string: " + shown;
    }
    if (!reply.contentType().startsWith("application/json")) {
      return "Content-Type is " + reply.contentType();
    }
    return null;
  }

  /** What is wrong with the answer to a refused frame, or null: it must be {"error": "...", "status": 4xx}. */
  static String frameProblem(Variant v, SocketFrames answers) {
    JsonObject answer;
    try {
      answer = answers.next();
    } catch (AssertionError | InterruptedException e) {
      return "no answer: " + e.getMessage();
    }
    Integer status = answer.getInteger("status");
    if (status == null || status < 400 || status >= 500) {
      return "answered " + cut(answer.encode(), 300);
    }
    if (v.kind().status != 0 && status != v.kind().status) {
      return "answered " + status + " where the rule says " + v.kind().status + ": " + answer.encode();
    }
    String error = answer.getString("error");
    return error == null || error.isBlank() ? "no error text: " + answer.encode() : null;
  }

  /** Fails naming the parts of a snapshot that differ. */
  static void assertUnchanged(String whose, JsonObject before, JsonObject after) {
    if (before.equals(after)) {
      return;
    }
    List<String> diffs = new ArrayList<>();
    Set<String> keys = new TreeSet<>(before.fieldNames());
    keys.addAll(after.fieldNames());
    for (String k : keys) {
      Object b = before.getValue(k);
      Object a = after.getValue(k);
      if (b == null ? a != null : !b.equals(a)) {
        diffs.add(k + ":\n      before " + cut(String.valueOf(b), 600) + "\n      after  "
            + cut(String.valueOf(a), 600));
      }
    }
    fail(whose + " state changed:\n  " + String.join("\n  ", diffs));
  }

  static String cut(String s, int max) {
    return s.length() > max ? s.substring(0, max) + "...(" + s.length() + " chars)" : s;
  }
}
