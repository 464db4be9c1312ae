package dev.engram.llm;

import io.vertx.core.Future;

/** A chat-completions endpoint. Implementations never block the calling event loop. */
public interface LlmClient {
  /** Fails with {@link LlmException} when the endpoint cannot give an answer. */
  Future<LlmReply> complete(LlmRequest request);
}
