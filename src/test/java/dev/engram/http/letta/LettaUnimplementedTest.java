package dev.engram.http.letta;

import static dev.engram.http.letta.Details.assertError;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.Api;
import dev.engram.testkit.NodeScript;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Letta SDK's routes that Engram does not implement answer 501 naming the SDK method (LettaUnimplemented). */
class LettaUnimplementedTest {
  private final TestServer server = TestServer.shared();
  private final Api api = server.api;

  /** The template with each {@code :param} made an id-like segment. */
  private static String concrete(String template) {
    return template.replaceAll(":[a-z_]+", "x-" + UUID.randomUUID());
  }

  @Test
  @DisplayName("each unimplemented SDK route answers 501 with a detail naming the SDK method and what to use instead,"
      + " with and without the SDK's trailing slash, and tells the SDK not to retry")
  void everyEntryAnswers501() {
    String key = api.newUser().getString("api_key");
    // the SDK-coverage script (letta-unimplemented.cjs) checks the table against the SDK; this only guards its size
    assertTrue(LettaUnimplemented.entries().size() >= 40, "the table lists the SDK's routes");
    for (LettaUnimplemented.Entry e : LettaUnimplemented.entries()) {
      String path = concrete(e.template());
      for (String form : new String[] {path, path + "/"}) {
        Api.Response r = api.keyed(e.method(), form, key, e.method().equals("GET") ? null : "{}");
        assertError(r, 501, "Not implemented", e.sdkMethod(), e.instead());
        assertEquals("false", r.headers().firstValue("x-should-retry").orElse(null), e.method() + " " + form);
      }
    }
  }

  @Test
  @DisplayName("credentials are checked first; a path of no API at all is still 404, and a wrong method on an"
      + " implemented path that the SDK does not call is still 405")
  void onlyTheListedRoutes() {
    assertEquals(401, api.keyed("POST", "/v1/tools/", null, "{}").status());
    String key = api.newUser().getString("api_key");
    assertError(api.get("/v1/no-such-thing", key), 404, "Not Found");
    assertError(api.get("/v1/agents/agent-" + UUID.randomUUID() + "/files/nothing", key), 404, "Not Found");
    Api.Response put = api.put("/v1/tools/tool-" + UUID.randomUUID(), key, new JsonObject());
    assertError(put, 405, "Method Not Allowed");
    // an implemented route with the same shape wins: GET /v1/tools/{tool_id} is not tools.search
    assertError(api.get("/v1/tools/search", key), 404, "Tool");
  }

  @Test
  @DisplayName("the official SDK sees a 501 APIError naming the method, sent once")
  void officialSdk() {
    String key = api.newUser().getString("api_key");
    String agent = "agent-" + api.newAgent(key, "sdk-unimplemented");
    TestServer.llm().reset();
    Api.Response sent = api.post("/v1/agents/" + agent + "/messages", key, new JsonObject().put("messages",
        new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))));
    assertEquals(200, sent.status(), sent.body());
    String run = sent.json().getJsonObject("usage").getJsonArray("run_ids").getString(0);
    NodeScript.Run result = NodeScript.run("letta-unimplemented.cjs", Map.of("LETTA_BASE_URL",
        server.server().baseUrl(), "LETTA_API_KEY", key, "LETTA_AGENT_ID", agent, "LETTA_RUN_ID", run), 120);
    assertEquals(0, result.exitCode(), result.output());
  }
}
