package dev.engram.store.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The generated passwords of the embedded cluster's two login roles, kept in {@code ENGRAM_HOME/pgpass} (mode 0600) in
 * libpq's password-file format, so that an operator's psql reads the file as it is ({@code PGPASSFILE}).
 *
 * @param engram the password of {@link EmbeddedPostgres#ROLE}, Engram's own connection
 * @param superuser the password of the superuser {@code postgres}, for an operator
 */
record ClusterPasswords(String engram, String superuser) {
  static final String SUPERUSER = "postgres";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The passwords kept in {@code file}, if it holds both. */
  static Optional<ClusterPasswords> read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    if (!Files.getPosixFilePermissions(file).equals(PrivateFiles.FILE_MODE)) {
      Files.setPosixFilePermissions(file, PrivateFiles.FILE_MODE);
    }
    Map<String, String> byRole = new HashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] fields = line.split(":", 5);
      if (!line.startsWith("#") && fields.length == 5 && fields[4].length() >= 32) {
        byRole.put(fields[3], fields[4]);
      }
    }
    String engram = byRole.get(EmbeddedPostgres.ROLE);
    String superuser = byRole.get(SUPERUSER);
    return engram != null && superuser != null
        ? Optional.of(new ClusterPasswords(engram, superuser)) : Optional.empty();
  }

  /** New passwords, written to {@code file} (through a synced temporary file renamed over it). */
  static ClusterPasswords generate(Path file) throws IOException {
    ClusterPasswords passwords = new ClusterPasswords(token(), token());
    String text = "# The passwords of Engram's embedded PostgreSQL, in libpq's password-file format:\n"
        + "#   PGPASSFILE=" + file + " psql -h 127.0.0.1 -p <port> -U " + EmbeddedPostgres.ROLE + " "
        + EmbeddedPostgres.DATABASE + "\n"
        + "# (the port is line 4 of pgdata/postmaster.pid). Delete this file to have new passwords set at the next"
        + " start.\n"
        + line(EmbeddedPostgres.ROLE, passwords.engram) + line(SUPERUSER, passwords.superuser);
    PrivateFiles.write(file, text);
    return passwords;
  }

  @Override
  public String toString() {
    return "ClusterPasswords[in pgpass]";
  }

  private static String line(String role, String password) {
    return "127.0.0.1:*:*:" + role + ":" + password + "\n";
  }

  /** 48 random bytes, URL-safe Base64: nothing to escape in SQL or in the password file. */
  private static String token() {
    byte[] bytes = new byte[48];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
