package dev.engram.http;

import dev.engram.agent.AgentClient;
import dev.engram.agent.ArchivalMemory;
import dev.engram.embed.Chunker;
import dev.engram.embed.EmbedClient;
import dev.engram.store.ArchivalClient;
import dev.engram.agent.tool.ToolRegistry;
import dev.engram.store.BlockClient;
import dev.engram.store.ConversationClient;
import dev.engram.store.RunClient;
import dev.engram.store.StoreClient;
import dev.engram.llm.LlmProbe;
import dev.engram.memory.MemoryService;
import dev.engram.store.MemoryClient;
import dev.engram.store.McpServerClient;
import dev.engram.mcp.McpService;
import dev.engram.agent.tool.Toolsets;
import dev.engram.sandbox.SandboxClient;
import dev.engram.store.ToolClient;
import dev.engram.http.api.AdminRoutes;
import dev.engram.http.api.AgentRoutes;
import dev.engram.http.api.AgentSocket;
import dev.engram.http.api.ArchivalRoutes;
import dev.engram.http.api.ArchivalViews;
import dev.engram.http.api.AuthRoutes;
import dev.engram.http.api.MessageRoutes;
import dev.engram.http.api.SourceRoutes;
import dev.engram.http.api.Views;
import dev.engram.http.docs.DocsRoutes;
import dev.engram.http.memory.AgentScopeRoutes;
import dev.engram.http.memory.AddEventRoutes;
import dev.engram.http.memory.ChatRoutes;
import dev.engram.http.memory.WebhookRoutes;
import dev.engram.store.AddEventClient;
import dev.engram.store.WebhookClient;
import dev.engram.http.memory.MemoryRoutes;
import dev.engram.http.memory.PlatformExports;
import dev.engram.http.memory.PlatformMemoryRoutes;
import dev.engram.http.memory.PlatformRoutes;
import dev.engram.http.api.TemplateRoutes;
import dev.engram.http.letta.LettaAgentFileRoutes;
import dev.engram.http.letta.LettaAgentRoutes;
import dev.engram.http.letta.LettaAgentStates;
import dev.engram.http.letta.LettaApprovalRoutes;
import dev.engram.http.letta.LettaArchivalRoutes;
import dev.engram.http.letta.LettaBlockRoutes;
import dev.engram.http.letta.ConversationTargets;
import dev.engram.http.letta.LettaConversationMessageRoutes;
import dev.engram.http.letta.LettaConversationRoutes;
import dev.engram.http.letta.LettaCoreMemoryRoutes;
import dev.engram.http.letta.LettaFolderRequests;
import dev.engram.http.letta.LettaFolderRoutes;
import dev.engram.http.letta.LettaFolderViews;
import dev.engram.http.letta.LettaJobRoutes;
import dev.engram.http.letta.LettaMcpRoutes;
import dev.engram.http.api.ToolRoutes;
import dev.engram.http.letta.LettaMessageRoutes;
import dev.engram.http.letta.LettaModels;
import dev.engram.http.letta.LettaRunRoutes;
import dev.engram.http.letta.LettaSourceRoutes;
import dev.engram.http.letta.LettaToolRoutes;
import dev.engram.http.letta.LettaViews;
import dev.engram.http.letta.LettaSystemRoutes;
import dev.engram.http.letta.LettaTransport;
import dev.engram.http.letta.LettaUnimplemented;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;

/**
 * The route table: the edge (body reading and limits, input rules), authentication in front of every route but the
 * public ones, each resource's routes, and the failure handler.
 */
final class ApiRouter {
  /** The only routes reachable without credentials (RouteTableTest holds the same list). */
  private static final PublicRoutes PUBLIC = PublicRoutes.of(
      "GET /health", // load balancers and the seed's probe
      "GET /health/live", // orchestrators' probes
      "GET /health/ready",
      // decides its own access (METRICS_ACCESS: open on loopback, the admin password otherwise): MetricsRoutes
      "GET /metrics",
      "GET /api/models",
      // the WebSocket authenticates its handshake itself (bearer header or ?token=JWT)
      "GET /api/agents/:agent_id/ws",
      "GET /v1/health", // Letta's health probe, exempt from auth there too
      // the web app's page and assets (what they call is authenticated)
      WebAppRoutes.PAGE, WebAppRoutes.ASSETS,
      // the API's description and its interactive page (the page asks for a token to try routes out)
      "GET /openapi.json", "GET /docs", "GET /docs/:file"
  );

  /** How long a health check waits for the embedder. */
  private static final long HEALTH_TIMEOUT_MS = 3_000;

  private ApiRouter() {}

  static RouteTable create(Vertx vertx, HttpSettings settings, JWTAuth jwt) {
    StoreClient store = new StoreClient(vertx);
    AgentClient agents = new AgentClient(vertx, settings.agentShards(), settings.stepTimeoutMs());
    Authenticator auth = new Authenticator(vertx, store, jwt, settings.adminPassword(), settings.staticApiKey(),
        new AdminClaim(settings.adminPassword(), settings.jwtSecret()));
    ArchivalViews archivalViews = new ArchivalViews(settings.embedding(), settings.chunkTokens());
    ToolRegistry tools = new ToolRegistry();
    Views views = new Views(tools, settings.llm(), archivalViews);
    BlockClient blocks = new BlockClient(vertx);
    MemoryClient memoryStore = new MemoryClient(vertx);
    MemoryService memoryService = new MemoryService(vertx, settings.memoryTimeoutMs());
    EmbedClient embedder = new EmbedClient(vertx, settings.embedding().timeoutMs());
    ChatRoutes chat = new ChatRoutes(memoryService, memoryStore);
    McpService mcp = new McpService(vertx, settings.mcp());
    McpServerClient mcpStore = new McpServerClient(vertx);
    SandboxClient sandbox = new SandboxClient(vertx, settings.tools().defaults().wallSeconds());
    Toolsets toolsets = new Toolsets(tools, new ToolClient(vertx), mcpStore, sandbox, mcp);
    ToolEdits toolEdits = new ToolEdits(new ToolClient(vertx), sandbox, agents, tools, settings.tools().allowNetwork());

    RouteTable router = new RouteTable(vertx);
    Router main = router.main();
    // first: the request id and the access-log line cover everything below, re-routes and failures included
    main.route().handler(new AccessLog(new RouteTemplates(router))::handle);
    main.route().handler(LettaTransport::normalize);
    main.route().handler(new RequestBodies(settings)).handler(BodyIdleTimer::stopOnceRead);
    main.route().handler(InputRules::check);
    main.route().handler(auth.requiredExcept(PUBLIC));
    // then /api/... and /v1/... are matched against their own routes only (RouteTable)
    router.gate();

    WebAppRoutes.mount(router);
    router.get("/api/models").handler(ctx -> Responses.json(ctx, 200, new JsonObject().put("models",
        new JsonArray().add(views.llmConfig(settings.llm().model(), settings.llm().contextWindow())))));
    new HealthRoutes(new HealthChecks(memoryStore, new EmbedClient(vertx, HEALTH_TIMEOUT_MS),
        new LlmProbe(vertx, settings.llm()))).mount(router);
    new MetricsRoutes(settings.metricsAccess(), auth).mount(router);
    new AgentSocket(agents, auth).mount(router);
    new AdminRoutes(store).mount(router);
    new AuthRoutes(jwt, auth, settings.jwtTtlSeconds()).mount(router);
    new AgentRoutes(agents, store, views).mount(router);
    new TemplateRoutes(blocks, views, tools).mount(router);
    new ToolRoutes(tools, toolsets, toolEdits).mount(router);
    new MessageRoutes(agents, store).mount(router);
    ArchivalClient archivalStore = new ArchivalClient(vertx);
    ArchivalMemory archival = new ArchivalMemory(vertx, embedder, archivalStore, memoryStore,
        new Chunker(settings.chunkTokens()), settings.embedding().model());
    new ArchivalRoutes(archival, archivalStore).mount(router);
    new SourceRoutes(archivalStore, archivalViews, settings).mount(router);
    // the memory-service APIs (Mem0, semantic-memory chat) live at the root, as their clients expect
    new MemoryRoutes(memoryService, memoryStore, embedder, settings.embedding().model()).mount(router);
    // the Mem0 platform paths (api.mem0.ai) for the official mem0ai clients, on the same store
    new PlatformRoutes(memoryService, memoryStore, embedder, settings.embedding().model()).mount(router);
    new PlatformMemoryRoutes(memoryStore, embedder, settings.embedding().model()).mount(router);
    new PlatformExports(memoryStore, embedder, settings.embedding().model()).mount(router);
    // Mem0 scopes attached to agents (/api and /v1), searched by their archival memory
    new AgentScopeRoutes(memoryStore).mount(router);
    // the outcome of asynchronous adds: polled, streamed, and POSTed to the webhooks users register
    new AddEventRoutes(vertx, new AddEventClient(vertx)).mount(router);
    new WebhookRoutes(new WebhookClient(vertx), settings.webhookAllowPrivateUrls()).mount(router);
    chat.mount(router);
    // Letta's /v1 API, on the same store (its ids and trailing slashes are normalised by LettaTransport)
    LettaModels lettaModels = new LettaModels(settings.llm(), settings.embedding());
    new LettaSystemRoutes(lettaModels).mount(router);
    LettaFolderViews folderViews = new LettaFolderViews(lettaModels, settings.chunkTokens());
    LettaViews lettaViews = new LettaViews(tools, lettaModels, folderViews, settings.mcp().maxResultChars());
    LettaAgentStates agentStates = new LettaAgentStates(archivalStore, store, lettaViews, toolsets);
    new LettaAgentFileRoutes(agents, store, blocks, lettaViews, settings).mount(router);
    new LettaAgentRoutes(agents, store, archivalStore, lettaViews, agentStates).mount(router);
    new LettaCoreMemoryRoutes(agents, agentStates).mount(router);
    new LettaBlockRoutes(blocks, store, agentStates).mount(router);
    new LettaToolRoutes(agents, lettaViews, agentStates, toolsets, toolEdits).mount(router);
    new LettaApprovalRoutes(agents, agentStates).mount(router);
    LettaMessageRoutes lettaMessages = new LettaMessageRoutes(agents, store);
    lettaMessages.mount(router);
    RunClient runs = new RunClient(vertx);
    new LettaRunRoutes(agents, runs).mount(router);
    ConversationClient conversations = new ConversationClient(vertx);
    ConversationTargets conversationTargets = new ConversationTargets(conversations);
    new LettaConversationRoutes(agents, conversations, conversationTargets, lettaModels).mount(router);
    new LettaConversationMessageRoutes(agents, runs, lettaMessages, conversationTargets).mount(router);
    SourceUploads uploads = new SourceUploads(archivalStore, settings);
    LettaFolderRequests folderRequests = new LettaFolderRequests(lettaModels, settings.embedding().model(),
        settings.embedding().dimension());
    new LettaArchivalRoutes(archival, archivalStore, folderViews).mount(router);
    new LettaFolderRoutes(archivalStore, uploads, folderViews, folderRequests, agents, agentStates).mount(router);
    new LettaSourceRoutes(archivalStore, uploads, folderViews, folderRequests).mount(router);
    new LettaJobRoutes(archivalStore).mount(router);
    new LettaMcpRoutes(mcp, mcpStore, settings.mcp().maxResultChars()).mount(router);
    // /openapi.json describes every route above (OpenApiDocumentTest fails when one is missing) and /docs shows it
    new DocsRoutes().mount(router);

    // a route of the Letta SDK that Engram does not implement answers 501 naming it, not 404
    FailureHandler failures = new FailureHandler(settings, router, LettaUnimplemented::explain);
    main.route().failureHandler(failures);
    main.errorHandler(404, failures);
    main.errorHandler(405, failures);
    main.errorHandler(413, failures);
    main.errorHandler(400, failures);
    return router;
  }
}
