package dev.engram.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.micrometer.MicrometerMetricsFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The event bus's meters give the series Vert.x's Micrometer metrics gave, as Engram configures them. */
class EventBusMetersTest {
  private static final AtomicInteger REGISTRIES = new AtomicInteger();

  @Test
  @DisplayName("the same scrape as Vert.x's event-bus metrics for the same traffic")
  void sameSeriesAsVertx() {
    PrometheusMeterRegistry theirs = EngramMetrics.newRegistry();
    EventBusMetrics<?> vertx = new MicrometerMetricsFactory(theirs).metrics(new VertxOptions().setMetricsOptions(
        EngramMetrics.vertxOptions("bus-meters-" + REGISTRIES.incrementAndGet()).setJvmMetricsEnabled(false)))
        .createEventBusMetrics();
    PrometheusMeterRegistry ours = EngramMetrics.newRegistry();
    EventBusMeters meters = new EventBusMeters(ours, UnaryOperator.identity());

    traffic(vertx);
    traffic(meters);

    String expected = busLines(theirs);
    assertTrue(expected.contains("vertx_eventbus_reply_failures_total"), expected);
    assertEquals(expected, busLines(ours));
  }

  @Test
  @DisplayName("addresses are folded before they are metered, and Vert.x's internal ones are not metered")
  void folds() {
    PrometheusMeterRegistry registry = EngramMetrics.newRegistry();
    EventBusMeters meters = new EventBusMeters(registry,
        address -> address.startsWith("run.") ? "run.events" : address);
    for (String run : List.of("run.1", "run.2", "run.3")) {
      var handler = meters.handlerRegistered(run);
      meters.messageSent(run, true, true, false);
      meters.messageReceived(run, true, true, 1);
      meters.messageDelivered(handler, true);
      meters.handlerUnregistered(handler);
    }
    meters.messageSent("__vertx.reply.7", false, true, false);
    String text = busLines(registry);
    assertTrue(text.contains("vertx_eventbus_published_total{address=\"run.events\"} 3.0"), text);
    assertTrue(text.contains("vertx_eventbus_processed_total{address=\"run.events\"} 3.0"), text);
    assertTrue(text.contains("vertx_eventbus_handlers{address=\"run.events\"} 0.0"), text);
    assertTrue(text.contains("vertx_eventbus_pending{address=\"run.events\"} 0.0"), text);
    assertTrue(!text.contains("run.1") && !text.contains("__vertx"), text);
  }

  /** Sends, publishes, deliveries, a discard, reply failures and cluster bytes on a few addresses. */
  private static <H> void traffic(EventBusMetrics<H> bus) {
    H store = bus.handlerRegistered("store.memories");
    H twin = bus.handlerRegistered("store.memories");
    H events = bus.handlerRegistered("agent.events");
    bus.handlerRegistered("idle.address");
    H reply = bus.handlerRegistered("__vertx.reply.1");
    for (int i = 0; i < 5; i++) {
      bus.messageSent("store.memories", false, true, false);
      bus.messageReceived("store.memories", false, true, 1);
      bus.scheduleMessage(store, true);
      bus.messageDelivered(i % 2 == 0 ? store : twin, true);
    }
    bus.messageSent("agent.events", true, true, false);
    bus.messageReceived("agent.events", true, true, 2);
    bus.messageDelivered(events, true);
    bus.discardMessage(events, true, null);
    bus.messageSent("nobody.listens", false, true, false);
    bus.messageReceived("nobody.listens", false, true, 0);
    bus.replyFailure("nobody.listens", ReplyFailure.NO_HANDLERS);
    bus.replyFailure("store.memories", ReplyFailure.TIMEOUT);
    bus.replyFailure("store.memories", ReplyFailure.TIMEOUT);
    bus.messageWritten("cluster.address", 120);
    bus.messageRead("cluster.address", 80);
    bus.messageSent("__vertx.reply.1", false, true, false);
    bus.messageReceived("__vertx.reply.1", false, true, 1);
    bus.messageDelivered(reply, true);
    bus.handlerUnregistered(twin);
  }

  private static String busLines(PrometheusMeterRegistry registry) {
    return registry.scrape().lines().filter(l -> l.contains("vertx_eventbus")).sorted()
        .collect(Collectors.joining("\n"));
  }
}
