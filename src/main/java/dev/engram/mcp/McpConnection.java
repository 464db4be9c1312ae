package dev.engram.mcp;

import dev.engram.model.McpServer;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * One SDK client of one registered server, as it was configured when opened. It starts nothing until
 * {@link #initialize()}; every operation is a {@link Mono} bounded by the settings' timeouts, and a stdio call also
 * ends as soon as the child exits instead of waiting out its timeout.
 */
final class McpConnection {
  /** Listing more than this many pages or tools is a server gone wrong; what came so far is kept. */
  static final int MAX_TOOL_PAGES = 50;
  static final int MAX_TOOLS = 1_000;
  private static final McpSchema.Implementation CLIENT_INFO = new McpSchema.Implementation("engram", "0.1.0");

  /** What a connection was opened with: a change of any of these needs a new one. */
  record Endpoint(McpServer.Type type, String command, List<String> args, Map<String, String> env, String url,
      String authHeader, String authToken, Map<String, String> headers) {
    static Endpoint of(McpServer s) {
      return new Endpoint(s.type(), s.command(), s.args(), s.env(), s.serverUrl(), s.authHeader(), s.authToken(),
          s.customHeaders());
    }
  }

  /** The child exited while a request was waiting for its answer. */
  static final class ChildExited extends RuntimeException {
    ChildExited(String message) {
      super(message, null, false, false);
    }
  }

  final McpServer server;
  final Endpoint endpoint;
  private final McpSettings settings;
  private final McpClientTransport transport;
  private final McpAsyncClient client;
  private Mono<McpSchema.InitializeResult> initialized;

  McpConnection(McpServer server, McpSettings settings) {
    this.server = server;
    this.endpoint = Endpoint.of(server);
    this.settings = settings;
    this.transport = McpTransports.of(server, settings);
    // the SDK's own request timeout is a backstop behind ours, which fires first with a clearer message
    this.client = McpClient.async(transport).clientInfo(CLIENT_INFO)
        .initializationTimeout(Duration.ofMillis(settings.connectTimeoutMs()))
        .requestTimeout(Duration.ofMillis(settings.callTimeoutMs() + 5_000)).build();
  }

  /** Starts the server (a child) or opens the session, and shakes hands; once, whoever asks. */
  synchronized Mono<McpSchema.InitializeResult> initialize() {
    if (initialized == null) {
      initialized = guarded(client.initialize()).timeout(Duration.ofMillis(settings.connectTimeoutMs())).cache();
    }
    return initialized;
  }

  /** Whether this connection can still be used: a stdio child that exited cannot. */
  boolean alive() {
    Process child = transport instanceof StdioChild stdio ? stdio.process() : null;
    return child == null || child.isAlive();
  }

  /** Every tool the server lists, page after page, up to {@link #MAX_TOOLS}. */
  Mono<List<McpSchema.Tool>> listTools() {
    List<McpSchema.Tool> tools = new ArrayList<>();
    return initialize().then(guarded(page(null, tools, 1))).timeout(Duration.ofMillis(settings.callTimeoutMs()));
  }

  private Mono<List<McpSchema.Tool>> page(String cursor, List<McpSchema.Tool> tools, int pageNumber) {
    return client.listTools(cursor).flatMap(result -> {
      if (result.tools() != null) {
        tools.addAll(result.tools().subList(0, Math.min(result.tools().size(), MAX_TOOLS - tools.size())));
      }
      String next = result.nextCursor();
      boolean more = next != null && !next.isEmpty() && pageNumber < MAX_TOOL_PAGES && tools.size() < MAX_TOOLS;
      return more ? page(next, tools, pageNumber + 1) : Mono.just(tools);
    });
  }

  Mono<McpSchema.CallToolResult> call(String tool, Map<String, Object> arguments) {
    return initialize().then(guarded(client.callTool(new McpSchema.CallToolRequest(tool, arguments, null))))
        .timeout(Duration.ofMillis(settings.callTimeoutMs()));
  }

  /** {@code request}, failed as soon as a stdio child exits before it answered (or before the handshake ended). */
  private <T> Mono<T> guarded(Mono<T> request) {
    if (!(transport instanceof StdioChild stdio)) {
      return request;
    }
    // the child is started by the SDK inside the first request: wait for it, then for its end
    Mono<T> exit = Mono.fromFuture(stdio.started(), true).flatMap(child -> Mono.fromFuture(child.onExit(), true))
        .flatMap(p -> Mono.error(new ChildExited("the server's process exited (code " + p.exitValue() + ")"
            + stderr(stdio))));
    return Mono.firstWithSignal(request, exit);
  }

  /** What the child last wrote to stderr, to add to a failure's message ("" for other transports). */
  String lastErrors() {
    return transport instanceof StdioChild stdio ? stderr(stdio) : "";
  }

  private static String stderr(StdioChild stdio) {
    String lines = stdio.lastErrors();
    return lines.isEmpty() ? "" : "; its last output on stderr: " + lines;
  }

  /** Closes the session and kills a child with all it started; never fails. */
  Mono<Void> close() {
    return client.closeGracefully().onErrorResume(e -> transport.closeGracefully().onErrorResume(e2 -> Mono.empty()))
        .timeout(Duration.ofMillis(StdioChild.GRACE_MS + 5_000), Mono.empty());
  }

  boolean sameEndpoint(McpServer other) {
    return Objects.equals(endpoint, Endpoint.of(other));
  }
}
