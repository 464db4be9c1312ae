package dev.engram.testkit;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a Server-Sent Events response frame by frame, as the Letta SDK parses it: {@code id:}, {@code event:} and
 * {@code data:} fields of each event, comments skipped. It can stop reading after a number of events and close the
 * connection, as a client that lost it would.
 */
public final class SseStream {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** One event; {@code id} and {@code event} null when absent, {@code data} null for an id-only event. */
  public record Event(String id, String event, String data) {
    public JsonObject json() {
      return new JsonObject(data);
    }

    /** The message_type of a JSON event, or the raw data ({@code [DONE]}). */
    public String type() {
      return data != null && data.startsWith("{") ? json().getString("message_type") : data;
    }
  }

  /**
   * What was read: the status, the events (for a non-2xx status, none, and {@code body} holds the answer), and
   * whether the server ended the response (false when the reader stopped first).
   */
  public record Result(int status, String contentType, List<Event> events, boolean endedByServer, String body) {
    public List<Event> withData() {
      return events.stream().filter(e -> e.data() != null).toList();
    }

    public List<String> types() {
      return withData().stream().map(Event::type).toList();
    }
  }

  private SseStream() {}

  /**
   * An open GET stream, read event by event. {@link #open} returns once the response's head has arrived (the server
   * has taken the subscription); {@link #next} blocks for the next event with data.
   */
  public static final class Open implements AutoCloseable {
    private final HttpResponse<InputStream> response;
    private final BufferedReader reader;

    private Open(HttpResponse<InputStream> response) {
      this.response = response;
      this.reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    }

    public int status() {
      return response.statusCode();
    }

    public String contentType() {
      return response.headers().firstValue("content-type").orElse("");
    }

    /** The next event with data, or null when the server ended the stream. */
    public Event next() throws IOException {
      String event = null;
      StringBuilder data = null;
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isEmpty()) {
          if (data != null) {
            return new Event(null, event, data.toString());
          }
          event = null;
        } else if (line.startsWith("event:")) {
          event = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          String value = line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5);
          data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        }
      }
      return null;
    }

    /** The rest of a non-stream answer (an error's JSON). */
    public String body() throws IOException {
      StringBuilder all = new StringBuilder();
      reader.lines().forEach(all::append);
      return all.toString();
    }

    @Override
    public void close() {
      try {
        reader.close();
      } catch (IOException e) {
        // the connection is going anyway
      }
    }
  }

  /** GETs {@code path} and returns the stream once its head has arrived. */
  public static Open open(String base, String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .header("accept", "text/event-stream").GET();
    if (token != null) {
      b.header("authorization", "Bearer " + token);
    }
    try {
      return new Open(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** POSTs {@code body} and reads the whole stream. */
  public static Result post(String base, String path, String token, JsonObject body, Map<String, String> headers) {
    return post(base, path, token, body, headers, Integer.MAX_VALUE);
  }

  /** POSTs {@code body} and reads until {@code stopAfter} events with data came, then drops the connection. */
  public static Result post(String base, String path, String token, JsonObject body, Map<String, String> headers,
      int stopAfter) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .header("accept", "application/json").header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body.encode()));
    if (token != null) {
      b.header("authorization", "Bearer " + token);
    }
    headers.forEach(b::header);
    try {
      HttpResponse<InputStream> resp = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      String type = resp.headers().firstValue("content-type").orElse("");
      try (InputStream in = resp.body();
          BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        if (!type.startsWith("text/event-stream")) {
          StringBuilder all = new StringBuilder();
          reader.lines().forEach(all::append);
          return new Result(resp.statusCode(), type, List.of(), true, all.toString());
        }
        List<Event> events = new ArrayList<>();
        String id = null;
        String event = null;
        StringBuilder data = null;
        int withData = 0;
        try {
          String line;
          while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
              if (id != null || event != null || data != null) {
                events.add(new Event(id, event, data == null ? null : data.toString()));
                withData += data == null ? 0 : 1;
                if (withData >= stopAfter) {
                  return new Result(resp.statusCode(), type, events, false, null);
                }
              }
              id = null;
              event = null;
              data = null;
            } else if (line.startsWith(":")) {
              continue;
            } else if (line.startsWith("id:")) {
              id = line.substring(3).strip();
            } else if (line.startsWith("event:")) {
              event = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
              String value = line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5);
              data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
          }
        } catch (IOException lost) {
          // the server went away mid-stream (a killed node): the events before are what the client had
          return new Result(resp.statusCode(), type, events, false, "connection lost: " + lost.getMessage());
        }
        return new Result(resp.statusCode(), type, events, true, null);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
