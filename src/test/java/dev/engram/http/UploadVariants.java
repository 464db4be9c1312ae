package dev.engram.http;

import static dev.engram.http.Variant.Kind.BAD_MULTIPART;
import static dev.engram.http.Variant.Kind.NUL;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Broken multipart/form-data bodies for the upload route: each one differs from a valid upload of one small file in
 * the field {@code file} in one way. None may create a job or a document.
 */
final class UploadVariants {
  private static final String BOUNDARY = "fuzz-boundary-7d3f";
  private static final String TYPE = "multipart/form-data; boundary=" + BOUNDARY;
  private static final String FILE = "Hornets nest in trees.\n";

  private UploadVariants() {}

  /** The valid body: {@code fileName} in the field {@code field}. */
  static byte[] valid(String field, String fileName) {
    return bytes(part("Content-Disposition: form-data; name=\"" + field + "\"; filename=\"" + fileName + "\"")
        + "\r\n--" + BOUNDARY + "--\r\n");
  }

  static String contentType() {
    return TYPE;
  }

  static List<Variant> all(String target) {
    List<Variant> out = new ArrayList<>();
    String good = "Content-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"";
    String end = "\r\n--" + BOUNDARY + "--\r\n";
    add(out, target, "a JSON body", "application/json", bytes("{\"file\": \"notes.txt\"}"));
    add(out, target, "no Content-Type", null, valid("file", "notes.txt"));
    add(out, target, "no boundary parameter", "multipart/form-data", valid("file", "notes.txt"));
    add(out, target, "an empty boundary", "multipart/form-data; boundary=", valid("file", "notes.txt"));
    add(out, target, "another boundary than the body's", "multipart/form-data; boundary=other",
        valid("file", "notes.txt"));
    add(out, target, "no closing boundary", TYPE, bytes(part(good)));
    add(out, target, "cut inside the part", TYPE, bytes(part(good).substring(0, part(good).length() - 8)));
    add(out, target, "an empty body", TYPE, new byte[0]);
    add(out, target, "not multipart at all", TYPE, bytes("just some text\r\n"));
    add(out, target, "only the closing boundary", TYPE, bytes("--" + BOUNDARY + "--\r\n"));
    add(out, target, "no Content-Disposition", TYPE, bytes(part("Content-Type: text/plain") + end));
    add(out, target, "the file in another field", TYPE, valid("document", "notes.txt"));
    add(out, target, "a form field, not a file", TYPE,
        bytes(part("Content-Disposition: form-data; name=\"file\"") + end));
    add(out, target, "a disposition without a name", TYPE,
        bytes(part("Content-Disposition: form-data; filename=\"notes.txt\"") + end));
    add(out, target, "a file name of 5,000 characters", TYPE, valid("file", "n".repeat(5_000) + ".txt"));
    add(out, target, "a header line without a colon", TYPE, bytes(part(good + "\r\nbroken header line") + end));
    out.add(new Variant(NUL, "filename", "NUL in the file name", "POST", target, valid("file", "no\u0000tes.txt"),
        TYPE, false));
    out.add(new Variant(NUL, "name", "NUL in the field name", "POST", target, valid("fi\u0000le", "notes.txt"),
        TYPE, false));
    return out;
  }

  private static void add(List<Variant> out, String target, String label, String type, byte[] body) {
    out.add(new Variant(BAD_MULTIPART, "multipart", label, "POST", target, body, type, false));
  }

  private static String part(String headers) {
    return "--" + BOUNDARY + "\r\n" + headers + "\r\nContent-Type: text/plain\r\n\r\n" + FILE;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
