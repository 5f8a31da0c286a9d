package dev.headend.dhcp.server;

import dev.headend.core.net.Ipv4Address;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * {@link LeaseStore#journal}: a snapshot file and an append-only journal in one directory.
 *
 * <p>Files: {@code leases.snapshot} (magic, one PUT record per lease, an END record with the count)
 * and {@code leases.journal} (magic, then PUT and REMOVE records in the order they happened). A
 * record is {@code u32 length, u32 CRC32C(payload), payload}; a payload is {@code u8 op, u32
 * address} and, for PUT, {@code u8 state, i64 time (epoch ms), u16 key length, key}. Loading
 * applies the snapshot, then the journal up to its first incomplete or corrupt record, where the
 * journal is cut (a crash tore the last write).
 *
 * <p>Compaction writes {@code leases.snapshot.tmp}, fsyncs it, renames it over the snapshot and
 * fsyncs the directory, then does the same for a fresh journal. A crash between the two renames
 * leaves the old journal beside the new snapshot; replaying it changes nothing, because the
 * snapshot is the state after that very journal and the journal's last record for each address is
 * that state. A crash before the first rename leaves a {@code .tmp} file that opening deletes.
 */
final class JournalLeaseStore implements LeaseStore {
  static final int DEFAULT_COMPACT_MIN = 10_000;

  static final String SNAPSHOT = "leases.snapshot";
  static final String JOURNAL = "leases.journal";
  private static final String LOCK = "lock";
  private static final byte[] SNAPSHOT_MAGIC = {'H', 'D', 'L', 'S', 'N', 'P', '0', '1'};
  private static final byte[] JOURNAL_MAGIC = {'H', 'D', 'L', 'J', 'R', 'N', '0', '1'};
  private static final int OP_PUT = 1;
  private static final int OP_REMOVE = 2;
  private static final int OP_END = 3;
  private static final int MAX_PAYLOAD = 1 + 4 + 1 + 8 + 2 + ClientKey.MAX_BYTES;
  private static final int FLUSH_AT = 64 * 1024;

  /**
   * The journal is grown by writing zeros this far past its end, ahead of the records: an fsync
   * then rarely has to commit a new file size and block allocation, only the records' data. A zero
   * tail reads as a torn record, so opening cuts it like one; closing cuts it too.
   */
  static final int PREALLOCATE = 1 << 20;

  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024);
  private static final Lease.State[] STATES = Lease.State.values();

  private final Path dir;
  private final int compactMin;
  private final boolean fsync;
  private final Map<Ipv4Address, Lease> leases = new HashMap<>();
  private final FileChannel lockChannel;
  private final FileLock lock;

  /** Held while the journal is fsynced, and while compaction swaps it. */
  private final Object forceLock = new Object();

  private volatile FileChannel journal;
  private ByteBuffer pending = ByteBuffer.allocate(FLUSH_AT + 2 * (8 + MAX_PAYLOAD));
  private long journalRecords;
  private long allocated; // the journal file's length: at or past journal.position()
  private boolean dirty;
  private volatile boolean failed;
  private volatile boolean closed;

  private JournalLeaseStore(
      Path dir, int compactMin, boolean fsync, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.compactMin = compactMin;
    this.fsync = fsync;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  static JournalLeaseStore open(Path dir, int compactMin, boolean fsync) throws IOException {
    if (compactMin < 1) {
      throw new IllegalArgumentException("compactMin must be >= 1: " + compactMin);
    }
    Files.createDirectories(dir);
    FileChannel lockChannel =
        FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      throw new IOException(dir + " is in use by another lease store");
    }
    JournalLeaseStore s = new JournalLeaseStore(dir, compactMin, fsync, lockChannel, lock);
    try {
      s.recover();
    } catch (IOException | RuntimeException e) {
      s.closeQuietly();
      throw e;
    }
    return s;
  }

  private void recover() throws IOException {
    Files.deleteIfExists(dir.resolve(SNAPSHOT + ".tmp"));
    Files.deleteIfExists(dir.resolve(JOURNAL + ".tmp"));
    Path snap = dir.resolve(SNAPSHOT);
    if (Files.exists(snap)) {
      readSnapshot(Files.readAllBytes(snap));
    }
    Path j = dir.resolve(JOURNAL);
    if (!Files.exists(j) || Files.size(j) < JOURNAL_MAGIC.length) {
      writeFresh(JOURNAL, JOURNAL_MAGIC, null);
    }
    journal = FileChannel.open(j, StandardOpenOption.READ, StandardOpenOption.WRITE);
    long good = replayJournal();
    if (good < journal.size()) {
      journal.truncate(good);
      journal.force(true);
    }
    journal.position(good);
    allocated = good;
  }

  private void readSnapshot(byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (!hasMagic(b, SNAPSHOT_MAGIC)) {
      throw new IOException(dir.resolve(SNAPSHOT) + ": not a lease snapshot");
    }
    long count = 0;
    while (true) {
      ByteBuffer p = nextRecord(b);
      if (p == null) {
        throw new IOException(dir.resolve(SNAPSHOT) + ": corrupt at byte " + b.position());
      }
      int op = p.get() & 0xff;
      if (op == OP_END) {
        if (p.remaining() != 4 || (p.getInt() & 0xffffffffL) != count) {
          throw new IOException(dir.resolve(SNAPSHOT) + ": count does not match");
        }
        return;
      }
      if (op != OP_PUT) {
        throw new IOException(dir.resolve(SNAPSHOT) + ": unexpected record " + op);
      }
      Lease l = readPut(p);
      if (l == null) {
        throw new IOException(dir.resolve(SNAPSHOT) + ": bad lease record");
      }
      leases.put(l.address(), l);
      count++;
    }
  }

  /** Applies the journal's valid prefix; returns its length in bytes. */
  private long replayJournal() throws IOException {
    long size = journal.size();
    if (size > Integer.MAX_VALUE - 16) {
      throw new IOException(dir.resolve(JOURNAL) + " is too large: " + size);
    }
    ByteBuffer b = ByteBuffer.allocate((int) size);
    journal.position(0);
    while (b.hasRemaining() && journal.read(b) >= 0) {
      // read fully
    }
    b.flip();
    if (!hasMagic(b, JOURNAL_MAGIC)) {
      throw new IOException(dir.resolve(JOURNAL) + ": not a lease journal");
    }
    long good = b.position();
    while (b.hasRemaining()) {
      ByteBuffer p = nextRecord(b);
      if (p == null) {
        break;
      }
      int op = p.get() & 0xff;
      if (op == OP_PUT) {
        Lease l = readPut(p);
        if (l == null) {
          break;
        }
        leases.put(l.address(), l);
      } else if (op == OP_REMOVE && p.remaining() == 4) {
        leases.remove(new Ipv4Address(p.getInt()));
      } else {
        break;
      }
      journalRecords++;
      good = b.position();
    }
    return good;
  }

  private static boolean hasMagic(ByteBuffer b, byte[] magic) {
    if (b.remaining() < magic.length) {
      return false;
    }
    for (byte m : magic) {
      if (b.get() != m) {
        return false;
      }
    }
    return true;
  }

  /** The next record's payload if it is whole and its checksum matches, else null. */
  private static ByteBuffer nextRecord(ByteBuffer b) {
    if (b.remaining() < 8) {
      return null;
    }
    int start = b.position();
    int length = b.getInt();
    int crc = b.getInt();
    if (length < 1 || length > MAX_PAYLOAD || length > b.remaining()) {
      b.position(start);
      return null;
    }
    CRC32C c = new CRC32C();
    c.update(b.array(), b.position(), length);
    if ((int) c.getValue() != crc) {
      b.position(start);
      return null;
    }
    ByteBuffer p = b.slice(b.position(), length);
    b.position(b.position() + length);
    return p;
  }

  private static Lease readPut(ByteBuffer p) {
    if (p.remaining() < 4 + 1 + 8 + 2) {
      return null;
    }
    Ipv4Address address = new Ipv4Address(p.getInt());
    int state = p.get() & 0xff;
    long time = p.getLong();
    int keyLength = p.getShort() & 0xffff;
    if (state >= STATES.length || keyLength != p.remaining()) {
      return null;
    }
    byte[] key = new byte[keyLength];
    p.get(key);
    try {
      return new Lease(
          address, ClientKey.fromBytes(key), STATES[state], Instant.ofEpochMilli(time));
    } catch (IllegalArgumentException e) {
      return null; // not a key: treat as corrupt
    }
  }

  private static void writePut(ByteBuffer out, Lease l) {
    int length = 1 + 4 + 1 + 8 + 2 + l.client().length();
    int start = out.position();
    out.putInt(length).putInt(0);
    out.put((byte) OP_PUT).putInt(l.address().value()).put((byte) l.state().ordinal());
    out.putLong(l.time().toEpochMilli()).putShort((short) l.client().length());
    byte[] key = l.client().toBytes();
    out.put(key);
    finish(out, start, length);
  }

  private static void writeOp(ByteBuffer out, int op, int value) {
    int start = out.position();
    out.putInt(5).putInt(0).put((byte) op).putInt(value);
    finish(out, start, 5);
  }

  private static void finish(ByteBuffer out, int start, int length) {
    CRC32C c = new CRC32C();
    c.update(out.array(), out.arrayOffset() + start + 8, length);
    out.putInt(start + 4, (int) c.getValue());
  }

  @Override
  public Collection<Lease> load() {
    return new ArrayList<>(leases.values());
  }

  @Override
  public void put(Lease lease) throws IOException {
    check();
    leases.put(lease.address(), lease);
    writePut(pending, lease);
    journalRecords++;
    dirty = true;
    if (pending.position() >= FLUSH_AT) {
      flush();
    }
  }

  @Override
  public void remove(Ipv4Address address) throws IOException {
    check();
    if (leases.remove(address) == null) {
      return;
    }
    writeOp(pending, OP_REMOVE, address.value());
    journalRecords++;
    dirty = true;
    if (pending.position() >= FLUSH_AT) {
      flush();
    }
  }

  @Override
  public void sync() throws IOException {
    check();
    if (!dirty) {
      return;
    }
    flush();
    if (fsync) {
      forceJournal();
    }
    dirty = false;
    compactIfDue();
  }

  /**
   * One write(2) of the records since the last call; with fsync on, {@link #force()} makes them
   * durable (compaction, which fsyncs a snapshot of every lease, may do it first).
   */
  @Override
  public boolean write() throws IOException {
    check();
    if (!dirty) {
      return false;
    }
    flush();
    dirty = false;
    compactIfDue();
    return fsync;
  }

  /** fdatasync of the journal, on any thread (see {@link LeaseStore#force()}). */
  @Override
  public void force() throws IOException {
    check();
    if (fsync) {
      forceJournal();
    }
  }

  private void forceJournal() throws IOException {
    synchronized (forceLock) {
      try {
        journal.force(false);
      } catch (IOException e) {
        failed = true;
        throw e;
      }
    }
  }

  private void compactIfDue() throws IOException {
    if (journalRecords > compactMin && journalRecords > 2L * leases.size()) {
      compact();
    }
  }

  private void flush() throws IOException {
    pending.flip();
    try {
      long end = journal.position() + pending.remaining();
      if (end > allocated) {
        preallocate(end + PREALLOCATE);
      }
      while (pending.hasRemaining()) {
        journal.write(pending);
      }
    } catch (IOException e) {
      failed = true; // a partial record may be on disk: nothing after it would be replayed
      throw e;
    } finally {
      pending.clear();
    }
  }

  /** Writes zeros from the journal's end to {@code end}, leaving its position where it was. */
  private void preallocate(long end) throws IOException {
    long at = allocated;
    while (at < end) {
      ByteBuffer z = ZEROS.duplicate();
      z.limit((int) Math.min(z.capacity(), end - at));
      at += journal.write(z, at);
    }
    allocated = at;
  }

  /** Rewrites the live leases as a snapshot and starts an empty journal. */
  void compact() throws IOException {
    check();
    flush();
    ByteBuffer out =
        ByteBuffer.allocate(SNAPSHOT_MAGIC.length + 16 + leases.size() * (8 + MAX_PAYLOAD));
    out.put(SNAPSHOT_MAGIC);
    for (Lease l : leases.values()) {
      writePut(out, l);
    }
    writeOp(out, OP_END, leases.size());
    out.flip();
    try {
      writeFresh(SNAPSHOT, null, out);
      synchronized (forceLock) { // a force() on another thread finishes on the old journal first
        FileChannel old = journal;
        writeFresh(JOURNAL, JOURNAL_MAGIC, null);
        old.close();
        FileChannel fresh =
            FileChannel.open(
                dir.resolve(JOURNAL), StandardOpenOption.READ, StandardOpenOption.WRITE);
        fresh.position(fresh.size());
        allocated = fresh.size();
        journal = fresh;
      }
      journalRecords = 0;
    } catch (IOException e) {
      failed = true;
      throw e;
    }
  }

  /** Writes {@code name} through a fsynced temporary file, an atomic rename and a fsynced dir. */
  private void writeFresh(String name, byte[] magic, ByteBuffer content) throws IOException {
    Path tmp = dir.resolve(name + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer b = content != null ? content : ByteBuffer.wrap(magic);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      if (fsync) {
        ch.force(true);
      }
    }
    try {
      Files.move(
          tmp,
          dir.resolve(name),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("atomic rename is not supported in " + dir, e);
    }
    if (fsync) {
      syncDirectory();
    }
  }

  private void syncDirectory() throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  private void check() throws IOException {
    if (closed) {
      throw new IOException("lease store closed");
    }
    if (failed) {
      throw new IOException("lease store failed earlier; reopen it");
    }
  }

  /** Journal records since the last compaction (for tests). */
  long journalRecords() {
    return journalRecords;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      if (!failed && journal != null) {
        sync();
        if (allocated > journal.position()) {
          journal.truncate(journal.position()); // the zeros ahead are not needed any more
        }
      }
    } finally {
      closed = true;
      closeQuietly();
    }
  }

  private void closeQuietly() {
    for (AutoCloseable c : new AutoCloseable[] {journal, lock, lockChannel}) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        // closing: nothing more to do with a file that will not close
        failed = true;
      }
    }
  }
}
