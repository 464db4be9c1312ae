package dev.engram.mcp;

import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The SDK's stdio transport with the child process kept apart from the server:
 * <ul>
 *   <li>a clean environment: {@link ProcessBuilder} starts from a copy of the JVM's environment (API keys, database
 *       passwords), which the SDK adds to; here the child gets only the SDK's short list of harmless variables
 *       ({@code PATH}, {@code HOME}, {@code USER}, {@code LOGNAME}, {@code SHELL}, {@code TERM}, so that commands
 *       such as {@code npx} or {@code uvx} still work) and the env the user declared;
 *   <li>its working directory is the temporary directory, not Engram's;
 *   <li>it is killed with everything it started: the SDK sends one SIGTERM to the child and then waits for it without
 *       bound, and leaves its children (a shell's, {@code npx}'s) running. Here the whole tree gets SIGTERM, and
 *       SIGKILL after {@link #GRACE_MS}.
 * </ul>
 * What it does not do: the child runs as the server's OS user, with its file access and network (see
 * {@link McpSettings} for who may register one).
 */
final class StdioChild extends StdioClientTransport {
  private static final Logger LOG = LoggerFactory.getLogger(StdioChild.class);
  /** How long a child has to end after SIGTERM before it is killed. */
  static final long GRACE_MS = 2_000;
  private static final int STDERR_LINES = 5;
  private static final int STDERR_LINE_CHARS = 500;
  /** The SDK keeps its process private; it is read once it started, to watch it and to kill its tree. */
  private static final Field PROCESS = processField();

  private final String serverName;
  private final Deque<String> lastErrors = new ArrayDeque<>();
  /** The child once started, or why it could not be (the SDK only logs that; requests would wait for a timeout). */
  private final CompletableFuture<Process> started = new CompletableFuture<>();

  StdioChild(String serverName, String command, List<String> args, Map<String, String> env, int maxMessageBytes) {
    super(ServerParameters.builder(command).args(args).env(env).build(), McpJsonDefaults.getMapper(), maxMessageBytes);
    this.serverName = serverName;
    setStdErrorHandler(this::stderr);
  }

  @Override
  public Mono<Void> connect(Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
    return super.connect(handler).doOnSuccess(v -> started.complete(process()))
        .doOnError(started::completeExceptionally);
  }

  /** Completes with the child once it started, or fails with why it could not start. */
  CompletableFuture<Process> started() {
    return started;
  }

  @Override
  protected ProcessBuilder getProcessBuilder() {
    ProcessBuilder builder = new ProcessBuilder();
    builder.environment().clear();
    builder.directory(Path.of(System.getProperty("java.io.tmpdir")).toFile());
    return builder;
  }

  private void stderr(String line) {
    LOG.debug("MCP server {} (stderr): {}", serverName, line);
    synchronized (lastErrors) {
      if (lastErrors.size() == STDERR_LINES) {
        lastErrors.removeFirst();
      }
      lastErrors.addLast(line.length() > STDERR_LINE_CHARS ? line.substring(0, STDERR_LINE_CHARS) + "..." : line);
    }
  }

  /** The last lines the child wrote to stderr, for the message of a failure ("" when none). */
  String lastErrors() {
    synchronized (lastErrors) {
      return String.join("\n", lastErrors);
    }
  }

  /** The child, once started (null before). */
  Process process() {
    try {
      return PROCESS == null ? null : (Process) PROCESS.get(this);
    } catch (IllegalAccessException e) {
      return null;
    }
  }

  /** Kills the child's tree first (bounded), then lets the SDK release its threads. */
  @Override
  public Mono<Void> closeGracefully() {
    return Mono.fromRunnable(this::killTree).subscribeOn(Schedulers.boundedElastic())
        .then(super.closeGracefully())
        .onErrorResume(e -> {
          LOG.debug("closing MCP server {}", serverName, e);
          return Mono.empty();
        });
  }

  private void killTree() {
    Process process = process();
    if (process == null) {
      return;
    }
    List<ProcessHandle> tree = new java.util.ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    try {
      process.waitFor(GRACE_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ProcessHandle p : tree) {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }

  private static Field processField() {
    try {
      Field f = StdioClientTransport.class.getDeclaredField("process");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LoggerFactory.getLogger(StdioChild.class).warn("the MCP SDK's stdio child cannot be watched: {}", e.toString());
      return null;
    }
  }
}
