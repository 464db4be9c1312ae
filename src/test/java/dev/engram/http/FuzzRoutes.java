package dev.engram.http;

import static dev.engram.http.FuzzRoute.route;
import static dev.engram.http.Variant.Kind.*;

import dev.engram.http.FuzzRoute.Caller;
import java.util.List;

/**
 * The fuzz table: one entry per route of the server, with a valid example of every body and query the route reads
 * ({@code $agent}, {@code $source}, ... are the caller's real ids, {@code $fresh} a new UUID), or why it reads none.
 * {@link RouteFuzzTest} fails when a route has no entry here, so a new route cannot skip the battery. A variant that a
 * route takes on purpose is listed with {@code accepts}, with its reason: everything else must be refused.
 */
final class FuzzRoutes {
  private static final String IGNORES_BODY = "reads no body: a body is ignored (FastAPI does the same), but the edge"
      + " still refuses one over MAX_BODY_BYTES or holding NUL";
  /** Control characters other than NUL are text: PostgreSQL keeps them, and JSON answers carry them escaped. */
  private static final String TEXT = "free text (control characters other than NUL are text)";
  private static final String LABEL = "a label the admin gives a key: free text, as in MemGPT";
  private static final String SCOPE = "Mem0's user_id/agent_id/run_id are free text up to 256 characters, not ids of"
      + " objects: an odd one is a scope like any other (it names nothing yet)";
  private static final String SCOPE_READ = SCOPE + "; reading or deleting one that names nothing finds nothing";
  private static final String APP = "Mem0's app_id is a metadata value here, matched as free text: one that names"
      + " nothing finds nothing";
  private static final String PLATFORM_ID = "an entity id that is not text is a filter on the id's value (as on the"
      + " platform), which no memory matches";
  private static final String PROJECT = "a webhook's project is a label (a user is one project here): any text up to"
      + " 256 characters names one";
  private static final String METADATA = "Mem0's metadata is a free JSON object (Dict[str, Any]): any value";
  private static final String FILTER_VALUE = "a filter value is matched as it is (numbers and booleans included);"
      + " objects are operators and lists need one, and those are checked";
  private static final String TO_MODEL = "text for the model (never sent here): control characters are text, and a"
      + " text too long for the model's context window answers 422 from its context_length_exceeded";
  private static final String ADMIN_SETTING = "a model name and prompts are free text the admin sets";
  private static final String FILTER_TEXT = "a text filter is " + TEXT + ": one that matches nothing finds nothing";
  private static final String BUILT_IN_TOOLS = "the tools are built in, the same for every user: another user's id of"
      + " a tool is the same id";
  private static final String TOOL_TEXT = "a tool's description and tags are free text";
  private static final String NO_TAGS = "a tool may have no tags";
  private static final String PYTHON_TEXT = "Python source: a control character inside a docstring is still Python";
  /** A tool whose name is taken by the fixture's own tool: created once, then each variant is refused or a 409. */
  private static final String CUSTOM_TOOL = "{\"source_code\": \"def fuzz_tool(text: str) -> str:\\n"
      + "    \\\"\\\"\\\"Echoes.\\n\\n    Args:\\n        text: What.\\n    \\\"\\\"\\\"\\n    return text\\n\","
      + " \"description\": \"Echoes.\", \"tags\": [\"fuzz\"], \"return_char_limit\": 1000,"
      + " \"default_requires_approval\": false, \"env\": {\"FUZZ_KEY\": \"value\"}, \"metadata_\": {\"k\": \"v\"}}";
  private static final String API_TOOL = "{\"json_schema\": {\"name\": \"fuzz_tool\"}, \"source_code\":"
      + " \"def fuzz_tool(text: str) -> str:\\n    \\\"\\\"\\\"Echoes.\\n\\n    Args:\\n        text: What.\\n"
      + "    \\\"\\\"\\\"\\n    return text\\n\", \"source_type\": \"python\", \"tags\": [\"fuzz\"], \"update\": true}";
  private static final String AGENT_METADATA = "an agent's metadata is a free JSON object";
  private static final String NEW_AGENT = "{\"name\": \"fuzz-$fresh\", \"description\": \"fuzz agent\","
      + " \"model\": \"openai/gpt-4\", \"agent_type\": \"memgpt_agent\", \"system\": \"You are a fuzz agent.\","
      + " \"tags\": [\"fuzz\"], \"metadata\": {\"k\": \"v\"}, \"include_base_tools\": true,"
      + " \"memory_blocks\": [{\"label\": \"human\", \"value\": \"Name: Fuzz\", \"limit\": 5000}],"
      + " \"block_ids\": [\"$block\"], \"tool_ids\": [\"$tool\"], \"folder_ids\": [\"$source\"],"
      + " \"timezone\": \"UTC\"}";

  /** An MCP server over streamable HTTP at the fixture's test MCP server, with a token and a custom header. */
  private static final String MCP_SERVER = "{\"server_name\": \"fuzz-$fresh\", \"config\": {\"mcp_server_type\":"
      + " \"streamable_http\", \"server_url\": \"$mcpurl\", \"auth_header\": \"Authorization\","
      + " \"auth_token\": \"fuzz-token\", \"custom_headers\": {\"X-Fuzz\": \"fuzz\"}}}";

  private FuzzRoutes() {}

  /**
   * The frames of the WebSocket route: each text frame is a message body, read like the body of
   * {@code POST /api/agents/:agent_id/messages}.
   */
  static final FuzzRoute FRAMES = route("FRAME /api/agents/:agent_id/ws")
      .modelBody("{\"message\": \"hello\", \"role\": \"user\"}")
      .accepts("message", TO_MODEL, CONTROL);

  static final List<FuzzRoute> ALL = List.of(
      // public
      route("GET /health").as(Caller.PUBLIC).noBody(IGNORES_BODY),
      route("GET /health/live").as(Caller.PUBLIC).noBody(IGNORES_BODY),
      route("GET /health/ready").as(Caller.PUBLIC).noBody(IGNORES_BODY),
      route("GET /metrics").as(Caller.PUBLIC).noBody(IGNORES_BODY),
      route("GET /api/models").as(Caller.PUBLIC).noBody(IGNORES_BODY),
      route("GET /v1/health").as(Caller.PUBLIC).noBody(IGNORES_BODY),
      // the web app's page and its static assets (what they call is authenticated)
      route("GET /").as(Caller.PUBLIC).noBody(IGNORES_BODY),
      route("GET /app/").as(Caller.PUBLIC).noBody(IGNORES_BODY),
      route("GET /v1/models").noBody(IGNORES_BODY),
      route("GET /v1/models/embedding").noBody(IGNORES_BODY),
      route("GET /openapi.json").as(Caller.PUBLIC).noBody(IGNORES_BODY),
      route("GET /docs").as(Caller.PUBLIC).noBody(IGNORES_BODY),
      route("GET /docs/:file").as(Caller.PUBLIC).noBody(IGNORES_BODY),

      // Letta /v1 messages and runs
      route("POST /v1/agents/:agent_id/messages")
          .modelBody("{\"messages\": [{\"role\": \"user\", \"content\": \"hello\"}], \"streaming\": false}")
          .accepts("messages[0].content", TO_MODEL, CONTROL),
      route("POST /v1/agents/:agent_id/messages/stream")
          .modelBody("{\"messages\": [{\"role\": \"user\", \"content\": \"hello\"}]}")
          .accepts("messages[0].content", TO_MODEL, CONTROL),
      route("POST /v1/agents/:agent_id/messages/async")
          .modelBody("{\"messages\": [{\"role\": \"user\", \"content\": \"hello\"}]}")
          .accepts("messages[0].content", TO_MODEL, CONTROL),
      route("POST /v1/agents/:agent_id/messages/cancel").body("{\"run_ids\": [\"$run\"]}")
          .accepts("run_ids[0]", "cancel answers each run id with its outcome (Letta's map): an id that names none of"
              + " the agent's runs is answered not_found, and nothing changes", UNKNOWN_ID, FOREIGN_ID, OTHER_KIND_ID)
          .acceptsOnly("run_ids", "an empty list cancels nothing", WRONG_TYPE, "[]")
          .acceptsOnly("body", "every field is optional: no body cancels the agent's active runs (none here)",
              MALFORMED_JSON, "empty"),
      route("GET /v1/agents/:agent_id/messages").noBody(IGNORES_BODY).query("after=$message&limit=10&order=asc")
          .query("before=$message&limit=10&order=desc"),
      route("PATCH /v1/agents/:agent_id/messages/:message_id")
          .body("{\"id\": \"$message\", \"role\": \"user\", \"text\": \"edited by the fuzz pass\","
              + " \"name\": \"fuzz\"}")
          .accepts("text", TEXT + ", the model's to read", CONTROL),
      route("GET /v1/runs").noBody(IGNORES_BODY).query("agent_id=$agent&limit=10&order=desc")
          .accepts("?agent_id", "a filter: the runs of an unknown or another user's agent are none (an empty list)",
              UNKNOWN_ID, FOREIGN_ID, OTHER_KIND_ID),
      route("GET /v1/runs/active").noBody(IGNORES_BODY),
      route("GET /v1/runs/:run_id").noBody(IGNORES_BODY),
      route("GET /v1/runs/:run_id/messages").noBody(IGNORES_BODY),
      route("POST /v1/runs/:run_id/stream").body("{\"starting_after\": 0, \"include_pings\": false}")
          .acceptsOnly("body", "every field is optional: no body replays the run from its start", MALFORMED_JSON,
              "empty")
          .acceptsOnly("starting_after", "0 is a seq_id before the first event: the whole run", WRONG_TYPE, "0"),

      // Letta /v1 conversations: threads of an agent ($conversation has one finished run, $convrun, whose input is
      // $convmessage)
      route("POST /v1/conversations").query("agent_id=$agent")
          .body("{\"summary\": \"fuzz chat\", \"description\": \"fuzz conversation\", \"model\": \"openai/gpt-4\","
              + " \"context_window_limit\": 4000, \"hidden\": false}")
          .accepts("summary", TEXT, CONTROL, LONG).accepts("description", TEXT, CONTROL, LONG)
          .acceptsOnly("body", "every field is optional: no body starts a conversation with the agent's settings",
              MALFORMED_JSON, "empty"),
      route("GET /v1/conversations").noBody(IGNORES_BODY)
          .query("agent_id=$agent&limit=10&order=asc&order_by=last_message_at&summary_search=fuzz"
              + "&archive_status=all")
          .query("after=$conversation&limit=10")
          .accepts("?agent_id", "a filter: the conversations of an unknown or another user's agent are none (an empty"
              + " list)", UNKNOWN_ID, FOREIGN_ID, OTHER_KIND_ID)
          .accepts("?summary_search", FILTER_TEXT, CONTROL, LONG),
      route("GET /v1/conversations/:conversation_id").noBody(IGNORES_BODY),
      route("PATCH /v1/conversations/:conversation_id")
          .body("{\"summary\": \"changed\", \"description\": \"changed\", \"archived\": false,"
              + " \"last_message_at\": \"2026-01-01T00:00:00Z\", \"model\": \"openai/gpt-4\","
              + " \"context_window_limit\": 4000}")
          .accepts("summary", TEXT, CONTROL, LONG).accepts("description", TEXT, CONTROL, LONG),
      route("DELETE /v1/conversations/:conversation_id").noBody(IGNORES_BODY),
      route("POST /v1/conversations/:conversation_id/cancel").noBody(IGNORES_BODY),
      route("POST /v1/conversations/:conversation_id/fork").noBody(IGNORES_BODY)
          .query("hidden=true&message_id=$convmessage"),
      route("POST /v1/conversations/:conversation_id/recompile").query("dry_run=true")
          .body("{\"compaction_settings\": {\"mode\": \"all\"}}")
          .acceptsOnly("body", "every field is optional: no body recompiles the conversation's prompt", MALFORMED_JSON,
              "empty"),
      route("POST /v1/conversations/:conversation_id/messages")
          .modelBody("{\"messages\": [{\"role\": \"user\", \"content\": \"hello\"}], \"streaming\": false}")
          .accepts("messages[0].content", TO_MODEL, CONTROL),
      route("GET /v1/conversations/:conversation_id/messages").noBody(IGNORES_BODY)
          .query("after=$convmessage&limit=10&order=asc").query("before=$convmessage&limit=10&order=desc"),
      route("POST /v1/conversations/:conversation_id/compact")
          .modelBody("{\"compaction_settings\": {\"mode\": \"sliding_window\"}}")
          .acceptsOnly("body", "every field is optional: no body compacts with the server's rule", MALFORMED_JSON,
              "empty"),
      route("POST /v1/conversations/:conversation_id/stream")
          .body("{\"run_id\": \"$convrun\", \"starting_after\": 0, \"include_pings\": false}")
          .acceptsOnly("body", "every field is optional: no body replays the conversation's last run",
              MALFORMED_JSON, "empty")
          .acceptsOnly("starting_after", "0 is a seq_id before the first event: the whole run", WRONG_TYPE, "0"),
      route("GET /api/agents/:agent_id/ws").webSocket().noBody("a WebSocket: its input is frames (see the frame"
          + " battery), and the handshake reads no body"),

      // admin
      route("POST /admin/users").as(Caller.ADMIN).body("{\"user_id\": \"$fresh\", \"api_key_name\": \"fuzz-key\"}")
          .acceptsOnly("body", "an empty body creates a user with a new id (MemGPT's admin client sends none)",
              MALFORMED_JSON, "empty")
          .accepts("api_key_name", LABEL, CONTROL, LONG),
      route("GET /admin/users").as(Caller.ADMIN).noBody(IGNORES_BODY),
      route("GET /admin/dashboard").as(Caller.ADMIN).noBody(IGNORES_BODY),
      route("GET /admin/cluster").as(Caller.ADMIN).noBody(IGNORES_BODY),
      route("POST /admin/agents/instances").as(Caller.ADMIN).body("{\"count\": 1}"),
      route("DELETE /admin/users").as(Caller.ADMIN).noBody(IGNORES_BODY).query("user_id=$fresh"),
      route("POST /admin/users/keys").as(Caller.ADMIN).body("{\"user_id\": \"$user\", \"name\": \"fuzz-key\"}")
          .accepts("name", LABEL, CONTROL, LONG),
      route("GET /admin/users/keys").as(Caller.ADMIN).noBody(IGNORES_BODY).query("user_id=$user"),
      route("DELETE /admin/users/keys").as(Caller.ADMIN).noBody(IGNORES_BODY).query("api_key=$nokey"),

      // MemGPT /api: agents
      route("POST /api/auth/token").noBody(IGNORES_BODY),
      route("GET /api/agents").noBody(IGNORES_BODY),
      route("POST /api/agents")
          .body("{\"config\": {\"name\": \"fuzz-$fresh\", \"preset\": \"memgpt_chat\", \"persona\": \"sam_pov\","
              + " \"human\": \"cs_phd\"}}")
          .body("{\"config\": {\"name\": \"fuzz-$fresh\", \"persona_name\": \"sam_pov\", \"human_name\": \"cs_phd\"}}")
          .accepts("config.persona", "a persona that names no template is the persona's text: " + TEXT, CONTROL)
          .accepts("config.human", "a human that names no template is the human's text: " + TEXT, CONTROL)
          .accepts("config.persona_name", "the persona's other name: " + TEXT, CONTROL)
          .accepts("config.human_name", "the human's other name: " + TEXT, CONTROL),
      route("GET /api/agents/:agent_id/config").noBody(IGNORES_BODY),
      route("PATCH /api/agents/:agent_id/rename").body("{\"agent_name\": \"fuzz-renamed\"}"),
      route("DELETE /api/agents/:agent_id").noBody(IGNORES_BODY),
      route("GET /api/agents/:agent_id/memory").noBody(IGNORES_BODY),
      route("POST /api/agents/:agent_id/memory").body("{\"persona\": \"fuzz persona\", \"human\": \"fuzz human\"}")
          .accepts("persona", "core memory: " + TEXT, CONTROL).accepts("human", "core memory: " + TEXT, CONTROL),
      route("POST /api/agents/:agent_id/command").body("{\"command\": \"/memory\"}"),
      route("POST /api/agents/:agent_id/messages")
          .modelBody("{\"message\": \"hello\", \"role\": \"user\", \"stream\": false, \"stream_steps\": false}")
          .accepts("message", TO_MODEL, CONTROL),
      route("GET /api/agents/:agent_id/messages").noBody(IGNORES_BODY).query("start=0&count=10"),
      route("GET /api/agents/:agent_id/messages-cursor").noBody(IGNORES_BODY).query("before=$message&limit=10")
          .query("after=$message&limit=10"),
      route("GET /api/agents/:agent_id/recall").noBody(IGNORES_BODY).query("query=hello&limit=5")
          .accepts("?query", "a search query is " + TEXT, CONTROL, LONG),

      // MemGPT /api: templates, config and tools (humans and personas are the user's block templates)
      route("GET /api/humans").noBody(IGNORES_BODY),
      route("POST /api/humans").body("{\"name\": \"fuzz-human-$fresh\", \"text\": \"Name: Fuzz\"}")
          .accepts("text", "a human's text is core memory: " + TEXT, CONTROL),
      route("GET /api/humans/:name").noBody(IGNORES_BODY),
      route("DELETE /api/humans/:name").noBody(IGNORES_BODY),
      route("GET /api/personas").noBody(IGNORES_BODY),
      route("POST /api/personas").body("{\"name\": \"fuzz-persona-$fresh\", \"text\": \"I am fuzz.\"}")
          .accepts("text", "a persona's text is core memory: " + TEXT, CONTROL),
      route("GET /api/personas/:name").noBody(IGNORES_BODY),
      route("DELETE /api/personas/:name").noBody(IGNORES_BODY),
      route("GET /api/presets").noBody(IGNORES_BODY),
      route("POST /api/presets").body("{\"name\": \"fuzz-preset-$fresh\", \"description\": \"terse\","
              + " \"system\": \"Be brief.\", \"persona\": \"I am fuzz.\", \"persona_name\": \"fuzz-persona\","
              + " \"human\": \"Name: Fuzz\", \"human_name\": \"fuzz-human\","
              + " \"functions_schema\": [{\"name\": \"send_message\"}]}")
          .accepts("description", TEXT, CONTROL, LONG).accepts("system", "a system prompt is " + TEXT, CONTROL, LONG)
          .accepts("persona", "a persona's text is core memory: " + TEXT, CONTROL)
          .accepts("human", "a human's text is core memory: " + TEXT, CONTROL)
          .acceptsOnly("functions_schema", "a preset may name no function (its agents get the default tools)",
              WRONG_TYPE, "[]"),
      route("GET /api/presets/:preset").noBody(IGNORES_BODY),
      route("DELETE /api/presets/:preset").noBody(IGNORES_BODY),
      route("GET /api/config").noBody(IGNORES_BODY),
      route("GET /api/tools").noBody(IGNORES_BODY),

      // Letta /v1: agents
      route("POST /v1/agents").body(NEW_AGENT)
          .accepts("description", TEXT, CONTROL, LONG).accepts("system", "a system prompt is " + TEXT, CONTROL, LONG)
          .accepts("tags[0]", "a tag is a label: " + TEXT, CONTROL, LONG)
          .acceptsOnly("tags", "an empty list of tags is no tags", WRONG_TYPE, "[]")
          .accepts("metadata.*", AGENT_METADATA, WRONG_TYPE, CONTROL, LONG)
          .acceptsOnly("memory_blocks", "an agent may start without blocks", WRONG_TYPE, "[]")
          .accepts("memory_blocks[0].value", "a block's value is " + TEXT, CONTROL)
          .acceptsOnly("block_ids", "an agent may start without existing blocks", WRONG_TYPE, "[]")
          .acceptsOnly("tool_ids", "an agent may start with the base tools only", WRONG_TYPE, "[]")
          .accepts("tool_ids[0]", BUILT_IN_TOOLS, FOREIGN_ID)
          .acceptsOnly("folder_ids", "an agent may start without folders", WRONG_TYPE, "[]"),
      route("GET /v1/agents").noBody(IGNORES_BODY)
          .query("limit=10&order=asc&order_by=created_at&name=fuzz&query_text=fuzz&tags=t&match_all_tags=false"
              + "&include=agent.blocks")
          .query("after=$agent&limit=10")
          .accepts("?name", FILTER_TEXT, CONTROL, LONG).accepts("?query_text", FILTER_TEXT, CONTROL, LONG)
          .accepts("?tags", FILTER_TEXT, CONTROL, LONG),
      route("GET /v1/agents/count").noBody(IGNORES_BODY),
      route("GET /v1/agents/:agent_id").noBody(IGNORES_BODY).query("include=agent.blocks&include=agent.tools"),
      route("PATCH /v1/agents/:agent_id").body("{\"name\": \"fuzz-renamed\", \"description\": \"changed\","
              + " \"system\": \"Be brief.\", \"tags\": [\"t\"], \"metadata\": {\"k\": \"v\"},"
              + " \"context_window_limit\": 4000, \"timezone\": \"UTC\", \"folder_ids\": [\"$source\"]}")
          .accepts("description", TEXT, CONTROL, LONG).accepts("system", "a system prompt is " + TEXT, CONTROL, LONG)
          .accepts("tags[0]", "a tag is a label: " + TEXT, CONTROL, LONG)
          .acceptsOnly("tags", "an empty list of tags is no tags", WRONG_TYPE, "[]")
          .accepts("metadata.*", AGENT_METADATA, WRONG_TYPE, CONTROL, LONG)
          .acceptsOnly("folder_ids", "an empty list detaches every folder", WRONG_TYPE, "[]"),
      route("DELETE /v1/agents/:agent_id").noBody(IGNORES_BODY),
      route("GET /v1/agents/:agent_id/context").noBody(IGNORES_BODY),
      route("PATCH /v1/agents/:agent_id/reset-messages").body("{\"add_default_initial_messages\": false}"),
      route("GET /v1/agents/:agent_id/export").noBody(IGNORES_BODY).query("scrub_messages=false"),
      route("POST /v1/agents/import").multipart().noBody("a multipart upload: see the multipart battery"),

      // Letta /v1: core memory, and the 0.4 client's memory routes
      route("GET /v1/agents/:agent_id/core-memory/blocks").noBody(IGNORES_BODY).query("limit=10&order=asc")
          .query("after=$block&limit=10"),
      route("GET /v1/agents/:agent_id/core-memory/blocks/:block_label").noBody(IGNORES_BODY),
      route("PATCH /v1/agents/:agent_id/core-memory/blocks/:block_label")
          .body("{\"value\": \"Fuzz notes, changed\", \"limit\": 5000, \"description\": \"notes\"}")
          .accepts("value", "a block's value is " + TEXT, CONTROL).accepts("description", TEXT, CONTROL, LONG),
      route("PATCH /v1/agents/:agent_id/core-memory/blocks/attach/:block_id").noBody(IGNORES_BODY),
      route("PATCH /v1/agents/:agent_id/core-memory/blocks/detach/:block_id").noBody(IGNORES_BODY),
      route("GET /v1/agents/:agent_id/memory").noBody(IGNORES_BODY),
      route("PATCH /v1/agents/:agent_id/memory").body("{\"human\": \"Name: Fuzz\"}")
          .accepts("human", "core memory: " + TEXT, CONTROL),
      route("GET /v1/agents/:agent_id/memory/archival").noBody(IGNORES_BODY),
      route("GET /v1/agents/:agent_id/memory/recall").noBody(IGNORES_BODY),
      route("GET /v1/agents/:agent_id/memory/messages").noBody(IGNORES_BODY),

      // Letta /v1: standalone blocks
      route("POST /v1/blocks").body("{\"label\": \"fuzz-label\", \"value\": \"Fuzz text\", \"limit\": 5000,"
              + " \"description\": \"d\", \"metadata\": {\"k\": \"v\"}, \"tags\": [\"t\"], \"read_only\": false,"
              + " \"is_template\": false, \"template_name\": \"fuzz-template\"}")
          .accepts("value", "a block's value is " + TEXT, CONTROL).accepts("description", TEXT, CONTROL, LONG)
          .accepts("metadata.*", "a block's metadata is a free JSON object", WRONG_TYPE, CONTROL, LONG)
          .accepts("tags[0]", "a tag is a label: " + TEXT, CONTROL, LONG)
          .acceptsOnly("tags", "an empty list of tags is no tags", WRONG_TYPE, "[]"),
      route("GET /v1/blocks").noBody(IGNORES_BODY)
          .query("label=persona&templates_only=false&label_search=pers&value_search=a&description_search=d&tags=t"
              + "&match_all_tags=false&limit=10&order=asc")
          .query("after=$block&limit=10").query("templates_only=true&name=basic")
          .accepts("?label", FILTER_TEXT, CONTROL, LONG).accepts("?label_search", FILTER_TEXT, CONTROL, LONG)
          .accepts("?value_search", FILTER_TEXT, CONTROL, LONG)
          .accepts("?description_search", FILTER_TEXT, CONTROL, LONG).accepts("?tags", FILTER_TEXT, CONTROL, LONG)
          .accepts("?name", FILTER_TEXT, CONTROL, LONG),
      route("GET /v1/blocks/:block_id").noBody(IGNORES_BODY),
      route("PATCH /v1/blocks/:block_id")
          .body("{\"value\": \"Fuzz notes, changed\", \"limit\": 5000, \"description\": \"notes\"}")
          .accepts("value", "a block's value is " + TEXT, CONTROL).accepts("description", TEXT, CONTROL, LONG),
      route("DELETE /v1/blocks/:block_id").noBody(IGNORES_BODY),
      route("GET /v1/blocks/:block_id/agents").noBody(IGNORES_BODY).query("after=$agent&limit=10"),

      // Letta /v1: the built-in tools
      // Letta /v1 MCP servers
      route("POST /v1/mcp-servers").body(MCP_SERVER),
      route("GET /v1/mcp-servers").noBody(IGNORES_BODY),
      route("GET /v1/mcp-servers/:mcp_server_id").noBody(IGNORES_BODY),
      route("PATCH /v1/mcp-servers/:mcp_server_id").body(MCP_SERVER.replace("fuzz-$fresh", "fuzz-renamed-$fresh")),
      route("DELETE /v1/mcp-servers/:mcp_server_id").noBody(IGNORES_BODY),
      route("GET /v1/mcp-servers/:mcp_server_id/tools").noBody(IGNORES_BODY),
      route("GET /v1/mcp-servers/:mcp_server_id/tools/:mcp_tool_id").noBody(IGNORES_BODY),
      route("POST /v1/mcp-servers/:mcp_server_id/tools/:mcp_tool_id/run").body("{\"args\": {\"text\": \"fuzz\"}}")
          .accepts("args.*", "a tool's arguments are free JSON that the MCP server checks: its answer, an error"
              + " included, is the run's result (the test server's echo says them back)", WRONG_TYPE, CONTROL, LONG),
      route("PATCH /v1/mcp-servers/:mcp_server_id/refresh").noBody(IGNORES_BODY),

      // the fixture's user has fuzz_tool already: a create of that name is a 409 unless a variant is refused first
      route("POST /v1/tools").body(CUSTOM_TOOL),
      route("PUT /v1/tools").body(CUSTOM_TOOL).accepts("description", TOOL_TEXT, CONTROL, LONG)
          .accepts("tags*", TOOL_TEXT, CONTROL, LONG).acceptsOnly("tags", NO_TAGS, WRONG_TYPE, "[]")
          .acceptsOnly("source_code", PYTHON_TEXT, CONTROL, "\\u001f")
          .accepts("env.*", "a tool's environment variable is any text but NUL", CONTROL, LONG)
          .accepts("metadata_.*", "a tool's metadata is a free JSON object", WRONG_TYPE, CONTROL, LONG),
      // $tool is a built-in tool: every change of it is refused (the custom tool routes: CustomToolsTest)
      route("PATCH /v1/tools/:tool_id").body("{\"description\": \"changed\"}"),
      route("DELETE /v1/tools/:tool_id").noBody(IGNORES_BODY),
      route("GET /api/tools/:tool_name").noBody(IGNORES_BODY).accepts(":tool_name", BUILT_IN_TOOLS, FOREIGN_ID),
      route("DELETE /api/tools/:tool_name").noBody(IGNORES_BODY),
      route("POST /api/tools").body(API_TOOL).accepts("tags*", TOOL_TEXT, CONTROL, LONG)
          .acceptsOnly("tags", NO_TAGS, WRONG_TYPE, "[]").acceptsOnly("source_code", PYTHON_TEXT, CONTROL, "\\u001f"),
      route("GET /v1/tools").noBody(IGNORES_BODY).query("name=send_message&search=mem&limit=10&order=desc")
          .query("after=$tool&limit=3")
          .accepts("?name", FILTER_TEXT, CONTROL, LONG).accepts("?search", FILTER_TEXT, CONTROL, LONG)
          .accepts("?after", BUILT_IN_TOOLS, FOREIGN_ID),
      route("GET /v1/tools/name/:tool_name").noBody(IGNORES_BODY).accepts(":tool_name", BUILT_IN_TOOLS, FOREIGN_ID),
      route("GET /v1/tools/:tool_id").noBody(IGNORES_BODY).accepts(":tool_id", BUILT_IN_TOOLS, FOREIGN_ID),
      route("GET /v1/agents/:agent_id/tools").noBody(IGNORES_BODY).query("limit=10&order=asc"),
      route("PATCH /v1/agents/:agent_id/tools/attach/:tool_id").noBody(IGNORES_BODY)
          .accepts(":tool_id", BUILT_IN_TOOLS, FOREIGN_ID),
      route("PATCH /v1/agents/:agent_id/tools/detach/:tool_id").noBody(IGNORES_BODY)
          .accepts(":tool_id", BUILT_IN_TOOLS, FOREIGN_ID),
      // $tool_name is a built-in tool: it runs inside steps only, so every run of it is refused
      route("POST /v1/agents/:agent_id/tools/:tool_name/run").body("{\"args\": {\"query\": \"fuzz\"}}"),
      route("PATCH /v1/agents/:agent_id/tools/approval/:tool_name").body("{\"requires_approval\": true}")
          .accepts(":tool_name", "a tool name, not an id: another user's agent with the same tool names it too",
              FOREIGN_ID),

      // archival memory
      route("GET /api/agents/:agent_id/archival/all").noBody(IGNORES_BODY),
      route("GET /api/agents/:agent_id/archival").noBody(IGNORES_BODY).query("after=$passage&limit=10")
          .query("before=$passage&limit=10").query("query=bees&limit=5&mode=hybrid")
          .accepts("?query", "a search query is " + TEXT, CONTROL, LONG),
      route("POST /api/agents/:agent_id/archival").body("{\"content\": \"Wasps make paper.\"}")
          .accepts("content", TEXT + "; long text is cut into passages", CONTROL, LONG),
      route("DELETE /api/agents/:agent_id/archival").noBody(IGNORES_BODY).query("id=$passage"),

      // sources
      route("GET /api/sources").noBody(IGNORES_BODY),
      route("POST /api/sources").body("{\"name\": \"fuzz-source-$fresh\", \"description\": \"fuzz\"}")
          .accepts("name", "a source name is " + TEXT + " of 1 to 100 characters", CONTROL)
          .accepts("description", TEXT, CONTROL, LONG),
      route("GET /api/sources/status/:job_id").noBody(IGNORES_BODY),
      route("GET /api/sources/:source_id").noBody(IGNORES_BODY),
      route("POST /api/sources/:source_id").body("{\"name\": \"fuzz-renamed\", \"description\": \"changed\"}")
          .accepts("name", "a source name is " + TEXT + " of 1 to 100 characters", CONTROL)
          .accepts("description", TEXT, CONTROL, LONG),
      route("DELETE /api/sources/:source_id").noBody(IGNORES_BODY),
      route("POST /api/sources/:source_id/upload").multipart().noBody("a multipart upload: see the multipart battery")
          .acceptsOnly("multipart", "Netty's multipart decoder skips a part header line without a colon; the part is"
              + " still whole and named, so the file stored is the one the client sent", BAD_MULTIPART,
              "a header line without a colon"),
      route("POST /api/sources/:source_id/attach").noBody(IGNORES_BODY).query("agent_id=$agent"),
      route("POST /api/sources/:source_id/detach").noBody(IGNORES_BODY).query("agent_id=$agent"),
      route("GET /api/sources/:source_id/passages").noBody(IGNORES_BODY).query("after=$srcpassage&limit=10"),
      route("GET /api/sources/:source_id/documents").noBody(IGNORES_BODY),

      // Mem0 scopes attached to agents (the fixture's memories are under alice/helper/run-1): an odd scope id names
      // a scope without memories of the caller, which cannot be attached (404)
      route("GET /api/agents/:agent_id/memory-scopes").noBody(IGNORES_BODY),
      route("POST /api/agents/:agent_id/memory-scopes/attach")
          .body("{\"scope\": {\"user_id\": \"alice\", \"agent_id\": \"helper\"}, \"archival_inserts\": true}"),
      route("POST /api/agents/:agent_id/memory-scopes/detach").body("{\"scope\": {\"user_id\": \"alice\"}}"),
      route("GET /v1/agents/:agent_id/memory-scopes").noBody(IGNORES_BODY),
      route("PATCH /v1/agents/:agent_id/memory-scopes/attach")
          .body("{\"scope\": {\"user_id\": \"alice\", \"run_id\": \"run-1\"}, \"archival_inserts\": false}"),
      route("PATCH /v1/agents/:agent_id/memory-scopes/detach").body("{\"scope\": {\"user_id\": \"alice\"}}"),

      // Letta /v1: archival memory and the 0.4 client's names for it
      route("POST /v1/agents/:agent_id/archival-memory")
          .body("{\"text\": \"Hornets make paper.\", \"tags\": [\"insects\"], \"created_at\": \"2024-01-02T03:04:05Z\"}")
          .accepts("text", TEXT + "; long text is cut into passages", CONTROL, LONG)
          .accepts("tags[0]", "a tag is a label: " + TEXT, CONTROL)
          .acceptsOnly("tags", "an empty list of tags is no tags", WRONG_TYPE, "[]"),
      route("GET /v1/agents/:agent_id/archival-memory").noBody(IGNORES_BODY)
          .query("after=$passage&limit=10&ascending=true&search=bees").query("before=$srcpassage&ascending=false")
          .accepts("?search", "a text filter is " + TEXT, CONTROL, LONG),
      route("GET /v1/agents/:agent_id/archival-memory/search").noBody(IGNORES_BODY)
          .query("query=bees&top_k=3&tags=insects&tag_match_mode=any&start_datetime=2020-01-01"
              + "&end_datetime=2030-01-01T00:00:00Z")
          .accepts("?query", "a search query is " + TEXT, CONTROL, LONG)
          .accepts("?tags", "a tag is a label: " + TEXT, CONTROL),
      route("DELETE /v1/agents/:agent_id/archival-memory/:passage_id").noBody(IGNORES_BODY),
      route("GET /v1/agents/:agent_id/archival").noBody(IGNORES_BODY).query("after=$passage&limit=10"),
      route("POST /v1/agents/:agent_id/archival").body("{\"text\": \"Hornets make paper.\"}")
          .accepts("text", TEXT + "; long text is cut into passages", CONTROL, LONG),
      route("DELETE /v1/agents/:agent_id/archival/:passage_id").noBody(IGNORES_BODY),

      // Letta /v1: folders and files
      route("POST /v1/folders").body("{\"name\": \"fuzz-folder-$fresh\", \"description\": \"fuzz\","
              + " \"instructions\": \"read it\", \"metadata\": {\"k\": \"v\"}, \"embedding_chunk_size\": 300}")
          .accepts("name", "a folder name is " + TEXT + " of 1 to 100 characters", CONTROL)
          .accepts("description", TEXT, CONTROL).accepts("instructions", TEXT, CONTROL)
          .accepts("metadata.*", "a folder's metadata is a free JSON object", WRONG_TYPE, CONTROL, LONG),
      route("GET /v1/folders").noBody(IGNORES_BODY).query("limit=10&order=asc&name=fuzz-owner-source-of-documents")
          .query("after=$folder&limit=10")
          .accepts("?name", "a name filter is " + TEXT, CONTROL, LONG),
      route("GET /v1/folders/count").noBody(IGNORES_BODY),
      route("GET /v1/folders/name/:folder_name").noBody(IGNORES_BODY),
      route("GET /v1/folders/:folder_id").noBody(IGNORES_BODY),
      route("PATCH /v1/folders/:folder_id").body("{\"description\": \"changed\", \"instructions\": \"again\"}")
          .accepts("description", TEXT, CONTROL).accepts("instructions", TEXT, CONTROL),
      route("DELETE /v1/folders/:folder_id").noBody(IGNORES_BODY),
      route("POST /v1/folders/:folder_id/upload").multipart().noBody("a multipart upload: see the multipart battery")
          .query("duplicate_handling=suffix&name=notes.txt")
          .accepts("?name", "the name a file is known by is " + TEXT, CONTROL)
          .acceptsOnly("multipart", "Netty's multipart decoder skips a part header line without a colon; the part is"
              + " still whole and named, so the file stored is the one the client sent", BAD_MULTIPART,
              "a header line without a colon"),
      route("GET /v1/folders/:folder_id/files").noBody(IGNORES_BODY).query("limit=10&include_content=true"),
      route("GET /v1/folders/:folder_id/files/:file_id").noBody(IGNORES_BODY).query("include_content=true"),
      route("DELETE /v1/folders/:folder_id/:file_id").noBody(IGNORES_BODY),
      route("GET /v1/folders/:folder_id/agents").noBody(IGNORES_BODY).query("limit=10"),
      route("GET /v1/agents/:agent_id/folders").noBody(IGNORES_BODY).query("limit=10"),
      route("PATCH /v1/agents/:agent_id/folders/attach/:folder_id").noBody(IGNORES_BODY),
      route("PATCH /v1/agents/:agent_id/folders/detach/:folder_id").noBody(IGNORES_BODY),

      // the 0.4 client's sources and jobs
      route("POST /v1/sources").body("{\"name\": \"fuzz-old-client-source-$fresh\", \"description\": \"fuzz\"}")
          .accepts("name", "a source name is " + TEXT + " of 1 to 100 characters", CONTROL)
          .accepts("description", TEXT, CONTROL),
      route("GET /v1/sources").noBody(IGNORES_BODY),
      route("GET /v1/sources/name/:source_name").noBody(IGNORES_BODY),
      route("GET /v1/sources/:source_id").noBody(IGNORES_BODY),
      route("PATCH /v1/sources/:source_id").body("{\"description\": \"changed\"}")
          .accepts("description", TEXT, CONTROL),
      route("DELETE /v1/sources/:source_id").noBody(IGNORES_BODY),
      route("POST /v1/sources/:source_id/upload").multipart().noBody("a multipart upload: see the multipart battery")
          .acceptsOnly("multipart", "Netty's multipart decoder skips a part header line without a colon; the part is"
              + " still whole and named, so the file stored is the one the client sent", BAD_MULTIPART,
              "a header line without a colon"),
      route("POST /v1/sources/:source_id/attach").noBody(IGNORES_BODY).query("agent_id=$agent"),
      route("POST /v1/sources/:source_id/detach").noBody(IGNORES_BODY).query("agent_id=$agent"),
      route("GET /v1/sources/:source_id/passages").noBody(IGNORES_BODY).query("after=$srcpassage&limit=10"),
      route("GET /v1/sources/:source_id/documents").noBody(IGNORES_BODY),
      route("GET /v1/agents/:agent_id/sources").noBody(IGNORES_BODY),
      route("GET /v1/jobs").noBody(IGNORES_BODY).query("limit=10"),
      route("GET /v1/jobs/active").noBody(IGNORES_BODY),
      route("GET /v1/jobs/:job_id").noBody(IGNORES_BODY),

      // Mem0
      route("POST /memories")
          .body("{\"messages\": [{\"role\": \"user\", \"content\": \"I like green tea.\", \"name\": \"alice\"}],"
              + " \"user_id\": \"alice\", \"agent_id\": \"helper\", \"run_id\": \"run-1\","
              + " \"metadata\": {\"topic\": \"drinks\"}, \"infer\": false, \"prompt\": \"fuzz prompt\"}")
          .modelBody("{\"messages\": \"I booked a flight.\", \"agent_id\": \"helper\","
              + " \"memory_type\": \"procedural_memory\"}")
          .accepts("messages[0].content", TEXT + "; stored as it is with infer=false", CONTROL, LONG)
          .accepts("messages", "a plain string is one user message (Mem0): " + TEXT + "; with memory_type it goes to"
              + " the model", CONTROL, LONG)
          .accepts("messages[0].role", "Mem0 takes any role text (its Message.role is a str)", CONTROL, LONG)
          .accepts("messages[0].name", "the speaker's name, kept as actor_id: free text like a scope id", CONTROL)
          .accepts("user_id", SCOPE, CONTROL).accepts("agent_id", SCOPE, CONTROL).accepts("run_id", SCOPE, CONTROL)
          .accepts("metadata.*", METADATA, WRONG_TYPE, CONTROL, LONG)
          .accepts("prompt", "a custom prompt is " + TEXT, CONTROL, LONG),
      route("GET /memories").noBody(IGNORES_BODY).query("user_id=alice&limit=10")
          .query("agent_id=helper&run_id=run-1&limit=1&cursor=$cursor")
          .accepts("?user_id", SCOPE_READ, CONTROL).accepts("?agent_id", SCOPE_READ, CONTROL)
          .accepts("?run_id", SCOPE_READ, CONTROL),
      route("DELETE /memories").noBody(IGNORES_BODY).query("user_id=alice&agent_id=helper&run_id=run-1")
          .accepts("?user_id", SCOPE_READ, CONTROL).accepts("?agent_id", SCOPE_READ, CONTROL)
          .accepts("?run_id", SCOPE_READ, CONTROL),
      route("GET /memories/:memory_id/history").noBody(IGNORES_BODY),
      route("GET /memories/:memory_id").noBody(IGNORES_BODY),
      route("PUT /memories/:memory_id").body("{\"text\": \"I like coffee.\", \"metadata\": {\"topic\": \"drinks\"}}")
          .accepts("text", TEXT, CONTROL, LONG).accepts("metadata.*", METADATA, WRONG_TYPE, CONTROL, LONG),
      route("DELETE /memories/:memory_id").noBody(IGNORES_BODY),
      route("POST /search")
          .body("{\"query\": \"tea\", \"user_id\": \"alice\", \"agent_id\": \"helper\", \"run_id\": \"run-1\","
              + " \"filters\": {\"topic\": \"drinks\"}, \"limit\": 5, \"threshold\": 0.1}")
          .body("{\"query\": \"tea\", \"session_id\": \"$session\", \"user_id\": \"alice\", \"limit\": 5}")
          .accepts("query", "a search query is " + TEXT, CONTROL, LONG)
          .accepts("user_id", SCOPE_READ, CONTROL).accepts("agent_id", SCOPE_READ, CONTROL)
          .accepts("run_id", SCOPE_READ, CONTROL)
          .accepts("session_id", "in a search, session_id is the semantic-memory API's name for run_id: " + SCOPE_READ,
              CONTROL, MALFORMED_ID, UNKNOWN_ID, FOREIGN_ID, OTHER_KIND_ID)
          .acceptsOnly("filters.*", FILTER_VALUE, WRONG_TYPE, "42", "-1", "1.5", "true")
          .accepts("filters.*", FILTER_VALUE, CONTROL, LONG),
      route("GET /events/:event_id").noBody(IGNORES_BODY),
      route("GET /events/stream").noBody(IGNORES_BODY).query("event_id=$event"),
      route("POST /configure").as(Caller.ADMIN)
          .body("{\"llm\": {\"config\": {\"model\": \"gpt-4\", \"temperature\": 0.1, \"max_tokens\": 2000}},"
              + " \"custom_fact_extraction_prompt\": \"Extract facts.\", \"custom_update_memory_prompt\": \"Decide.\"}")
          .accepts("llm.config.model", ADMIN_SETTING, CONTROL, LONG)
          .accepts("custom_fact_extraction_prompt", ADMIN_SETTING, CONTROL, LONG)
          .accepts("custom_update_memory_prompt", ADMIN_SETTING, CONTROL, LONG),
      route("POST /reset").noBody(IGNORES_BODY),

      // the Mem0 platform API (api.mem0.ai's paths)
      route("GET /v1/ping").noBody(IGNORES_BODY),
      platformAdd("POST /v1/memories"),
      platformAdd("POST /v3/memories/add"),
      route("GET /v1/memories").noBody(IGNORES_BODY).query("user_id=alice&page=1&page_size=10")
          .query("agent_id=helper&run_id=run-1&app_id=fuzz&limit=5")
          .accepts("?user_id", SCOPE_READ, CONTROL).accepts("?agent_id", SCOPE_READ, CONTROL)
          .accepts("?run_id", SCOPE_READ, CONTROL).accepts("?app_id", APP, CONTROL, LONG),
      platformList("POST /v2/memories"),
      platformList("POST /v3/memories"),
      route("DELETE /v1/memories").noBody(IGNORES_BODY).query("user_id=fuzz-nobody&agent_id=*&run_id=*")
          .accepts("?user_id", SCOPE_READ, CONTROL).accepts("?agent_id", SCOPE_READ, CONTROL)
          .accepts("?run_id", SCOPE_READ, CONTROL),
      route("POST /v1/memories/search")
          .body("{\"query\": \"tea\", \"user_id\": \"alice\", \"agent_id\": \"helper\", \"run_id\": \"run-1\","
              + " \"filters\": {\"topic\": \"drinks\"}, \"top_k\": 5, \"threshold\": 0.1,"
              + " \"output_format\": \"v1.1\"}")
          .accepts("query", "a search query is " + TEXT, CONTROL, LONG)
          .accepts("user_id", SCOPE_READ, CONTROL).accepts("agent_id", SCOPE_READ, CONTROL)
          .accepts("run_id", SCOPE_READ, CONTROL)
          .acceptsOnly("filters.*", FILTER_VALUE, WRONG_TYPE, "42", "-1", "1.5", "true")
          .accepts("filters.*", FILTER_VALUE, CONTROL, LONG),
      platformSearch("POST /v2/memories/search"),
      platformSearch("POST /v3/memories/search"),
      route("GET /v1/memories/:memory_id/history").noBody(IGNORES_BODY),
      route("GET /v1/memories/:memory_id").noBody(IGNORES_BODY),
      route("PUT /v1/memories/:memory_id").body("{\"text\": \"I like coffee.\", \"metadata\": {\"topic\": \"drinks\"},"
              + " \"expiration_date\": \"2999-01-31\"}")
          .accepts("text", TEXT, CONTROL, LONG).accepts("metadata.*", METADATA, WRONG_TYPE, CONTROL, LONG),
      route("DELETE /v1/memories/:memory_id").noBody(IGNORES_BODY).query("delete_linked=false"),
      route("PUT /v1/batch").body("{\"memories\": [{\"memory_id\": \"$memory\", \"text\": \"I like coffee.\","
              + " \"metadata\": {\"topic\": \"drinks\"}}]}")
          .accepts("memories[0].text", TEXT, CONTROL, LONG)
          .accepts("memories[0].metadata.*", METADATA, WRONG_TYPE, CONTROL, LONG),
      route("DELETE /v1/batch").body("{\"memories\": [{\"memory_id\": \"$memory\"}]}"),
      route("GET /v1/entities").noBody(IGNORES_BODY).query("page=1&page_size=10"),
      route("POST /v1/exports").body("{\"schema\": {\"type\": \"object\", \"properties\": {\"memories\":"
              + " {\"type\": \"array\"}}}, \"filters\": {\"AND\": [{\"user_id\": \"fuzz-nobody\"}]},"
              + " \"export_instructions\": \"all of it\"}")
          .accepts("schema.*", "an export's schema is a free JSON object, kept as it is", WRONG_TYPE, CONTROL, LONG)
          .accepts("export_instructions", "instructions are " + TEXT + ", kept for a model that fills schemas",
              CONTROL, LONG)
          .acceptsOnly("filters.AND[0].user_id", PLATFORM_ID, WRONG_TYPE, "42", "-1", "1.5", "true")
          .accepts("filters.AND[0].user_id", SCOPE_READ, CONTROL),
      route("POST /v1/exports/get").body("{\"memory_export_id\": \"$export\"}")
          .body("{\"filters\": {\"user_id\": \"alice\"}}"),
      route("POST /v1/exports/import").body("{\"user_id\": \"fuzz-import\", \"memories\": [{\"memory\": \"I like tea.\","
              + " \"user_id\": \"alice\", \"agent_id\": \"helper\", \"run_id\": \"run-1\", \"actor_id\": \"alice\","
              + " \"role\": \"user\", \"metadata\": {\"topic\": \"drinks\"}, \"expiration_date\": \"2999-01-31\"}]}")
          .accepts("memories[0].memory", TEXT + "; stored as it is", CONTROL, LONG)
          .accepts("memories[0].role", "Mem0 takes any role text", CONTROL, LONG)
          .accepts("memories[0].actor_id", "a speaker's name: free text like a scope id", CONTROL)
          .accepts("memories[0].metadata.*", METADATA, WRONG_TYPE, CONTROL, LONG)
          .accepts("memories[0].user_id", SCOPE, CONTROL).accepts("memories[0].agent_id", SCOPE, CONTROL)
          .accepts("memories[0].run_id", SCOPE, CONTROL).accepts("user_id", SCOPE, CONTROL),
      route("GET /v1/event/:event_id").noBody(IGNORES_BODY),
      route("GET /api/v1/webhooks/projects/:project_id").noBody(IGNORES_BODY)
          .accepts(":project_id", PROJECT, CONTROL, MALFORMED_ID, UNKNOWN_ID, FOREIGN_ID, OTHER_KIND_ID),
      route("POST /api/v1/webhooks/projects/:project_id")
          .body("{\"name\": \"fuzz hook\", \"url\": \"" + FuzzFixture.WEBHOOK_URL + "\","
              + " \"event_types\": [\"memory_add\", \"memory_update\"]}")
          .accepts(":project_id", PROJECT, CONTROL, MALFORMED_ID, UNKNOWN_ID, FOREIGN_ID, OTHER_KIND_ID)
          .accepts("name", "a webhook's name is " + TEXT, CONTROL),
      route("PUT /api/v1/webhooks/:webhook_id")
          .body("{\"name\": \"fuzz hook\", \"url\": \"" + FuzzFixture.WEBHOOK_URL + "\","
              + " \"event_types\": [\"memory_add\"]}")
          .accepts("name", "a webhook's name is " + TEXT, CONTROL),
      route("DELETE /api/v1/webhooks/:webhook_id").noBody(IGNORES_BODY),
      platformEntity("DELETE /v1/entities/:entity_type/:entity_id"),
      platformEntity("DELETE /v2/entities/:entity_type/:entity_id"),

      // semantic-memory chat
      route("POST /sessions").body("{\"user_id\": \"alice\", \"session_name\": \"fuzz session\"}")
          .accepts("user_id", SCOPE, CONTROL).accepts("session_name", "a session's name is " + TEXT, CONTROL, LONG),
      route("GET /sessions/:session_id").noBody(IGNORES_BODY),
      route("DELETE /sessions/:session_id").noBody(IGNORES_BODY),
      route("POST /chat").modelBody("{\"message\": \"hello\", \"session_id\": \"$session\", \"user_id\": \"alice\"}")
          .accepts("message", TO_MODEL, CONTROL, LONG));


  /** The platform's add (v1 and v3 take the same body). */
  private static FuzzRoute platformAdd(String route) {
    return route(route)
        .body("{\"messages\": [{\"role\": \"user\", \"content\": \"I like green tea.\", \"name\": \"alice\"}],"
            + " \"user_id\": \"alice\", \"agent_id\": \"helper\", \"run_id\": \"run-1\", \"app_id\": \"fuzz\","
            + " \"metadata\": {\"topic\": \"drinks\"}, \"infer\": false, \"async_mode\": true,"
            + " \"immutable\": false, \"output_format\": \"v1.1\", \"version\": \"v2\","
            + " \"expiration_date\": \"2999-01-31\"}")
        .accepts("messages[0].content", TEXT + "; stored as it is with infer=false", CONTROL, LONG)
        .accepts("messages[0].role", "Mem0 takes any role text (its Message.role is a str)", CONTROL, LONG)
        .accepts("messages[0].name", "the speaker's name, kept as actor_id: free text like a scope id", CONTROL)
        .accepts("user_id", SCOPE, CONTROL).accepts("agent_id", SCOPE, CONTROL).accepts("run_id", SCOPE, CONTROL)
        .accepts("app_id", APP, CONTROL)
        .accepts("metadata.*", METADATA, WRONG_TYPE, CONTROL, LONG);
  }

  /** Deleting a Mem0 entity: its id is a scope name (free text); its type is user, agent or run for everyone. */
  private static FuzzRoute platformEntity(String route) {
    return route(route).noBody(IGNORES_BODY)
        .accepts(":entity_id", SCOPE_READ, CONTROL, MALFORMED_ID, UNKNOWN_ID, FOREIGN_ID, OTHER_KIND_ID)
        .accepts(":entity_type", "the entity types (user, agent, run) are the same words for every user",
            FOREIGN_ID);
  }

  /** The platform's listing with filters in the body (v2 and v3). */
  private static FuzzRoute platformList(String route) {
    return route(route).query("page=1&page_size=10")
        .body("{\"filters\": {\"AND\": [{\"user_id\": \"alice\"}, {\"topic\": \"drinks\"}]},"
            + " \"show_expired\": false, \"include_superseded\": false, \"as_of\": \"2999-01-01\"}")
        .acceptsOnly("filters.AND[0].user_id", PLATFORM_ID, WRONG_TYPE, "42", "-1", "1.5", "true")
        .accepts("filters.AND[0].user_id", SCOPE_READ, CONTROL)
        .acceptsOnly("filters.AND[1].*", FILTER_VALUE, WRONG_TYPE, "42", "-1", "1.5", "true")
        .accepts("filters.AND[1].*", FILTER_VALUE, CONTROL, LONG);
  }

  /** The platform's search with filters in the body (v2 and v3). */
  private static FuzzRoute platformSearch(String route) {
    return route(route)
        .body("{\"query\": \"tea\", \"filters\": {\"AND\": [{\"user_id\": \"alice\"}, {\"topic\": \"drinks\"}]},"
            + " \"top_k\": 5, \"threshold\": 0.1, \"rerank\": false, \"show_expired\": false}")
        .accepts("query", "a search query is " + TEXT, CONTROL, LONG)
        .acceptsOnly("filters.AND[0].user_id", PLATFORM_ID, WRONG_TYPE, "42", "-1", "1.5", "true")
        .accepts("filters.AND[0].user_id", SCOPE_READ, CONTROL)
        .acceptsOnly("filters.AND[1].*", FILTER_VALUE, WRONG_TYPE, "42", "-1", "1.5", "true")
        .accepts("filters.AND[1].*", FILTER_VALUE, CONTROL, LONG);
  }
}
