package dev.engram.mcp;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.model.McpServer;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MCP connections against the test server, as a child JVM over stdio and in this JVM over streamable HTTP and
 * SSE: listing and calling tools, and each way a call can fail ending as a failed result.
 */
class McpClientsTest {
  private static final McpSettings SETTINGS = new McpSettings(McpSettings.StdioPolicy.ADMIN, false, 4_000, 20_000,
      1_000, 1024 * 1024);
  private static Vertx vertx;
  private static Context context;
  private static McpClients clients;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    clients = new McpClients(context, SETTINGS);
  }

  @AfterAll
  static void stop() throws Exception {
    on(() -> clients.closeAll());
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Runs {@code action} on the clients' context and waits for its result. */
  private static <T> T on(Supplier<Future<T>> action) throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    context.runOnContext(v -> action.get().onComplete(ar -> {
      if (ar.succeeded()) {
        done.complete(ar.result());
      } else {
        done.completeExceptionally(ar.cause());
      }
    }));
    return done.get(60, TimeUnit.SECONDS);
  }

  static McpServer stdio(String name, Map<String, String> env) {
    List<String> command = TestMcpServer.command();
    return new McpServer(java.util.UUID.randomUUID().toString(), "user", name, McpServer.Type.STDIO, command.get(0),
        command.subList(1, command.size()), env, null, null, null, Map.of(), Instant.now(), Instant.now());
  }

  static McpServer http(String name, McpServer.Type type, String url, String token, Map<String, String> headers) {
    return new McpServer(java.util.UUID.randomUUID().toString(), "user", name, type, null, List.of(), Map.of(), url,
        null, token, headers, Instant.now(), Instant.now());
  }

  private static McpToolResult call(McpServer server, String tool, Map<String, Object> args) throws Exception {
    return on(() -> clients.call(server, tool, args));
  }

  @Test
  void stdioServerListsAndCallsTools() throws Exception {
    McpServer server = stdio("tools", Map.of());
    List<McpSchema.Tool> tools = on(() -> clients.listTools(server));
    assertTrue(tools.stream().anyMatch(t -> t.name().equals("echo") && "Says the text back.".equals(t.description())
        && t.inputSchema().toString().contains("text")), tools.toString());
    assertEquals(new McpToolResult(true, "hello"), call(server, "echo", Map.of("text", "hello")));
    assertEquals(new McpToolResult(true, "5"), call(server, "add", Map.of("a", 2, "b", 3)));

    McpToolResult failed = call(server, "fail", Map.of("message", "no luck"));
    assertFalse(failed.ok());
    assertEquals("failed: no luck", failed.text());
    McpToolResult thrown = call(server, "boom", Map.of());
    assertFalse(thrown.ok());
    assertTrue(thrown.text().contains("boom inside the tool"), thrown.text());
    McpToolResult unknown = call(server, "no_such_tool", Map.of());
    assertFalse(unknown.ok());
    assertTrue(unknown.text().contains("no_such_tool"), unknown.text());

    McpToolResult big = call(server, "big", Map.of("n", "5000"));
    assertTrue(big.ok());
    assertTrue(big.text().startsWith("x".repeat(1_000) + "... [NOTE"), big.text());
    assertTrue(big.text().contains("1000 of its 5000 characters"), big.text());
    // the connection survived the errors the server answered
    assertEquals(new McpToolResult(true, "again"), call(server, "echo", Map.of("text", "again")));
  }

  @Test
  void stdioChildSeesOnlyItsDeclaredEnvironment() throws Exception {
    assertEquals("parent-secret-value", System.getenv("ENGRAM_TEST_PARENT_SECRET"), "set by the surefire config");
    McpServer server = stdio("env", Map.of("DECLARED_TOKEN", "declared-value"));
    assertEquals("declared-value", call(server, "env", Map.of("name", "DECLARED_TOKEN")).text());
    assertEquals("null", call(server, "env", Map.of("name", "ENGRAM_TEST_PARENT_SECRET")).text());
    List<String> names = List.of(call(server, "env_names", Map.of()).text().split(","));
    List<String> allowed = List.of("DECLARED_TOKEN", "PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM");
    assertTrue(allowed.containsAll(names), "the child saw " + names);
  }

  @Test
  void hangingServerTimesOutAndIsRestarted() throws Exception {
    McpServer server = stdio("hangs", Map.of());
    long firstPid = Long.parseLong(call(server, "pid", Map.of()).text());
    long started = System.nanoTime();
    McpToolResult hung = call(server, "sleep", Map.of("ms", "60000"));
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertFalse(hung.ok());
    assertEquals("MCP tool 'sleep' of server 'hangs' did not answer within 4000 ms", hung.text());
    assertTrue(tookMs < 10_000, "took " + tookMs + " ms");
    // the wedged child was killed; the next call starts a new one
    waitUntilDead(firstPid);
    long secondPid = Long.parseLong(call(server, "pid", Map.of()).text());
    assertNotEquals(firstPid, secondPid);
  }

  @Test
  void serverDyingMidCallFailsAtOnceAndIsRestarted() throws Exception {
    McpServer server = stdio("dies", Map.of());
    long firstPid = Long.parseLong(call(server, "pid", Map.of()).text());
    long started = System.nanoTime();
    McpToolResult died = call(server, "exit", Map.of("code", "3"));
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertFalse(died.ok());
    assertTrue(died.text().startsWith("MCP tool 'exit' of server 'dies' failed: the server's process exited (code 3)"),
        died.text());
    assertTrue(died.text().contains("exiting on request"), "names the child's last stderr: " + died.text());
    assertTrue(tookMs < 3_000, "took " + tookMs + " ms: it did not wait for the timeout");
    assertFalse(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false));
    assertEquals(new McpToolResult(true, "back"), call(server, "echo", Map.of("text", "back")));
    assertNotEquals(firstPid, Long.parseLong(call(server, "pid", Map.of()).text()));
  }

  @Test
  void forgettingAServerKillsItsChild() throws Exception {
    McpServer server = stdio("forgotten", Map.of());
    long pid = Long.parseLong(call(server, "pid", Map.of()).text());
    assertTrue(ProcessHandle.of(pid).isPresent());
    on(() -> clients.forget(server.id()));
    waitUntilDead(pid);
    assertFalse(on(() -> Future.succeededFuture(clients.isOpen(server.id()))));
  }

  @Test
  void commandThatCannotStartIsAFailedResult() throws Exception {
    McpServer server = new McpServer(java.util.UUID.randomUUID().toString(), "user", "missing", McpServer.Type.STDIO,
        "/nonexistent/mcp-server", List.of(), Map.of(), null, null, null, Map.of(), Instant.now(), Instant.now());
    McpToolResult result = call(server, "echo", Map.of("text", "x"));
    assertFalse(result.ok());
    assertTrue(result.text().startsWith("could not start MCP server 'missing' (/nonexistent/mcp-server)"),
        result.text());
    Exception listing = assertThrows(Exception.class, () -> on(() -> clients.listTools(server)));
    assertTrue(listing.getCause().getMessage().startsWith("could not start MCP server 'missing'"), listing.toString());
  }

  @Test
  void malformedAnswerIsAFailedResult() throws Exception {
    List<String> command = MalformedMcpServer.command();
    McpServer server = new McpServer(java.util.UUID.randomUUID().toString(), "user", "malformed", McpServer.Type.STDIO,
        command.get(0), command.subList(1, command.size()), Map.of(), null, null, null, Map.of(), Instant.now(),
        Instant.now());
    assertEquals(List.of("broken"), on(() -> clients.listTools(server)).stream().map(McpSchema.Tool::name).toList());
    McpToolResult result = call(server, "broken", Map.of());
    assertFalse(result.ok());
    assertTrue(result.text().startsWith("MCP tool 'broken' of server 'malformed' sent a malformed answer"),
        result.text());
  }

  @Test
  void stdioTurnedOffRunsNothing() throws Exception {
    McpClients off = new McpClients(context, new McpSettings(McpSettings.StdioPolicy.OFF, false, 4_000, 20_000,
        1_000, 1024 * 1024));
    McpToolResult result = on(() -> off.call(stdio("off", Map.of()), "echo", Map.of("text", "x")));
    assertEquals(McpToolResult.failed("MCP tool 'echo' of server 'off' failed: stdio MCP servers are turned off on"
        + " this server (MCP_STDIO=off)"), result);
  }

  @Test
  void streamableHttpServerWithHeadersAndRestart() throws Exception {
    TestMcpServer.Http http = TestMcpServer.http(0, false);
    int port = http.port;
    McpServer server = http("remote", McpServer.Type.STREAMABLE_HTTP, http.url(), "secret-token",
        Map.of("X-Custom", "custom-value"));
    try {
      assertTrue(on(() -> clients.listTools(server)).stream().anyMatch(t -> t.name().equals("add")));
      assertEquals(new McpToolResult(true, "42"), call(server, "add", Map.of("a", 40, "b", 2)));
      assertEquals("Bearer secret-token", call(server, "header", Map.of("name", "Authorization")).text());
      assertEquals("custom-value", call(server, "header", Map.of("name", "X-Custom")).text());
      McpToolResult failed = call(server, "fail", Map.of("message", "remote"));
      assertEquals(McpToolResult.failed("failed: remote"), failed);
      McpToolResult hung = call(server, "sleep", Map.of("ms", "30000"));
      assertEquals(McpToolResult.failed("MCP tool 'sleep' of server 'remote' did not answer within 4000 ms"), hung);
    } finally {
      http.close();
    }
    McpToolResult down = call(server, "echo", Map.of("text", "x"));
    assertFalse(down.ok());
    assertTrue(down.text().contains("remote"), down.text());
    // the server comes back on its port (a new process would not know the old session): calls work again
    try (TestMcpServer.Http again = TestMcpServer.http(port, false)) {
      assertEquals(new McpToolResult(true, "back"), call(server, "echo", Map.of("text", "back")));
    }
  }

  @Test
  void sseServer() throws Exception {
    try (TestMcpServer.Http http = TestMcpServer.http(0, true)) {
      McpServer server = http("legacy", McpServer.Type.SSE, http.sseUrl(), null, Map.of());
      assertTrue(on(() -> clients.listTools(server)).stream().anyMatch(t -> t.name().equals("echo")));
      assertEquals(new McpToolResult(true, "over sse"), call(server, "echo", Map.of("text", "over sse")));
    }
  }

  private static void waitUntilDead(long pid) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      assertTrue(System.currentTimeMillis() < deadline, "process " + pid + " still runs");
      Thread.sleep(50);
    }
  }
}
