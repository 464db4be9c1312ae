package dev.engram.mcp;

import dev.engram.model.McpServer;
import io.modelcontextprotocol.client.transport.HttpClientSseClientTransport;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpClientTransport;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;

/** The SDK transport that reaches a registered server: a child process, or HTTP with the server's headers. */
final class McpTransports {
  private McpTransports() {}

  static McpClientTransport of(McpServer server, McpSettings settings) {
    if (server.type() == McpServer.Type.STDIO) {
      return new StdioChild(server.name(), server.command(), server.args(), server.env(), settings.maxMessageBytes());
    }
    HttpRequest.Builder request = HttpRequest.newBuilder();
    headers(server).forEach(request::header);
    Duration connect = Duration.ofMillis(settings.connectTimeoutMs());
    String url = server.serverUrl();
    if (server.type() == McpServer.Type.SSE) {
      // the URL is the event stream's; the SDK accepts only a message endpoint of the same origin
      return HttpClientSseClientTransport.builder(url).sseEndpoint(url).requestBuilder(request).connectTimeout(connect)
          .maxResponseSize(settings.maxMessageBytes()).build();
    }
    return HttpClientStreamableHttpTransport.builder(url).endpoint(url).requestBuilder(request)
        .connectTimeout(connect).maxResponseSize(settings.maxMessageBytes()).build();
  }

  /**
   * The headers of every request: the custom ones, then {@code authHeader: authToken} ({@code Authorization} when no
   * header is named). A bare token for {@code Authorization} is sent as {@code Bearer <token>}, as Letta does.
   */
  static Map<String, String> headers(McpServer server) {
    Map<String, String> out = new java.util.LinkedHashMap<>(server.customHeaders());
    String token = server.authToken();
    if (token != null && !token.isEmpty()) {
      String header = server.authHeader() != null ? server.authHeader() : "Authorization";
      boolean bare = header.equalsIgnoreCase("Authorization") && token.indexOf(' ') < 0;
      out.put(header, bare ? "Bearer " + token : token);
    }
    return out;
  }
}
