package dev.engram.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A stdio server that shakes hands and lists one tool like an MCP server, then answers every call of it with a result
 * that is not MCP ({@code content} a string, not a list of parts). Hand-written on purpose: the SDK's server side
 * cannot be made to send a malformed answer.
 */
public final class MalformedMcpServer {
  private MalformedMcpServer() {}

  public static void main(String[] args) throws Exception {
    ObjectMapper json = new ObjectMapper();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      JsonNode request = json.readTree(line);
      if (!request.has("id") || !request.has("method")) {
        continue; // a notification
      }
      ObjectNode reply = json.createObjectNode().put("jsonrpc", "2.0");
      reply.set("id", request.get("id"));
      ObjectNode result = reply.putObject("result");
      switch (request.get("method").asText()) {
        case "initialize" -> {
          result.put("protocolVersion", request.path("params").path("protocolVersion").asText());
          result.putObject("capabilities").putObject("tools");
          result.putObject("serverInfo").put("name", "malformed").put("version", "1.0");
        }
        case "tools/list" -> result.putArray("tools").addObject().put("name", "broken")
            .putObject("inputSchema").put("type", "object");
        default -> result.put("content", "not a list of content parts");
      }
      out.println(json.writeValueAsString(reply));
    }
  }

  /** The command that runs it in a new JVM of this test's class path. */
  public static List<String> command() {
    List<String> command = new ArrayList<>(TestMcpServer.command());
    command.set(command.size() - 1, MalformedMcpServer.class.getName());
    return command;
  }
}
