package dev.headend.mail.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.testkit.Proc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a process appending to a segment log from 12 threads (and deleting every 7th message,
 * so that segments are compacted all the time), several times at random points: after each,
 * reopening the store finds every acknowledged message with its exact bytes, no deleted one, none
 * partial and none twice.
 */
class SegmentLogCrashTest {
  private static final String[] BOXES = {
    "user0@example.test", "user1@example.test", "user2@example.test"
  };

  @TempDir Path dir;

  @Test
  void killDashNineLosesNoAcknowledgedMessage() throws Exception {
    Random random = new Random(20_261_205);
    Map<String, String> acked = new HashMap<>(); // mailbox/id -> tag
    Set<String> deleted = new HashSet<>();
    Set<String> deleting = new HashSet<>(); // a delete started: present or not, both are right
    int rounds = 5;
    for (int round = 0; round < rounds; round++) {
      Process p =
          new ProcessBuilder(
                  Proc.java(
                      SegmentLogCrashChild.class,
                      dir.toString(),
                      Integer.toString(round),
                      Integer.toString(64 * 1024)))
              .redirectError(dir.resolve("child-" + round + ".err").toFile())
              .start();
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> readLines(p, lines), "crash-test-reader");
      reader.start();
      try {
        String ready = lines.poll(60, TimeUnit.SECONDS);
        assertEquals("READY", ready, "the child did not start");
        Thread.sleep(200 + random.nextInt(1200));
      } finally {
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the child did not die");
        reader.join(10_000);
      }
      int ackedThisRound = 0;
      for (String line : lines) {
        String[] f = line.split(" ");
        if (f.length == 4 && f[0].equals("ACK")) {
          acked.put(f[1] + "/" + f[2], f[3]);
          ackedThisRound++;
        } else if (f.length == 3 && f[0].equals("DEL")) {
          deleted.add(f[1] + "/" + f[2]);
        } else if (f.length == 3 && f[0].equals("DELETING")) {
          deleting.add(f[1] + "/" + f[2]);
        }
      }
      assertTrue(ackedThisRound > 0, "round " + round + " acknowledged nothing");
      try (MessageStore store = new SegmentLogStore(dir, 64 * 1024, 0.9)) {
        check(store, acked, deleted, deleting);
      }
    }
    System.out.printf(
        "segment log crash test: %d acknowledged, %d deleted, %d kill -9 rounds, none lost%n",
        acked.size(), deleted.size(), rounds);
  }

  private static void check(
      MessageStore store, Map<String, String> acked, Set<String> deleted, Set<String> deleting)
      throws IOException {
    Set<String> tags = new HashSet<>();
    Set<String> present = new HashSet<>();
    for (String box : BOXES) {
      for (MessageStore.StoredMessage m : store.list(box)) {
        byte[] bytes = store.read(box, m.id());
        String text = new String(bytes, StandardCharsets.US_ASCII);
        String tag = text.substring("Subject: ".length(), text.indexOf("\r\n"));
        assertArrayEquals(SegmentLogCrashChild.content(tag), bytes, "partial message " + m);
        assertTrue(tags.add(tag), "message " + tag + " stored twice");
        present.add(box + "/" + m.id());
      }
    }
    for (Map.Entry<String, String> e : acked.entrySet()) {
      if (!deleting.contains(e.getKey())) {
        assertTrue(present.contains(e.getKey()), "acknowledged message lost: " + e);
      }
    }
    for (String d : deleted) {
      assertTrue(!present.contains(d), "deleted message came back: " + d);
    }
  }

  private static void readLines(Process p, BlockingQueue<String> lines) {
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        lines.add(line);
      }
    } catch (IOException e) {
      lines.add("EOF " + e);
    }
  }
}
