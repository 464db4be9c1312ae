package dev.engram.http.letta;

import dev.engram.agent.AgentClient;
import dev.engram.agent.AgentProtocol.CreateAgent;
import dev.engram.http.Authenticator;
import dev.engram.http.Bodies;
import dev.engram.http.HttpSettings;
import dev.engram.http.PrefixedIds;
import dev.engram.http.Responses;
import dev.engram.http.RouteTable;
import dev.engram.http.UploadBody;
import dev.engram.kernel.Times;
import dev.engram.model.AgentSummary;
import dev.engram.model.Block;
import dev.engram.model.Message;
import dev.engram.store.BlockClient;
import dev.engram.store.StoreClient;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Agent Files: {@code GET /v1/agents/{id}/export} writes Letta's {@code .af} JSON of an agent (blocks, tools,
 * settings, its recall history with what is in context); {@code POST /v1/agents/import} (multipart, the file in the
 * field {@code file}, as the SDK sends it) makes new agents of a file's agents, with new ids.
 */
public final class LettaAgentFileRoutes {
  /** The newest messages an export carries; older ones (and in-context ones among them) are left out. */
  static final int MAX_EXPORTED_MESSAGES = 10_000;
  private static final int PAGE = 1000;
  /** Our agent names: at most 50 of these characters (see AgentService). */
  private static final int MAX_NAME = 50;

  private final AgentClient agents;
  private final StoreClient store;
  private final BlockClient blocks;
  private final AgentFiles files;
  private final UploadBody uploads;

  public LettaAgentFileRoutes(AgentClient agents, StoreClient store, BlockClient blocks, LettaViews views,
      HttpSettings settings) {
    this.agents = agents;
    this.store = store;
    this.blocks = blocks;
    this.files = new AgentFiles(views);
    this.uploads = new UploadBody(settings.uploadsDir(), settings.maxUploadBytes(), settings.bodyReadTimeoutMs());
  }

  public void mount(RouteTable router) {
    router.post("/v1/agents/import").handler(this::importFile);
    router.get("/v1/agents/:agent_id/export").handler(this::export);
  }

  private void export(RoutingContext ctx) {
    String userId = Authenticator.user(ctx);
    String scrubbed = ctx.queryParams().get("scrub_messages");
    if (scrubbed != null && !scrubbed.isBlank() && !scrubbed.equals("true") && !scrubbed.equals("false")) {
      throw Bodies.invalid("query parameter scrub_messages must be true or false, got '" + scrubbed + "'");
    }
    boolean scrub = "true".equals(scrubbed);
    agents.get(userId, ctx.pathParam("agent_id"))
        .compose(view -> (scrub ? Future.succeededFuture(List.<Message>of())
            : history(userId, view.agent().id(), null, new ArrayList<>()))
            .map(history -> files.export(view.agent(), history, Times.now())))
        .onSuccess(file -> Responses.json(ctx, 200, file))
        .onFailure(ctx::fail);
  }

  /** The agent's newest messages, at most {@link #MAX_EXPORTED_MESSAGES}, oldest first. */
  private Future<List<Message>> history(String userId, String agentId, String before, List<Message> newestFirst) {
    return store.cursorMessages(userId, agentId, before, null, PAGE).compose(page -> {
      newestFirst.addAll(page.messages());
      if (page.messages().size() < PAGE || newestFirst.size() >= MAX_EXPORTED_MESSAGES) {
        List<Message> out = new ArrayList<>(newestFirst.subList(0, Math.min(newestFirst.size(),
            MAX_EXPORTED_MESSAGES)));
        Collections.reverse(out);
        return Future.succeededFuture(out);
      }
      return history(userId, agentId, page.messages().get(page.messages().size() - 1).id(), newestFirst);
    });
  }

  /**
   * Reads the file, plans every agent in it (nothing is stored when any of it is wrong), stores the file's blocks,
   * then creates the agents; answers {@code {"agent_ids": [...]}}. A name the user already has gets a suffix.
   */
  private void importFile(RoutingContext ctx) {
    String userId = Authenticator.user(ctx);
    uploads.read(ctx, "file")
        .compose(upload -> ctx.vertx().fileSystem().readFile(upload.path().toString())
            .eventually(() -> ctx.vertx().fileSystem().delete(upload.path().toString())))
        .compose(bytes -> store.listAgents(userId).map(list -> {
          Set<String> taken = new HashSet<>();
          list.agents().stream().map(AgentSummary::agent).forEach(a -> taken.add(a.name()));
          return files.plan(AgentFiles.parse(bytes), userId, options(ctx.request().formAttributes()),
              uniqueNames(taken));
        }))
        .compose(plan -> blocks.create(userId, plan.blocks()).compose(created -> createAll(userId, plan, 0))
            .recover(e -> forget(userId, plan.blocks()).transform(v -> Future.failedFuture(e))))
        .onSuccess(ids -> {
          JsonArray out = new JsonArray();
          ids.forEach(id -> out.add(PrefixedIds.prefixed(PrefixedIds.AGENT, id)));
          Responses.json(ctx, 200, new JsonObject().put("agent_ids", out));
        })
        .onFailure(ctx::fail);
  }

  private Future<List<String>> createAll(String userId, AgentFiles.Plan plan, int i) {
    if (i == plan.agents().size()) {
      return Future.succeededFuture(plan.agentIds());
    }
    return agents.create(new CreateAgent(userId, plan.agentIds().get(i), plan.agents().get(i)))
        .compose(view -> createAll(userId, plan, i + 1));
  }

  /** Deletes the blocks of an import that failed (best effort: the failure is what the client hears of). */
  private Future<Void> forget(String userId, List<Block> created) {
    List<Future<?>> deletes = new ArrayList<>();
    created.forEach(b -> deletes.add(blocks.delete(userId, b.id())));
    return Future.join(deletes).transform(v -> Future.succeededFuture());
  }

  /** Letta's form fields: name (or override_name), append_copy_suffix (default true), strip_messages, model. */
  private static AgentFiles.Options options(MultiMap form) {
    String name = blankToNull(form.get("name"));
    if (name == null) {
      name = blankToNull(form.get("override_name"));
    }
    String model = blankToNull(form.get("model"));
    if (model == null) {
      model = blankToNull(form.get("override_model_handle"));
    }
    return new AgentFiles.Options(name, !"false".equalsIgnoreCase(form.get("append_copy_suffix")),
        "true".equalsIgnoreCase(form.get("strip_messages")), model);
  }

  /**
   * Names fit for an agent of this user: characters our names do not allow become '_', at most 50 of them, and a
   * name the user has (or this import took) gets "_2", "_3"... A missing name stays missing (one is drawn).
   */
  static UnaryOperator<String> uniqueNames(Set<String> taken) {
    return wanted -> {
      if (wanted == null) {
        return null;
      }
      String clean = wanted.replaceAll("[^\\p{L}\\p{N} _'-]", "_");
      clean = clean.isBlank() ? "imported" : clean;
      String name = cut(clean, MAX_NAME);
      for (int n = 2; taken.contains(name); n++) {
        String suffix = "_" + n;
        name = cut(clean, MAX_NAME - suffix.length()) + suffix;
      }
      taken.add(name);
      return name;
    };
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
