package dev.headend.mail.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentLogStoreTest {
  private static final String BOB = "bob@example.test";
  @TempDir Path dir;

  private static byte[] msg(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private SegmentLogStore open(int segmentBytes, double compactBelow) throws IOException {
    return new SegmentLogStore(dir, segmentBytes, compactBelow);
  }

  private List<Path> segmentFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }

  private static List<String> ids(List<MessageStore.StoredMessage> list) {
    return list.stream().map(MessageStore.StoredMessage::id).toList();
  }

  @Test
  void messagesSurviveReopeningAndTheRootIsLocked() throws IOException {
    MessageStore.StoredMessage a;
    MessageStore.StoredMessage b;
    try (MessageStore store = MessageStore.segmentLog(dir)) {
      a = store.append(BOB, msg("first\r\n"));
      b = store.append(BOB, msg("second\r\n"));
      assertTrue(a.id().compareTo(b.id()) < 0, "ids grow: " + a + " " + b);
      assertEquals(16, a.id().length());
      IOException locked = assertThrows(IOException.class, () -> MessageStore.segmentLog(dir));
      assertTrue(locked.getMessage().contains("in use"), locked.getMessage());
    }
    try (MessageStore again = MessageStore.segmentLog(dir)) {
      assertEquals(List.of(a, b), again.list(BOB));
      assertArrayEquals(msg("first\r\n"), again.read(BOB, a.id()));
      MessageStore.StoredMessage c = again.append(BOB, msg("third\r\n"));
      assertTrue(b.id().compareTo(c.id()) < 0, "ids keep growing after a reopen");
    }
  }

  @Test
  void unknownAndMalformedIdsAndMailboxes() throws IOException {
    try (MessageStore store = MessageStore.segmentLog(dir)) {
      MessageStore.StoredMessage a = store.append(BOB, msg("x"));
      assertEquals("0000000000000000", a.id(), "segment 0, offset 0");
      for (String id : List.of("../x", "", "00000000000000ff", "-000000000000001", "zz")) {
        assertThrows(NoSuchFileException.class, () -> store.read(BOB, id), id);
        assertFalse(store.delete(BOB, id), id);
      }
      assertThrows(NoSuchFileException.class, () -> store.read("other@example.test", a.id()));
      assertThrows(IllegalArgumentException.class, () -> store.append("", msg("x")));
      assertThrows(IllegalArgumentException.class, () -> store.append("b".repeat(1025), msg("x")));
      assertEquals(List.of(a), store.list(BOB));
    }
  }

  @Test
  void concurrentAppendsShareOneSyncPerBatch() throws Exception {
    int threads = 16;
    int each = 40;
    try (SegmentLogStore store = open(1 << 20, 0.5)) {
      long before = store.syncs();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<MessageStore.StoredMessage>> futures = new ArrayList<>();
      for (int i = 0; i < threads * each; i++) {
        byte[] body = msg("message " + i + "\r\n");
        futures.add(pool.submit(() -> store.append("box" + (body.length % 3), body)));
      }
      for (Future<MessageStore.StoredMessage> f : futures) {
        MessageStore.StoredMessage m = f.get();
        assertTrue(store.list(m.mailbox()).contains(m), "listed once append returned");
      }
      pool.shutdown();
      long syncs = store.syncs() - before;
      assertTrue(syncs >= 1, "at least one fdatasync");
      assertTrue(
          syncs < threads * each,
          "appends share fdatasyncs: " + syncs + " for " + threads * each + " appends");
      int listed = 0;
      for (int b = 0; b < 3; b++) {
        listed += store.list("box" + b).size();
      }
      assertEquals(threads * each, listed);
    }
  }

  @Test
  void appendAsyncCompletesOnceDurableWithoutAnExecutor() throws Exception {
    try (SegmentLogStore store = open(1 << 20, 0.5)) {
      List<CompletableFuture<MessageStore.StoredMessage>> futures = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        futures.add(store.appendAsync(BOB, msg("async " + i), r -> new AssertionError("not used")));
      }
      for (int i = 0; i < 100; i++) {
        MessageStore.StoredMessage m = futures.get(i).get(10, TimeUnit.SECONDS);
        assertArrayEquals(msg("async " + i), store.read(BOB, m.id()));
      }
      assertEquals(100, store.list(BOB).size());
    }
  }

  @Test
  void waitingForTheStoreInADependentActionIsAnErrorNotADeadlock() throws Exception {
    try (SegmentLogStore store = open(1 << 20, 0.5)) {
      CompletableFuture<MessageStore.StoredMessage> nested =
          store
              .appendAsync(BOB, msg("first"), Runnable::run)
              .thenApply(
                  first -> {
                    try {
                      return store.append(BOB, msg("second, on the writer thread"));
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  });
      java.util.concurrent.ExecutionException e =
          assertThrows(
              java.util.concurrent.ExecutionException.class,
              () -> nested.get(10, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
      assertTrue(e.getCause().getMessage().contains("writer thread"), e.toString());
      assertEquals(1, store.list(BOB).size(), "the store goes on");
      store.append(BOB, msg("third, from the test thread"));
      assertEquals(2, store.list(BOB).size());
    }
  }

  @Test
  void aCopyOfAMessageDeletedDuringCompactionIsLeftOut() throws Exception {
    byte[] body = new byte[1000];
    List<MessageStore.StoredMessage> stored = new ArrayList<>();
    String victim;
    try (SegmentLogStore store = open(8 * 1024, 0.5)) {
      for (int i = 0; i < 20; i++) {
        stored.add(store.append(BOB, body));
      }
      victim = stored.get(0).id(); // in segment 0, sealed by now
      store.afterCompactionScan =
          () -> {
            try {
              assertTrue(store.delete(BOB, victim)); // after the compaction read it as live
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          };
      store.compactSegment(0);
      store.afterCompactionScan = null;
      assertFalse(store.list(BOB).stream().anyMatch(m -> m.id().equals(victim)));
      // in log order, no append of the victim may follow its tombstone, or a crash before any
      // later record would bring it back
      long id = SegmentLogStore.parseId(victim);
      boolean deleted = false;
      for (Path segment : segmentFiles()) {
        String name = segment.getFileName().toString();
        long number = SegmentLogStore.parseId(name.substring(0, 16));
        for (SegmentLogStore.LogRecord r : SegmentLogStore.scan(segment, number).records()) {
          if (r.id() == id) {
            assertFalse(deleted && r.type() == SegmentLogStore.APPEND, "copied after its delete");
            deleted |= r.type() == SegmentLogStore.DELETE;
          }
        }
      }
      assertTrue(deleted, "the tombstone is in the log");
    }
    try (SegmentLogStore reopened = open(8 * 1024, 0.5)) {
      assertEquals(19, reopened.list(BOB).size());
      assertFalse(reopened.list(BOB).stream().anyMatch(m -> m.id().equals(victim)));
    }
  }

  @Test
  void aMessageDeletedOnceItsCopyIsWrittenStaysDeletedWhenItsTombstoneIsCompactedAway()
      throws Exception {
    byte[] body = new byte[1000];
    String victim;
    try (SegmentLogStore store = open(8 * 1024, 0.5)) {
      List<MessageStore.StoredMessage> first = new ArrayList<>();
      for (int i = 0; i < 14; i++) {
        first.add(store.append(BOB, body));
      }
      victim = first.get(0).id(); // segment 0; its copy goes to the current segment, 2
      store.afterCompactionCopies =
          () -> {
            store.afterCompactionCopies = null;
            try {
              for (int i = 0; i < 8; i++) { // the copy's segment fills; the tombstone goes later
                store.append("filler@example.test", body);
              }
              assertTrue(store.delete(BOB, victim)); // after its copy is durable
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          };
      store.compactSegment(0);
      long tombstoneSegment = -1;
      for (Path segment : segmentFiles()) {
        long number = SegmentLogStore.parseId(segment.getFileName().toString().substring(0, 16));
        for (SegmentLogStore.LogRecord r : SegmentLogStore.scan(segment, number).records()) {
          if (r.type() == SegmentLogStore.DELETE
              && SegmentLogStore.idString(r.id()).equals(victim)) {
            tombstoneSegment = number;
          }
        }
      }
      assertTrue(tombstoneSegment > 2, "the tombstone is after the copy's segment");
      for (int i = 0; i < 8; i++) {
        store.append("later@example.test", body); // seals the tombstone's segment
      }
      // compacting the tombstone's segment alone drops the tombstone that names segment 0 (gone):
      // only one naming the copy's segment, which stays, keeps the copy hidden
      store.compactSegment(tombstoneSegment);
      assertFalse(store.list(BOB).stream().anyMatch(m -> m.id().equals(victim)));
    }
    try (SegmentLogStore reopened = open(8 * 1024, 0.5)) {
      assertFalse(reopened.list(BOB).stream().anyMatch(m -> m.id().equals(victim)), "came back");
      assertEquals(13, reopened.list(BOB).size());
    }
  }

  @Test
  void recordsForcedBeforeAFailedRollAreReportedStoredAndTheRestFailed() throws Exception {
    byte[] body = new byte[1000];
    List<CompletableFuture<MessageStore.StoredMessage>> batch = new ArrayList<>();
    try (SegmentLogStore store = open(8 * 1024, 0.5)) {
      store.append(BOB, body); // the current segment holds one record
      store.append(BOB, body); // and a second
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      // hold the writer once it sees work, so that the next twelve make one batch
      store.beforeTake =
          () -> {
            try {
              assertTrue(release.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          };
      for (int i = 0; i < 12; i++) {
        batch.add(store.appendAsync(BOB, body, Runnable::run));
      }
      store.failNextRoll = new IOException("no room for a new segment");
      release.countDown();
      int stored = 0;
      for (CompletableFuture<MessageStore.StoredMessage> f : batch) {
        try {
          f.get(10, TimeUnit.SECONDS);
          assertEquals(stored, batch.indexOf(f), "the stored ones come first");
          stored++;
        } catch (java.util.concurrent.ExecutionException e) {
          assertTrue(e.getCause() instanceof IOException, e.toString());
        }
      }
      // 8 KiB hold seven 1039-byte records: two were there, five more fit before the roll
      assertEquals(5, stored);
      assertThrows(IOException.class, () -> store.append(BOB, body), "the log failed");
    }
    try (SegmentLogStore reopened = open(8 * 1024, 0.5)) {
      assertEquals(7, reopened.list(BOB).size(), "every message reported stored, no other");
    }
  }

  @Test
  void aMessageOverTheLogsLimitIsRefusedByName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SegmentLogStore.checkLength(SegmentLogStore.MAX_CONTENT + 1));
    assertTrue(e.getMessage().contains("over the log's"), e.getMessage());
    SegmentLogStore.checkLength(SegmentLogStore.MAX_CONTENT);
  }

  @Test
  void aDeletedMessageStaysDeletedAfterReopening() throws IOException {
    MessageStore.StoredMessage b;
    try (MessageStore store = MessageStore.segmentLog(dir)) {
      MessageStore.StoredMessage a = store.append(BOB, msg("deleted\r\n"));
      b = store.append(BOB, msg("kept\r\n"));
      assertTrue(store.delete(BOB, a.id()));
      assertFalse(store.delete(BOB, a.id()));
      assertThrows(NoSuchFileException.class, () -> store.read(BOB, a.id()));
    }
    for (int i = 0; i < 2; i++) {
      try (MessageStore reopened = MessageStore.segmentLog(dir)) {
        assertEquals(List.of(b), reopened.list(BOB));
        assertArrayEquals(msg("kept\r\n"), reopened.read(BOB, b.id()));
      }
    }
  }

  @Test
  void aTornTailIsCutAndLaterIdsStayNew() throws IOException {
    MessageStore.StoredMessage a;
    MessageStore.StoredMessage b;
    MessageStore.StoredMessage c;
    try (MessageStore store = MessageStore.segmentLog(dir)) {
      a = store.append(BOB, msg("one\r\n"));
      b = store.append(BOB, msg("two\r\n"));
      c = store.append(BOB, msg("three, torn\r\n"));
    }
    // the last record's last bytes (content and checksum) never reached the disk
    Path segment = segmentFiles().get(0);
    SegmentLogStore.Scan scan = SegmentLogStore.scan(segment, 0);
    assertEquals(3, scan.records().size());
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(6), scan.end() - 6);
    }
    assertEquals(2, SegmentLogStore.scan(segment, 0).records().size());
    try (MessageStore reopened = MessageStore.segmentLog(dir)) {
      assertEquals(List.of(a.id(), b.id()), ids(reopened.list(BOB)));
      MessageStore.StoredMessage d = reopened.append(BOB, msg("after\r\n"));
      assertTrue(c.id().compareTo(d.id()) < 0, "the torn message's id is not given again");
      assertArrayEquals(msg("after\r\n"), reopened.read(BOB, d.id()));
    }
  }

  @Test
  void garbageInASegmentIsATruncationNotAnError() throws IOException {
    Files.createDirectories(dir);
    byte[] junk = new byte[10_000];
    new Random(7).nextBytes(junk);
    Files.write(dir.resolve(SegmentLogStore.segmentName(3)), junk);
    try (MessageStore store = MessageStore.segmentLog(dir)) {
      MessageStore.StoredMessage m = store.append(BOB, msg("fine\r\n"));
      assertEquals(List.of(m), store.list(BOB));
      assertTrue(m.id().startsWith("00000004"), "numbered after the file found: " + m);
    }
  }

  @Test
  void aChecksummedRecordThatCannotBeOursIsATypedError() throws IOException {
    Files.createDirectories(dir);
    // an id from a later segment than the one holding it
    byte[] bad = SegmentLogStore.record(SegmentLogStore.APPEND, BOB, 5L << 32, msg("x"));
    Files.write(dir.resolve(SegmentLogStore.segmentName(0)), bad);
    StoreCorruptException e = assertThrows(StoreCorruptException.class, () -> open(1 << 20, 0.5));
    assertTrue(e.getMessage().contains("0000000000000000.seg"), e.getMessage());
    Files.delete(dir.resolve(SegmentLogStore.segmentName(0)));
    Files.write(dir.resolve("notes.seg"), msg("x"));
    assertThrows(StoreCorruptException.class, () -> open(1 << 20, 0.5));
  }

  @Test
  void anUnfinishedCompactionIsFinishedAtOpenAndItsDeletesHold() throws IOException {
    Files.createDirectories(dir);
    long x = 0; // first stored at segment 0, offset 0
    byte[] xAppend = SegmentLogStore.record(SegmentLogStore.APPEND, BOB, x, msg("x"));
    long y = xAppend.length;
    long z = y + SegmentLogStore.record(SegmentLogStore.APPEND, BOB, y, msg("y")).length;
    // segment 0: x, y, z; segment 1: the compaction's copy of x (its y copy never made it),
    // then z deleted and x deleted; segment 0 was never removed
    write(
        0,
        SegmentLogStore.record(SegmentLogStore.APPEND, BOB, x, msg("x")),
        SegmentLogStore.record(SegmentLogStore.APPEND, BOB, y, msg("y")),
        SegmentLogStore.record(SegmentLogStore.APPEND, BOB, z, msg("z")));
    write(
        1,
        SegmentLogStore.record(SegmentLogStore.APPEND, BOB, x, msg("x")),
        SegmentLogStore.record(SegmentLogStore.DELETE, BOB, z, new byte[0]),
        SegmentLogStore.record(SegmentLogStore.DELETE, BOB, x, new byte[0]));
    try (SegmentLogStore store = open(1 << 20, 0.5)) {
      assertEquals(List.of(SegmentLogStore.idString(y)), ids(store.list(BOB)));
      assertArrayEquals(msg("y"), store.read(BOB, SegmentLogStore.idString(y)));
      assertFalse(
          Files.exists(dir.resolve(SegmentLogStore.segmentName(0))), "segment 0 compacted at open");
      store.compactAll(); // drops segment 1 too, its tombstones no longer needed
      assertFalse(Files.exists(dir.resolve(SegmentLogStore.segmentName(1))));
    }
    try (MessageStore again = MessageStore.segmentLog(dir)) {
      assertEquals(List.of(SegmentLogStore.idString(y)), ids(again.list(BOB)));
    }
  }

  private void write(long segment, byte[]... records) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] r : records) {
      out.writeBytes(r);
    }
    out.writeBytes(new byte[4096]); // the zeroed rest of a preallocated segment
    Files.write(dir.resolve(SegmentLogStore.segmentName(segment)), out.toByteArray());
  }

  @Test
  void segmentsRollOverAndDeletedSpaceIsCompactedAway() throws Exception {
    byte[] body = new byte[2000];
    new Random(1).nextBytes(body);
    List<MessageStore.StoredMessage> kept = new ArrayList<>();
    Set<String> deleted = new HashSet<>();
    MessageStore.StoredMessage large;
    byte[] big = new byte[50_000]; // larger than a segment: one of its own
    new Random(2).nextBytes(big);
    try (SegmentLogStore store = open(16 * 1024, 0.5)) {
      for (int i = 0; i < 200; i++) {
        MessageStore.StoredMessage m = store.append(BOB, body);
        if (i % 5 == 0) {
          kept.add(m);
        } else {
          deleted.add(m.id());
        }
      }
      large = store.append(BOB, big);
      int rolled = store.segmentCount();
      assertTrue(rolled >= 25, "200 messages of 2 KB in 16 KiB segments: " + rolled);
      for (String id : deleted) {
        assertTrue(store.delete(BOB, id));
      }
      for (int i = 0; i < 500 && store.segmentCount() > rolled / 2; i++) {
        Thread.sleep(10);
      }
      assertTrue(store.compactions() > 0, "compacted");
      assertTrue(
          store.segmentCount() <= rolled / 2,
          "segments " + store.segmentCount() + " of " + rolled + " before");
      for (MessageStore.StoredMessage m : kept) {
        assertArrayEquals(body, store.read(BOB, m.id()));
      }
      assertArrayEquals(big, store.read(BOB, large.id()));
    }
    List<MessageStore.StoredMessage> expected = new ArrayList<>(kept);
    expected.add(large);
    try (SegmentLogStore reopened = open(16 * 1024, 0.5)) {
      assertEquals(expected, reopened.list(BOB), "arrival order, nothing deleted back");
      assertArrayEquals(big, reopened.read(BOB, large.id()));
    }
  }

  @Test
  void fullSegmentsWithNothingDeletedAreLeftAlone() throws Exception {
    // 1000-byte messages fill a 16 KiB segment to about 94 %: the unused tail is not garbage,
    // or compaction would copy them on and on
    try (SegmentLogStore store = open(16 * 1024, 0.99)) {
      for (int i = 0; i < 100; i++) {
        store.append(BOB, new byte[1000]);
      }
      Thread.sleep(300);
      assertEquals(0, store.compactions());
      assertTrue(store.segmentCount() >= 6, "rolled: " + store.segmentCount());
    }
  }

  @Test
  void deletesRacingCompactionsStayDeleted() throws Exception {
    Map<String, byte[]> live = new ConcurrentHashMap<>();
    Set<String> deleted = ConcurrentHashMap.newKeySet();
    try (SegmentLogStore store = open(16 * 1024, 0.99)) {
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int thread = t;
        workers.add(
            pool.submit(
                () -> {
                  Random r = new Random(thread);
                  List<String> mine = new ArrayList<>();
                  for (int i = 0; i < 150; i++) {
                    byte[] body = msg("t" + thread + " n" + i + " " + "x".repeat(r.nextInt(900)));
                    String id = store.append(BOB, body).id();
                    live.put(id, body);
                    mine.add(id);
                    if (r.nextInt(3) > 0) {
                      String victim = mine.remove(r.nextInt(mine.size()));
                      live.remove(victim);
                      assertTrue(store.delete(BOB, victim));
                      deleted.add(victim);
                    }
                  }
                  return null;
                }));
      }
      workers.add(
          pool.submit(
              () -> {
                while (!stop.get()) {
                  store.compactAll();
                  Thread.sleep(2);
                }
                return null;
              }));
      for (Future<?> w : workers.subList(0, 3)) {
        w.get(120, TimeUnit.SECONDS);
      }
      stop.set(true);
      workers.get(3).get(60, TimeUnit.SECONDS);
      pool.shutdown();
      assertFalse(store.compactionStopped());
      assertTrue(store.compactions() > 10, "compactions: " + store.compactions());
      // with nothing deleted any more, compaction comes to rest: its copies are all live
      Thread.sleep(300);
      long settled = store.compactions();
      Thread.sleep(300);
      assertEquals(settled, store.compactions(), "compaction feeds itself");
      check(store, live, deleted);
    }
    try (SegmentLogStore reopened = open(16 * 1024, 0.99)) {
      check(reopened, live, deleted);
    }
  }

  private static void check(MessageStore store, Map<String, byte[]> live, Set<String> deleted)
      throws IOException {
    Map<String, byte[]> found = new HashMap<>();
    for (MessageStore.StoredMessage m : store.list(BOB)) {
      found.put(m.id(), store.read(BOB, m.id()));
    }
    assertEquals(live.keySet(), found.keySet());
    for (Map.Entry<String, byte[]> e : live.entrySet()) {
      assertArrayEquals(e.getValue(), found.get(e.getKey()), e.getKey());
    }
    for (String d : deleted) {
      assertFalse(found.containsKey(d), "came back: " + d);
    }
  }

  @Test
  void anInterruptedReaderDoesNotBreakTheStore() throws Exception {
    try (MessageStore store = MessageStore.segmentLog(dir)) {
      MessageStore.StoredMessage m = store.append(BOB, msg("hello"));
      Thread.currentThread().interrupt();
      try {
        assertArrayEquals(msg("hello"), store.read(BOB, m.id()));
      } finally {
        Thread.interrupted();
      }
      MessageStore.StoredMessage n = store.append(BOB, msg("still writable"));
      assertArrayEquals(msg("still writable"), store.read(BOB, n.id()));
    }
  }

  @Test
  void appendsAfterCloseFail() throws IOException {
    MessageStore store = MessageStore.segmentLog(dir);
    store.close();
    IOException e = assertThrows(IOException.class, () -> store.append(BOB, msg("late")));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    store.close(); // twice is fine
  }
}
