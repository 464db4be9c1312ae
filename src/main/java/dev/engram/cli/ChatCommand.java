package dev.engram.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code engram chat [AGENT]}: a terminal chat with an agent of a running Engram, streamed step by step. */
@Command(name = "chat", mixinStandardHelpOptions = true,
    description = "Chats with an agent of a running Engram server in the terminal: the agent's thoughts, function"
        + " calls and returns stream in as they happen.%nCommands in the chat: /memory, /help, /exit.")
public final class ChatCommand implements Callable<Integer> {
  @Parameters(arity = "0..1", paramLabel = "AGENT",
      description = "The agent's name or id; without it, pick one from a list or name a new one.")
  String agent;

  @Option(names = "--url", paramLabel = "URL", description = "The server (default: env ENGRAM_URL, else"
      + " http://localhost:8283).")
  String url;

  @Option(names = "--token", paramLabel = "TOKEN", description = "An API key or the admin password (default: env"
      + " ENGRAM_TOKEN, else MEMGPT_SERVER_PASS). Prefer the environment: a command line is visible to other users.")
  String token;

  @Option(names = "--no-color", description = "Plain text, without colours (also when the output is not a"
      + " terminal, or NO_COLOR is set).")
  boolean noColor;

  @Override
  public Integer call() throws Exception {
    String server = firstOf(url, System.getenv("ENGRAM_URL"), "http://localhost:8283");
    String key = firstOf(token, System.getenv("ENGRAM_TOKEN"), System.getenv("MEMGPT_SERVER_PASS"));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    boolean colour = !noColor && System.console() != null && System.getenv("NO_COLOR") == null;
    EventPrinter print = new EventPrinter(out, colour);
    if (key == null) {
      print.error("no token: set ENGRAM_TOKEN (an API key, or the admin password) or pass --token");
      return 2;
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    return new ChatSession(new ServerClient(server, key), in, print).run(agent);
  }

  private static String firstOf(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }
}
