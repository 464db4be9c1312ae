package dev.engram;

import dev.engram.cli.ChatCommand;
import dev.engram.config.ConfigLoader;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code engram}: parses the command line, loads configuration and runs the server until interrupted; {@code engram
 * chat} is the terminal client ({@link ChatCommand}).
 */
@Command(name = "engram", mixinStandardHelpOptions = true, version = "Engram " + EngramServer.VERSION,
    subcommands = ChatCommand.class,
    description = "Runs the Engram agent-memory server (MemGPT/Letta and Mem0 APIs) on one port.%n"
        + "Every option can also be set in conf/engram.yaml or the environment (see README.md).")
public final class Main implements Callable<Integer> {
  @Option(names = "--host", description = "Interface to listen on (default: localhost, env HOST).")
  String host;

  @Option(names = "--port", description = "Port to listen on (default: 8283, env PORT).")
  Integer port;

  @Option(names = "--use-ssl", description = "Serve HTTPS; without --ssl-cert/--ssl-key a self-signed certificate"
      + " is created in ENGRAM_HOME/tls.")
  boolean useSsl;

  @Option(names = "--ssl-cert", paramLabel = "FILE", description = "PEM certificate for --use-ssl.")
  String sslCert;

  @Option(names = "--ssl-key", paramLabel = "FILE", description = "PEM private key for --use-ssl.")
  String sslKey;

  @Option(names = "--home", paramLabel = "DIR", description = "Data directory (default: ./data, env ENGRAM_HOME).")
  String home;

  @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: conf/engram.yaml,"
      + " env ENGRAM_CONFIG).")
  String configFile;

  @Override
  public Integer call() throws Exception {
    if ((sslCert == null) != (sslKey == null)) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--ssl-cert and --ssl-key go together");
    }
    Map<String, String> overrides = new HashMap<>();
    put(overrides, "HOST", host);
    put(overrides, "PORT", port == null ? null : port.toString());
    put(overrides, "USE_SSL", useSsl || sslCert != null ? "true" : null);
    put(overrides, "SSL_CERT", sslCert);
    put(overrides, "SSL_KEY", sslKey);
    put(overrides, "ENGRAM_HOME", home);
    put(overrides, "ENGRAM_CONFIG", configFile);
    EngramServer server = EngramServer.start(ConfigLoader.load(System.getenv(), overrides));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "engram-shutdown"));
    stopped.await();
    return 0;
  }

  private static void put(Map<String, String> map, String key, String value) {
    if (value != null) {
      map.put(key, value);
    }
  }

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }
}
