package dev.engram.store;

import dev.engram.cluster.Fence;
import static dev.engram.store.BlockProtocol.*;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.model.Block;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Memory blocks: their rows, their attachment to agents, and writes that say which version they were made on. A
 * write made on an old version is refused and answered with the current block, so that the writer can redo its edit
 * on it (see {@code agent/BlockEdits}).
 */
final class BlockRepository {
  private static final String INSERT = "insert into blocks(" + BlockRows.BLOCK_COLUMNS + ") values ($1, $2, $3, $4,"
      + " $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) returning " + BlockRows.BLOCK_COLUMNS;
  private static final String GET = "select " + BlockRows.BLOCK_COLUMNS + " from blocks where id = $1 and user_id = $2";
  private static final String BY_IDS = "select " + BlockRows.BLOCK_COLUMNS
      + " from blocks where id = any($1) and user_id = $2";
  private static final String LIST = "select " + BlockRows.BLOCK_COLUMNS + " from blocks " + """
      where user_id = $1
        and ($2::text is null or label = $2)
        and (not $3::boolean or is_template)
        and ($4::text is null or template_name = $4)
        and ($5::text is null or label ilike $5 escape '\\')
        and ($6::text is null or value ilike $6 escape '\\')
        and ($7::text is null or description ilike $7 escape '\\')
        and (cardinality($8::text[]) = 0 or (case when $9::boolean then tags @> $8 else tags && $8 end))
      order by created_at, id""";
  private static final String UPDATE = """
      update blocks set label = $3, value = $4, "limit" = $5, description = $6, metadata = $7, read_only = $8,
        is_template = $9, template_name = $10, tags = $11, version = version + 1, updated_at = now()
      where id = $1 and user_id = $2 and version = $12
      returning\s""" + BlockRows.BLOCK_COLUMNS;
  /** Written only at the version read, and (cluster mode) only while the writing agent's lease is current. */
  private static final String WRITE = """
      with held as (select 1 from agent_shard_leases where shard = $5::int and epoch = $6::bigint for key share)
      update blocks set value = $3, version = version + 1, updated_at = now()
      where id = $1 and user_id = $2 and version = $4 and ($5::int is null or exists (select 1 from held))
      returning\s""" + BlockRows.BLOCK_COLUMNS;
  private static final String LEASE_CURRENT = "select 1 from agent_shard_leases where shard = $1 and epoch = $2";
  private static final String DELETE = "delete from blocks where id = $1 and user_id = $2 returning "
      + BlockRows.BLOCK_COLUMNS;
  private static final String AGENTS_OF = """
      select ab.agent_id from agent_blocks ab join agents a on a.id = ab.agent_id
      where ab.block_id = $1 and a.user_id = $2 order by a.created_at, a.id""";
  private static final String OF_AGENT = "select " + BlockRows.B_COLUMNS
      + " from agent_blocks ab join blocks b on b.id = ab.block_id where ab.agent_id = $1 order by ab.position";
  private static final String OF_AGENTS = "select ab.agent_id as owner_agent, " + BlockRows.B_COLUMNS
      + " from agent_blocks ab join blocks b on b.id = ab.block_id where ab.agent_id = any($1)"
      + " order by ab.agent_id, ab.position";
  private static final String OWNED_AGENT = "select 1 from agents where id = $1 and user_id = $2 for update";
  private static final String UNLINK_ALL = "delete from agent_blocks where agent_id = $1";
  /** Links one of the user's blocks to an agent; no row means the block is not the user's. */
  static final String LINK = """
      insert into agent_blocks(agent_id, block_id, label, position)
      select $1, b.id, b.label, $4 from blocks b where b.id = $2 and b.user_id = $3""";
  private static final String FIND_TEMPLATE = "select " + BlockRows.BLOCK_COLUMNS + """
       from blocks where user_id = $1 and is_template and label = $2 and template_name = $3
      order by created_at desc, id desc limit 1""";
  /** How often an update is redone after losing a race with another write before it gives up (409). */
  private static final int UPDATE_ATTEMPTS = 16;

  private final Pool pool;

  BlockRepository(Pool pool) {
    this.pool = pool;
  }

  Future<Blocks> create(CreateBlocks req) {
    if (req.blocks().isEmpty()) {
      return Future.succeededFuture(new Blocks(List.of()));
    }
    return pool.withTransaction(conn -> insert(conn, req.blocks())).map(Blocks::new);
  }

  /** Inserts new blocks (within the caller's transaction) and answers them as stored. */
  static Future<List<Block>> insert(SqlConnection conn, List<Block> blocks) {
    if (blocks.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return conn.preparedQuery(INSERT).executeBatch(blocks.stream().map(BlockRows::insert).toList()).map(first -> {
      List<Block> out = new ArrayList<>(blocks.size());
      for (RowSet<Row> rs = first; rs != null; rs = rs.next()) {
        rs.forEach(r -> out.add(BlockRows.block(r)));
      }
      return out;
    });
  }

  Future<FoundBlock> get(GetBlock req) {
    return find(req.userId(), req.blockId()).map(FoundBlock::new);
  }

  private Future<Block> find(String userId, String blockId) {
    UUID id = Ids.parse(blockId);
    if (id == null) {
      return Future.failedFuture(notFound(blockId));
    }
    return pool.preparedQuery(GET).execute(Tuple.of(id, UUID.fromString(userId))).compose(rows -> rows.size() == 0
        ? Future.failedFuture(notFound(blockId)) : Future.succeededFuture(BlockRows.block(rows.iterator().next())));
  }

  Future<Blocks> byIds(BlocksByIds req) {
    UUID[] ids = new UUID[req.blockIds().size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = Ids.parse(req.blockIds().get(i));
      if (ids[i] == null) {
        return Future.failedFuture(notFound(req.blockIds().get(i)));
      }
    }
    return pool.preparedQuery(BY_IDS).execute(Tuple.of(ids, UUID.fromString(req.userId()))).compose(rows -> {
      Map<String, Block> byId = new HashMap<>();
      rows.forEach(r -> {
        Block b = BlockRows.block(r);
        byId.put(b.id(), b);
      });
      List<Block> ordered = new ArrayList<>(ids.length);
      for (String id : req.blockIds()) {
        Block b = byId.get(id);
        if (b == null) {
          return Future.failedFuture(notFound(id));
        }
        ordered.add(b);
      }
      return Future.succeededFuture(new Blocks(ordered));
    });
  }

  Future<Blocks> list(ListBlocks req) {
    Tuple params = Tuple.of(UUID.fromString(req.userId()), req.label(), req.templatesOnly(), req.templateName())
        .addValue(contains(req.labelSearch())).addValue(contains(req.valueSearch()))
        .addValue(contains(req.descriptionSearch())).addArrayOfString(req.tags().toArray(String[]::new))
        .addValue(req.matchAllTags());
    return pool.preparedQuery(LIST).execute(params)
        .map(rows -> new Blocks(UserRepository.collect(rows, BlockRows::block)));
  }

  private static String contains(String text) {
    return text == null ? null : "%" + MessageRepository.escapeLike(text) + "%";
  }

  /** Applies the patch to the block as it is now; a write in between makes it start again on the newer block. */
  Future<FoundBlock> update(UpdateBlock req) {
    return update(req, UPDATE_ATTEMPTS).map(FoundBlock::new);
  }

  private Future<Block> update(UpdateBlock req, int attempts) {
    return find(req.userId(), req.blockId()).compose(current -> {
      Block next = patched(current, req.patch());
      Tuple params = Tuple.of(UUID.fromString(current.id()), UUID.fromString(req.userId()), next.label(),
              next.value(), next.limit(), next.description())
          .addValue(new JsonObject(next.metadata())).addValue(next.readOnly()).addValue(next.template())
          .addValue(next.templateName()).addArrayOfString(next.tags().toArray(String[]::new))
          .addValue(current.version());
      return pool.preparedQuery(UPDATE).execute(params).compose(rows -> {
        if (rows.size() == 1) {
          return Future.succeededFuture(BlockRows.block(rows.iterator().next()));
        }
        return attempts > 1 ? update(req, attempts - 1)
            : Future.failedFuture(ApiException.conflict("Block " + req.blockId() + " is being written by others;"
                + " try again"));
      });
    }).recover(e -> Future.failedFuture(UserRepository.isUniqueViolation(e) ? ApiException.conflict(
        "An agent that has this block already has another block labelled '" + req.patch().label() + "'") : e));
  }

  /** The block with the patch applied, checked: a label, and a value within the limit. */
  static Block patched(Block b, BlockPatch p) {
    String label = p.label() != null ? p.label() : b.label();
    Block.checkLabel(label);
    String value = p.value() != null ? p.value() : b.value();
    int limit = p.limit() != null ? p.limit() : b.limit();
    if (limit < 0) {
      throw ApiException.unprocessable("limit must not be negative, got " + limit);
    }
    Block.checkFits(label, value, limit);
    return new Block(b.id(), b.userId(), label, value, limit,
        p.description() != null ? p.description() : b.description(),
        p.metadata() != null ? p.metadata() : b.metadata(), p.readOnly() != null ? p.readOnly() : b.readOnly(),
        p.template() != null ? p.template() : b.template(),
        p.templateName() != null ? p.templateName() : b.templateName(), p.tags() != null ? p.tags() : b.tags(),
        b.version(), b.createdAt(), b.updatedAt());
  }

  Future<BlockWrite> write(WriteBlock req) {
    UUID id = Ids.parse(req.blockId());
    if (id == null) {
      return Future.failedFuture(notFound(req.blockId()));
    }
    Fence fence = req.fence() == null ? Fence.NONE : req.fence();
    Tuple params = Tuple.of(id, UUID.fromString(req.userId()), req.value(), req.expectedVersion(), fence.shard(),
        fence.epoch());
    return pool.preparedQuery(WRITE).execute(params).compose(rows -> {
      if (rows.size() == 1) {
        return Future.succeededFuture(new BlockWrite(BlockRows.block(rows.iterator().next()), true));
      }
      Future<Void> current = fence.shard() == null ? Future.succeededFuture()
          : pool.preparedQuery(LEASE_CURRENT).execute(Tuple.of(fence.shard(), fence.epoch()))
              .compose(held -> held.size() == 1 ? Future.succeededFuture()
                  : Future.failedFuture(ApiException.conflict(Fence.REFUSED_BLOCK)));
      return current.compose(v -> find(req.userId(), req.blockId())).map(found -> new BlockWrite(found, false));
    });
  }

  Future<FoundBlock> delete(DeleteBlock req) {
    UUID id = Ids.parse(req.blockId());
    if (id == null) {
      return Future.failedFuture(notFound(req.blockId()));
    }
    return pool.preparedQuery(DELETE).execute(Tuple.of(id, UUID.fromString(req.userId()))).compose(rows ->
        rows.size() == 0 ? Future.failedFuture(notFound(req.blockId()))
            : Future.succeededFuture(new FoundBlock(BlockRows.block(rows.iterator().next()))));
  }

  Future<AgentIds> agentsOf(BlockAgents req) {
    return find(req.userId(), req.blockId()).compose(block -> pool.preparedQuery(AGENTS_OF)
        .execute(Tuple.of(UUID.fromString(block.id()), UUID.fromString(req.userId())))
        .map(rows -> {
          List<String> ids = new ArrayList<>();
          rows.forEach(r -> ids.add(r.getUUID(0).toString()));
          return new AgentIds(ids);
        }));
  }

  Future<Blocks> ofAgent(AgentBlocks req) {
    return pool.preparedQuery(OF_AGENT).execute(Tuple.of(UUID.fromString(req.agentId())))
        .map(rows -> new Blocks(UserRepository.collect(rows, BlockRows::block)));
  }

  /** The blocks of several agents, by agent id, each in prompt order (for listings). */
  Future<Map<String, List<Block>>> ofAgents(List<UUID> agentIds) {
    if (agentIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return pool.preparedQuery(OF_AGENTS).execute(Tuple.of(agentIds.toArray(UUID[]::new))).map(rows -> {
      Map<String, List<Block>> out = new HashMap<>();
      rows.forEach(r -> out.computeIfAbsent(r.getUUID("owner_agent").toString(), k -> new ArrayList<>())
          .add(BlockRows.block(r)));
      return out;
    });
  }

  /**
   * Replaces the agent's blocks in one transaction: every id must be one of the user's blocks (404 otherwise), and no
   * two may share a label (409).
   */
  Future<Blocks> setAgentBlocks(SetAgentBlocks req) {
    List<String> ids = List.copyOf(new LinkedHashSet<>(req.blockIds()));
    UUID agent = UUID.fromString(req.agentId());
    UUID user = UUID.fromString(req.userId());
    return pool.withTransaction(conn -> conn.preparedQuery(OWNED_AGENT).execute(Tuple.of(agent, user))
        .compose(owned -> owned.size() == 0
            ? Future.failedFuture(ApiException.notFound("Agent agent_id=" + req.agentId() + " not found"))
            : conn.preparedQuery(UNLINK_ALL).execute(Tuple.of(agent)))
        .compose(v -> link(conn, agent, user, ids))
        .compose(v -> conn.preparedQuery(OF_AGENT).execute(Tuple.of(agent)))
        .map(rows -> new Blocks(UserRepository.collect(rows, BlockRows::block))))
        .recover(e -> Future.failedFuture(labelConflict(e)));
  }

  /** Links blocks to an agent at positions 0.., within the caller's transaction; an id not the user's is a 404. */
  static Future<Void> link(SqlConnection conn, UUID agent, UUID user, List<String> blockIds) {
    if (blockIds.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> params = new ArrayList<>(blockIds.size());
    for (int i = 0; i < blockIds.size(); i++) {
      UUID block = Ids.parse(blockIds.get(i));
      if (block == null) {
        return Future.failedFuture(notFound(blockIds.get(i)));
      }
      params.add(Tuple.of(agent, block, user, i));
    }
    return conn.preparedQuery(LINK).executeBatch(params).compose(first -> {
      int i = 0;
      for (RowSet<Row> rs = first; rs != null; rs = rs.next(), i++) {
        if (rs.rowCount() == 0) {
          return Future.failedFuture(notFound(blockIds.get(i)));
        }
      }
      return Future.succeededFuture();
    });
  }

  /** A second block of one label in an agent is a conflict with what the agent has; other failures pass. */
  static Throwable labelConflict(Throwable e) {
    if (e instanceof PgException pg && "23505".equals(pg.getSqlState())
        && String.valueOf(pg.getConstraint()).contains("label")) {
      return ApiException.conflict("An agent cannot have two blocks with the same label: " + pg.getDetail());
    }
    return e;
  }

  Future<FoundBlock> findTemplate(FindTemplate req) {
    return pool.preparedQuery(FIND_TEMPLATE).execute(Tuple.of(UUID.fromString(req.userId()), req.label(), req.name()))
        .map(rows -> new FoundBlock(rows.size() == 0 ? null : BlockRows.block(rows.iterator().next())));
  }

  static ApiException notFound(String blockId) {
    return ApiException.notFound("Block block_id=" + blockId + " not found");
  }
}
