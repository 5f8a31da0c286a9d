package dev.headend.mail.message;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * {@link MessageStore#maildir(Path)}: {@code root/<mailbox>/{tmp,new,cur}/<id>}. Mailbox names are
 * percent-encoded into directory names (nothing but {@code [A-Za-z0-9._+@-]} survives, and no name
 * starts with a dot), so no mailbox can reach outside the root.
 */
final class MaildirMessageStore implements MessageStore {
  private static final Pattern MESSAGE_NAME = Pattern.compile("[A-Za-z0-9._,:=-]+");
  private static final String SAFE =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+@-";
  private final Path root;
  private final AtomicLong sequence = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition roundDone = lock.newCondition();
  private final Set<Path> dirty = new LinkedHashSet<>(); // directories renamed into, not yet forced
  private long renamed; // renames so far (numbered under the lock, after the rename)
  private long durable; // renames up to this number are durable
  private boolean syncing; // a leader is forcing directories now
  private long commits;
  private final String unique;
  // mailboxes known to exist (created and made durable): spares a stat and path building per append
  private final ConcurrentHashMap<String, Dirs> boxes = new ConcurrentHashMap<>();

  /** A mailbox's {@code tmp} and {@code new} directories. */
  record Dirs(Path tmp, Path fresh) {}

  MaildirMessageStore(Path root) throws IOException {
    this.root = root.toAbsolutePath();
    Files.createDirectories(this.root);
    this.unique =
        ProcessHandle.current().pid()
            + "x"
            + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
  }

  @Override
  public StoredMessage append(String mailbox, byte[] content) throws IOException {
    Dirs dirs = mailbox == null ? null : boxes.get(mailbox);
    if (dirs == null) {
      dirs = dirs(mailbox);
    }
    String id = uniqueName(System.currentTimeMillis(), sequence.incrementAndGet(), unique);
    Path tmp = dirs.tmp().resolve(id);
    FileChannel file;
    try {
      file = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (NoSuchFileException e) {
      // the mailbox was removed behind our back since we cached it: create it again
      boxes.remove(mailbox);
      dirs = dirs(mailbox);
      tmp = dirs.tmp().resolve(id);
      file = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
    try (FileChannel ch = file) {
      ByteBuffer b = ByteBuffer.wrap(content);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      // force(false) is fdatasync(2) on Linux: the data and the metadata needed to read it back
      // (size, block map, the new inode); the entry in new/ is made durable by commit() below
      ch.force(false);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Path target = dirs.fresh().resolve(id);
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    try {
      commit(dirs.fresh());
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(target);
      throw e;
    }
    return new StoredMessage(mailbox, id, content.length);
  }

  /**
   * maildir's unique name: the time in milliseconds (13 digits), then a sequence (8 digits) and a
   * process-unique part; sorts by arrival. Same as {@code String.format("%013d.%08d_%s.headend",
   * ...)} without the formatter's cost on every message.
   */
  static String uniqueName(long millis, long seq, String unique) {
    StringBuilder sb = new StringBuilder(48);
    pad(sb, millis, 13);
    sb.append('.');
    pad(sb, seq, 8);
    return sb.append('_').append(unique).append(".headend").toString();
  }

  private static void pad(StringBuilder sb, long value, int width) {
    String digits = Long.toString(value);
    for (int i = digits.length(); i < width; i++) {
      sb.append('0');
    }
    sb.append(digits);
  }

  /**
   * Group commit of directory entries: returns once a {@code fsync} of {@code dir} that started
   * after this call has completed. Concurrent callers share one {@code fsync} per directory: the
   * first becomes the leader and forces every directory renamed into so far; callers arriving
   * meanwhile wait for the next round, which covers all of them. (Each message's own file was
   * forced by its own thread before the rename, concurrently with the others.)
   */
  private void commit(Path dir) throws IOException {
    lock.lock();
    try {
      long mine = ++renamed;
      dirty.add(dir);
      while (durable < mine) {
        if (syncing) {
          roundDone.awaitUninterruptibly();
          continue;
        }
        syncing = true;
        long upTo = renamed;
        List<Path> dirs = new ArrayList<>(dirty);
        dirty.clear();
        lock.unlock();
        IOException failure = null;
        try {
          for (Path d : dirs) {
            forceDirectory(d);
          }
        } catch (IOException e) {
          failure = e;
        } finally {
          lock.lock();
          syncing = false;
        }
        if (failure != null) {
          dirty.addAll(dirs); // the next leader tries again for the others
          roundDone.signalAll();
          throw failure;
        }
        durable = Math.max(durable, upTo);
        commits++;
        roundDone.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Directory syncs done so far (each covering one or more messages); for tests. */
  long directoryCommits() {
    lock.lock();
    try {
      return commits;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<String> mailboxes() throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path d : dirs) {
        String name = mailboxName(d.getFileName().toString());
        if (name != null && Files.isDirectory(d.resolve("new")) && holdsAMessage(d)) {
          names.add(name);
        }
      }
    }
    Collections.sort(names);
    return names;
  }

  /**
   * Whether a mailbox directory's {@code new} or {@code cur} has a message (without listing all).
   */
  private static boolean holdsAMessage(Path box) throws IOException {
    for (String sub : new String[] {"new", "cur"}) {
      Path dir = box.resolve(sub);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        for (Path f : files) {
          if (isMessageName(f.getFileName().toString())) {
            return true;
          }
        }
      }
    }
    return false;
  }

  @Override
  public List<StoredMessage> list(String mailbox) throws IOException {
    Path box = mailbox(mailbox, false);
    List<StoredMessage> list = new ArrayList<>();
    for (String sub : new String[] {"cur", "new"}) {
      Path dir = box.resolve(sub);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        for (Path f : files) {
          String id = f.getFileName().toString();
          if (!isMessageName(id)) {
            continue; // a dot file or a name that is not a message's
          }
          try {
            list.add(new StoredMessage(mailbox, id, Files.size(f)));
          } catch (NoSuchFileException e) {
            // deleted (or moved to cur) since the directory was read
          }
        }
      }
    }
    list.sort(Comparator.comparing(StoredMessage::id));
    return list;
  }

  @Override
  public byte[] read(String mailbox, String id) throws IOException {
    return Files.readAllBytes(find(mailbox, id));
  }

  @Override
  public boolean delete(String mailbox, String id) throws IOException {
    try {
      Path f = find(mailbox, id);
      Files.delete(f);
      forceDirectory(f.getParent());
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /** The root directory (absolute). */
  Path root() {
    return root;
  }

  /** A fresh unique name for a message. */
  String newId() {
    return uniqueName(System.currentTimeMillis(), sequence.incrementAndGet(), unique);
  }

  /** The mailbox's directories, created (durably) if needed. */
  Dirs directories(String mailbox) throws IOException {
    Dirs dirs = mailbox == null ? null : boxes.get(mailbox);
    return dirs != null ? dirs : dirs(mailbox);
  }

  /** Forgets a cached mailbox (it was removed behind our back) and creates it again. */
  Dirs recreate(String mailbox) throws IOException {
    boxes.remove(mailbox);
    return dirs(mailbox);
  }

  /** The message's file in {@code new} or {@code cur}; null if neither has it. */
  Path existing(String mailbox, String id) throws IOException {
    try {
      return find(mailbox, id);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * Whether {@code id} can name a message file: no path separators and no dot file; ours are {@code
   * [A-Za-z0-9._-]}, other maildir writers add an info part such as {@code :2,S}.
   */
  private static boolean isMessageName(String id) {
    return id != null && MESSAGE_NAME.matcher(id).matches() && !id.startsWith(".");
  }

  Path find(String mailbox, String id) throws IOException {
    if (!isMessageName(id)) {
      throw new NoSuchFileException(mailbox + "/" + id);
    }
    Path box = mailbox(mailbox, false);
    for (String sub : new String[] {"new", "cur"}) {
      Path f = box.resolve(sub).resolve(id);
      if (Files.isRegularFile(f)) {
        return f;
      }
    }
    throw new NoSuchFileException(mailbox + "/" + id);
  }

  private Dirs dirs(String mailbox) throws IOException {
    Path box = mailbox(mailbox, true);
    Dirs dirs = new Dirs(box.resolve("tmp"), box.resolve("new"));
    boxes.put(mailbox, dirs);
    return dirs;
  }

  /** Refuses a null or empty mailbox name; shared by the stores of this package. */
  static void requireMailboxName(String mailbox) {
    if (mailbox == null || mailbox.isEmpty()) {
      throw new IllegalArgumentException("empty mailbox name");
    }
  }

  private Path mailbox(String mailbox, boolean create) throws IOException {
    requireMailboxName(mailbox);
    Path box = root.resolve(directoryName(mailbox));
    if (create && !Files.isDirectory(box.resolve("new"))) {
      for (String sub : new String[] {"tmp", "new", "cur"}) {
        Files.createDirectories(box.resolve(sub));
      }
      forceDirectory(box);
      forceDirectory(root);
    }
    return box;
  }

  /** The mailbox name made safe as one directory name: other bytes become %XX. */
  static String directoryName(String mailbox) {
    StringBuilder sb = new StringBuilder();
    byte[] b = mailbox.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i++) {
      char c = (char) (b[i] & 0xff);
      if (SAFE.indexOf(c) >= 0 && !(i == 0 && c == '.')) {
        sb.append(c);
      } else {
        sb.append('%').append(String.format("%02X", b[i] & 0xff));
      }
    }
    return sb.toString();
  }

  /**
   * The mailbox a directory holds: {@link #directoryName} undone; null for a name that function
   * cannot have made (someone else's directory).
   */
  static String mailboxName(String directory) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < directory.length(); i++) {
      char c = directory.charAt(i);
      if (c == '%') {
        if (i + 2 >= directory.length()) {
          return null;
        }
        int hi = Character.digit(directory.charAt(i + 1), 16);
        int lo = Character.digit(directory.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        bytes.write(hi << 4 | lo);
        i += 2;
      } else if (SAFE.indexOf(c) >= 0) {
        bytes.write(c);
      } else {
        return null;
      }
    }
    String name = bytes.toString(StandardCharsets.UTF_8);
    return directoryName(name).equals(directory) ? name : null;
  }

  /** Makes a directory's entries durable (a rename is not until its directory is forced). */
  static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
