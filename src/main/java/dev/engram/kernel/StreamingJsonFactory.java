package dev.engram.kernel;

import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.core.spi.JsonFactory;
import io.vertx.core.spi.json.JsonCodec;

/**
 * Makes Vert.x encode and decode {@code JsonObject}/{@code JsonArray} with Jackson's streaming parser and generator
 * instead of the object mapper it picks when jackson-databind is on the class path (as it is here, for our records):
 * the same JSON, with less work per value. Nothing here maps JSON to classes through Vert.x ({@code mapTo},
 * {@code mapFrom}); records go through {@link Json#MAPPER}. Registered in {@code META-INF/services}.
 */
public final class StreamingJsonFactory implements JsonFactory {
  private static final JacksonCodec CODEC = new JacksonCodec();

  @Override
  public int order() {
    return 0;
  }

  @Override
  public JsonCodec codec() {
    return CODEC;
  }
}
