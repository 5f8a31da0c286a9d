package dev.headend.cli;

import dev.headend.mail.message.MessageStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code headend mail-copy FROM TO}: copies every mailbox of one mail store into another, for
 * moving a spool between the maildir and the segment log ({@code serve --mail-store}). Each side is
 * {@code maildir:DIR} or {@code log:DIR}; the target must be empty, so that a copy is never merged
 * twice into the same store.
 */
final class MailCopy {
  static final String USAGE =
      """
      usage: headend mail-copy FROM TO

        Copies every message of the mail store FROM into the empty store TO, mailbox by mailbox,
        oldest first, each durable before the next is read. FROM is left as it is. Stop headend
        serve on a segment log first: the log is locked while it is open.

        FROM, TO                  maildir:DIR (a maildir per mailbox, as --mail-store maildir)
                                  or log:DIR (the segment log, as --mail-store log)
      """;

  private MailCopy() {}

  /** Runs the command; returns the exit status (0 done, 1 failed, 2 usage). */
  static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.size() == 1 && List.of("--help", "-h").contains(args.get(0))) {
      out.print(USAGE);
      return 0;
    }
    if (args.size() != 2) {
      err.println("headend: mail-copy wants FROM and TO");
      err.print(USAGE);
      return 2;
    }
    try (MessageStore from = open(args.get(0), false);
        MessageStore to = open(args.get(1), true)) {
      if (!to.mailboxes().isEmpty()) {
        err.println("headend: mail-copy: " + args.get(1) + " is not empty");
        return 1;
      }
      long copied = MessageStore.copyAll(from, to);
      out.println("copied " + copied + " messages in " + to.mailboxes().size() + " mailboxes");
      return 0;
    } catch (UsageException e) {
      err.println("headend: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (IOException | RuntimeException e) {
      err.println("headend: mail-copy failed: " + e);
      return 1;
    }
  }

  private static MessageStore open(String spec, boolean create) throws UsageException, IOException {
    int colon = spec.indexOf(':');
    String kind = colon < 0 ? "" : spec.substring(0, colon);
    if (colon < 0
        || colon == spec.length() - 1
        || !(kind.equals("maildir") || kind.equals("log"))) {
      throw new UsageException("a store is maildir:DIR or log:DIR, got " + spec);
    }
    Path dir = Path.of(spec.substring(colon + 1));
    if (!create && !Files.isDirectory(dir)) {
      throw new IOException("no such directory: " + dir);
    }
    return kind.equals("log") ? MessageStore.segmentLog(dir) : MessageStore.maildir(dir);
  }
}
