package dev.engram.embed;

import static dev.engram.embed.OpenAiEmbedderTest.await;
import static dev.engram.embed.OpenAiEmbedderTest.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.kernel.ErrorKind;
import dev.engram.testkit.Sentences;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-process model: meaning, agreement with an independent implementation, batching, edge cases. */
class LocalEmbedderTest {
  private static Vertx vertx;
  private static LocalEmbedder embedder;

  @BeforeAll
  static void load() throws Exception {
    vertx = Vertx.vertx();
    embedder = await(vertx.executeBlocking(() -> LocalEmbedder.load(vertx, settings(32, 2, 2)), false));
  }

  @AfterAll
  static void close() throws Exception {
    embedder.close();
    await(vertx.close());
  }

  static EmbeddingSettings settings(int batchSize, long waitMs, int threads) {
    return new EmbeddingSettings(null, null, EmbeddingSettings.LOCAL_MODEL, EmbeddingSettings.LOCAL_DIMENSION,
        batchSize, waitMs, threads, 60_000);
  }

  private static float[] one(String text) throws Exception {
    return await(embedder.embed(List.of(text))).get(0);
  }

  @Test
  void aParaphraseIsNearerThanAnUnrelatedSentence() throws Exception {
    float[] query = one("Which foods is the user allergic to?");
    float[] paraphrase = one("The user has a peanut allergy and cannot eat shellfish.");
    float[] unrelated = one("The quarterly sales report is due next Friday.");
    double near = VectorMath.dot(query, paraphrase);
    double far = VectorMath.dot(query, unrelated);
    assertTrue(near > far + 0.2, "paraphrase " + near + " vs unrelated " + far);
    assertEquals(384, query.length);
    assertEquals(1.0, VectorMath.norm(query), 1e-5);
    assertEquals(EmbeddingSettings.LOCAL_MODEL, embedder.model());
    assertEquals(384, embedder.dimension());
  }

  @Test
  void vectorsMatchLangChain4jsOwnPipelineForTheSameModel() throws Exception {
    var reference = new AllMiniLmL6V2QuantizedEmbeddingModel();
    List<String> texts = Sentences.generate(24, 7);
    List<float[]> ours = await(embedder.embed(texts));
    double worst = 0;
    for (int i = 0; i < texts.size(); i++) {
      worst = Math.max(worst, maxAbsDiff(reference.embed(texts.get(i)).content().vector(), ours.get(i)));
    }
    assertTrue(worst <= 1e-4, "max |diff| to LangChain4j = " + worst);
  }

  @Test
  void aBatchGivesTheSameVectorsAsOneTextAtATime() throws Exception {
    List<String> texts = Sentences.generate(40, 11);
    List<float[]> batched = await(embedder.embed(texts));
    double worst = 0;
    for (int i = 0; i < texts.size(); i++) {
      worst = Math.max(worst, maxAbsDiff(one(texts.get(i)), batched.get(i)));
    }
    assertTrue(worst <= 1e-4, "max |diff| batched vs single = " + worst);
  }

  @Test
  void manyConcurrentCallersEachGetTheirOwnVectorAndShareBatches() throws Exception {
    List<String> texts = Sentences.generate(200, 23);
    List<float[]> expected = new ArrayList<>();
    for (String text : texts.subList(0, 20)) {
      expected.add(one(text));
    }
    MicroBatcher.Stats before = embedder.stats();
    Promise<List<float[]>> all = Promise.promise();
    vertx.runOnContext(v -> {
      List<Future<List<float[]>>> calls = new ArrayList<>();
      texts.forEach(text -> calls.add(embedder.embed(List.of(text))));
      Future.all(calls).map(done -> calls.stream().map(f -> f.result().get(0)).toList()).onComplete(all);
    });
    List<float[]> answers = await(all.future());
    MicroBatcher.Stats after = embedder.stats();

    assertEquals(200, answers.size());
    for (int i = 0; i < expected.size(); i++) {
      assertTrue(maxAbsDiff(expected.get(i), answers.get(i)) <= 1e-4, "caller " + i + " got another vector");
    }
    for (int i = 1; i < answers.size(); i++) {
      if (!texts.get(i).equals(texts.get(i - 1))) {
        assertTrue(maxAbsDiff(answers.get(i), answers.get(i - 1)) > 1e-3, "callers " + i + " and " + (i - 1));
      }
    }
    long batches = after.batches() - before.batches();
    assertEquals(200, after.texts() - before.texts());
    assertTrue(batches < 200 / 2, "200 calls ran as " + batches + " batches");
  }

  @Test
  void emptyInputAndBlankTextsAreFine() throws Exception {
    assertEquals(List.of(), await(embedder.embed(List.of())));
    List<float[]> blanks = await(embedder.embed(List.of("", "   \n\t")));
    assertEquals(2, blanks.size());
    for (float[] vector : blanks) {
      assertEquals(384, vector.length);
      assertEquals(1.0, VectorMath.norm(vector), 1e-5);
    }
  }

  @Test
  void aLongTextIsSplitIntoWindowsAndAveragedNotTruncated() throws Exception {
    String allergy = "The user is allergic to peanuts and must avoid shellfish at every restaurant. ";
    String travel = "The flight to Lisbon leaves at seven and the hotel is near the old harbour. ";
    String first = allergy.repeat(20);
    String whole = first + travel.repeat(20);
    MiniLmEncoder encoder = MiniLmEncoder.load(1);
    try {
      assertTrue(encoder.countTokens(first) > TokenWindows.WINDOW_TOKENS, "first part must fill a window");
    } finally {
      encoder.close();
    }
    float[] travelSentence = one(travel);
    double wholeToTravel = VectorMath.dot(one(whole), travelSentence);
    double firstToTravel = VectorMath.dot(one(first), travelSentence);
    assertTrue(wholeToTravel > firstToTravel + 0.2, "whole " + wholeToTravel + " vs first part " + firstToTravel);
    assertEquals(1.0, VectorMath.norm(one(whole)), 1e-5);
  }

  @Test
  void paddedTensorBatchesMaskThePaddingOut() throws Exception {
    List<String> texts = new ArrayList<>(Sentences.generate(15, 31));
    texts.add("Short.");
    Collections.shuffle(texts, new java.util.Random(3));
    MiniLmEncoder encoder = MiniLmEncoder.load(1);
    try {
      float[][] padded = encoder.encode(texts, 16);
      float[][] single = encoder.encode(texts, 1);
      for (int i = 0; i < texts.size(); i++) {
        double cosine = VectorMath.dot(padded[i], single[i]);
        assertTrue(cosine > 0.98, texts.get(i) + ": cosine " + cosine);
      }
    } finally {
      encoder.close();
    }
  }

  @Test
  void badInputIsABadRequest() {
    List<String> withNull = new ArrayList<>(List.of("fine"));
    withNull.add(null);
    assertEquals(ErrorKind.BAD_REQUEST, failure(embedder.embed(withNull)).kind());
    assertEquals(ErrorKind.BAD_REQUEST, failure(embedder.embed(null)).kind());
    assertEquals(ErrorKind.BAD_REQUEST,
        failure(embedder.embed(Collections.nCopies(EmbedInput.MAX_TEXTS + 1, "x"))).kind());
  }

  static double maxAbsDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }
}
