package dev.engram.store;

import dev.engram.kernel.Endpoint;
import dev.engram.model.Agent;
import dev.engram.model.Conversation;
import dev.engram.model.Message;
import java.time.Instant;
import java.util.List;

/**
 * Requests and replies of the persistence verticle for conversations (threads of an agent). Their steps are saved
 * with {@link StoreProtocol.SaveAgent}, naming the conversation; here are their own rows.
 */
public final class ConversationProtocol {
  private ConversationProtocol() {}

  public static final Endpoint<InsertConversation, StoreProtocol.Done> INSERT = Endpoint.of("store.conversation.insert",
      InsertConversation.class, StoreProtocol.Done.class);
  public static final Endpoint<GetConversation, ConversationFound> GET = Endpoint.of("store.conversation.get",
      GetConversation.class, ConversationFound.class);
  public static final Endpoint<ListConversations, ConversationList> LIST = Endpoint.of("store.conversation.list",
      ListConversations.class, ConversationList.class);
  public static final Endpoint<UpdateConversation, ConversationFound> UPDATE =
      Endpoint.of("store.conversation.update", UpdateConversation.class, ConversationFound.class);
  public static final Endpoint<RemoveConversation, StoreProtocol.Done> DELETE =
      Endpoint.of("store.conversation.delete", RemoveConversation.class, StoreProtocol.Done.class);
  public static final Endpoint<LoadConversation, LoadedConversation> LOAD = Endpoint.of("store.conversation.load",
      LoadConversation.class, LoadedConversation.class);

  /**
   * A new conversation with its first messages (its system message, or a fork's copies), in one transaction; 404
   * when its agent is not its user's.
   */
  public record InsertConversation(Conversation conversation, List<Message> messages) {}
  /** A user's conversation; 404 when unknown or another user's. */
  public record GetConversation(String userId, String conversationId) {}
  public record ConversationFound(Conversation conversation) {}
  /** Which conversations a list shows besides the hidden ones, which it never shows. */
  public enum Archived { UNARCHIVED, ARCHIVED, ALL }
  /**
   * A page of a user's conversations (of one agent when {@code agentId} is set): in creation order, or by the time of
   * their last message when {@code byLastMessage} (never-used ones first), those after {@code lower} and before
   * {@code upper} (exclusive, either null), the {@code limit} nearest to {@code lower} when {@code fromLower}, else
   * nearest to {@code upper}. {@code summarySearch} keeps those whose summary contains it (any case). A bound that
   * names none of the user's conversations (of that agent) is a 404.
   */
  public record ListConversations(String userId, String agentId, Archived archived, String summarySearch,
      boolean byLastMessage, String lower, String upper, boolean fromLower, int limit) {}
  public record ConversationList(List<Conversation> conversations) {}
  /** The non-null fields change; {@code archived} true archives it (once), false brings it back. */
  public record ConversationPatch(String summary, String description, String model, Integer contextWindow,
      Boolean archived, Instant lastMessageAt) {}
  public record UpdateConversation(String userId, String conversationId, ConversationPatch patch, Instant at) {}
  /** Deletes a user's conversation with its messages and runs; 404 when unknown or another user's. */
  public record RemoveConversation(String userId, String conversationId) {}
  public record LoadConversation(String conversationId) {}
  /**
   * A conversation with what its thread runs on: its agent as stored (with its blocks), its in-context messages (in
   * context order) and the agent's archival size; {@code conversation} null when unknown.
   */
  public record LoadedConversation(Conversation conversation, Agent agent, List<Message> inContext,
      long archivalCount) {}
}
