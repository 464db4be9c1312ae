package dev.engram.kernel;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * The BPE tokenizers (jtokkit), one of each per JVM: each holds its table of ranks (100,000-200,000 entries), which
 * takes a cold JVM a few hundred milliseconds to load and tens of megabytes to keep. Loaded on first use; the server
 * loads the ones it will need on a thread of its own while it starts ({@code EngramServer}).
 */
public final class Tokenizers {
  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

  private Tokenizers() {}

  /** The tokenizer of this encoding, loaded once (concurrent first callers wait for the one load). */
  public static Encoding of(EncodingType type) {
    return REGISTRY.getEncoding(type);
  }
}
