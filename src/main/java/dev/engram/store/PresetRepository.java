package dev.engram.store;

import static dev.engram.store.BlockProtocol.*;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/** The users' presets of the MemGPT /api (the built-in ones are not stored). */
final class PresetRepository {
  private static final String INSERT = "insert into presets(" + BlockRows.PRESET_COLUMNS
      + ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning " + BlockRows.PRESET_COLUMNS;
  private static final String LIST = "select " + BlockRows.PRESET_COLUMNS
      + " from presets where user_id = $1 order by created_at, id";
  private static final String FIND = "select " + BlockRows.PRESET_COLUMNS
      + " from presets where user_id = $1 and name = $2";
  private static final String DELETE = "delete from presets where id = $1 and user_id = $2 returning "
      + BlockRows.PRESET_COLUMNS;

  private final Pool pool;

  PresetRepository(Pool pool) {
    this.pool = pool;
  }

  Future<FoundPreset> create(CreatePreset req) {
    return pool.preparedQuery(INSERT).execute(BlockRows.presetInsert(req.preset()))
        .map(rows -> new FoundPreset(BlockRows.preset(rows.iterator().next())))
        .recover(e -> Future.failedFuture(UserRepository.isUniqueViolation(e)
            ? ApiException.conflict("A preset named '" + req.preset().name() + "' (or with id "
                + req.preset().id() + ") already exists") : e));
  }

  Future<Presets> list(ListPresets req) {
    return pool.preparedQuery(LIST).execute(Tuple.of(UUID.fromString(req.userId())))
        .map(rows -> new Presets(UserRepository.collect(rows, BlockRows::preset)));
  }

  Future<FoundPreset> find(FindPreset req) {
    return pool.preparedQuery(FIND).execute(Tuple.of(UUID.fromString(req.userId()), req.name()))
        .map(rows -> new FoundPreset(rows.size() == 0 ? null : BlockRows.preset(rows.iterator().next())));
  }

  Future<FoundPreset> delete(DeletePreset req) {
    UUID id = Ids.parse(req.presetId());
    if (id == null) {
      return Future.failedFuture(notFound(req.presetId()));
    }
    return pool.preparedQuery(DELETE).execute(Tuple.of(id, UUID.fromString(req.userId()))).compose(rows ->
        rows.size() == 0 ? Future.failedFuture(notFound(req.presetId()))
            : Future.succeededFuture(new FoundPreset(BlockRows.preset(rows.iterator().next()))));
  }

  private static ApiException notFound(String id) {
    return ApiException.notFound("Preset preset_id=" + id + " not found");
  }
}
