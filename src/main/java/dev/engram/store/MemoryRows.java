package dev.engram.store;

import dev.engram.kernel.Ids;
import dev.engram.model.ChatSession;
import dev.engram.model.Memory;
import dev.engram.model.MemoryEvent;
import dev.engram.store.MemoryProtocol.Scope;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Row-to-record mapping for memories, their history and chat sessions, and the derived keys they are stored with. */
final class MemoryRows {
  private MemoryRows() {}

  static final String COLUMNS = """
      id, text, hash, metadata, scope_user, scope_agent, scope_run, actor_id, role, memory_type, session_id,
      created_at, updated_at, valid_from, valid_to, expiration_date, superseded_by, provenance, pending_event""";
  /**
   * {@code from} the memories of the ids in parameter {@code $param}, as {@code m}, each looked up alone by its primary
   * key: {@code offset 0} keeps the conditions that follow (the tenant, the scopes) out of the lookup. Asked as one
   * scan with them, a planner whose statistics lagged behind a fast-growing table (autovacuum analyses it about once
   * a minute) walked the tenant's whole {@code (user_id, created_at, id)} index for ten ids: 0.9-2.4 ms at 10,000
   * memories of one user, against 0.10-0.17 ms this way (EXPLAIN ANALYZE; performance notes).
   */
  static String ofIds(int param) {
    return " from unnest($" + param + "::uuid[]) as hit(wanted),"
        + " lateral (select * from memories x where x.id = hit.wanted offset 0) m";
  }

  /** The rows of the ids in parameter $1 that belong to the tenant in $2 (a foreign id finds nothing). */
  static String ofIdsOfTenant() {
    return ofIds(1) + " where m.user_id = $2";
  }

  static final String HISTORY_COLUMNS =
      "id, memory_id, old_memory, new_memory, event, created_at, updated_at, is_deleted, actor_id, role";

  static Memory memory(Row r) {
    JsonObject metadata = r.getJsonObject("metadata");
    JsonObject provenance = r.getJsonObject("provenance");
    return new Memory(r.getUUID("id").toString(), r.getString("text"), r.getString("hash"),
        metadata == null ? Map.of() : metadata.getMap(), r.getString("scope_user"), r.getString("scope_agent"),
        r.getString("scope_run"), r.getString("actor_id"), r.getString("role"), r.getString("memory_type"),
        r.getUUID("session_id") == null ? null : r.getUUID("session_id").toString(),
        Rows.instant(r.getOffsetDateTime("created_at")), Rows.instant(r.getOffsetDateTime("updated_at")),
        Rows.instant(r.getOffsetDateTime("valid_from")), Rows.instant(r.getOffsetDateTime("valid_to")),
        Rows.instant(r.getOffsetDateTime("expiration_date")),
        r.getUUID("superseded_by") == null ? null : r.getUUID("superseded_by").toString(),
        provenance == null ? Map.of() : provenance.getMap(),
        r.getUUID("pending_event") == null ? null : r.getUUID("pending_event").toString());
  }

  static MemoryEvent event(Row r) {
    return new MemoryEvent(r.getUUID("id").toString(), r.getUUID("memory_id").toString(), r.getString("old_memory"),
        r.getString("new_memory"), r.getString("event"), Rows.instant(r.getOffsetDateTime("created_at")),
        Rows.instant(r.getOffsetDateTime("updated_at")), r.getBoolean("is_deleted"), r.getString("actor_id"),
        r.getString("role"));
  }

  static ChatSession session(Row r) {
    return new ChatSession(r.getUUID("id").toString(), r.getString("external_user_id"), r.getString("name"),
        Rows.instant(r.getOffsetDateTime("created_at")), r.getLong("message_count"));
  }

  /** The id of a (tenant, user, agent, run) combination: the same scope always gets the same id. */
  static UUID scopeId(UUID tenant, Scope scope) {
    String key = tenant + "\u0001" + part(scope.user()) + "\u0001" + part(scope.agent()) + "\u0001"
        + part(scope.run());
    return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8));
  }

  private static String part(String value) {
    return value == null ? "\u0000" : value;
  }

  /** Mem0's {@code hash}: md5 hex of the UTF-8 text. */
  static String md5(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The key of exact duplicates: case, runs of white space and trailing punctuation do not count. */
  static String normalisedHash(String text) {
    return md5(normalised(text));
  }

  /**
   * The text as duplicates are found by: stripped, lower-cased, each run of ASCII white space as one space, and the
   * trailing run of ASCII punctuation and white space dropped. The hashes stored before were made by the regular
   * expressions {@code \s+ -> " "} and then {@code [\p{Punct}\s]+$ -> ""}, so this gives what they gave, their end
   * anchor included: {@code $} also matches before a line terminator that ends the text (after the folding only
   * U+0085 can, since strip() takes the others), so the run before such a terminator is the one dropped
   * ({@code MemoryRowsTest}). A loop instead of the expressions: they were 2 % of a verbatim add's CPU.
   */
  static String normalised(String text) {
    String lower = text.strip().toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(lower.length());
    boolean inSpace = false;
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      if (isAsciiSpace(c)) {
        if (!inSpace) {
          out.append(' ');
        }
        inSpace = true;
      } else {
        out.append(c);
        inSpace = false;
      }
    }
    int end = out.length();
    if (end > 0 && out.charAt(end - 1) == '\u0085') {
      end--;
    }
    int start = end;
    while (start > 0 && (isAsciiSpace(out.charAt(start - 1)) || isAsciiPunctuation(out.charAt(start - 1)))) {
      start--;
    }
    return out.delete(start, end).toString();
  }

  /** {@code \s} of a regular expression without UNICODE_CHARACTER_CLASS. */
  private static boolean isAsciiSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }

  /** {@code \p{Punct}} of a regular expression without UNICODE_CHARACTER_CLASS: the 32 ASCII punctuation marks. */
  private static boolean isAsciiPunctuation(char c) {
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
  }

  /** An opaque page cursor for a memory's position in (created_at, id) order. */
  static String cursor(Memory m) {
    Instant at = m.createdAt();
    long micros = at.getEpochSecond() * 1_000_000 + at.getNano() / 1000;
    return Long.toString(micros, 36) + "." + m.id();
  }

  /** The position of a cursor: {epoch microseconds, id}; throws IllegalArgumentException when it is not one. */
  static Object[] position(String cursor) {
    int dot = cursor.indexOf('.');
    if (dot <= 0) {
      throw new IllegalArgumentException("cursor is not one this server gave out");
    }
    long micros = Long.parseLong(cursor.substring(0, dot), 36);
    UUID id = Ids.parse(cursor.substring(dot + 1));
    if (id == null) {
      throw new IllegalArgumentException("cursor is not one this server gave out");
    }
    Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1000L);
    return new Object[] {Rows.offset(at), id};
  }
}
