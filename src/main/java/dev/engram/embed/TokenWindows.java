package dev.engram.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * WordPiece tokenization for the BERT-style encoder: each text becomes one or more windows of token ids, each
 * framed by {@code [CLS]} and {@code [SEP]} and at most {@link #WINDOW_TOKENS} long. A longer text is split into
 * consecutive windows (cut before a word start where possible); the encoder averages them. Thread-safe.
 */
final class TokenWindows implements AutoCloseable {
  /** The sequence length all-MiniLM-L6-v2 was tuned for (sentence-transformers' max_seq_length), below the 512 limit. */
  static final int WINDOW_TOKENS = 256;
  private static final int MAX_BACKTRACK = 32;

  /** One window of one text: the text's position in its batch and its token ids. */
  record Window(int text, long[] ids) {}

  private final HuggingFaceTokenizer tokenizer;
  private final long clsId;
  private final long sepId;

  private TokenWindows(HuggingFaceTokenizer tokenizer) {
    this.tokenizer = tokenizer;
    Encoding empty = tokenizer.encode("", true, false);
    this.clsId = empty.getIds()[0];
    this.sepId = empty.getIds()[empty.getIds().length - 1];
  }

  /** Reads a {@code tokenizer.json}; the padding and truncation it declares are switched off (we window and pad). */
  static TokenWindows load(InputStream tokenizerJson) throws IOException {
    // DJL would otherwise probe the EC2 metadata endpoint for usage tracking, and could try to download a native
    // library that is not in its jar; the one for this platform ships inside the jar and is only extracted
    defaultProperty("OPT_OUT_TRACKING", "true");
    defaultProperty("ai.djl.offline", "true");
    return new TokenWindows(HuggingFaceTokenizer.newInstance(tokenizerJson,
        Map.of("padding", "false", "truncation", "false", "addSpecialTokens", "true")));
  }

  private static void defaultProperty(String name, String value) {
    if (System.getProperty(name) == null && System.getenv(name) == null) {
      System.setProperty(name, value);
    }
  }

  /** The windows of every text, in text order. */
  List<Window> windows(List<String> texts) {
    List<Window> windows = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      Encoding encoding = tokenizer.encode(texts.get(i), true, false);
      long[] ids = encoding.getIds();
      if (ids.length <= WINDOW_TOKENS) {
        windows.add(new Window(i, ids));
      } else {
        split(i, ids, encoding.getTokens(), windows);
      }
    }
    return windows;
  }

  /** Splits the content between the outer [CLS] and [SEP] into framed windows. */
  private void split(int text, long[] ids, String[] tokens, List<Window> into) {
    int content = WINDOW_TOKENS - 2;
    int end = ids.length - 1;
    int start = 1;
    while (start < end) {
      int stop = Math.min(end, start + content);
      int cut = stop;
      while (cut < end && cut > start + content - MAX_BACKTRACK && tokens[cut].startsWith("##")) {
        cut--;
      }
      if (cut < end && tokens[cut].startsWith("##")) {
        cut = stop;
      }
      long[] window = new long[cut - start + 2];
      window[0] = clsId;
      System.arraycopy(ids, start, window, 1, cut - start);
      window[window.length - 1] = sepId;
      into.add(new Window(text, window));
      start = cut;
    }
  }

  /** Token count of a text including [CLS] and [SEP], as the encoder sees it before windowing. */
  int countTokens(String text) {
    return tokenizer.encode(text, true, false).getIds().length;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
