package dev.engram.embed;

import java.util.List;

/** Messages of the embedding verticle's addresses ({@code Addresses.EMBED}, {@code Addresses.EMBED_MODEL}). */
public final class EmbedProtocol {
  private EmbedProtocol() {}

  public record Embed(List<String> texts) {}

  public record Vectors(List<float[]> vectors) {}

  public record Describe() {}

  public record Model(String model, int dimension) {}
}
