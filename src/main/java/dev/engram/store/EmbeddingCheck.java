package dev.engram.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses to start when the configured embedder's vectors cannot be compared with the stored ones: a different
 * dimension would break every search. A different model name with the same dimension is only warned about.
 */
final class EmbeddingCheck {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingCheck.class);
  private static final String NEWEST = """
      select embedding_model, array_length(embedding, 1) from passages order by seq desc limit 1""";

  private final String model;
  private final int dimension;

  EmbeddingCheck(String model, int dimension) {
    this.model = model;
    this.dimension = dimension;
  }

  Future<Void> verify(Pool pool) {
    return pool.query(NEWEST).execute().compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture();
      }
      var row = rows.iterator().next();
      String storedModel = row.getString(0);
      int storedDim = row.getInteger(1);
      if (storedDim != dimension) {
        return Future.failedFuture(new IllegalStateException("stored passages have " + storedDim
            + "-dimensional vectors (" + storedModel + ") but the configured embedder gives " + dimension + " ("
            + model + "): set EMBEDDING_MODEL/EMBEDDING_DIM/EMBEDDING_BASE_URL back, or start with a new "
            + "ENGRAM_HOME or database"));
      }
      if (!storedModel.equals(model)) {
        LOG.warn("stored passages were embedded with {} but the configured model is {}: search quality suffers "
            + "when vectors of different models are mixed", storedModel, model);
      }
      return Future.succeededFuture();
    });
  }
}
