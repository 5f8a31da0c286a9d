package dev.headend.cli;

import dev.headend.mail.message.MessageStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code headend mail-copy FROM TO}: copies every mailbox of one mail store into another, for
 * moving a spool between the maildir and the segment log ({@code serve --mail-store}). Each side is
 * {@code maildir:DIR} or {@code log:DIR}. The source must be what it is called; the target must be
 * a new or empty directory, apart from the source, so that a copy is never merged into a store.
 */
final class MailCopy {
  static final String USAGE =
      """
      usage: headend mail-copy FROM TO

        Copies every message of the mail store FROM into the empty store TO, mailbox by mailbox,
        oldest first, each durable before the next is read. TO must be a new or empty directory.
        FROM keeps its messages (a segment log may compact while it is open). Stop headend serve on
        a segment log first: the log is locked while it is open. If the copy fails, remove TO
        before trying again.

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
    Spec from;
    Spec to;
    try {
      from = Spec.parse(args.get(0));
      to = Spec.parse(args.get(1));
    } catch (UsageException e) {
      err.println("headend: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    String refused = refusal(from, to);
    if (refused != null) {
      err.println("headend: mail-copy: " + refused);
      return 1;
    }
    long copied;
    int boxes;
    try (MessageStore source = from.open();
        MessageStore target = to.open()) {
      copied = MessageStore.copyAll(source, target);
      boxes = target.mailboxes().size();
    } catch (IOException | RuntimeException e) {
      err.println("headend: mail-copy failed: " + describe(e));
      if (Files.exists(to.dir)) {
        err.println(
            "headend: " + to.dir + " may hold part of the copy: remove it before trying again");
      }
      return 1;
    }
    out.println("copied " + copied + " messages in " + boxes + " mailboxes");
    return 0;
  }

  /** Why the copy must not start, or null. */
  private static String refusal(Spec from, Spec to) {
    Path a = from.dir.toAbsolutePath().normalize();
    Path b = to.dir.toAbsolutePath().normalize();
    if (a.startsWith(b) || b.startsWith(a)) {
      return "FROM and TO overlap: " + a + ", " + b;
    }
    if (!Files.isDirectory(a)) {
      return "no such directory: " + a;
    }
    boolean segments = hasSegments(a);
    if (from.log && !segments) {
      return a + " is not a segment log (no .seg files)";
    }
    if (!from.log && segments) {
      return a + " holds .seg files: a segment log is log:DIR";
    }
    if (Files.exists(b) && !isEmptyDirectory(b)) {
      return b + " is not empty: the copy goes into a new or empty directory";
    }
    return null;
  }

  private static boolean hasSegments(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(f -> f.getFileName().toString().endsWith(".seg"));
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean isEmptyDirectory(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /** One side: a store kind and its directory. */
  private record Spec(boolean log, Path dir) {
    static Spec parse(String spec) throws UsageException {
      int colon = spec.indexOf(':');
      String kind = colon < 0 ? "" : spec.substring(0, colon);
      if (colon < 0
          || colon == spec.length() - 1
          || !(kind.equals("maildir") || kind.equals("log"))) {
        throw new UsageException("a store is maildir:DIR or log:DIR, got " + spec);
      }
      return new Spec(kind.equals("log"), Path.of(spec.substring(colon + 1)));
    }

    MessageStore open() throws IOException {
      return log ? MessageStore.segmentLog(dir) : MessageStore.maildir(dir);
    }
  }
}
