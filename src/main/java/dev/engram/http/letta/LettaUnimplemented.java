package dev.engram.http.letta;

import dev.engram.http.PathTemplate;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The routes of the official Letta SDK ({@code @letta-ai/letta-client} 1.12.1, its {@code resources/*}) that Engram
 * does not implement, each with the SDK method that calls it. A request to one answers 501 with a detail naming the
 * method, instead of 404 "Not Found" (which the SDK reports as a missing object) or 405. The table is consulted only
 * for requests that no route took, so an implemented route always wins (a test keeps the two apart). Conversations
 * are not listed: they are being built.
 */
public final class LettaUnimplemented {
  /** One SDK route: its method, its path as the router writes it, the SDK method, and what to use instead. */
  public record Entry(String method, String template, String sdkMethod, String instead, Pattern path) {}

  private static final String AGENT_ARCHIVAL = "an agent's archival memory is at /v1/agents/{agent_id}/archival-memory";
  private static final String AGENT_MESSAGES = "an agent's messages are at GET /v1/agents/{agent_id}/messages";
  private static final String RUN = "a run's status, usage and step count are at GET /v1/runs/{run_id}";
  private static final String FILES = "a folder's files are searched through archival memory once the folder is"
      + " attached (PATCH /v1/agents/{agent_id}/folders/attach/{folder_id})";
  private static final String CLOUD = "a Letta Cloud feature";

  private static final List<Entry> ENTRIES = new ArrayList<>();

  static {
    add("POST", "/v1/agents/:agent_id/recompile", "agents.recompile",
        "the system prompt is compiled again whenever memory changes");
    add("POST", "/v1/agents/:agent_id/summarize", "agents.messages.compact",
        "the agent summarises its oldest messages itself when its context window fills");
    add("PATCH", "/v1/agents/:agent_id/archives/attach/:archive_id", "agents.archives.attach", AGENT_ARCHIVAL);
    add("PATCH", "/v1/agents/:agent_id/archives/detach/:archive_id", "agents.archives.detach", AGENT_ARCHIVAL);
    add("GET", "/v1/agents/:agent_id/files", "agents.files.list", FILES);
    add("PATCH", "/v1/agents/:agent_id/files/close-all", "agents.files.closeAll", FILES);
    add("PATCH", "/v1/agents/:agent_id/files/:file_id/open", "agents.files.open", FILES);
    add("PATCH", "/v1/agents/:agent_id/files/:file_id/close", "agents.files.close", FILES);
    add("PATCH", "/v1/agents/:agent_id/identities/attach/:identity_id", "agents.identities.attach", CLOUD);
    add("PATCH", "/v1/agents/:agent_id/identities/detach/:identity_id", "agents.identities.detach", CLOUD);
    add("POST", "/v1/agents/:agent_id/schedule", "agents.schedule.create", CLOUD);
    add("GET", "/v1/agents/:agent_id/schedule", "agents.schedule.list", CLOUD);
    add("GET", "/v1/agents/:agent_id/schedule/:scheduled_message_id", "agents.schedule.retrieve", CLOUD);
    add("DELETE", "/v1/agents/:agent_id/schedule/:scheduled_message_id", "agents.schedule.delete", CLOUD);

    add("POST", "/v1/tools/search", "tools.search", "GET /v1/tools/ takes name, names and search filters");

    add("GET", "/v1/messages", "messages.list", AGENT_MESSAGES);
    add("GET", "/v1/messages/:message_id", "messages.retrieve", AGENT_MESSAGES);
    add("POST", "/v1/messages/search", "messages.search", "an agent searches its own messages (conversation_search)");

    add("GET", "/v1/runs/:run_id/steps", "runs.steps.list", RUN);
    add("GET", "/v1/runs/:run_id/usage", "runs.usage.retrieve", RUN);
    add("GET", "/v1/runs/:run_id/trace", "runs.trace.retrieve", RUN);
    add("GET", "/v1/steps", "steps.list", RUN);
    add("GET", "/v1/steps/:step_id", "steps.retrieve", RUN);
    add("GET", "/v1/steps/:step_id/messages", "steps.messages.list", RUN);
    add("GET", "/v1/steps/:step_id/metrics", "steps.metrics.retrieve", RUN);
    add("GET", "/v1/steps/:step_id/trace", "steps.trace.retrieve", RUN);
    add("PATCH", "/v1/steps/:step_id/feedback", "steps.feedback.create", RUN);

    add("POST", "/v1/archives", "archives.create", AGENT_ARCHIVAL);
    add("GET", "/v1/archives", "archives.list", AGENT_ARCHIVAL);
    add("GET", "/v1/archives/:archive_id", "archives.retrieve", AGENT_ARCHIVAL);
    add("PATCH", "/v1/archives/:archive_id", "archives.update", AGENT_ARCHIVAL);
    add("DELETE", "/v1/archives/:archive_id", "archives.delete", AGENT_ARCHIVAL);
    add("POST", "/v1/archives/:archive_id/passages", "archives.passages.create", AGENT_ARCHIVAL);
    add("POST", "/v1/archives/:archive_id/passages/batch", "archives.passages.createMany", AGENT_ARCHIVAL);
    add("DELETE", "/v1/archives/:archive_id/passages/:passage_id", "archives.passages.delete", AGENT_ARCHIVAL);
    add("POST", "/v1/passages/search", "passages.search",
        "an agent's archival memory is searched at GET /v1/agents/{agent_id}/archival-memory/search");

    add("GET", "/v1/tags", "tags.list", "an agent's tags are on its AgentState, and GET /v1/agents/ filters by them");
    add("POST", "/v1/client-side-access-tokens", "accessTokens.create", "use an API key (POST /admin/users)");
    add("GET", "/v1/client-side-access-tokens", "accessTokens.list", "use an API key (POST /admin/users)");
    add("DELETE", "/v1/client-side-access-tokens/:token", "accessTokens.delete", "use an API key (POST /admin/users)");
    add("POST", "/v1/templates", "templates.create", CLOUD);
    add("PATCH", "/v1/templates/:template_name", "templates.update", CLOUD);
    add("DELETE", "/v1/templates/:template_name", "templates.delete", CLOUD);
    add("POST", "/v1/templates/:template_name/save", "templates.save", CLOUD);
    add("POST", "/v1/templates/:template_name/rollback", "templates.rollback", CLOUD);
    add("POST", "/v1/templates/:template_version/agents", "templates.agents.create", CLOUD);
    add("GET", "/v1/environments", "environments.list", CLOUD);
    add("GET", "/v1/environments/:device_id", "environments.retrieve", CLOUD);
    add("POST", "/v1/environments/:connection_id/messages", "environments.sendMessage", CLOUD);
  }

  private LettaUnimplemented() {}

  private static void add(String method, String template, String sdkMethod, String instead) {
    ENTRIES.add(new Entry(method, template, sdkMethod, instead, PathTemplate.compile(template)));
  }

  public static List<Entry> entries() {
    return List.copyOf(ENTRIES);
  }

  /**
   * The 501 for a request that no route took when it is one of the SDK's routes not implemented here ({@code path}
   * as routed: ids bare, no trailing slash), else null.
   */
  public static ApiException explain(String method, String path) {
    for (Entry e : ENTRIES) {
      if (e.method().equals(method) && e.path().matcher(path).matches()) {
        return new ApiException(ErrorKind.NOT_IMPLEMENTED, "Not implemented by this server (Engram): the Letta SDK's "
            + e.sdkMethod() + " (" + e.method() + " " + e.template() + "); " + e.instead());
      }
    }
    return null;
  }
}
