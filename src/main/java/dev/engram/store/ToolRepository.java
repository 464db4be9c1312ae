package dev.engram.store;

import static dev.engram.store.ToolProtocol.*;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.kernel.Json;
import dev.engram.model.CustomTool;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Users' own tools. */
final class ToolRepository {
  private static final String COLUMNS = """
      id, user_id, name, description, source_code, source_type, json_schema, tags, return_char_limit,
      default_requires_approval, env, allow_network, metadata, created_at, updated_at""";
  private static final String INSERT = "insert into tools(" + COLUMNS + ") values ($1, $2, $3, $4, $5, $6, $7, $8,"
      + " $9, $10, $11, $12, $13, $14, $15) returning " + COLUMNS;
  private static final String GET = "select " + COLUMNS + " from tools where id = $1 and user_id = $2";
  private static final String ALL = "select " + COLUMNS + " from tools where user_id = $1 order by created_at, id";
  private static final String BY_NAMES = "select " + COLUMNS
      + " from tools where user_id = $1 and name = any($2) order by created_at, id";
  private static final String SAVE = """
      update tools set name = $3, description = $4, source_code = $5, source_type = $6, json_schema = $7, tags = $8,
        return_char_limit = $9, default_requires_approval = $10, env = $11, allow_network = $12, metadata = $13,
        updated_at = now()
      where id = $1 and user_id = $2
      returning\s""" + COLUMNS;
  /** Deletes the tool and names the user's agents that list it (they are detached next, through their shards). */
  private static final String DELETE = """
      with gone as (delete from tools where id = $1 and user_id = $2 returning *)
      select gone.*, array(select a.id::text from agents a where a.user_id = $2 and gone.name = any(a.tools)
        order by a.id) as agent_ids
      from gone""";

  private final Pool pool;

  ToolRepository(Pool pool) {
    this.pool = pool;
  }

  Future<FoundTool> create(CreateTool req) {
    return pool.preparedQuery(INSERT).execute(params(req.tool()))
        .map(rows -> new FoundTool(tool(rows.iterator().next())))
        .recover(e -> Future.failedFuture(nameTaken(e, req.tool().name())));
  }

  Future<FoundTool> get(GetTool req) {
    UUID id = Ids.parse(req.toolId());
    if (id == null) {
      return Future.failedFuture(notFound(req.toolId()));
    }
    return pool.preparedQuery(GET).execute(Tuple.of(id, UUID.fromString(req.userId()))).compose(rows ->
        rows.size() == 0 ? Future.failedFuture(notFound(req.toolId()))
            : Future.succeededFuture(new FoundTool(tool(rows.iterator().next()))));
  }

  Future<Tools> find(FindTools req) {
    UUID user = UUID.fromString(req.userId());
    if (req.names() != null && req.names().isEmpty()) {
      return Future.succeededFuture(new Tools(List.of()));
    }
    var query = req.names() == null ? pool.preparedQuery(ALL).execute(Tuple.of(user))
        : pool.preparedQuery(BY_NAMES).execute(Tuple.of(user).addArrayOfString(req.names().toArray(String[]::new)));
    return query.map(rows -> new Tools(UserRepository.collect(rows, ToolRepository::tool)));
  }

  Future<FoundTool> save(SaveTool req) {
    CustomTool t = req.tool();
    UUID id = Ids.parse(t.id());
    if (id == null) {
      return Future.failedFuture(notFound(t.id()));
    }
    Tuple params = params(t);
    // the same columns without the times: the stored creation time stays, the update time is now()
    Tuple update = Tuple.tuple();
    for (int i = 0; i < 13; i++) {
      update.addValue(params.getValue(i));
    }
    return pool.preparedQuery(SAVE).execute(update).compose(rows -> rows.size() == 0
            ? Future.failedFuture(notFound(t.id()))
            : Future.succeededFuture(new FoundTool(tool(rows.iterator().next()))))
        .recover(e -> Future.failedFuture(nameTaken(e, t.name())));
  }

  Future<DeletedTool> delete(DeleteTool req) {
    UUID id = Ids.parse(req.toolId());
    if (id == null) {
      return Future.failedFuture(notFound(req.toolId()));
    }
    return pool.preparedQuery(DELETE).execute(Tuple.of(id, UUID.fromString(req.userId()))).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(notFound(req.toolId()));
      }
      Row r = rows.iterator().next();
      return Future.succeededFuture(new DeletedTool(tool(r), Arrays.asList(r.getArrayOfStrings("agent_ids"))));
    });
  }

  private static Tuple params(CustomTool t) {
    return Tuple.tuple(List.of(UUID.fromString(t.id()), UUID.fromString(t.userId()), t.name()))
        .addValue(t.description()).addValue(t.sourceCode()).addValue(t.sourceType())
        .addValue(new JsonObject(new LinkedHashMap<>(t.jsonSchema())))
        .addArrayOfString(t.tags().toArray(String[]::new)).addValue(t.returnCharLimit())
        .addValue(t.defaultRequiresApproval()).addValue(new JsonObject(new LinkedHashMap<>(t.env())))
        .addValue(t.allowNetwork()).addValue(new JsonObject(new LinkedHashMap<>(t.metadata())))
        .addValue(Rows.offset(t.createdAt())).addValue(Rows.offset(t.updatedAt()));
  }

  private static CustomTool tool(Row r) {
    Map<String, String> env = new LinkedHashMap<>();
    JsonObject envJson = r.getJsonObject("env");
    if (envJson != null) {
      envJson.forEach(e -> env.put(e.getKey(), String.valueOf(e.getValue())));
    }
    String[] tags = r.getArrayOfStrings("tags");
    return new CustomTool(r.getUUID("id").toString(), r.getUUID("user_id").toString(), r.getString("name"),
        r.getString("description"), r.getString("source_code"), r.getString("source_type"),
        Json.plainMap(r.getJsonObject("json_schema")), tags == null ? List.of() : new ArrayList<>(Arrays.asList(tags)),
        r.getInteger("return_char_limit"), r.getBoolean("default_requires_approval"), env,
        r.getBoolean("allow_network"), Json.plainMap(r.getJsonObject("metadata")),
        Rows.instant(r.getOffsetDateTime("created_at")), Rows.instant(r.getOffsetDateTime("updated_at")));
  }

  private static Throwable nameTaken(Throwable e, String name) {
    return UserRepository.isUniqueViolation(e) ? ApiException.conflict("A tool named '" + name + "' already exists")
        : e;
  }

  static ApiException notFound(String toolId) {
    return ApiException.notFound("Tool tool_id=" + toolId + " not found");
  }
}
