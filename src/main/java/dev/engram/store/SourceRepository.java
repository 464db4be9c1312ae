package dev.engram.store;

import dev.engram.index.PassageIndex;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.model.Source;
import dev.engram.store.ArchivalProtocol.*;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Sources of documents: their rows, counts, passages, documents and attachments to agents. */
final class SourceRepository {
  private static final String VIEW = "select " + ArchivalRows.SOURCE_COLUMNS + """
      ,
        (select count(*) from passages p where p.source_id = s.id) as num_passages,
        (select count(*) from documents d where d.source_id = s.id) as num_documents,
        (select coalesce(json_agg(json_build_object('id', a.id, 'name', a.name) order by a.name), '[]'::json)
           from agent_sources x join agents a on a.id = x.agent_id where x.source_id = s.id) as attached
      from sources s""";
  private static final String LIST = VIEW + " where s.user_id = $1 order by s.created_at, s.id";
  private static final String GET = VIEW + " where s.id = $1 and s.user_id = $2";
  private static final String OF_AGENT = VIEW + """
       where s.user_id = $1 and s.id in (select source_id from agent_sources where agent_id = $2)
      order by s.created_at, s.id""";
  private static final String INSERT = """
      insert into sources(id, user_id, name, description, embedding_model, embedding_dim, instructions, metadata,
        chunk_tokens)
      values ($1, $2, $3, $4, $5, $6, $7, $8, $9)""";
  private static final String UPDATE = """
      update sources set name = coalesce($3, name), description = coalesce($4, description),
        instructions = coalesce($5, instructions), metadata = coalesce($6, metadata), updated_at = now()
      where id = $1 and user_id = $2""";
  private static final String DELETE = "delete from sources where id = $1 and user_id = $2";
  private static final String OWNED_AGENT = "select 1 from agents where id = $1 and user_id = $2";
  private static final String ATTACH = "insert into agent_sources(agent_id, source_id) values ($1, $2) "
      + "on conflict do nothing";
  private static final String DETACH = "delete from agent_sources where agent_id = $1 and source_id = $2";
  private static final String PASSAGES = "select " + ArchivalRows.PASSAGE_SELECT + " from " + ArchivalRows.PASSAGE_FROM
      + """
       where p.source_id = $1
        and ($2::uuid is null or (p.created_at, p.id) > (select created_at, id from passages where id = $2 and source_id = $1))
      order by p.created_at, p.id limit $3""";
  private static final String CURSOR_SHOWN = "select 1 from passages where id = $2 and source_id = $1";
  private static final String DOCUMENTS = "select " + ArchivalRows.DOCUMENT_COLUMNS
      + " from documents where source_id = $1 order by created_at, id";

  private final Pool pool;
  private final PassageIndex index;

  SourceRepository(Pool pool, PassageIndex index) {
    this.pool = pool;
    this.index = index;
  }

  Future<SourceList> list(ListSources req) {
    return pool.preparedQuery(LIST).execute(Tuple.of(UUID.fromString(req.userId())))
        .map(rows -> new SourceList(UserRepository.collect(rows, SourceRepository::view)));
  }

  Future<SourceView> get(GetSource req) {
    UUID id = Ids.parse(req.sourceId());
    if (id == null) {
      return Future.failedFuture(notFound(req.sourceId()));
    }
    return pool.preparedQuery(GET).execute(Tuple.of(id, UUID.fromString(req.userId()))).compose(rows ->
        rows.size() == 0 ? Future.failedFuture(notFound(req.sourceId()))
            : Future.succeededFuture(view(rows.iterator().next())));
  }

  Future<SourceView> create(CreateSource req) {
    UUID id = UUID.randomUUID();
    return pool.preparedQuery(INSERT).execute(Tuple.of(id, UUID.fromString(req.userId()), req.name(),
            req.description(), req.embeddingModel(), req.embeddingDim(), req.instructions(),
            new JsonObject(new HashMap<>(req.metadata() == null ? Map.of() : req.metadata())))
            .addValue(req.chunkTokens()))
        .recover(e -> Future.failedFuture(UserRepository.isUniqueViolation(e)
            ? ApiException.conflict("A source named '" + req.name() + "' already exists") : e))
        .compose(r -> get(new GetSource(req.userId(), id.toString())));
  }

  Future<SourceView> update(UpdateSource req) {
    return get(new GetSource(req.userId(), req.sourceId()))
        .compose(existing -> pool.preparedQuery(UPDATE).execute(Tuple.of(UUID.fromString(req.sourceId()),
            UUID.fromString(req.userId()), req.name(), req.description(), req.instructions(),
            req.metadata() == null ? null : new JsonObject(new HashMap<>(req.metadata())))))
        .recover(e -> Future.failedFuture(UserRepository.isUniqueViolation(e)
            ? ApiException.conflict("A source named '" + req.name() + "' already exists") : e))
        .compose(r -> get(new GetSource(req.userId(), req.sourceId())));
  }

  /** Deletes a source with its documents and passages; answers the source as it was (with its attached agents). */
  Future<SourceView> delete(DeleteSource req) {
    UUID user = UUID.fromString(req.userId());
    return get(new GetSource(req.userId(), req.sourceId()))
        .compose(existing -> pool.preparedQuery(DELETE).execute(Tuple.of(UUID.fromString(req.sourceId()), user))
            .compose(r -> IndexSync.bestEffort(index.deleteOwner(user, UUID.fromString(req.sourceId())),
                "source delete"))
            .map(existing));
  }

  Future<SourceView> attach(AttachSource req) {
    UUID user = UUID.fromString(req.userId());
    UUID agent = Ids.require(req.agentId(), "agent_id");
    return get(new GetSource(req.userId(), req.sourceId()))
        .compose(source -> pool.preparedQuery(OWNED_AGENT).execute(Tuple.of(agent, user)))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(agentNotFound(req.agentId()))
            : pool.preparedQuery(req.attach() ? ATTACH : DETACH)
                .execute(Tuple.of(agent, UUID.fromString(req.sourceId()))))
        .compose(r -> get(new GetSource(req.userId(), req.sourceId())));
  }

  /** The sources attached to an agent of the user; 404 for an agent that is not the user's. */
  Future<SourceList> ofAgent(AgentSources req) {
    UUID user = UUID.fromString(req.userId());
    UUID agent = Ids.parse(req.agentId());
    if (agent == null) {
      return Future.failedFuture(agentNotFound(req.agentId()));
    }
    return pool.preparedQuery(OWNED_AGENT).execute(Tuple.of(agent, user))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(agentNotFound(req.agentId()))
            : pool.preparedQuery(OF_AGENT).execute(Tuple.of(user, agent)))
        .map(rows -> new SourceList(UserRepository.collect(rows, SourceRepository::view)));
  }

  Future<Passages> passages(SourcePassages req) {
    UUID after = req.after() == null ? null : Ids.require(req.after(), "after");
    return get(new GetSource(req.userId(), req.sourceId())).compose(s -> {
      UUID source = UUID.fromString(req.sourceId()); // a valid id once the source is found
      return pool.preparedQuery(PASSAGES).execute(Tuple.of(source, after, req.limit()))
          .compose(rows -> rows.size() > 0 || after == null ? Future.succeededFuture(rows)
              : cursorShown(source, after).map(rows))
          .map(rows -> new Passages(UserRepository.collect(rows, ArchivalRows::passage)));
    });
  }

  /** An empty page after a cursor: the end, or a cursor that names none of the source's passages (404). */
  private Future<Void> cursorShown(UUID source, UUID after) {
    return pool.preparedQuery(CURSOR_SHOWN).execute(Tuple.of(source, after)).compose(rows -> rows.size() > 0
        ? Future.succeededFuture()
        : Future.failedFuture(ApiException.notFound("after=" + after + " names no passage of source " + source)));
  }

  Future<Documents> documents(SourceDocuments req) {
    return get(new GetSource(req.userId(), req.sourceId()))
        .compose(s -> pool.preparedQuery(DOCUMENTS).execute(Tuple.of(UUID.fromString(req.sourceId()))))
        .map(rows -> new Documents(UserRepository.collect(rows, ArchivalRows::document)));
  }

  private static SourceView view(Row r) {
    Source source = ArchivalRows.source(r);
    List<AgentRef> agents = new ArrayList<>();
    Object attached = r.getValue("attached");
    if (attached instanceof JsonArray array) {
      for (Object o : array) {
        var a = (JsonObject) o;
        agents.add(new AgentRef(a.getString("id"), a.getString("name")));
      }
    }
    return new SourceView(source, r.getLong("num_passages"), r.getLong("num_documents"), agents);
  }

  static ApiException notFound(String sourceId) {
    return ApiException.notFound("Source source_id=" + sourceId + " not found");
  }

  static ApiException agentNotFound(String agentId) {
    return ApiException.notFound("Agent agent_id=" + agentId + " not found");
  }
}
