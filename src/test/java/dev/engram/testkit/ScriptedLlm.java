package dev.engram.testkit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted OpenAI-compatible chat-completions server for tests. It speaks the real wire protocol (JSON completions
 * and {@code text/event-stream} chunks) on 127.0.0.1 and answers each request with the next queued {@link Step}, or
 * with the fallback when the queue is empty.
 */
public final class ScriptedLlm {
  private static final Supplier<Step> DEFAULT_FALLBACK = () -> Step.sendMessage(null, "ok");

  private final Vertx vertx;
  private final ConcurrentLinkedQueue<Step> queue = new ConcurrentLinkedQueue<>();
  private final List<JsonObject> requests = new CopyOnWriteArrayList<>();
  private volatile boolean keepRequests = true;
  /** Exactly one of the two is set: the fallback that looks at the request, or the one that does not. */
  private volatile Function<JsonObject, Step> fallback;
  private volatile Supplier<Step> blindFallback = DEFAULT_FALLBACK;
  private volatile HttpServer server;
  /** Told the time ({@link System#nanoTime}) at which each streamed answer's first chunk is written. */
  private volatile java.util.function.LongConsumer firstChunk;

  private ScriptedLlm(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Starts a server on an ephemeral port of 127.0.0.1. */
  public static Future<ScriptedLlm> start(Vertx vertx) {
    ScriptedLlm llm = new ScriptedLlm(vertx);
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(llm::handle)
        .listen()
        .map(server -> {
          llm.server = server;
          return llm;
        });
  }

  /** The base URL to configure as {@code LlmSettings.baseUrl}, e.g. {@code http://127.0.0.1:41234/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1";
  }

  public Future<Void> close() {
    return server.close();
  }

  /** Queues steps, consumed one per request in order. */
  public ScriptedLlm enqueue(Step... steps) {
    queue.addAll(List.of(steps));
    return this;
  }

  /**
   * Answers every request without a scripted step with send_message("reply-to-" + the last match of {@code message}
   * in its messages, or "ok"): tests that count sends tag each one and find its reply by the tag.
   */
  public ScriptedLlm replyingToLast(Pattern message) {
    return fallback(request -> {
      Matcher last = message.matcher(request.getJsonArray("messages").encode());
      String found = null;
      while (last.find()) {
        found = last.group();
      }
      return Step.sendMessage(null, found == null ? "ok" : "reply-to-" + found);
    });
  }

  /** How to answer when the queue is empty (by default: a send_message tool call with message "ok"). */
  public ScriptedLlm fallback(Function<JsonObject, Step> fallback) {
    this.blindFallback = null;
    this.fallback = fallback;
    return this;
  }

  /**
   * How to answer when the queue is empty, without looking at the request: the request body is then only scanned, not
   * parsed into a tree, which keeps a benchmark's stand-in model cheap next to the server it measures.
   */
  public ScriptedLlm fallbackIgnoringRequest(Supplier<Step> steps) {
    this.fallback = null;
    this.blindFallback = steps;
    return this;
  }

  /** Calls {@code onWrite} with {@link System#nanoTime} as each streamed answer's first chunk is written. */
  public ScriptedLlm onFirstChunk(java.util.function.LongConsumer onWrite) {
    this.firstChunk = onWrite;
    return this;
  }

  /** Benchmarks turn off recording of requests, which would otherwise grow without bound. */
  public ScriptedLlm keepRequests(boolean keep) {
    this.keepRequests = keep;
    return this;
  }

  /** Clears the queue and the recorded requests and restores the default fallback. */
  public ScriptedLlm reset() {
    queue.clear();
    requests.clear();
    fallbackIgnoringRequest(DEFAULT_FALLBACK);
    return this;
  }

  /** Copies of the request bodies received so far, oldest first. */
  public List<JsonObject> requests() {
    return requests.stream().map(JsonObject::copy).toList();
  }

  public int requestCount() {
    return requests.size();
  }

  public void clearRequests() {
    requests.clear();
  }

  private void handle(HttpServerRequest request) {
    if (!"POST".equals(request.method().name()) || !request.path().endsWith("/chat/completions")) {
      request.response().setStatusCode(404).putHeader("Content-Type", "application/json")
          .end(errorBody("no route for " + request.method() + " " + request.path(), "not_found").encode());
      return;
    }
    bodyBytes(request).onSuccess(bytes -> {
      ChatRequestScan scan;
      try {
        scan = ChatRequestScan.of(bytes);
      } catch (IllegalArgumentException e) {
        request.response().setStatusCode(400).putHeader("Content-Type", "application/json")
            .end(errorBody("request body is not JSON", "invalid_request_error").encode());
        return;
      }
      if (keepRequests) {
        requests.add(Buffer.buffer(bytes).toJsonObject());
      }
      Step next = queue.poll();
      Function<JsonObject, Step> looking = fallback;
      Step step = next != null ? next
          : looking != null ? looking.apply(Buffer.buffer(bytes).toJsonObject()) : blindFallback.get();
      if (step.hang) {
        return;
      }
      if (step.delayMs > 0) {
        vertx.setTimer(step.delayMs, id -> answer(request.response(), scan, step));
      } else {
        answer(request.response(), scan, step);
      }
    });
  }

  /** The request body, collected straight into an array of its Content-Length when it has one. */
  private static Future<byte[]> bodyBytes(HttpServerRequest request) {
    String length = request.getHeader("Content-Length");
    if (length == null) {
      return request.body().map(Buffer::getBytes);
    }
    byte[] bytes = new byte[Integer.parseInt(length.strip())];
    int[] filled = {0};
    Promise<byte[]> done = Promise.promise();
    request.handler(chunk -> {
      int n = Math.min(chunk.length(), bytes.length - filled[0]);
      chunk.getBytes(0, n, bytes, filled[0]);
      filled[0] += n;
    }).exceptionHandler(done::tryFail).endHandler(v -> done.tryComplete(bytes));
    return done.future();
  }

  private void answer(HttpServerResponse response, ChatRequestScan request, Step step) {
    if (response.closed()) {
      return;
    }
    step.headers.forEach(response::putHeader);
    if (step.status != 200) {
      response.setStatusCode(step.status).putHeader("Content-Type", "application/json").end(step.errorBody.encode());
      return;
    }
    String model = request.model() != null ? request.model() : "scripted";
    JsonObject usage = step.usage(request.promptChars());
    if (request.stream()) {
      SseAnswer.write(vertx, response, model, step, request.includeUsage() ? usage : null, firstChunk);
    } else {
      response.putHeader("Content-Type", "application/json").end(completion(model, step, usage).encode());
    }
  }

  private static JsonObject completion(String model, Step step, JsonObject usage) {
    JsonObject message = new JsonObject().put("role", "assistant").put("content", step.content);
    if (step.functionName != null) {
      message.put("tool_calls", new JsonArray().add(new JsonObject()
          .put("id", step.callId)
          .put("type", "function")
          .put("function", new JsonObject().put("name", step.functionName).put("arguments", step.arguments))));
    }
    return new JsonObject()
        .put("id", completionId())
        .put("object", "chat.completion")
        .put("created", System.currentTimeMillis() / 1000)
        .put("model", model)
        .put("choices", new JsonArray().add(new JsonObject()
            .put("index", 0).put("message", message).put("finish_reason", step.finishReason)))
        .put("usage", usage);
  }

  private static String completionId() {
    return "chatcmpl-" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
  }

  private static JsonObject errorBody(String message, String type) {
    return new JsonObject().put("error", new JsonObject().put("message", message).put("type", type).putNull("code"));
  }

  /** One scripted answer. Immutable: {@link #after}, {@link #withUsage} and {@link #withHeader} return copies. */
  public static final class Step {
    final int status;
    final JsonObject errorBody;
    final String content;
    final String functionName;
    final String arguments;
    final String callId;
    final String finishReason;
    final long delayMs;
    final boolean hang;
    final int[] usageOverride;
    final Map<String, String> headers;
    /** In a streamed answer, the pause before each chunk after the first (0: all at once). */
    final long chunkDelayMs;

    private Step(int status, JsonObject errorBody, String content, String functionName, String arguments,
        String callId, String finishReason, long delayMs, boolean hang, int[] usageOverride,
        Map<String, String> headers) {
      this(status, errorBody, content, functionName, arguments, callId, finishReason, delayMs, hang, usageOverride,
          headers, 0);
    }

    private Step(int status, JsonObject errorBody, String content, String functionName, String arguments,
        String callId, String finishReason, long delayMs, boolean hang, int[] usageOverride,
        Map<String, String> headers, long chunkDelayMs) {
      this.chunkDelayMs = chunkDelayMs;
      this.status = status;
      this.errorBody = errorBody;
      this.content = content;
      this.functionName = functionName;
      this.arguments = arguments;
      this.callId = callId;
      this.finishReason = finishReason;
      this.delayMs = delayMs;
      this.hang = hang;
      this.usageOverride = usageOverride;
      this.headers = Map.copyOf(headers);
    }

    /** An assistant message with {@code content} (may be null) and one call of {@code functionName}. */
    public static Step toolCall(String content, String functionName, JsonObject arguments) {
      return rawToolCall(content, functionName, arguments.encode());
    }

    /** Like {@link #toolCall} but with the arguments string verbatim (e.g. malformed JSON). */
    public static Step rawToolCall(String content, String functionName, String rawArguments) {
      String id = "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
      return new Step(200, null, content, functionName, rawArguments, id, "tool_calls", 0, false, null, Map.of());
    }

    /** A {@code send_message} call with {"message": message}. */
    public static Step sendMessage(String monologue, String message) {
      return toolCall(monologue, "send_message", new JsonObject().put("message", message));
    }

    /** Plain assistant content, finish_reason "stop". */
    public static Step text(String content) {
      return new Step(200, null, content, null, null, null, "stop", 0, false, null, Map.of());
    }

    /** An HTTP error with that status and JSON body. */
    public static Step error(int status, JsonObject body) {
      return new Step(status, body, null, null, null, null, null, 0, false, null, Map.of());
    }

    /** HTTP 400 {@code context_length_exceeded}, as OpenAI answers an oversized prompt. */
    public static Step contextOverflow() {
      return error(400, new JsonObject().put("error", new JsonObject()
          .put("message", "This model's maximum context length is 8192 tokens. However, your messages resulted in "
              + "9000 tokens. Please reduce the length of the messages.")
          .put("type", "invalid_request_error")
          .putNull("param")
          .put("code", "context_length_exceeded")));
    }

    /** Never answers (the connection stays open until the client gives up). */
    public static Step hang() {
      return new Step(200, null, null, null, null, null, null, 0, true, null, Map.of());
    }

    /** This step, answered {@code ms} milliseconds after the request arrived. */
    public Step after(long ms) {
      return new Step(status, errorBody, content, functionName, arguments, callId, finishReason, ms, hang,
          usageOverride, headers, chunkDelayMs);
    }

    /** This step, when streamed, with a pause of {@code ms} before each chunk after the first (tokens trickling). */
    public Step chunksEvery(long ms) {
      return new Step(status, errorBody, content, functionName, arguments, callId, finishReason, delayMs, hang,
          usageOverride, headers, ms);
    }

    /** This step with a fixed usage (total = prompt + completion). */
    public Step withUsage(int prompt, int completion) {
      return new Step(status, errorBody, content, functionName, arguments, callId, finishReason, delayMs, hang,
          new int[] {prompt, completion}, headers, chunkDelayMs);
    }

    /** This step with an extra response header (e.g. {@code Retry-After}). */
    public Step withHeader(String name, String value) {
      Map<String, String> more = new HashMap<>(headers);
      more.put(name, value);
      return new Step(status, errorBody, content, functionName, arguments, callId, finishReason, delayMs, hang,
          usageOverride, more, chunkDelayMs);
    }

    /** The id of this step's tool call ({@code call_...}), or null when it has none. */
    public String callId() {
      return callId;
    }

    JsonObject usage(int promptChars) {
      int prompt = usageOverride != null ? usageOverride[0] : promptChars / 4 + 1;
      int completion = usageOverride != null ? usageOverride[1] : (length(content) + length(arguments)) / 4 + 1;
      return new JsonObject()
          .put("prompt_tokens", prompt)
          .put("completion_tokens", completion)
          .put("total_tokens", prompt + completion);
    }

    private static int length(String text) {
      return text == null ? 0 : text.length();
    }
  }

  /** Writes a scripted answer as OpenAI {@code chat.completion.chunk} server-sent events. */
  private static final class SseAnswer {
    private static final int CONTENT_FRAGMENTS = 4;
    private static final int MAX_ARGUMENT_FRAGMENTS = 4;

    private final HttpServerResponse response;
    private final List<String> frames = new ArrayList<>();
    private final String id = completionId();
    private final long created = System.currentTimeMillis() / 1000;
    private final String model;
    private final boolean includeUsage;

    private SseAnswer(HttpServerResponse response, String model, boolean includeUsage) {
      this.response = response;
      this.model = model;
      this.includeUsage = includeUsage;
    }

    /** Streams {@code step}; {@code usage} is sent in a final choice-less chunk unless null. */
    static void write(Vertx vertx, HttpServerResponse response, String model, Step step, JsonObject usage,
        java.util.function.LongConsumer firstChunk) {
      response.setChunked(true)
          .putHeader("Content-Type", "text/event-stream")
          .putHeader("Cache-Control", "no-cache");
      SseAnswer answer = new SseAnswer(response, model, usage != null);
      answer.stream(step, usage);
      if (firstChunk != null) {
        firstChunk.accept(System.nanoTime());
      }
      answer.send(vertx, 0, step.chunkDelayMs);
    }

    /** Writes the frames from {@code next} on, each {@code delayMs} after the one before, then ends the answer. */
    private void send(Vertx vertx, int next, long delayMs) {
      if (response.closed()) {
        return;
      }
      if (delayMs <= 0) {
        StringBuilder all = new StringBuilder();
        frames.forEach(all::append);
        response.end(all.toString());
        return;
      }
      if (next == frames.size() - 1) {
        response.end(frames.get(next));
        return;
      }
      response.write(frames.get(next));
      vertx.setTimer(delayMs, t -> send(vertx, next + 1, delayMs));
    }

    private void stream(Step step, JsonObject usage) {
      choiceChunk(new JsonObject().put("role", "assistant").put("content", ""), null);
      for (String fragment : fragments(step.content, CONTENT_FRAGMENTS)) {
        choiceChunk(new JsonObject().put("content", fragment), null);
      }
      if (step.functionName != null) {
        choiceChunk(toolCallDelta(new JsonObject()
            .put("index", 0)
            .put("id", step.callId)
            .put("type", "function")
            .put("function", new JsonObject().put("name", step.functionName).put("arguments", ""))), null);
        int argumentFragments = Math.max(2, Math.min(MAX_ARGUMENT_FRAGMENTS, step.arguments.length() / 8));
        for (String fragment : fragments(step.arguments, argumentFragments)) {
          choiceChunk(toolCallDelta(new JsonObject()
              .put("index", 0)
              .put("function", new JsonObject().put("arguments", fragment))), null);
        }
      }
      choiceChunk(new JsonObject(), step.finishReason);
      if (usage != null) {
        event(chunk(new JsonArray()).put("usage", usage));
      }
      frames.add("data: [DONE]\n\n");
    }

    private static JsonObject toolCallDelta(JsonObject call) {
      return new JsonObject().put("tool_calls", new JsonArray().add(call));
    }

    private void choiceChunk(JsonObject delta, String finishReason) {
      JsonObject choice = new JsonObject().put("index", 0).put("delta", delta).put("finish_reason", finishReason);
      JsonObject chunk = chunk(new JsonArray().add(choice));
      if (includeUsage) {
        chunk.putNull("usage");
      }
      event(chunk);
    }

    private JsonObject chunk(JsonArray choices) {
      return new JsonObject()
          .put("id", id)
          .put("object", "chat.completion.chunk")
          .put("created", created)
          .put("model", model)
          .put("choices", choices);
    }

    private void event(JsonObject chunk) {
      frames.add("data: " + chunk.encode() + "\n\n");
    }

    /** {@code text} cut into at most {@code count} consecutive non-empty pieces (none for null or empty text). */
    static List<String> fragments(String text, int count) {
      List<String> pieces = new ArrayList<>();
      if (text == null || text.isEmpty()) {
        return pieces;
      }
      int size = (text.length() + count - 1) / count;
      for (int start = 0; start < text.length(); start += size) {
        pieces.add(text.substring(start, Math.min(text.length(), start + size)));
      }
      return pieces;
    }
  }
}
