package dev.headend.mail.smtp;

import java.util.Arrays;

/**
 * A growable byte array. Callers bound what they write; with a {@link MessageMemory} the sink also
 * reserves its capacity there, and once a reservation is refused it is <em>starved</em>: it keeps
 * what it has and drops every later write.
 */
final class ByteSink {
  private byte[] bytes;
  private int size;
  private final MessageMemory memory;
  private final int pause; // doubling stops here once before going on
  private final int maxCapacity;
  private long reserved;
  private boolean starved;

  ByteSink(int initial) {
    this(initial, null, Integer.MAX_VALUE, Integer.MAX_VALUE);
  }

  /**
   * @param initial the first capacity
   * @param memory where capacity is reserved, or null
   * @param pause growth by doubling stops at this capacity once (an expected size), then goes on
   * @param maxCapacity no growth past this (by doubling) unless a write needs it
   */
  ByteSink(int initial, MessageMemory memory, int pause, int maxCapacity) {
    this.memory = memory;
    this.pause = pause;
    this.maxCapacity = maxCapacity;
    int capacity = Math.max(16, initial);
    if (memory != null && !memory.tryReserve(capacity)) {
      starved = true;
      capacity = 0;
    } else if (memory != null) {
      reserved = capacity;
    }
    bytes = new byte[capacity];
  }

  int size() {
    return size;
  }

  /** Appends one byte. */
  void write(int b) {
    if (size == bytes.length && !grow(size + 1)) {
      return;
    }
    bytes[size++] = (byte) b;
  }

  /** Appends {@code len} bytes of {@code src} from {@code off}. */
  void write(byte[] src, int off, int len) {
    if (size + len > bytes.length && !grow(size + len)) {
      return;
    }
    System.arraycopy(src, off, bytes, size, len);
    size += len;
  }

  /** Appends the next {@code len} bytes of {@code src} without moving its position. */
  void write(java.nio.ByteBuffer src, int len) {
    if (size + len > bytes.length && !grow(size + len)) {
      return;
    }
    src.get(src.position(), bytes, size, len);
    size += len;
  }

  void write(byte[] src) {
    write(src, 0, src.length);
  }

  byte get(int i) {
    return bytes[i];
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  /** Forgets the content; keeps at most {@code keep} bytes of capacity. */
  void reset(int keep) {
    size = 0;
    if (bytes.length > keep) {
      bytes = new byte[Math.max(16, keep)];
    }
  }

  /** Whether a write was dropped because the memory limit was reached. */
  boolean starved() {
    return starved;
  }

  /** Hands the reservation over to the caller: the sink no longer gives it back. */
  long detachReservation() {
    long r = reserved;
    reserved = 0;
    return r;
  }

  /** Gives the reservation back (the sink must not be written after this). */
  void release() {
    if (memory != null && reserved > 0) {
      memory.release(reserved);
    }
    reserved = 0;
  }

  /** Makes room for {@code needed} bytes; false (and starved) if the memory limit refuses it. */
  private boolean grow(int needed) {
    if (needed < 0) {
      throw new IllegalStateException("byte sink overflow");
    }
    if (starved) {
      return false;
    }
    int doubled = bytes.length < (1 << 29) ? Math.max(16, bytes.length * 2) : needed;
    int ceiling = bytes.length < pause ? pause : maxCapacity;
    int capacity = Math.max(needed, Math.min(doubled, ceiling));
    if (memory != null) {
      long more = (long) capacity - bytes.length;
      if (!memory.tryReserve(more)) {
        starved = true;
        return false;
      }
      reserved += more;
    }
    bytes = Arrays.copyOf(bytes, capacity);
    return true;
  }
}
