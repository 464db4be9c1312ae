package dev.engram.bench;

import dev.engram.EngramServer;
import dev.engram.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The server a benchmark measures: a fresh home, a free port, admin password {@code bench}, the scripted model. */
final class BenchServer {
  private BenchServer() {}

  static EngramServer start(Path home, String llmBaseUrl) throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put("ENGRAM_HOME", home.toString());
    settings.put("ENGRAM_CONFIG", home.resolve("none.yaml").toString());
    Files.writeString(home.resolve("none.yaml"), "# benchmark\n");
    settings.put("PORT", "0");
    settings.put("MEMGPT_SERVER_PASS", "bench");
    settings.put("OPENAI_BASE_URL", llmBaseUrl);
    settings.put("LLM_MODEL", "gpt-4");
    return EngramServer.start(ConfigLoader.load(Map.of(), settings));
  }
}
