package dev.headend.tftp;

import dev.headend.tftp.wire.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** A {@link TftpSink} into memory, with a size cap. */
public final class MemorySink implements TftpSink {
  private final long maxBytes;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final byte[] chunk = new byte[8192];
  private boolean committed;

  MemorySink(long maxBytes) {
    if (maxBytes < 0 || maxBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("maxBytes must be 0.." + (Integer.MAX_VALUE - 8));
    }
    this.maxBytes = maxBytes;
  }

  @Override
  public void write(ByteBuffer data) throws TftpAccessException {
    if (bytes.size() + (long) data.remaining() > maxBytes) {
      throw new TftpAccessException(
          ErrorCode.DISK_FULL, "more than " + maxBytes + " bytes; transfer refused");
    }
    while (data.hasRemaining()) {
      int n = Math.min(chunk.length, data.remaining());
      data.get(chunk, 0, n);
      bytes.write(chunk, 0, n);
    }
  }

  @Override
  public void commit() {
    committed = true;
  }

  @Override
  public void abort() {
    bytes.reset();
  }

  /** Whether the transfer finished. */
  public boolean committed() {
    return committed;
  }

  /** The bytes received so far (all of them once {@link #committed()}). */
  public byte[] toByteArray() {
    return bytes.toByteArray();
  }

  @Override
  public String toString() {
    return "MemorySink[" + bytes.size() + " bytes" + (committed ? ", committed]" : "]");
  }
}
