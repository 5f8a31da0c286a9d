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
public interface MessageStore {

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
   * A stored message.
   *
   * @param mailbox its mailbox
   * @param id its id within the mailbox (unique, safe as a file name)
   * @param size its size in octets
   */
  record StoredMessage(String mailbox, String id, long size) {}
}
