package dev.headend.tftp;

import java.nio.ByteBuffer;

/** Content held in memory. */
final class ByteContent implements TftpContent {
  private final ByteBuffer bytes;

  ByteContent(byte[] bytes) {
    this.bytes = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
  }

  @Override
  public long size() {
    return bytes.capacity();
  }

  @Override
  public int read(ByteBuffer dst) {
    if (!bytes.hasRemaining()) {
      return -1;
    }
    int n = Math.min(dst.remaining(), bytes.remaining());
    ByteBuffer part = bytes.duplicate();
    part.limit(part.position() + n);
    dst.put(part);
    bytes.position(bytes.position() + n);
    return n;
  }
}
