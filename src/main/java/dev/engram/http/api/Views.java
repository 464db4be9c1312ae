package dev.engram.http.api;

import dev.engram.agent.AgentProtocol.AgentView;
import dev.engram.agent.tool.ToolRegistry;
import dev.engram.kernel.Times;
import dev.engram.llm.LlmSettings;
import dev.engram.model.Agent;
import dev.engram.model.AgentSummary;
import dev.engram.model.CoreMemory;
import dev.engram.model.Message;
import dev.engram.model.ToolCall;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** JSON shapes of the MemGPT REST API, rendered from our records. */
public final class Views {
  private final ToolRegistry tools;
  private final LlmSettings llm;
  private final ArchivalViews archival;

  public Views(ToolRegistry tools, LlmSettings llm, ArchivalViews archival) {
    this.tools = tools;
    this.llm = llm;
    this.archival = archival;
  }

  /** AgentStateModel: the agent with its system prompt, tools and in-context message ids. */
  JsonObject agentState(AgentView view) {
    Agent a = view.agent();
    JsonArray functions = new JsonArray(tools.schemas(a.tools()));
    String persona = a.memory().valueOf(CoreMemory.PERSONA);
    String human = a.memory().valueOf(CoreMemory.HUMAN);
    return new JsonObject()
        .put("id", a.id()).put("name", a.name()).put("description", a.description()).put("user_id", a.userId())
        .put("created_at", a.createdAt().getEpochSecond()).put("preset", a.preset())
        .put("persona", a.personaTemplate() != null ? a.personaTemplate() : persona)
        .put("human", a.humanTemplate() != null ? a.humanTemplate() : human)
        .put("functions_schema", functions)
        .put("llm_config", llmConfig(a.model(), a.contextWindow()))
        .put("embedding_config", archival.embeddingConfig())
        .put("state", new JsonObject().put("persona", persona).put("human", human)
            .put("system", view.system()).put("functions", functions)
            .put("messages", new JsonArray(a.inContextIds())));
  }

  /** The llm_config of the configured model. */
  JsonObject defaultLlmConfig() {
    return llmConfig(llm.model(), llm.contextWindow());
  }

  JsonObject embeddingConfig() {
    return archival.embeddingConfig();
  }

  public JsonObject llmConfig(String model, int contextWindow) {
    return new JsonObject().put("model", model).put("model_endpoint_type", "openai")
        .put("model_endpoint", llm.baseUrl()).put("model_wrapper", null).put("context_window", contextWindow);
  }

  /** One entry of GET /api/agents. */
  JsonObject agentListItem(AgentSummary s) {
    Agent a = s.agent();
    JsonArray toolModels = new JsonArray();
    for (JsonObject schema : tools.schemas(a.tools())) {
      String name = schema.getString("name");
      toolModels.add(new JsonObject().put("name", name)
          .put("id", ToolRegistry.toolId(name))
          .put("tags", new JsonArray().add("memgpt-base")).put("source_type", "python").put("source_code", null)
          .put("json_schema", schema));
    }
    return new JsonObject().put("id", a.id()).put("name", a.name())
        .put("human", a.humanTemplate() != null ? a.humanTemplate() : "custom")
        .put("persona", a.personaTemplate() != null ? a.personaTemplate() : "custom")
        .put("created_at", Times.iso(a.createdAt())).put("tools", toolModels)
        .put("memory", memory(a.memory(), s.recallCount(), s.archivalCount()))
        .put("last_run", Times.iso(a.lastRunAt())).put("sources", new JsonArray());
  }

  static JsonObject memory(CoreMemory memory, long recall, long archival) {
    return new JsonObject().put("core_memory", core(memory)).put("recall_memory", recall)
        .put("archival_memory", archival);
  }

  /** The usage block of a send's answer (and of the WebSocket's done frame). */
  static JsonObject usage(dev.engram.llm.LlmReply.Usage usage, int stepCount) {
    return new JsonObject().put("completion_tokens", usage.completionTokens())
        .put("prompt_tokens", usage.promptTokens()).put("total_tokens", usage.totalTokens())
        .put("step_count", stepCount);
  }

  /** Core memory by label: human and persona first (the seed's two), then any other block the agent has. */
  static JsonObject core(CoreMemory memory) {
    JsonObject core = new JsonObject().put("human", memory.valueOf(CoreMemory.HUMAN))
        .put("persona", memory.valueOf(CoreMemory.PERSONA));
    memory.blocks().forEach(b -> core.put(b.label(), b.value()));
    return core;
  }

  /** Message.to_json of the 0.3.x API. */
  static JsonObject message(Message m) {
    JsonArray calls = null;
    if (!m.toolCalls().isEmpty()) {
      calls = new JsonArray();
      for (ToolCall c : m.toolCalls()) {
        calls.add(new JsonObject().put("id", c.id()).put("tool_call_type", "function")
            .put("function", new JsonObject().put("name", c.name()).put("arguments", c.arguments())));
      }
    }
    return new JsonObject().put("id", m.id()).put("user_id", m.userId()).put("agent_id", m.agentId())
        .put("text", m.text()).put("model", m.model()).put("created_at", Times.iso(m.createdAt()))
        .put("role", m.role()).put("name", m.name()).put("embedding", null).put("embedding_dim", null)
        .put("embedding_model", null).put("tool_calls", calls).put("tool_call_id", m.toolCallId());
  }
}
