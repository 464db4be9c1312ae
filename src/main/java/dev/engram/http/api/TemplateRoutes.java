package dev.engram.http.api;

import dev.engram.EngramServer;
import dev.engram.agent.Templates;
import dev.engram.agent.tool.ToolRegistry;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import dev.engram.kernel.Ids;
import dev.engram.kernel.Json;
import dev.engram.kernel.Times;
import dev.engram.model.Block;
import dev.engram.model.CoreMemory;
import dev.engram.model.Preset;
import dev.engram.store.BlockClient;
import dev.engram.store.BlockProtocol.ListBlocks;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The MemGPT 0.3 templates (letta-memgpt.md §2.6): humans and personas, which are block templates (labels human and
 * persona, the same rows as Letta's {@code /v1/blocks?templates_only=true}) of the user beside the built-in ones;
 * presets; the server's config (§2.2); and the tools (§2.7, listing only).
 */
public final class TemplateRoutes {
  /** OpenAI's rule for a function's name. */
  private static final java.util.regex.Pattern FUNCTION_NAME = java.util.regex.Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
  private final BlockClient blocks;
  private final Views views;
  private final ToolRegistry tools;

  public TemplateRoutes(BlockClient blocks, Views views, ToolRegistry tools) {
    this.blocks = blocks;
    this.views = views;
    this.tools = tools;
  }

  public void mount(RouteTable router) {
    for (String label : List.of(CoreMemory.HUMAN, CoreMemory.PERSONA)) {
      String path = "/api/" + label + "s";
      router.get(path).handler(ctx -> listTemplates(ctx, label));
      router.post(path).handler(ctx -> createTemplate(ctx, label));
      router.get(path + "/:name").handler(ctx -> getTemplate(ctx, label));
      router.delete(path + "/:name").handler(ctx -> deleteTemplate(ctx, label));
    }
    router.get("/api/presets").handler(this::listPresets);
    router.post("/api/presets").handler(this::createPreset);
    // one template for both: MemGPT reads a preset by its name and deletes it by its id
    router.get("/api/presets/:preset").handler(this::getPreset);
    router.delete("/api/presets/:preset").handler(this::deletePreset);
    router.get("/api/config").handler(this::config);
  }

  // humans and personas

  private void listTemplates(RoutingContext ctx, String label) {
    String userId = Authenticator.user(ctx);
    var filter = new ListBlocks(userId, label, true, null, null, null, null, List.of(), false);
    blocks.list(filter).onSuccess(own -> {
      JsonArray out = new JsonArray();
      Templates.builtInBlocks(label).forEach(b -> out.add(template(b)));
      own.forEach(b -> out.add(template(b)));
      Responses.json(ctx, 200, new JsonObject().put(label + "s", out));
    }).onFailure(ctx::fail);
  }

  /** A new template; names may repeat, as in MemGPT (the newest one of a name is the one used). */
  private void createTemplate(RoutingContext ctx, String label) {
    JsonObject body = Bodies.object(ctx, false);
    String name = Bodies.requiredString(body, "name");
    Block.checkName("name", name);
    String text = Bodies.optionalString(body, "text");
    if (text == null) {
      throw Bodies.invalid("text is required and must be a string");
    }
    Block.checkFits(label, text, Block.PERSONA_HUMAN_LIMIT);
    Instant now = Times.now();
    String userId = Authenticator.user(ctx);
    Block block = new Block(UUID.randomUUID().toString(), userId, label, text, Block.PERSONA_HUMAN_LIMIT, null,
        Map.of(), false, true, name, List.of(), 1, now, now);
    blocks.create(userId, List.of(block)).onSuccess(created -> Responses.json(ctx, 200, template(created.get(0))))
        .onFailure(ctx::fail);
  }

  private void getTemplate(RoutingContext ctx, String label) {
    find(ctx, label).onSuccess(b -> Responses.json(ctx, 200, template(b))).onFailure(ctx::fail);
  }

  private void deleteTemplate(RoutingContext ctx, String label) {
    String userId = Authenticator.user(ctx);
    find(ctx, label).compose(b -> {
      if (b.userId() == null) {
        return Future.failedFuture(new ApiException(ErrorKind.FORBIDDEN, "The " + label + " '" + b.templateName()
            + "' is built in and cannot be deleted"));
      }
      return blocks.delete(userId, b.id());
    }).onSuccess(b -> Responses.json(ctx, 200, template(b))).onFailure(ctx::fail);
  }

  /** The user's template of that name, else the built-in one; 404 "Human not found" (or persona) otherwise. */
  private Future<Block> find(RoutingContext ctx, String label) {
    String name = ctx.pathParam("name");
    return blocks.findTemplate(Authenticator.user(ctx), label, name).compose(own -> {
      Block found = own != null ? own : Templates.builtInBlock(label, name);
      return found != null ? Future.succeededFuture(found) : Future.failedFuture(ApiException.notFound(
          label.substring(0, 1).toUpperCase() + label.substring(1) + " not found"));
    });
  }

  /** HumanModel / PersonaModel. */
  private static JsonObject template(Block b) {
    return new JsonObject().put("text", b.value()).put("name", b.templateName()).put("id", b.id())
        .put("user_id", b.userId());
  }

  // presets

  private void listPresets(RoutingContext ctx) {
    blocks.presets(Authenticator.user(ctx)).onSuccess(own -> {
      JsonArray out = new JsonArray();
      Templates.builtInPresets(tools).forEach(p -> out.add(preset(p)));
      own.forEach(p -> out.add(preset(p)));
      Responses.json(ctx, 200, new JsonObject().put("presets", out));
    }).onFailure(ctx::fail);
  }

  private void createPreset(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    String name = Bodies.requiredString(body, "name");
    Block.checkName("name", name);
    if (Templates.systemPrompt(name) != null) {
      throw ApiException.conflict("A preset named '" + name + "' is built in; choose another name");
    }
    String system = Bodies.optionalString(body, "system");
    if (system == null) {
      throw Bodies.invalid("system is required and must be a string");
    }
    Object functions = body.getValue("functions_schema");
    if (!(functions instanceof JsonArray array) || !array.stream().allMatch(f -> f instanceof JsonObject)) {
      throw Bodies.invalid("functions_schema is required and must be a list of function schemas (objects)");
    }
    for (int i = 0; i < array.size(); i++) {
      Object fn = array.getJsonObject(i).getValue("name");
      if (!(fn instanceof String s) || !FUNCTION_NAME.matcher(s).matches()) {
        throw Bodies.invalid("functions_schema[" + i + "].name must be a function name (1 to 64 letters, digits,"
            + " '_' or '-')");
      }
    }
    for (String field : List.of("persona_name", "human_name")) {
      String value = Bodies.optionalString(body, field);
      if (value != null) {
        Block.checkName(field, value);
      }
    }
    for (String field : List.of("persona", "human")) {
      String value = Bodies.optionalString(body, field);
      if (value != null) {
        Block.checkFits(field, value, Block.PERSONA_HUMAN_LIMIT);
      }
    }
    String id = Bodies.optionalString(body, "id");
    if (id != null) {
      Ids.require(id, "id");
    }
    List<Map<String, Object>> schemas = new ArrayList<>();
    array.forEach(f -> schemas.add(Json.plainMap((JsonObject) f)));
    Preset preset = new Preset(id != null ? id : UUID.randomUUID().toString(), Authenticator.user(ctx), name,
        Bodies.optionalString(body, "description"), system, Bodies.optionalString(body, "persona"),
        Bodies.optionalString(body, "persona_name"), Bodies.optionalString(body, "human"),
        Bodies.optionalString(body, "human_name"), schemas, Times.now());
    blocks.createPreset(preset).onSuccess(p -> Responses.json(ctx, 200, new JsonObject().put("preset", preset(p))))
        .onFailure(ctx::fail);
  }

  private void getPreset(RoutingContext ctx) {
    String name = ctx.pathParam("preset");
    Preset builtIn = Templates.builtInPresets(tools).stream().filter(p -> p.name().equals(name)).findFirst()
        .orElse(null);
    (builtIn != null ? Future.succeededFuture(builtIn) : blocks.findPreset(Authenticator.user(ctx), name))
        .compose(p -> p != null ? Future.succeededFuture(p)
            : Future.failedFuture(ApiException.notFound("Preset not found")))
        .onSuccess(p -> Responses.json(ctx, 200, preset(p))).onFailure(ctx::fail);
  }

  private void deletePreset(RoutingContext ctx) {
    String id = ctx.pathParam("preset");
    if (Templates.builtInPresets(tools).stream().anyMatch(p -> p.id().equals(id))) {
      throw new ApiException(ErrorKind.FORBIDDEN, "Preset " + id + " is built in and cannot be deleted");
    }
    blocks.deletePreset(Authenticator.user(ctx), id).onSuccess(p -> Responses.json(ctx, 200,
        new JsonObject().put("message", "Preset preset_id=" + id + " successfully deleted"))).onFailure(ctx::fail);
  }

  /** PresetModel. */
  private static JsonObject preset(Preset p) {
    JsonArray functions = new JsonArray();
    p.functionsSchema().forEach(f -> functions.add(new JsonObject(f)));
    return new JsonObject().put("name", p.name()).put("id", p.id()).put("user_id", p.userId())
        .put("description", p.description()).put("created_at", Times.iso(p.createdAt())).put("system", p.system())
        .put("persona", p.persona()).put("persona_name", p.personaName()).put("human", p.human())
        .put("human_name", p.humanName()).put("functions_schema", functions);
  }

  // config and tools

  /**
   * MemGPT's config: the defaults an agent is created with, the model and embedding in use and where things are
   * stored (PostgreSQL, without its address); {@code defaults} is the same, as nothing here is per-user.
   */
  private void config(RoutingContext ctx) {
    JsonObject config = new JsonObject().put("anon_clientid", "00000000-0000-0000-0000-000000000000")
        .putNull("config_path").put("preset", Templates.DEFAULT_PRESET).put("persona", Templates.DEFAULT_PERSONA)
        .put("human", Templates.DEFAULT_HUMAN).put("default_llm_config", views.defaultLlmConfig())
        .put("default_embedding_config", views.embeddingConfig())
        .put("archival_storage_type", "postgres").putNull("archival_storage_path").putNull("archival_storage_uri")
        .put("recall_storage_type", "postgres").putNull("recall_storage_path").putNull("recall_storage_uri")
        .put("metadata_storage_type", "postgres").putNull("metadata_storage_path").putNull("metadata_storage_uri")
        .putNull("persistence_manager_type").putNull("persistence_manager_save_file")
        .putNull("persistence_manager_uri").put("memgpt_version", EngramServer.VERSION).put("policies_accepted", true)
        .put("core_memory_persona_char_limit", Block.PERSONA_HUMAN_LIMIT)
        .put("core_memory_human_char_limit", Block.PERSONA_HUMAN_LIMIT);
    Responses.json(ctx, 200, new JsonObject().put("config", config).put("defaults", config.copy()));
  }
}
