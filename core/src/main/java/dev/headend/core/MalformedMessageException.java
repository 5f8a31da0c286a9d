package dev.headend.core;

/**
 * Bytes from a peer could not be decoded: the root of every module's decode error.
 *
 * <p>The message says what was wrong and where ({@code "label length 70 exceeds 63 at byte 12"}),
 * and {@link #offset()} gives the byte offset, counted from the start of the message the decoder
 * was handed. Each protocol module declares a subclass ({@code MalformedDnsMessageException}, ...)
 * so callers can tell which decoder failed.
 *
 * <p>It is checked and deliberately not an {@link java.io.IOException}: a transport adapter's
 * {@code catch (IOException e)} must not swallow a peer's protocol fault. Engines never throw it;
 * they turn a peer's bad input into an event or a protocol reply (FORMERR, 500, NAK, ERROR 4).
 */
public class MalformedMessageException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String reason;
  private final int offset;

  /**
   * @param reason what was wrong, without the position (it is appended)
   * @param offset byte offset of the fault from the start of the decoded message, {@code >= 0}
   */
  public MalformedMessageException(String reason, int offset) {
    this(reason, offset, null);
  }

  /**
   * @param reason what was wrong, without the position (it is appended)
   * @param offset byte offset of the fault from the start of the decoded message, {@code >= 0}
   * @param cause the underlying failure, or {@code null}
   */
  public MalformedMessageException(String reason, int offset, Throwable cause) {
    this(reason, offset, cause, true);
  }

  /**
   * For decoders on a hot path fed by untrusted peers: without a stack trace, a flood of garbage
   * costs an allocation per datagram instead of a stack walk. The message and offset still say what
   * and where.
   *
   * @param reason what was wrong, without the position (it is appended)
   * @param offset byte offset of the fault from the start of the decoded message, {@code >= 0}
   * @param cause the underlying failure, or {@code null}
   * @param writableStackTrace whether to record the stack trace
   */
  protected MalformedMessageException(
      String reason, int offset, Throwable cause, boolean writableStackTrace) {
    super(reason + " at byte " + offset, cause, true, writableStackTrace);
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    }
    this.reason = reason;
    this.offset = offset;
  }

  /** Byte offset of the fault, counted from the start of the message handed to the decoder. */
  public int offset() {
    return offset;
  }

  /** What was wrong, without the position. */
  public String reason() {
    return reason;
  }
}
