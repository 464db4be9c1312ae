package dev.engram.testkit;

import io.vertx.core.json.JsonObject;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A WebSocket listener that collects whole text frames as JSON objects, in order. */
public final class SocketFrames implements WebSocket.Listener {
  private final BlockingQueue<Object> frames = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      frames.add(partial.toString());
      partial.setLength(0);
    }
    ws.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
    frames.add(new IllegalStateException("closed by the server: " + statusCode + " " + reason));
    return null;
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    frames.add(error);
  }

  /** The next frame; fails if none comes within 10 s or the socket closed or failed. */
  public JsonObject next() throws InterruptedException {
    Object frame = frames.poll(10, TimeUnit.SECONDS);
    if (frame == null) {
      throw new AssertionError("no frame within 10 s");
    }
    if (frame instanceof Throwable t) {
      throw new AssertionError("socket failed", t);
    }
    return new JsonObject((String) frame);
  }
}
