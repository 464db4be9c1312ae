package dev.engram.http.letta;

import dev.engram.agent.AgentProtocol.ContextWindow;
import dev.engram.agent.Templates;
import dev.engram.agent.tool.ToolRegistry;
import dev.engram.agent.tool.UserTools;
import dev.engram.mcp.SecretMask;
import dev.engram.model.CustomTool;
import dev.engram.model.McpTool;
import dev.engram.http.PrefixedIds;
import dev.engram.kernel.Times;
import dev.engram.model.Agent;
import dev.engram.model.Block;
import dev.engram.model.Message;
import dev.engram.model.Source;
import dev.engram.model.ToolCall;
import dev.engram.model.ToolRule;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Letta's JSON shapes of agents, blocks, tools and the context window (letta-v1.md §2), with prefixed ids. Blocks
 * also carry the 0.4 client's names for their fields ({@code name}, {@code template}, {@code metadata_}).
 */
public final class LettaViews {
  private final ToolRegistry tools;
  private final LettaModels models;
  private final LettaFolderViews folders;
  private final int mcpReturnChars;

  public LettaViews(ToolRegistry tools, LettaModels models, LettaFolderViews folders) {
    this(tools, models, folders, dev.engram.sandbox.Limits.DEFAULT_RETURN_CHARS);
  }

  /** {@code mcpReturnChars}: the return_char_limit shown on MCP tools (MCP_MAX_RESULT_CHARS). */
  public LettaViews(ToolRegistry tools, LettaModels models, LettaFolderViews folders, int mcpReturnChars) {
    this.tools = tools;
    this.models = models;
    this.folders = folders;
    this.mcpReturnChars = mcpReturnChars;
  }

  public int mcpReturnChars() {
    return mcpReturnChars;
  }

  public ToolRegistry tools() {
    return tools;
  }

  public LettaModels models() {
    return models;
  }

  /**
   * The AgentState, with every relationship loaded (the include rule allows returning all of it): {@code folders}
   * are the folders attached to the agent, its {@code sources} ({@link LettaAgentStates} reads them).
   */
  JsonObject agentState(Agent a, List<Source> attached) {
    return agentState(a, attached, UserTools.NONE);
  }

  /** {@code user}: the user's own and MCP tools among the agent's (its other tools are built in). */
  JsonObject agentState(Agent a, List<Source> attached, UserTools userTools) {
    JsonArray sources = new JsonArray();
    attached.forEach(s -> sources.add(folders.folder(s)));
    JsonArray blocks = blocks(a.memory().blocks());
    JsonArray toolList = new JsonArray();
    a.tools().forEach(name -> {
      JsonObject t = tool(name, userTools);
      if (t != null) {
        toolList.add(t);
      }
    });
    JsonArray messageIds = new JsonArray();
    a.inContextIds().forEach(id -> messageIds.add(PrefixedIds.prefixed(PrefixedIds.MESSAGE, id)));
    String user = PrefixedIds.prefixed(PrefixedIds.USER, a.userId());
    return new JsonObject()
        .put("id", PrefixedIds.prefixed(PrefixedIds.AGENT, a.id()))
        .put("name", a.name())
        .put("agent_type", a.agentType())
        .put("description", a.description())
        .put("metadata", new JsonObject(a.metadata()))
        .put("tags", new JsonArray(a.tags()))
        .put("system", Templates.instructions(a))
        .put("created_at", Times.iso(a.createdAt()))
        .put("updated_at", Times.iso(a.updatedAt()))
        .put("created_by_id", user)
        .put("last_updated_by_id", user)
        .put("model", LettaModels.llmHandle(a.model()))
        .put("embedding", models.embeddingHandle())
        .put("llm_config", models.llmConfig(a.model(), a.contextWindow()))
        .put("embedding_config", models.embeddingConfig())
        .put("model_settings", new JsonObject().put("provider_type", LettaModels.LLM_PROVIDER)
            .putNull("temperature").putNull("max_output_tokens").put("parallel_tool_calls", false))
        .put("blocks", blocks)
        .put("memory", new JsonObject().put("blocks", blocks.copy()).put("agent_type", a.agentType())
            .put("file_blocks", new JsonArray()).put("git_enabled", false).putNull("prompt_template"))
        .put("tools", toolList)
        .put("sources", sources)
        .put("tool_rules", ToolRule.toJson(a.toolRules().rules()))
        .put("message_ids", messageIds)
        .put("message_buffer_autoclear", false)
        .put("timezone", a.timezone())
        .put("last_run_completion", Times.iso(a.lastRunAt()))
        .putNull("last_run_duration_ms")
        .putNull("last_stop_reason")
        .put("identities", new JsonArray())
        .put("identity_ids", new JsonArray())
        .put("secrets", new JsonArray())
        .put("tool_exec_environment_variables", new JsonArray())
        .putNull("managed_group")
        .putNull("multi_agent_group")
        .putNull("pending_approval")
        .put("enable_sleeptime", false)
        .putNull("response_format")
        .putNull("compaction_settings")
        .putNull("hidden")
        .putNull("project_id")
        .putNull("template_id")
        .putNull("base_template_id")
        .putNull("deployment_id")
        .putNull("entity_id")
        .put("max_files_open", 5)
        .put("per_file_view_window_char_limit", 15000);
  }

  public static JsonArray blocks(List<Block> blocks) {
    JsonArray out = new JsonArray();
    blocks.forEach(b -> out.add(block(b)));
    return out;
  }

  /** A BlockResponse; a built-in template has no owner. */
  public static JsonObject block(Block b) {
    String user = b.userId() == null ? null : PrefixedIds.prefixed(PrefixedIds.USER, b.userId());
    JsonObject metadata = new JsonObject(b.metadata());
    return new JsonObject()
        .put("id", PrefixedIds.prefixed(PrefixedIds.BLOCK, b.id()))
        .put("label", b.label())
        .put("value", b.value())
        .put("limit", b.limit())
        .put("description", b.description())
        .put("metadata", metadata)
        .put("read_only", b.readOnly())
        .put("is_template", b.template())
        .put("template_name", b.templateName())
        .put("tags", new JsonArray(b.tags()))
        .put("created_at", Times.iso(b.createdAt()))
        .put("updated_at", Times.iso(b.updatedAt()))
        .put("created_by_id", user)
        .put("last_updated_by_id", user)
        .put("preserve_on_migration", false)
        .putNull("hidden")
        .putNull("project_id")
        .putNull("template_id")
        .putNull("base_template_id")
        .putNull("deployment_id")
        .putNull("entity_id")
        // the 0.4 client's Block: its name is the template's name, else the label (the prompt's tag in 0.4)
        .put("name", b.templateName() != null ? b.templateName() : b.label())
        .put("template", b.template())
        .put("metadata_", metadata.copy())
        .put("user_id", user);
  }

  /** A built-in tool as Letta's Tool, or null when there is no such tool. */
  /** The named tool (built in, or the user's own or MCP one) as Letta's Tool, or null when there is none. */
  public JsonObject tool(String name, UserTools user) {
    if (tools.has(name)) {
      return tool(name);
    }
    CustomTool own = user.custom(name);
    if (own != null) {
      return customTool(own);
    }
    McpTool remote = user.mcp(name);
    return remote == null ? null : LettaMcpRoutes.tool(remote, mcpReturnChars);
  }

  /** A user's own tool as Letta's Tool (tool_type custom), its environment variables masked. */
  public JsonObject customTool(CustomTool t) {
    String user = PrefixedIds.prefixed(PrefixedIds.USER, t.userId());
    return new JsonObject()
        .put("id", PrefixedIds.prefixed(PrefixedIds.TOOL, t.id()))
        .put("name", t.name())
        .put("description", t.description())
        .put("tool_type", "custom")
        .put("source_type", t.sourceType())
        .put("source_code", t.sourceCode())
        .put("json_schema", new JsonObject(io.vertx.core.json.Json.encode(t.jsonSchema())))
        .putNull("args_json_schema")
        .put("return_char_limit", t.returnCharLimit())
        .put("tags", new JsonArray(t.tags()))
        .putNull("pip_requirements")
        .putNull("npm_requirements")
        .put("default_requires_approval", t.defaultRequiresApproval())
        .put("enable_parallel_execution", false)
        .put("metadata_", new JsonObject(io.vertx.core.json.Json.encode(t.metadata())))
        .put("env", new JsonObject(new java.util.LinkedHashMap<>(SecretMask.mask(t.env()))))
        .put("allow_network", t.allowNetwork())
        .putNull("project_id")
        .put("created_by_id", user)
        .put("last_updated_by_id", user)
        .put("created_at", Times.iso(t.createdAt()))
        .put("updated_at", Times.iso(t.updatedAt()));
  }

  public JsonObject tool(String name) {
    JsonObject schema = tools.schema(name);
    if (schema == null) {
      return null;
    }
    String type = tools.toolType(name);
    return new JsonObject()
        .put("id", PrefixedIds.prefixed(PrefixedIds.TOOL, ToolRegistry.toolId(name)))
        .put("name", name)
        .put("description", schema.getString("description"))
        .put("tool_type", type)
        .put("source_type", "python")
        .putNull("source_code")
        .put("json_schema", schema.copy())
        .putNull("args_json_schema")
        .put("return_char_limit", tools.outputLimit(name))
        .put("tags", new JsonArray().add(type))
        .putNull("pip_requirements")
        .putNull("npm_requirements")
        .putNull("default_requires_approval")
        .put("enable_parallel_execution", false)
        .put("metadata_", new JsonObject())
        .putNull("project_id")
        .putNull("created_by_id")
        .putNull("last_updated_by_id")
        .putNull("module")
        .putNull("user_id");
  }

  /** Letta's ContextWindowOverview. */
  public JsonObject context(ContextWindow c) {
    JsonArray functions = new JsonArray();
    c.tools().forEach(name -> {
      JsonObject schema = tools.schema(name);
      if (schema != null) {
        functions.add(new JsonObject().put("type", "function").put("function", schema.copy()));
      }
    });
    JsonArray messages = new JsonArray();
    c.messages().forEach(m -> messages.add(message(m)));
    return new JsonObject()
        .put("context_window_size_max", c.maxTokens())
        .put("context_window_size_current", c.currentTokens())
        .put("num_messages", c.messages().size() + 1)
        .put("num_archival_memory", c.archivalCount())
        .put("num_recall_memory", c.recallCount())
        .put("num_tokens_external_memory_summary", c.externalSummaryTokens())
        .put("external_memory_summary", c.externalSummary())
        .put("num_tokens_system", c.instructionTokens())
        .put("system_prompt", c.instructions())
        .put("num_tokens_core_memory", c.coreMemoryTokens())
        .put("core_memory", c.coreMemory())
        .put("num_tokens_memory_filesystem", 0)
        .putNull("memory_filesystem")
        .put("num_tokens_tool_usage_rules", 0)
        .putNull("tool_usage_rules")
        .put("num_tokens_directories", 0)
        .putNull("directories")
        .put("num_tokens_summary_memory", 0)
        .putNull("summary_memory")
        .put("num_tokens_functions_definitions", c.toolTokens())
        .put("functions_definitions", functions)
        .put("num_tokens_messages", c.messageTokens())
        .put("messages", messages);
  }

  /**
   * A stored message as Letta's Message object (not the LettaMessage union): its content as text parts, and the 0.4
   * client's {@code text} beside it.
   */
  public static JsonObject message(Message m) {
    JsonArray content = new JsonArray();
    if (m.text() != null && !m.text().isEmpty()) {
      content.add(new JsonObject().put("type", "text").put("text", m.text()));
    }
    JsonArray calls = null;
    if (!m.toolCalls().isEmpty()) {
      calls = new JsonArray();
      for (ToolCall c : m.toolCalls()) {
        calls.add(new JsonObject().put("id", c.id()).put("type", "function")
            .put("function", new JsonObject().put("name", c.name()).put("arguments", c.arguments())));
      }
    }
    return new JsonObject()
        .put("id", PrefixedIds.prefixed(PrefixedIds.MESSAGE, m.id()))
        .put("role", m.role())
        .put("content", content)
        .put("text", m.text())
        .put("name", m.name())
        .put("agent_id", PrefixedIds.prefixed(PrefixedIds.AGENT, m.agentId()))
        .put("user_id", PrefixedIds.prefixed(PrefixedIds.USER, m.userId()))
        .put("model", m.model())
        .put("tool_calls", calls)
        .put("tool_call_id", m.toolCallId())
        .put("created_at", Times.iso(m.createdAt()));
  }

  /** The 0.4 client's Memory: the blocks by label, with the prompt template that renders them. */
  public static JsonObject memory(List<Block> blocks) {
    JsonObject byLabel = new JsonObject();
    blocks.forEach(b -> byLabel.put(b.label(), block(b)));
    return new JsonObject().put("memory", byLabel).put("blocks", LettaViews.blocks(blocks))
        .put("prompt_template", "{% for block in memory.values() %}<{{ block.label }} characters=\"{{"
            + " block.value|length }}/{{ block.limit }}\">\n{{ block.value }}\n</{{ block.label }}>{% if not"
            + " loop.last %}\n{% endif %}{% endfor %}");
  }
}
