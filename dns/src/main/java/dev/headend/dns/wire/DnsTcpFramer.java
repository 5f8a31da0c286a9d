package dev.headend.dns.wire;

import java.nio.ByteBuffer;

/**
 * DNS over TCP framing (RFC 1035 §4.2.2, RFC 7766 §8): each message is preceded by its length as
 * two bytes. One framer per connection reassembles messages from reads of any size.
 *
 * <pre>{@code
 * ByteBuffer message;
 * while ((message = framer.next(received)) != null) {
 *   handle(message);               // valid until the next call or until `received` changes
 * }
 * }</pre>
 *
 * <p>A message that arrives whole inside one read is returned as a view of the caller's buffer;
 * only one split across reads is copied, into a buffer of exactly its announced length. A framer
 * therefore holds at most one partial message (at most 65,535 bytes).
 */
public final class DnsTcpFramer {
  /** Largest message a two-byte length can announce. */
  public static final int MAX_MESSAGE = 65_535;

  private int firstLengthByte = -1; // the high byte, when only it has arrived
  private ByteBuffer partial; // a message being assembled, or null
  private long consumed; // bytes taken so far, for error offsets

  /** A framer for a new connection. */
  public DnsTcpFramer() {}

  /**
   * Takes bytes from {@code in} (advancing its position) until one message is complete, and returns
   * it (position 0, limit its length); returns null once {@code in} is exhausted first.
   *
   * @throws MalformedDnsMessageException for a zero length prefix, which no DNS message can have
   */
  public ByteBuffer next(ByteBuffer in) throws MalformedDnsMessageException {
    if (partial == null) {
      if (firstLengthByte < 0 && in.remaining() >= 2) {
        int len = (in.get(in.position()) & 0xff) << 8 | in.get(in.position() + 1) & 0xff;
        checkLength(len);
        if (in.remaining() >= 2 + len) { // the common case: whole in one read, no copy
          ByteBuffer message = in.slice(in.position() + 2, len);
          in.position(in.position() + 2 + len);
          consumed += 2 + len;
          return message;
        }
      }
      while (partial == null && in.hasRemaining()) {
        int b = in.get() & 0xff;
        consumed++;
        if (firstLengthByte < 0) {
          firstLengthByte = b;
        } else {
          int len = firstLengthByte << 8 | b;
          firstLengthByte = -1;
          checkLength(len);
          partial = ByteBuffer.allocate(len);
        }
      }
      if (partial == null) {
        return null;
      }
    }
    int n = Math.min(partial.remaining(), in.remaining());
    partial.put(in.slice(in.position(), n));
    in.position(in.position() + n);
    consumed += n;
    if (partial.hasRemaining()) {
      return null;
    }
    ByteBuffer message = partial.flip();
    partial = null;
    return message;
  }

  /** Whether a message has been started but not finished (bytes would be lost at end of input). */
  public boolean hasPartialMessage() {
    return partial != null || firstLengthByte >= 0;
  }

  /**
   * Writes {@code message} (position to limit, not moved) with its length prefix into {@code out}.
   *
   * @throws IllegalArgumentException if the message is longer than 65,535 bytes
   */
  public static void writeFramed(ByteBuffer message, ByteBuffer out) {
    int len = message.remaining();
    if (len > MAX_MESSAGE) {
      throw new IllegalArgumentException("a DNS message over TCP is at most 65535 bytes: " + len);
    }
    out.putShort((short) len).put(message.duplicate());
  }

  /** A new buffer holding {@code message} with its length prefix, ready to write. */
  public static ByteBuffer framed(byte[] message) {
    ByteBuffer out = ByteBuffer.allocate(2 + message.length);
    writeFramed(ByteBuffer.wrap(message), out);
    return out.flip();
  }

  private void checkLength(int len) throws MalformedDnsMessageException {
    if (len == 0) {
      throw new MalformedDnsMessageException(
          "zero-length DNS message in the TCP stream", (int) Math.min(consumed, Integer.MAX_VALUE));
    }
  }
}
