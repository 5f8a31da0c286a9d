package dev.headend.mail.message;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where received messages go, by mailbox; what POP3 and IMAP will read. Implementations are
 * thread-safe: the SMTP adapter stores from worker threads while readers list and read.
 *
 * <p>The durability contract: when {@link #append} returns, the message survives a crash of the
 * process (and, for {@link #maildir}, of the machine); an SMTP server acknowledges a message only
 * after that. If {@link #append} throws, nothing is visible in the mailbox.
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
   * The bytes of one message.
   *
   * @throws java.nio.file.NoSuchFileException if there is no such message
   */
  byte[] read(String mailbox, String id) throws IOException;

  /** Removes a message; false if it was not there. */
  boolean delete(String mailbox, String id) throws IOException;

  /**
   * Releases what the store holds (for {@link #journaledMaildir}: makes every message file durable
   * and retires the journal); nothing for the other stores.
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
   * {@link #journaledMaildir(Path, int)} with 16 MiB journal segments.
   *
   * @throws IOException if {@code root} cannot be created or its journal cannot be replayed
   */
  static MessageStore journaledMaildir(Path root) throws IOException {
    return journaledMaildir(root, 16 << 20);
  }

  /**
   * A maildir store (the same layout as {@link #maildir}) with a write-ahead journal in {@code
   * root/.journal}: {@link #append} returns once the message is <em>durable in the journal</em>
   * (one checksummed record, concurrent appends sharing one {@code fdatasync} of a preallocated
   * segment); its file is then renamed into {@code new/} without a sync of its own. The files of a
   * segment are synced in bulk in the background before the segment is deleted, and at open every
   * journalled message missing from (or incomplete in) the maildir is written again with the same
   * id, a torn journal tail is cut, and deleted messages stay deleted. Readers only ever see
   * complete files in {@code new/}. One store per root at a time (a file lock says so); {@link
   * #close} it to sync and retire the journal.
   *
   * @param segmentBytes the size of a preallocated journal segment (at least 4096)
   * @throws JournalCorruptException if the journal holds a checksummed record that is not valid
   * @throws IOException if {@code root} cannot be created, is in use, or cannot be replayed
   */
  static MessageStore journaledMaildir(Path root, int segmentBytes) throws IOException {
    return new JournaledMaildirStore(root, segmentBytes);
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
