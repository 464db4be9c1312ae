package dev.engram.embed;

import dev.engram.kernel.Endpoint;
import java.util.List;

/** Messages of the embedding verticle's endpoints. */
public final class EmbedProtocol {
  private EmbedProtocol() {}

  public static final Endpoint<Embed, Vectors> EMBED = Endpoint.of("embed.texts", Embed.class, Vectors.class);
  public static final Endpoint<Describe, Model> MODEL = Endpoint.of("embed.model", Describe.class, Model.class);

  public record Embed(List<String> texts) {}

  public record Vectors(List<float[]> vectors) {}

  public record Describe() {}

  public record Model(String model, int dimension) {}
}
