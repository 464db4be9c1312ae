package dev.engram.agent.tool;

import dev.engram.model.CoreMemory;
import dev.engram.agent.ArchivalHit;
import dev.engram.store.StoreProtocol.Messages;
import io.vertx.core.Future;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.function.UnaryOperator;

/** What a tool may see and change of the agent that calls it. */
public interface ToolContext {
  CoreMemory memory();

  /**
   * Changes the value of the block labelled {@code label} with {@code change}, which may throw to refuse; a read-only
   * block and a value over the block's limit are refused. The block may be shared: when another writer got in
   * first, the change is made again on the newer value, so no edit is lost. The system message is rebuilt before
   * the next model call.
   */
  Future<Void> editMemory(String label, UnaryOperator<String> change);

  /** Sends a message to the user (an {@code assistant_message} event). */
  void say(String message);

  /** Searches this agent's user and assistant messages, newest first. */
  Future<Messages> searchRecall(String query, Instant from, Instant to, int offset, int limit);

  /**
   * Stores text in the agent's archival memory (or in the attached Mem0 scope that takes its inserts); the ids of the
   * passages or memories made from it.
   */
  Future<List<String>> insertArchival(String content);

  /**
   * The agent's best archival passages for the query (its own and its attached sources') and the best memories of
   * its attached Mem0 scopes, best first.
   */
  Future<List<ArchivalHit>> searchArchival(String query);

  ZoneId zone();
}
