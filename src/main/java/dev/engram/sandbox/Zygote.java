package dev.engram.sandbox;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One warm sandboxed Python process that serves one call at a time (see zygote.py for the protocol). Its methods
 * block: they run on the sandbox's worker threads. A zygote that misbehaves in any way (ends, answers out of turn,
 * answers garbage, takes longer than the call's limit plus a grace) is killed and replaced, never reused.
 */
final class Zygote implements AutoCloseable {
  /** How long a zygote may take to start: bwrap, the interpreter and its imports take about 50 ms. */
  static final long START_TIMEOUT_MS = 10_000;

  final boolean network;
  private final Process process;
  private final OutputStream toZygote;
  private final BufferedReader fromZygote;
  private long calls;

  private Zygote(boolean network, Process process) {
    this.network = network;
    this.process = process;
    this.toZygote = process.getOutputStream();
    this.fromZygote = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII),
        1 << 16);
  }

  /** Starts a zygote and waits for its first "ready"; {@code killer} arms the start's timeout. */
  static Zygote start(List<String> command, boolean network, Killer killer) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(new File("/"));
    builder.environment().clear();  // the server's variables (its secrets) never reach the sandbox
    Zygote zygote = new Zygote(network, builder.start());
    Runnable disarm = killer.after(START_TIMEOUT_MS, zygote::kill);
    try {
      JsonObject first = zygote.readFrame();
      if (first == null || !"ready".equals(first.getString("kind"))) {
        throw new IOException("the tool sandbox did not start: " + zygote.failureOutput());
      }
      return zygote;
    } catch (IOException e) {
      zygote.kill();
      throw e.getMessage() != null && e.getMessage().startsWith("the tool sandbox did not start")
          ? e : new IOException("the tool sandbox did not start: " + zygote.failureOutput(), e);
    } finally {
      disarm.run();
    }
  }

  /**
   * Runs one call and returns its result frame. Throws when the zygote broke down; it is then dead and the caller
   * replaces it.
   */
  JsonObject call(JsonObject body, int wallSeconds) throws IOException {
    long id = ++calls;
    String header = new JsonObject().put("id", id).put("wall", wallSeconds).encode();
    toZygote.write((header + "\n" + body.encode() + "\n").getBytes(StandardCharsets.UTF_8));
    toZygote.flush();
    JsonObject result = null;
    while (true) {
      JsonObject frame = readFrame();
      if (frame == null) {
        throw new IOException("the sandbox process ended during the call");
      }
      Long frameId = frame.getLong("id");
      if (frameId == null || frameId != id) {
        throw new IOException("the sandbox answered out of turn");
      }
      if ("ready".equals(frame.getString("kind"))) {
        if (result == null) {
          throw new IOException("the sandbox gave no result");
        }
        return result;
      }
      if (result == null && "result".equals(frame.getString("kind"))) {
        result = frame;
      }
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Kills the whole sandbox: the outer bwrap's death takes the rest with it (--die-with-parent, PID namespace). */
  void kill() {
    process.destroyForcibly();
  }

  @Override
  public void close() {
    try {
      toZygote.close();  // end of input: the zygote exits by itself
    } catch (IOException ignored) {
      // already gone
    }
    kill();
  }

  private JsonObject readFrame() throws IOException {
    String line = fromZygote.readLine();
    if (line == null) {
      return null;
    }
    try {
      return new JsonObject(line);
    } catch (DecodeException e) {
      throw new IOException("the sandbox answered something that is not a frame");
    }
  }

  /** What the dead process said on stderr (bwrap's or Python's reason), for the start's error message. */
  private String failureOutput() {
    try {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
      String err = new String(process.getErrorStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
      return err.isEmpty() ? "it exited with status " + process.exitValue() : err;
    } catch (IOException | InterruptedException | IllegalThreadStateException e) {
      return "no reason given";
    }
  }

  /** Arms a kill after a delay; the returned action disarms it. */
  interface Killer {
    Runnable after(long delayMs, Runnable kill);
  }
}
