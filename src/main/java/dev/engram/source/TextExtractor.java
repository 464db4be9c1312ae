package dev.engram.source;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * The text of an uploaded file, by its extension: .txt and .md as UTF-8 text, .json and .jsonl as one record per
 * value (its "text" or "content" field when it has one, else the value itself), .pdf through PDFBox. Blocking: run it
 * on a worker. Every rejection is a {@link BadFile} whose message says what was wrong.
 */
public final class TextExtractor {
  public static final List<String> SUPPORTED = List.of(".txt", ".md", ".json", ".jsonl", ".pdf");
  /** The MIME types of the supported extensions, in the same order. */
  private static final List<String> MEDIA_TYPES =
      List.of("text/plain", "text/markdown", "application/json", "application/jsonl", "application/pdf");

  /** A file that cannot be loaded; the message is shown to the user as the job's error. */
  public static final class BadFile extends Exception {
    public BadFile(String message) {
      super(message, null, false, false);
    }
  }

  private final long maxBytes;

  public TextExtractor(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** The text of an upload's {@code bytes}, sent as {@code fileName}. */
  public String extract(byte[] file, String fileName) throws BadFile {
    String type = extension(fileName);
    if (!SUPPORTED.contains(type)) {
      throw new BadFile("unsupported file type '" + (type.isEmpty() ? fileName : type) + "': upload one of "
          + String.join(", ", SUPPORTED));
    }
    long size = file.length;
    if (size == 0) {
      throw new BadFile("the file " + fileName + " is empty");
    }
    if (size > maxBytes) {
      throw new BadFile("the file " + fileName + " is " + size + " bytes, over the limit of " + maxBytes
          + " bytes (MAX_UPLOAD_BYTES)");
    }
    String text = switch (type) {
      case ".pdf" -> pdf(file, fileName);
      case ".json" -> records(List.of(json(utf8(file, fileName), fileName)));
      case ".jsonl" -> records(jsonLines(utf8(file, fileName), fileName));
      default -> utf8(file, fileName);
    };
    if (text.isBlank()) {
      throw new BadFile("no text found in " + fileName);
    }
    return text;
  }

  /** Whether a file of this name can be loaded (by its extension). */
  public static boolean supported(String fileName) {
    return SUPPORTED.contains(extension(fileName));
  }

  /** The MIME type of a supported file name, else null. */
  public static String mediaType(String fileName) {
    int at = SUPPORTED.indexOf(extension(fileName));
    return at < 0 ? null : MEDIA_TYPES.get(at);
  }

  static String extension(String fileName) {
    int dot = fileName == null ? -1 : fileName.lastIndexOf('.');
    return dot < 0 ? "" : fileName.substring(dot).toLowerCase(Locale.ROOT);
  }

  private static String utf8(byte[] file, String fileName) throws BadFile {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(file)).toString();
    } catch (CharacterCodingException e) {
      throw new BadFile(fileName + " is not UTF-8 text");
    }
  }

  private static Object json(String text, String where) throws BadFile {
    try {
      return Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new BadFile(where + " is not valid JSON: " + e.getMessage());
    }
  }

  private static List<Object> jsonLines(String text, String fileName) throws BadFile {
    List<Object> values = new ArrayList<>();
    String[] lines = text.split("\\r?\\n");
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].isBlank()) {
        values.add(json(lines[i], fileName + " line " + (i + 1)));
      }
    }
    return values;
  }

  /** One paragraph per record, so that chunks keep records apart where they can. */
  private static String records(List<Object> values) {
    List<String> out = new ArrayList<>();
    for (Object value : values) {
      if (value instanceof JsonArray array) {
        array.forEach(v -> out.add(record(v)));
      } else {
        out.add(record(value));
      }
    }
    return String.join("\n\n", out.stream().filter(s -> !s.isBlank()).toList());
  }

  private static String record(Object value) {
    if (value instanceof JsonObject obj) {
      for (String field : new String[] {"text", "content"}) {
        if (obj.getValue(field) instanceof String s) {
          return s;
        }
      }
      return obj.encode();
    }
    return value == null ? "" : value instanceof String s ? s : Json.encode(value);
  }

  private static String pdf(byte[] file, String fileName) throws BadFile {
    try (PDDocument doc = Loader.loadPDF(file)) {
      return new PDFTextStripper().getText(doc);
    } catch (InvalidPasswordException e) {
      throw new BadFile(fileName + " is an encrypted PDF; upload it without a password");
    } catch (IOException | RuntimeException e) {
      throw new BadFile(fileName + " is not a readable PDF: " + e.getMessage());
    }
  }
}
