package dev.engram.testkit;

import java.nio.charset.StandardCharsets;

/**
 * What the scripted LLM needs from a chat-completions request to answer it (model, streaming, whether usage is
 * wanted, and the prompt's text length for its usage figures), read in one pass over the bytes without building any
 * JSON tree or string, so that a benchmark's stand-in model costs little next to the server it drives. Also checks that
 * the body is one well-formed JSON object.
 */
record ChatRequestScan(String model, boolean stream, boolean includeUsage, int promptChars) {

  /** Scans a request body; throws {@link IllegalArgumentException} when it is not a JSON object. */
  static ChatRequestScan of(byte[] body) {
    return new Reader(body).request();
  }

  /** A minimal JSON reader over UTF-8 bytes that measures strings instead of decoding them. */
  private static final class Reader {
    private final byte[] b;
    private int pos;
    private String model;
    private boolean stream;
    private boolean includeUsage;
    private int chars;

    Reader(byte[] bytes) {
      this.b = bytes;
    }

    ChatRequestScan request() {
      try {
        object(Reader::topField);
        skipSpace();
        if (pos != b.length) {
          throw bad();
        }
        return new ChatRequestScan(model, stream, includeUsage, chars);
      } catch (ArrayIndexOutOfBoundsException e) {
        throw bad();
      }
    }

    private interface FieldReader {
      void read(Reader r, String field);
    }

    private void topField(String field) {
      switch (field) {
        case "model" -> model = peek() == '"' ? stringValue() : skipValue();
        case "stream" -> stream = literalTrue();
        case "stream_options" -> optionsOrSkip();
        case "messages" -> arrayOrSkip(r -> r.objectOrSkip(Reader::messageField));
        default -> skipValue();
      }
    }

    private void messageField(String field) {
      if (field.equals("content") && peek() == '"') {
        chars += stringLength();
      } else if (field.equals("content")) {
        arrayOrSkip(r -> r.objectOrSkip((x, f) -> x.lengthOf(f, "text")));
      } else if (field.equals("tool_calls")) {
        arrayOrSkip(r -> r.objectOrSkip((x, f) -> {
          if (f.equals("function")) {
            x.objectOrSkip((y, g) -> y.lengthOf(g, "arguments"));
          } else {
            x.skipValue();
          }
        }));
      } else {
        skipValue();
      }
    }

    private void optionsOrSkip() {
      objectOrSkip((r, f) -> {
        if (f.equals("include_usage")) {
          r.includeUsage = r.literalTrue();
        } else {
          r.skipValue();
        }
      });
    }

    /** Adds the length of the field's value when it is the string field {@code wanted}; skips it otherwise. */
    private void lengthOf(String field, String wanted) {
      if (field.equals(wanted) && peek() == '"') {
        chars += stringLength();
      } else {
        skipValue();
      }
    }

    private boolean literalTrue() {
      boolean isTrue = peek() == 't';
      skipValue();
      return isTrue;
    }

    private void objectOrSkip(FieldReader fields) {
      if (peek() == '{') {
        object(fields);
      } else {
        skipValue();
      }
    }

    private void object(FieldReader fields) {
      expect('{');
      if (peek() == '}') {
        pos++;
        return;
      }
      do {
        skipSpace();
        String field = stringValue();
        expect(':');
        skipSpace();
        fields.read(this, field);
      } while (next(',', '}'));
    }

    private void arrayOrSkip(java.util.function.Consumer<Reader> item) {
      if (peek() != '[') {
        skipValue();
        return;
      }
      pos++;
      if (peek() == ']') {
        pos++;
        return;
      }
      do {
        skipSpace();
        item.accept(this);
      } while (next(',', ']'));
    }

    private String skipValue() {
      byte c = peek();
      if (c == '{') {
        object((r, f) -> r.skipValue());
      } else if (c == '[') {
        arrayOrSkip(Reader::skipValue);
      } else if (c == '"') {
        stringLength();
      } else {
        int start = pos;
        while (pos < b.length && (Character.isLetterOrDigit(b[pos]) || "+-.".indexOf(b[pos]) >= 0)) {
          pos++;
        }
        if (pos == start) {
          throw bad();
        }
      }
      return null;
    }

    /** Reads a string; for keys and short values only. */
    private String stringValue() {
      int start = pos + 1;
      stringLength();
      return new String(b, start, pos - 1 - start, StandardCharsets.UTF_8);
    }

    /** Skips a string, answering its length in UTF-16 units as Java would count the decoded text. */
    private int stringLength() {
      expect('"');
      int n = 0;
      while (true) {
        int c = b[pos++] & 0xff;
        if (c == '"') {
          return n;
        } else if (c == '\\') {
          pos += b[pos] == 'u' ? 5 : 1;
          n++;
        } else if (c < 0x80 || c >= 0xc0) {
          n += c >= 0xf0 ? 2 : 1;
        }
      }
    }

    private boolean next(char more, char end) {
      skipSpace();
      byte c = b[pos++];
      if (c == more) {
        return true;
      }
      if (c == end) {
        return false;
      }
      throw bad();
    }

    private void expect(char c) {
      skipSpace();
      if (b[pos++] != c) {
        throw bad();
      }
    }

    private byte peek() {
      skipSpace();
      return b[pos];
    }

    private void skipSpace() {
      while (pos < b.length && (b[pos] == ' ' || b[pos] == '\n' || b[pos] == '\r' || b[pos] == '\t')) {
        pos++;
      }
    }

    private IllegalArgumentException bad() {
      return new IllegalArgumentException("not a JSON object (at byte " + pos + ")");
    }
  }
}
