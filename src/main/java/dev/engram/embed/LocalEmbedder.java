package dev.engram.embed;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * The default embedder: all-MiniLM-L6-v2 in process (384 floats per text), micro-batched onto {@code threads}
 * runner threads of its own, never on an event loop.
 *
 * <p>Model choice, measured on this project's 2-core AVX2 machine: the int8 {@code -q} package runs about 240
 * short sentences per CPU-second against about 200 for fp32 even when fp32 is tensor-batched (170 unbatched), ships
 * 16 MB instead of 83 MB and loads in half the time; its vectors have cosine ≥ 0.985 to the fp32 ones, far inside
 * the gap between a paraphrase and an unrelated sentence.
 *
 * <p>Batching: each runner handles a whole micro-batch with a one-thread ONNX session call per window, so the two
 * cores work on two batches at once with no intra-op synchronisation. Padding texts into one {@code [B, L]} tensor
 * was measured too and is not faster for this int8 model (per-CPU throughput flat or lower, as padding adds work and
 * the GEMMs are already compute-bound at one sentence), and it makes a vector depend on its batch neighbours through
 * the per-tensor activation scale; {@code rowsPerRun > 1} selects it for experiments.
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
