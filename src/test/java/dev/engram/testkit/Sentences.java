package dev.engram.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Varied, plausible short sentences (8 to 25 words) about a user's life, generated from a seed. */
public final class Sentences {
  private static final String[] SUBJECTS = {"The user", "My sister", "Our team lead", "The landlord", "A colleague",
      "My doctor", "The neighbour's kid", "Grandma", "The new intern", "Her partner"};
  private static final String[] VERBS = {"mentioned that", "complained that", "was happy that", "remembered that",
      "asked whether", "told me that", "wrote in an email that", "is worried that"};
  private static final String[] CLAUSES = {"the train to Berlin was late again", "the quarterly report is due on Friday",
      "peanuts cause a severe allergic reaction", "the garden needs watering twice a week in summer",
      "the new laptop keeps overheating during video calls", "the marathon training plan starts in March",
      "the kitchen sink has been leaking since Tuesday", "a cat named Pixel joined the family last winter",
      "the flight to Lisbon was moved to an earlier slot", "oat milk tastes better in coffee than soy milk",
      "the piano lessons moved from Monday to Thursday", "the rent goes up by five percent next year",
      "the database migration failed twice over the weekend", "a birthday dinner is planned at the Thai place",
      "the dentist appointment needs to be rescheduled", "the hiking trail near the lake is closed for repairs"};
  private static final String[] TAILS = {"", "", "and nobody knows why", "which surprised everyone",
      "so plans have to change", "according to the latest message", "even though it was confirmed twice",
      "and it should be written down somewhere safe", "but there is still time to fix it properly"};
  private static final String[] OPENERS = {"", "", "Yesterday", "Last week", "This morning", "On Sunday",
      "Just before lunch", "Apparently"};

  private Sentences() {}

  /** {@code count} sentences; the same seed gives the same list. */
  public static List<String> generate(int count, long seed) {
    Random random = new Random(seed);
    List<String> out = new ArrayList<>(count);
    while (out.size() < count) {
      String opener = pick(random, OPENERS);
      String subject = pick(random, SUBJECTS);
      String sentence = (opener.isEmpty() ? subject : opener + " " + Character.toLowerCase(subject.charAt(0))
          + subject.substring(1)) + " " + pick(random, VERBS) + " " + pick(random, CLAUSES);
      String tail = pick(random, TAILS);
      sentence = (tail.isEmpty() ? sentence : sentence + ", " + tail) + ".";
      int words = sentence.split("\\s+").length;
      if (words >= 8 && words <= 25) {
        out.add(sentence);
      }
    }
    return out;
  }

  private static String pick(Random random, String[] options) {
    return options[random.nextInt(options.length)];
  }
}
