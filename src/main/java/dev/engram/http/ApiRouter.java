package dev.engram.http;

import dev.engram.agent.AgentClient;
import dev.engram.agent.ArchivalMemory;
import dev.engram.embed.Chunker;
import dev.engram.embed.EmbedClient;
import dev.engram.store.ArchivalClient;
import dev.engram.agent.tool.ToolRegistry;
import dev.engram.store.StoreClient;
import dev.engram.memory.MemoryService;
import dev.engram.store.MemoryClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/** The route table: platform handlers, then authentication, then each resource's routes, then the failure handler. */
final class ApiRouter {
  private static final String[] MEMORY_PATHS = {
      "/memories", "/memories/*", "/search", "/configure", "/reset", "/sessions", "/sessions/*", "/chat"};

  private ApiRouter() {}

  static Router create(Vertx vertx, HttpSettings settings, JWTAuth jwt) {
    StoreClient store = new StoreClient(vertx);
    AgentClient agents = new AgentClient(vertx, settings.agentShards(), settings.stepTimeoutMs());
    Authenticator auth = new Authenticator(vertx, store, jwt, settings.adminPassword(), settings.staticApiKey());
    ArchivalViews archivalViews = new ArchivalViews(settings.embedding(), settings.chunkTokens());
    Views views = new Views(new ToolRegistry(), settings.llm(), archivalViews);
    FailureHandler failures = new FailureHandler(settings.maxBodyBytes());

    Router router = Router.router(vertx);
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes());
    router.route().handler(ctx -> {
      HttpMethod m = ctx.request().method();
      boolean upload = ctx.request().path().endsWith("/upload");
      if ((m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH) && !upload) {
        bodies.handle(ctx);
      } else if (upload) {
        // held until authentication has passed and the upload's own body handler (larger limit, files on disk) runs
        ctx.request().pause();
        ctx.next();
      } else {
        ctx.next();
      }
    });

    // unauthenticated
    router.get("/api/models").handler(ctx -> Responses.json(ctx, 200, new JsonObject().put("models",
        new JsonArray().add(views.llmConfig(settings.llm().model(), settings.llm().contextWindow())))));
    // the WebSocket authenticates its handshake itself (bearer header or ?token=JWT)
    new AgentSocket(agents, auth).mount(router);

    MemoryClient memoryStore = new MemoryClient(vertx);
    MemoryService memoryService = new MemoryService(vertx, settings.memoryTimeoutMs());
    EmbedClient embedder = new EmbedClient(vertx, settings.embedding().timeoutMs());
    ChatRoutes chat = new ChatRoutes(memoryService, memoryStore);
    chat.mountHealth(router);

    router.route("/admin/*").handler(auth::admin);
    new AdminRoutes(store).mount(router);

    router.route("/api/*").handler(auth::api);
    new AuthRoutes(jwt, settings.jwtTtlSeconds()).mount(router);
    new AgentRoutes(agents, store, views).mount(router);
    new MessageRoutes(agents, store).mount(router);
    ArchivalClient archivalStore = new ArchivalClient(vertx);
    ArchivalMemory archival = new ArchivalMemory(vertx, embedder, archivalStore, new Chunker(settings.chunkTokens()), settings.embedding().model());
    new ArchivalRoutes(archival, archivalStore).mount(router);
    new SourceRoutes(archivalStore, archivalViews, settings).mount(router);

    // the memory-service APIs (Mem0, semantic-memory chat) live at the root, as their clients expect
    for (String path : MEMORY_PATHS) {
      router.route(path).handler(auth::api);
    }
    new MemoryRoutes(memoryService, memoryStore, embedder, settings.embedding().model()).mount(router);
    chat.mount(router);

    router.route().failureHandler(failures);
    router.errorHandler(404, failures);
    router.errorHandler(405, failures);
    router.errorHandler(413, failures);
    router.errorHandler(400, failures);
    return router;
  }
}
