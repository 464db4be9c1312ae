package dev.engram.sandbox;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * At most {@code size} zygotes, idle ones kept per network profile (a zygote's network namespace is fixed when it
 * starts), and a FIFO of calls waiting for one. A call takes an idle zygote of its profile, else starts one while
 * fewer than {@code size} live, else replaces an idle one of the other profile, else waits (up to
 * {@code maxWaiting} calls; beyond that it fails at once). Zygotes start lazily, on the first calls that need them.
 */
final class ZygotePool {
  private final int size;
  private final int maxWaiting;
  private final Function<Boolean, Future<Zygote>> starter;
  private final ArrayDeque<Zygote> idleIsolated = new ArrayDeque<>();
  private final ArrayDeque<Zygote> idleNetworked = new ArrayDeque<>();
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  /** Zygotes running, starting, or lent out. */
  private int live;
  private boolean closed;

  private record Waiter(boolean network, Promise<Zygote> promise) {}

  /** No zygote can be had now (the queue is full, or the pool is closed). */
  static final class NoZygote extends Exception {
    NoZygote(String message) {
      super(message, null, false, false);
    }
  }

  ZygotePool(int size, int maxWaiting, Function<Boolean, Future<Zygote>> starter) {
    this.size = size;
    this.maxWaiting = maxWaiting;
    this.starter = starter;
  }

  Future<Zygote> acquire(boolean network) {
    List<Zygote> dead = new ArrayList<>();
    try {
      return take(network, dead);
    } finally {
      dead.forEach(Zygote::close);
    }
  }

  private Future<Zygote> take(boolean network, List<Zygote> dead) {
    Zygote retired = null;
    synchronized (this) {
      if (closed) {
        return Future.failedFuture(new NoZygote("the tool sandbox is stopped"));
      }
      Zygote idle;
      while ((idle = idle(network).pollFirst()) != null) {
        if (idle.alive()) {
          return Future.succeededFuture(idle);
        }
        live--;  // died while idle (killed from outside, out of memory): its slot is free again
        dead.add(idle);
      }
      if (live < size) {
        live++;
      } else if (!idle(!network).isEmpty()) {
        retired = idle(!network).pollLast();
      } else if (waiting.size() >= maxWaiting) {
        return Future.failedFuture(new NoZygote("the tool sandbox is busy: " + size + " calls running and "
            + waiting.size() + " waiting"));
      } else {
        Promise<Zygote> promise = Promise.promise();
        waiting.add(new Waiter(network, promise));
        return promise.future();
      }
    }
    if (retired != null) {
      retired.close();
    }
    return startCounted(network);
  }

  /** Gives a zygote back after a call; a broken one is killed and its slot goes to the next waiter. */
  void release(Zygote zygote, boolean healthy) {
    Zygote toClose = null;
    Waiter handOver = null;
    Waiter startFor = null;
    synchronized (this) {
      if (!healthy || closed || !zygote.alive()) {
        toClose = zygote;
        startFor = waiting.poll();  // none once closed
        if (startFor == null) {
          live--;
        }
      } else {
        Waiter next = waiting.poll();
        if (next == null) {
          idle(zygote.network).addFirst(zygote);  // last in, first out: the warmest zygote serves next
        } else if (next.network() == zygote.network) {
          handOver = next;
        } else {
          toClose = zygote;
          startFor = next;
        }
      }
    }
    if (toClose != null) {
      toClose.close();
    }
    if (handOver != null) {
      handOver.promise().complete(zygote);
    }
    if (startFor != null) {
      startCounted(startFor.network()).onComplete(startFor.promise());
    }
  }

  /** Starts a zygote in a slot already counted in {@link #live}; a failed start frees the slot. */
  private Future<Zygote> startCounted(boolean network) {
    return starter.apply(network).recover(failure -> {
      Waiter next;
      synchronized (this) {
        next = waiting.poll();
        if (next == null) {
          live--;
        }
      }
      if (next != null) {
        // the next waiter tries its own start in the freed slot (and most likely learns the same reason)
        startCounted(next.network()).onComplete(next.promise());
      }
      return Future.failedFuture(failure);
    });
  }

  /** Kills every idle zygote and fails the waiting calls; lent ones are killed when given back. */
  void close() {
    List<Zygote> idle = new ArrayList<>();
    List<Waiter> waiters;
    synchronized (this) {
      closed = true;
      idle.addAll(idleIsolated);
      idle.addAll(idleNetworked);
      live -= idle.size();
      idleIsolated.clear();
      idleNetworked.clear();
      waiters = new ArrayList<>(waiting);
      waiting.clear();
    }
    idle.forEach(Zygote::close);
    waiters.forEach(w -> w.promise().fail(new NoZygote("the tool sandbox is stopped")));
  }

  synchronized int live() {
    return live;
  }

  private ArrayDeque<Zygote> idle(boolean network) {
    return network ? idleNetworked : idleIsolated;
  }
}
