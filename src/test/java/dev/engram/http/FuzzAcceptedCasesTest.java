package dev.engram.http;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.http.FuzzRoute.Caller;
import dev.engram.http.Variant.Kind;
import dev.engram.memory.MemorySettings;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The accepted cases of the fuzz table stay true: each variant {@link RouteFuzzTest} does not send because the table
 * says the route takes it is sent here, by a user of its own, and must be answered 2xx; an accepted case that matches
 * no variant is stale. Variants of a body that would reach the model are listed but never sent.
 */
class FuzzAcceptedCasesTest {
  private final TestServer server = TestServer.shared();

  @Test
  @DisplayName("every accepted case of the fuzz table is accepted (2xx), and none is stale")
  void acceptedCasesAreAccepted() throws InterruptedException {
    TestServer.llm().reset();
    FuzzFixture scratch = FuzzFixture.create(server.api, "accepted");
    FuzzFixture other = FuzzFixture.create(server.api, "accepted-other");
    FuzzTargets targets = new FuzzTargets(scratch, other);
    BodyVariants bodies = new BodyVariants(targets);
    UrlVariants urls = new UrlVariants(targets);
    FuzzWire wire = new FuzzWire(server.api.base(), server.port());
    String model = server.api.get("/api/models", null).json().getJsonArray("models").getJsonObject(0)
        .getString("model");
    List<String> failures = new ArrayList<>();
    Set<String> used = new TreeSet<>();
    int sent = 0;
    try {
      for (FuzzRoute route : allWithFrames()) {
        List<Variant> all = new ArrayList<>(route.bodies.isEmpty() ? List.of() : bodies.malformed(route));
        all.addAll(bodies.wrongTypes(route));
        all.addAll(bodies.characters(route));
        all.addAll(bodies.longStrings(route));
        all.addAll(bodies.ids(route));
        if (route != FuzzRoutes.FRAMES) {
          all.addAll(urls.query(route, Kind.values()));
          all.addAll(urls.path(route, Kind.values()));
        }
        if (route.multipart) {
          all.addAll(UploadVariants.all(targets.path(route)));
        }
        for (Variant v : all) {
          FuzzRoute.Accepted accepted = route.acceptance(v);
          if (accepted == null) {
            continue;
          }
          used.add(route + " " + accepted);
          if (v.reachesModel()) {
            continue; // listed, never sent: it would call the model
          }
          FuzzWire.Reply reply = wire.send(v, route.caller == Caller.ADMIN ? TestServer.ADMIN : scratch.key,
              route.webSocket);
          sent++;
          if (reply.status() < 200 || reply.status() >= 300) {
            failures.add(route + " " + v.describe() + "\n    -> listed as accepted (" + accepted.reason()
                + ") but answered " + reply.status() + ": " + FuzzAnswers.cut(reply.body(), 300));
          }
        }
      }
    } finally {
      restoreMemorySettings(model);
    }
    List<String> stale = new ArrayList<>();
    for (FuzzRoute route : allWithFrames()) {
      route.accepted.stream().filter(a -> !used.contains(route + " " + a)).forEach(a -> stale.add(route + " " + a));
    }
    assertTrue(stale.isEmpty(), () -> "accepted cases that match no variant (remove them): " + stale);
    int total = sent;
    assertTrue(failures.isEmpty(), () -> failures.size() + " of " + total + " accepted cases were refused:\n"
        + String.join("\n", failures));
    assertTrue(sent > 50, "sent " + sent);
    assertEquals(0, TestServer.llm().requestCount(), "no accepted case sent here reaches the model");
  }

  private static List<FuzzRoute> allWithFrames() {
    List<FuzzRoute> all = new ArrayList<>(FuzzRoutes.ALL);
    all.add(FuzzRoutes.FRAMES);
    return all;
  }

  /** POST /configure is server-wide: the memory service's settings go back to those a test server starts with. */
  private void restoreMemorySettings(String model) {
    JsonObject defaults = new JsonObject().putNull("custom_fact_extraction_prompt")
        .putNull("custom_update_memory_prompt").put("llm", new JsonObject().put("config", new JsonObject()
            .put("model", model).put("temperature", MemorySettings.DEFAULT_TEMPERATURE)
            .put("max_tokens", MemorySettings.DEFAULT_MAX_TOKENS)));
    assertEquals(200, server.api.post("/configure", TestServer.ADMIN, defaults).status());
  }
}
