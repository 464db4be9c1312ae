package dev.engram.agent;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Names for agents created without one, as Letta makes them: an adjective and a noun, e.g. "CuriousOtter". */
final class Names {
  private static final List<String> ADJECTIVES = List.of("Amber", "Brave", "Bright", "Calm", "Clever", "Cosmic",
      "Curious", "Daring", "Eager", "Gentle", "Golden", "Happy", "Humble", "Jolly", "Kind", "Lively", "Lucky",
      "Mellow", "Nimble", "Noble", "Patient", "Quiet", "Rapid", "Serene", "Sharp", "Silver", "Steady", "Sunny",
      "Swift", "Tidy", "Vivid", "Wise");
  private static final List<String> NOUNS = List.of("Badger", "Beacon", "Comet", "Cedar", "Falcon", "Fern",
      "Harbor", "Heron", "Island", "Juniper", "Kestrel", "Lantern", "Maple", "Meadow", "Nebula", "Otter", "Owl",
      "Pebble", "Pine", "Quartz", "Raven", "River", "Sparrow", "Summit", "Thistle", "Tiger", "Valley", "Willow",
      "Wren", "Yarrow", "Zephyr", "Orchid");

  private Names() {}

  static String random() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return ADJECTIVES.get(r.nextInt(ADJECTIVES.size())) + NOUNS.get(r.nextInt(NOUNS.size()));
  }
}
