package dev.engram.store.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a cluster private: the superuser {@code postgres} and Engram's role {@code engram} get the passwords of
 * {@code ENGRAM_HOME/pgpass}, {@code engram} (no superuser, no CREATEDB, no CREATEROLE) owns schema {@code public}
 * and everything in it, and {@code pg_hba.conf} lets in only those passwords over TCP. A new cluster and one made by
 * an earlier Engram (initdb {@code -A trust}, every table owned by {@code postgres}) take the same path.
 *
 * <p>The SQL runs in PostgreSQL's single-user mode before the server starts: it needs no connection, hence no trust
 * rule, and its one transaction either happens or not. The pg_hba.conf written last marks the work done; until then
 * the file is absent, so a setup cut short lets nobody in (the server does not even start) and is simply done again
 * at the next start. Everything in the script may run twice.
 */
final class ClusterSetup {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSetup.class);

  static final String HBA = """
      # Written by Engram; edits are overwritten. Only TCP on 127.0.0.1 (the Unix socket is off), only with a
      # role's password from ENGRAM_HOME/pgpass (Engram's role engram, the superuser postgres).
      host all all 127.0.0.1/32 scram-sha-256
      """;

  /**
   * Statements end with a semicolon and an empty line (single-user mode's {@code -j}), so the DO blocks have none
   * inside. Ownership moves object by object: {@code REASSIGN OWNED BY postgres} is refused for the bootstrap
   * superuser. Indexes and the sequences of serial and identity columns follow their table; extension members stay.
   */
  private static final String SCRIPT = """
      SET password_encryption = 'scram-sha-256';

      BEGIN;

      ALTER ROLE postgres WITH PASSWORD '{{SUPERUSER_PASSWORD}}';

      DO $$
      BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'engram') THEN
          CREATE ROLE engram;
        END IF;
      END
      $$;

      ALTER ROLE engram WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
        PASSWORD '{{ENGRAM_PASSWORD}}';

      ALTER SCHEMA public OWNER TO engram;

      DO $$
      DECLARE
        r record;
      BEGIN
        FOR r IN
          SELECT format('ALTER %s %s OWNER TO engram', CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                   WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
                   c.oid::regclass) AS statement
          FROM pg_class c
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
            AND c.relowner <> 'engram'::regrole
            AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                              AND d.deptype IN ('a', 'i', 'e'))
          UNION ALL
          SELECT format('ALTER %s %s OWNER TO engram', CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END,
                   p.oid::regprocedure)
          FROM pg_proc p
          WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> 'engram'::regrole
            AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                              AND d.deptype = 'e')
          UNION ALL
          SELECT format('ALTER %s %s OWNER TO engram', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
                   t.oid::regtype)
          FROM pg_type t
          WHERE t.typnamespace = 'public'::regnamespace AND t.typowner <> 'engram'::regrole
            AND t.typtype IN ('b', 'c', 'd', 'e', 'r')
            AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
            AND NOT EXISTS (SELECT FROM pg_type e WHERE e.typarray = t.oid)
            AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                              AND d.deptype IN ('i', 'e'))
        LOOP
          EXECUTE r.statement;
        END LOOP;
      END
      $$;

      COMMIT;

      """;

  private ClusterSetup() {}

  /** The cluster's passwords, after setting them (and the rest) up when the cluster is not set up for them yet. */
  static ClusterPasswords ensure(Path home, Path pgdata, PostgresBinaries binaries, ServerLog log) throws IOException {
    Path hba = pgdata.resolve("pg_hba.conf");
    Path passwordFile = home.resolve("pgpass");
    Optional<ClusterPasswords> kept = ClusterPasswords.read(passwordFile);
    if (kept.isPresent() && Files.exists(hba) && HBA.equals(Files.readString(hba, StandardCharsets.UTF_8))) {
      return kept.get();
    }
    long started = System.nanoTime();
    Files.deleteIfExists(hba);
    ClusterPasswords passwords = kept.isPresent() ? kept.get() : ClusterPasswords.generate(passwordFile);
    String script = SCRIPT.replace("{{SUPERUSER_PASSWORD}}", passwords.superuser())
        .replace("{{ENGRAM_PASSWORD}}", passwords.engram());
    // exit_on_error: single-user mode would otherwise report an error and go on to exit 0;
    // log_min_error_statement: a failing statement is not copied into the log (it may carry a password)
    log.run("the set-up of the embedded PostgreSQL's roles and passwords (single-user mode)",
        binaries.command("postgres", "--single", "-j", "-D", pgdata.toString(), "-c", "exit_on_error=on",
            "-c", "log_min_error_statement=panic", EmbeddedPostgres.DATABASE),
        script, Duration.ofMinutes(10), true);
    PrivateFiles.write(hba, HBA);
    LOG.info("Set up the embedded PostgreSQL in {}: role {} owns schema public, password authentication only ({} ms)",
        pgdata, EmbeddedPostgres.ROLE, (System.nanoTime() - started) / 1_000_000);
    return passwords;
  }
}
