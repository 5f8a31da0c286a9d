package dev.headend.mail.message;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * {@link MessageStore#journaledMaildir(Path, int)}: a maildir with a write-ahead journal in {@code
 * root/.journal}.
 *
 * <p>An append encodes one record ({@code magic, type, mailbox, id, content, CRC32C}) and hands it
 * to the group commit: the first appender to find no commit running becomes the leader, writes
 * every queued record to the current segment (preallocated with zeros, so {@code fdatasync} has no
 * metadata to commit) and forces it once with {@code fdatasync}; each appender returns only after
 * the force covering its record. Then the appender writes the message to {@code tmp/} and renames
 * it into {@code new/} without syncing. When a segment is full the next one (preallocated in the
 * background) takes over and the full one is retired in the background: once every append recorded
 * in it has renamed its file, each such file is forced ({@code fdatasync}, several at a time), then
 * the directories, and only then is the segment deleted (and the journal directory forced).
 *
 * <p>At open every segment left over is read up to its first invalid record (a torn tail is cut
 * there), every journalled message not deleted is made durable in its maildir with the same id
 * (written again if it is missing or its bytes differ), messages deleted in the journal are
 * removed, and the segments are deleted oldest first. {@link #delete} writes a delete record to the
 * journal before removing the file, so a deleted message never comes back.
 */
final class JournaledMaildirStore implements MessageStore {
  private static final System.Logger LOG = System.getLogger(JournaledMaildirStore.class.getName());
  static final int MAGIC = 0x484a524e; // "HJRN"
  static final byte APPEND = 1;
  static final byte DELETE = 2;
  private static final int HEADER = 13; // magic, type, mailbox length, id length, content length
  private static final int TRAILER = 4; // CRC32C of everything after the magic
  static final String JOURNAL = ".journal";
  private static final int MAX_SEGMENTS = 8; // not yet retired, the spare included
  private static final int FORCERS = 4;

  private final MaildirMessageStore maildir;
  private final Path journalDir;
  private final int segmentBytes;
  private final FileChannel lockFile;
  private final FileLock fileLock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition committed = lock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean leading;
  private boolean closed;
  private IOException failed;
  private Segment current; // the leader's alone while it leads
  private final AtomicLong nextSegment = new AtomicLong();
  private final AtomicLong syncs = new AtomicLong();
  private final AtomicLong retired = new AtomicLong();
  private final AtomicLong replayed = new AtomicLong();
  private volatile boolean keepSegments; // a retirement failed: keep every later segment for replay
  // mailbox/id -> the live segment holding its append record
  private final ConcurrentHashMap<String, Segment> live = new ConcurrentHashMap<>();
  private final Semaphore segments = new Semaphore(MAX_SEGMENTS);
  private final ExecutorService retirer;
  private final ExecutorService preallocator;
  private final ExecutorService forcers;
  private Future<Segment> spare;

  /** An append or delete waiting for its commit. */
  private static final class Pending {
    final byte[] record;
    Segment segment;
    boolean done;
    IOException error;

    Pending(byte[] record) {
      this.record = record;
    }
  }

  /** A message recorded in a segment. */
  private record Entry(String mailbox, String id) {}

  /** One journal file. */
  private static final class Segment {
    final long id;
    final Path path;
    final FileChannel channel;
    final long size;
    long position; // the leader's
    private int inFlight; // appends committed here whose file is not renamed yet
    private boolean sealed;
    final ConcurrentLinkedQueue<Entry> entries = new ConcurrentLinkedQueue<>();

    Segment(long id, Path path, FileChannel channel, long size) {
      this.id = id;
      this.path = path;
      this.channel = channel;
      this.size = size;
    }

    synchronized void acquire() {
      inFlight++;
    }

    synchronized void release() {
      if (--inFlight == 0) {
        notifyAll();
      }
    }

    synchronized void seal() {
      sealed = true;
      notifyAll();
    }

    synchronized void awaitQuiet() throws InterruptedException {
      while (!sealed || inFlight > 0) {
        wait();
      }
    }
  }

  JournaledMaildirStore(Path root, int segmentBytes) throws IOException {
    if (segmentBytes < 4096) {
      throw new IllegalArgumentException("segmentBytes must be at least 4096: " + segmentBytes);
    }
    this.maildir = new MaildirMessageStore(root);
    this.segmentBytes = segmentBytes;
    this.journalDir = maildir.root().resolve(JOURNAL);
    if (!Files.isDirectory(journalDir)) {
      Files.createDirectories(journalDir);
      MaildirMessageStore.forceDirectory(maildir.root());
    }
    this.lockFile =
        FileChannel.open(
            journalDir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = lockFile.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      l = null; // held by another store in this JVM
    } catch (IOException | RuntimeException e) {
      lockFile.close();
      throw e;
    }
    if (l == null) {
      lockFile.close();
      throw new IOException("the maildir journal " + journalDir + " is in use by another store");
    }
    this.fileLock = l;
    this.retirer = Executors.newSingleThreadExecutor(r -> daemon(r, "headend-journal-retire"));
    this.preallocator = Executors.newSingleThreadExecutor(r -> daemon(r, "headend-journal-alloc"));
    this.forcers = Executors.newFixedThreadPool(FORCERS, r -> daemon(r, "headend-journal-force"));
    try {
      replay();
      current = create(segmentBytes);
      spare = preallocator.submit(() -> create(segmentBytes));
    } catch (IOException | RuntimeException e) {
      stopThreads();
      fileLock.release();
      lockFile.close();
      throw e;
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  // ---------------------------------------------------------------- appends and deletes

  @Override
  public StoredMessage append(String mailbox, byte[] content) throws IOException {
    MaildirMessageStore.Dirs dirs = maildir.directories(mailbox);
    String id = maildir.newId();
    Segment segment = commit(encode(APPEND, mailbox, id, content));
    // durable in the journal from here on; the maildir file follows without a sync of its own
    try {
      String key = key(mailbox, id);
      live.put(key, segment);
      segment.entries.add(new Entry(mailbox, id));
      try {
        materialize(dirs, id, content);
      } catch (NoSuchFileException e) {
        materialize(maildir.recreate(mailbox), id, content); // mailbox removed behind our back
      }
    } finally {
      segment.release();
    }
    return new StoredMessage(mailbox, id, content.length);
  }

  private static void materialize(MaildirMessageStore.Dirs dirs, String id, byte[] content)
      throws IOException {
    Path tmp = dirs.tmp().resolve(id);
    writeTmp(tmp, content, false);
    Files.move(tmp, dirs.fresh().resolve(id), StandardCopyOption.ATOMIC_MOVE);
  }

  /** Writes {@code content} over {@code tmp}, forced ({@code fdatasync}) when {@code force}. */
  private static void writeTmp(Path tmp, byte[] content, boolean force) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(content);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      if (force) {
        ch.force(false);
      }
    }
  }

  @Override
  public boolean delete(String mailbox, String id) throws IOException {
    if (maildir.existing(mailbox, id) == null) {
      return false;
    }
    String key = key(mailbox, id);
    if (live.containsKey(key)) {
      // the journal still holds the message: record the delete first, or replay brings it back
      commit(encode(DELETE, mailbox, id, new byte[0])).release();
    }
    boolean deleted = maildir.delete(mailbox, id);
    live.remove(key);
    return deleted;
  }

  @Override
  public List<StoredMessage> list(String mailbox) throws IOException {
    return maildir.list(mailbox);
  }

  @Override
  public byte[] read(String mailbox, String id) throws IOException {
    return maildir.read(mailbox, id);
  }

  private static String key(String mailbox, String id) {
    return mailbox + "/" + id;
  }

  static byte[] encode(byte type, String mailbox, String id, byte[] content) {
    byte[] box = mailbox.getBytes(StandardCharsets.UTF_8);
    byte[] name = id.getBytes(StandardCharsets.US_ASCII);
    if (box.length > 0xffff || name.length > 0xffff) {
      throw new IllegalArgumentException("mailbox name or id too long");
    }
    ByteBuffer b =
        ByteBuffer.allocate(HEADER + box.length + name.length + content.length + TRAILER);
    b.putInt(MAGIC).put(type).putShort((short) box.length).putShort((short) name.length);
    b.putInt(content.length).put(box).put(name).put(content);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 4, b.position() - 4);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /**
   * Group commit: returns once an {@code fdatasync} of the segment holding {@code record} has
   * completed after the record was written; the returned segment is acquired (the caller releases
   * it once its maildir file is renamed).
   */
  private Segment commit(byte[] record) throws IOException {
    Pending mine = new Pending(record);
    lock.lock();
    try {
      if (closed) {
        throw new IOException("the message store is closed");
      }
      if (failed != null) {
        throw new IOException("the maildir journal failed earlier; reopen the store", failed);
      }
      queue.add(mine);
      while (!mine.done) {
        if (leading) {
          committed.awaitUninterruptibly();
          continue;
        }
        leading = true;
        List<Pending> batch = new ArrayList<>(queue);
        queue.clear();
        lock.unlock();
        IOException error = null;
        try {
          write(batch);
        } catch (IOException e) {
          error = e;
        } catch (RuntimeException e) {
          error = new IOException(e);
        } finally {
          lock.lock();
          leading = false;
        }
        for (Pending p : batch) {
          p.done = true;
          p.error = error;
        }
        if (error != null) {
          failed = error; // records may be half written: no more appends on this journal
        }
        committed.signalAll();
      }
      if (mine.error != null) {
        if (mine.segment != null) {
          mine.segment.release();
        }
        throw new IOException("cannot write the maildir journal", mine.error);
      }
      return mine.segment;
    } finally {
      lock.unlock();
    }
  }

  /** The leader: writes a batch and forces it, rolling to the next segment when one is full. */
  private void write(List<Pending> batch) throws IOException {
    Segment segment = current;
    List<ByteBuffer> buffers = new ArrayList<>();
    long start = segment.position;
    for (Pending p : batch) {
      if (segment.position + p.record.length > segment.size) {
        flush(segment, start, buffers);
        segment = roll(p.record.length);
        buffers.clear();
        start = segment.position;
      }
      p.segment = segment;
      segment.acquire();
      buffers.add(ByteBuffer.wrap(p.record));
      segment.position += p.record.length;
    }
    flush(segment, start, buffers);
  }

  private void flush(Segment segment, long start, List<ByteBuffer> buffers) throws IOException {
    if (buffers.isEmpty()) {
      return;
    }
    ByteBuffer[] all = buffers.toArray(new ByteBuffer[0]);
    segment.channel.position(start);
    long left = 0;
    for (ByteBuffer b : all) {
      left += b.remaining();
    }
    while (left > 0) {
      left -= segment.channel.write(all);
    }
    segment.channel.force(false); // fdatasync: the blocks were allocated and zeroed beforehand
    syncs.incrementAndGet();
  }

  private Segment roll(int recordBytes) throws IOException {
    Segment old = current;
    Segment next;
    if (recordBytes <= segmentBytes) {
      try {
        next = spare.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for a journal segment", e);
      } catch (ExecutionException e) {
        throw new IOException("cannot preallocate a journal segment", e.getCause());
      }
      spare = preallocator.submit(() -> create(segmentBytes));
    } else {
      next = create(recordBytes); // a message larger than a segment gets one of its own
    }
    current = next;
    old.seal();
    retirer.execute(() -> retire(old));
    return next;
  }

  /** A new segment of {@code size} zero bytes, durable with its directory entry. */
  private Segment create(long size) throws IOException {
    segments.acquireUninterruptibly(); // back-pressure when retiring falls behind
    long id = nextSegment.getAndIncrement();
    Path path = journalDir.resolve(segmentName(id));
    FileChannel ch = null;
    try {
      ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
      long written = 0;
      while (written < size) {
        zeros.clear().limit((int) Math.min(zeros.capacity(), size - written));
        written += ch.write(zeros);
      }
      ch.force(true);
      MaildirMessageStore.forceDirectory(journalDir);
      return new Segment(id, path, ch, size);
    } catch (IOException | RuntimeException e) {
      segments.release();
      if (ch != null) {
        ch.close();
      }
      Files.deleteIfExists(path);
      throw e;
    }
  }

  static String segmentName(long id) {
    String hex = Long.toHexString(id);
    return "0".repeat(16 - hex.length()) + hex + ".seg";
  }

  // ---------------------------------------------------------------- retiring segments

  /** Makes every file recorded in {@code segment} durable, then deletes the segment. */
  private void retire(Segment segment) {
    try {
      segment.awaitQuiet();
      boolean complete = syncFiles(segment);
      segment.channel.close();
      if (!complete || keepSegments) {
        keepSegments = true; // replay at the next open needs this one and every later one
        return;
      }
      Files.delete(segment.path);
      MaildirMessageStore.forceDirectory(journalDir);
      for (Entry e : segment.entries) {
        live.remove(key(e.mailbox(), e.id()), segment);
      }
      retired.incrementAndGet();
    } catch (IOException | RuntimeException e) {
      keepSegments = true;
      LOG.log(Level.WARNING, "cannot retire journal segment " + segment.path, e);
    } catch (InterruptedException e) {
      keepSegments = true;
      Thread.currentThread().interrupt();
    } finally {
      segments.release();
    }
  }

  /** Forces the files of a segment's messages and their directories; false if one is missing. */
  private boolean syncFiles(Segment segment) throws IOException, InterruptedException {
    List<Entry> entries = new ArrayList<>(segment.entries);
    int chunks = Math.max(1, Math.min(FORCERS, entries.size() / 32));
    List<Future<Set<Path>>> parts = new ArrayList<>();
    for (int c = 0; c < chunks; c++) {
      List<Entry> part =
          entries.subList(c * entries.size() / chunks, (c + 1) * entries.size() / chunks);
      parts.add(forcers.submit(() -> forceAll(segment, part)));
    }
    Set<Path> dirs = new LinkedHashSet<>();
    boolean complete = true;
    for (Future<Set<Path>> f : parts) {
      try {
        Set<Path> d = f.get();
        if (d == null) {
          complete = false;
        } else {
          dirs.addAll(d);
        }
      } catch (ExecutionException e) {
        throw new IOException("cannot force maildir files", e.getCause());
      }
    }
    for (Path d : dirs) {
      MaildirMessageStore.forceDirectory(d);
    }
    return complete;
  }

  /** Forces each file; the directories to force after, or null if a live message has no file. */
  private Set<Path> forceAll(Segment segment, List<Entry> entries) throws IOException {
    Set<Path> dirs = new HashSet<>();
    boolean complete = true;
    for (Entry e : entries) {
      String key = key(e.mailbox(), e.id());
      for (int attempt = 0; ; attempt++) {
        if (live.get(key) != segment) {
          break; // deleted (through the journal) meanwhile
        }
        Path f = maildir.existing(e.mailbox(), e.id());
        if (f == null) {
          if (live.get(key) == segment) {
            LOG.log(Level.WARNING, "journalled message " + key + " has no maildir file");
            complete = false;
          }
          break;
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
          ch.force(false);
          dirs.add(f.getParent());
          break;
        } catch (NoSuchFileException gone) {
          if (attempt > 2) {
            throw gone;
          }
          // moved to cur/ or deleted meanwhile: look again
        }
      }
    }
    return complete ? dirs : null;
  }

  // ---------------------------------------------------------------- replay at open

  /** A record read back from a segment. */
  record JournalRecord(byte type, String mailbox, String id, byte[] content) {}

  /**
   * The valid records at the start of a segment's bytes: reading stops at the first record whose
   * magic, lengths or checksum do not hold (the torn tail of a crash, or the zeroed preallocation).
   *
   * @throws JournalCorruptException if a record with a valid checksum names no valid mailbox or id
   */
  static List<JournalRecord> scan(byte[] bytes) throws JournalCorruptException {
    List<JournalRecord> records = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.remaining() >= HEADER + TRAILER) {
      int start = b.position();
      if (b.getInt() != MAGIC) {
        break;
      }
      byte type = b.get();
      int boxLength = b.getShort() & 0xffff;
      int idLength = b.getShort() & 0xffff;
      int length = b.getInt();
      if ((type != APPEND && type != DELETE)
          || length < 0
          || (long) boxLength + idLength + length + TRAILER > b.remaining()) {
        break;
      }
      int end = start + HEADER + boxLength + idLength + length;
      CRC32C crc = new CRC32C();
      crc.update(bytes, start + 4, end - start - 4);
      if (ByteBuffer.wrap(bytes, end, 4).getInt() != (int) crc.getValue()) {
        break;
      }
      String box = new String(bytes, start + HEADER, boxLength, StandardCharsets.UTF_8);
      String id =
          new String(bytes, start + HEADER + boxLength, idLength, StandardCharsets.US_ASCII);
      if (box.isEmpty() || !id.matches("[A-Za-z0-9._-]+") || id.startsWith(".")) {
        throw new JournalCorruptException(
            "journal record at offset " + start + " names mailbox " + box + " id " + id);
      }
      byte[] content = Arrays.copyOfRange(bytes, start + HEADER + boxLength + idLength, end);
      records.add(new JournalRecord(type, box, id, content));
      b.position(end + TRAILER);
    }
    return records;
  }

  private void replay() throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(journalDir, "*.seg")) {
      for (Path p : ds) {
        files.add(p);
      }
    }
    files.sort(null);
    long next = 0;
    for (Path p : files) {
      String n = p.getFileName().toString();
      try {
        next = Math.max(next, Long.parseUnsignedLong(n.substring(0, n.length() - 4), 16) + 1);
      } catch (NumberFormatException e) {
        throw new JournalCorruptException("unexpected file in the maildir journal: " + p);
      }
    }
    nextSegment.set(next);
    if (files.isEmpty()) {
      return;
    }
    Set<String> deleted = new HashSet<>();
    for (Path p : files) {
      for (JournalRecord r : scan(Files.readAllBytes(p))) {
        if (r.type() == DELETE) {
          deleted.add(key(r.mailbox(), r.id()));
        }
      }
    }
    Set<Path> dirs = new LinkedHashSet<>();
    for (Path p : files) {
      for (JournalRecord r : scan(Files.readAllBytes(p))) {
        String key = key(r.mailbox(), r.id());
        if (r.type() == DELETE) {
          Path f = maildir.existing(r.mailbox(), r.id());
          if (f != null) {
            Files.deleteIfExists(f);
            dirs.add(f.getParent());
          }
        } else if (!deleted.contains(key)) {
          dirs.add(restore(r));
        }
      }
    }
    for (Path d : dirs) {
      MaildirMessageStore.forceDirectory(d);
    }
    for (Path p : files) { // oldest first, each deletion durable before the next
      Files.delete(p);
      MaildirMessageStore.forceDirectory(journalDir);
    }
  }

  /** Makes one journalled message durable in its maildir; returns the directory to force. */
  private Path restore(JournalRecord r) throws IOException {
    MaildirMessageStore.Dirs dirs = maildir.directories(r.mailbox());
    Path f = maildir.existing(r.mailbox(), r.id());
    if (f != null && Arrays.equals(Files.readAllBytes(f), r.content())) {
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
        ch.force(false); // it may have been in the page cache only
      }
      return f.getParent();
    }
    Path target = f != null ? f : dirs.fresh().resolve(r.id());
    Path tmp = dirs.tmp().resolve(r.id());
    writeTmp(tmp, r.content(), true);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    replayed.incrementAndGet();
    return target.getParent();
  }

  // ---------------------------------------------------------------- close and statistics

  /**
   * Retires the current segment (its files forced, the segment deleted) and stops the background
   * threads; appends after this throw.
   */
  @Override
  public void close() throws IOException {
    Segment last;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      while (leading) {
        committed.awaitUninterruptibly();
      }
      last = current;
    } finally {
      lock.unlock();
    }
    try {
      last.seal();
      retirer.execute(() -> retire(last));
      retirer.shutdown();
      awaitTermination(retirer);
      try {
        Segment s = spare.get();
        s.channel.close();
        Files.deleteIfExists(s.path);
        segments.release();
      } catch (ExecutionException e) {
        LOG.log(Level.DEBUG, "no spare journal segment to remove", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } finally {
      stopThreads();
      fileLock.release();
      lockFile.close();
    }
  }

  /** Stops without retiring anything, as a crash would (the files stay as they are); for tests. */
  void abandon() throws IOException {
    lock.lock();
    try {
      closed = true;
      while (leading) {
        committed.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
    // like a crash: what is running finishes (no interrupts that would clean up), nothing more
    for (ExecutorService e : List.of(retirer, preallocator, forcers)) {
      e.shutdown();
    }
    retirer.shutdownNow(); // queued retirements must not run
    for (ExecutorService e : List.of(retirer, preallocator, forcers)) {
      awaitTermination(e);
    }
    current.channel.close();
    fileLock.release();
    lockFile.close();
  }

  private void stopThreads() {
    for (ExecutorService e : List.of(retirer, preallocator, forcers)) {
      e.shutdownNow();
      awaitTermination(e);
    }
  }

  private static void awaitTermination(ExecutorService e) {
    try {
      if (!e.awaitTermination(60, TimeUnit.SECONDS)) {
        LOG.log(Level.WARNING, "journal segments still being retired after 60 s");
      }
    } catch (InterruptedException x) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code fdatasync}s of the journal so far; for tests. */
  long journalSyncs() {
    return syncs.get();
  }

  /** Segments retired (files forced, segment deleted) so far; for tests. */
  long segmentsRetired() {
    return retired.get();
  }

  /** Messages written again into the maildir at open; for tests. */
  long replayedMessages() {
    return replayed.get();
  }

  /** The journal directory; for tests. */
  Path journalDirectory() {
    return journalDir;
  }
}
