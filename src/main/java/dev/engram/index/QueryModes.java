package dev.engram.index;

import dev.engram.index.PassageIndex.PassageQuery;
import dev.engram.index.PassageIndex.SearchMode;
import dev.engram.kernel.ApiException;

/** The rules every backend applies to a query's mode: HYBRID falls back to the half that was given. */
final class QueryModes {
  private QueryModes() {}

  static boolean hasText(PassageQuery q) {
    return q.text() != null && !q.text().isBlank();
  }

  static boolean hasVector(PassageQuery q) {
    return q.vector() != null && q.vector().length > 0;
  }

  /**
   * The mode to run: VECTOR, TEXT or HYBRID (both halves present); null when there is nothing to search for
   * (TEXT without text). Throws a bad request for VECTOR without a vector or HYBRID with neither.
   */
  static SearchMode effective(PassageQuery q) {
    SearchMode mode = q.mode() == null ? SearchMode.HYBRID : q.mode();
    boolean text = hasText(q);
    boolean vector = hasVector(q);
    switch (mode) {
      case VECTOR:
        if (!vector) {
          throw ApiException.badRequest("a vector search needs a query vector");
        }
        return SearchMode.VECTOR;
      case TEXT:
        return text ? SearchMode.TEXT : null;
      default:
        if (!text && !vector) {
          throw ApiException.badRequest("a search needs a query text or vector");
        }
        return !text ? SearchMode.VECTOR : !vector ? SearchMode.TEXT : SearchMode.HYBRID;
    }
  }
}
