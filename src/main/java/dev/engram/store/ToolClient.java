package dev.engram.store;

import static dev.engram.store.ToolProtocol.*;

import dev.engram.kernel.Endpoint;
import dev.engram.model.CustomTool;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;

/** Typed access to the users' own tools in the persistence verticle. */
public final class ToolClient {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(30_000);

  private final Vertx vertx;

  public ToolClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<CustomTool> create(CustomTool tool) {
    return ask(CREATE, new CreateTool(tool)).map(FoundTool::tool);
  }

  public Future<CustomTool> get(String userId, String toolId) {
    return ask(GET, new GetTool(userId, toolId)).map(FoundTool::tool);
  }

  /** The user's tools of these names (null: all), oldest first. */
  public Future<List<CustomTool>> find(String userId, List<String> names) {
    return ask(FIND, new FindTools(userId, names)).map(Tools::tools);
  }

  public Future<CustomTool> save(CustomTool tool) {
    return ask(SAVE, new SaveTool(tool)).map(FoundTool::tool);
  }

  public Future<DeletedTool> delete(String userId, String toolId) {
    return ask(DELETE, new DeleteTool(userId, toolId));
  }

  private <Q extends Record, R extends Record> Future<R> ask(Endpoint<Q, R> endpoint, Q request) {
    return endpoint.ask(vertx, request, OPTIONS);
  }
}
