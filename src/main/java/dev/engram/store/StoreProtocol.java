package dev.engram.store;

import dev.engram.model.Agent;
import dev.engram.model.AgentSummary;
import dev.engram.model.Message;
import java.time.Instant;
import java.util.List;

/** Requests and replies of the persistence verticle. Each request record travels to its own address. */
public final class StoreProtocol {
  private StoreProtocol() {}

  // users and keys
  public record CreateUser(String userId, String keyName) {}
  public record UserCreated(String userId, String apiKey) {}
  public record ListUsers() {}
  public record UserIds(List<String> userIds) {}
  public record DeleteUser(String userId) {}
  public record CreateKey(String userId, String name) {}
  public record KeyCreated(String apiKey) {}
  public record ListKeys(String userId) {}
  public record KeyHints(List<String> hints) {}
  public record DeleteKey(String apiKey) {}
  public record ResolveKey(String apiKey) {}
  public record UserExists(String userId) {}
  /** The user a credential belongs to; null when it belongs to nobody. */
  public record ResolvedUser(String userId) {}

  // agents
  public record InsertAgent(Agent agent, List<Message> messages) {}
  public record LoadAgent(String agentId) {}
  /**
   * An agent with its in-context messages (in context order), recall size and archival size (its passages and those
   * of attached sources); {@code agent} null if unknown.
   */
  public record LoadedAgent(Agent agent, List<Message> inContext, long recallCount, long archivalCount) {}
  public record ListAgents(String userId) {}
  public record AgentList(List<AgentSummary> agents) {}
  public record DeleteAgent(String agentId) {}
  /**
   * Appends {@code newMessages} to recall and writes the agent's state, in one transaction. {@code storedContext} is
   * how many leading ids of {@code agent.inContextIds()} the caller knows to be stored already (from its last save), so
   * only the others are sent; the store checks the claim and writes the whole list when it does not hold. 0 writes
   * the whole list.
   */
  public record SaveAgent(Agent agent, List<Message> newMessages, int storedContext) {}

  // recall
  public record PageMessages(String userId, String agentId, int start, int count) {}
  public record CursorMessages(String userId, String agentId, String before, String after, int limit) {}
  public record SearchMessages(String agentId, String query, Instant from, Instant to, int offset, int limit) {}
  /** Messages newest first; {@code inContext} holds the ids among them that are in the context window. */
  public record Messages(List<Message> messages, List<String> inContext, long total) {}

  public record Done() {}
}
