package dev.engram.store.embedded;

import static org.junit.jupiter.api.Assertions.*;

import dev.engram.testkit.DirectSql;
import dev.engram.testkit.TestServer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The embedded PostgreSQL of a running server commits durably and lets in nobody but Engram. */
class EmbeddedPostgresTest {
  private final TestServer server = TestServer.shared();
  private final PgConnectOptions engram = server.server().databaseOptions();
  private final Path home = server.home();

  @Test
  @DisplayName("fsync, synchronous_commit and full_page_writes are on")
  void commitsAreDurable() throws Exception {
    for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
      assertEquals("on", DirectSql.value(engram, "show " + setting), setting);
    }
  }

  @Test
  @DisplayName("no password, a wrong one, or postgres with the old default password: all refused over TCP")
  void onlyThePasswordGetsIn() throws Exception {
    assertEquals("engram", DirectSql.value(engram, "select current_user"));
    for (String user : List.of("engram", "postgres")) {
      assertEquals(10, authenticationRequest(engram.getPort(), user), "the server asks " + user + " for SCRAM (10),"
          + " never lets it in without a password (0)");
    }
    assertAuthFailed(DirectSql.refused(new PgConnectOptions(engram).setPassword("wrong-password"), "select 1"));
    assertAuthFailed(DirectSql.refused(new PgConnectOptions(engram).setUser("postgres").setPassword("postgres"),
        "select 1"));
  }

  @Test
  @DisplayName("Engram's role is no superuser, owns its tables, and may not run programs or read server files")
  void engramIsNoSuperuser() throws Exception {
    assertEquals("false", DirectSql.value(engram, "select rolsuper or rolcreatedb or rolcreaterole or rolreplication"
        + " or rolbypassrls from pg_roles where rolname = current_user"));
    assertEquals("0", DirectSql.value(engram, "select count(*) from pg_tables where schemaname = 'public'"
        + " and tableowner <> 'engram'"));
    assertTrue(Integer.parseInt(DirectSql.value(engram, "select count(*) from pg_tables where schemaname = 'public'"))
        > 5, "Engram's tables are in schema public");
    assertPermissionDenied(DirectSql.refused(engram, "copy (select 1) to program 'true'"));
    assertPermissionDenied(DirectSql.refused(engram, "select pg_read_file('PG_VERSION')"));
    assertPermissionDenied(DirectSql.refused(engram, "create role intruder superuser"));
  }

  @Test
  @DisplayName("ANALYZE keeps no statistics of the embeddings (counting their elements took seconds), only the rest")
  void noStatisticsOfEmbeddings() throws Exception {
    String key = server.api.newUser().getString("api_key");
    assertEquals(200, server.api.post("/memories", key, new JsonObject().put("messages", "I like green tea.")
        .put("user_id", "analysed").put("infer", false)).status());
    String agent = server.api.newAgent(key, "analysed");
    assertEquals(200, server.api.post("/api/agents/" + agent + "/archival", key,
        new JsonObject().put("content", "The tea shop opens at nine.")).status());
    for (String table : List.of("memories", "passages")) {
      DirectSql.query(engram, "analyze " + table);
      assertEquals("text", DirectSql.value(engram, "select string_agg(attname, ',' order by attname) from pg_stats"
          + " where tablename = '" + table + "' and attname in ('text', 'embedding')"), table);
    }
  }

  @Test
  @DisplayName("no Unix socket; the operator's psql gets in as the superuser with the password file")
  void noUnixSocket() throws Exception {
    List<String> pidFile = Files.readAllLines(home.resolve("pgdata/postmaster.pid"));
    assertEquals("", pidFile.get(4).strip(), "line 5 of postmaster.pid names the socket directories: none");
    assertEquals("127.0.0.1", pidFile.get(5).strip(), "listens on 127.0.0.1 only");
    assertFalse(Files.exists(Path.of("/tmp/.s.PGSQL." + engram.getPort())));
    assertFalse(Files.exists(home.resolve("pgdata/.s.PGSQL." + engram.getPort())));
    PgConnectOptions superuser = new PgConnectOptions(engram).setUser("postgres")
        .setPassword(passwordOf("postgres"));
    assertEquals("", DirectSql.value(superuser, "show unix_socket_directories"));
    assertEquals("127.0.0.1", DirectSql.value(superuser, "show listen_addresses"));
    assertEquals("true", DirectSql.value(superuser, "select rolsuper from pg_roles where rolname = current_user"));
  }

  @Test
  @DisplayName("the password file, log, lock and data directory are the owner's alone")
  void filesAreOwnerOnly() throws IOException {
    assertEquals("rw-------", mode(home.resolve("pgpass")));
    assertEquals("rw-------", mode(home.resolve("postgres.log")));
    assertEquals("rw-------", mode(home.resolve("engram.lock")));
    assertEquals("rwx------", mode(home.resolve("pgdata")));
    assertEquals(engram.getPassword(), passwordOf("engram"));
    String hba = Files.readString(home.resolve("pgdata/pg_hba.conf"));
    assertFalse(hba.contains("trust"), hba);
    assertEquals(List.of("host all all 127.0.0.1/32 scram-sha-256"),
        hba.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList());
  }

  @Test
  @DisplayName("another OS user (nobody) can neither connect over TCP nor read the password file")
  void anotherUserCannotConnect() throws Exception {
    Assumptions.assumeTrue(NonRoot.uid() == 0, "needs root to run a command as nobody");
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/psql")), "needs a psql client in /usr/bin");
    String port = Integer.toString(engram.getPort());
    for (String user : List.of("postgres", "engram")) {
      Result noPassword = asNobody(List.of("/usr/bin/psql", "-X", "-w", "-h", "127.0.0.1", "-p", port, "-U", user,
          "-c", "select 1", "postgres"), null);
      assertNotEquals(0, noPassword.status(), noPassword.output());
      assertTrue(noPassword.output().contains("no password supplied"), noPassword.output());
      Result guessed = asNobody(List.of("/usr/bin/psql", "-X", "-h", "127.0.0.1", "-p", port, "-U", user,
          "-c", "select 1", "postgres"), "postgres");
      assertNotEquals(0, guessed.status(), guessed.output());
      assertTrue(guessed.output().contains("password authentication failed"), guessed.output());
    }
    Result socket = asNobody(List.of("/usr/bin/psql", "-X", "-w", "-h", "/tmp", "-p", port, "-U", "postgres",
        "-c", "select 1", "postgres"), null);
    assertNotEquals(0, socket.status(), socket.output());
    assertTrue(socket.output().contains("No such file or directory"), socket.output());
    Result read = asNobody(List.of("/bin/cat", home.resolve("pgpass").toString()), null);
    assertNotEquals(0, read.status(), read.output());
    assertTrue(read.output().contains("Permission denied"), read.output());
  }

  /** The authentication request (0: none needed, 10: SASL) that the server answers a startup message with. */
  private static int authenticationRequest(int port, String user) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      byte[] params = ("user\0" + user + "\0database\0postgres\0\0").getBytes(StandardCharsets.US_ASCII);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(8 + params.length);
      out.writeInt(3 << 16);
      out.write(params);
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      assertEquals('R', in.readByte(), "an authentication message");
      in.readInt();
      return in.readInt();
    }
  }

  private record Result(int status, String output) {}

  private static Result asNobody(List<String> command, String password) throws Exception {
    List<String> full = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
        "--clear-groups", "--"));
    full.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true).directory(new java.io.File("/"));
    builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
    if (password != null) {
      builder.environment().put("PGPASSWORD", password);
    }
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "still running: " + full);
    return new Result(process.exitValue(), output);
  }

  private String passwordOf(String role) throws IOException {
    return Files.readAllLines(home.resolve("pgpass")).stream()
        .filter(l -> !l.startsWith("#") && l.split(":")[3].equals(role))
        .map(l -> l.split(":", 5)[4]).findFirst().orElseThrow();
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  private static void assertAuthFailed(Exception e) {
    assertTrue(e instanceof PgException pg && "28P01".equals(pg.getSqlState()), () -> "not refused by password: " + e);
  }

  private static void assertPermissionDenied(Exception e) {
    assertTrue(e instanceof PgException pg && "42501".equals(pg.getSqlState()), () -> "not refused: " + e);
  }
}
