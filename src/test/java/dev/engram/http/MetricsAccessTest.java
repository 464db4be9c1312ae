package dev.engram.http;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Who may read /metrics (the HTTP test in MetricsTest covers the admin mode over the wire; a test server cannot be
 * reached from a non-loopback address here, so the peer rule is checked on the rule itself).
 */
class MetricsAccessTest {
  @Test
  @DisplayName("loopback (the default): local callers need nothing, others the admin password")
  void loopback() {
    MetricsAccess rule = MetricsAccess.parse("loopback");
    assertTrue(rule.allows("127.0.0.1", false));
    assertTrue(rule.allows("127.10.0.3", false));
    assertTrue(rule.allows("0:0:0:0:0:0:0:1", false));
    assertTrue(rule.allows("::1", false));
    assertFalse(rule.allows("10.0.0.5", false));
    assertFalse(rule.allows("192.168.1.20", false));
    assertFalse(rule.allows("2001:db8::1", false));
    assertTrue(rule.allows("10.0.0.5", true));
    // only an IP literal counts: a name is never looked up, nor an unknown peer taken for local
    assertFalse(rule.allows("localhost", false));
    assertFalse(rule.allows(null, false));
    assertFalse(rule.allows("", false));
  }

  @Test
  @DisplayName("admin asks everyone for the admin password; open lets everyone in")
  void adminAndOpen() {
    assertFalse(MetricsAccess.parse("admin").allows("127.0.0.1", false));
    assertTrue(MetricsAccess.parse("ADMIN").allows("10.0.0.5", true));
    assertTrue(MetricsAccess.parse(" open ").allows("203.0.113.9", false));
  }

  @Test
  @DisplayName("an unknown METRICS_ACCESS value is refused at start, naming the choices")
  void unknownValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsAccess.parse("public"));
    assertTrue(e.getMessage().contains("loopback, admin or open"), e.getMessage());
  }
}
