package dev.engram.store;

import dev.engram.kernel.Endpoint;
import dev.engram.model.CustomTool;
import java.util.List;

/**
 * Requests and replies of the persistence verticle about users' own tools. Every request names the user it acts for;
 * another user's tool is as unknown as one that does not exist (404). What a tool must be (its source, schema, name)
 * is checked before, by the routes.
 */
public final class ToolProtocol {
  private ToolProtocol() {}

  public static final Endpoint<CreateTool, FoundTool> CREATE =
      Endpoint.of("store.tools.create", CreateTool.class, FoundTool.class);
  public static final Endpoint<GetTool, FoundTool> GET =
      Endpoint.of("store.tools.get", GetTool.class, FoundTool.class);
  public static final Endpoint<FindTools, Tools> FIND =
      Endpoint.of("store.tools.find", FindTools.class, Tools.class);
  public static final Endpoint<SaveTool, FoundTool> SAVE =
      Endpoint.of("store.tools.save", SaveTool.class, FoundTool.class);
  public static final Endpoint<DeleteTool, DeletedTool> DELETE =
      Endpoint.of("store.tools.delete", DeleteTool.class, DeletedTool.class);

  /** Stores a new tool (its id, user and times as given); a name the user already has is a 409. */
  public record CreateTool(CustomTool tool) {}
  public record GetTool(String userId, String toolId) {}
  /** The user's tools of these names (null: all of them), oldest first. */
  public record FindTools(String userId, List<String> names) {}
  /**
   * Replaces the stored tool of {@code tool.id()} and {@code tool.userId()} (its creation time kept, its update time
   * now); 404 when there is none, 409 for a name the user has for another tool.
   */
  public record SaveTool(CustomTool tool) {}
  public record DeleteTool(String userId, String toolId) {}

  public record FoundTool(CustomTool tool) {}
  public record Tools(List<CustomTool> tools) {}
  /** The deleted tool, and the user's agents that had it attached (to be detached). */
  public record DeletedTool(CustomTool tool, List<String> agentIds) {}
}
