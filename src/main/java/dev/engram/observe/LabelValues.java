package dev.engram.observe;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Label values that come from outside (a model name a user typed): the first {@code max} distinct ones are kept,
 * later ones become {@code other}, so that no caller can grow the number of series without bound.
 */
final class LabelValues {
  static final String OTHER = "other";

  private final int max;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  LabelValues(int max) {
    this.max = max;
  }

  String bound(String value) {
    if (seen.contains(value)) {
      return value;
    }
    // two threads may both pass the check at the limit: one value over it is harmless
    if (seen.size() >= max) {
      return OTHER;
    }
    seen.add(value);
    return value;
  }
}
