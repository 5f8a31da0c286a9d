package dev.headend.mail.message;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Where received messages go, by mailbox; what POP3 and IMAP will read. Implementations are
 * thread-safe: the SMTP adapter stores from worker threads while readers list and read.
 *
 * <p>The durability contract: when {@link #append} returns, the message survives a crash of the
 * process (and, for {@link #maildir} and {@link #segmentLog}, of the machine); an SMTP server
 * acknowledges a message only after that. If {@link #append} throws, nothing is visible in the
 * mailbox; after an I/O error in the sync itself, though, the message may be found again once the
 * store is reopened (the disk may have taken it): a sender that tries again makes SMTP's usual
 * duplicate, never a loss.
 */
public interface MessageStore extends AutoCloseable {

  /**
   * Stores a message in {@code mailbox}, durably by the time it returns.
   *
   * @param mailbox the mailbox name, such as {@code bob@example.test}
   * @param content the message bytes (the store keeps its own copy)
   * @return what was stored and under which id
   * @throws IOException if it could not be stored; then it is not in the mailbox
   */
  StoredMessage append(String mailbox, byte[] content) throws IOException;

  /** The messages of {@code mailbox}, oldest first; empty if the mailbox does not exist. */
  List<StoredMessage> list(String mailbox) throws IOException;

  /**
   * The mailboxes that hold at least one message, sorted. A store that cannot enumerate its
   * mailboxes throws {@link UnsupportedOperationException} (the built-in ones all can).
   */
  default List<String> mailboxes() throws IOException {
    throw new UnsupportedOperationException(getClass().getName() + " cannot list its mailboxes");
  }

  /**
   * Copies every message of {@code from} into {@code to}, mailbox by mailbox, oldest first: moves a
   * mail spool between stores (a maildir into a {@link #segmentLog} and back). Each copy is durable
   * on {@code to} before the next is read; the source is left as it is, so a copy that fails half
   * way can be retried into an empty target.
   *
   * @return how many messages were copied
   */
  static long copyAll(MessageStore from, MessageStore to) throws IOException {
    long copied = 0;
    for (String mailbox : from.mailboxes()) {
      for (StoredMessage m : from.list(mailbox)) {
        byte[] content;
        try {
          content = from.read(mailbox, m.id());
        } catch (NoSuchFileException e) {
          continue; // deleted since it was listed
        }
        to.append(mailbox, content);
        copied++;
      }
    }
    return copied;
  }

  /**
   * The bytes of one message.
   *
   * @throws java.nio.file.NoSuchFileException if there is no such message
   */
  byte[] read(String mailbox, String id) throws IOException;

  /** Removes a message; false if it was not there. */
  boolean delete(String mailbox, String id) throws IOException;

  /**
   * Stores a message without blocking the caller: {@link #append}'s contract, its outcome in the
   * returned future (failed with an {@link IOException} where {@link #append} would throw). {@code
   * content} must not change until the future completes. By default {@link #append} runs on {@code
   * blocking} and the future completes there; {@link #segmentLog} instead queues the message for
   * its writer thread and completes the future there once the batch holding it is durable:
   * dependent actions must be short and must not wait for the store (hand such work to another
   * thread, as {@code SmtpServer} does).
   *
   * @param blocking where a store that can only block runs {@link #append}
   */
  default CompletableFuture<StoredMessage> appendAsync(
      String mailbox, byte[] content, Executor blocking) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return append(mailbox, content);
          } catch (IOException e) {
            throw new CompletionException(e);
          }
        },
        blocking);
  }

  /**
   * Releases what the store holds (for {@link #segmentLog}: finishes the queued appends and stops
   * its threads); nothing for the other stores.
   */
  @Override
  default void close() throws IOException {}

  /** A store in memory: fast, for tests and embedders with their own persistence; not durable. */
  static MessageStore inMemory() {
    return new InMemoryMessageStore();
  }

  /**
   * A maildir-style store under {@code root}: one directory per mailbox with {@code tmp}, {@code
   * new} and {@code cur}; each message is written to {@code tmp}, forced to disk, renamed
   * atomically into {@code new}, and the directory is forced too, so a crash leaves either the
   * whole message or none of it.
   *
   * @throws IOException if {@code root} cannot be created
   */
  static MessageStore maildir(Path root) throws IOException {
    return new MaildirMessageStore(root);
  }

  /**
   * {@link #segmentLog(Path, int)} with 16 MiB segments.
   *
   * @throws IOException if {@code root} cannot be created, is in use, or cannot be read back
   */
  static MessageStore segmentLog(Path root) throws IOException {
    return segmentLog(root, 16 << 20);
  }

  /**
   * A store that keeps every mailbox's messages in a few large append-only segment files under
   * {@code root} (the idea of Dovecot's multi-dbox: fewer files than messages), for the highest
   * rate of durable appends. Concurrent appends share one {@code fdatasync}: when {@link #append}
   * returns (or {@link #appendAsync}'s future completes) the message survives a crash of the
   * process and of the machine, and no file was created for it. Each record carries a CRC32C; a
   * torn tail after a crash is cut at open. {@link #delete} commits a tombstone, so a deleted
   * message never comes back; segments whose live messages take less than half of what was written
   * to them are compacted in the background. Ids are 16 hex digits that grow in arrival order and
   * are never reused. The index of mailboxes lives in memory and is rebuilt from the segments at
   * open. One store per root at a time (a file lock says so).
   *
   * @param segmentBytes the size of a preallocated segment (at least 4096); a larger message gets a
   *     segment of its own
   * @throws StoreCorruptException if a segment holds a checksummed record that is not valid
   * @throws IOException if {@code root} cannot be created, is in use, or cannot be read back
   */
  static MessageStore segmentLog(Path root, int segmentBytes) throws IOException {
    return new SegmentLogStore(root, segmentBytes, 0.5);
  }

  /**
   * A stored message.
   *
   * @param mailbox its mailbox
   * @param id its id within the mailbox (unique, safe as a file name)
   * @param size its size in octets
   */
  record StoredMessage(String mailbox, String id, long size) {}
}
