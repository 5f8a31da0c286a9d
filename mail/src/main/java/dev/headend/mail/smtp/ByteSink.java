package dev.headend.mail.smtp;

import java.util.Arrays;

/** A growable byte array that never grows past its capacity (callers bound what they write). */
final class ByteSink {
  private byte[] bytes;
  private int size;

  ByteSink(int initial) {
    bytes = new byte[Math.max(16, initial)];
  }

  int size() {
    return size;
  }

  /** Appends one byte. */
  void write(int b) {
    if (size == bytes.length) {
      grow(size + 1);
    }
    bytes[size++] = (byte) b;
  }

  /** Appends {@code len} bytes of {@code src} from {@code off}. */
  void write(byte[] src, int off, int len) {
    if (size + len > bytes.length) {
      grow(size + len);
    }
    System.arraycopy(src, off, bytes, size, len);
    size += len;
  }

  /** Appends the next {@code len} bytes of {@code src} without moving its position. */
  void write(java.nio.ByteBuffer src, int len) {
    if (size + len > bytes.length) {
      grow(size + len);
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

  private void grow(int needed) {
    if (needed < 0) {
      throw new IllegalStateException("byte sink overflow");
    }
    int capacity = Math.max(needed, bytes.length < (1 << 29) ? bytes.length * 2 : needed);
    bytes = Arrays.copyOf(bytes, capacity);
  }
}
