package dev.engram.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.spi.metrics.EventBusMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

/**
 * The event bus's meters, with the names, tags and descriptions of Vert.x's Micrometer metrics as Engram configures
 * them (v4 names; labels {@code address} and {@code failure}, no {@code side}), each address folded by {@code fold}
 * first. Vert.x's own implementation looks its counters up in the registry by name and tags for every message sent
 * and received (a tag list, a meter id and a map lookup each, and one more for the pending gauge): 2 % of a Mem0 add's
 * CPU, which crosses the bus three times. Here each folded address's meters are found once and kept; a meter is
 * registered the first time it counts, so the scrape shows the same series as before.
 */
final class EventBusMeters implements EventBusMetrics<EventBusMeters.AddressMeters> {
  private static final String PREFIX = "vertx.eventbus.";
  private static final ReplyFailure[] FAILURES = ReplyFailure.values();

  private final MeterRegistry registry;
  private final UnaryOperator<String> fold;
  private final Map<String, AddressMeters> byAddress = new ConcurrentHashMap<>();

  EventBusMeters(MeterRegistry registry, UnaryOperator<String> fold) {
    this.registry = registry;
    this.fold = fold;
  }

  /** The meters of {@code address} as folded, or null for Vert.x's internal addresses (replies), which are not metered. */
  private AddressMeters meters(String address) {
    if (address.startsWith("__vertx.")) {
      return null;
    }
    String folded = fold.apply(address);
    AddressMeters found = byAddress.get(folded);
    return found != null ? found : byAddress.computeIfAbsent(folded, AddressMeters::new);
  }

  @Override
  public AddressMeters handlerRegistered(String address) {
    AddressMeters m = meters(address);
    if (m != null) {
      m.handlers().increment();
      // Vert.x registers these with a handler: an idle handler's series read 0 rather than missing
      m.pending();
      m.processed();
      m.discarded();
    }
    return m;
  }

  @Override
  public void handlerUnregistered(AddressMeters m) {
    if (m != null) {
      m.handlers().decrement();
    }
  }

  @Override
  public void messageDelivered(AddressMeters m, boolean local) {
    if (m != null) {
      m.pending().decrement();
      m.processed().increment();
    }
  }

  @Override
  public void discardMessage(AddressMeters m, boolean local, Message<?> msg) {
    if (m != null) {
      m.pending().decrement();
      m.discarded().increment();
    }
  }

  @Override
  public void messageSent(String address, boolean publish, boolean local, boolean remote) {
    AddressMeters m = meters(address);
    if (m != null) {
      (publish ? m.published() : m.sent()).increment();
    }
  }

  @Override
  public void messageReceived(String address, boolean publish, boolean local, int handlers) {
    AddressMeters m = meters(address);
    if (m != null) {
      m.received().increment();
      if (handlers > 0) {
        m.pending().add(handlers);
        m.delivered().increment();
      }
    }
  }

  @Override
  public void messageWritten(String address, int numberOfBytes) {
    AddressMeters m = meters(address);
    if (m != null) {
      m.bytesWritten().record(numberOfBytes);
    }
  }

  @Override
  public void messageRead(String address, int numberOfBytes) {
    AddressMeters m = meters(address);
    if (m != null) {
      m.bytesRead().record(numberOfBytes);
    }
  }

  @Override
  public void replyFailure(String address, ReplyFailure failure) {
    AddressMeters m = meters(address);
    if (m != null) {
      m.replyFailure(failure).increment();
    }
  }

  /**
   * One folded address's meters, each registered on first use. Two threads may both register a counter the first
   * time: the registry hands both the same one. A gauge reads a count of its own, so it is made under the lock.
   */
  final class AddressMeters {
    private final Tags tags;
    private volatile LongAdder handlers;
    private volatile LongAdder pending;
    private volatile Counter processed;
    private volatile Counter discarded;
    private volatile Counter published;
    private volatile Counter sent;
    private volatile Counter received;
    private volatile Counter delivered;
    private volatile DistributionSummary bytesWritten;
    private volatile DistributionSummary bytesRead;
    private final AtomicReferenceArray<Counter> replyFailures = new AtomicReferenceArray<>(FAILURES.length);

    private AddressMeters(String address) {
      this.tags = Tags.of("address", address);
    }

    LongAdder handlers() {
      LongAdder g = handlers;
      if (g == null) {
        synchronized (this) {
          g = handlers;
          if (g == null) {
            handlers = g = gauge("handlers", "Number of event bus handlers in use");
          }
        }
      }
      return g;
    }

    LongAdder pending() {
      LongAdder g = pending;
      if (g == null) {
        synchronized (this) {
          g = pending;
          if (g == null) {
            pending = g = gauge("pending", "Number of messages not processed yet");
          }
        }
      }
      return g;
    }

    Counter processed() {
      Counter c = processed;
      return c != null ? c : (processed = counter("processed", "Number of processed messages", tags));
    }

    Counter discarded() {
      Counter c = discarded;
      return c != null ? c : (discarded = counter("discarded", "Number of discarded messages", tags));
    }

    Counter published() {
      Counter c = published;
      return c != null ? c
          : (published = counter("published", "Number of messages published (publish / subscribe)", tags));
    }

    Counter sent() {
      Counter c = sent;
      return c != null ? c : (sent = counter("sent", "Number of messages sent (point-to-point)", tags));
    }

    Counter received() {
      Counter c = received;
      return c != null ? c : (received = counter("received", "Number of messages received", tags));
    }

    Counter delivered() {
      Counter c = delivered;
      return c != null ? c : (delivered = counter("delivered", "Number of messages delivered to handlers", tags));
    }

    DistributionSummary bytesWritten() {
      DistributionSummary s = bytesWritten;
      return s != null ? s : (bytesWritten = summary("bytes.written",
          "Number of bytes sent while sending messages to event bus cluster peers"));
    }

    DistributionSummary bytesRead() {
      DistributionSummary s = bytesRead;
      return s != null ? s : (bytesRead = summary("bytes.read",
          "Number of bytes received while reading messages from event bus cluster peers"));
    }

    Counter replyFailure(ReplyFailure failure) {
      Counter c = replyFailures.get(failure.ordinal());
      if (c == null) {
        c = counter("reply.failures", "Number of message reply failures", tags.and("failure", failure.name()));
        replyFailures.set(failure.ordinal(), c);
      }
      return c;
    }

    /** A gauge of a count kept here (made once per address, under its lock: the registry keeps the first). */
    private LongAdder gauge(String name, String description) {
      LongAdder adder = new LongAdder();
      Gauge.builder(PREFIX + name, adder, LongAdder::doubleValue).description(description).tags(tags)
          .strongReference(true).register(registry);
      return adder;
    }

    private Counter counter(String name, String description, Tags tags) {
      return Counter.builder(PREFIX + name).description(description).tags(tags).register(registry);
    }

    private DistributionSummary summary(String name, String description) {
      return DistributionSummary.builder(PREFIX + name).description(description).tags(tags).register(registry);
    }
  }
}
