package dev.engram.store;

import dev.engram.cluster.Fence;
import static dev.engram.store.StoreProtocol.*;

import dev.engram.kernel.Endpoint;
import dev.engram.model.Agent;
import dev.engram.model.Block;
import dev.engram.model.Message;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Instant;
import java.util.List;

/** Typed access to the persistence verticle over the event bus. Failures carry the store's status and detail. */
public final class StoreClient {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(30_000);

  private final Vertx vertx;

  public StoreClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<UserCreated> createUser(String userId, String keyName) {
    return ask(USER_CREATE, new CreateUser(userId, keyName));
  }

  public Future<List<String>> listUsers() {
    return ask(USER_LIST, new ListUsers()).map(UserIds::userIds);
  }

  public Future<Done> deleteUser(String userId) {
    return ask(USER_DELETE, new DeleteUser(userId));
  }

  public Future<String> createKey(String userId, String name) {
    return ask(KEY_CREATE, new CreateKey(userId, name)).map(KeyCreated::apiKey);
  }

  public Future<List<String>> listKeys(String userId) {
    return ask(KEY_LIST, new ListKeys(userId)).map(KeyHints::hints);
  }

  public Future<Done> deleteKey(String apiKey) {
    return ask(KEY_DELETE, new DeleteKey(apiKey));
  }

  public Future<String> resolveKey(String apiKey) {
    return ask(KEY_RESOLVE, new ResolveKey(apiKey)).map(ResolvedUser::userId);
  }

  public Future<Boolean> userExists(String userId) {
    return ask(USER_EXISTS, new UserExists(userId)).map(r -> r.userId() != null);
  }

  public Future<Done> insertAgent(Agent agent, List<Block> newBlocks, List<Message> messages) {
    return ask(AGENT_INSERT, new InsertAgent(agent, newBlocks, messages));
  }

  public Future<Done> updateAgentSettings(Agent agent) {
    return ask(AGENT_UPDATE_SETTINGS, new UpdateAgentSettings(agent));
  }

  public Future<LoadedAgent> loadAgent(String agentId) {
    return ask(AGENT_LOAD, new LoadAgent(agentId));
  }

  public Future<AgentList> listAgents(String userId) {
    return ask(AGENT_LIST, new ListAgents(userId));
  }

  public Future<Done> deleteAgent(String agentId) {
    return ask(AGENT_DELETE, new RemoveAgent(agentId));
  }

  /** See {@link SaveAgent}: {@code storedContext} leading context ids are known to be stored already. */
  public Future<Done> saveAgent(Agent agent, List<Message> newMessages, int storedContext) {
    return ask(AGENT_SAVE, new SaveAgent(agent, newMessages, storedContext));
  }

  /**
   * A save of a thread ({@code conversationId}, or null for the agent's own) that also writes its run's events and,
   * when it starts or ends the run, its row (see {@link RunWrite}).
   */
  public Future<Done> saveAgent(Agent agent, List<Message> newMessages, int storedContext, RunWrite run,
      String conversationId) {
    return ask(AGENT_SAVE, new SaveAgent(agent, newMessages, storedContext, run, conversationId));
  }

  /** As above, committed only while {@code fence} is current (cluster mode: see {@link Fence}). */
  public Future<Done> saveAgent(Agent agent, List<Message> newMessages, int storedContext, RunWrite run,
      String conversationId, Fence fence) {
    return ask(AGENT_SAVE, new SaveAgent(agent, newMessages, storedContext, run, conversationId, fence));
  }

  public Future<Messages> pageMessages(String userId, String agentId, int start, int count) {
    return ask(MESSAGE_PAGE, new PageMessages(userId, agentId, start, count));
  }

  public Future<Messages> cursorMessages(String userId, String agentId, String before, String after, int limit) {
    return ask(MESSAGE_CURSOR, new CursorMessages(userId, agentId, before, after, limit));
  }

  public Future<HistoryMessages> history(HistoryPage page) {
    return ask(MESSAGE_HISTORY, page);
  }

  public Future<Message> message(String userId, String agentId, String messageId) {
    return ask(MESSAGE_GET, new GetMessage(userId, agentId, messageId)).map(OneMessage::message);
  }

  public Future<Done> rewriteMessage(Message message) {
    return ask(MESSAGE_REWRITE, new RewriteMessage(message));
  }

  /** A recall search in the agent's own thread ({@code conversationId} null) or in one of its conversations. */
  public Future<Messages> searchMessages(String agentId, String conversationId, String query, Instant from,
      Instant to, int offset, int limit) {
    return ask(MESSAGE_SEARCH, new SearchMessages(agentId, conversationId, query, from, to, offset, limit));
  }

  private <Q extends Record, R extends Record> Future<R> ask(Endpoint<Q, R> endpoint, Q request) {
    return endpoint.ask(vertx, request, OPTIONS);
  }
}
