package dev.headend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.mail.message.MessageStore;
import dev.headend.testkit.Proc;
import dev.headend.testkit.RequiresPeer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code headend mail-copy}: a segment log into a maildir that Python's mailbox module reads. */
class MailCopyTest extends CommandTest {
  @TempDir Path dir;

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void usageErrors() {
    assertEquals(0, run("mail-copy", "--help"));
    assertTrue(out.toString().contains("usage: headend mail-copy FROM TO"));
    assertEquals(2, run("mail-copy", "log:" + dir));
    assertTrue(err.toString().contains("mail-copy wants FROM and TO"), err.toString());
    assertEquals(2, run("mail-copy", "mbox:" + dir, "log:" + dir.resolve("x")));
    assertTrue(err.toString().contains("a store is maildir:DIR or log:DIR, got mbox:"));
    assertEquals(
        1, run("mail-copy", "maildir:" + dir.resolve("absent"), "log:" + dir.resolve("y")));
    assertTrue(err.toString().contains("no such directory"), err.toString());
  }

  @Test
  void refusesWhatWouldMixOrMisreadStores() throws Exception {
    Path maildir = dir.resolve("maildir");
    Path log = dir.resolve("log");
    MessageStore.maildir(maildir).append("bob@example.test", "Subject: x\r\n\r\n".getBytes());
    try (MessageStore store = MessageStore.segmentLog(log)) {
      store.append("bob@example.test", "Subject: y\r\n\r\n".getBytes());
    }
    String[][] refused = {
      {"log:" + maildir, "log:" + dir.resolve("a"), "is not a segment log"},
      {"maildir:" + log, "log:" + dir.resolve("a"), "holds .seg files"},
      {"maildir:" + maildir, "log:" + maildir.resolve("inner"), "overlap"},
      {"log:" + log, "log:" + log, "overlap"},
      {"log:" + log, "maildir:" + maildir, "is not empty"},
    };
    for (String[] r : refused) {
      err.reset();
      assertEquals(1, run("mail-copy", r[0], r[1]), String.join(" ", r));
      assertTrue(err.toString().contains(r[2]), err.toString());
    }
    assertFalse(Files.exists(dir.resolve("a")), "nothing made for a refused copy");
    assertEquals(List.of("bob@example.test"), MessageStore.maildir(maildir).mailboxes());
    assertEquals(0, run("mail-copy", "log:" + log, "maildir:" + dir.resolve("b")), err.toString());
  }

  @Test
  @Tag("interop")
  @RequiresPeer(value = "python3", install = "apt-get install -y python3")
  void aSegmentLogBecomesAMaildirThatPythonReads() throws Exception {
    Path log = dir.resolve("log");
    Path maildir = dir.resolve("maildir");
    Map<String, List<String>> expected = new TreeMap<>();
    try (MessageStore store = MessageStore.segmentLog(log)) {
      for (int i = 0; i < 40; i++) {
        String box = i % 3 == 0 ? "carol@example.test" : "bob@example.test";
        byte[] m =
            ("Subject: " + i + "\r\n\r\n.line\r\n" + "y".repeat(i * 37) + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
        store.append(box, m);
        expected.computeIfAbsent(box, k -> new ArrayList<>()).add(sha256(m));
      }
      String deleted = store.append("bob@example.test", "Subject: gone\r\n\r\n".getBytes()).id();
      store.delete("bob@example.test", deleted);
    }

    assertEquals(0, run("mail-copy", "log:" + log, "maildir:" + maildir), err.toString());
    assertTrue(out.toString().contains("copied 40 messages in 2 mailboxes"), out.toString());
    assertEquals(1, run("mail-copy", "log:" + log, "maildir:" + maildir));
    assertTrue(err.toString().contains("is not empty"), err.toString());
    assertEquals(2, MessageStore.maildir(maildir).mailboxes().size(), "not copied twice");

    String script =
        """
        import hashlib, mailbox, os, sys
        root = sys.argv[1]
        for name in sorted(os.listdir(root)):
            box = mailbox.Maildir(os.path.join(root, name), factory=None, create=False)
            for key in box.keys():
                print(name, hashlib.sha256(box.get_bytes(key)).hexdigest())
        """;
    Proc.Result r =
        Proc.run(
                Duration.ofSeconds(30),
                List.of("python3", "-c", script, maildir.toString()),
                Map.of())
            .assertSuccess();
    Map<String, List<String>> seen = new TreeMap<>();
    List<String> lines = new ArrayList<>(r.stdout().lines().toList());
    for (String line : lines) {
      String[] f = line.split(" ");
      seen.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f[1]);
    }
    expected.values().forEach(Collections::sort);
    seen.values().forEach(Collections::sort);
    assertEquals(expected, seen, r.describe());
  }
}
