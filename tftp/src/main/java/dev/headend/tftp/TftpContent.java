package dev.headend.tftp;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What a transfer sends: a file being served, or the local file of a client's upload. Read once, in
 * order; the engine keeps the blocks it may have to send again.
 */
public interface TftpContent extends Closeable {
  /** The size in bytes if known (offered as {@code tsize}), or -1. */
  long size();

  /**
   * Reads into {@code dst} from its position.
   *
   * @return the number of bytes read (0 only when {@code dst} is full), or -1 at the end
   */
  int read(ByteBuffer dst) throws IOException;

  @Override
  default void close() throws IOException {}

  /** Content of these bytes (not copied; do not change them during the transfer). */
  static TftpContent of(byte[] bytes) {
    return new ByteContent(bytes);
  }
}
