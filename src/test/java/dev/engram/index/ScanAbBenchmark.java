package dev.engram.index;

import dev.engram.bench.BenchArgs;
import dev.engram.testkit.TempHomes;
import dev.engram.testkit.TemplateMemories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;

/**
 * A back-to-back comparison of the large owners' scan ({@link StoredVectorScan#top}) of this checkout and of another
 * one, in one process: each side's classes in a class loader of its own (its native kernel too), both over one Lucene
 * reader of template memories, taking turns round by round (ABBA). On a machine whose speed drifts from one run to
 * the next by more than a change is worth, runs of the side-by-side benchmark cannot tell a few percent apart; turns
 * within one process can (about 3 %). The memories are merged into one segment.
 *
 * <p>Usage: scripts/bench.sh scan-ab --against DIR [--memories 100000] [--rounds 12] [--queries 2000] (DIR: the root
 * of another checkout, built: {@code mvn -q -DskipTests test-compile}; the first two rounds are not counted)
 */
public final class ScanAbBenchmark {
  private static final UUID USER = new UUID(1, 1);
  private static final UUID OWNER = new UUID(2, 2);

  public static void main(String[] args) throws Exception {
    Map<String, String> o = BenchArgs.parse(args);
    Path against = Path.of(o.getOrDefault("against", ""));
    if (!Files.isDirectory(against.resolve("target/classes"))) {
      throw new IllegalArgumentException("--against DIR: the root of another checkout with target/classes built");
    }
    int n = Integer.parseInt(o.getOrDefault("memories", "100000"));
    int rounds = Integer.parseInt(o.getOrDefault("rounds", "12"));
    int queryCount = Integer.parseInt(o.getOrDefault("queries", "2000"));
    List<Side> sides = List.of(new Side("this checkout", Path.of("target/classes")),
        new Side("against " + against, against.resolve("target/classes")));
    List<String> texts = TemplateMemories.sentences(n, 42);
    List<float[]> vectors = texts.parallelStream().map(t -> TemplateMemories.embedding(t, 384)).toList();
    List<float[]> queries = TemplateMemories.sentences(queryCount, 7).stream()
        .map(t -> TemplateMemories.embedding(t, 384)).toList();
    Path dir = TempHomes.create("engram-scan-ab-"); // deleted at exit
    sides.get(0).write(dir, texts, vectors);
    try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(dir))) {
      System.out.printf("scan A/B: %,d template memories of one owner (segments: %d), %d queries a round, %d rounds"
          + " (2 not counted), turns ABBA; %d cores%n", n, reader.leaves().size(), queryCount, rounds,
          Runtime.getRuntime().availableProcessors());
      for (Side side : sides) {
        side.open(reader);
      }
      var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      for (int round = 0; round < rounds; round++) {
        for (int turn = 0; turn < 2; turn++) {
          Side side = sides.get(round % 2 == 0 ? turn : 1 - turn);
          long[] nanos = new long[queries.size()];
          long cpu = os.getProcessCpuTime();
          for (int i = 0; i < queries.size(); i++) {
            long start = System.nanoTime();
            side.top(queries.get(i));
            nanos[i] = System.nanoTime() - start;
          }
          cpu = os.getProcessCpuTime() - cpu;
          Arrays.sort(nanos);
          if (round >= 2) {
            side.p50s.add(nanos[nanos.length / 2] / 1e6);
            side.cpus.add(cpu / 1e6 / queries.size());
          }
        }
      }
      for (Side side : sides) {
        side.helper.shutdownNow();
        System.out.printf("%s (%s): p50 %.3f ms (rounds: %s), CPU per search %.3f ms (%s)%n", side.name,
            side.kernel(), median(side.p50s), rounded(side.p50s), median(side.cpus), rounded(side.cpus));
      }
    }
  }

  private static String rounded(List<Double> values) {
    return String.join(" ", values.stream().map(v -> String.format("%.2f", v)).toList());
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return sorted[sorted.length / 2];
  }

  /** One checkout's index classes, called by reflection (they are package-private and loaded apart). */
  private static final class Side {
    final String name;
    final ClassLoader loader;
    final ExecutorService helper = Executors.newFixedThreadPool(1);
    final List<Double> p50s = new ArrayList<>();
    final List<Double> cpus = new ArrayList<>();
    IndexReader reader;
    Object copies;
    Method top;

    Side(String name, Path classes) throws IOException {
      this.name = name;
      this.loader = new OwnClassesFirst(classes.toUri().toURL(), ScanAbBenchmark.class.getClassLoader());
    }

    /** Writes the memories as this side's documents, merged to one segment. */
    void write(Path dir, List<String> texts, List<float[]> vectors) throws ReflectiveOperationException {
      Class<?> passage = loader.loadClass("dev.engram.index.PassageIndex$IndexedPassage");
      Constructor<?> newPassage = passage.getDeclaredConstructor(UUID.class, long.class, UUID.class, UUID.class,
          String.class, float[].class);
      Method document = accessible(loader.loadClass("dev.engram.index.LuceneDocs")
          .getDeclaredMethod("document", passage, boolean.class, String.class));
      newPassage.setAccessible(true);
      try (var writer = new IndexWriter(FSDirectory.open(dir), new IndexWriterConfig(new StandardAnalyzer())
          .setRAMBufferSizeMB(256))) {
        for (int i = 0; i < texts.size(); i++) {
          Object p = newPassage.newInstance(UUID.randomUUID(), i, USER, OWNER, texts.get(i), vectors.get(i));
          writer.addDocument((Document) document.invoke(null, p, false, "large_vector"));
        }
        writer.forceMerge(1);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void open(IndexReader reader) throws ReflectiveOperationException {
      this.reader = reader;
      Class<?> segments = loader.loadClass("dev.engram.index.QuantizedSegments");
      copies = accessible(segments.getDeclaredConstructor(long.class)).newInstance(Long.MAX_VALUE);
      top = accessible(loader.loadClass("dev.engram.index.StoredVectorScan").getDeclaredMethod("top",
          IndexReader.class, segments, UUID.class, Collection.class, float[].class, int.class, Executor.class));
    }

    void top(float[] query) throws ReflectiveOperationException {
      try {
        top.invoke(null, reader, copies, USER, Set.of(OWNER), query, 10, helper);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw e;
      }
    }

    /** The kernel this side scans with (its native one, unless its library did not load). */
    String kernel() throws ReflectiveOperationException {
      Class<?> dot = loader.loadClass("dev.engram.index.DotProduct");
      Object fastest = accessible(dot.getDeclaredField("FASTEST")).get(null);
      return (String) accessible(dot.getDeclaredMethod("name")).invoke(fastest);
    }
  }

  private static <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
    member.setAccessible(true);
    return member;
  }

  /** Engram's classes and resources (the native library among them) from its own directory, the rest from parent. */
  private static final class OwnClassesFirst extends URLClassLoader {
    OwnClassesFirst(URL classes, ClassLoader parent) {
      super(new URL[] {classes}, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith("dev.engram.")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          c = findClass(name);
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }

    @Override
    public URL getResource(String name) {
      URL own = findResource(name);
      return own != null ? own : super.getResource(name);
    }
  }
}
