package dev.engram.testkit;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Near-duplicate-heavy memories and their embeddings, as in the side-by-side comparison with Mem0: first-person
 * sentences from 14 templates with three slots each and an optional tail (so most sentences share all but one or two
 * words with many others), and a deterministic bag-of-words embedding (the sum of one pseudo-random Gaussian vector
 * per word, seeded by the word, plus one of the text's own weighing {@link #OWN_WEIGHT} words, normalised): sentences
 * that share words are nearer, scores do not tie, and an HNSW graph misses true neighbours at a few thousand
 * memories where an exact scan cannot. The same text gives the same vector in any process.
 */
public final class TemplateMemories {
  private static final String[][] TEMPLATES = {
      {"I had %s with %s at %s", "FOODS", "PEOPLE", "PLACES"},
      {"I went to %s with %s last %s", "PLACES", "PEOPLE", "TIMES"},
      {"My %s is called %s and lives in %s", "RELATIVES", "NAMES", "CITIES"},
      {"I am learning %s with %s every %s", "SKILLS", "PEOPLE", "DAYS"},
      {"I prefer %s over %s in the %s", "DRINKS", "DRINKS", "PARTS"},
      {"I play %s with %s on %s", "SPORTS", "PEOPLE", "DAYS"},
      {"I am planning a trip to %s with %s in %s", "CITIES", "PEOPLE", "MONTHS"},
      {"My %s has a %s named %s", "RELATIVES", "PETS", "NAMES"},
      {"I am allergic to %s and avoid %s at %s", "FOODS", "FOODS", "PLACES"},
      {"I usually read about %s in the %s on %s", "SKILLS", "PARTS", "DAYS"},
      {"I bought %s for %s in %s", "GIFTS", "PEOPLE", "MONTHS"},
      {"I work on %s with %s from %s", "PROJECTS", "PEOPLE", "CITIES"},
      {"I feel stressed about %s since last %s because of %s", "PROJECTS", "TIMES", "PEOPLE"},
      {"I want to visit %s with my %s in %s", "CITIES", "RELATIVES", "MONTHS"}};
  private static final String[] FOODS = {"pizza", "sushi", "ramen", "tacos", "pasta", "curry", "salad", "dumplings",
      "pancakes", "falafel", "risotto", "burgers", "paella", "pho", "kimchi", "lasagna", "peanuts", "shrimp",
      "strawberries", "cheese"};
  private static final String[] PEOPLE = {"Anna", "Ben", "Carla", "David", "Elif", "Farid", "Grace", "Hugo", "Ines",
      "Jonas", "Kira", "Liam", "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara", "my boss",
      "my neighbour", "my sister", "my brother", "my team"};
  private static final String[] PLACES = {"the beach", "the office", "the park", "the museum", "the market",
      "the gym", "the library", "the cinema", "the airport", "the harbour", "the station", "the cafe",
      "the lake", "the mountains", "the old town", "the zoo"};
  private static final String[] TIMES = {"week", "month", "year", "weekend", "summer", "winter", "spring", "autumn",
      "Friday", "night"};
  private static final String[] RELATIVES = {"mother", "father", "sister", "brother", "aunt", "uncle", "cousin",
      "grandmother", "grandfather", "daughter", "son", "niece", "nephew", "partner", "best friend"};
  private static final String[] NAMES = {"Alex", "Bella", "Charlie", "Daisy", "Eddie", "Frida", "George", "Hazel",
      "Ivan", "Juno", "Kai", "Luna", "Milo", "Nora", "Oscar", "Pia", "Rex", "Sami", "Toby", "Uma"};
  private static final String[] CITIES = {"Berlin", "Lisbon", "Tokyo", "Paris", "Rome", "Madrid", "Oslo", "Vienna",
      "Prague", "Dublin", "Seoul", "Lima", "Cairo", "Boston", "Denver", "Sydney", "Toronto", "Athens", "Zurich",
      "Krakow"};
  private static final String[] SKILLS = {"Spanish", "piano", "guitar", "pottery", "chess", "photography", "Python",
      "painting", "baking", "yoga", "Japanese", "knitting", "climbing", "sailing", "astronomy", "gardening"};
  private static final String[] DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
      "Sunday", "morning", "evening"};
  private static final String[] DRINKS = {"tea", "coffee", "cocoa", "juice", "water", "lemonade", "milk", "matcha",
      "kombucha", "espresso"};
  private static final String[] PARTS = {"morning", "afternoon", "evening", "night", "summer", "winter"};
  private static final String[] SPORTS = {"tennis", "football", "basketball", "squash", "volleyball", "badminton",
      "golf", "hockey", "table tennis", "padel", "cricket", "rugby"};
  private static final String[] MONTHS = {"January", "February", "March", "April", "May", "June", "July", "August",
      "September", "October", "November", "December"};
  private static final String[] PETS = {"cat", "dog", "parrot", "rabbit", "hamster", "turtle", "goldfish", "pony"};
  private static final String[] GIFTS = {"a book", "flowers", "a scarf", "a watch", "headphones", "a lamp",
      "a plant", "chocolate", "a mug", "a poster", "a bike", "a camera"};
  private static final String[] PROJECTS = {"the migration", "the launch", "the budget", "the audit", "the redesign",
      "the hiring plan", "the roadmap", "the outage report", "the conference talk", "the move"};

  /** Appended to a sentence (most often nothing): 16 x 55,264 distinct sentences in all. */
  private static final String[] TAILS = {"", "", "", "", " again", " as usual", " this time", " for once",
      " once more", " as planned", " like before", " on purpose", " by chance", " at last", " after all",
      " for a change"};

  /**
   * A second tail for lists longer than {@link #ONE_TAIL_MAX} (8 x 884,224 distinct sentences); shorter lists do not
   * draw it, so they stay the lists every earlier figure was measured with.
   */
  private static final String[] SECOND_TAILS = {"", " with a smile", " in a hurry", " quietly", " with friends",
      " in the rain", " after work", " before lunch"};
  private static final int ONE_TAIL_MAX = 700_000;

  /**
   * The weight of a text's own vector against one word's (a sentence has about ten words). At 1 the words dominate
   * and HNSW has an easy time (recall@10 1.0 at 10,000 with 100 candidates); at 8 it misses as it did in issue 14's
   * comparison (0.967 at 3,000 with 100 candidates, 0.992 with 200, 0.9995 with 400: scripts/bench.sh scan).
   */
  public static final double OWN_WEIGHT = 8;
  private static final Map<String, double[]> WORDS = new ConcurrentHashMap<>();

  private TemplateMemories() {}

  /** {@code count} distinct sentences; the same seed gives the same list. */
  public static List<String> sentences(int count, long seed) {
    Random random = new Random(seed);
    Set<String> out = new LinkedHashSet<>();
    int attempts = 0;
    while (out.size() < count) {
      if (++attempts > count * 50 + 1000) {
        throw new IllegalArgumentException("the templates do not give " + count + " distinct sentences");
      }
      String[] t = TEMPLATES[random.nextInt(TEMPLATES.length)];
      out.add(String.format(Locale.ROOT, t[0], pick(random, t[1]), pick(random, t[2]), pick(random, t[3]))
          + TAILS[random.nextInt(TAILS.length)]
          + (count > ONE_TAIL_MAX ? SECOND_TAILS[random.nextInt(SECOND_TAILS.length)] : "") + ".");
    }
    return new ArrayList<>(out);
  }

  /** The unit vector of {@code text}: the sum of its words' vectors (lower-cased, punctuation dropped), normalised. */
  public static float[] embedding(String text, int dimension) {
    double[] sum = new double[dimension];
    // what the text means beyond its words: a vector of its own, weighing OWN_WEIGHT words
    Random own = new Random(wordSeed(text));
    for (int i = 0; i < dimension; i++) {
      sum[i] = OWN_WEIGHT * own.nextGaussian();
    }
    for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (word.isEmpty()) {
        continue;
      }
      double[] w = wordVector(word, dimension);
      for (int i = 0; i < dimension; i++) {
        sum[i] += w[i];
      }
    }
    double norm = 0;
    for (double x : sum) {
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    float[] out = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      out[i] = norm == 0 ? 0 : (float) (sum[i] / norm);
    }
    return out;
  }

  /** The word's Gaussian vector, kept (the templates have a few hundred words). */
  private static double[] wordVector(String word, int dimension) {
    return WORDS.computeIfAbsent(word + "/" + dimension, k -> {
      Random random = new Random(wordSeed(word));
      double[] v = new double[dimension];
      for (int i = 0; i < dimension; i++) {
        v[i] = random.nextGaussian();
      }
      return v;
    });
  }

  /** FNV-1a over the word's characters: stable across JVMs (unlike a seed from a mixing constant per process). */
  private static long wordSeed(String word) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < word.length(); i++) {
      h ^= word.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }

  private static String pick(Random random, String slot) {
    String[] options = switch (slot) {
      case "FOODS" -> FOODS;
      case "PEOPLE" -> PEOPLE;
      case "PLACES" -> PLACES;
      case "TIMES" -> TIMES;
      case "RELATIVES" -> RELATIVES;
      case "NAMES" -> NAMES;
      case "CITIES" -> CITIES;
      case "SKILLS" -> SKILLS;
      case "DAYS" -> DAYS;
      case "DRINKS" -> DRINKS;
      case "PARTS" -> PARTS;
      case "SPORTS" -> SPORTS;
      case "MONTHS" -> MONTHS;
      case "PETS" -> PETS;
      case "GIFTS" -> GIFTS;
      case "PROJECTS" -> PROJECTS;
      default -> throw new IllegalArgumentException(slot);
    };
    return options[random.nextInt(options.length)];
  }
}
