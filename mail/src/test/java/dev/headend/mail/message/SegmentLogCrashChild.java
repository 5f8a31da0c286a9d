package dev.headend.mail.message;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The child of {@link SegmentLogCrashTest}: appends from several threads until killed and prints
 * {@code ACK <mailbox> <id> <tag>} once each append returned, {@code DELETING <mailbox> <id>}
 * before a delete and {@code DEL <mailbox> <id>} once it returned.
 */
final class SegmentLogCrashChild {
  private SegmentLogCrashChild() {}

  /** The bytes of the message tagged {@code tag}: its size depends on the tag. */
  static byte[] content(String tag) {
    StringBuilder sb = new StringBuilder("Subject: ").append(tag).append("\r\n\r\n");
    int lines = 1 + Math.floorMod(tag.hashCode(), 60);
    for (int i = 0; i < lines; i++) {
      sb.append(tag).append(" line ").append(i).append(" ........................\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Whether the child deletes message number {@code n} of a thread right after its ACK. */
  private static boolean deletesAfterAck(int n) {
    return n % 7 == 3;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String round = args[1];
    int segmentBytes = Integer.parseInt(args[2]);
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
    // compacting below 90 % live: with every 7th message deleted, nearly every segment is compacted
    MessageStore store = new SegmentLogStore(dir, segmentBytes, 0.9);
    synchronized (out) {
      out.println("READY");
      out.flush();
    }
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 12; t++) {
      int thread = t;
      Thread th =
          new Thread(
              () -> {
                try {
                  for (int n = 0; ; n++) {
                    String box = "user" + (n % 3) + "@example.test";
                    String tag = "r" + round + "t" + thread + "n" + n;
                    MessageStore.StoredMessage m = store.append(box, content(tag));
                    synchronized (out) {
                      out.println("ACK " + box + " " + m.id() + " " + tag);
                      out.flush();
                    }
                    if (deletesAfterAck(n)) {
                      synchronized (out) {
                        out.println("DELETING " + box + " " + m.id());
                        out.flush();
                      }
                    }
                    if (deletesAfterAck(n) && store.delete(box, m.id())) {
                      synchronized (out) {
                        out.println("DEL " + box + " " + m.id());
                        out.flush();
                      }
                    }
                  }
                } catch (Exception e) {
                  e.printStackTrace();
                  System.exit(3);
                }
              });
      th.start();
      threads.add(th);
    }
    for (Thread th : threads) {
      th.join();
    }
  }
}
