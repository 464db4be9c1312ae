package dev.engram.embed;

import dev.engram.kernel.ApiException;
import dev.engram.kernel.ErrorKind;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Collects the texts of concurrent requests into batches for a blocking batch function run on its own threads.
 * A runner takes what is queued, up to {@code batchSize} texts; while another runner is busy it also waits up to
 * {@code batchWaitMs} after the first text arrived for more. A lone request on an idle embedder runs at once.
 * Each request's future completes on the Vert.x context it was submitted from.
 */
public final class MicroBatcher implements AutoCloseable {
  /** Turns texts into vectors, one per text, in order. Called on one runner thread at a time per batch. */
  @FunctionalInterface
  public interface BatchFunction {
    float[][] apply(List<String> texts) throws Exception;
  }

  /** Told of each batch as a runner takes it: its size and how long its oldest text waited in the queue. */
  @FunctionalInterface
  public interface Observer {
    void batch(int size, long oldestWaitNanos);
  }

  /** Counters since start: batches run, texts embedded, and how many batches had each size (index = size). */
  public record Stats(long batches, long texts, long[] sizes) {}

  private static final int MAX_QUEUED_TEXTS = 100_000;
  private static final long IDLE_POLL_MS = 100;

  private final BatchFunction function;
  private final int batchSize;
  private final long waitNanos;
  private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>(MAX_QUEUED_TEXTS);
  private final List<Thread> runners = new ArrayList<>();
  private final AtomicInteger busy = new AtomicInteger();
  private final LongAdder batches = new LongAdder();
  private final LongAdder texts = new LongAdder();
  private final AtomicLongArray sizes;
  private volatile boolean closed;
  private volatile Observer observer = (size, wait) -> {};

  public MicroBatcher(String name, BatchFunction function, int batchSize, long batchWaitMs, int threads) {
    this.function = function;
    this.batchSize = Math.max(1, batchSize);
    this.waitNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, batchWaitMs));
    this.sizes = new AtomicLongArray(this.batchSize + 1);
    for (int i = 0; i < Math.max(1, threads); i++) {
      Thread runner = new Thread(this::runLoop, name + "-" + i);
      runner.setDaemon(true);
      runners.add(runner);
      runner.start();
    }
  }

  /** Queues the texts; the future holds one vector per text, in order, completed on {@code context}. */
  public Future<List<float[]>> submit(Context context, List<String> input) {
    if (input.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    if (closed) {
      return Future.failedFuture(new ApiException(ErrorKind.UNAVAILABLE, "the embedder is closed"));
    }
    Request request = new Request(context, input.size());
    long now = System.nanoTime();
    for (int i = 0; i < input.size(); i++) {
      if (!queue.offer(new Item(request, i, input.get(i), now))) {
        request.fail(new ApiException(ErrorKind.UNAVAILABLE, "the embedder is overloaded: "
            + MAX_QUEUED_TEXTS + " texts are waiting"));
        break;
      }
    }
    return request.promise.future();
  }

  /** Reports each batch to {@code observer} from now on (called on a runner thread: it must be cheap). */
  public void observe(Observer observer) {
    this.observer = observer;
  }

  public Stats stats() {
    long[] copy = new long[sizes.length()];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = sizes.get(i);
    }
    return new Stats(batches.sum(), texts.sum(), copy);
  }

  /** Stops the runners (waiting for a running batch to finish) and fails what is still queued. */
  @Override
  public void close() {
    closed = true;
    for (Thread runner : runners) {
      try {
        runner.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    List<Item> left = new ArrayList<>();
    queue.drainTo(left);
    failClosed(left);
  }

  private static void failClosed(List<Item> items) {
    ApiException closing = new ApiException(ErrorKind.UNAVAILABLE, "the embedder was closed");
    items.forEach(item -> item.request.fail(closing));
  }

  private void runLoop() {
    while (true) {
      List<Item> batch = nextBatch();
      if (closed) {
        failClosed(batch);
        return;
      }
      if (batch.isEmpty()) {
        continue;
      }
      busy.incrementAndGet();
      try {
        run(batch);
      } finally {
        busy.decrementAndGet();
      }
    }
  }

  /**
   * The next batch, or an empty one after a short idle wait (so that the loop sees {@link #close()}). Interrupts
   * are ignored: these threads are ours and stop through {@code closed}.
   */
  private List<Item> nextBatch() {
    Item first;
    try {
      first = queue.poll(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      return List.of();
    }
    if (first == null) {
      return List.of();
    }
    List<Item> batch = new ArrayList<>(batchSize);
    batch.add(first);
    queue.drainTo(batch, batchSize - 1);
    long deadline = first.queuedAt + waitNanos;
    while (batch.size() < batchSize && busy.get() > 0) {
      long left = deadline - System.nanoTime();
      Item next;
      try {
        next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
      } catch (InterruptedException e) {
        next = null;
      }
      if (next == null) {
        break;
      }
      batch.add(next);
      queue.drainTo(batch, batchSize - batch.size());
    }
    return batch;
  }

  private void run(List<Item> batch) {
    observer.batch(batch.size(), System.nanoTime() - batch.get(0).queuedAt);
    List<String> input = new ArrayList<>(batch.size());
    batch.forEach(item -> input.add(item.text));
    float[][] vectors;
    try {
      vectors = function.apply(input);
      if (vectors.length != input.size()) {
        throw new IllegalStateException("batch function returned " + vectors.length + " vectors for "
            + input.size() + " texts");
      }
    } catch (Throwable t) {
      Map<Request, Boolean> failed = new IdentityHashMap<>();
      batch.forEach(item -> failed.putIfAbsent(item.request, Boolean.TRUE));
      failed.keySet().forEach(request -> request.fail(t));
      return;
    }
    batches.increment();
    texts.add(batch.size());
    sizes.incrementAndGet(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Item item = batch.get(i);
      item.request.deliver(item.index, vectors[i]);
    }
  }

  private record Item(Request request, int index, String text, long queuedAt) {}

  /** One caller's texts: filled slot by slot by the runners, completed once when the last slot arrives. */
  private static final class Request {
    private final Context context;
    private final float[][] vectors;
    private final AtomicInteger missing;
    private final Promise<List<float[]>> promise = Promise.promise();

    Request(Context context, int size) {
      this.context = context;
      this.vectors = new float[size][];
      this.missing = new AtomicInteger(size);
    }

    void deliver(int index, float[] vector) {
      vectors[index] = vector;
      if (missing.decrementAndGet() == 0) {
        List<float[]> result = Arrays.asList(vectors);
        context.runOnContext(v -> promise.tryComplete(result));
      }
    }

    void fail(Throwable cause) {
      missing.set(-1);
      context.runOnContext(v -> promise.tryFail(cause));
    }
  }
}
