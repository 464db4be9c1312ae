package dev.engram.embed;

import dev.engram.kernel.ApiException;
import java.util.List;

/** The limits every embedder enforces on a request, so that a bad input is a 4xx and not a crash. */
public final class EmbedInput {
  /** Most texts in one request (the OpenAI limit for one {@code /embeddings} call). */
  public static final int MAX_TEXTS = 2048;
  /** Longest text in characters; archival passages are chunked far below this. */
  public static final int MAX_CHARS = 200_000;

  private EmbedInput() {}

  /** Throws {@link ApiException} (bad request) when the list or one of its texts is unusable. */
  public static void validate(List<String> texts) {
    if (texts == null) {
      throw ApiException.badRequest("texts to embed are missing");
    }
    if (texts.size() > MAX_TEXTS) {
      throw ApiException.badRequest("at most " + MAX_TEXTS + " texts can be embedded at once, got " + texts.size());
    }
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      if (text == null) {
        throw ApiException.badRequest("text " + i + " to embed is null");
      }
      if (text.length() > MAX_CHARS) {
        // reachable from clients (a search query, a memory's text): a value too long is a wrong field, 422
        throw ApiException.unprocessable("text " + i + " to embed has " + text.length() + " characters, more than "
            + MAX_CHARS);
      }
    }
  }
}
