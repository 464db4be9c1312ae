package dev.engram.http.api;

import dev.engram.http.RouteTable;
import dev.engram.observe.EngramMetrics;

import dev.engram.agent.AgentClient;
import dev.engram.agent.AgentProtocol.RunFinished;
import dev.engram.agent.AgentProtocol.Step;
import dev.engram.model.RunRequest;
import dev.engram.model.StepDelta;
import dev.engram.model.StepEvent;
import dev.engram.http.Bodies;
import dev.engram.http.Authenticator;
import dev.engram.http.InputRules;
import dev.engram.http.RunRelay;
import dev.engram.http.SlowClientGuard;
import dev.engram.kernel.ApiException;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * GET /api/agents/{id}/ws: each text frame {@code {"message": ..., "role"?, "stream_tokens"?}} starts a send; every
 * event comes back as one JSON text frame, then {@code {"done": true, "usage": {...}}}, or
 * {@code {"error": ..., "status": n}}. With {@code "stream_tokens": true} the model's tokens come first as
 * {@code {"delta": kind, "text": ..., "id": message id, "name"?: tool}} frames (previews: the whole event with the same
 * {@code id} follows once the step is stored). Sends on one socket queue behind each other like any sends to the agent.
 */
public final class AgentSocket {
  private static final String FRAMES_ARE_JSON = "frames must be JSON objects like {\"message\": \"...\"} in text"
      + " messages";

  private final AgentClient agents;
  private final Authenticator auth;

  public AgentSocket(AgentClient agents, Authenticator auth) {
    this.agents = agents;
    this.auth = auth;
  }

  public void mount(RouteTable router) {
    router.get("/api/agents/:agent_id/ws").handler(this::upgrade);
  }

  private void upgrade(RoutingContext ctx) {
    String agentId = ctx.pathParam("agent_id");
    if (!"websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
      ctx.fail(ApiException.badRequest("This route is a WebSocket: connect with an Upgrade: websocket handshake"));
      return;
    }
    // the handshake completes after asynchronous checks: hold the request so that it is not consumed (ended) before
    // toWebSocket(), which refuses a request that has already been read
    ctx.request().pause();
    auth.webSocketUser(ctx)
        .compose(user -> agents.get(user, agentId).map(view -> user))
        .onFailure(ctx::fail)
        .onSuccess(user -> ctx.request().toWebSocket()
            .onSuccess(ws -> serve(ctx, ws, user, agentId))
            .onFailure(ctx::fail));
  }

  private void serve(RoutingContext ctx, ServerWebSocket ws, String user, String agentId) {
    Set<RunRelay> running = new HashSet<>();
    SlowClientGuard guard = new SlowClientGuard();
    var open = EngramMetrics.of(ctx.vertx()).webSockets();
    open.incrementAndGet();
    ws.closeHandler(v -> {
      open.decrementAndGet();
      running.forEach(RunRelay::detach);
    });
    // a binary message is answered, not dropped: a client waiting for the answer to its send would wait forever
    ws.binaryMessageHandler(data -> send(ws, guard, new JsonObject().put("error", FRAMES_ARE_JSON + " (this one was"
        + " a binary message)").put("status", 400)));
    ws.textMessageHandler(text -> {
      Step step;
      try {
        JsonObject frame = new JsonObject(text);
        InputRules.requireText(frame, "the frame");
        step = MessageRoutes.parseStep(frame, user, agentId);
        if (Bodies.optionalBoolean(frame, "stream_tokens", false)) {
          RunRequest plain = step.request();
          step = new Step(step.runId(), user, agentId, new RunRequest(plain.inputs(), 0, true, false, null), null,
              false);
        }
      } catch (ApiException e) {
        send(ws, guard, new JsonObject().put("error", e.getMessage()).put("status", e.status()));
        return;
      } catch (RuntimeException e) {
        send(ws, guard, new JsonObject().put("error", FRAMES_ARE_JSON).put("status", 400));
        return;
      }
      RunRelay[] holder = new RunRelay[1];
      holder[0] = RunRelay.start(ctx.vertx(), agents, step, new RunRelay.Sink() {
        @Override
        public void started(String runId) {}

        @Override
        public void deltas(List<StepDelta> deltas) {
          deltas.forEach(d -> send(ws, guard, delta(d)));
        }

        @Override
        public void events(List<StepEvent> events) {
          events.forEach(e -> send(ws, guard, ApiEvents.toJson(e)));
        }

        @Override
        public void done(RunFinished end) {
          running.remove(holder[0]);
          send(ws, guard, new JsonObject().put("done", true)
              .put("usage", Views.usage(end.usage(), end.stepCount())));
        }

        @Override
        public void failed(ApiException error) {
          running.remove(holder[0]);
          send(ws, guard, new JsonObject().put("error", error.getMessage()).put("status", error.status()));
        }
      });
      running.add(holder[0]);
    });
  }

  private static JsonObject delta(StepDelta d) {
    JsonObject json = new JsonObject().put("delta", d.kind()).put("text", d.text()).put("id", d.messageId());
    return d.callName() == null ? json : json.put("name", d.callName());
  }

  /** Writes one frame; a client that stops reading is disconnected (its runs go on and are stored). */
  private static void send(ServerWebSocket ws, SlowClientGuard guard, JsonObject frame) {
    if (ws.isClosed()) {
      return;
    }
    String text = frame.encode();
    if (!guard.write(text.length(), () -> ws.writeTextMessage(text))) {
      ws.close((short) 1008, "client too slow: it stopped reading");
    }
  }
}
