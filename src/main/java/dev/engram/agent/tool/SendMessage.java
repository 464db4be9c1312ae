package dev.engram.agent.tool;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The only way the agent reaches the user. */
final class SendMessage implements Tool {
  static final String NAME = "send_message";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public JsonObject schema() {
    return Schemas.function(NAME, "Sends a message to the human user.",
        new JsonObject().put("message",
            Schemas.param("string", "Message contents. All unicode (including emojis) are supported.")),
        new JsonArray().add("message"), false);
  }

  @Override
  public Future<String> run(ToolContext ctx, JsonObject args) {
    ctx.say(args.getString("message"));
    return Future.succeededFuture("None");
  }
}
