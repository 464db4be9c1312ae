package dev.engram.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.testkit.Api;
import io.vertx.core.json.JsonObject;

/** Assertions on error responses: the status and the {@code {"detail": "..."}} body that every error carries. */
final class Problems {
  private Problems() {}

  /** Asserts {@code status} and a JSON {@code detail} string that contains each of {@code fragments}. */
  static String assertError(Api.Response r, int status, String... fragments) {
    assertEquals(status, r.status(), () -> "expected " + status + " but got " + r.status() + ": " + r.body());
    JsonObject body;
    try {
      body = r.json();
    } catch (RuntimeException e) {
      throw new AssertionError("error body is not a JSON object: " + r.body(), e);
    }
    Object detail = body.getValue("detail");
    assertNotNull(detail, () -> "no detail in " + r.body());
    assertTrue(detail instanceof String, () -> "detail is not a string: " + r.body());
    for (String fragment : fragments) {
      assertTrue(((String) detail).contains(fragment),
          () -> "detail does not mention '" + fragment + "': " + detail);
    }
    return (String) detail;
  }

  static void assertOk(Api.Response r) {
    assertEquals(200, r.status(), () -> "expected 200 but got " + r.status() + ": " + r.body());
  }
}
