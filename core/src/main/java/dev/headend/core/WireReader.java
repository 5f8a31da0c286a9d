package dev.headend.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A bounds-checked, big-endian cursor over one message, for decoders.
 *
 * <p>It reads from a view of the caller's buffer, so the caller's position and limit never move.
 * Offsets (in {@link #position()} and in errors) count from the start of the message. Every read
 * names the field it reads; running past the end raises the module's decode error, made by the
 * {@link ErrorFactory} given at creation, saying which field was cut short and where. Nothing else
 * escapes: no {@code IndexOutOfBoundsException}, no {@code BufferUnderflowException}.
 *
 * <p>A {@linkplain #sub(int, String) sub-reader} is bounded by a length field and can never read
 * past its parent; {@link #at(int, String)} reopens the whole message at an offset (for compression
 * pointers). Counts read from the wire go through {@link #boundedCount} before they size an
 * allocation.
 *
 * <pre>{@code
 * WireReader<MalformedDnsMessageException> r =
 *     WireReader.of(datagram, MalformedDnsMessageException::new);
 * int id = r.u16("header id");
 * }</pre>
 *
 * @param <X> the module's decode error
 */
public final class WireReader<X extends MalformedMessageException> {

  /**
   * Makes a module's decode error from a reason and a byte offset.
   *
   * @param <X> the module's decode error
   */
  @FunctionalInterface
  public interface ErrorFactory<X extends MalformedMessageException> {
    /** Returns (does not throw) the error for {@code reason} at {@code offset}. */
    X create(String reason, int offset);
  }

  private final ByteBuffer buf; // a big-endian duplicate; absolute reads only
  private final int base; // buffer index of message offset 0
  private final int rootLimit; // buffer index just past the message
  private final int limit; // buffer index just past this reader's window
  private final ErrorFactory<X> errors;
  private int pos; // buffer index of the next byte

  private WireReader(
      ByteBuffer buf, int base, int rootLimit, int pos, int limit, ErrorFactory<X> errors) {
    this.buf = buf;
    this.base = base;
    this.rootLimit = rootLimit;
    this.pos = pos;
    this.limit = limit;
    this.errors = errors;
  }

  /**
   * A reader over {@code message} from its position to its limit; offset 0 is its position. The
   * buffer is not modified and must not change while the reader is in use.
   */
  public static <X extends MalformedMessageException> WireReader<X> of(
      ByteBuffer message, ErrorFactory<X> errors) {
    Objects.requireNonNull(errors, "errors");
    ByteBuffer view = message.duplicate().order(ByteOrder.BIG_ENDIAN);
    int start = view.position();
    return new WireReader<>(view, start, view.limit(), start, view.limit(), errors);
  }

  /** Offset of the next byte, from the start of the message. */
  public int position() {
    return pos - base;
  }

  /** Offset just past the last byte this reader may read, from the start of the message. */
  public int limit() {
    return limit - base;
  }

  /** Bytes left before this reader's limit. */
  public int remaining() {
    return limit - pos;
  }

  /** Whether any byte is left before this reader's limit. */
  public boolean hasRemaining() {
    return pos < limit;
  }

  /** Length of the whole message (not only this reader's window). */
  public int messageLength() {
    return rootLimit - base;
  }

  /** Reads an unsigned byte. */
  public int u8(String field) throws X {
    need(1, field);
    return buf.get(pos++) & 0xff;
  }

  /** Reads an unsigned 16-bit integer. */
  public int u16(String field) throws X {
    need(2, field);
    int v = buf.getShort(pos) & 0xffff;
    pos += 2;
    return v;
  }

  /** Reads an unsigned 32-bit integer. */
  public long u32(String field) throws X {
    need(4, field);
    long v = buf.getInt(pos) & 0xffff_ffffL;
    pos += 4;
    return v;
  }

  /** Reads a signed 32-bit integer (also the raw bits of an unsigned one). */
  public int s32(String field) throws X {
    need(4, field);
    int v = buf.getInt(pos);
    pos += 4;
    return v;
  }

  /** Returns the next byte, unsigned, without consuming it. */
  public int peekU8(String field) throws X {
    need(1, field);
    return buf.get(pos) & 0xff;
  }

  /** Copies the next {@code n} bytes into a new array. */
  public byte[] bytes(int n, String field) throws X {
    needLength(n, field);
    byte[] out = new byte[n];
    buf.get(pos, out, 0, n);
    pos += n;
    return out;
  }

  /** Copies the next {@code n} bytes into {@code out} at {@code outOffset}. */
  public void bytes(byte[] out, int outOffset, int n, String field) throws X {
    needLength(n, field);
    Objects.checkFromIndexSize(outOffset, n, out.length);
    buf.get(pos, out, outOffset, n);
    pos += n;
  }

  /** A read-only, zero-copy view of the next {@code n} bytes (position 0, limit n). */
  public ByteBuffer slice(int n, String field) throws X {
    needLength(n, field);
    ByteBuffer s = buf.slice(pos, n).asReadOnlyBuffer();
    pos += n;
    return s;
  }

  /** Skips the next {@code n} bytes. */
  public void skip(int n, String field) throws X {
    needLength(n, field);
    pos += n;
  }

  /**
   * A reader over the next {@code n} bytes, which this reader then skips. Offsets stay counted from
   * the start of the message; the sub-reader can never read past this reader's limit.
   */
  public WireReader<X> sub(int n, String field) throws X {
    needLength(n, field);
    WireReader<X> r = new WireReader<>(buf, base, rootLimit, pos, pos + n, errors);
    pos += n;
    return r;
  }

  /**
   * A reader over the whole message starting at {@code offset} (for compression pointers).
   *
   * @throws X if the offset is outside the message
   */
  public WireReader<X> at(int offset, String field) throws X {
    if (offset < 0 || offset > rootLimit - base) {
      throw errors.create(
          field
              + " points to offset "
              + offset
              + " outside the "
              + messageLength()
              + "-byte message",
          position());
    }
    return new WireReader<>(buf, base, rootLimit, base + offset, rootLimit, errors);
  }

  /**
   * Checks a count read from the wire before it sizes an allocation: each of {@code count} items
   * needs at least {@code minBytesEach} bytes, which must still be present.
   *
   * @return {@code count}
   * @throws X if the count is negative or the remaining bytes cannot hold that many items
   */
  public int boundedCount(long count, int minBytesEach, String field) throws X {
    if (minBytesEach < 1) {
      throw new IllegalArgumentException("minBytesEach must be >= 1");
    }
    if (count < 0 || count > remaining() / minBytesEach) { // no multiplication: it could wrap
      throw errors.create(
          field
              + " of "
              + count
              + " cannot fit in the "
              + remaining()
              + " remaining bytes (each needs at least "
              + minBytesEach
              + ")",
          position());
    }
    return (int) count;
  }

  /** Fails if bytes are left before this reader's limit. */
  public void expectEnd(String what) throws X {
    if (pos != limit) {
      throw errors.create(remaining() + " unexpected bytes after " + what, position());
    }
  }

  /** The module's decode error for {@code reason} at the current position (to throw). */
  public X error(String reason) {
    return errors.create(reason, position());
  }

  /** The module's decode error for {@code reason} at {@code offset} (to throw). */
  public X errorAt(String reason, int offset) {
    return errors.create(reason, Math.max(0, offset));
  }

  private void need(int n, String field) throws X {
    if (limit - pos < n) {
      throw errors.create(
          "truncated " + field + ": needs " + n + " bytes, " + (limit - pos) + " left", position());
    }
  }

  private void needLength(int n, String field) throws X {
    if (n < 0) {
      throw errors.create("negative length " + n + " for " + field, position());
    }
    need(n, field);
  }

  @Override
  public String toString() {
    return "WireReader[position=" + position() + ", limit=" + limit() + "]";
  }
}
