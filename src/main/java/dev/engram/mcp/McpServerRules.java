package dev.engram.mcp;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.model.McpServer;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a registered MCP server must be: who may register a stdio command ({@code MCP_STDIO}), which URLs a user may
 * have Engram fetch, and the bounds of every field (a 422 names the field). A stdio server keeps only its command
 * fields and a URL server only its URL fields, as Letta's typed configs do.
 */
public final class McpServerRules {
  static final int MAX_NAME = 200;
  static final int MAX_TEXT = 4_096;
  static final int MAX_ARGS = 256;
  static final int MAX_ENTRIES = 100;
  static final int MAX_VALUE = 32_768;
  /** An argument may be long (a class path); Linux takes up to 128 KiB per argument. */
  static final int MAX_ARG = 65_536;
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,255}");
  /** A header name: an RFC 9110 token. */
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}");
  /** Headers the HTTP client or the MCP transport sets itself (the JDK's client refuses the first five). */
  private static final List<String> RESERVED_HEADERS = List.of("connection", "content-length", "expect", "host",
      "upgrade", "mcp-session-id", "mcp-protocol-version", "last-event-id", "content-type", "accept");

  private final McpSettings settings;

  public McpServerRules(McpSettings settings) {
    this.settings = settings;
  }

  /**
   * The server as it may be stored, or a 422 (a field) or 403 (the stdio policy). Address checks that need DNS are
   * {@link #checkAddress}'s.
   */
  public McpServer checked(McpServer s, boolean admin) {
    if (s.type() == null) {
      throw ApiException.unprocessable("mcp_server_type must be one of stdio, sse, streamable_http");
    }
    String name = line(text(s.name(), "server_name", MAX_NAME, true), "server_name");
    if (s.type() == McpServer.Type.STDIO) {
      checkStdioAllowed(admin);
      String command = line(text(s.command(), "command", MAX_TEXT, true), "command");
      if (s.args().size() > MAX_ARGS) {
        throw ApiException.unprocessable("args may have at most " + MAX_ARGS + " items");
      }
      for (String arg : s.args()) {
        if (arg == null) {
          throw ApiException.unprocessable("args must be strings");
        }
        text(arg, "args", MAX_ARG, false);
      }
      entries(s.env(), "env", ENV_NAME, "a letter or _ followed by letters, digits or _");
      return new McpServer(s.id(), s.userId(), name, s.type(), command, s.args(), s.env(), null, null, null, Map.of(),
          s.createdAt(), s.updatedAt());
    }
    String url = line(text(s.serverUrl(), "server_url", MAX_TEXT, true), "server_url");
    URI uri = uri(url);
    String authHeader = s.authHeader() == null || s.authHeader().isEmpty() ? null : s.authHeader();
    if (authHeader != null) {
      headerName(authHeader, "auth_header");
    }
    if (s.authToken() != null) {
      headerValue(s.authToken(), "auth_token");
    }
    entries(s.customHeaders(), "custom_headers", HEADER_NAME, "an HTTP header name");
    s.customHeaders().forEach((k, v) -> {
      headerName(k, "custom_headers");
      headerValue(v, "custom_headers." + k);
    });
    return new McpServer(s.id(), s.userId(), name, s.type(), null, List.of(), Map.of(), uri.toString(), authHeader,
        s.authToken() == null || s.authToken().isEmpty() ? null : s.authToken(), s.customHeaders(), s.createdAt(),
        s.updatedAt());
  }

  /** Refuses a stdio server when the policy does not let this caller register one (403). */
  void checkStdioAllowed(boolean admin) {
    switch (settings.stdio()) {
      case OFF -> throw new ApiException(ErrorKind.FORBIDDEN,
          "stdio MCP servers are turned off on this server (MCP_STDIO=off)");
      case ADMIN -> {
        if (!admin) {
          throw new ApiException(ErrorKind.FORBIDDEN, "only the admin may register stdio MCP servers on this server"
              + " (MCP_STDIO=admin): their commands run on the server");
        }
      }
      case USERS -> { }
    }
  }

  /**
   * Refuses (422) a URL whose host is, or resolves to, a loopback, private, link-local or otherwise non-public
   * address, unless the caller is the admin or {@code MCP_ALLOW_PRIVATE_URLS} is set. Resolves names: call it off
   * the event loop. What it cannot stop: a name that resolves to a public address now and a private one later.
   */
  public void checkAddress(McpServer s, boolean admin) {
    if (s.type() == McpServer.Type.STDIO || admin || settings.allowPrivateUrls()) {
      return;
    }
    String host = URI.create(s.serverUrl()).getHost();
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw ApiException.unprocessable("server_url: the host '" + host + "' cannot be resolved");
    }
    for (InetAddress a : addresses) {
      if (!isPublic(a)) {
        throw ApiException.unprocessable("server_url: '" + host + "' is a non-public address (" + a.getHostAddress()
            + "); only the admin may register such URLs unless MCP_ALLOW_PRIVATE_URLS is set");
      }
    }
  }

  static boolean isPublic(InetAddress a) {
    if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
        || a.isMulticastAddress()) {
      return false;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      // 0/8 "this network", 100.64/10 shared (carrier-grade NAT), 192.0.0/24 protocol assignments, 198.18/15
      // benchmarking, 240/4 reserved
      return first != 0 && !(first == 100 && second >= 64 && second < 128) && !(first == 192 && second == 0
          && (b[2] & 0xff) == 0) && !(first == 198 && (second == 18 || second == 19)) && first < 240;
    }
    if (a instanceof Inet6Address) {
      // fc00::/7 unique local; an IPv4-mapped address is judged as the IPv4 one
      if ((b[0] & 0xfe) == 0xfc) {
        return false;
      }
      boolean mapped = true;
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
        try {
          return isPublic(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (UnknownHostException e) {
          return false;
        }
      }
    }
    return true;
  }

  private static URI uri(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw ApiException.unprocessable("server_url is not a valid URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw ApiException.unprocessable("server_url must start with 'http://' or 'https://', got: '" + url + "'");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw ApiException.unprocessable("server_url must have a valid host, got: '" + url + "'");
    }
    if (uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      throw ApiException.unprocessable("server_url must not have user information or a fragment: put credentials"
          + " in auth_token or custom_headers");
    }
    return uri;
  }

  private static String text(String value, String field, int max, boolean required) {
    if (value == null || (required && value.isBlank())) {
      if (required) {
        throw ApiException.unprocessable(field + " is required and must not be blank");
      }
      return value;
    }
    if (value.length() > max) {
      throw ApiException.unprocessable(field + " may be at most " + max + " characters long");
    }
    if (value.indexOf('\0') >= 0) {
      throw ApiException.unprocessable(field + " must not contain NUL characters");
    }
    return value;
  }

  /** {@code value} when it has no control characters (a name, a command, a URL: one line of text). */
  private static String line(String value, String field) {
    if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw ApiException.unprocessable(field + " must not contain control characters");
    }
    return value;
  }

  private static void entries(Map<String, String> map, String field, Pattern names, String what) {
    if (map.size() > MAX_ENTRIES) {
      throw ApiException.unprocessable(field + " may have at most " + MAX_ENTRIES + " entries");
    }
    map.forEach((k, v) -> {
      if (!names.matcher(k).matches()) {
        throw ApiException.unprocessable(field + ": '" + shown(k) + "' is not " + what);
      }
      if (v == null) {
        throw ApiException.unprocessable(field + "." + k + " must be a string");
      }
      text(v, field + "." + k, MAX_VALUE, false);
    });
  }

  private static void headerName(String name, String field) {
    if (!HEADER_NAME.matcher(name).matches()) {
      throw ApiException.unprocessable(field + ": '" + shown(name) + "' is not an HTTP header name");
    }
    if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
      throw ApiException.unprocessable(field + ": the header '" + name + "' is set by the MCP client itself");
    }
  }

  private static void headerValue(String value, String field) {
    // what the JDK's HTTP client sends: tabs and characters from space to U+00FF but DEL
    if (value.length() > MAX_VALUE || value.chars().anyMatch(c -> c != '\t' && (c < 0x20 || c == 0x7f || c > 0xff))) {
      throw ApiException.unprocessable(field + " must be one line of at most " + MAX_VALUE + " printable Latin-1"
          + " characters");
    }
  }

  private static String shown(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
