package dev.engram.mcp;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletSseServerTransportProvider;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.http.HttpServlet;
import java.io.File;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * A small MCP server for the tests, built on the SDK's server side: over stdio as a separate JVM ({@link #main}, see
 * {@link #command}), or over streamable HTTP or SSE in this JVM ({@link #http}). Its tools: {@code echo},
 * {@code add}, {@code fail} (an error result), {@code boom} (an exception in the handler), {@code sleep} (a server
 * that hangs), {@code exit} (a server that dies mid-call), {@code env} and {@code env_names} (what the process
 * sees), {@code header} (what an HTTP request carried), {@code big} (a long answer) and {@code pid}.
 */
public final class TestMcpServer {
  private TestMcpServer() {}

  /** The stdio server: {@code java -cp <test class path> dev.engram.mcp.TestMcpServer}. */
  public static void main(String[] args) throws Exception {
    McpSyncServer server = McpServer.sync(new StdioServerTransportProvider(McpJsonDefaults.getMapper()))
        .serverInfo("engram-test-mcp", "1.0").capabilities(caps()).tools(tools(true)).build();
    Thread.currentThread().join(); // the transport's threads serve until stdin closes or the process is killed
    server.close();
  }

  /** The command and arguments that start the stdio server in a new JVM of this test's class path. */
  public static List<String> command() {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    return List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-Dlogback.configurationFile=" + logbackToStderr(), "-cp", System.getProperty("java.class.path"),
        TestMcpServer.class.getName());
  }

  /** The child must keep stdout for MCP: its logs go to stderr. */
  private static String logbackToStderr() {
    try {
      File f = File.createTempFile("mcp-child-logback", ".xml");
      f.deleteOnExit();
      Files.writeString(f.toPath(), """
          <configuration>
            <appender name="ERR" class="ch.qos.logback.core.ConsoleAppender"><target>System.err</target>
              <encoder><pattern>%-5level %logger{24} - %msg%n</pattern></encoder></appender>
            <root level="WARN"><appender-ref ref="ERR"/></root>
          </configuration>""");
      return f.getAbsolutePath();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** An MCP server over HTTP on {@code port} (0: any free one), in this JVM. */
  public static final class Http implements AutoCloseable {
    private final Tomcat tomcat;
    private final McpSyncServer server;
    public final int port;

    private Http(Tomcat tomcat, McpSyncServer server, int port) {
      this.tomcat = tomcat;
      this.server = server;
      this.port = port;
    }

    public String url() {
      return "http://127.0.0.1:" + port + "/mcp";
    }

    public String sseUrl() {
      return "http://127.0.0.1:" + port + "/sse";
    }

    @Override
    public void close() throws LifecycleException {
      server.closeGracefully();
      tomcat.stop();
      tomcat.destroy();
    }
  }

  /** Streamable HTTP at {@code /mcp}, or (with {@code sse}) the older SSE transport at {@code /sse}. */
  public static Http http(int port, boolean sse) throws LifecycleException {
    HttpServlet servlet;
    McpSyncServer server;
    if (sse) {
      var provider = HttpServletSseServerTransportProvider.builder().messageEndpoint("/message").sseEndpoint("/sse")
          .build();
      server = McpServer.sync(provider).serverInfo("engram-test-mcp", "1.0").capabilities(caps())
          .tools(tools(false)).build();
      servlet = provider;
    } else {
      var provider = HttpServletStreamableServerTransportProvider.builder().mcpEndpoint("/mcp")
          .contextExtractor(TestMcpServer::headersOf).build();
      server = McpServer.sync(provider).serverInfo("engram-test-mcp", "1.0").capabilities(caps())
          .tools(tools(false)).build();
      servlet = provider;
    }
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(dev.engram.testkit.TempHomes.create("mcp-tomcat-").toString());
    Connector connector = new Connector();
    connector.setPort(port);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", null);
    Tomcat.addServlet(context, "mcp", servlet).setAsyncSupported(true);
    context.addServletMappingDecoded("/*", "mcp");
    tomcat.start();
    return new Http(tomcat, server, connector.getLocalPort());
  }

  private static McpTransportContext headersOf(jakarta.servlet.http.HttpServletRequest request) {
    Map<String, Object> headers = new java.util.HashMap<>();
    for (String name : java.util.Collections.list(request.getHeaderNames())) {
      headers.put(name.toLowerCase(java.util.Locale.ROOT), request.getHeader(name));
    }
    return McpTransportContext.create(headers);
  }

  private static McpSchema.ServerCapabilities caps() {
    return McpSchema.ServerCapabilities.builder().tools(true).build();
  }

  private static Map<String, Object> schema(String... stringParams) {
    Map<String, Object> props = new java.util.LinkedHashMap<>();
    for (String p : stringParams) {
      props.put(p, Map.of("type", "string", "description", "the " + p));
    }
    return Map.of("type", "object", "properties", props, "required", List.of(stringParams));
  }

  private static SyncToolSpecification tool(String name, String description, Map<String, Object> schema,
      java.util.function.BiFunction<io.modelcontextprotocol.server.McpSyncServerExchange, Map<String, Object>,
          McpSchema.CallToolResult> handler) {
    return SyncToolSpecification.builder().tool(McpSchema.Tool.builder(name, schema).description(description).build())
        .callHandler((exchange, request) -> handler.apply(exchange, request.arguments() == null ? Map.of()
            : request.arguments())).build();
  }

  private static McpSchema.CallToolResult text(String text) {
    return McpSchema.CallToolResult.builder().addTextContent(text).isError(false).build();
  }

  private static List<SyncToolSpecification> tools(boolean stdio) {
    List<SyncToolSpecification> tools = new java.util.ArrayList<>(List.of(
        tool("echo", "Says the text back.", schema("text"), (x, a) -> text(String.valueOf(a.get("text")))),
        tool("add", "Adds two integers.", Map.of("type", "object", "properties", Map.of("a", Map.of("type", "integer"),
                "b", Map.of("type", "integer")), "required", List.of("a", "b")),
            (x, a) -> text(String.valueOf(((Number) a.get("a")).longValue() + ((Number) a.get("b")).longValue()))),
        tool("fail", "Reports an error.", schema("message"), (x, a) -> McpSchema.CallToolResult.builder()
            .addTextContent("failed: " + a.get("message")).isError(true).build()),
        tool("boom", "Throws.", schema(), (x, a) -> {
          throw new IllegalStateException("boom inside the tool");
        }),
        tool("sleep", "Sleeps for ms milliseconds.", schema("ms"), (x, a) -> {
          try {
            Thread.sleep(Long.parseLong(String.valueOf(a.get("ms"))));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return text("slept");
        }),
        tool("env", "The value of an environment variable.", schema("name"),
            (x, a) -> text(String.valueOf(System.getenv(String.valueOf(a.get("name")))))),
        tool("env_names", "The names of all environment variables.", schema(),
            (x, a) -> text(String.join(",", new TreeSet<>(System.getenv().keySet())))),
        tool("big", "A text of n characters.", schema("n"),
            (x, a) -> text("x".repeat(Integer.parseInt(String.valueOf(a.get("n")))))),
        tool("pid", "The server's process id.", schema(),
            (x, a) -> text(String.valueOf(ProcessHandle.current().pid()))),
        tool("header", "The value of a request header.", schema("name"), (x, a) -> text(String.valueOf(
            x.transportContext().get(String.valueOf(a.get("name")).toLowerCase(java.util.Locale.ROOT)))))));
    if (stdio) {
      tools.add(tool("exit", "Exits the process without answering.", schema("code"), (x, a) -> {
        System.err.println("exiting on request");
        Runtime.getRuntime().halt(Integer.parseInt(String.valueOf(a.get("code"))));
        return text("unreachable");
      }));
    }
    return tools;
  }
}
