package dev.engram.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Group commit: requests that arrive while earlier ones are being written wait and are then written together, as one
 * batch (one statement, one transaction, one WAL flush). A request arriving when fewer than {@code maxInFlight}
 * batches are being written goes out at the end of the current event-loop turn, with whatever else arrived in that
 * turn, so a lone request waits for nothing. Requests with the same key (an agent) are written one at a time, in
 * arrival order, never in the same batch nor in two concurrent ones. When a batch of several fails, each of its
 * requests is written again on its own, so that a failure is only reported to the request that caused it. Every
 * request is answered only once its batch has been written. Confined to one event loop.
 */
final class Coalescer<Q, R> {
  /** Writes a batch in one go; answers one result per request, in the batch's order, or fails as a whole. */
  interface BatchWriter<Q, R> {
    Future<List<R>> write(List<Q> batch);
  }

  private record Pending<Q, R>(Q request, Object key, Promise<R> answer) {}

  private final Context context;
  private final int maxInFlight;
  private final int maxBatch;
  private final Function<Q, Object> keyOf;
  private final BatchWriter<Q, R> writer;
  private final ArrayDeque<Pending<Q, R>> queue = new ArrayDeque<>();
  private final Set<Object> busyKeys = new HashSet<>();
  private int inFlight;
  private boolean scheduled;

  Coalescer(Context context, int maxInFlight, int maxBatch, Function<Q, Object> keyOf, BatchWriter<Q, R> writer) {
    this.context = context;
    this.maxInFlight = Math.max(1, maxInFlight);
    this.maxBatch = Math.max(1, maxBatch);
    this.keyOf = keyOf;
    this.writer = writer;
  }

  Future<R> submit(Q request) {
    Pending<Q, R> pending = new Pending<>(request, keyOf.apply(request), Promise.promise());
    queue.add(pending);
    schedule();
    return pending.answer().future();
  }

  private void schedule() {
    if (!scheduled && inFlight < maxInFlight && !queue.isEmpty()) {
      scheduled = true;
      context.runOnContext(v -> {
        scheduled = false;
        dispatch();
      });
    }
  }

  private void dispatch() {
    while (inFlight < maxInFlight) {
      List<Pending<Q, R>> batch = take();
      if (batch.isEmpty()) {
        return;
      }
      inFlight++;
      write(batch).onComplete(ar -> {
        inFlight--;
        for (Pending<Q, R> p : batch) {
          busyKeys.remove(p.key());
        }
        schedule();
      });
    }
  }

  /** The oldest waiting requests whose key is free, at most one per key and {@code maxBatch} in all. */
  private List<Pending<Q, R>> take() {
    List<Pending<Q, R>> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
    for (Iterator<Pending<Q, R>> it = queue.iterator(); it.hasNext() && batch.size() < maxBatch; ) {
      Pending<Q, R> p = it.next();
      if (busyKeys.contains(p.key())) {
        continue; // being written, or taken into this batch: it waits for the next one, keeping its place
      }
      it.remove();
      busyKeys.add(p.key());
      batch.add(p);
    }
    return batch;
  }

  /** Writes a batch and answers its requests; completes when all of them are answered. */
  private Future<Void> write(List<Pending<Q, R>> batch) {
    List<Q> requests = new ArrayList<>(batch.size());
    for (Pending<Q, R> p : batch) {
      requests.add(p.request());
    }
    Future<List<R>> written = writeSafely(requests);
    if (batch.size() == 1) {
      return written.transform(ar -> {
        answer(batch.get(0), ar.failed() ? Future.failedFuture(ar.cause()) : Future.succeededFuture(ar.result()
            .get(0)));
        return Future.succeededFuture();
      });
    }
    return written.transform(ar -> {
      if (ar.succeeded()) {
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).answer().complete(ar.result().get(i));
        }
        return Future.succeededFuture();
      }
      // one of them may be at fault: write each on its own so that only its caller hears of it
      List<Future<?>> alone = new ArrayList<>(batch.size());
      for (Pending<Q, R> p : batch) {
        alone.add(writeSafely(List.of(p.request())).transform(one -> {
          answer(p, one.failed() ? Future.failedFuture(one.cause()) : Future.succeededFuture(one.result().get(0)));
          return Future.succeededFuture();
        }));
      }
      return Future.join(alone).mapEmpty();
    });
  }

  private Future<List<R>> writeSafely(List<Q> requests) {
    try {
      return writer.write(requests).compose(results -> results.size() == requests.size()
          ? Future.succeededFuture(results)
          : Future.failedFuture(new IllegalStateException("batch writer answered " + results.size() + " results for "
              + requests.size() + " requests")));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private void answer(Pending<Q, R> p, Future<R> outcome) {
    if (outcome.succeeded()) {
      p.answer().complete(outcome.result());
    } else {
      p.answer().fail(outcome.cause());
    }
  }
}
