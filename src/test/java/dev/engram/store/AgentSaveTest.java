package dev.engram.store;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.model.Agent;
import dev.engram.model.Block;
import dev.engram.model.CoreMemory;
import dev.engram.model.Message;
import dev.engram.store.StoreProtocol.LoadedAgent;
import dev.engram.testkit.TestServer;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Agent saves through the persistence verticle on the real database: in-context ids sent as a suffix of what is
 * stored, the store's check of that claim, and many agents' saves written together.
 */
class AgentSaveTest {
  private static final String USER = "00000000-0000-0000-0000-000000000000";
  private final StoreClient store = new StoreClient(TestServer.shared().server().vertx());

  @Test
  @DisplayName("a save sends only the context ids after the stored ones, and the stored list becomes the whole list")
  void suffixOfContext() throws Exception {
    Agent agent = newAgent();
    Message a = message(agent, "first");
    Message b = message(agent, "second");
    Agent next = withContext(agent, Stream.concat(agent.inContextIds().stream(), Stream.of(a.id(), b.id())).toList());
    await(store.saveAgent(next, List.of(a, b), agent.inContextIds().size()));
    LoadedAgent loaded = await(store.loadAgent(agent.id()));
    assertEquals(next.inContextIds(), loaded.agent().inContextIds());
    assertEquals(3, loaded.recallCount());
  }

  @Test
  @DisplayName("a wrong claim about the stored context is caught, and the whole list is written")
  void wrongClaimCaught() throws Exception {
    Agent agent = newAgent();
    Message a = message(agent, "first");
    Message b = message(agent, "second");
    await(store.saveAgent(withContext(agent, List.of(agent.inContextIds().get(0), a.id())), List.of(a), 1));
    // stored: [system, a]; the caller wrongly believes [system, b] is stored and sends only what follows
    Agent next = withContext(agent, List.of(agent.inContextIds().get(0), b.id(), a.id()));
    await(store.saveAgent(next, List.of(b), 2));
    LoadedAgent loaded = await(store.loadAgent(agent.id()));
    assertEquals(next.inContextIds(), loaded.agent().inContextIds());
    assertEquals(3, loaded.recallCount());
  }

  @Test
  @DisplayName("saves of many agents sent at once are all stored, each agent's in order")
  void manyAgentsAtOnce() throws Exception {
    List<Agent> agents = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      agents.add(newAgent());
    }
    List<Future<?>> saves = new ArrayList<>();
    List<List<String>> expected = new ArrayList<>();
    for (Agent agent : agents) {
      List<String> ids = new ArrayList<>(agent.inContextIds());
      int stored = ids.size();
      for (int step = 0; step < 3; step++) {
        Message m = message(agent, "step " + step);
        ids.add(m.id());
        // not awaited: the store sees several saves of each agent queued together
        saves.add(store.saveAgent(withContext(agent, List.copyOf(ids)), List.of(m), stored));
        stored = ids.size();
      }
      expected.add(ids);
    }
    await(Future.all(saves));
    for (int i = 0; i < agents.size(); i++) {
      LoadedAgent loaded = await(store.loadAgent(agents.get(i).id()));
      assertEquals(expected.get(i), loaded.agent().inContextIds());
      assertEquals(4, loaded.recallCount());
      assertEquals(expected.get(i), loaded.inContext().stream().map(Message::id).toList());
    }
  }

  private Agent newAgent() throws Exception {
    String id = UUID.randomUUID().toString();
    Message system = new Message(UUID.randomUUID().toString(), id, USER, Message.SYSTEM, "You are a test agent.",
        null, List.of(), null, null, 6, Instant.now());
    Instant now = Instant.now();
    List<Block> blocks = List.of(block("persona", now), block("human", now));
    Agent agent = new Agent(id, USER, "save-test-" + id.substring(0, 8), null, null, Map.of(), List.of(),
        "memgpt_chat", null, null, null, new CoreMemory(blocks), List.of("send_message"), List.of(system.id()),
        false, "gpt-4", 8192, null, null, now, now, null, null);
    await(store.insertAgent(agent, blocks, List.of(system)));
    return agent;
  }

  private static Block block(String label, Instant now) {
    return new Block(UUID.randomUUID().toString(), USER, label, label, 2000, null, Map.of(), false, false, null,
        List.of(), 1, now, now);
  }

  private static Agent withContext(Agent agent, List<String> ids) {
    return agent.withContext(ids, false, Instant.now());
  }

  private static Message message(Agent agent, String text) {
    return new Message(UUID.randomUUID().toString(), agent.id(), agent.userId(), Message.USER, text, null, List.of(),
        null, null, 3, Instant.now());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
