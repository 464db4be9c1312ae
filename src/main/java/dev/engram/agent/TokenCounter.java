package dev.engram.agent;

import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingResult;
import com.knuddels.jtokkit.api.EncodingType;
import dev.engram.kernel.Tokenizers;
import dev.engram.model.ToolCall;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Token counts with a real BPE tokenizer (jtokkit): o200k_base for the gpt-4o family and newer, cl100k_base for the
 * rest. Other vendors' models tokenize differently; cl100k is a close, slightly generous estimate for them.
 */
public final class TokenCounter {
  /** Per-message framing overhead of the chat format (role and separators). */
  private static final int MESSAGE_OVERHEAD = 4;

  private final Encoding encoding;

  public TokenCounter(String model) {
    boolean o200k = model != null && (model.startsWith("gpt-4o") || model.startsWith("gpt-4.1")
        || model.startsWith("o1") || model.startsWith("o3") || model.startsWith("o4") || model.startsWith("gpt-5"));
    this.encoding = Tokenizers.of(o200k ? EncodingType.O200K_BASE : EncodingType.CL100K_BASE);
  }

  public int text(String text) {
    return text == null || text.isEmpty() ? 0 : encoding.countTokensOrdinary(text);
  }

  /** The first {@code maxTokens} tokens of {@code text} (the whole text when it is not longer). */
  public String truncate(String text, int maxTokens) {
    EncodingResult head = encoding.encodeOrdinary(text, maxTokens);
    return head.isTruncated() ? encoding.decode(head.getTokens()) : text;
  }

  public int message(String text, List<ToolCall> calls) {
    int n = MESSAGE_OVERHEAD + text(text);
    for (ToolCall call : calls) {
      n += text(call.name()) + text(call.arguments()) + MESSAGE_OVERHEAD;
    }
    return n;
  }

  public int tools(List<JsonObject> schemas) {
    int n = 0;
    for (JsonObject schema : schemas) {
      n += text(schema.encode());
    }
    return n;
  }
}
