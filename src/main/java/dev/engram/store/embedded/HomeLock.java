package dev.engram.store.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * An exclusive lock on {@code ENGRAM_HOME/engram.lock}, held for as long as this process runs the home's embedded
 * PostgreSQL: a second Engram on the same home is refused instead of stopping a database that a live Engram uses. The
 * operating system drops the lock when the process dies, even by {@code kill -9}, so a lock that can be taken means
 * that any PostgreSQL still running on the home was left behind. The file holds the holder's pid for the message.
 */
final class HomeLock implements AutoCloseable {
  /**
   * Homes locked by this JVM. The lock is a POSIX record lock, which the JVM cannot take twice and which closing any
   * other descriptor of the file would drop: a second start in this JVM is refused before it opens the file.
   */
  private static final Set<Path> HELD = new HashSet<>();

  private final Path home;
  private final FileChannel channel;

  private HomeLock(Path home, FileChannel channel) {
    this.home = home;
    this.channel = channel;
  }

  static synchronized HomeLock acquire(Path home) {
    try {
      Path key = home.toRealPath();
      Path file = key.resolve("engram.lock");
      if (HELD.contains(key)) {
        throw inUse(key, "this process");
      }
      FileChannel channel = Files.exists(file)
          ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
          : FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
              StandardOpenOption.WRITE), PrivateFiles.fileMode());
      FileLock lock = channel.tryLock();
      if (lock == null) {
        String holder = holder(channel);
        channel.close();
        throw inUse(key, holder);
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
      HELD.add(key);
      return new HomeLock(key, channel);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + home.resolve("engram.lock"), e);
    }
  }

  private static String holder(FileChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(32);
    channel.read(buffer, 0);
    String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
    return pid.isEmpty() ? "another process" : "process " + pid;
  }

  private static IllegalStateException inUse(Path home, String holder) {
    return new IllegalStateException("ENGRAM_HOME " + home + " is in use by another Engram (" + holder + " holds "
        + home.resolve("engram.lock") + "): stop that one first, or give this one another home (--home)");
  }

  /** Releases the lock (closing the file does). */
  @Override
  public void close() {
    synchronized (HomeLock.class) {
      try {
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        HELD.remove(home);
      }
    }
  }
}
