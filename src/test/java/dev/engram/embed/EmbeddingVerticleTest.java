package dev.engram.embed;

import static dev.engram.embed.OpenAiEmbedderTest.await;
import static dev.engram.embed.OpenAiEmbedderTest.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.RecordCodec;
import dev.engram.testkit.ScriptedEmbeddings;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The verticle over a real event bus with the record codec, as the server wires it. */
class EmbeddingVerticleTest {
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    vertx.eventBus().registerCodec(new RecordCodec());
    vertx.eventBus().codecSelector(body -> body instanceof Record ? RecordCodec.NAME : null);
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void servesTheLocalModelOverTheBus() throws Exception {
    await(vertx.deployVerticle(new EmbeddingVerticle(LocalEmbedderTest.settings(32, 2, 2))));
    var client = new EmbedClient(vertx, 30_000);

    EmbedProtocol.Model model = await(client.model());
    assertEquals(new EmbedProtocol.Model("all-MiniLM-L6-v2", 384), model);

    List<float[]> vectors = await(client.embed(List.of("I love hiking in the mountains.",
        "Walking up hills in the Alps is my favourite pastime.", "The invoice was paid by bank transfer.")));
    assertEquals(3, vectors.size());
    vectors.forEach(v -> assertEquals(384, v.length));
    assertTrue(VectorMath.dot(vectors.get(0), vectors.get(1)) > VectorMath.dot(vectors.get(0), vectors.get(2)));
    float[] single = await(client.embed("I love hiking in the mountains."));
    assertTrue(LocalEmbedderTest.maxAbsDiff(vectors.get(0), single) <= 1e-4);
    assertEquals(List.of(), await(client.embed(List.of())));
  }

  @Test
  void badInputComesBackAsA400FromTheVerticle() throws Exception {
    await(vertx.deployVerticle(new EmbeddingVerticle(LocalEmbedderTest.settings(32, 2, 2))));
    List<String> withNull = new ArrayList<>();
    withNull.add(null);
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(
        vertx.eventBus().request(EmbedProtocol.EMBED.address(), new EmbedProtocol.Embed(withNull))));
    assertEquals(400, assertInstanceOf(ReplyException.class, e.getCause()).failureCode());
    assertEquals(ErrorKind.BAD_REQUEST, failure(new EmbedClient(vertx).embed(withNull)).kind());
  }

  @Test
  void servesARemoteEndpointWhenABaseUrlIsSet() throws Exception {
    ScriptedEmbeddings server = await(ScriptedEmbeddings.start(vertx, 8));
    var settings = new EmbeddingSettings(server.baseUrl(), "key", "remote-model", 8, 16, 2, 2, 5_000);
    await(vertx.deployVerticle(new EmbeddingVerticle(settings)));
    var client = new EmbedClient(vertx);
    assertEquals(new EmbedProtocol.Model("remote-model", 8), await(client.model()));
    float[] vector = await(client.embed("over the wire"));
    assertEquals(8, vector.length);
    assertEquals(1.0, VectorMath.norm(vector), 1e-5);
    assertEquals(List.of("over the wire"), server.received().get(0).inputs());
  }

  @Test
  void vectorsSurviveTheClusterWireFormat() {
    var codec = new RecordCodec();
    var buffer = io.vertx.core.buffer.Buffer.buffer();
    codec.encodeToWire(buffer, new EmbedProtocol.Vectors(List.of(new float[] {0.25f, -1e-7f, 3.4028235e38f})));
    var decoded = (EmbedProtocol.Vectors) codec.decodeFromWire(0, buffer);
    assertEquals(1, decoded.vectors().size());
    org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0.25f, -1e-7f, 3.4028235e38f},
        decoded.vectors().get(0));
  }

  @Test
  void withoutTheVerticleTheClientSaysTheComponentIsNotRunning() {
    assertEquals(ErrorKind.UNAVAILABLE, failure(new EmbedClient(vertx).embed("anyone?")).kind());
  }

  @Test
  void aNonLocalModelWithoutBaseUrlFailsDeployment() {
    var settings = new EmbeddingSettings(null, null, "text-embedding-3-small", 1536, 32, 2, 2, 5_000);
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> await(vertx.deployVerticle(new EmbeddingVerticle(settings))));
    assertTrue(e.getCause().getMessage().contains("EMBEDDING_BASE_URL"), e.getCause().getMessage());
  }
}
