package dev.headend.tftp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Where a transfer's received bytes go: an upload to the server, or a client's download. The engine
 * writes blocks in order, then calls {@link #commit()} once the last block is in, or {@link
 * #abort()} if the transfer fails; nothing written before a commit should become visible.
 */
public interface TftpSink {
  /**
   * Takes the next bytes (position to limit).
   *
   * @throws TftpAccessException to stop the transfer with that error (e.g. {@code DISK_FULL} past a
   *     size cap)
   */
  void write(ByteBuffer data) throws IOException, TftpAccessException;

  /**
   * The transfer finished: make the bytes visible, durably where that applies. The final ACK is
   * sent only after this returns.
   *
   * @throws TftpAccessException to refuse the file at the end (e.g. {@code FILE_EXISTS})
   */
  void commit() throws IOException, TftpAccessException;

  /** The transfer failed: discard what was written. Must not throw. */
  void abort();

  /** A sink into memory that refuses more than {@code maxBytes}. */
  static MemorySink toMemory(long maxBytes) {
    return new MemorySink(maxBytes);
  }

  /**
   * A sink into {@code file}: bytes go to a temporary file beside it, moved over {@code file} on
   * commit (replacing it), deleted on abort.
   */
  static TftpSink toFile(Path file) throws IOException {
    return new FileSink(file, true, Long.MAX_VALUE);
  }

  /** As {@link #toFile(Path)}, refusing (ERROR 3) more than {@code maxBytes}. */
  static TftpSink toFile(Path file, long maxBytes) throws IOException {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must not be negative");
    }
    return new FileSink(file, true, maxBytes);
  }
}
