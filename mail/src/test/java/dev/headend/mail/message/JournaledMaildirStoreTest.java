package dev.headend.mail.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournaledMaildirStoreTest {
  private static final String BOB = "bob@example.test";
  @TempDir Path dir;

  private static byte[] msg(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private JournaledMaildirStore open(int segmentBytes) throws IOException {
    return (JournaledMaildirStore) MessageStore.journaledMaildir(dir, segmentBytes);
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve(JournaledMaildirStore.JOURNAL))) {
      return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }

  private Path fileOf(String mailbox, String id) {
    return dir.resolve(MaildirMessageStore.directoryName(mailbox)).resolve("new").resolve(id);
  }

  @Test
  void appendListReadDeleteLikeTheMaildir() throws IOException {
    try (MessageStore store = MessageStore.journaledMaildir(dir)) {
      MessageStore.StoredMessage a = store.append(BOB, msg("first\r\n"));
      MessageStore.StoredMessage b = store.append(BOB, msg("second\r\n"));
      assertEquals(List.of(a, b), store.list(BOB));
      assertArrayEquals(msg("second\r\n"), Files.readAllBytes(fileOf(BOB, b.id())));
      assertTrue(store.delete(BOB, a.id()));
      assertFalse(store.delete(BOB, a.id()));
      assertEquals(List.of(b), store.list(BOB));
      assertThrows(NoSuchFileException.class, () -> store.read(BOB, a.id()));
      assertThrows(IOException.class, () -> MessageStore.journaledMaildir(dir)); // locked
    }
    assertEquals(List.of(), segments(), "close retires every segment");
    try (MessageStore again = MessageStore.journaledMaildir(dir)) {
      assertEquals(1, again.list(BOB).size());
    }
  }

  @Test
  void concurrentAppendsShareJournalSyncs() throws Exception {
    int threads = 16;
    int each = 40;
    try (JournaledMaildirStore store = open(1 << 20)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<MessageStore.StoredMessage>> futures = new ArrayList<>();
      for (int i = 0; i < threads * each; i++) {
        byte[] body = msg("message " + i + "\r\n");
        futures.add(pool.submit(() -> store.append("box" + (body.length % 3), body)));
      }
      for (Future<MessageStore.StoredMessage> f : futures) {
        assertTrue(f.get().size() > 0);
      }
      pool.shutdown();
      long syncs = store.journalSyncs();
      assertTrue(syncs >= 1, "at least one fdatasync");
      assertTrue(
          syncs < threads * each,
          "group commit shares fdatasyncs: " + syncs + " for " + threads * each + " appends");
      int listed = 0;
      for (int b = 0; b < 3; b++) {
        listed += store.list("box" + b).size();
      }
      assertEquals(threads * each, listed);
    }
  }

  @Test
  void replayAfterACrashBetweenJournalAndMaildirRestoresTheBytes() throws IOException {
    JournaledMaildirStore store = open(1 << 20);
    MessageStore.StoredMessage a = store.append(BOB, msg("alpha\r\n"));
    MessageStore.StoredMessage b = store.append(BOB, msg("bravo\r\n"));
    MessageStore.StoredMessage c = store.append("carol@example.test", msg("charlie\r\n"));
    store.abandon(); // a crash: nothing synced or retired
    List<Path> before = segments();
    // the crash lost one file entirely and left another empty (delayed allocation)
    Files.delete(fileOf(BOB, a.id()));
    Files.write(fileOf("carol@example.test", c.id()), new byte[0]);
    try (JournaledMaildirStore reopened = open(1 << 20)) {
      assertEquals(2, reopened.replayedMessages());
      assertArrayEquals(msg("alpha\r\n"), reopened.read(BOB, a.id()));
      assertArrayEquals(msg("bravo\r\n"), reopened.read(BOB, b.id()));
      assertArrayEquals(msg("charlie\r\n"), reopened.read("carol@example.test", c.id()));
      assertEquals(2, reopened.list(BOB).size(), "same ids: no duplicates");
      // the replayed segments are retired; the reopened store's own (and the spare it may have
      // preallocated in the background by now) are new ones
      List<Path> after = segments();
      assertTrue(after.stream().noneMatch(before::contains), before + " -> " + after);
      assertTrue(after.size() >= 1 && after.size() <= 2, after::toString);
    }
  }

  @Test
  void aDeletedMessageIsNotResurrected() throws IOException {
    JournaledMaildirStore store = open(1 << 20);
    MessageStore.StoredMessage a = store.append(BOB, msg("deleted\r\n"));
    MessageStore.StoredMessage b = store.append(BOB, msg("kept\r\n"));
    assertTrue(store.delete(BOB, a.id()));
    store.abandon();
    Files.delete(fileOf(BOB, b.id()));
    try (JournaledMaildirStore reopened = open(1 << 20)) {
      assertEquals(List.of(b), reopened.list(BOB));
      assertArrayEquals(msg("kept\r\n"), reopened.read(BOB, b.id()));
    }
    try (JournaledMaildirStore again = open(1 << 20)) {
      assertEquals(List.of(b), again.list(BOB));
    }
  }

  @Test
  void aDeleteRecordedButNotDoneBeforeTheCrashIsCompletedAtOpen() throws IOException {
    JournaledMaildirStore store = open(1 << 20);
    MessageStore.StoredMessage a = store.append(BOB, msg("gone\r\n"));
    byte[] keep = Files.readAllBytes(fileOf(BOB, a.id()));
    assertTrue(store.delete(BOB, a.id()));
    store.abandon();
    Files.write(fileOf(BOB, a.id()), keep); // as if the crash came before the unlink
    try (JournaledMaildirStore reopened = open(1 << 20)) {
      assertEquals(List.of(), reopened.list(BOB));
    }
  }

  @Test
  void aTornTailIsCutAndTheRestReplayed() throws IOException {
    JournaledMaildirStore store = open(1 << 20);
    MessageStore.StoredMessage a = store.append(BOB, msg("one\r\n"));
    MessageStore.StoredMessage b = store.append(BOB, msg("two\r\n"));
    MessageStore.StoredMessage c = store.append(BOB, msg("three, torn\r\n"));
    store.abandon();
    for (MessageStore.StoredMessage m : List.of(a, b, c)) {
      Files.delete(fileOf(BOB, m.id()));
    }
    // tear the last record: its last bytes (part of the content and the CRC) never reached the disk
    Path segment = segments().get(0);
    byte[] bytes = Files.readAllBytes(segment);
    assertEquals(3, JournaledMaildirStore.scan(bytes).size());
    int lastEnd = 0;
    for (int i = 0; i < 3; i++) {
      lastEnd += recordLength(bytes, lastEnd);
    }
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.allocate(6), lastEnd - 6);
    }
    assertEquals(2, JournaledMaildirStore.scan(Files.readAllBytes(segment)).size());
    try (JournaledMaildirStore reopened = open(1 << 20)) {
      assertEquals(List.of(a.id(), b.id()), reopened.list(BOB).stream().map(m -> m.id()).toList());
      MessageStore.StoredMessage d = reopened.append(BOB, msg("after\r\n"));
      assertArrayEquals(msg("after\r\n"), reopened.read(BOB, d.id()));
    }
  }

  private static int recordLength(byte[] bytes, int at) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes, at, bytes.length - at);
    b.getInt();
    b.get();
    int box = b.getShort() & 0xffff;
    int id = b.getShort() & 0xffff;
    int content = b.getInt();
    return 13 + box + id + content + 4;
  }

  @Test
  void garbageInTheJournalIsATruncationNotAnError() throws IOException {
    Files.createDirectories(dir.resolve(JournaledMaildirStore.JOURNAL));
    byte[] junk = new byte[10_000];
    new Random(7).nextBytes(junk);
    Files.write(
        dir.resolve(JournaledMaildirStore.JOURNAL).resolve(JournaledMaildirStore.segmentName(3)),
        junk);
    try (JournaledMaildirStore store = open(1 << 20)) {
      assertEquals(0, store.replayedMessages());
      MessageStore.StoredMessage m = store.append(BOB, msg("fine\r\n"));
      assertEquals(List.of(m), store.list(BOB));
    }
  }

  @Test
  void aChecksummedRecordWithAnImpossibleIdIsATypedError() throws IOException {
    Files.createDirectories(dir.resolve(JournaledMaildirStore.JOURNAL));
    byte[] bad = JournaledMaildirStore.encode(JournaledMaildirStore.APPEND, BOB, "../x", msg("x"));
    Files.write(
        dir.resolve(JournaledMaildirStore.JOURNAL).resolve(JournaledMaildirStore.segmentName(0)),
        bad);
    assertThrows(JournalCorruptException.class, () -> open(1 << 20));
  }

  @Test
  void segmentsRollOverAndAreRetiredOnceTheirFilesAreSynced() throws Exception {
    byte[] body = new byte[2000];
    new Random(1).nextBytes(body);
    List<MessageStore.StoredMessage> stored = new ArrayList<>();
    try (JournaledMaildirStore store = open(16 * 1024)) {
      for (int i = 0; i < 100; i++) {
        stored.add(store.append(BOB, body));
      }
      byte[] big = new byte[50_000]; // larger than a segment: one of its own
      new Random(2).nextBytes(big);
      MessageStore.StoredMessage large = store.append(BOB, big);
      for (int i = 0; i < 200 && store.segmentsRetired() < 10; i++) {
        Thread.sleep(10);
      }
      assertTrue(store.segmentsRetired() >= 10, "retired " + store.segmentsRetired());
      assertTrue(segments().size() <= 9, "segments left " + segments());
      assertArrayEquals(big, store.read(BOB, large.id()));
      // deleting a message whose segment is gone: no journal needed, still gone after reopen
      assertTrue(store.delete(BOB, stored.get(0).id()));
    }
    assertEquals(List.of(), segments());
    try (JournaledMaildirStore reopened = open(16 * 1024)) {
      assertEquals(100, reopened.list(BOB).size());
      for (MessageStore.StoredMessage m : stored.subList(1, stored.size())) {
        assertArrayEquals(body, reopened.read(BOB, m.id()));
      }
    }
  }
}
