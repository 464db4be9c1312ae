package dev.engram.bench;

import java.util.HashMap;
import java.util.Map;

/** Benchmark options given as {@code --name value} pairs. */
public final class BenchArgs {
  private BenchArgs() {}

  public static Map<String, String> parse(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      out.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    return out;
  }
}
