package dev.engram.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the numbered SQL files of {@code db/migration} ({@code V001__name.sql}, ...) that the database has not seen,
 * each in its own transaction, under an advisory lock so that several nodes starting at once apply them once.
 */
final class Migrator {
  private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);
  private static final String FOLDER = "db/migration";
  private static final Pattern FILE = Pattern.compile("V(\\d+)__([\\w-]+)\\.sql");
  private static final long LOCK_KEY = 0x656e6772616dL;
  /** Made when missing; not "create table if not exists", whose notice PostgreSQL sends (and we log) at every start. */
  private static final String CREATE_TABLE = """
      do $$
      begin
        if to_regclass('schema_migrations') is null then
          create table schema_migrations (
            version integer primary key, name text not null, applied_at timestamptz not null default now());
        end if;
      end
      $$
      """;

  record Migration(int version, String name, String sql) {}

  /**
   * The files, read once per JVM: finding them in the jar walks all its ~50,000 entries, 0.1-0.5 s of a cold start on
   * the event loop. A boot reads them ahead, beside the database start ({@link StoreVerticle#readMigrations}).
   */
  private static volatile List<Migration> discovered;

  private Migrator() {}

  static Future<Integer> migrate(Pool pool) {
    List<Migration> migrations = discover();
    return pool.withConnection(conn -> conn.query(CREATE_TABLE).execute()
        .compose(v -> conn.preparedQuery("select pg_advisory_lock($1)").execute(Tuple.of(LOCK_KEY)))
        .compose(v -> conn.query("select version from schema_migrations").execute())
        .compose(rows -> {
          List<Integer> applied = new ArrayList<>();
          rows.forEach(r -> applied.add(r.getInteger(0)));
          Future<Integer> chain = Future.succeededFuture(0);
          for (Migration m : migrations) {
            if (applied.contains(m.version())) {
              continue;
            }
            chain = chain.compose(count -> conn.begin().compose(tx -> conn.query(m.sql()).execute()
                .compose(r -> conn.preparedQuery("insert into schema_migrations(version, name) values ($1, $2)")
                    .execute(Tuple.of(m.version(), m.name())))
                .compose(r -> tx.commit())
                .onSuccess(r -> LOG.info("Applied migration V{}__{}", m.version(), m.name()))
                .map(r -> count + 1)));
          }
          return chain;
        })
        .eventually(() -> conn.preparedQuery("select pg_advisory_unlock($1)").execute(Tuple.of(LOCK_KEY))));
  }

  static List<Migration> discover() {
    List<Migration> found = discovered;
    if (found == null) {
      found = scan();
      discovered = found;
    }
    return found;
  }

  private static List<Migration> scan() {
    List<Migration> found = new ArrayList<>();
    for (String file : listFolder()) {
      Matcher m = FILE.matcher(file);
      if (m.matches()) {
        found.add(new Migration(Integer.parseInt(m.group(1)), m.group(2), read(FOLDER + "/" + file)));
      }
    }
    found.sort((a, b) -> Integer.compare(a.version(), b.version()));
    for (int i = 1; i < found.size(); i++) {
      if (found.get(i).version() == found.get(i - 1).version()) {
        throw new IllegalStateException("two migrations have version " + found.get(i).version() + ": "
            + found.get(i - 1).name() + " and " + found.get(i).name());
      }
    }
    return List.copyOf(found);
  }

  private static List<String> listFolder() {
    URL url = Migrator.class.getClassLoader().getResource(FOLDER);
    if (url == null) {
      throw new IllegalStateException("no " + FOLDER + " on the class path");
    }
    try {
      if ("jar".equals(url.getProtocol())) {
        var jar = ((JarURLConnection) url.openConnection()).getJarFile();
        List<String> names = new ArrayList<>();
        Collections.list(jar.entries()).forEach(e -> {
          if (e.getName().startsWith(FOLDER + "/") && !e.isDirectory()) {
            names.add(e.getName().substring(FOLDER.length() + 1));
          }
        });
        return names;
      }
      try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
        return files.map(p -> p.getFileName().toString()).toList();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String read(String resource) {
    try (InputStream in = Migrator.class.getClassLoader().getResourceAsStream(resource)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
