package dev.engram.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;

/**
 * A conversation in the terminal: picks or creates the agent, then reads a line at a time; a line is sent to the
 * agent and its step is printed as it streams, except the commands {@code /memory}, {@code /help} and {@code /exit}
 * (end of input exits too). A failed send is reported and the session goes on.
 */
final class ChatSession {
  static final String HELP = "Type a message and press Enter. Commands: /memory (core memory), /help, /exit.";

  private final ServerClient server;
  private final BufferedReader in;
  private final EventPrinter print;

  ChatSession(ServerClient server, BufferedReader in, EventPrinter print) {
    this.server = server;
    this.in = in;
    this.print = print;
  }

  /** Runs the session; answers the process's exit code. */
  int run(String agent) throws IOException {
    String agentId;
    try {
      agentId = agent == null ? pick() : find(agent);
    } catch (IOException e) {
      print.error(e.getMessage());
      return 1;
    }
    if (agentId == null) {
      return 0;
    }
    print.info(HELP);
    String line;
    while ((line = prompt("you> ")) != null) {
      String text = line.strip();
      if (text.isEmpty()) {
        continue;
      }
      if (text.equals("/exit") || text.equals("/quit")) {
        break;
      }
      try {
        switch (text) {
          case "/help" -> print.info(HELP);
          case "/memory" -> print.memory(server.memory(agentId));
          default -> server.send(agentId, line, print::event);
        }
      } catch (IOException e) {
        print.error(e.getMessage());
      }
    }
    return 0;
  }

  /** The agent named or with this id; created when there is none (after asking). */
  private String find(String nameOrId) throws IOException {
    for (Object o : server.agents()) {
      JsonObject a = (JsonObject) o;
      if (nameOrId.equals(a.getString("id")) || nameOrId.equals(a.getString("name"))) {
        print.info("Chatting with " + a.getString("name") + " (" + a.getString("id") + ")");
        return a.getString("id");
      }
    }
    String answer = prompt("No agent named " + nameOrId + ". Create it? [y/N] ");
    return answer != null && answer.strip().toLowerCase(java.util.Locale.ROOT).startsWith("y") ? create(nameOrId)
        : null;
  }

  /** Lists the agents and reads a number, or a name for a new agent. */
  private String pick() throws IOException {
    JsonArray agents = server.agents();
    for (int i = 0; i < agents.size(); i++) {
      JsonObject a = agents.getJsonObject(i);
      print.plain("  " + (i + 1) + ". " + a.getString("name") + "  (" + a.getString("id") + ")");
    }
    while (true) {
      String answer = prompt(agents.isEmpty() ? "Name of a new agent: "
          : "Pick an agent by number, or type a name for a new one: ");
      if (answer == null) {
        return null;
      }
      String choice = answer.strip();
      if (choice.isEmpty()) {
        continue;
      }
      if (choice.chars().allMatch(Character::isDigit)) {
        int n = Integer.parseInt(choice.length() > 6 ? "0" : choice);
        if (n >= 1 && n <= agents.size()) {
          JsonObject a = agents.getJsonObject(n - 1);
          print.info("Chatting with " + a.getString("name") + " (" + a.getString("id") + ")");
          return a.getString("id");
        }
        print.error("there is no agent number " + choice);
        continue;
      }
      try {
        return create(choice);
      } catch (ServerClient.Refused e) {
        print.error(e.getMessage()); // e.g. a name the server does not take: ask again
      }
    }
  }

  private String create(String name) throws IOException {
    JsonObject agent = server.createAgent(name);
    print.info("Created " + agent.getString("name") + " (" + agent.getString("id") + ")");
    return agent.getString("id");
  }

  private String prompt(String text) throws IOException {
    print.prompt(text);
    return in.readLine();
  }
}
