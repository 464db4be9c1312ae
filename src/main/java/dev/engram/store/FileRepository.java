package dev.engram.store;

import dev.engram.index.PassageIndex;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.model.Job;
import dev.engram.store.ArchivalProtocol.*;
import dev.engram.store.StoreProtocol.Done;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The files of a source, which are its upload jobs: one upload is one job and, once loaded, one document with its
 * passages, so a file's id is its job's id and its progress is the job's. Creating one settles a duplicate name as
 * the upload asks (Letta's skip, error, suffix or replace), under a lock on the source row so that two uploads of one
 * name settle one after the other.
 */
final class FileRepository {
  /**
   * Serialises the uploads of one source (their names are settled against each other). NO KEY UPDATE, not UPDATE: a
   * job of that source being completed holds its job row and then takes KEY SHARE on the source for its documents'
   * and passages' foreign keys, which UPDATE would block while this transaction waits for that job row (a deadlock).
   */
  private static final String LOCK_SOURCE =
      "select name from sources where id = $1 and user_id = $2 for no key update";
  private static final String SAME_ORIGINAL = "select " + ArchivalRows.JOB_COLUMNS
      + " from jobs where source_id = $1 and original_file_name = $2 order by created_at, id for update";
  /** The names taken among {@code name} and its suffixed forms ($2 the name, $3 a LIKE pattern of the others). */
  private static final String TAKEN_NAMES =
      "select file_name from jobs where source_id = $1 and (file_name = $2 or file_name like $3 escape '\\')";
  private static final String INSERT = """
      insert into jobs(id, user_id, source_id, status, metadata, node, file_name, original_file_name, file_type,
        chunk_tokens)
      values ($1, $2, $3, 'created', $4, $5, $6, $7, $8, (select chunk_tokens from sources where id = $3))
      returning\s""" + ArchivalRows.JOB_COLUMNS;
  /** The upload's bytes, in the job's transaction: a job exists exactly when its file does (V018). */
  private static final String INSERT_FILE = "insert into job_files(job_id, bytes) values ($1, $2)";
  private static final String GET = "select " + ArchivalRows.JOB_COLUMNS
      + " from jobs where id = $1 and user_id = $2 and source_id = $3";
  private static final String CONTENT = "select " + ArchivalRows.DOCUMENT_TEXT
      + " as text from documents where job_id = $1 order by created_at limit 1";
  private static final String OWNED_SOURCE = "select 1 from sources where id = $1 and user_id = $2";
  private static final String OF_SOURCE = "select " + ArchivalRows.JOB_COLUMNS
      + " from jobs where source_id = $1 order by created_at, id";
  private static final String LOCK_FILE = GET + " for update";
  private static final String DELETE_PASSAGES =
      "delete from passages where document_id in (select id from documents where job_id = $1) returning id";
  private static final String DELETE_DOCUMENTS = "delete from documents where job_id = $1";
  private static final String DELETE_JOB = "delete from jobs where id = $1";

  private final Pool pool;
  private final PassageIndex index;

  FileRepository(Pool pool, PassageIndex index) {
    this.pool = pool;
    this.index = index;
  }

  /** The job of a new upload, or what its duplicate name settles to. */
  Future<NewJob> create(CreateJob req) {
    UUID user = UUID.fromString(req.userId());
    UUID source = UUID.fromString(req.sourceId());
    return pool.withTransaction(conn -> conn.preparedQuery(LOCK_SOURCE).execute(Tuple.of(source, user))
            .compose(rows -> {
              if (rows.size() == 0) {
                return Future.failedFuture(SourceRepository.notFound(req.sourceId()));
              }
              String folder = rows.iterator().next().getString("name");
              return conn.preparedQuery(SAME_ORIGINAL).execute(Tuple.of(source, req.originalFileName()))
                  .compose(same -> {
                    Job existing = same.size() == 0 ? null : ArchivalRows.job(same.iterator().next());
                    return settle(conn, req, user, source, folder, existing);
                  });
            }))
        .compose(created -> removeFromIndex(user, created.removedPassages(), "file replace").map(created.reply()));
  }

  private record Created(NewJob reply, List<UUID> removedPassages) {}

  private Future<Created> settle(SqlConnection conn, CreateJob req, UUID user, UUID source, String folder,
      Job existing) {
    if (existing != null && req.duplicates() == DuplicateFiles.SKIP) {
      return Future.succeededFuture(new Created(new NewJob(existing, true, false), List.of()));
    }
    if (existing != null && req.duplicates() == DuplicateFiles.ERROR) {
      return Future.failedFuture(ApiException.conflict("File '" + req.originalFileName()
          + "' already exists in folder '" + folder + "'"));
    }
    boolean replace = existing != null && req.duplicates() == DuplicateFiles.REPLACE;
    Future<List<UUID>> removed = replace ? deleteRows(conn, UUID.fromString(existing.id()))
        : Future.succeededFuture(List.of());
    UUID job = UUID.randomUUID();
    return removed.compose(gone -> uniqueName(conn, source, req.originalFileName())
        .compose(name -> conn.preparedQuery(INSERT).execute(Tuple.of(job, user, source,
            new JsonObject().put("type", "embedding").put("filename", req.fileName())
                .put("source_id", req.sourceId()).put("size_bytes", req.content().length()),
            req.runner(), name, req.originalFileName(), req.fileType())))
        .compose(rows -> conn.preparedQuery(INSERT_FILE).execute(Tuple.of(job, req.content()))
            .map(rows))
        .map(rows -> new Created(new NewJob(ArchivalRows.job(rows.iterator().next()), false, replace), gone)));
  }

  /** {@code name} when no file of the source has it, else the first free of {@code base_(1).ext}, {@code base_(2).ext}... */
  private static Future<String> uniqueName(SqlConnection conn, UUID source, String name) {
    int dot = name.lastIndexOf('.');
    String base = dot > 0 ? name.substring(0, dot) : name;
    String ext = dot > 0 ? name.substring(dot) : "";
    String pattern = like(base) + "\\_(%)" + like(ext);
    return conn.preparedQuery(TAKEN_NAMES).execute(Tuple.of(source, name, pattern)).map(rows -> {
      Set<String> taken = new HashSet<>();
      rows.forEach(r -> taken.add(r.getString(0)));
      if (!taken.contains(name)) {
        return name;
      }
      for (int n = 1; ; n++) {
        String candidate = base + "_(" + n + ")" + ext;
        if (!taken.contains(candidate)) {
          return candidate;
        }
      }
    });
  }

  private static String like(String text) {
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  Future<FileReply> get(GetFile req) {
    UUID user = UUID.fromString(req.userId());
    UUID source = Ids.parse(req.sourceId());
    UUID file = Ids.parse(req.fileId());
    if (source == null || file == null) {
      return Future.failedFuture(notFound(req.fileId(), req.sourceId()));
    }
    return pool.preparedQuery(GET).execute(Tuple.of(file, user, source)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(notFound(req.fileId(), req.sourceId()));
      }
      Job job = ArchivalRows.job(rows.iterator().next());
      if (!req.includeContent() || !Job.COMPLETED.equals(job.status())) {
        return Future.succeededFuture(new FileReply(job, null));
      }
      return pool.preparedQuery(CONTENT).execute(Tuple.of(file)).map(text -> new FileReply(job,
          text.size() == 0 ? null : text.iterator().next().getString("text")));
    });
  }

  Future<JobList> list(ListFiles req) {
    UUID source = Ids.parse(req.sourceId());
    if (source == null) {
      return Future.failedFuture(SourceRepository.notFound(req.sourceId()));
    }
    return pool.preparedQuery(OWNED_SOURCE).execute(Tuple.of(source, UUID.fromString(req.userId())))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(SourceRepository.notFound(req.sourceId()))
            : pool.preparedQuery(OF_SOURCE).execute(Tuple.of(source)))
        .map(rows -> new JobList(UserRepository.collect(rows, ArchivalRows::job)));
  }

  /** Deletes a file with its document and passages; a job still loading it then finds itself gone and stops. */
  Future<Done> delete(DeleteFile req) {
    UUID user = UUID.fromString(req.userId());
    UUID source = Ids.parse(req.sourceId());
    UUID file = Ids.parse(req.fileId());
    if (source == null || file == null) {
      return Future.failedFuture(notFound(req.fileId(), req.sourceId()));
    }
    return pool.withTransaction(conn -> conn.preparedQuery(LOCK_FILE).execute(Tuple.of(file, user, source))
            .compose(rows -> rows.size() == 0 ? Future.failedFuture(notFound(req.fileId(), req.sourceId()))
                : deleteRows(conn, file)))
        .compose(gone -> removeFromIndex(user, gone, "file delete"))
        .map(new Done());
  }

  private Future<Void> removeFromIndex(UUID user, List<UUID> passages, String what) {
    return passages.isEmpty() ? Future.succeededFuture() : IndexSync.bestEffort(index.delete(user, passages), what);
  }

  /**
   * Deletes a file's passages, document and job (locked by the caller, so that a job completing meanwhile has
   * either committed its document, which is then deleted here, or finds its job gone); the passage ids removed.
   */
  private static Future<List<UUID>> deleteRows(SqlConnection conn, UUID job) {
    return conn.preparedQuery(DELETE_PASSAGES).execute(Tuple.of(job))
        .map(rows -> UserRepository.collect(rows, r -> r.getUUID(0)))
        .compose(ids -> conn.preparedQuery(DELETE_DOCUMENTS).execute(Tuple.of(job))
            .compose(r -> conn.preparedQuery(DELETE_JOB).execute(Tuple.of(job)))
            .map(ids));
  }

  private static ApiException notFound(String fileId, String sourceId) {
    return ApiException.notFound("File id=" + fileId + " not found in folder " + sourceId);
  }
}
