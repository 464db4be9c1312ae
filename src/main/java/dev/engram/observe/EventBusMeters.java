package dev.engram.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.spi.metrics.EventBusMetrics;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
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

  private final MeterRegistry registry;
  private final UnaryOperator<String> fold;
  private final Map<String, AddressMeters> byAddress = new ConcurrentHashMap<>();

  EventBusMeters(MeterRegistry registry, UnaryOperator<String> fold) {
    this.registry = registry;
    this.fold = fold;
  }

  /** The meters of {@code address} as folded; null for Vert.x's internal addresses (replies), not metered. */
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
      m.handlers.get().increment();
      // Vert.x registers these with a handler: an idle handler's series read 0 rather than missing
      m.pending.get();
      m.processed.get();
      m.discarded.get();
    }
    return m;
  }

  @Override
  public void handlerUnregistered(AddressMeters m) {
    if (m != null) {
      m.handlers.get().decrement();
    }
  }

  @Override
  public void messageDelivered(AddressMeters m, boolean local) {
    if (m != null) {
      m.pending.get().decrement();
      m.processed.get().increment();
    }
  }

  @Override
  public void discardMessage(AddressMeters m, boolean local, Message<?> msg) {
    if (m != null) {
      m.pending.get().decrement();
      m.discarded.get().increment();
    }
  }

  @Override
  public void messageSent(String address, boolean publish, boolean local, boolean remote) {
    AddressMeters m = meters(address);
    if (m != null) {
      (publish ? m.published : m.sent).get().increment();
    }
  }

  @Override
  public void messageReceived(String address, boolean publish, boolean local, int handlers) {
    AddressMeters m = meters(address);
    if (m != null) {
      m.received.get().increment();
      if (handlers > 0) {
        m.pending.get().add(handlers);
        m.delivered.get().increment();
      }
    }
  }

  @Override
  public void messageWritten(String address, int numberOfBytes) {
    AddressMeters m = meters(address);
    if (m != null) {
      m.bytesWritten.get().record(numberOfBytes);
    }
  }

  @Override
  public void messageRead(String address, int numberOfBytes) {
    AddressMeters m = meters(address);
    if (m != null) {
      m.bytesRead.get().record(numberOfBytes);
    }
  }

  @Override
  public void replyFailure(String address, ReplyFailure failure) {
    AddressMeters m = meters(address);
    if (m != null) {
      m.replyFailures.get(failure.ordinal()).get().increment();
    }
  }

  /**
   * One folded address's meters, each registered on first use ({@link Lazy}), so that the scrape shows the series
   * Vert.x's implementation showed: no pending gauge, for instance, for an address nothing here handles.
   */
  final class AddressMeters {
    private final Tags tags;
    private final Lazy<LongAdder> handlers = new Lazy<>(() -> gauge("handlers", "Number of event bus handlers in use"));
    private final Lazy<LongAdder> pending = new Lazy<>(() -> gauge("pending", "Number of messages not processed yet"));
    private final Lazy<Counter> processed = new Lazy<>(() -> counter("processed", "Number of processed messages"));
    private final Lazy<Counter> discarded = new Lazy<>(() -> counter("discarded", "Number of discarded messages"));
    private final Lazy<Counter> published = new Lazy<>(() -> counter("published",
        "Number of messages published (publish / subscribe)"));
    private final Lazy<Counter> sent = new Lazy<>(() -> counter("sent", "Number of messages sent (point-to-point)"));
    private final Lazy<Counter> received = new Lazy<>(() -> counter("received", "Number of messages received"));
    private final Lazy<Counter> delivered = new Lazy<>(() -> counter("delivered",
        "Number of messages delivered to handlers"));
    private final Lazy<DistributionSummary> bytesWritten = new Lazy<>(() -> summary("bytes.written",
        "Number of bytes sent while sending messages to event bus cluster peers"));
    private final Lazy<DistributionSummary> bytesRead = new Lazy<>(() -> summary("bytes.read",
        "Number of bytes received while reading messages from event bus cluster peers"));
    private final List<Lazy<Counter>> replyFailures = Arrays.stream(ReplyFailure.values())
        .map(f -> new Lazy<>(() -> replyFailure(f))).toList();

    private AddressMeters(String address) {
      this.tags = Tags.of("address", address);
    }

    /** A gauge of a count kept here: the registry keeps the first gauge of a name and tags, which reads it. */
    private LongAdder gauge(String name, String description) {
      LongAdder adder = new LongAdder();
      Gauge.builder(PREFIX + name, adder, LongAdder::doubleValue).description(description).tags(tags)
          .strongReference(true).register(registry);
      return adder;
    }

    private Counter counter(String name, String description) {
      return Counter.builder(PREFIX + name).description(description).tags(tags).register(registry);
    }

    private Counter replyFailure(ReplyFailure failure) {
      return Counter.builder(PREFIX + "reply.failures").description("Number of message reply failures")
          .tags(tags.and("failure", failure.name())).register(registry);
    }

    private DistributionSummary summary(String name, String description) {
      return DistributionSummary.builder(PREFIX + name).description(description).tags(tags).register(registry);
    }
  }

  /** A meter made on first use, once: made twice, a gauge's second count would be read by nothing. */
  private static final class Lazy<M> {
    private final Supplier<M> make;
    private volatile M made;

    Lazy(Supplier<M> make) {
      this.make = make;
    }

    M get() {
      M m = made;
      if (m == null) {
        synchronized (this) {
          m = made;
          if (m == null) {
            made = m = make.get();
          }
        }
      }
      return m;
    }
  }
}
