package dev.engram.sandbox;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs users' Python tools, one call at a time per warm sandboxed process (see {@link SandboxCommand} for the
 * isolation, zygote.py for the processes of a call). Every call ends in a {@link ToolRun}: a tool's failure, a limit,
 * a full queue or a machine without the sandbox's programs is a failed run with a message, never a failed future.
 * The blocking pipe I/O runs on the sandbox's own worker threads, one per pool slot, never on an event loop.
 * Started and stopped with the server; without bubblewrap the server still runs and each call says what to install.
 */
public final class ToolSandbox {
  private static final Logger LOG = LoggerFactory.getLogger(ToolSandbox.class);
  /** Past the call's wall-clock limit, how long the zygote has to answer before it is killed as hung. */
  private static final long GRACE_MS = 5_000;
  /** A Python identifier (ASCII): the function to call. */
  private static final Pattern FUNCTION = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");
  /** A portable environment variable name. */
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");
  private static final int MAX_ENV_BYTES = 128 * 1024;

  private final Vertx vertx;
  private final SandboxSettings settings;
  private final Function<Boolean, List<String>> launcher;
  private final String unavailable;
  private final WorkerExecutor workers;
  private final ZygotePool pool;

  private ToolSandbox(Vertx vertx, SandboxSettings settings, Function<Boolean, List<String>> launcher,
      String unavailable) {
    this.vertx = vertx;
    this.settings = settings;
    this.launcher = launcher;
    this.unavailable = unavailable;
    // one thread per slot: a slot's start and its calls run one after the other; the long limit only silences
    // Vert.x's blocked-thread warning for tools that legitimately take minutes
    this.workers = vertx.createSharedWorkerExecutor("engram-tool-sandbox-" + System.identityHashCode(this),
        settings.poolSize(), 2L * 3600, TimeUnit.SECONDS);
    this.pool = new ZygotePool(settings.poolSize(), settings.maxWaiting(), this::startZygote);
  }

  /** The sandbox as configured; it checks for its programs now and starts processes on first use. */
  public static ToolSandbox create(Vertx vertx, SandboxSettings settings) {
    return create(vertx, settings, null);
  }

  /** As {@link #create(Vertx, SandboxSettings)}, finding the programs in {@code searchPath} when not null. */
  static ToolSandbox create(Vertx vertx, SandboxSettings settings, List<String> searchPath) {
    try {
      SandboxCommand command = searchPath == null ? SandboxCommand.locate(settings)
          : SandboxCommand.locate(settings, searchPath);
      return new ToolSandbox(vertx, settings, command::zygote, null);
    } catch (SandboxCommand.SandboxUnavailable e) {
      return new ToolSandbox(vertx, settings, network -> List.of(), e.getMessage());
    }
  }

  /**
   * The same pool and protocol with no isolation at all: the benchmark's baseline, to measure what the sandbox costs.
   * Never for users' tools.
   */
  static ToolSandbox unisolatedForBenchmark(Vertx vertx, SandboxSettings settings)
      throws SandboxCommand.SandboxUnavailable {
    SandboxCommand command = SandboxCommand.locate(settings);
    return new ToolSandbox(vertx, settings, network -> command.unisolated(), null);
  }

  /**
   * Starts one zygote so the first call finds it warm, and reports whether the sandbox works here. A failure is
   * logged, not returned: the server runs without custom tools, and each call repeats the reason.
   */
  public Future<Void> start() {
    if (unavailable != null) {
      LOG.warn("Custom tools cannot run: {}", unavailable);
      return Future.succeededFuture();
    }
    return pool.acquire(false)
        .onSuccess(zygote -> pool.release(zygote, true))
        .onFailure(e -> LOG.warn("Custom tools cannot run: {}", e.getMessage()))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /** Kills the zygotes; calls still running finish as killed. */
  public Future<Void> stop() {
    pool.close();
    return workers.close();
  }

  /** Why the sandbox cannot run on this machine, or null when its programs are there. */
  public String unavailableReason() {
    return unavailable;
  }

  public Limits defaultLimits() {
    return settings.defaults();
  }

  /**
   * Calls {@code function} of {@code code} with {@code args} as keyword arguments, in a clean sandboxed process whose
   * environment holds only {@code env} (the tool's own variables) and a few neutral ones (PATH, HOME, LANG, TMPDIR).
   */
  public Future<ToolRun> run(ToolCode code, String function, JsonObject args, Map<String, String> env,
      Limits limits) {
    long started = System.nanoTime();
    env = env == null ? Map.of() : env;
    String bad = badCall(function, env);
    if (bad != null) {
      return Future.succeededFuture(ToolRun.failed(ToolRun.Failure.BAD_CALL, bad, micros(started)));
    }
    JsonObject body = new JsonObject().put("op", "call").put("source", code.source()).put("function", function)
        .put("args", args == null ? new JsonObject() : args).put("env", new JsonObject(Map.copyOf(env)))
        .put("limits", limits.toJson());
    return exchange(body, limits).map(frame -> ToolRun.of(frame, micros(started)))
        .otherwise(e -> ToolRun.failed(failureOf(e), e.getMessage(), micros(started)));
  }

  /**
   * A tool's JSON schema ({@code name}, {@code description}, {@code parameters}) derived from its source as Letta
   * derives it, by Python's {@code ast} inside the sandbox. Fails with 400 and the reason when the source cannot be a
   * tool (it does not parse, has no function or several, a parameter lacks a type or a description, a type has no
   * JSON counterpart), or 503 when the sandbox cannot run here.
   */
  public Future<JsonObject> schemaOf(String source) {
    Limits limits = settings.defaults();
    JsonObject body = new JsonObject().put("op", "schema").put("source", source == null ? "" : source)
        .put("limits", limits.toJson());
    return exchange(body, limits).recover(e -> Future.failedFuture(
            new ApiException(ErrorKind.UNAVAILABLE, "the tool's schema cannot be derived: " + e.getMessage())))
        .compose(frame -> {
          if ("success".equals(frame.getString("status"))) {
            return Future.succeededFuture(frame.getJsonObject("schema"));
          }
          String why = frame.getString("error", "the tool's schema cannot be derived");
          return Future.failedFuture(ApiException.badRequest("refused".equals(frame.getString("failure"))
              ? why : "the tool's schema cannot be derived: " + why));
        });
  }

  /** One request to a zygote: waits for a slot, runs on a worker thread, gives the slot back (or replaces it). */
  private Future<JsonObject> exchange(JsonObject body, Limits limits) {
    if (unavailable != null) {
      return Future.failedFuture(new ZygotePool.NoZygote(unavailable));
    }
    return pool.acquire(limits.network()).compose(zygote -> {
      long watchdog = vertx.setTimer(limits.wallSeconds() * 1000L + GRACE_MS, id -> zygote.kill());
      return workers.executeBlocking(() -> zygote.call(body, limits.wallSeconds()), false)
          .andThen(done -> {
            vertx.cancelTimer(watchdog);
            pool.release(zygote, done.succeeded());
          })
          .recover(e -> Future.failedFuture(new IOException("the sandbox process failed and was replaced ("
              + e.getMessage() + ")")));
    });
  }

  private Future<Zygote> startZygote(boolean network) {
    return workers.executeBlocking(() -> Zygote.start(launcher.apply(network), network, (delay, kill) -> {
      long timer = vertx.setTimer(delay, id -> kill.run());
      return () -> vertx.cancelTimer(timer);
    }), false);
  }

  private static ToolRun.Failure failureOf(Throwable e) {
    if (e instanceof ZygotePool.NoZygote) {
      return e.getMessage().startsWith("the tool sandbox is busy") ? ToolRun.Failure.BUSY
          : ToolRun.Failure.UNAVAILABLE;
    }
    if (e instanceof IOException && e.getMessage() != null && e.getMessage().startsWith("the tool sandbox did not")) {
      return ToolRun.Failure.UNAVAILABLE;
    }
    return ToolRun.Failure.KILLED;
  }

  private static String badCall(String function, Map<String, String> env) {
    if (function == null || !FUNCTION.matcher(function).matches()) {
      return "the function name " + (function == null ? "is missing" : "'" + function + "' is not a Python name");
    }
    int bytes = 0;
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey() == null || !ENV_NAME.matcher(e.getKey()).matches()) {
        return "the environment variable name '" + e.getKey() + "' is not a valid name (letters, digits, _)";
      }
      if (e.getValue() == null || e.getValue().indexOf('\0') >= 0) {
        return "the environment variable " + e.getKey() + " has no value or a NUL character";
      }
      bytes += e.getKey().length() + e.getValue().length();
    }
    return bytes > MAX_ENV_BYTES ? "the tool's environment variables exceed " + MAX_ENV_BYTES + " characters" : null;
  }

  private static long micros(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1000;
  }
}
