package dev.engram.config;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.sandbox.Limits;
import dev.engram.sandbox.SandboxSettings;
import dev.engram.testkit.TempHomes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The precedence the README promises: defaults, then the file, then the environment, then command-line flags. */
class ConfigLoaderTest {
  private final Path dir = TempHomes.create("engram-config-");

  private Path file(String name, String yaml) throws IOException {
    Path path = dir.resolve(name);
    Files.writeString(path, yaml);
    return path;
  }

  @Test
  void theConfigFlagBeatsTheEnvironmentsConfigFile() throws IOException {
    Path fromEnv = file("env.yaml", "PORT: 1111\n");
    Path fromFlag = file("flag.yaml", "PORT: 2222\n");
    EngramConfig config = ConfigLoader.load(Map.of("ENGRAM_CONFIG", fromEnv.toString()),
        Map.of("ENGRAM_CONFIG", fromFlag.toString()));
    assertEquals(2222, config.server().port());
  }

  @Test
  void theEnvironmentNamesTheFileWhenNoFlagDoes() throws IOException {
    Path fromEnv = file("env.yaml", "PORT: 1111\n");
    assertEquals(1111, ConfigLoader.load(Map.of("ENGRAM_CONFIG", fromEnv.toString()), Map.of()).server().port());
  }

  @Test
  void environmentBeatsTheFileAndFlagsBeatTheEnvironment() throws IOException {
    Path yaml = file("engram.yaml", "PORT: 1111\nHOST: file-host\nLLM_MODEL: file-model\n");
    EngramConfig config = ConfigLoader.load(
        Map.of("ENGRAM_CONFIG", yaml.toString(), "PORT", "3333", "HOST", "env-host"), Map.of("PORT", "4444"));
    assertEquals(4444, config.server().port());
    assertEquals("env-host", config.server().host());
    assertEquals("file-model", config.llm().model());
  }

  @Test
  void clusterModeIsOffByDefaultAndRefusesTheEmbeddedDatabase() {
    assertTrue(!ConfigLoader.load(Map.of(), Map.of()).cluster().enabled(), "off by default");
    var error = assertThrows(IllegalArgumentException.class,
        () -> ConfigLoader.load(Map.of("CLUSTER", "true"), Map.of()));
    assertTrue(error.getMessage().startsWith("CLUSTER=true needs an external PostgreSQL"), error.getMessage());
    EngramConfig config = ConfigLoader.load(Map.of("CLUSTER", "true", "DATABASE_URL", "postgresql://h:5432/engram",
        "CLUSTER_MEMBERS", "10.0.0.1:5701, 10.0.0.2:5701", "CLUSTER_PORT", "5702"), Map.of());
    assertEquals(java.util.List.of("10.0.0.1:5701", "10.0.0.2:5701"), config.cluster().members());
    assertEquals(5702, config.cluster().port());
  }

  @Test
  void aNamedFileThatDoesNotExistIsAnError() {
    var error = assertThrows(IllegalArgumentException.class,
        () -> ConfigLoader.load(Map.of(), Map.of("ENGRAM_CONFIG", dir.resolve("missing.yaml").toString())));
    assertTrue(error.getMessage().contains("missing.yaml"), error.getMessage());
  }

  @Test
  void theHnswBeamHasItsDefaultAndIsChecked() {
    assertEquals(dev.engram.index.LuceneTuning.HNSW_BEAM, ConfigLoader.load(Map.of(), Map.of()).index().hnswBeam());
    assertEquals(64, ConfigLoader.load(Map.of("VECTOR_HNSW_BEAM", "64"), Map.of()).index().hnswBeam());
    for (String bad : java.util.List.of("0", "-5", "5000")) {
      var error = assertThrows(IllegalArgumentException.class,
          () -> ConfigLoader.load(Map.of("VECTOR_HNSW_BEAM", bad), Map.of()));
      assertTrue(error.getMessage().startsWith("VECTOR_HNSW_BEAM must be between 1 and 3200"), error.getMessage());
    }
  }

  @Test
  void toolSandboxLimitsComeFromTheirKeysAndAreChecked() throws IOException {
    Path yaml = file("tools.yaml", "TOOL_CPU_SECONDS: 2\nTOOL_MEMORY_MB: 512\n");
    EngramConfig config = ConfigLoader.load(Map.of("ENGRAM_CONFIG", yaml.toString(), "TOOL_POOL_SIZE", "3",
        "TOOL_WALL_SECONDS", "20", "TOOL_OUTPUT_BYTES", "4096", "TOOL_PROCESSES", "4"), Map.of());
    var tools = config.tools();
    assertEquals(3, tools.poolSize());
    assertEquals(new Limits(2, 20, 512, 4096, 4, 50_000, false), tools.defaults());
    assertEquals(SandboxSettings.standard(), ConfigLoader.load(Map.of(), Map.of()).tools());
    var error = assertThrows(IllegalArgumentException.class,
        () -> ConfigLoader.load(Map.of("TOOL_MEMORY_MB", "16"), Map.of()));
    assertTrue(error.getMessage().contains("TOOL_MEMORY_MB"), error.getMessage());
  }
}
