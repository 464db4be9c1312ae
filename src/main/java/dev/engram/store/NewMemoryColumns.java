package dev.engram.store;

import dev.engram.kernel.Times;
import dev.engram.store.MemoryProtocol.ApplyChanges;
import dev.engram.store.MemoryProtocol.NewMemory;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The parameters of {@code MemoryChanges.ADD_MANY} for a batch of new memories: one array per column, a memory's
 * values at its index in each, and the embeddings in one flat array.
 */
final class NewMemoryColumns {
  private final List<UUID> ids = new ArrayList<>();
  private final List<UUID> tenants = new ArrayList<>();
  private final List<UUID> scopeIds = new ArrayList<>();
  private final List<String> scopeUsers = new ArrayList<>();
  private final List<String> scopeAgents = new ArrayList<>();
  private final List<String> scopeRuns = new ArrayList<>();
  private final List<UUID> sessions = new ArrayList<>();
  private final List<String> actors = new ArrayList<>();
  private final List<String> roles = new ArrayList<>();
  private final List<String> types = new ArrayList<>();
  private final List<String> texts = new ArrayList<>();
  private final List<String> hashes = new ArrayList<>();
  private final List<String> normalised = new ArrayList<>();
  private final List<String> metadata = new ArrayList<>();
  private final List<String> models = new ArrayList<>();
  private final List<OffsetDateTime> created = new ArrayList<>();
  private final List<OffsetDateTime> expirations = new ArrayList<>();
  private final List<String> provenances = new ArrayList<>();
  private final List<float[]> vectors = new ArrayList<>();

  /** Adds {@code m}, whose duplicate key ({@link MemoryRows#normalisedHash}) is {@code normalisedHash}. */
  void add(UUID tenant, UUID scopeId, ApplyChanges req, NewMemory m, String normalisedHash) {
    if (!vectors.isEmpty() && vectors.get(0).length != m.vector().length) {
      // one flat array holds them: a batch of mixed dimensions fails, and its adds are written one by one
      throw new IllegalArgumentException("a batch of embeddings of " + vectors.get(0).length + " and "
          + m.vector().length + " dimensions");
    }
    ids.add(UUID.fromString(m.id()));
    tenants.add(tenant);
    scopeIds.add(scopeId);
    scopeUsers.add(req.scope().user());
    scopeAgents.add(req.scope().agent());
    scopeRuns.add(req.scope().run());
    sessions.add(m.sessionId() == null ? null : UUID.fromString(m.sessionId()));
    actors.add(m.actorId());
    roles.add(m.role());
    types.add(m.memoryType());
    texts.add(m.text());
    hashes.add(MemoryRows.md5(m.text()));
    normalised.add(normalisedHash);
    // JSON as text, made jsonb by the statement (the client sent the objects of a jsonb[] parameter as JSON nulls)
    metadata.add(new JsonObject(m.metadata() == null ? Map.of() : m.metadata()).encode());
    models.add(req.embeddingModel());
    created.add(Rows.offset(Times.now()));
    expirations.add(m.expirationDate() == null ? null : Rows.offset(m.expirationDate()));
    provenances.add(m.provenance() == null ? null : new JsonObject(m.provenance()).encode());
    vectors.add(m.vector());
  }

  boolean isEmpty() {
    return ids.isEmpty();
  }

  Tuple tuple() {
    int dimension = vectors.get(0).length;
    Float[] flat = new Float[vectors.size() * dimension];
    for (int i = 0; i < vectors.size(); i++) {
      float[] v = vectors.get(i);
      for (int j = 0; j < dimension; j++) {
        flat[i * dimension + j] = v[j];
      }
    }
    return Tuple.tuple().addArrayOfUUID(ids.toArray(UUID[]::new)).addArrayOfUUID(tenants.toArray(UUID[]::new))
        .addArrayOfUUID(scopeIds.toArray(UUID[]::new)).addArrayOfString(scopeUsers.toArray(String[]::new))
        .addArrayOfString(scopeAgents.toArray(String[]::new)).addArrayOfString(scopeRuns.toArray(String[]::new))
        .addArrayOfUUID(sessions.toArray(UUID[]::new)).addArrayOfString(actors.toArray(String[]::new))
        .addArrayOfString(roles.toArray(String[]::new)).addArrayOfString(types.toArray(String[]::new))
        .addArrayOfString(texts.toArray(String[]::new)).addArrayOfString(hashes.toArray(String[]::new))
        .addArrayOfString(normalised.toArray(String[]::new)).addArrayOfString(metadata.toArray(String[]::new))
        .addArrayOfString(models.toArray(String[]::new))
        .addArrayOfOffsetDateTime(created.toArray(OffsetDateTime[]::new))
        .addArrayOfOffsetDateTime(expirations.toArray(OffsetDateTime[]::new))
        .addArrayOfString(provenances.toArray(String[]::new))
        .addInteger(dimension).addArrayOfFloat(flat);
  }
}
