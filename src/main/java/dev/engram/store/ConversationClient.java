package dev.engram.store;

import static dev.engram.store.ConversationProtocol.*;

import dev.engram.kernel.Endpoint;
import dev.engram.model.Conversation;
import dev.engram.model.Message;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Instant;
import java.util.List;

/** Typed access to the conversations of the persistence verticle. */
public final class ConversationClient {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(30_000);

  private final Vertx vertx;

  public ConversationClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<Void> insert(Conversation conversation, List<Message> messages) {
    return ask(INSERT, new InsertConversation(conversation, messages)).mapEmpty();
  }

  public Future<Conversation> get(String userId, String conversationId) {
    return ask(GET, new GetConversation(userId, conversationId)).map(ConversationFound::conversation);
  }

  public Future<List<Conversation>> list(ListConversations query) {
    return ask(LIST, query).map(ConversationList::conversations);
  }

  public Future<Conversation> update(String userId, String conversationId, ConversationPatch patch, Instant at) {
    return ask(UPDATE, new UpdateConversation(userId, conversationId, patch, at)).map(ConversationFound::conversation);
  }

  public Future<Void> delete(String userId, String conversationId) {
    return ask(DELETE, new RemoveConversation(userId, conversationId)).mapEmpty();
  }

  public Future<LoadedConversation> load(String conversationId) {
    return ask(LOAD, new LoadConversation(conversationId));
  }

  private <Q extends Record, R extends Record> Future<R> ask(Endpoint<Q, R> endpoint, Q request) {
    return endpoint.ask(vertx, request, OPTIONS);
  }
}
