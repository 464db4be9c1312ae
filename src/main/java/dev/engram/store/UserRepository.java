package dev.engram.store;

import dev.engram.index.PassageIndex;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.Ids;
import dev.engram.store.StoreProtocol.*;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Users and their API keys. */
final class UserRepository {
  static final String DEFAULT_USER = "00000000-0000-0000-0000-000000000000";

  private static final String INSERT_USER = "insert into users(id) values ($1)";
  private static final String LIST_USERS = "select id from users order by created_at, id";
  private static final String DELETE_USER = "delete from users where id = $1";
  private static final String USER_EXISTS = "select 1 from users where id = $1";
  private static final String INSERT_KEY = """
      insert into api_keys(id, user_id, key_hash, key_hint, name) values ($1, $2, $3, $4, $5)""";
  private static final String LIST_KEYS = "select key_hint from api_keys where user_id = $1 order by created_at, id";
  private static final String DELETE_KEY = "delete from api_keys where key_hash = $1 returning user_id";
  private static final String FIND_KEY = "select user_id, key_hash from api_keys where key_hash = $1";

  private final Pool pool;

  private final List<PassageIndex> indexes;

  UserRepository(Pool pool, List<PassageIndex> indexes) {
    this.pool = pool;
    this.indexes = indexes;
  }

  Future<UserCreated> create(CreateUser req) {
    UUID id = req.userId() == null ? UUID.randomUUID() : Ids.require(req.userId(), "user_id");
    String key = ApiKeys.generate();
    return pool.withTransaction(conn -> conn.preparedQuery(INSERT_USER).execute(Tuple.of(id))
            .compose(r -> conn.preparedQuery(INSERT_KEY).execute(keyTuple(id, key, req.keyName()))))
        .recover(e -> Future.failedFuture(isUniqueViolation(e)
            ? ApiException.conflict("A user with id " + id + " already exists") : e))
        .map(r -> new UserCreated(id.toString(), key));
  }

  Future<UserIds> list() {
    return pool.query(LIST_USERS).execute().map(rows -> {
      List<String> ids = new ArrayList<>();
      rows.forEach(r -> ids.add(r.getUUID(0).toString()));
      return new UserIds(ids);
    });
  }

  Future<Done> delete(DeleteUser req) {
    UUID id = Ids.require(req.userId(), "user_id");
    if (DEFAULT_USER.equals(id.toString())) {
      return Future.failedFuture(new ApiException(ErrorKind.UNPROCESSABLE, "the default user cannot be deleted"));
    }
    return pool.preparedQuery(DELETE_USER).execute(Tuple.of(id)).compose(r -> r.rowCount() == 0
        ? Future.failedFuture(ApiException.notFound("User user_id=" + req.userId() + " does not exist"))
        : Future.all(indexes.stream().map(index -> IndexSync.bestEffort(index.deleteUser(id), "user delete"))
            .toList()).map(v -> new Done()));
  }

  Future<ResolvedUser> exists(UserExists req) {
    UUID id = Ids.parse(req.userId());
    if (id == null) {
      return Future.succeededFuture(new ResolvedUser(null));
    }
    return pool.preparedQuery(USER_EXISTS).execute(Tuple.of(id))
        .map(rows -> new ResolvedUser(rows.size() > 0 ? req.userId() : null));
  }

  Future<KeyCreated> createKey(CreateKey req) {
    UUID userId = Ids.require(req.userId(), "user_id");
    String key = ApiKeys.generate();
    return pool.preparedQuery(USER_EXISTS).execute(Tuple.of(userId)).compose(rows -> rows.size() == 0
        ? Future.failedFuture(ApiException.notFound("User user_id=" + req.userId() + " does not exist"))
        : pool.preparedQuery(INSERT_KEY).execute(keyTuple(userId, key, req.name())).map(r -> new KeyCreated(key)));
  }

  Future<KeyHints> listKeys(ListKeys req) {
    UUID userId = Ids.require(req.userId(), "user_id");
    return pool.preparedQuery(USER_EXISTS).execute(Tuple.of(userId)).compose(users -> users.size() == 0
        ? Future.failedFuture(ApiException.notFound("User user_id=" + req.userId() + " does not exist"))
        : pool.preparedQuery(LIST_KEYS).execute(Tuple.of(userId)).map(rows -> {
          List<String> hints = new ArrayList<>();
          rows.forEach(r -> hints.add(r.getString(0)));
          return new KeyHints(hints);
        }));
  }

  /** Deletes a key; replies with the user it belonged to so that caches can be told. */
  Future<ResolvedUser> deleteKey(DeleteKey req) {
    return pool.preparedQuery(DELETE_KEY).execute(Tuple.of(Buffer.buffer(ApiKeys.hash(req.apiKey()))))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(ApiException.notFound("API key does not exist"))
            : Future.succeededFuture(new ResolvedUser(rows.iterator().next().getUUID(0).toString())));
  }

  Future<ResolvedUser> resolveKey(ResolveKey req) {
    byte[] hash = ApiKeys.hash(req.apiKey());
    return pool.preparedQuery(FIND_KEY).execute(Tuple.of(Buffer.buffer(hash))).map(rows -> {
      for (Row row : rows) {
        if (ApiKeys.matches(row.getBuffer("key_hash").getBytes(), req.apiKey())) {
          return new ResolvedUser(row.getUUID("user_id").toString());
        }
      }
      return new ResolvedUser(null);
    });
  }

  private static Tuple keyTuple(UUID userId, String key, String name) {
    return Tuple.of(UUID.randomUUID(), userId, Buffer.buffer(ApiKeys.hash(key)), ApiKeys.hint(key), name);
  }

  static boolean isUniqueViolation(Throwable e) {
    return e instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  static <T> List<T> collect(RowSet<Row> rows, java.util.function.Function<Row, T> mapper) {
    List<T> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(mapper.apply(r)));
    return out;
  }
}
