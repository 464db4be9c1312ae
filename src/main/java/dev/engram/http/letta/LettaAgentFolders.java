package dev.engram.http.letta;

import dev.engram.store.ArchivalClient;
import dev.engram.store.ArchivalProtocol.SourceView;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The folders of an agent as an AgentCreate or an AgentUpdate names them ({@code folder_ids}, letta-v1.md §3.1):
 * checked before anything is stored, then attached (and, on an update, the others detached), as the folder attach
 * and detach routes do it.
 */
final class LettaAgentFolders {
  private final ArchivalClient archival;

  LettaAgentFolders(ArchivalClient archival) {
    this.archival = archival;
  }

  /** Fails 404 when one of {@code folderIds} (null: none) is not a folder of the user. */
  Future<Void> check(String userId, List<String> folderIds) {
    if (folderIds == null || folderIds.isEmpty()) {
      return Future.succeededFuture();
    }
    return Future.all(folderIds.stream().map(id -> archival.source(userId, id)).toList()).mapEmpty();
  }

  /** Makes {@code folderIds} the agent's folders (null: leaves them as they are). */
  Future<Void> set(String userId, String agentId, List<String> folderIds) {
    if (folderIds == null) {
      return Future.succeededFuture();
    }
    return archival.agentSources(userId, agentId).compose(current -> {
      Set<String> attached = current.stream().map(v -> v.source().id()).collect(Collectors.toSet());
      List<Future<SourceView>> changes = new ArrayList<>();
      folderIds.stream().filter(id -> !attached.contains(id))
          .forEach(id -> changes.add(archival.attach(userId, id, agentId, true)));
      attached.stream().filter(id -> !folderIds.contains(id))
          .forEach(id -> changes.add(archival.attach(userId, id, agentId, false)));
      return Future.all(changes).mapEmpty();
    });
  }
}
