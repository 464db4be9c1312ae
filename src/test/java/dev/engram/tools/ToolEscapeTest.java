package dev.engram.tools;

import static dev.engram.tools.CustomToolsTest.agentWith;
import static dev.engram.tools.CustomToolsTest.created;
import static dev.engram.tools.CustomToolsTest.sendV1;
import static dev.engram.tools.CustomToolsTest.toolReturn;
import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What a user's tool must not do, tried by the model through an agent on a server with small limits: each attempt
 * ends as a failed (or harmless) return, the step goes on, and the server stays healthy.
 */
class ToolEscapeTest {
  private static final String ATTEMPT = """
      import os, socket

      def attempt(what: str, arg: str) -> str:
          \"\"\"Tries something it should not.

          Args:
              what: Which attempt.
              arg: A path or a port.
          \"\"\"
          if what == "read":
              return open(arg).read()
          if what == "write":
              with open(arg, "w") as f:
                  f.write("escaped")
              return "wrote"
          if what == "socket":
              socket.create_connection(("127.0.0.1", int(arg)), timeout=2).close()
              return "connected"
          if what == "fork":
              pids = [os.fork() for _ in range(200)]
              return "forked"
          if what == "loop":
              while True:
                  pass
          if what == "alloc":
              return str(len(bytearray(2 * 1024 * 1024 * 1024)))
          if what == "print":
              print("x" * (10 * 1024 * 1024))
              return "printed"
          if what == "env":
              return " ".join(sorted(os.environ))
          return "unknown"
      """;

  private static Path home;
  private static TestServer server;
  private static String key;
  private static String agent;
  private final ScriptedLlm llm = TestServer.llm();

  @BeforeAll
  static void start() throws Exception {
    home = TempHomes.create("engram-tool-escape-");
    Files.writeString(home.resolve("canary.txt"), "canary-secret-4242");
    server = TestServer.start(home, Map.of("TOOL_WALL_SECONDS", "3", "TOOL_CPU_SECONDS", "2", "TOOL_MEMORY_MB",
        "256", "TOOL_OUTPUT_BYTES", "65536"));
    key = server.api.newUser().getString("api_key");
    created(server.api.post("/v1/tools/", key, new JsonObject().put("source_code", ATTEMPT)));
    agent = agentWith(server.api, key, "attempt");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private JsonObject attempt(String what, String arg) {
    llm.reset();
    llm.enqueue(Step.toolCall(null, "attempt", new JsonObject().put("what", what).put("arg", arg)
        .put("request_heartbeat", true)), Step.sendMessage(null, "done"));
    JsonObject ret = toolReturn(sendV1(server.api, agent, key, "try " + what));
    assertEquals(200, server.api.get("/v1/health/", null).status(), "the server stays healthy after " + what);
    return ret;
  }

  @Test
  @DisplayName("reading /etc/passwd or ENGRAM_HOME, writing there, connecting out: each fails, nothing leaks")
  void filesAndNetwork() {
    JsonObject passwd = attempt("read", "/etc/passwd");
    assertFalse(passwd.getString("tool_return").contains("root:"), passwd.encode());
    JsonObject canary = attempt("read", home.resolve("canary.txt").toString());
    assertEquals("error", canary.getString("status"), canary.encode());
    assertFalse(canary.encode().contains("canary-secret"), canary.encode());
    JsonObject write = attempt("write", home.resolve("escaped.txt").toString());
    assertEquals("error", write.getString("status"), write.encode());
    assertFalse(Files.exists(home.resolve("escaped.txt")));
    JsonObject socket = attempt("socket", String.valueOf(server.port()));
    assertEquals("error", socket.getString("status"), socket.encode());
  }

  @Test
  @DisplayName("looping forever, forking many, allocating 2 GiB, printing 10 MB: each is a failed return saying which")
  void limits() {
    JsonObject loop = attempt("loop", "");
    assertEquals("error", loop.getString("status"));
    assertTrue(loop.getString("tool_return").matches("(?s).*(CPU time|wall-clock).*"), loop.encode());
    JsonObject alloc = attempt("alloc", "");
    assertEquals("error", alloc.getString("status"));
    assertTrue(alloc.getString("tool_return").contains("memory"), alloc.encode());
    JsonObject print = attempt("print", "");
    assertEquals("error", print.getString("status"));
    assertTrue(print.getString("tool_return").contains("more than"), print.encode());
    JsonObject fork = attempt("fork", "");
    assertEquals("error", fork.getString("status"), fork.encode());
    // and a harmless call still works afterwards
    JsonObject env = attempt("env", "");
    assertEquals("success", env.getString("status"), env.encode());
  }

  @Test
  @DisplayName("the tool sees none of the server's environment variables or secrets")
  void environment() {
    JsonObject env = attempt("env", "");
    String names = env.getString("tool_return");
    for (String secret : new String[] {"MEMGPT_SERVER_PASS", "API_KEY", "OPENAI", "ENGRAM_HOME", "ENGRAM_CONFIG"}) {
      assertFalse(names.contains(secret), names);
    }
    assertFalse(env.encode().contains(TestServer.ADMIN), env.encode());
  }
}
