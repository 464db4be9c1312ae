package dev.engram.store;

import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.model.Message;
import dev.engram.store.IndexSync.Feed;
import io.vertx.sqlclient.Row;
import java.util.UUID;

/**
 * The indexes the store keeps: archival passages (text and vector), recall messages (text only) and Mem0 memories
 * (text and vector, owned by their scope).
 */
final class IndexFeeds {
  private IndexFeeds() {}

  static final Feed PASSAGES = new Feed("archival",
      "select count(*), coalesce(max(seq), -1) from passages",
      """
      select seq, id, user_id, coalesce(agent_id, source_id) as owner, text, embedding
      from passages where seq > $1 order by seq limit $2""",
      """
      select seq, id, user_id, coalesce(agent_id, source_id) as owner, text, embedding
      from passages where id = any($1)""",
      IndexFeeds::passage);

  static final Feed MESSAGES = new Feed("recall",
      "select count(*), coalesce(max(seq), -1) from messages where role in ('user', 'assistant')",
      "select seq, conversation_id, " + Rows.MESSAGE_COLUMNS
          + " from messages where seq > $1 and role in ('user', 'assistant') order by seq limit $2",
      "select seq, conversation_id, " + Rows.MESSAGE_COLUMNS
          + " from messages where id = any($1) and role in ('user', 'assistant')",
      r -> message(r.getLong("seq"), Rows.message(r), r.getUUID("conversation_id") == null ? null
          : r.getUUID("conversation_id").toString()));

  static final Feed MEMORIES = new Feed("memories",
      "select count(*), coalesce(max(seq), -1) from memories",
      """
      select seq, id, user_id, scope_id as owner, text, embedding
      from memories where seq > $1 order by seq limit $2""",
      """
      select seq, id, user_id, scope_id as owner, text, embedding
      from memories where id = any($1)""",
      IndexFeeds::passage);

  private static IndexedPassage passage(Row r) {
    return new IndexedPassage(r.getUUID("id"), r.getLong("seq"), r.getUUID("user_id"), r.getUUID("owner"),
        r.getString("text"), ArchivalRows.unboxed(r.getArrayOfFloats("embedding")));
  }

  /**
   * A recall message as a text-only index entry owned by its thread (its conversation, or else its agent): what the
   * user wrote, or what the agent thought and said.
   */
  static IndexedPassage message(long seq, Message m, String conversationId) {
    return new IndexedPassage(UUID.fromString(m.id()), seq, UUID.fromString(m.userId()),
        UUID.fromString(conversationId != null ? conversationId : m.agentId()), m.searchableText(), null);
  }
}
