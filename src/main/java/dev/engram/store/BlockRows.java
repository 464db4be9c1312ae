package dev.engram.store;

import dev.engram.kernel.Json;
import dev.engram.model.Block;
import dev.engram.model.Preset;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Row-to-record mapping of blocks and presets. */
final class BlockRows {
  private BlockRows() {}

  static final String BLOCK_COLUMNS = """
      id, user_id, label, value, "limit", description, metadata, read_only, is_template, template_name, tags, version,
      created_at, updated_at""";
  /** The same columns of {@code blocks b}, for joins. */
  static final String B_COLUMNS = """
      b.id, b.user_id, b.label, b.value, b."limit", b.description, b.metadata, b.read_only, b.is_template,
      b.template_name, b.tags, b.version, b.created_at, b.updated_at""";

  static final String PRESET_COLUMNS = """
      id, user_id, name, description, system, persona, persona_name, human, human_name, functions_schema, created_at""";

  static Block block(Row r) {
    JsonObject metadata = r.getJsonObject("metadata");
    return new Block(r.getUUID("id").toString(), r.getUUID("user_id").toString(), r.getString("label"),
        r.getString("value"), r.getInteger("limit"), r.getString("description"),
        metadata == null ? Map.of() : Json.plainMap(metadata), r.getBoolean("read_only"), r.getBoolean("is_template"),
        r.getString("template_name"), Arrays.asList(r.getArrayOfStrings("tags")), r.getLong("version"),
        Rows.instant(r.getOffsetDateTime("created_at")), Rows.instant(r.getOffsetDateTime("updated_at")));
  }

  /** The insert parameters of a new block, in {@link #BLOCK_COLUMNS} order (version 1, times from the block). */
  static Tuple insert(Block b) {
    return Tuple.tuple(List.of(UUID.fromString(b.id()), UUID.fromString(b.userId()), b.label(), b.value(), b.limit()))
        .addValue(b.description()).addValue(new JsonObject(b.metadata())).addValue(b.readOnly())
        .addValue(b.template()).addValue(b.templateName()).addArrayOfString(b.tags().toArray(String[]::new))
        .addValue(1L).addValue(Rows.offset(b.createdAt())).addValue(Rows.offset(b.updatedAt()));
  }

  @SuppressWarnings("unchecked")
  static Preset preset(Row r) {
    Object raw = r.getValue("functions_schema");
    List<Map<String, Object>> functions = new ArrayList<>();
    if (raw instanceof JsonArray array) {
      for (Object o : array) {
        if (o instanceof JsonObject json) {
          functions.add(Json.plainMap(json));
        }
      }
    }
    return new Preset(r.getUUID("id").toString(), r.getUUID("user_id").toString(), r.getString("name"),
        r.getString("description"), r.getString("system"), r.getString("persona"), r.getString("persona_name"),
        r.getString("human"), r.getString("human_name"), functions, Rows.instant(r.getOffsetDateTime("created_at")));
  }

  static Tuple presetInsert(Preset p) {
    JsonArray functions = new JsonArray();
    p.functionsSchema().forEach(f -> functions.add(new JsonObject(f)));
    return Tuple.tuple(List.of(UUID.fromString(p.id()), UUID.fromString(p.userId()), p.name()))
        .addValue(p.description()).addValue(p.system()).addValue(p.persona()).addValue(p.personaName())
        .addValue(p.human()).addValue(p.humanName()).addValue(functions).addValue(Rows.offset(p.createdAt()));
  }
}
