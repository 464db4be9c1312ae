package dev.engram.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import dev.engram.testkit.ScriptedLlm;
import dev.engram.testkit.ScriptedLlm.Step;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiClientTest {
  private static final JsonObject SEND_MESSAGE_SCHEMA = new JsonObject()
      .put("name", "send_message")
      .put("description", "Sends a message to the human user.")
      .put("parameters", new JsonObject()
          .put("type", "object")
          .put("properties", new JsonObject().put("message", new JsonObject().put("type", "string")))
          .put("required", new JsonArray().add("message")));

  private static Vertx vertx;
  private static ScriptedLlm llm;

  @BeforeAll
  static void startServer() throws Exception {
    vertx = Vertx.vertx();
    llm = await(ScriptedLlm.start(vertx));
  }

  @AfterAll
  static void stopServer() throws Exception {
    await(llm.close());
    await(vertx.close());
  }

  @BeforeEach
  void resetScript() {
    llm.reset();
  }

  @Test
  void parsesToolCallReply() throws Exception {
    JsonObject arguments = new JsonObject().put("label", "human").put("content", "Likes tea.");
    Step step = Step.toolCall("Remember this.", "core_memory_append", arguments).withUsage(120, 30);
    llm.enqueue(step);

    LlmReply reply = await(client(settings(false)).complete(request()));

    assertEquals("Remember this.", reply.content());
    assertEquals(1, reply.toolCalls().size());
    ToolCall call = reply.toolCalls().get(0);
    assertEquals(step.callId(), call.id());
    assertTrue(call.id().startsWith("call_"));
    assertEquals("core_memory_append", call.name());
    assertEquals(arguments, new JsonObject(call.arguments()));
    assertEquals("tool_calls", reply.finishReason());
    assertEquals(new LlmReply.Usage(120, 30, 150), reply.usage());
  }

  @Test
  void parsesPlainText() throws Exception {
    llm.enqueue(Step.text("Hello there."));

    LlmReply reply = await(client(settings(false)).complete(request()));

    assertEquals("Hello there.", reply.content());
    assertTrue(reply.toolCalls().isEmpty());
    assertEquals("stop", reply.finishReason());
    assertTrue(reply.usage().promptTokens() > 0);
    assertEquals(reply.usage().promptTokens() + reply.usage().completionTokens(), reply.usage().totalTokens());
  }

  @Test
  void streamGivesTheSameReplyAsNonStream() throws Exception {
    JsonObject arguments = new JsonObject().put("message", "A reply long enough to be cut into several fragments.");
    List<Step> steps = List.of(
        Step.toolCall("Thinking about what to say.", "send_message", arguments),
        Step.toolCall(null, "send_message", arguments),
        Step.text("Plain streamed text, in several small deltas."));
    for (Step step : steps) {
      llm.reset().enqueue(step, step);
      LlmReply plain = await(client(settings(false)).complete(request()));
      LlmReply streamed = await(client(settings(true)).complete(request()));
      assertEquals(plain, streamed);
      JsonObject streamRequest = llm.requests().get(1);
      assertEquals(true, streamRequest.getBoolean("stream"));
      assertEquals(true, streamRequest.getJsonObject("stream_options").getBoolean("include_usage"));
      assertFalse(llm.requests().get(0).containsKey("stream"));
    }
  }

  @Test
  void streamHandsOnEachFragmentAsItArrives() throws Exception {
    JsonObject arguments = new JsonObject().put("message", "Fragments, one after another.");
    llm.enqueue(Step.toolCall("Thinking in pieces.", "send_message", arguments).chunksEvery(40));
    List<LlmDelta> deltas = new java.util.concurrent.CopyOnWriteArrayList<>();
    long[] firstAt = {0};
    long start = System.nanoTime();
    LlmReply reply = await(client(settings(false)).stream(request(), d -> {
      if (deltas.isEmpty()) {
        firstAt[0] = System.nanoTime();
      }
      deltas.add(d);
    }));
    long total = System.nanoTime() - start;
    assertTrue(llm.requests().get(0).getBoolean("stream"), "asked to stream whatever LLM_STREAM says");
    assertTrue(firstAt[0] - start < total / 2, "the first fragment came long before the end");
    String content = deltas.stream().filter(LlmDelta::isContent).map(LlmDelta::content)
        .collect(java.util.stream.Collectors.joining());
    String args = deltas.stream().filter(d -> !d.isContent() && d.arguments() != null).map(LlmDelta::arguments)
        .collect(java.util.stream.Collectors.joining());
    assertEquals("Thinking in pieces.", content);
    assertEquals(arguments, new JsonObject(args));
    assertEquals("send_message", deltas.stream().filter(d -> d.callName() != null).findFirst().orElseThrow()
        .callName());
    assertEquals(reply.toolCalls().get(0).arguments(), args, "the reply is the fragments assembled");
  }

  @Test
  void streamRetriesOnlyWhatFailedBeforeItsFirstFragment() throws Exception {
    llm.enqueue(Step.error(503, error("overloaded")), Step.text("After one retry."));
    List<LlmDelta> deltas = new java.util.ArrayList<>();
    LlmReply reply = await(client(settings(false)).stream(request(), deltas::add));
    assertEquals("After one retry.", reply.content());
    assertEquals(2, llm.requestCount());
    assertEquals("After one retry.", deltas.stream().map(LlmDelta::content)
        .collect(java.util.stream.Collectors.joining()));
  }

  @Test
  void sendsMessagesAndToolsInTheOpenAiWireFormat() throws Exception {
    ToolCall call = new ToolCall("call_abc", "send_message", "{\"message\":\"Hi!\"}");
    LlmRequest request = new LlmRequest("gpt-test", List.of(
        message(Message.SYSTEM, "You are Sam.", null, List.of(), null),
        message(Message.ASSISTANT, "Greet the user.", null, List.of(call), null),
        message(Message.TOOL, "{\"status\":\"OK\"}", null, List.of(), "call_abc"),
        message(Message.USER, "Hello", "chad", List.of(), null)),
        List.of(SEND_MESSAGE_SCHEMA), "user-1");

    await(client(settings(false)).complete(request));

    JsonObject body = llm.requests().get(0);
    assertEquals("gpt-test", body.getString("model"));
    assertEquals("user-1", body.getString("user"));
    assertEquals("auto", body.getString("tool_choice"));
    assertEquals(new JsonArray().add(new JsonObject().put("type", "function").put("function", SEND_MESSAGE_SCHEMA)),
        body.getJsonArray("tools"));
    JsonArray messages = body.getJsonArray("messages");
    assertEquals(new JsonObject().put("role", "system").put("content", "You are Sam."), messages.getJsonObject(0));
    assertEquals(new JsonObject().put("role", "assistant").put("content", "Greet the user.")
        .put("tool_calls", new JsonArray().add(new JsonObject().put("id", "call_abc").put("type", "function")
            .put("function", new JsonObject().put("name", "send_message").put("arguments", "{\"message\":\"Hi!\"}")))),
        messages.getJsonObject(1));
    assertEquals(new JsonObject().put("role", "tool").put("tool_call_id", "call_abc").put("content", "{\"status\":\"OK\"}"),
        messages.getJsonObject(2));
    assertEquals(new JsonObject().put("role", "user").put("content", "Hello").put("name", "chad"),
        messages.getJsonObject(3));
  }

  @Test
  void omitsToolsWhenThereAreNone() throws Exception {
    await(client(settings(false)).complete(new LlmRequest(null, List.of(
        message(Message.USER, "Hi", null, List.of(), null)), List.of(), null)));

    JsonObject body = llm.requests().get(0);
    assertEquals("test-model", body.getString("model"));
    assertFalse(body.containsKey("tools"));
    assertFalse(body.containsKey("tool_choice"));
    assertFalse(body.getJsonArray("messages").getJsonObject(0).containsKey("name"));
  }

  @Test
  void retriesServerErrorsAndRateLimits() throws Exception {
    llm.enqueue(Step.error(503, error("overloaded")), Step.error(429, error("slow down")), Step.text("finally"));

    LlmReply reply = await(client(settings(false)).complete(request()));

    assertEquals("finally", reply.content());
    assertEquals(3, llm.requestCount());
  }

  @Test
  void honoursRetryAfter() throws Exception {
    llm.enqueue(Step.error(429, error("slow down")).withHeader("Retry-After", "0"), Step.text("done"));
    LlmSettings slowBackoff = new LlmSettings(llm.baseUrl(), "sk-test", "test-model", 8192, 5_000, 2, 20_000, false);

    LlmReply reply = await(client(slowBackoff).complete(request()));

    assertEquals("done", reply.content());
    assertEquals(2, llm.requestCount());
  }

  @Test
  void failsUpstreamWhenServerErrorsPersist() throws Exception {
    llm.fallback(body -> Step.error(503, error("overloaded")));

    LlmException failure = failure(client(settings(false)).complete(request()));

    assertEquals(LlmException.Kind.UPSTREAM, failure.kind());
    assertTrue(failure.getMessage().contains("503"), failure.getMessage());
    assertTrue(failure.getMessage().contains("overloaded"), failure.getMessage());
    assertEquals(3, llm.requestCount());
  }

  @Test
  void failsContextOverflowWithoutRetry() throws Exception {
    llm.enqueue(Step.contextOverflow());

    LlmException failure = failure(client(settings(false)).complete(request()));

    assertEquals(LlmException.Kind.CONTEXT_OVERFLOW, failure.kind());
    assertEquals(1, llm.requestCount());
  }

  @Test
  void failsOtherClientErrorsWithoutRetry() throws Exception {
    llm.enqueue(Step.error(401, error("Incorrect API key provided")));

    LlmException failure = failure(client(settings(false)).complete(request()));

    assertEquals(LlmException.Kind.UPSTREAM, failure.kind());
    assertTrue(failure.getMessage().contains("401"), failure.getMessage());
    assertTrue(failure.getMessage().contains("Incorrect API key"), failure.getMessage());
    assertEquals(1, llm.requestCount());
  }

  @Test
  void timesOutWhenTheEndpointHangs() throws Exception {
    llm.fallback(body -> Step.hang());
    LlmSettings impatient = new LlmSettings(llm.baseUrl(), "", "test-model", 8192, 200, 1, 5, false);

    LlmException failure = failure(client(impatient).complete(request()));

    assertEquals(LlmException.Kind.TIMEOUT, failure.kind());
    assertEquals(2, llm.requestCount());
  }

  @Test
  void answersSlowerThanTheTimeoutAreRetried() throws Exception {
    llm.enqueue(Step.text("too late").after(1_000), Step.text("in time").after(10));
    LlmSettings impatient = new LlmSettings(llm.baseUrl(), "", "test-model", 8192, 300, 1, 5, false);

    assertEquals("in time", await(client(impatient).complete(request())).content());
  }

  @Test
  void failsUpstreamWhenTheEndpointIsUnreachable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    LlmSettings unreachable =
        new LlmSettings("http://127.0.0.1:" + closedPort + "/v1", "", "test-model", 8192, 2_000, 1, 5, false);

    LlmException failure = failure(client(unreachable).complete(request()));

    assertEquals(LlmException.Kind.UPSTREAM, failure.kind());
  }

  @Test
  void failsUpstreamWhenNotConfigured() throws Exception {
    LlmSettings none = new LlmSettings(null, null, "test-model", 8192, 1_000, 0, 5, false);

    assertEquals(LlmException.Kind.UPSTREAM, failure(client(none).complete(request())).kind());
  }

  @Test
  void assemblesFragmentedStreamChunks() {
    String body = String.join("\n",
        ": keep-alive comment",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}",
        "",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Thin\"},\"finish_reason\":null}]}\r",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"king.\"},\"finish_reason\":null}]}",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
            + "\"function\":{\"name\":\"send_message\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"mess\"}}]},"
            + "\"finish_reason\":null}]}",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_2\",\"type\":\"function\","
            + "\"function\":{\"name\":\"archival_memory_search\",\"arguments\":\"{\\\"query\\\":\"}}]},\"finish_reason\":null}]}",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"age\\\":\\\"hi\\\"}\"}}]},"
            + "\"finish_reason\":null}]}",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"\\\"tea\\\"}\"}}]},"
            + "\"finish_reason\":null}]}",
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}",
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":7,\"total_tokens\":57}}",
        "data: [DONE]",
        "");

    LlmReply reply = OpenAiWire.parseStream(body);

    assertEquals("Thinking.", reply.content());
    assertEquals(List.of(
        new ToolCall("call_1", "send_message", "{\"message\":\"hi\"}"),
        new ToolCall("call_2", "archival_memory_search", "{\"query\":\"tea\"}")), reply.toolCalls());
    assertEquals("tool_calls", reply.finishReason());
    assertEquals(new LlmReply.Usage(50, 7, 57), reply.usage());
  }

  @Test
  void rejectsUnusableCompletions() {
    LlmException noChoices = assertThrows(LlmException.class,
        () -> OpenAiWire.parseCompletion("{\"id\":\"x\",\"choices\":[]}"));
    assertEquals(LlmException.Kind.UPSTREAM, noChoices.kind());
    assertEquals(LlmException.Kind.UPSTREAM,
        assertThrows(LlmException.class, () -> OpenAiWire.parseCompletion("<html>Bad gateway</html>")).kind());
    assertEquals(LlmException.Kind.UPSTREAM,
        assertThrows(LlmException.class, () -> OpenAiWire.parseStream("data: [DONE]\n")).kind());
    LlmReply noUsage = OpenAiWire.parseCompletion(
        "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}");
    assertEquals(LlmReply.Usage.NONE, noUsage.usage());
    assertNull(OpenAiWire.parseCompletion(
        "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null},\"finish_reason\":\"stop\"}]}")
        .content());
  }

  @Test
  void readsRetryAfterSeconds() {
    assertEquals(2_000, OpenAiClient.retryAfterMs("2"));
    assertEquals(30_000, OpenAiClient.retryAfterMs("120"));
    assertEquals(-1, OpenAiClient.retryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT"));
    assertEquals(-1, OpenAiClient.retryAfterMs(null));
  }

  private static OpenAiClient client(LlmSettings settings) {
    return new OpenAiClient(vertx, settings);
  }

  private static LlmSettings settings(boolean stream) {
    return new LlmSettings(llm.baseUrl(), "sk-test", "test-model", 8192, 5_000, 2, 5, stream);
  }

  private static LlmRequest request() {
    return new LlmRequest("test-model", List.of(
        message(Message.SYSTEM, "You are a helpful agent.", null, List.of(), null),
        message(Message.USER, "Hi, I like tea.", null, List.of(), null)),
        List.of(SEND_MESSAGE_SCHEMA), null);
  }

  private static Message message(String role, String text, String name, List<ToolCall> calls, String toolCallId) {
    return new Message(null, "agent-1", "user-1", role, text, name, calls, toolCallId, null, 0, Instant.now());
  }

  private static JsonObject error(String message) {
    return new JsonObject().put("error", new JsonObject().put("message", message).put("type", "server_error"));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static LlmException failure(Future<?> future) throws Exception {
    ExecutionException thrown = assertThrows(ExecutionException.class, () -> await(future));
    return assertInstanceOf(LlmException.class, thrown.getCause());
  }
}
