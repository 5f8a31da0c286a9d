package dev.headend.mail.message;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * {@link MessageStore#segmentLog(Path)}: every mailbox's messages in a few large append-only
 * segment files under one root, with one {@code fdatasync} per batch of concurrent appends.
 *
 * <p>One writer thread takes every queued append and delete, writes their records to the current
 * segment with one gathering write (the segment was filled with zeros beforehand, so its blocks
 * exist and {@code fdatasync} has no metadata to commit), forces it once, and only then completes
 * each caller's future. A record is {@code magic, type, mailbox length, id, content length,
 * mailbox, content, CRC32C}; an id is the segment number and the offset of the record that first
 * stored the message, so ids grow in arrival order and are never reused.
 *
 * <p>A delete removes the message from the in-memory index first, then commits a delete record (a
 * tombstone), so no reader sees it after {@code delete} returns and a reopened store does not bring
 * it back. A full segment is sealed; a sealed segment whose live messages take less than {@code
 * compactBelow} of the bytes written to it, or that was sealed less than half full (the current
 * segment of a store that closed or crashed), is compacted in the background: its live messages,
 * and the tombstones whose message still has a record in another segment, are appended again (same
 * ids) to the current segment, and once that is durable the old file is deleted. Tombstones are
 * therefore dropped only when no segment can bring their message back.
 *
 * <p>At open every segment is read in order up to its first invalid record (the torn tail of a
 * crash, or the zeros after the last record); a later record for the same id wins; a segment a
 * compaction had not finished deleting is compacted at once, and empty segments are removed.
 */
final class SegmentLogStore implements MessageStore {
  private static final System.Logger LOG = System.getLogger(SegmentLogStore.class.getName());
  static final int MAGIC = 0x484c4f47; // "HLOG"
  static final byte APPEND = 1;
  static final byte DELETE = 2;
  // magic, type, mailbox length, id, content length
  static final int HEADER = 4 + 1 + 2 + 8 + 4;
  static final int TRAILER = 4; // CRC32C of everything after the magic
  private static final int MAX_MAILBOX_BYTES = 1024;
  private static final String SUFFIX = ".seg";
  private static final int STAGE = 1 << 20;
  static final int MAX_CONTENT = 1 << 30;
  // group commit under load. On the 2-core VM it was tuned on, a sync costs the machine about 175
  // µs of CPU (system calls, two device interrupts, wake-ups), so fewer syncs matter: with
  // smtp-source's 20 sessions, waiting up to 1 ms for up to 16 records instead of 300 µs for 8 took
  // the server's CPU per message from a median of 206 to 172 µs (six alternating runs) at the same
  // rate; 4 ms for 64 was slower (mail/README.md, "Measured")
  static final int GROUP = 16;
  static final long GROUP_WAIT_NANOS = 1_000_000;

  private final Path root;
  private final int segmentBytes;
  private final double compactBelow;
  private final FileChannel lockFile;
  private final FileLock fileLock;
  // mailbox -> id -> where its content is
  private final ConcurrentHashMap<String, ConcurrentSkipListMap<Long, Location>> boxes =
      new ConcurrentHashMap<>();
  // segment number -> segment, for every segment file that exists
  private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
  private final AtomicLong nextSegment = new AtomicLong();
  private final AtomicLong syncs = new AtomicLong();
  private final AtomicLong compacted = new AtomicLong();
  private final AtomicLong segmentsRemoved = new AtomicLong();
  private final ReentrantLock queueLock = new ReentrantLock();
  private final Condition work = queueLock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>(); // guarded by queueLock
  private boolean closing; // guarded by queueLock
  private int lastBatch; // the writer thread's
  private volatile IOException failed;
  private volatile boolean compactionStopped;
  private final AtomicBoolean compactionScheduled = new AtomicBoolean();
  volatile Runnable afterCompactionScan; // for tests: runs between a compaction's read and copies
  volatile Runnable afterCompactionCopies; // for tests: runs once the copies are durable
  volatile IOException failNextRoll; // for tests: the next roll fails with it
  volatile Runnable beforeTake; // for tests: the writer runs it once work is queued
  private Segment current; // the writer thread's
  private Future<Segment> spare; // the writer thread's
  private final List<Segment> rolled = new ArrayList<>(); // the writer thread's
  private final ByteBuffer stage = ByteBuffer.allocateDirect(STAGE); // the writer thread's
  private long stageAt; // the writer thread's: where in the segment the stage's bytes go
  private int durable; // the writer thread's: how many of the batch are forced so far
  private final Thread writer;
  private final ExecutorService preallocator;
  private final ExecutorService compactor;

  /** Where a live message's content is. */
  private record Location(Segment segment, long contentOffset, int length, int recordBytes) {}

  /** A delete record and the segments that held an append record of its message then. */
  private record Tombstone(String mailbox, long id, List<Segment> targets) {}

  /** One segment file. */
  private static final class Segment {
    final long number;
    final Path path;
    final FileChannel channel; // the writer thread's (and the creator's)
    final long size;
    long position; // the writer thread's; at open, the end of the valid records
    volatile boolean sealed;
    boolean reopened; // found at open: it may have been sealed early by a stop or a crash
    long neededTombstoneBytes; // the compactor's, see neededTombstoneBytes()
    long tombstonesCountedAt = -1; // the compactor's: segmentsRemoved when last counted
    final AtomicLong liveBytes = new AtomicLong();
    final ConcurrentLinkedQueue<Tombstone> tombstones = new ConcurrentLinkedQueue<>();

    Segment(long number, Path path, FileChannel channel, long size) {
      this.number = number;
      this.path = path;
      this.channel = channel;
      this.size = size;
    }
  }

  /** An append or delete waiting for the writer. */
  private static final class Pending {
    final byte type;
    final String mailbox;
    final byte[] box;
    final ByteBuffer content;
    final List<Segment> targets; // a delete's
    long id; // -1: a new message, numbered by the writer
    final boolean fresh; // a new message, not a compaction's copy
    final Location copyOf; // a compaction's copy: where the message is now
    Location location; // the writer's, once written; null for a copy it skipped
    final CompletableFuture<Location> done = new CompletableFuture<>();

    Pending(byte type, String mailbox, long id, ByteBuffer content, List<Segment> targets) {
      this(type, mailbox, id, content, targets, null);
    }

    Pending(
        byte type,
        String mailbox,
        long id,
        ByteBuffer content,
        List<Segment> targets,
        Location copyOf) {
      this.type = type;
      this.mailbox = mailbox;
      this.box = mailbox.getBytes(StandardCharsets.UTF_8);
      this.id = id;
      this.fresh = type == APPEND && id < 0;
      this.content = content;
      this.targets = targets;
      this.copyOf = copyOf;
    }

    int recordBytes() {
      return HEADER + box.length + content.remaining() + TRAILER;
    }
  }

  SegmentLogStore(Path root, int segmentBytes, double compactBelow) throws IOException {
    if (segmentBytes < 4096) {
      throw new IllegalArgumentException("segmentBytes must be at least 4096: " + segmentBytes);
    }
    if (!(compactBelow > 0 && compactBelow < 1)) {
      throw new IllegalArgumentException("compactBelow must be in (0, 1): " + compactBelow);
    }
    this.segmentBytes = segmentBytes;
    this.compactBelow = compactBelow;
    this.root = root.toAbsolutePath();
    if (!Files.isDirectory(this.root)) {
      Files.createDirectories(this.root);
      Path parent = this.root.getParent();
      if (parent != null) {
        MaildirMessageStore.forceDirectory(parent);
      }
    }
    this.lockFile =
        FileChannel.open(
            this.root.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = lockFile.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null; // held by another store in this JVM
    } catch (IOException | RuntimeException e) {
      lockFile.close();
      throw e;
    }
    if (l == null) {
      lockFile.close();
      throw new IOException("the message log " + this.root + " is in use by another store");
    }
    this.fileLock = l;
    this.preallocator = Executors.newSingleThreadExecutor(r -> daemon(r, "headend-log-alloc"));
    this.compactor = Executors.newSingleThreadExecutor(r -> daemon(r, "headend-log-compact"));
    this.writer = daemon(this::writeLoop, "headend-log-writer");
    List<Segment> unfinished;
    try {
      unfinished = replay();
      current = create(segmentBytes);
      segments.put(current.number, current);
      spare = preallocator.submit(() -> create(segmentBytes));
    } catch (IOException | RuntimeException | Error e) {
      shutdownExecutors();
      closeSegments();
      fileLock.release();
      lockFile.close();
      throw e;
    }
    writer.start();
    try {
      compactNow(unfinished);
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    scheduleCompaction();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  // ---------------------------------------------------------------- the public operations

  @Override
  public StoredMessage append(String mailbox, byte[] content) throws IOException {
    notOnWriter("append");
    return await(appendAsync(mailbox, content, Runnable::run));
  }

  /**
   * Queues the message for the writer thread, which completes the future once it is durable: keep
   * dependent actions short, and never wait there for this store ({@link #append}, {@link #delete}
   * and {@link #close} throw {@link IllegalStateException} on that thread). The executor is not
   * used; {@code content} must not change until the future completes.
   */
  @Override
  public CompletableFuture<StoredMessage> appendAsync(
      String mailbox, byte[] content, Executor unused) {
    MaildirMessageStore.requireMailboxName(mailbox);
    checkLength(content.length);
    Pending p = new Pending(APPEND, mailbox, -1, ByteBuffer.wrap(content), List.of());
    if (p.box.length > MAX_MAILBOX_BYTES) { // checked on the bytes the record will hold
      throw new IllegalArgumentException("mailbox name over " + MAX_MAILBOX_BYTES + " octets");
    }
    submit(p);
    return p.done.thenApply(loc -> new StoredMessage(mailbox, idString(p.id), loc.length()));
  }

  /** Refuses content whose record length would not fit an int with its header. */
  static void checkLength(int length) {
    if (length > MAX_CONTENT) {
      throw new IllegalArgumentException(
          "a message of " + length + " octets is over the log's " + MAX_CONTENT);
    }
  }

  /** Blocking on the writer thread would wait for itself. */
  private void notOnWriter(String what) {
    if (Thread.currentThread() == writer) {
      throw new IllegalStateException(
          what
              + " would wait for the message log on its own writer thread (a dependent action of"
              + " an appendAsync future): hand it to another thread");
    }
  }

  @Override
  public List<String> mailboxes() {
    return InMemoryMessageStore.nonEmpty(boxes);
  }

  @Override
  public List<StoredMessage> list(String mailbox) {
    ConcurrentSkipListMap<Long, Location> box = boxes.get(mailbox);
    if (box == null) {
      return List.of();
    }
    List<StoredMessage> list = new ArrayList<>(box.size());
    for (Map.Entry<Long, Location> e : box.entrySet()) {
      list.add(new StoredMessage(mailbox, idString(e.getKey()), e.getValue().length()));
    }
    return list;
  }

  @Override
  public byte[] read(String mailbox, String id) throws IOException {
    long n = parseId(id);
    for (int attempt = 0; ; attempt++) {
      ConcurrentSkipListMap<Long, Location> box = n < 0 ? null : boxes.get(mailbox);
      Location loc = box == null ? null : box.get(n);
      if (loc == null) {
        throw new NoSuchFileException(mailbox + "/" + id, null, "no such message");
      }
      // not the writer's FileChannel: an interrupt of a reading thread would close it for all
      try (RandomAccessFile f = new RandomAccessFile(loc.segment().path.toFile(), "r")) {
        byte[] bytes = new byte[loc.length()];
        f.seek(loc.contentOffset());
        f.readFully(bytes);
        return bytes;
      } catch (FileNotFoundException e) {
        if (attempt > 3) {
          throw e;
        }
        // compacted meanwhile: the index has its new place by now
      }
    }
  }

  @Override
  public boolean delete(String mailbox, String id) throws IOException {
    notOnWriter("delete");
    long n = parseId(id);
    ConcurrentSkipListMap<Long, Location> box = n < 0 ? null : boxes.get(mailbox);
    Location loc = box == null ? null : box.remove(n);
    if (loc == null) {
      return false;
    }
    // gone for readers from here; the tombstone makes it so after a crash too
    loc.segment().liveBytes.addAndGet(-loc.recordBytes());
    Pending p = new Pending(DELETE, mailbox, n, ByteBuffer.allocate(0), List.of(loc.segment()));
    submit(p);
    try {
      await(p.done);
    } catch (IOException e) {
      if (segments.get(loc.segment().number) == loc.segment()) { // else compacted without it
        box.putIfAbsent(n, loc);
        loc.segment().liveBytes.addAndGet(loc.recordBytes());
      }
      throw e;
    }
    scheduleCompaction();
    return true;
  }

  /** An id as 16 lower-case hex digits: the segment number, then the record's offset in it. */
  static String idString(long id) {
    String hex = Long.toHexString(id);
    return "0".repeat(16 - hex.length()) + hex;
  }

  /** The number behind an id, or -1 if it is not one of ours. */
  static long parseId(String id) {
    if (id == null || id.length() != 16) {
      return -1;
    }
    for (int i = 0; i < 16; i++) {
      char c = id.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return -1;
      }
    }
    long n = Long.parseUnsignedLong(id, 16);
    return n < 0 ? -1 : n;
  }

  private static <T> T await(CompletableFuture<T> f) throws IOException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true; // the record may be written anyway: wait for the outcome
        } catch (ExecutionException e) {
          if (e.getCause() instanceof IOException io) {
            throw new IOException(io.getMessage(), io);
          }
          throw new IOException("cannot write the message log", e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---------------------------------------------------------------- the writer

  private void submit(Pending p) {
    queueLock.lock();
    try {
      IOException f = failed;
      if (closing) {
        p.done.completeExceptionally(new IOException("the message store is closed"));
      } else if (f != null) {
        p.done.completeExceptionally(
            new IOException("the message log failed earlier; reopen the store", f));
      } else {
        queue.add(p);
        if (queue.size() == 1 || queue.size() == Math.min(GROUP, lastBatch)) {
          work.signal();
        }
      }
    } finally {
      queueLock.unlock();
    }
  }

  /**
   * Waits for work and takes all of it. When the last batch held more than one record (others are
   * appending too), it first waits up to {@link #GROUP_WAIT_NANOS} for as many records as the last
   * batch had (at most {@link #GROUP}): one {@code fdatasync} then covers more messages, which
   * under load costs less CPU per message than the wait costs in latency. A lone appender never
   * waits, and appenders that all come back at once (threads calling {@link #append} in a loop) are
   * taken as soon as they are all there.
   */
  private boolean take(List<Pending> batch) {
    queueLock.lock();
    try {
      while (queue.isEmpty() && !closing) {
        work.awaitUninterruptibly(); // only close() ends the writer, never an interrupt
      }
      Runnable hook = beforeTake;
      if (hook != null) {
        beforeTake = null;
        queueLock.unlock(); // appenders go on queueing meanwhile
        try {
          hook.run();
        } finally {
          queueLock.lock();
        }
      }
      if (lastBatch > 1) {
        long left = GROUP_WAIT_NANOS;
        int target = Math.min(GROUP, lastBatch);
        while (queue.size() < target && !closing && left > 0) {
          try {
            left = work.awaitNanos(left);
          } catch (InterruptedException e) {
            left = 0;
          }
        }
      }
      if (queue.isEmpty()) {
        return false; // closing, and everything submitted is done
      }
      batch.addAll(queue);
      queue.clear();
      lastBatch = batch.size();
      return true;
    } finally {
      queueLock.unlock();
    }
  }

  private void writeLoop() {
    List<Pending> batch = new ArrayList<>();
    while (take(batch)) {
      IOException error = failed;
      durable = 0;
      if (error == null) {
        try {
          write(batch);
        } catch (IOException e) {
          error = e;
        } catch (RuntimeException | Error e) {
          error = new IOException(e); // even an Error: every waiter must hear of it
        }
        if (error != null) {
          failed = error; // records may be half written: no more appends on this log
          LOG.log(Level.ERROR, "the message log failed; every later append fails", error);
        }
      }
      for (int i = 0; i < batch.size(); i++) {
        Pending p = batch.get(i);
        if (error != null && i >= durable) {
          p.done.completeExceptionally(new IOException("cannot write the message log", error));
        } else {
          completed(p); // with an error: forced before the roll that failed
        }
      }
      batch.clear();
      if (!rolled.isEmpty()) {
        // a compaction must not see a full segment before the index knows all its messages
        for (Segment s : rolled) {
          s.sealed = true;
        }
        rolled.clear();
        scheduleCompaction();
      }
    }
  }

  /**
   * Writes a batch and forces it, rolling to the next segment when one is full. Records are copied
   * into one direct buffer and written with positional writes of up to {@link #STAGE} bytes, so
   * that a batch of small messages costs one {@code pwrite} and one {@code fdatasync}.
   */
  private void write(List<Pending> batch) throws IOException {
    Segment segment = current;
    stage.clear();
    stageAt = segment.position;
    durable = 0;
    boolean dirty = false;
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      if (p.copyOf != null && !stillAt(p)) {
        continue; // deleted since the compaction read it: its tombstone comes after, or is gone
      }
      int bytes = p.recordBytes();
      if (segment.position + bytes > segment.size) {
        if (dirty) {
          drain(segment);
          force(segment);
          durable = i; // these are durable even if the roll fails
          dirty = false;
        }
        segment = roll(bytes);
        stageAt = segment.position;
      }
      if (p.id < 0) {
        p.id = (segment.number << 32) | segment.position;
      }
      for (ByteBuffer piece : pieces(p)) {
        put(segment, piece);
      }
      dirty = true;
      long contentOffset = segment.position + HEADER + p.box.length;
      p.location = new Location(segment, contentOffset, p.content.remaining(), bytes);
      segment.position += bytes;
    }
    if (dirty) {
      drain(segment);
      force(segment);
    }
    durable = batch.size();
  }

  /**
   * Whether a compaction's copy still has its message where the compaction found it. Checked by the
   * writer as it writes: {@link #delete} takes the message out of the index before it queues its
   * tombstone, so a copy written after this check comes before that tombstone in the log.
   */
  private boolean stillAt(Pending copy) {
    ConcurrentSkipListMap<Long, Location> box = boxes.get(copy.mailbox);
    return box != null && box.get(copy.id) == copy.copyOf;
  }

  /** Copies {@code src} into the stage, writing the stage out whenever it fills. */
  private void put(Segment segment, ByteBuffer src) throws IOException {
    while (src.hasRemaining()) {
      if (!stage.hasRemaining()) {
        drain(segment);
      }
      int n = Math.min(src.remaining(), stage.remaining());
      ByteBuffer part = src.duplicate();
      part.limit(part.position() + n);
      stage.put(part);
      src.position(src.position() + n);
    }
  }

  /** Writes the stage at its place in the segment. */
  private void drain(Segment segment) throws IOException {
    stage.flip();
    while (stage.hasRemaining()) {
      stageAt += segment.channel.write(stage, stageAt);
    }
    stage.clear();
  }

  private void force(Segment segment) throws IOException {
    segment.channel.force(false); // fdatasync: the blocks were allocated and zeroed beforehand
    syncs.incrementAndGet();
  }

  /** A record's bytes in three pieces: its header (with the mailbox), content and checksum. */
  private static ByteBuffer[] pieces(Pending p) {
    ByteBuffer head = ByteBuffer.allocate(HEADER + p.box.length);
    head.putInt(MAGIC).put(p.type).putShort((short) p.box.length).putLong(p.id);
    head.putInt(p.content.remaining()).put(p.box).flip();
    CRC32C crc = new CRC32C();
    crc.update(head.array(), 4, head.limit() - 4);
    crc.update(p.content.duplicate());
    ByteBuffer tail = ByteBuffer.allocate(TRAILER).putInt((int) crc.getValue()).flip();
    return new ByteBuffer[] {head, p.content.duplicate(), tail};
  }

  /** On the writer thread, once the record is durable: the index learns of it, then the caller. */
  private void completed(Pending p) {
    Location loc = p.location;
    if (loc == null) {
      p.done.complete(null); // a copy the writer skipped
      return;
    }
    if (p.type == DELETE) {
      loc.segment().tombstones.add(new Tombstone(p.mailbox, p.id, p.targets));
    } else if (p.fresh) {
      boxes.computeIfAbsent(p.mailbox, k -> new ConcurrentSkipListMap<>()).put(p.id, loc);
      loc.segment().liveBytes.addAndGet(loc.recordBytes());
    }
    p.done.complete(loc);
  }

  private Segment roll(int recordBytes) throws IOException {
    IOException injected = failNextRoll;
    if (injected != null) {
      failNextRoll = null;
      throw injected;
    }
    Segment old = current;
    Segment next;
    Segment ready;
    try {
      ready = spare.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for a log segment", e);
    } catch (ExecutionException e) {
      throw new IOException("cannot preallocate a log segment", e.getCause());
    }
    if (recordBytes <= segmentBytes) {
      next = ready;
    } else {
      // a message larger than a segment gets one of its own; the spare is numbered before it
      // and would give later messages smaller ids, so it is dropped and made again
      ready.channel.close();
      Files.delete(ready.path);
      next = create(recordBytes);
    }
    spare = preallocator.submit(() -> create(segmentBytes));
    segments.put(next.number, next);
    current = next;
    rolled.add(old); // sealed once this batch is in the index, not before
    return next;
  }

  /** A new segment of {@code size} zero bytes, durable with its directory entry. */
  private Segment create(long size) throws IOException {
    long number = nextSegment.getAndIncrement();
    Path path = root.resolve(segmentName(number));
    FileChannel ch = null;
    try {
      ch =
          FileChannel.open(
              path,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
      long written = 0;
      while (written < size) {
        zeros.clear().limit((int) Math.min(zeros.capacity(), size - written));
        written += ch.write(zeros);
      }
      ch.force(true);
      MaildirMessageStore.forceDirectory(root);
      return new Segment(number, path, ch, size);
    } catch (IOException | RuntimeException e) {
      if (ch != null) {
        ch.close();
      }
      Files.deleteIfExists(path);
      throw e;
    }
  }

  static String segmentName(long number) {
    return idString(number) + SUFFIX;
  }

  // ---------------------------------------------------------------- compaction

  private void scheduleCompaction() {
    if (compactionStopped || !compactionScheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      compactor.execute(
          () -> {
            compactionScheduled.set(false);
            compactCandidates();
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      compactionScheduled.set(false); // closing
    }
  }

  private void compactCandidates() {
    for (Segment s : segments.values()) {
      if (compactionStopped || isClosing()) {
        return;
      }
      if (s.sealed && worthCompacting(s)) {
        try {
          compact(s);
        } catch (IOException | RuntimeException e) {
          // nothing is lost: the segment stays, and the next open finishes what was begun
          compactionStopped = true;
          if (!isClosing()) {
            LOG.log(Level.WARNING, "compaction of " + s.path + " failed; compaction stops", e);
          }
          return;
        }
      }
    }
  }

  /**
   * Whether deletes have left less than {@code compactBelow} of what was written live, or the
   * segment, found at open, is less than half full (the current segment when the store last closed
   * or crashed). A segment filled by compaction is all live, so compaction never feeds itself.
   */
  private boolean worthCompacting(Segment s) {
    if (s.reopened && s.position < s.size / 2) {
      return true;
    }
    // tombstones that still hide a message elsewhere are copied like live messages, so they
    // count as live; else a segment of them would be compacted into another one, and so on
    return s.liveBytes.get() < s.position * compactBelow
        && s.liveBytes.get() + neededTombstoneBytes(s) < s.position * compactBelow;
  }

  /**
   * The bytes of {@code s}'s tombstones whose message still has a record in another segment. Only a
   * segment's removal changes that, so the sum is kept until the next removal.
   */
  private long neededTombstoneBytes(Segment s) {
    long removals = segmentsRemoved.get();
    if (s.tombstonesCountedAt != removals) {
      long bytes = 0;
      for (Tombstone t : s.tombstones) {
        for (Segment target : t.targets()) {
          if (target != s && segments.get(target.number) == target) {
            bytes += HEADER + t.mailbox().getBytes(StandardCharsets.UTF_8).length + TRAILER;
            break;
          }
        }
      }
      s.neededTombstoneBytes = bytes;
      s.tombstonesCountedAt = removals;
    }
    return s.neededTombstoneBytes;
  }

  private boolean isClosing() {
    queueLock.lock();
    try {
      return closing;
    } finally {
      queueLock.unlock();
    }
  }

  /**
   * Appends the live messages of {@code s}, and the tombstones that still hide a message in another
   * segment, to the current segment; then deletes {@code s}.
   */
  private void compact(Segment s) throws IOException {
    List<Pending> copies = new ArrayList<>();
    List<Location> before = new ArrayList<>();
    try (RandomAccessFile f = new RandomAccessFile(s.path.toFile(), "r")) {
      for (LogRecord r : scan(s.path, s.number).records()) {
        if (r.type() != APPEND) {
          continue;
        }
        ConcurrentSkipListMap<Long, Location> box = boxes.get(r.mailbox());
        Location loc = box == null ? null : box.get(r.id());
        if (loc != null && loc.segment() == s) {
          byte[] content = new byte[r.length()];
          f.seek(r.contentOffset());
          f.readFully(content);
          copies.add(
              new Pending(APPEND, r.mailbox(), r.id(), ByteBuffer.wrap(content), List.of(), loc));
          before.add(loc);
        }
      }
    }
    Runnable hook = afterCompactionScan;
    if (hook != null) {
      hook.run();
    }
    int appends = copies.size();
    for (Tombstone t : s.tombstones) {
      List<Segment> still = new ArrayList<>();
      for (Segment target : t.targets()) {
        if (target != s && segments.get(target.number) == target) {
          still.add(target);
        }
      }
      if (!still.isEmpty()) {
        copies.add(new Pending(DELETE, t.mailbox(), t.id(), ByteBuffer.allocate(0), still));
      }
    }
    for (Pending c : copies) {
      submit(c);
    }
    for (Pending c : copies) {
      await(c.done);
    }
    Runnable written = afterCompactionCopies;
    if (written != null) {
      written.run();
    }
    for (int i = 0; i < appends; i++) {
      Pending c = copies.get(i);
      Location moved = c.location;
      if (moved == null) {
        continue; // deleted before the writer reached the copy, which it then left out
      }
      ConcurrentSkipListMap<Long, Location> box = boxes.get(c.mailbox);
      if (box != null && box.replace(c.id, before.get(i), moved)) {
        moved.segment().liveBytes.addAndGet(moved.recordBytes());
      } else {
        // deleted after the copy was written: its tombstone comes after the copy in the log, but
        // names only the old segment, so one naming the copy's segment keeps the copy hidden once
        // that tombstone is compacted away
        Pending d =
            new Pending(DELETE, c.mailbox, c.id, ByteBuffer.allocate(0), List.of(moved.segment()));
        submit(d);
        await(d.done);
      }
    }
    segments.remove(s.number);
    segmentsRemoved.incrementAndGet();
    s.channel.close();
    Files.delete(s.path);
    MaildirMessageStore.forceDirectory(root);
    compacted.incrementAndGet();
  }

  // ---------------------------------------------------------------- reading the log at open

  /** A record read back from a segment. */
  record LogRecord(
      byte type, String mailbox, long id, long contentOffset, int length, int recordBytes) {}

  /** The valid records at the start of a segment, and where they end. */
  record Scan(List<LogRecord> records, long end) {}

  /**
   * The valid records at the start of segment file {@code number}, read in one pass with a small
   * buffer whatever the file's size: reading stops at the first record whose magic, lengths or
   * checksum do not hold (the torn tail of a crash, or the zeros after the last record).
   *
   * @throws StoreCorruptException if a record with a valid checksum cannot be one this store wrote
   */
  static Scan scan(Path file, long number) throws IOException {
    List<LogRecord> records = new ArrayList<>();
    long size = Files.size(file);
    long at = 0;
    byte[] head = new byte[HEADER];
    byte[] chunk = new byte[64 * 1024];
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      while (size - at >= HEADER + TRAILER) {
        in.readFully(head);
        ByteBuffer b = ByteBuffer.wrap(head);
        if (b.getInt() != MAGIC) {
          break;
        }
        byte type = b.get();
        int boxLength = b.getShort() & 0xffff;
        long id = b.getLong();
        int length = b.getInt();
        if (length < 0
            || length > MAX_CONTENT
            || (long) boxLength + length + TRAILER > size - at - HEADER) {
          break;
        }
        CRC32C crc = new CRC32C();
        crc.update(head, 4, HEADER - 4);
        byte[] box = new byte[boxLength];
        in.readFully(box);
        crc.update(box);
        for (long left = length; left > 0; ) {
          int n = (int) Math.min(chunk.length, left);
          in.readFully(chunk, 0, n);
          crc.update(chunk, 0, n);
          left -= n;
        }
        if (in.readInt() != (int) crc.getValue()) {
          break;
        }
        String mailbox = new String(box, StandardCharsets.UTF_8);
        if ((type != APPEND && type != DELETE)
            || mailbox.isEmpty()
            || id < 0
            || (id >>> 32) > number
            || (type == DELETE && length != 0)) {
          throw new StoreCorruptException(
              "log segment "
                  + segmentName(number)
                  + " has an impossible record at offset "
                  + at
                  + " (type "
                  + type
                  + ", mailbox "
                  + mailbox
                  + ", id "
                  + idString(id)
                  + ")");
        }
        int recordBytes = HEADER + boxLength + length + TRAILER;
        records.add(new LogRecord(type, mailbox, id, at + HEADER + boxLength, length, recordBytes));
        at += recordBytes;
      }
    }
    return new Scan(records, at);
  }

  /** One record's bytes as the writer would write them; for tests. */
  static byte[] record(byte type, String mailbox, long id, byte[] content) {
    Pending p = new Pending(type, mailbox, id, ByteBuffer.wrap(content), List.of());
    ByteBuffer all = ByteBuffer.allocate(p.recordBytes());
    for (ByteBuffer piece : pieces(p)) {
      all.put(piece);
    }
    return all.array();
  }

  /** Reads every segment into the index; returns the segments a compaction had not finished. */
  private List<Segment> replay() throws IOException {
    TreeMap<Long, Path> files = new TreeMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "*" + SUFFIX)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        long number = parseId(name.substring(0, name.length() - SUFFIX.length()));
        if (number < 0 || name.length() != 16 + SUFFIX.length()) {
          throw new StoreCorruptException("unexpected file in the message log: " + p);
        }
        files.put(number, p);
      }
    }
    nextSegment.set(files.isEmpty() ? 0 : files.lastKey() + 1);
    Set<Segment> unfinished = new HashSet<>();
    for (Map.Entry<Long, Path> f : files.entrySet()) {
      FileChannel ch = FileChannel.open(f.getValue(), StandardOpenOption.READ);
      Segment s = new Segment(f.getKey(), f.getValue(), ch, ch.size());
      s.sealed = true;
      s.reopened = true;
      segments.put(s.number, s);
      Scan scan = scan(f.getValue(), s.number);
      for (LogRecord r : scan.records()) {
        ConcurrentSkipListMap<Long, Location> box =
            boxes.computeIfAbsent(r.mailbox(), k -> new ConcurrentSkipListMap<>());
        if (r.type() == APPEND) {
          Location loc = new Location(s, r.contentOffset(), r.length(), r.recordBytes());
          Location older = box.put(r.id(), loc);
          if (older != null) {
            unfinished.add(older.segment()); // a compaction had copied it, not deleted the old one
          }
        } else {
          Location gone = box.remove(r.id());
          if (gone != null) {
            s.tombstones.add(new Tombstone(r.mailbox(), r.id(), List.of(gone.segment())));
          }
        }
      }
      s.position = scan.end();
    }
    for (ConcurrentSkipListMap<Long, Location> box : boxes.values()) {
      for (Location loc : box.values()) {
        loc.segment().liveBytes.addAndGet(loc.recordBytes());
      }
    }
    List<Segment> list = new ArrayList<>(unfinished);
    list.sort((a, b) -> Long.compare(a.number, b.number));
    return list;
  }

  // ---------------------------------------------------------------- closing

  /** Finishes what was submitted, stops the background threads and releases the root. */
  @Override
  public void close() throws IOException {
    notOnWriter("close");
    queueLock.lock();
    try {
      if (closing) {
        return;
      }
      closing = true;
      work.signalAll();
    } finally {
      queueLock.unlock();
    }
    try {
      compactor.shutdown();
      awaitTermination(compactor);
      boolean interrupted = false;
      while (writer.isAlive()) {
        try {
          writer.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      try {
        Segment s = spare.get();
        s.channel.close();
        Files.deleteIfExists(s.path); // empty; the current segment keeps the numbering going
      } catch (ExecutionException e) {
        LOG.log(Level.DEBUG, "no spare log segment to remove", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } finally {
      shutdownExecutors();
      closeSegments();
      fileLock.release();
      lockFile.close();
    }
  }

  private void shutdownExecutors() {
    for (ExecutorService e : List.of(preallocator, compactor)) {
      e.shutdown();
      awaitTermination(e);
    }
  }

  private void closeSegments() {
    List<Segment> all = new ArrayList<>(segments.values());
    if (current != null && !all.contains(current)) {
      all.add(current);
    }
    for (Segment s : all) {
      try {
        s.channel.close();
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "closing " + s.path, e);
      }
    }
  }

  /** Waits, however long it takes: the root stays locked until no thread can touch its files. */
  private static void awaitTermination(ExecutorService e) {
    boolean interrupted = false;
    while (!e.isTerminated()) {
      try {
        if (!e.awaitTermination(60, TimeUnit.SECONDS)) {
          LOG.log(Level.WARNING, "message log still busy after 60 s; waiting on");
        }
      } catch (InterruptedException x) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- for tests

  /** {@code fdatasync}s of segments so far. */
  long syncs() {
    return syncs.get();
  }

  /** Segments compacted (and deleted) so far. */
  long compactions() {
    return compacted.get();
  }

  /** The segment files now, the current one included. */
  int segmentCount() {
    return segments.size();
  }

  /** Whether a compaction failed and compaction stopped. */
  boolean compactionStopped() {
    return compactionStopped;
  }

  /** Compacts every sealed segment now, whatever its live share. */
  void compactAll() throws IOException {
    compactNow(null);
  }

  /** Compacts one sealed segment now, whatever its live share. */
  void compactSegment(long number) throws IOException {
    Segment s = segments.get(number);
    if (s == null || !s.sealed) {
      throw new IllegalArgumentException("no sealed segment " + number);
    }
    compactNow(List.of(s));
  }

  /**
   * Compacts {@code which} (null: every sealed segment), whatever their live share, on the
   * compaction thread (the only one that compacts), and waits.
   */
  private void compactNow(List<Segment> which) throws IOException {
    try {
      compactor
          .submit(
              () -> {
                for (Segment s : which != null ? which : List.copyOf(segments.values())) {
                  if (s.sealed) {
                    compact(s);
                  }
                }
                return null;
              })
          .get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io
          ? io
          : new IOException("compaction failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while compacting", e);
    }
  }
}
