package dev.headend.tftp;

import dev.headend.tftp.wire.ErrorCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The files a {@link TftpServer} serves: asked for each request, with the requesting client's
 * address, so a file can be chosen or generated per client (a cable modem's configuration by MAC).
 * Refusals are {@link TftpAccessException}s, sent to the client as TFTP errors.
 *
 * <p>Implementations are called on the server's thread: they should answer quickly (open a file,
 * look up a map), not compute for long.
 */
public interface TftpFiles {

  /**
   * Opens {@code filename} for a read request.
   *
   * @throws TftpAccessException to refuse ({@code FILE_NOT_FOUND}, {@code ACCESS_VIOLATION}...)
   * @throws IOException if opening failed; the client gets ERROR 0
   */
  TftpContent openRead(String filename, InetSocketAddress client)
      throws IOException, TftpAccessException;

  /**
   * Opens {@code filename} for a write request. By default writes are refused.
   *
   * @param announcedSize the size the client announced with {@code tsize}, or -1
   * @throws TftpAccessException to refuse ({@code ACCESS_VIOLATION}, {@code FILE_EXISTS}, {@code
   *     DISK_FULL}...)
   * @throws IOException if opening failed; the client gets ERROR 0
   */
  default TftpSink openWrite(String filename, InetSocketAddress client, long announcedSize)
      throws IOException, TftpAccessException {
    throw new TftpAccessException(ErrorCode.ACCESS_VIOLATION, "this server does not accept files");
  }

  /** Files under {@code root} (read-only until {@link DirectoryFiles#allowWrites}). */
  static DirectoryFiles directory(Path root) throws IOException {
    return new DirectoryFiles(root);
  }

  /** Content made per request; the generator returns {@code null} for "file not found". */
  static TftpFiles generated(Generator generator) {
    Objects.requireNonNull(generator, "generator");
    return (filename, client) -> {
      byte[] bytes = generator.generate(filename, client);
      if (bytes == null) {
        throw new TftpAccessException(ErrorCode.FILE_NOT_FOUND, "no such file: " + filename);
      }
      return TftpContent.of(bytes);
    };
  }

  /** These files, by exact name (copied at call time; the arrays are not copied). */
  static TftpFiles of(Map<String, byte[]> files) {
    Map<String, byte[]> copy = Map.copyOf(files);
    return generated((filename, client) -> copy.get(filename));
  }

  /** Makes a file's bytes for one client. */
  @FunctionalInterface
  interface Generator {
    /** The content of {@code filename} for {@code client}, or {@code null} if there is none. */
    byte[] generate(String filename, InetSocketAddress client);
  }
}
