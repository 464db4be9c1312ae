package dev.engram.http;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Letta's ids are {@code <kind>-<uuid>} ({@code agent-…}, {@code block-…}, {@code message-…}); Engram stores bare
 * UUIDs. The agent APIs ({@code /api} and {@code /v1}) accept both forms: {@code /v1} renders the prefixed form,
 * {@code /api} the bare one, so one object has one id on either API. A prefix is only taken off where it names the
 * kind of object the place expects ({@code /api/agents/agent-…}, {@code ?source_id=source-…}); a wrong kind stays
 * as it is, so it names nothing (404). The Mem0 and chat APIs at the root keep their ids verbatim.
 */
public final class PrefixedIds {
  /** The prefixes of Letta's object kinds ({@code PrimitiveType}); folders use {@code source}. */
  public static final String AGENT = "agent";
  public static final String BLOCK = "block";
  public static final String MESSAGE = "message";
  public static final String PASSAGE = "passage";
  public static final String TOOL = "tool";
  public static final String SOURCE = "source";
  public static final String FILE = "file";
  public static final String RUN = "run";
  public static final String JOB = "job";
  public static final String STEP = "step";
  public static final String CONVERSATION = "conv";
  public static final String USER = "user";
  public static final String MCP_SERVER = "mcp_server";

  /** The kind of id that follows a collection segment of a path ({@code /agents/{id}}). */
  private static final Map<String, String> PATH_KINDS = Map.ofEntries(
      Map.entry("agents", AGENT), Map.entry("blocks", BLOCK), Map.entry("messages", MESSAGE),
      Map.entry("archival-memory", PASSAGE), Map.entry("archival", PASSAGE), Map.entry("tools", TOOL),
      Map.entry("sources", SOURCE), Map.entry("folders", SOURCE), Map.entry("files", FILE), Map.entry("runs", RUN),
      Map.entry("jobs", JOB), Map.entry("status", JOB), Map.entry("steps", STEP),
      Map.entry("conversations", CONVERSATION), Map.entry("users", USER), Map.entry("mcp-servers", MCP_SERVER));
  /** The kind of id a query parameter holds; cursors ({@code after}, {@code before}) hold the listing's kind. */
  private static final Map<String, String> QUERY_KINDS = Map.ofEntries(
      Map.entry("agent_id", AGENT), Map.entry("block_id", BLOCK), Map.entry("source_id", SOURCE),
      Map.entry("folder_id", SOURCE), Map.entry("file_id", FILE), Map.entry("job_id", JOB), Map.entry("run_id", RUN),
      Map.entry("run_ids", RUN), Map.entry("tool_id", TOOL), Map.entry("conversation_id", CONVERSATION),
      Map.entry("id", PASSAGE), Map.entry("user_id", USER));
  private static final List<String> CURSORS = List.of("after", "before");

  private static final List<String> KINDS = List.of(AGENT, BLOCK, MESSAGE, PASSAGE, TOOL, SOURCE, FILE, RUN, JOB,
      STEP, CONVERSATION, USER, MCP_SERVER);

  private PrefixedIds() {}

  /** The bare UUID of {@code id} when it carries a Letta prefix, else {@code id} unchanged (null stays null). */
  public static String bare(String id) {
    if (id == null) {
      return null;
    }
    int uuid = uuidStart(id);
    return uuid > 0 && KINDS.contains(id.substring(0, uuid - 1)) ? id.substring(uuid).toLowerCase(Locale.ROOT) : id;
  }

  /** The bare UUID of {@code id} when it is prefixed with {@code kind}, else {@code id} unchanged. */
  public static String bare(String id, String kind) {
    if (id == null) {
      return null;
    }
    int uuid = uuidStart(id);
    return uuid == kind.length() + 1 && id.startsWith(kind) ? id.substring(uuid).toLowerCase(Locale.ROOT) : id;
  }

  /** {@code kind-id}; an id already prefixed is returned as it is. */
  public static String prefixed(String kind, String id) {
    if (id == null) {
      return null;
    }
    return uuidStart(id) > 0 ? id : kind + "-" + id;
  }

  /**
   * Where the UUID of a prefixed id starts, or -1 when {@code id} is not one: a kind of lower-case letters and
   * underscores, a hyphen, and a UUID in hex digits of either case. A loop instead of a regular expression: every id
   * a /v1 answer renders passes here.
   */
  private static int uuidStart(String id) {
    int start = id.length() - 36;
    if (start < 2 || id.charAt(start - 1) != '-') {
      return -1;
    }
    for (int i = 0; i < start - 1; i++) {
      char c = id.charAt(i);
      if (!((c >= 'a' && c <= 'z') || c == '_')) {
        return -1;
      }
    }
    for (int i = 0; i < 36; i++) {
      char c = id.charAt(start + i);
      boolean ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-'
          : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!ok) {
        return -1;
      }
    }
    return start;
  }

  /** Whether ids in {@code path} are ids of the agent APIs (the Mem0 and chat APIs keep theirs verbatim). */
  static boolean agentApi(String path) {
    return path.startsWith("/api/") || path.startsWith("/v1/");
  }

  /** {@code path} with each prefixed id made bare where its kind is the one its place expects. */
  public static String barePath(String path) {
    if (path.indexOf('-') < 0 || !agentApi(path)) {
      return path;
    }
    String[] segments = path.split("/", -1);
    boolean changed = false;
    for (int i = 2; i < segments.length; i++) {
      String kind = PATH_KINDS.get(segments[i - 1]);
      if ("attach".equals(segments[i - 1]) || "detach".equals(segments[i - 1])) {
        kind = PATH_KINDS.get(segments[i - 2]); // /blocks/attach/{block_id}, /tools/detach/{tool_id}
      } else if (kind == null && i >= 3 && "folders".equals(segments[i - 2])) {
        kind = FILE; // DELETE /v1/folders/{folder_id}/{file_id}
      }
      if (kind != null) {
        String bare = bare(segments[i], kind);
        if (!bare.equals(segments[i])) {
          segments[i] = bare;
          changed = true;
        }
      }
    }
    return changed ? String.join("/", segments) : path;
  }

  /** The kind of the items a listing path answers ({@code .../messages-cursor}: messages), or null. */
  private static String listingKind(String path) {
    String last = path.substring(path.lastIndexOf('/') + 1);
    return "messages-cursor".equals(last) ? MESSAGE : "passages".equals(last) ? PASSAGE : PATH_KINDS.get(last);
  }

  /** {@code query} (of a request to {@code path}) with prefixed ids made bare where the parameter expects them. */
  public static String bareQuery(String path, String query) {
    if (query == null || query.indexOf('-') < 0 || !agentApi(path)) {
      return query;
    }
    String[] pairs = query.split("&", -1);
    boolean changed = false;
    for (int i = 0; i < pairs.length; i++) {
      int eq = pairs[i].indexOf('=');
      if (eq < 0) {
        continue;
      }
      String name = pairs[i].substring(0, eq);
      String value = pairs[i].substring(eq + 1);
      String kind = CURSORS.contains(name) ? listingKind(path) : QUERY_KINDS.get(name);
      String bare = kind == null ? value : bare(value, kind);
      if (!bare.equals(value)) {
        pairs[i] = name + "=" + bare;
        changed = true;
      }
    }
    return changed ? String.join("&", pairs) : query;
  }
}
