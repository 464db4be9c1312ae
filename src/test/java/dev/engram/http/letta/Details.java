package dev.engram.http.letta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.testkit.Api;

/** Assertions on the errors of the /v1 routes: the status and a {@code {"detail": "..."}} string the SDK can show. */
final class Details {
  private Details() {}

  /** Asserts {@code status} and a detail string containing each of {@code fragments}. */
  static void assertError(Api.Response r, int status, String... fragments) {
    assertEquals(status, r.status(), () -> "expected " + status + " but got " + r.status() + ": " + r.body());
    Object detail = r.json().getValue("detail");
    assertTrue(detail instanceof String, () -> "no detail string in " + r.body());
    for (String fragment : fragments) {
      assertTrue(((String) detail).contains(fragment), () -> "detail does not mention '" + fragment + "': " + detail);
    }
  }
}
