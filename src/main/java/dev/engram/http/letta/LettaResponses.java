package dev.engram.http.letta;

import dev.engram.agent.AgentProtocol.RunFinished;
import dev.engram.http.PrefixedIds;
import dev.engram.kernel.Times;
import dev.engram.model.Run;
import dev.engram.model.StepEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Letta's shapes of a run: {@code LettaResponse} (§6.2), its {@code stop_reason} and usage, and {@code Run} (§9). */
final class LettaResponses {
  private LettaResponses() {}

  static JsonObject stopReason(String reason) {
    return new JsonObject().put("message_type", "stop_reason").put("stop_reason", reason == null ? "error" : reason);
  }

  static JsonObject usage(RunFinished end, String runId) {
    var u = end.usage();
    return new JsonObject().put("message_type", "usage_statistics")
        .put("completion_tokens", u == null ? 0 : u.completionTokens())
        .put("prompt_tokens", u == null ? 0 : u.promptTokens()).put("total_tokens", u == null ? 0 : u.totalTokens())
        .put("step_count", end.stepCount())
        .put("run_ids", new JsonArray().add(PrefixedIds.prefixed(PrefixedIds.RUN, runId)))
        .putNull("cached_input_tokens").putNull("cache_write_tokens").putNull("reasoning_tokens")
        .putNull("context_tokens");
  }

  /** A blocking send's answer: the messages the agent produced (the input is not echoed), why it stopped, usage. */
  static JsonObject response(List<StepEvent> events, RunFinished end, String runId, LettaView view) {
    JsonArray messages = new JsonArray();
    for (StepEvent e : events) {
      JsonObject json = LettaMessages.event(e, runId, view);
      if (json != null) {
        messages.add(json);
      }
    }
    return new JsonObject().put("messages", messages).put("stop_reason", stopReason(end.stopReason()))
        .put("usage", usage(end, runId));
  }

  /** A {@code Run}: its request_config is how its messages are shown. */
  static JsonObject run(Run run) {
    LettaView view = LettaView.fromJson(run.request().view());
    JsonObject config = new JsonObject().put("use_assistant_message", view.useAssistantMessage())
        .put("assistant_message_tool_name", LettaMessages.SEND_MESSAGE).put("assistant_message_tool_kwarg", "message")
        .put("include_return_message_types", view.types() == null ? null : new JsonArray(List.copyOf(view.types())));
    return new JsonObject().put("id", PrefixedIds.prefixed(PrefixedIds.RUN, run.id()))
        .put("agent_id", PrefixedIds.prefixed(PrefixedIds.AGENT, run.agentId())).put("status", run.status())
        .put("stop_reason", run.stopReason()).put("background", run.background())
        .put("created_at", Times.iso(run.createdAt())).put("completed_at", Times.iso(run.completedAt()))
        .put("conversation_id", PrefixedIds.prefixed(PrefixedIds.CONVERSATION, run.conversationId()))
        .put("metadata", new JsonObject()).put("request_config", config)
        .put("total_duration_ns", run.totalDurationNs()).put("ttft_ns", run.ttftNs()).putNull("callback_url")
        .putNull("callback_sent_at").putNull("callback_status_code").putNull("callback_error")
        .putNull("base_template_id");
  }
}
