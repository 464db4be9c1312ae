package dev.engram.sandbox;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.kernel.ApiException;
import dev.engram.sandbox.ToolRun.Failure;
import dev.engram.testkit.TempHomes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real sandboxed Python processes: what a tool gets back, and every limit and escape attempt ending as a failed run
 * (or doing no harm) with the sandbox still answering the next call.
 */
class ToolSandboxTest {
  private static final Limits LIMITS = SandboxSettings.DEFAULT_LIMITS;
  private static Vertx vertx;
  private static ToolSandbox sandbox;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    sandbox = ToolSandbox.create(vertx, SandboxSettings.standard());
    assertNull(sandbox.unavailableReason(), () -> "the tool sandbox cannot run on this machine, so these tests"
        + " cannot either: " + sandbox.unavailableReason());
    await(sandbox.start());
    // the start only logs a failure (the server runs on without custom tools); a test must not pass on that
    ToolRun probe = call("def f():\n    return 'up'\n", "f", new JsonObject(), Map.of(), LIMITS);
    assertTrue(probe.ok(), () -> "the tool sandbox does not work here: " + probe.error());
  }

  @AfterAll
  static void stop() throws Exception {
    await(sandbox.stop());
    await(vertx.close());
  }

  @Test
  void aToolReturnsItsInput() throws Exception {
    String echo = "def echo(text: str, times: int = 1):\n    return {'text': text, 'times': times}\n";
    ToolRun run = call(echo, "echo", new JsonObject().put("text", "héllo \"world\"").put("times", 2));
    assertEquals(ToolRun.Status.SUCCESS, run.status(), run::error);
    assertEquals(new JsonObject().put("text", "héllo \"world\"").put("times", 2), new JsonObject(run.returnValue()));
    assertNull(run.failure());
    // a string is returned as it is, None as Letta writes it
    assertEquals("plain", call("def f():\n    return 'plain'\n", "f", new JsonObject()).returnValue());
    assertEquals("None", call("def f():\n    pass\n", "f", new JsonObject()).returnValue());
    assertEquals("[1, 2]", call("async def f():\n    return [1, 2]\n", "f", new JsonObject()).returnValue());
  }

  @Test
  void stdoutAndStderrComeBackWithTheReturn() throws Exception {
    ToolRun run = call("""
        import sys
        def f():
            print('to stdout')
            print('to stderr', file=sys.stderr)
            return 1
        """, "f", new JsonObject());
    assertTrue(run.ok(), run::error);
    assertEquals("1", run.returnValue());
    assertEquals("to stdout\n", run.stdout());
    assertEquals("to stderr\n", run.stderr());
  }

  @Test
  void anExceptionIsAFailedReturnWithItsMessage() throws Exception {
    ToolRun run = call("def f(x: int):\n    return x / 0\n", "f", new JsonObject().put("x", 1));
    assertEquals(ToolRun.Status.ERROR, run.status());
    assertEquals(Failure.EXCEPTION, run.failure());
    assertEquals("ZeroDivisionError: division by zero", run.error());
    assertNull(run.returnValue());
    assertTrue(run.stderr().contains("line 2, in f"), run.stderr());
    assertEquals("Error executing function f: ZeroDivisionError: division by zero", run.toolReturn("f"));
    // a wrong argument is the function's TypeError, as in Letta
    ToolRun wrongArg = call("def f(x: int):\n    return x\n", "f", new JsonObject().put("y", 1));
    assertEquals(Failure.EXCEPTION, wrongArg.failure());
    assertTrue(wrongArg.error().startsWith("TypeError:"), wrongArg.error());
  }

  @Test
  void aSourceWithoutTheFunctionOrThatDoesNotCompileFails() throws Exception {
    assertEquals(Failure.NO_FUNCTION, call("def g():\n    pass\n", "f", new JsonObject()).failure());
    assertEquals(Failure.BAD_SOURCE, call("def f(:\n", "f", new JsonObject()).failure());
    assertEquals(Failure.BAD_CALL, call("def f():\n    pass\n", "f; import os", new JsonObject()).failure());
  }

  @Test
  void aReturnThatIsNotJsonFails() throws Exception {
    ToolRun run = call("def f():\n    return {1, 2}\n", "f", new JsonObject());
    assertEquals(Failure.NOT_SERIALISABLE, run.failure());
    assertTrue(run.error().contains("set"), run.error());
  }

  @Test
  void aLongReturnIsTruncatedAsLettaDoes() throws Exception {
    ToolRun run = call("def f():\n    return 'x' * 120\n", "f", new JsonObject(), Map.of(), LIMITS.withReturnChars(100));
    assertTrue(run.ok(), run::error);
    assertTrue(run.truncated());
    assertEquals("x".repeat(100) + "... [NOTE: function output was truncated since it exceeded the character limit"
        + " (120 > 100)]", run.returnValue());
  }

  @Test
  void theToolSeesItsOwnVariablesAndNoneOfTheServers() throws Exception {
    String canary = System.getenv("ENGRAM_TEST_CANARY");
    assertNotNull(canary, "surefire sets ENGRAM_TEST_CANARY in the test JVM's environment (pom.xml)");
    ToolRun run = call("import os\ndef f():\n    return dict(os.environ)\n", "f", new JsonObject(),
        Map.of("WEATHER_API_KEY", "tool-secret-1"), LIMITS);
    assertTrue(run.ok(), run::error);
    JsonObject env = new JsonObject(run.returnValue());
    assertEquals("tool-secret-1", env.getString("WEATHER_API_KEY"));
    assertEquals(Set.of("PATH", "HOME", "TMPDIR", "LANG", "WEATHER_API_KEY"), env.fieldNames());
    assertFalse(run.returnValue().contains(canary));
    // nor through /proc: the server is not in the sandbox's PID namespace, and PID 1 there is not readable
    long serverPid = ProcessHandle.current().pid();
    ToolRun proc = call("""
        def f(pid: int):
            found = []
            for path in ('/proc/%d/environ' % pid, '/proc/1/environ', '/proc/self/environ'):
                try:
                    found.append(open(path, 'rb').read().decode('utf-8', 'replace'))
                except OSError as e:
                    found.append(type(e).__name__)
            return found
        """, "f", new JsonObject().put("pid", serverPid));
    assertTrue(proc.ok(), proc::error);
    assertFalse(proc.returnValue().contains(canary), proc.returnValue());
    assertEquals("PermissionError", new JsonArray(proc.returnValue()).getString(1));
  }

  @Test
  void theServersFilesAreOutOfReach() throws Exception {
    Path home = TempHomes.create("engram-sandbox-home-");
    Path secret = Files.writeString(home.resolve("jwt-secret"), "server-secret");
    Path workingDir = Path.of("pom.xml").toAbsolutePath();
    String read = """
        def f(path: str):
            try:
                return open(path).read()
            except OSError as e:
                return type(e).__name__
        """;
    assertEquals("FileNotFoundError", call(read, "f", new JsonObject().put("path", secret.toString())).returnValue());
    assertEquals("FileNotFoundError", call(read, "f", new JsonObject().put("path", workingDir.toString()))
        .returnValue());
    // system files: only the few a Python program needs are there, read-only
    assertEquals("FileNotFoundError", call(read, "f", new JsonObject().put("path", "/etc/passwd")).returnValue());
    assertEquals("FileNotFoundError", call(read, "f", new JsonObject().put("path", "/etc/shadow")).returnValue());
  }

  @Test
  void writesOutsideTheTempDirFailAndTheTempDirIsEmptiedAfterEachCall() throws Exception {
    Path home = TempHomes.create("engram-sandbox-home-");
    String write = """
        def f(path: str):
            try:
                with open(path, 'w') as out:
                    out.write('planted')
                return 'written'
            except OSError as e:
                return type(e).__name__
        """;
    for (String path : List.of(home.resolve("planted").toString(), "/usr/lib/planted", "/planted", "/dev/planted")) {
      ToolRun run = call(write, "f", new JsonObject().put("path", path));
      assertNotEquals("written", run.returnValue(), path);
    }
    assertFalse(Files.exists(home.resolve("planted")));
    assertFalse(Files.exists(Path.of("/usr/lib/planted")));
    assertEquals("written", call(write, "f", new JsonObject().put("path", "/tmp/note")).returnValue());
    // the next call starts clean: no file and no process left by an earlier one
    ToolRun leftover = call("""
        import os, time
        def f():
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
            with open('/dev/shm/note', 'w') as out:
                out.write('left')
            os.makedirs('/tmp/locked/deeper')
            os.chmod('/tmp/locked', 0)
            return 'forked'
        """, "f", new JsonObject());
    assertEquals("forked", leftover.returnValue(), leftover::error);
    for (int i = 0; i < 2 * SandboxSettings.DEFAULT_POOL_SIZE; i++) {
      ToolRun after = call("""
          import os
          def f():
              pids = [p for p in os.listdir('/proc') if p.isdigit()]
              return {'tmp': os.listdir('/tmp'), 'shm': os.listdir('/dev/shm'), 'processes': len(pids)}
          """, "f", new JsonObject());
      // the zygote, the call's supervisor and the tool itself
      assertEquals(new JsonObject().put("tmp", new JsonArray()).put("shm", new JsonArray()).put("processes", 3),
          new JsonObject(after.returnValue()));
    }
  }

  @Test
  void noNetworkUnlessTheToolMayUseIt() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      listener.setSoTimeout(500);
      String connect = """
          import socket
          def f(port: int):
              try:
                  socket.create_connection(('127.0.0.1', port), timeout=2).close()
                  return 'connected'
              except OSError as e:
                  return type(e).__name__
          """;
      JsonObject args = new JsonObject().put("port", listener.getLocalPort());
      ToolRun isolated = call(connect, "f", args, Map.of(), LIMITS);
      assertEquals("ConnectionRefusedError", isolated.returnValue(), isolated::error);
      assertThrows(SocketTimeoutException.class, () -> listener.accept().close());
      ToolRun allowed = call(connect, "f", args, Map.of(), LIMITS.withNetwork(true));
      assertEquals("connected", allowed.returnValue(), allowed::error);
      try (Socket accepted = listener.accept()) {
        assertTrue(accepted.isConnected());
      }
    }
  }

  @Test
  void theServerCannotBeSignalled() throws Exception {
    long serverPid = ProcessHandle.current().pid();
    ToolRun run = call("""
        import os, signal
        def f(pid: int):
            outcomes = []
            for target in (pid, 1, -1):
                try:
                    os.kill(target, signal.SIGKILL)
                    outcomes.append('sent')
                except OSError as e:
                    outcomes.append(type(e).__name__)
            return outcomes
        """, "f", new JsonObject().put("pid", serverPid));
    // kill(-1) takes the tool itself and its supervisor: a killed call, and nothing else
    assertEquals(ToolRun.Status.ERROR, run.status());
    assertEquals(Failure.KILLED, run.failure(), run::error);
    assertTrue(ProcessHandle.current().isAlive());
    assertTrue(call("def f():\n    return 'still here'\n", "f", new JsonObject()).ok());
  }

  @Test
  void theToolRunsUnprivileged() throws Exception {
    ToolRun run = call("""
        import ctypes, os
        def f():
            libc = ctypes.CDLL(None, use_errno=True)
            status = dict(line.split(':\t', 1) for line in open('/proc/self/status').read().splitlines() if ':\t' in line)
            return {
                'uid': os.getuid(),
                'capabilities': status['CapEff'].strip(),
                # a nested user namespace would give it capabilities again
                'unshare_user': libc.unshare(0x10000000),
                # the zygote, which serves the next calls, cannot be traced (nor the server, not in this namespace)
                'ptrace_zygote': libc.ptrace(16, 1, None, None),
            }
        """, "f", new JsonObject());
    assertTrue(run.ok(), run::error);
    JsonObject seen = new JsonObject(run.returnValue());
    assertNotEquals(0, seen.getInteger("uid"));
    assertEquals("0000000000000000", seen.getString("capabilities"));
    assertEquals(-1, seen.getInteger("unshare_user"));
    assertEquals(-1, seen.getInteger("ptrace_zygote"));
    // seen from outside too: every process of the sandboxes is an ordinary user (nobody when the server is root)
    List<ProcessHandle> sandboxProcesses = ProcessHandle.current().descendants()
        .filter(p -> !p.info().command().orElse("").endsWith("java")).toList();
    assertFalse(sandboxProcesses.isEmpty());
    for (ProcessHandle p : sandboxProcesses) {
      String uids = Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status")).stream()
          .filter(line -> line.startsWith("Uid:")).findFirst().orElseThrow();
      assertFalse(uids.matches("Uid:\\s+0\\s.*"), () -> p.info().command() + " runs as root: " + uids);
    }
  }

  @Test
  void aForkBombStopsAtTheProcessLimit() throws Exception {
    ToolRun run = call("import os\ndef f():\n    while True:\n        os.fork()\n", "f", new JsonObject());
    assertEquals(Failure.PROCESS_LIMIT, run.failure(), run::error);
    assertTrue(run.error().contains("limit of " + LIMITS.processes() + " processes"), run.error());
    assertHealthy();
  }

  @Test
  void anEndlessLoopStopsAtTheCpuLimit() throws Exception {
    Limits oneSecond = new Limits(1, 10, 256, 65536, 8, 1000, false);
    long started = System.nanoTime();
    ToolRun run = call("def f():\n    while True:\n        pass\n", "f", new JsonObject(), Map.of(), oneSecond);
    assertEquals(Failure.CPU_LIMIT, run.failure(), run::error);
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) < 5_000);
    assertHealthy();
  }

  @Test
  void aSleepingToolStopsAtTheWallClockLimit() throws Exception {
    Limits oneSecond = new Limits(5, 1, 256, 65536, 8, 1000, false);
    ToolRun run = call("import time\ndef f():\n    time.sleep(30)\n", "f", new JsonObject(), Map.of(), oneSecond);
    assertEquals(Failure.TIMEOUT, run.failure(), run::error);
    assertTrue(run.elapsedMicros() < 5_000_000, () -> run.elapsedMicros() + " µs");
    assertHealthy();
  }

  @Test
  void twoGibibytesDoNotFit() throws Exception {
    ToolRun run = call("def f():\n    return len(bytearray(2 * 1024 ** 3))\n", "f", new JsonObject());
    assertEquals(Failure.MEMORY_LIMIT, run.failure(), run::error);
    assertTrue(run.error().contains("256 MiB"), run.error());
    assertHealthy();
  }

  @Test
  void tenMegabytesOfOutputStopTheCall() throws Exception {
    ToolRun run = call("def f():\n    print('x' * 10_000_000)\n", "f", new JsonObject());
    assertEquals(Failure.OUTPUT_LIMIT, run.failure(), run::error);
    assertEquals(LIMITS.outputBytes(), run.stdout().length());
    assertHealthy();
  }

  @Test
  void aToolThatKillsItsSupervisorIsAFailedCall() throws Exception {
    ToolRun run = call("import os\ndef f():\n    os.kill(os.getppid(), 9)\n    return 'x'\n", "f", new JsonObject());
    assertEquals(Failure.KILLED, run.failure());
    assertHealthy();
  }

  @Test
  void aSandboxKilledFromOutsideIsReplaced() throws Exception {
    assertHealthy();
    List<ProcessHandle> sandboxes = ProcessHandle.current().children()
        .filter(p -> p.info().command().map(c -> c.endsWith("bwrap") || c.endsWith("setpriv")).orElse(false))
        .toList();
    assertFalse(sandboxes.isEmpty(), "the idle sandboxes are children of the server");
    for (ProcessHandle p : sandboxes) {
      p.destroyForcibly();
      p.onExit().get(10, TimeUnit.SECONDS);
    }
    assertHealthy();
  }

  @Test
  void fiftyConcurrentCallsAreAllAnswered() throws Exception {
    String echo = "def echo(n: int):\n    return n\n";
    List<Future<ToolRun>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      calls.add(sandbox.run(new ToolCode(echo), "echo", new JsonObject().put("n", i), Map.of(), LIMITS));
    }
    for (int i = 0; i < 50; i++) {
      ToolRun run = await(calls.get(i));
      assertTrue(run.ok(), run::error);
      assertEquals(Integer.toString(i), run.returnValue());
    }
  }

  @Test
  void callsBeyondTheQueueAreTurnedAwayAsBusy() throws Exception {
    ToolSandbox small = ToolSandbox.create(vertx, new SandboxSettings(null, 1, 0, LIMITS));
    try {
      Future<ToolRun> first = small.run(new ToolCode("import time\ndef f():\n    time.sleep(0.5)\n    return 1\n"),
          "f", new JsonObject(), Map.of(), LIMITS);
      ToolRun second = await(small.run(new ToolCode("def f():\n    return 2\n"), "f", new JsonObject(), Map.of(),
          LIMITS));
      assertEquals(Failure.BUSY, second.failure());
      assertTrue(await(first).ok());
    } finally {
      await(small.stop());
    }
  }

  @Test
  void withoutItsProgramsTheSandboxSaysWhatToInstall() throws Exception {
    ToolSandbox noBwrap = ToolSandbox.create(vertx, SandboxSettings.standard(), List.of());
    try {
      assertTrue(noBwrap.unavailableReason().contains("apt-get install bubblewrap"), noBwrap.unavailableReason());
      await(noBwrap.start());  // the server starts anyway
      ToolRun run = await(noBwrap.run(new ToolCode("def f():\n    return 1\n"), "f", new JsonObject(), Map.of(),
          LIMITS));
      assertEquals(Failure.UNAVAILABLE, run.failure());
      assertTrue(run.error().contains("bubblewrap"), run.error());
      var schema = assertThrows(ExecutionException.class,
          () -> await(noBwrap.schemaOf("def f():\n    pass\n")));
      var api = assertInstanceOf(ApiException.class, schema.getCause());
      assertEquals(503, api.status());
      assertTrue(api.getMessage().contains("apt-get install bubblewrap"), api.getMessage());
    } finally {
      await(noBwrap.stop());
    }
    ToolSandbox noPython = ToolSandbox.create(vertx, new SandboxSettings("/nonexistent/python3", 1, 10, LIMITS));
    try {
      ToolRun run = await(noPython.run(new ToolCode("def f():\n    return 1\n"), "f", new JsonObject(), Map.of(),
          LIMITS));
      assertEquals(Failure.UNAVAILABLE, run.failure());
      assertTrue(run.error().contains("TOOL_PYTHON"), run.error());
    } finally {
      await(noPython.stop());
    }
  }

  private static void assertHealthy() throws Exception {
    ToolRun run = call("def f(x: int):\n    return x + 1\n", "f", new JsonObject().put("x", 41));
    assertEquals("42", run.returnValue(), run::error);
  }

  private static ToolRun call(String source, String function, JsonObject args) throws Exception {
    return call(source, function, args, Map.of(), LIMITS);
  }

  private static ToolRun call(String source, String function, JsonObject args, Map<String, String> env,
      Limits limits) throws Exception {
    return await(sandbox.run(new ToolCode(source), function, args, env, limits));
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
