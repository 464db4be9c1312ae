package dev.engram.embed;

import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import dev.engram.kernel.Tokenizers;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Splits text into chunks of at most {@code maxTokens} tokens (cl100k_base), for embedding one vector per chunk.
 * Chunks end at paragraph or sentence boundaries where possible; a sentence longer than a chunk is cut by tokens.
 */
public final class Chunker {
  /** The encoding of every chunk's count. */
  public static final EncodingType ENCODING_TYPE = EncodingType.CL100K_BASE;
  private static final Encoding ENCODING = Tokenizers.of(ENCODING_TYPE);
  private static final Pattern PARAGRAPHS = Pattern.compile("\\n\\s*\\n");
  private static final Pattern SENTENCES = Pattern.compile("(?<=[.!?])\\s+");

  private final int maxTokens;

  public Chunker(int maxTokens) {
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be positive");
    }
    this.maxTokens = maxTokens;
  }

  /** The chunks of {@code text} in order; none for blank text. */
  public List<String> split(String text) {
    List<String> chunks = new ArrayList<>();
    if (text == null || text.isBlank()) {
      return chunks;
    }
    StringBuilder current = new StringBuilder();
    int currentTokens = 0;
    for (String piece : pieces(text)) {
      int tokens = ENCODING.countTokensOrdinary(piece);
      if (tokens > maxTokens) {
        flush(chunks, current);
        currentTokens = 0;
        chunks.addAll(cutByTokens(piece));
        continue;
      }
      int joined = currentTokens + tokens + (current.length() > 0 ? 1 : 0);
      if (joined > maxTokens) {
        flush(chunks, current);
        currentTokens = 0;
      }
      if (current.length() > 0) {
        current.append(piece.startsWith("\n") ? "" : " ");
        currentTokens += 1;
      }
      current.append(piece);
      currentTokens += tokens;
    }
    flush(chunks, current);
    return chunks;
  }

  /** Sentences, with a paragraph break kept as a leading newline on the first sentence of each paragraph. */
  private static List<String> pieces(String text) {
    List<String> out = new ArrayList<>();
    boolean first = true;
    for (String paragraph : PARAGRAPHS.split(text.strip())) {
      boolean leading = !first;
      for (String sentence : SENTENCES.split(paragraph.strip())) {
        if (sentence.isBlank()) {
          continue;
        }
        out.add(leading ? "\n\n" + sentence : sentence);
        leading = false;
      }
      first = false;
    }
    return out;
  }

  private List<String> cutByTokens(String piece) {
    List<String> out = new ArrayList<>();
    IntArrayList tokens = ENCODING.encodeOrdinary(piece.strip());
    for (int start = 0; start < tokens.size(); start += maxTokens) {
      IntArrayList part = new IntArrayList(maxTokens);
      for (int i = start; i < Math.min(tokens.size(), start + maxTokens); i++) {
        part.add(tokens.get(i));
      }
      String decoded = ENCODING.decode(part).strip();
      if (!decoded.isEmpty()) {
        out.add(decoded);
      }
    }
    return out;
  }

  private static void flush(List<String> chunks, StringBuilder current) {
    String chunk = current.toString().strip();
    if (!chunk.isEmpty()) {
      chunks.add(chunk);
    }
    current.setLength(0);
  }
}
