package dev.engram.http.letta;

import dev.engram.embed.EmbeddingSettings;
import dev.engram.kernel.ApiException;
import dev.engram.llm.LlmSettings;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * The model handles a Letta client can pass back ({@code model} and {@code embedding} of an agent): the configured
 * OpenAI-compatible chat model as {@code openai/<model>}, and the embedding model as {@code local/<model>} (in
 * process) or {@code openai/<model>} (an OpenAI-compatible endpoint). Shapes of letta-v1.md §2.1 and §2.5.
 */
public final class LettaModels {
  public static final String LLM_PROVIDER = "openai";

  private final LlmSettings llm;
  private final EmbeddingSettings embedding;

  public LettaModels(LlmSettings llm, EmbeddingSettings embedding) {
    this.llm = llm;
    this.embedding = embedding;
  }

  public static String llmHandle(String model) {
    return LLM_PROVIDER + "/" + model;
  }

  public String embeddingHandle() {
    return embeddingProvider() + "/" + embedding.model().toLowerCase(Locale.ROOT);
  }

  private String embeddingProvider() {
    return embedding.remote() ? "openai" : "local";
  }

  /** A {@code Model} of {@code GET /v1/models/}, also the base of an agent's {@code llm_config}. */
  public JsonObject model(String model, int contextWindow) {
    return llmConfig(model, contextWindow).put("name", model).put("display_name", model)
        .put("max_context_window", contextWindow).put("provider_type", LLM_PROVIDER)
        .put("provider_name", LLM_PROVIDER).put("provider_category", "base").put("model_type", "llm");
  }

  /** An agent's {@code llm_config}. */
  public JsonObject llmConfig(String model, int contextWindow) {
    return new JsonObject().put("model", model).put("model_endpoint_type", LLM_PROVIDER)
        .put("model_endpoint", llm.baseUrl()).putNull("model_wrapper").put("context_window", contextWindow)
        .put("handle", llmHandle(model)).put("provider_name", LLM_PROVIDER).put("provider_category", "base")
        .putNull("temperature").putNull("max_tokens").put("put_inner_thoughts_in_kwargs", false);
  }

  /** An {@code EmbeddingModel} of {@code GET /v1/models/embedding}. */
  public JsonObject embeddingModel() {
    return embeddingConfig().put("name", embedding.model()).put("display_name", embedding.model())
        .put("provider_name", embeddingProvider()).put("provider_type", embedding.remote() ? "openai" : "hugging-face")
        .put("model_type", "embedding");
  }

  /** An agent's or folder's {@code embedding_config}. */
  public JsonObject embeddingConfig() {
    return new JsonObject().put("embedding_model", embedding.model())
        .put("embedding_endpoint_type", embedding.remote() ? "openai" : "hugging-face")
        .put("embedding_endpoint", embedding.remote() ? embedding.baseUrl() : null)
        .put("embedding_dim", embedding.dimension()).put("handle", embeddingHandle())
        .put("batch_size", embedding.batchSize());
  }

  /** The configured chat model's default context window. */
  public int contextWindow() {
    return llm.contextWindow();
  }

  public String defaultModel() {
    return llm.model();
  }

  /**
   * The chat model of a handle {@code openai/<model>} (the model name passes to the OpenAI-compatible endpoint as it
   * is, slashes included). A handle without '/' is refused with 400 as Letta refuses it; another provider too, since
   * this server talks to one OpenAI-compatible endpoint.
   */
  public String modelOf(String handle) {
    int slash = handle.indexOf('/');
    if (slash <= 0 || slash == handle.length() - 1 || handle.chars().anyMatch(Character::isISOControl)) {
      throw ApiException.badRequest("The model handle should be in the format provider/model-name, got '" + handle
          + "'");
    }
    if (!handle.substring(0, slash).equals(LLM_PROVIDER)) {
      throw ApiException.badRequest("Unknown provider in model handle '" + handle + "': this server serves "
          + LLM_PROVIDER + "/<model> through its OpenAI-compatible endpoint, e.g. " + llmHandle(llm.model()));
    }
    return handle.substring(slash + 1);
  }

  /** An embedding handle, which must be this server's (400 otherwise: it embeds with one model). */
  public String embeddingOf(String handle) {
    if (handle.indexOf('/') <= 0) {
      throw ApiException.badRequest("The embedding handle should be in the format provider/model-name, got '"
          + handle + "'");
    }
    if (!handle.equalsIgnoreCase(embeddingHandle())) {
      throw ApiException.badRequest("Unknown embedding handle '" + handle + "': this server embeds with "
          + embeddingHandle());
    }
    return embeddingHandle();
  }
}
