package dev.headend.mail.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageStoreTest {
  @TempDir Path dir;

  private static byte[] msg(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void appendListReadDelete(MessageStore store) throws IOException {
    MessageStore.StoredMessage a = store.append("bob@example.test", msg("first\r\n"));
    MessageStore.StoredMessage b = store.append("bob@example.test", msg("second\r\n"));
    store.append("carol@example.test", msg("other\r\n"));
    assertEquals(List.of(a, b), store.list("bob@example.test"));
    assertEquals(7, a.size());
    assertArrayEquals(msg("second\r\n"), store.read("bob@example.test", b.id()));
    assertTrue(store.delete("bob@example.test", a.id()));
    assertFalse(store.delete("bob@example.test", a.id()));
    assertEquals(List.of(b), store.list("bob@example.test"));
    assertEquals(List.of(), store.list("nobody@example.test"));
    assertThrows(NoSuchFileException.class, () -> store.read("bob@example.test", a.id()));
    assertEquals(List.of("bob@example.test", "carol@example.test"), store.mailboxes());
    assertTrue(store.delete("bob@example.test", b.id()));
    assertEquals(
        List.of("carol@example.test"), store.mailboxes(), "an emptied mailbox is not listed");
  }

  /** Every mailbox and message survives maildir → segment log → maildir, byte for byte. */
  @Test
  void copyAllMovesASpoolBetweenStoresAndBack() throws IOException {
    MessageStore maildir = MessageStore.maildir(dir.resolve("maildir"));
    String odd = "Ünïcode+%/..x@example.test"; // a name the maildir must escape
    List<String> boxes = List.of("bob@example.test", odd);
    for (int i = 0; i < 30; i++) {
      maildir.append(boxes.get(i % 2), msg("message " + i + "\r\n" + "x".repeat(i * 100)));
    }
    maildir.append("gone@example.test", msg("deleted\r\n"));
    maildir.delete("gone@example.test", maildir.list("gone@example.test").get(0).id());
    // another program's directory that looks like a maildir, and a message flagged by a mail reader
    Files.createDirectories(dir.resolve("maildir").resolve("not%zz a mailbox").resolve("new"));
    Files.write(dir.resolve("maildir").resolve("not%zz a mailbox/new/1.x"), msg("foreign\r\n"));
    Path flagged = dir.resolve("maildir/bob@example.test/cur/1700000000.M1P1.host:2,S");
    Files.write(flagged, msg("read and flagged\r\n"));
    Files.write(dir.resolve("maildir/bob@example.test/cur/.hidden"), msg("not a message\r\n"));

    MessageStore back = MessageStore.maildir(dir.resolve("back"));
    try (MessageStore log = MessageStore.segmentLog(dir.resolve("log"))) {
      assertEquals(31, MessageStore.copyAll(maildir, log));
      assertEquals(List.of("bob@example.test", odd), log.mailboxes());
      assertEquals(31, MessageStore.copyAll(log, back));
    }
    assertEquals(List.of("bob@example.test", odd), back.mailboxes());
    assertEquals(16, back.list("bob@example.test").size(), "the flagged message came along");
    for (String box : boxes) {
      List<MessageStore.StoredMessage> before = maildir.list(box);
      List<MessageStore.StoredMessage> after = back.list(box);
      assertEquals(before.size(), after.size());
      for (int i = 0; i < before.size(); i++) {
        assertArrayEquals(
            maildir.read(box, before.get(i).id()),
            back.read(box, after.get(i).id()),
            box + " #" + i);
      }
    }
  }

  @Test
  void maildirDirectoryNamesAreUndoneOnlyWhenTheyAreOurs() {
    for (String name : List.of("bob@example.test", "Ünïcode+%/..x@example.test", ".hidden")) {
      assertEquals(name, MaildirMessageStore.mailboxName(MaildirMessageStore.directoryName(name)));
    }
    assertEquals(null, MaildirMessageStore.mailboxName("bad%zz"));
    assertEquals(null, MaildirMessageStore.mailboxName("trailing%4"));
    assertEquals(null, MaildirMessageStore.mailboxName("%41")); // "A" is never escaped
    assertEquals(null, MaildirMessageStore.mailboxName("%FF")); // not UTF-8
  }

  @Test
  void inMemoryStore() throws IOException {
    appendListReadDelete(MessageStore.inMemory());
  }

  @Test
  void maildirStore() throws IOException {
    appendListReadDelete(MessageStore.maildir(dir));
  }

  @Test
  void segmentLogStore() throws IOException {
    try (MessageStore store = MessageStore.segmentLog(dir)) {
      appendListReadDelete(store);
    }
  }

  @Test
  void theDefaultAppendAsyncRunsAppendOnTheExecutor() throws Exception {
    MessageStore store = MessageStore.maildir(dir);
    List<Runnable> ran = new java.util.ArrayList<>();
    java.util.concurrent.CompletableFuture<MessageStore.StoredMessage> f =
        store.appendAsync("bob@example.test", msg("later"), ran::add);
    assertFalse(f.isDone());
    assertEquals(1, ran.size());
    ran.get(0).run();
    assertArrayEquals(msg("later"), store.read("bob@example.test", f.get().id()));
    java.util.concurrent.CompletableFuture<MessageStore.StoredMessage> bad =
        store.appendAsync("", msg("x"), Runnable::run);
    assertTrue(bad.isCompletedExceptionally());
  }

  @Test
  void maildirWritesIntoNewAndLeavesNothingInTmp() throws IOException {
    MessageStore store = MessageStore.maildir(dir);
    MessageStore.StoredMessage m = store.append("bob@example.test", msg("x"));
    Path box = dir.resolve("bob@example.test");
    assertTrue(Files.isRegularFile(box.resolve("new").resolve(m.id())));
    try (Stream<Path> tmp = Files.list(box.resolve("tmp"))) {
      assertEquals(0, tmp.count());
    }
    // a second store on the same folder (a restart) sees the message
    assertEquals(List.of(m), MessageStore.maildir(dir).list("bob@example.test"));
  }

  @Test
  void maildirMailboxNamesCannotEscapeTheRoot() throws IOException {
    MessageStore store = MessageStore.maildir(dir.resolve("root"));
    store.append("../../etc/passwd", msg("x"));
    store.append(".hidden", msg("x"));
    store.append("bj\u00f6rn@b\u00fccher.test", msg("x"));
    try (Stream<Path> boxes = Files.list(dir.resolve("root"))) {
      List<String> names = boxes.map(p -> p.getFileName().toString()).sorted().toList();
      assertEquals(
          List.of("%2E.%2F..%2Fetc%2Fpasswd", "%2Ehidden", "bj%C3%B6rn@b%C3%BCcher.test"), names);
    }
    try (Stream<Path> outside = Files.list(dir)) {
      assertEquals(1, outside.count(), "only the root was created");
    }
    assertThrows(NoSuchFileException.class, () -> store.read(".hidden", "../x"));
    assertThrows(IllegalArgumentException.class, () -> store.append("", msg("x")));
  }

  @Test
  void concurrentAppendsGetDistinctIds() throws Exception {
    MessageStore store = MessageStore.maildir(dir);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<MessageStore.StoredMessage>> futures =
          pool.invokeAll(
              java.util.Collections.nCopies(64, () -> store.append("bob@example.test", msg("m"))));
      for (Future<MessageStore.StoredMessage> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(64, store.list("bob@example.test").size());
  }

  @Test
  void groupCommitSharesDirectorySyncsAndEveryAppendReturnsVisible() throws Exception {
    MaildirMessageStore store = (MaildirMessageStore) MessageStore.maildir(dir.resolve("gc"));
    store.append("bob@example.test", "warm\r\n".getBytes(StandardCharsets.US_ASCII));
    long before = store.directoryCommits();
    int threads = 16;
    int each = 40;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Boolean>> results = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int n = t;
        results.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < each; i++) {
                    String box = (n % 2 == 0 ? "bob" : "carol") + "@example.test";
                    MessageStore.StoredMessage m =
                        store.append(box, ("m" + n + "." + i + "\r\n").getBytes());
                    // when append returns, the message is in new/ (and its entry was forced)
                    if (!Files.isRegularFile(
                        dir.resolve("gc").resolve(box).resolve("new").resolve(m.id()))) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> f : results) {
        assertTrue(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(threads / 2 * each + 1, store.list("bob@example.test").size());
    assertEquals(threads / 2 * each, store.list("carol@example.test").size());
    long syncs = store.directoryCommits() - before;
    assertTrue(syncs >= 1 && syncs <= threads * each, "directory commit rounds: " + syncs);
  }

  @Test
  void maildirUniqueNamesMatchTheFormattedOnesAndSortByArrival() {
    assertEquals(
        String.format("%013d.%08d_%s.headend", 1764930000123L, 42L, "77x1f"),
        MaildirMessageStore.uniqueName(1764930000123L, 42L, "77x1f"));
    assertEquals(
        "0000000000005.123456789_u.headend", MaildirMessageStore.uniqueName(5, 123456789L, "u"));
    assertTrue(
        MaildirMessageStore.uniqueName(1764930000123L, 9, "u")
                .compareTo(MaildirMessageStore.uniqueName(1764930000123L, 10, "u"))
            < 0);
  }

  @Test
  void maildirRecreatesAMailboxRemovedAfterItWasUsed() throws IOException {
    MessageStore store = MessageStore.maildir(dir);
    store.append("bob@example.test", msg("first\r\n"));
    Path box = dir.resolve("bob@example.test");
    try (Stream<Path> files = Files.walk(box)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    assertFalse(Files.exists(box));
    MessageStore.StoredMessage m = store.append("bob@example.test", msg("again\r\n"));
    assertEquals(List.of(m), store.list("bob@example.test"));
    assertArrayEquals(msg("again\r\n"), store.read("bob@example.test", m.id()));
    assertThrows(IllegalArgumentException.class, () -> store.append(null, msg("x")));
  }
}
