package dev.engram.memory;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;

/**
 * Reads the JSON object a model was asked for out of its answer: reasoning in {@code <think>} tags and Markdown
 * code fences are removed, and when the rest is not JSON the text from the first '{' to the last '}' is tried. An
 * answer without a usable object is an upstream failure (502), never silently an empty result.
 */
final class LlmJson {
  private static final Pattern THINK = Pattern.compile("(?s)<think>.*?</think>");
  private static final Pattern FENCE = Pattern.compile("(?s)^\\s*```[a-zA-Z]*\\s*(.*?)\\s*```\\s*$");

  private LlmJson() {}

  static JsonObject object(String answer, String what) {
    if (answer == null || answer.isBlank()) {
      throw malformed(what, "it was empty");
    }
    String text = THINK.matcher(answer).replaceAll("").strip();
    var fenced = FENCE.matcher(text);
    if (fenced.matches()) {
      text = fenced.group(1);
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException | ClassCastException notWhole) {
      int start = text.indexOf('{');
      int end = text.lastIndexOf('}');
      if (start >= 0 && end > start) {
        try {
          return new JsonObject(text.substring(start, end + 1));
        } catch (DecodeException | ClassCastException notInner) {
          // reported below
        }
      }
      throw malformed(what, "it is not a JSON object: " + excerpt(answer));
    }
  }

  static ApiException malformed(String what, String why) {
    return new ApiException(ErrorKind.UPSTREAM, "The LLM's " + what + " could not be used (" + why
        + "); nothing was changed");
  }

  private static String excerpt(String text) {
    String flat = text.replaceAll("\\s+", " ").strip();
    return flat.length() <= 200 ? flat : flat.substring(0, 200) + "...";
  }
}
