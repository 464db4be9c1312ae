package dev.engram.store;

import dev.engram.cluster.Fence;
import dev.engram.kernel.ApiException;
import dev.engram.kernel.Ids;
import dev.engram.model.Run;
import dev.engram.model.RunProgress;
import dev.engram.model.StepEvent;
import dev.engram.store.RunProtocol.*;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Runs and their events. The writes of a running run go with its agent's steps (AgentRepository's save binds them
 * with {@link RunRows#bindSave}); here are the writes of runs that wait in a queue (claim, start, cancel), the recovery at
 * start, and the reads.
 */
final class RunRepository {
  static final String COLUMNS = """
      id, agent_id, user_id, status, stop_reason, background, idempotency_key, request, prompt_tokens,
      completion_tokens, total_tokens, step_count, event_count, error_status, error, created_at, completed_at, ttft_ns,
      total_duration_ns, conversation_id""";
  /**
   * Stores a queued run unless it is stored already (the same send asked again: cluster mode asks again when the
   * node it went to stopped) or its agent has one with the same key; nothing when the agent (or the conversation
   * {@code $8}, if any) is not the user's.
   */
  private static final String CLAIM = """
      insert into runs(id, agent_id, user_id, status, background, idempotency_key, request, created_at,
        conversation_id)
      select $1, $2, $3, 'created', $4, $5, $6::text::jsonb, $7, $8
      where exists (select 1 from agents where id = $2 and user_id = $3)
        and ($8::uuid is null or exists (select 1 from conversations where id = $8 and agent_id = $2))
      on conflict do nothing
      returning id""";
  private static final String BY_ID = "select " + COLUMNS + " from runs where id = $1 and agent_id = $2"
      + " and user_id = $3";
  private static final String BY_KEY = "select " + COLUMNS
      + " from runs where agent_id = $1 and idempotency_key = $2 and user_id = $3";
  private static final String OPEN = "select " + COLUMNS + " from runs where status in ('created', 'running')"
      + " order by id";
  /** A run the previous owner started but stored no step of: it can run again from its input. */
  private static final String REQUEUE = """
      with held as (select 1 from agent_shard_leases where shard = $2 and epoch = $3 for key share)
      update runs set status = 'created' where id = any($1) and status = 'running' and exists (select 1 from held)
        and not exists (select 1 from run_events e where e.run_id = runs.id)
      returning id""";
  /**
   * Where each run named stood after its last stored step (see {@link RunProgress}; nulls for rows stored before
   * V019), with the seq of its last event and the message that event is of.
   */
  private static final String LAST_STEPS = """
      select distinct on (run_id) run_id, seq[cardinality(seq)] as last_seq,
        message_id[cardinality(message_id)] as last_message, step_count, prompt_tokens, completion_tokens,
        total_tokens, next_step, next_note
      from run_events where run_id = any($1) order by run_id, first_seq desc""";
  /** A run whose last stored step ended it, though its row was not ended with it: ended as that step said. */
  private static final String END_TAKEN_OVER = """
      with held as (select 1 from agent_shard_leases where shard = $2 and epoch = $3 for key share)
      update runs set status = $4, stop_reason = $5, step_count = $6, prompt_tokens = $7, completion_tokens = $8,
        total_tokens = $9, event_count = $10, completed_at = now()
      where id = $1 and status = 'running' and exists (select 1 from held)
      returning\s""" + COLUMNS;
  /** A run stored before its steps said where they left it (before V019): it cannot go on. */
  private static final String FAIL_TAKEN_OVER = """
      with held as (select 1 from agent_shard_leases where shard = $2 and epoch = $3 for key share)
      update runs set status = 'failed', stop_reason = 'error', error_status = 503,
        error = 'The cluster node running this run stopped after some of its steps were stored; they are kept',
        event_count = coalesce((select max(s) from run_events e, unnest(e.seq) s where e.run_id = runs.id), 0),
        completed_at = now()
      where id = any($1) and status = 'running' and exists (select 1 from held)
      returning\s""" + COLUMNS;
  /** Only while the agent's lease is current (cluster mode), so that a node that lost it cannot start the run. */
  private static final String START = """
      with held as (select 1 from agent_shard_leases where shard = $2::int and epoch = $3::bigint for key share)
      update runs set status = 'running' where id = $1 and status = 'created'
        and ($2::int is null or exists (select 1 from held))
      returning id""";
  private static final String CANCEL_QUEUED = """
      update runs set status = 'cancelled', stop_reason = 'cancelled', step_count = 0, event_count = 0,
        completed_at = now(), total_duration_ns = 0
      where id = $1 and status = 'created' returning id""";
  private static final String FAIL = """
      update runs set status = 'failed', stop_reason = 'error', error_status = $2, error = $3,
        step_count = coalesce(step_count, 0),
        event_count = coalesce((select max(s) from run_events e, unnest(e.seq) s where e.run_id = runs.id), 0),
        completed_at = now()
      where id = $1 and status in ('created', 'running') returning id""";
  private static final String GET = "select " + COLUMNS + " from runs where id = $1 and user_id = $2";
  /** The run and its events after a seq in one statement, hence one snapshot: see {@link #events}. */
  private static final String EVENTS = "select " + COLUMNS.replaceAll("(\\w+)", "r.$1") + """
      , e.seq, e.kind, e.content, e.status as event_status, e.message_id, e.date, e.call_id, e.call_name, e.call_args,
        e.stdout, e.stderr
      from runs r left join lateral (
        select u.* from run_events w, unnest(w.seq, w.kind, w.content, w.status, w.message_id, w.date, w.call_id,
          w.call_name, w.call_args, coalesce(w.stdout, array_fill(null::text, array[cardinality(w.seq)])),
          coalesce(w.stderr, array_fill(null::text, array[cardinality(w.seq)])))
          as u(seq, kind, content, status, message_id, date, call_id, call_name, call_args, stdout, stderr)
        where w.run_id = r.id and u.seq > $3) e on true
      where r.id = $1 and r.user_id = $2
      order by e.seq""";
  private static final String LIST_WHERE = """
       from runs where user_id = $1 and ($2::uuid is null or agent_id = $2)
        and ($3::text[] is null or status = any($3)) and ($4::boolean is null or background = $4)
        and ($5::text is null or stop_reason = $5) and ($6::uuid is null or id > $6)
        and ($7::uuid is null or id < $7) and ($9::uuid is null or conversation_id = $9)
        and ($10::text is null or idempotency_key = $10)""";
  // the text block above starts with "from" (its common indentation is stripped): keep a space before it
  private static final String LIST_UP = "select " + COLUMNS + " " + LIST_WHERE + " order by id asc limit $8";
  private static final String LIST_DOWN = "select " + COLUMNS + " " + LIST_WHERE + " order by id desc limit $8";
  private static final String QUEUED = "select " + COLUMNS + " from runs where status = 'created' order by id";
  /**
   * At start, before anything runs: a run left running by the previous process cannot go on (its step loop is gone),
   * so it fails, with the seq of its last stored event so that a replay ends it properly. It is never run again.
   */
  private static final String FAIL_INTERRUPTED = """
      update runs set status = 'failed', stop_reason = 'error', error_status = 503,
        error = 'The server stopped while this run was in progress; the steps it completed are stored',
        event_count = coalesce((select max(s) from run_events e, unnest(e.seq) s where e.run_id = runs.id), 0),
        completed_at = now()
      where status = 'running'""";

  private final Pool pool;

  RunRepository(Pool pool) {
    this.pool = pool;
  }

  /** Fails the runs an earlier process left running; answers how many. */
  Future<Integer> failInterrupted() {
    return pool.query(FAIL_INTERRUPTED).execute().map(rows -> rows.rowCount());
  }

  Future<Claimed> claim(ClaimRun req) {
    Run r = req.run();
    UUID agent = UUID.fromString(r.agentId());
    UUID user = UUID.fromString(r.userId());
    UUID conversation = r.conversationId() == null ? null : UUID.fromString(r.conversationId());
    Tuple params = Tuple.of(UUID.fromString(r.id()), agent, user, r.background(), r.idempotencyKey(),
        r.request().toJson().encode(), Rows.offset(r.createdAt()), conversation);
    String unknown = conversation == null ? "Agent agent_id=" + r.agentId() + " not found"
        : "Conversation conversation_id=" + r.conversationId() + " not found";
    return pool.preparedQuery(CLAIM).execute(params).compose(rows -> {
      if (rows.rowCount() > 0) {
        return Future.succeededFuture(new Claimed(r, false));
      }
      return pool.preparedQuery(BY_ID).execute(Tuple.of(UUID.fromString(r.id()), agent, user)).compose(same -> {
        if (same.size() > 0) {
          return Future.succeededFuture(new Claimed(RunRows.run(same.iterator().next()), true));
        }
        return byKey(r, agent, user, unknown);
      });
    });
  }

  private Future<Claimed> byKey(Run r, UUID agent, UUID user, String unknown) {
    if (r.idempotencyKey() == null) {
      return notFound(unknown);
    }
    return pool.preparedQuery(BY_KEY).execute(Tuple.of(agent, r.idempotencyKey(), user)).compose(found -> found
        .size() == 0 ? notFound(unknown)
        : Future.succeededFuture(new Claimed(RunRows.run(found.iterator().next()), true)));
  }

  Future<Changed> start(StartRun req) {
    Fence fence = req.fence() == null ? Fence.NONE : req.fence();
    return pool.preparedQuery(START).execute(Tuple.of(UUID.fromString(req.runId()), fence.shard(), fence.epoch()))
        .map(rows -> new Changed(rows.rowCount() > 0));
  }

  Future<Changed> cancelQueued(CancelQueued req) {
    return pool.preparedQuery(CANCEL_QUEUED).execute(Tuple.of(UUID.fromString(req.runId())))
        .map(rows -> new Changed(rows.rowCount() > 0));
  }

  Future<Changed> fail(FailRun req) {
    return pool.preparedQuery(FAIL).execute(Tuple.of(UUID.fromString(req.runId()), req.errorStatus(), req.error()))
        .map(rows -> new Changed(rows.rowCount() > 0));
  }

  Future<RunFound> get(GetRun req) {
    UUID id = Ids.parse(req.runId());
    if (id == null) {
      return notFound("Run run_id=" + req.runId() + " not found");
    }
    return pool.preparedQuery(GET).execute(Tuple.of(id, UUID.fromString(req.userId()))).compose(rows -> rows
        .size() == 0 ? notFound("Run run_id=" + req.runId() + " not found")
        : Future.succeededFuture(new RunFound(RunRows.run(rows.iterator().next()))));
  }

  /**
   * The run and its events after {@code afterSeq}, read in one snapshot: if the run has ended here, every one of its
   * events is among them (a run's end is written with or after its last events), so a replay can end it; if it is
   * still running, its later events come on its bus address, which the reader listens to before asking.
   */
  Future<StoredEvents> events(ReadEvents req) {
    UUID id = Ids.parse(req.runId());
    if (id == null) {
      return notFound("Run run_id=" + req.runId() + " not found");
    }
    return pool.preparedQuery(EVENTS).execute(Tuple.of(id, UUID.fromString(req.userId()), req.afterSeq()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return notFound("Run run_id=" + req.runId() + " not found");
          }
          Run run = null;
          List<StepEvent> events = new ArrayList<>(rows.size());
          for (Row row : rows) {
            run = run == null ? RunRows.run(row) : run;
            if (row.getValue("seq") != null) {
              events.add(RunRows.event(row));
            }
          }
          return Future.succeededFuture(new StoredEvents(run, events));
        });
  }

  Future<RunList> list(ListRuns req) {
    Tuple params = Tuple.of(UUID.fromString(req.userId()), req.agentId() == null ? null
            : Ids.require(req.agentId(), "agent_id"), req.statuses() == null ? null
            : req.statuses().toArray(String[]::new), req.background(), req.stopReason(),
        req.lower() == null ? null : Ids.require(req.lower(), "cursor"))
        .addValue(req.upper() == null ? null : Ids.require(req.upper(), "cursor")).addValue(req.limit())
        .addValue(req.conversationId() == null ? null : Ids.require(req.conversationId(), "conversation_id"))
        .addValue(req.idempotencyKey());
    return pool.preparedQuery(req.fromLower() ? LIST_UP : LIST_DOWN).execute(params)
        .map(rows -> new RunList(UserRepository.collect(rows, RunRows::run)));
  }

  /** See {@link RunProtocol.TakeOver}. */
  Future<TakenOver> takeOver(TakeOver req) {
    return pool.query(OPEN).execute().compose(rows -> {
      List<Run> mine = UserRepository.collect(rows, RunRows::run).stream()
          .filter(r -> Math.floorMod(r.agentId().hashCode(), req.shards()) == req.shard()).toList();
      UUID[] running = mine.stream().filter(r -> Run.RUNNING.equals(r.status())).map(r -> UUID.fromString(r.id()))
          .toArray(UUID[]::new);
      Tuple lease = Tuple.of(running, req.fence().shard(), req.fence().epoch());
      return pool.preparedQuery(REQUEUE).execute(lease).compose(requeued -> {
        Set<String> again = new HashSet<>();
        requeued.forEach(r -> again.add(r.getUUID(0).toString()));
        List<Run> queued = mine.stream().filter(r -> Run.CREATED.equals(r.status()) || again.contains(r.id()))
            .toList();
        List<Run> stepped = mine.stream().filter(r -> Run.RUNNING.equals(r.status()) && !again.contains(r.id()))
            .toList();
        if (stepped.isEmpty()) {
          return Future.succeededFuture(new TakenOver(queued, List.of(), List.of()));
        }
        UUID[] ids = stepped.stream().map(r -> UUID.fromString(r.id())).toArray(UUID[]::new);
        return pool.preparedQuery(LAST_STEPS).execute(Tuple.of(ids))
            .compose(last -> settle(req, stepped, last).map(settled -> new TakenOver(queued, settled.resumed(),
                settled.ended())));
      });
    });
  }

  private record Settled(List<Resumable> resumed, List<Run> ended) {}

  /**
   * Settles the runs taken over with steps stored, by where their last step left them: those that went on are to go
   * on; those it ended are ended as it said; those whose steps do not say fail.
   */
  private Future<Settled> settle(TakeOver req, List<Run> stepped, RowSet<Row> last) {
    Map<String, Row> lastStep = new HashMap<>();
    last.forEach(r -> lastStep.put(r.getUUID("run_id").toString(), r));
    List<Resumable> resumed = new ArrayList<>();
    List<UUID> unknown = new ArrayList<>();
    List<Tuple> ends = new ArrayList<>();
    for (Run run : stepped) {
      Row row = lastStep.get(run.id());
      if (row == null) {
        continue; // no step stored, yet not requeued: the lease was lost meanwhile, and its next owner settles it
      }
      RunProgress progress = row.getInteger("step_count") == null ? null
          : new RunProgress(row.getInteger("step_count"), row.getInteger("prompt_tokens"),
              row.getInteger("completion_tokens"), row.getInteger("total_tokens"), row.getString("next_step"),
              row.getString("next_note"));
      if (progress == null || progress.next() == null) {
        unknown.add(UUID.fromString(run.id()));
      } else if (progress.goesOn()) {
        resumed.add(new Resumable(run, progress, row.getInteger("last_seq"), row.getUUID("last_message").toString()));
      } else {
        String status = Run.STOP_CANCELLED.equals(progress.next()) ? Run.CANCELLED : Run.COMPLETED;
        ends.add(Tuple.of(UUID.fromString(run.id()), req.fence().shard(), req.fence().epoch(), status,
                progress.next(), progress.steps()).addValue(progress.promptTokens())
            .addValue(progress.completionTokens()).addValue(progress.totalTokens())
            .addValue(row.getInteger("last_seq")));
      }
    }
    List<Run> ended = new ArrayList<>();
    Future<Void> failing = unknown.isEmpty() ? Future.succeededFuture()
        : pool.preparedQuery(FAIL_TAKEN_OVER).execute(Tuple.of(unknown.toArray(UUID[]::new), req.fence().shard(),
            req.fence().epoch())).map(rows -> {
              rows.forEach(r -> ended.add(RunRows.run(r)));
              return null;
            });
    return failing.compose(v -> ends.isEmpty() ? Future.succeededFuture()
        : pool.preparedQuery(END_TAKEN_OVER).executeBatch(ends).map(first -> {
          for (RowSet<Row> rows = first; rows != null; rows = rows.next()) {
            rows.forEach(r -> ended.add(RunRows.run(r)));
          }
          return null;
        })).map(v -> new Settled(resumed, ended));
  }

  Future<RunList> queued() {
    return pool.query(QUEUED).execute().map(rows -> new RunList(UserRepository.collect(rows, RunRows::run)));
  }

  private static <T> Future<T> notFound(String detail) {
    return Future.failedFuture(ApiException.notFound(detail));
  }
}
