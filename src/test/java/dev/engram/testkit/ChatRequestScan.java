package dev.engram.testkit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * What the scripted LLM needs from a chat-completions request to answer it (model, streaming, whether usage is
 * wanted, and the prompt's text length for its usage figures), read in one streaming pass without building a JSON tree,
 * so that a benchmark's stand-in model costs little next to the server it drives. Also checks that the body is JSON.
 */
record ChatRequestScan(String model, boolean stream, boolean includeUsage, int promptChars) {
  private static final JsonFactory JSON = new JsonFactory();

  /** Scans a request body; throws {@link IllegalArgumentException} when it is not a JSON object. */
  static ChatRequestScan of(byte[] body) {
    try (JsonParser p = JSON.createParser(body)) {
      Strings strings = new Strings(body);
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a JSON object");
      }
      String model = null;
      boolean stream = false;
      boolean includeUsage = false;
      int chars = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "model" -> model = value == JsonToken.VALUE_STRING ? p.getText() : model;
          case "stream" -> stream = value == JsonToken.VALUE_TRUE;
          case "stream_options" -> includeUsage = value == JsonToken.START_OBJECT && includeUsage(p);
          case "messages" -> chars = value == JsonToken.START_ARRAY ? messagesChars(p, strings) : skip(p);
          default -> skip(p);
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new IllegalArgumentException("not a JSON object");
      }
      return new ChatRequestScan(model, stream, includeUsage, chars);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
  }

  /** Characters of every message's text content and of its tool calls' arguments; the parser is on '['. */
  private static int messagesChars(JsonParser p, Strings strings) throws IOException {
    int chars = 0;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.START_OBJECT) {
        skip(p);
        continue;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("content") && value == JsonToken.VALUE_STRING) {
          chars += strings.length(p);
        } else if (field.equals("content") && value == JsonToken.START_ARRAY) {
          chars += fieldChars(p, strings, "text", null);
        } else if (field.equals("tool_calls") && value == JsonToken.START_ARRAY) {
          chars += fieldChars(p, strings, "arguments", "function");
        } else {
          skip(p);
        }
      }
    }
    return chars;
  }

  /**
   * Sum of the lengths of the string fields {@code name} of the objects in the array the parser is on, or of their
   * {@code via} objects' fields {@code name} when {@code via} is not null.
   */
  private static int fieldChars(JsonParser p, Strings strings, String name, String via) throws IOException {
    int chars = 0;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t == JsonToken.START_OBJECT) {
        chars += objectFieldChars(p, strings, via == null ? name : via, via == null ? null : name);
      } else {
        skip(p);
      }
    }
    return chars;
  }

  /** In the object the parser is on: the length of string field {@code field}, or of {@code field.inner}. */
  private static int objectFieldChars(JsonParser p, Strings strings, String field, String inner)
      throws IOException {
    int chars = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      boolean match = p.currentName().equals(field);
      JsonToken value = p.nextToken();
      if (match && inner == null && value == JsonToken.VALUE_STRING) {
        chars += strings.length(p);
      } else if (match && inner != null && value == JsonToken.START_OBJECT) {
        chars += objectFieldChars(p, strings, inner, null);
      } else {
        skip(p);
      }
    }
    return chars;
  }

  private static boolean includeUsage(JsonParser p) throws IOException {
    boolean include = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (field.equals("include_usage")) {
        include = value == JsonToken.VALUE_TRUE;
      }
      skip(p);
    }
    return include;
  }

  /**
   * Lengths (in UTF-16 chars, as {@link String#length()}) of string values counted straight from the body's bytes, so
   * that the parser only skips them instead of decoding each prompt text into a buffer.
   */
  private record Strings(byte[] body) {
    /** The length of the string value the parser is on. */
    int length(JsonParser p) {
      int i = (int) p.currentTokenLocation().getByteOffset() + 1; // after the opening quote
      int chars = 0;
      while (body[i] != '"') {
        int b = body[i] & 0xff;
        if (b == '\\') {
          i += body[i + 1] == 'u' ? 6 : 2;
          chars++;
        } else {
          // a UTF-8 sequence's lead byte tells its length; four-byte ones are surrogate pairs in UTF-16
          int len = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
          i += len;
          chars += len == 4 ? 2 : 1;
        }
      }
      return chars;
    }
  }

  /** Skips the value the parser is on (a scalar, or a whole object or array). */
  private static int skip(JsonParser p) throws IOException {
    p.skipChildren();
    return 0;
  }
}
