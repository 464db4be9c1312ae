package dev.engram.llm;

import io.vertx.core.Future;
import java.util.function.Consumer;

/** A chat-completions endpoint. Implementations never block the calling event loop. */
public interface LlmClient {
  /** Fails with {@link LlmException} when the endpoint cannot give an answer. */
  Future<LlmReply> complete(LlmRequest request);

  /**
   * Like {@link #complete}, but the model is asked to stream and {@code onDelta} gets each fragment as it arrives,
   * before the reply is whole. A failure after the first fragment is not retried (the fragments are out). The
   * default has no fragments to give: it answers the whole reply.
   */
  default Future<LlmReply> stream(LlmRequest request, Consumer<LlmDelta> onDelta) {
    return complete(request);
  }
}
