package dev.engram.mcp;

import java.util.Locale;

/**
 * How Engram talks to the MCP servers its users register.
 *
 * <ul>
 *   <li>{@code stdio} ({@code MCP_STDIO}): who may register servers that Engram runs as child processes. Such a
 *       command runs as the server's OS user: it can read ENGRAM_HOME (the database files, the JWT secret), open any
 *       connection and start anything, so registering one is running code on the server. The default
 *       {@link StdioPolicy#ADMIN} leaves that to the operator (the admin password); {@link StdioPolicy#USERS} lets
 *       every API key do it (a single-user or trusted setup); {@link StdioPolicy#OFF} runs no child at all, not even
 *       for servers registered before.
 *   <li>{@code allowPrivateUrls} ({@code MCP_ALLOW_PRIVATE_URLS}): whether users other than the admin may register
 *       URLs on loopback, private, link-local or otherwise non-public addresses. Off by default: a URL server is
 *       fetched by Engram from inside its network, so it could reach what only Engram can (server-side request
 *       forgery), as Letta refuses too. The admin may always.
 *   <li>{@code callTimeoutMs} ({@code MCP_CALL_TIMEOUT_MS}): the longest a tool call or a tool listing may take;
 *       {@code connectTimeoutMs} ({@code MCP_CONNECT_TIMEOUT_MS}): the longest a start and MCP handshake may take.
 *   <li>{@code maxResultChars} ({@code MCP_MAX_RESULT_CHARS}): the most characters of a tool's answer kept (Letta's
 *       default {@code return_char_limit}); {@code maxMessageBytes} ({@code MCP_MAX_MESSAGE_BYTES}): the longest
 *       single message read from a server, over any transport (a longer one ends the stream instead of filling the
 *       heap, and the call fails).
 * </ul>
 */
public record McpSettings(StdioPolicy stdio, boolean allowPrivateUrls, long callTimeoutMs, long connectTimeoutMs,
    int maxResultChars, int maxMessageBytes) {

  public static final McpSettings DEFAULTS = new McpSettings(StdioPolicy.ADMIN, false, 30_000, 30_000, 50_000,
      4 * 1024 * 1024);

  /** Who may register stdio servers ({@code MCP_STDIO}). */
  public enum StdioPolicy {
    ADMIN, USERS, OFF;

    /** The policy of a setting's value (case-insensitive), or an error that names the choices. */
    public static StdioPolicy parse(String value) {
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("MCP_STDIO must be admin, users or off, got '" + value + "'");
      }
    }
  }

  public McpSettings {
    if (callTimeoutMs <= 0 || connectTimeoutMs <= 0) {
      throw new IllegalArgumentException("MCP_CALL_TIMEOUT_MS and MCP_CONNECT_TIMEOUT_MS must be positive");
    }
    if (maxResultChars < 100 || maxMessageBytes < 64 * 1024) {
      throw new IllegalArgumentException("MCP_MAX_RESULT_CHARS must be at least 100 and MCP_MAX_MESSAGE_BYTES at"
          + " least 65536");
    }
  }
}
