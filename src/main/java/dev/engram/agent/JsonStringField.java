package dev.engram.agent;

/**
 * Reads one string field of a JSON object while the object arrives in fragments, and gives back the field's decoded
 * text piece by piece: how the message that send_message carries is relayed while the model is still writing its
 * arguments. Only the first top-level occurrence counts; nested objects, other fields and a value that is not a string
 * give nothing. Escapes ({@code \n}, {@code \"}, {@code \u00e9}...) may be cut anywhere between fragments; a surrogate
 * pair is never split between two pieces.
 */
final class JsonStringField {
  private final String key;
  private int depth;
  private boolean inString;
  private boolean escape;
  private int hexLeft;
  private int hexValue;
  /** At depth 1: whether the next string is a key (after '{' or ',') or a value (after ':'). */
  private boolean expectKey;
  private boolean readingKey;
  private final StringBuilder keyText = new StringBuilder();
  private String lastKey;
  private boolean emitting;
  private boolean done;
  private char heldHigh;

  JsonStringField(String key) {
    this.key = key;
  }

  /** The next piece of the field's text found in {@code fragment} (empty when none). */
  String feed(String fragment) {
    if (fragment == null || done) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < fragment.length(); i++) {
      char c = fragment.charAt(i);
      if (inString) {
        inString(c, out);
      } else {
        outside(c);
      }
      if (done) {
        break;
      }
    }
    return out.toString();
  }

  private void inString(char c, StringBuilder out) {
    if (hexLeft > 0) {
      hexValue = hexValue * 16 + Character.digit(c, 16);
      if (--hexLeft == 0) {
        append((char) hexValue, out);
      }
    } else if (escape) {
      escape = false;
      switch (c) {
        case 'n' -> append('\n', out);
        case 't' -> append('\t', out);
        case 'r' -> append('\r', out);
        case 'b' -> append('\b', out);
        case 'f' -> append('\f', out);
        case 'u' -> {
          hexLeft = 4;
          hexValue = 0;
        }
        default -> append(c, out);
      }
    } else if (c == '\\') {
      escape = true;
    } else if (c == '"') {
      inString = false;
      if (readingKey) {
        readingKey = false;
        lastKey = keyText.toString();
      } else if (emitting) {
        emitting = false;
        done = true;
      }
    } else {
      append(c, out);
    }
  }

  private void outside(char c) {
    switch (c) {
      case '"' -> {
        inString = true;
        if (depth == 1 && expectKey) {
          readingKey = true;
          keyText.setLength(0);
        } else if (depth == 1 && key.equals(lastKey)) {
          emitting = true;
        }
      }
      case '{', '[' -> {
        depth++;
        expectKey = depth == 1 && c == '{';
      }
      case '}', ']' -> depth--;
      case ':' -> {
        if (depth == 1) {
          expectKey = false;
        }
      }
      case ',' -> {
        if (depth == 1) {
          expectKey = true;
          lastKey = null;
        }
      }
      default -> { }
    }
  }

  private void append(char c, StringBuilder out) {
    if (readingKey) {
      keyText.append(c);
      return;
    }
    if (!emitting) {
      return;
    }
    if (Character.isHighSurrogate(c)) {
      heldHigh = c;
      return;
    }
    if (heldHigh != 0) {
      out.append(heldHigh);
      heldHigh = 0;
    }
    out.append(c);
  }
}
