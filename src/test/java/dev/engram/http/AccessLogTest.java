package dev.engram.http;

import static org.junit.jupiter.api.Assertions.*;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import dev.engram.testkit.Api;
import dev.engram.testkit.ScriptedLlm.Step;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The request id: answered in X-Request-Id (the caller's when sane), on the request's access-log line, and on the log
 * lines of the agent step it started, on another verticle. The server's log is captured with the pattern of
 * logback.xml's {@code %trace}.
 */
class AccessLogTest {
  private static final Pattern GENERATED = Pattern.compile("[0-9a-f]{32}");

  private final TestServer server = TestServer.shared();
  private final Api api = server.api;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private OutputStreamAppender<ILoggingEvent> appender;
  private Level accessLevel;
  private Level runLevel;

  @BeforeEach
  void capture() {
    LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(logging);
    encoder.setPattern("%logger%trace - %msg%n");
    encoder.start();
    appender = new OutputStreamAppender<>();
    appender.setContext(logging);
    appender.setEncoder(encoder);
    appender.setOutputStream(captured);
    appender.start();
    logging.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    // the test JVM keeps the access log quiet (pom.xml); the run's start is logged at DEBUG
    Logger access = logging.getLogger("dev.engram.access");
    accessLevel = access.getLevel();
    access.setLevel(Level.INFO);
    Logger runs = logging.getLogger("dev.engram.agent.RunService");
    runLevel = runs.getLevel();
    runs.setLevel(Level.DEBUG);
    TestServer.llm().reset();
  }

  @AfterEach
  void release() {
    LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    logging.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
    appender.stop();
    logging.getLogger("dev.engram.access").setLevel(accessLevel);
    logging.getLogger("dev.engram.agent.RunService").setLevel(runLevel);
  }

  @Test
  @DisplayName("a sane X-Request-Id comes back and is on the request's one log line with its route template")
  void requestIdRoundTrip() throws Exception {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "access-log-agent");
    Api.Response r = RawHttp.send(api, "GET", "/api/agents/" + agentId + "/config", null,
        "Authorization", "Bearer " + key, "X-Request-Id", "client-req-42");
    assertEquals(200, r.status(), r.body());
    assertEquals("client-req-42", r.headers().firstValue("X-Request-Id").orElse(null));
    String line = awaitLine("dev.engram.access [request_id=client-req-42] - GET /api/agents/:agent_id/config 200 ");
    assertFalse(line.contains(agentId), line);
    assertTrue(line.matches(".* 200 [0-9.]+ms"), line);
  }

  @Test
  @DisplayName("no X-Request-Id, or one that is not sane (too long, spaces), gets a new one; an error is logged too")
  void newIds() throws Exception {
    Api.Response none = RawHttp.send(api, "GET", "/health/live", null);
    String fresh = none.headers().firstValue("X-Request-Id").orElse("");
    assertTrue(GENERATED.matcher(fresh).matches(), fresh);
    for (String bad : new String[] {"x".repeat(129), "two words", "quote\"d"}) {
      Api.Response r = RawHttp.send(api, "GET", "/health/live", null, "X-Request-Id", bad);
      String answered = r.headers().firstValue("X-Request-Id").orElse("");
      assertTrue(GENERATED.matcher(answered).matches(), bad + " -> " + answered);
    }
    // a failure goes through the failure handler: still its route template, never the raw path
    Api.Response unauthorized = RawHttp.send(api, "GET", "/api/agents/" + java.util.UUID.randomUUID() + "/config",
        null, "X-Request-Id", "no-credentials-1");
    assertEquals(401, unauthorized.status());
    awaitLine("dev.engram.access [request_id=no-credentials-1] - GET /api/agents/:agent_id/config 401 ");
  }

  @Test
  @DisplayName("the request id reaches the agent verticle: the step's log lines carry it with the run id, and the"
      + " request's line names the run")
  void stepCarriesTheRequestId() throws Exception {
    String key = api.newUser().getString("api_key");
    String agentId = api.newAgent(key, "traced-agent");
    TestServer.llm().enqueue(Step.sendMessage("tracing", "Traced."));
    Api.Response r = RawHttp.send(api, "POST", "/api/agents/" + agentId + "/messages",
        new JsonObject().put("message", "trace me").put("stream", false).put("role", "user").encode(),
        "Authorization", "Bearer " + key, "Content-Type", "application/json", "X-Request-Id", "step-req-7");
    assertEquals(200, r.status(), r.body());
    String start = awaitLine("dev.engram.agent.RunService [request_id=step-req-7 run_id=");
    Matcher run = Pattern.compile("run_id=([0-9a-f-]{36})] - run \\1 of agent " + agentId + " starts").matcher(start);
    assertTrue(run.find(), start);
    awaitLine("dev.engram.access [request_id=step-req-7 run_id=" + run.group(1)
        + "] - POST /api/agents/:agent_id/messages 200 ");
  }

  /** The first captured line containing {@code text}, waiting a little: lines are written as responses end. */
  private String awaitLine(String text) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      String log;
      synchronized (captured) {
        log = captured.toString(StandardCharsets.UTF_8);
      }
      var found = log.lines().filter(l -> l.contains(text)).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      if (System.nanoTime() > deadline) {
        fail("no log line with \"" + text + "\" in:\n" + log);
      }
      Thread.sleep(20);
    }
  }
}
