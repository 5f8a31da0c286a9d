package dev.headend.tftp;

import dev.headend.tftp.wire.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes to a temporary file beside the target; on commit forces it to disk, moves it into place
 * and forces the folder, so after a crash the target is either the old file or the whole new one.
 */
final class FileSink implements TftpSink {
  private static final System.Logger LOG = System.getLogger(FileSink.class.getName());

  private final Path target;
  private final boolean overwrite;
  private final long maxBytes;
  private final Path temp;
  private final FileChannel channel;
  private long written;

  FileSink(Path target, boolean overwrite, long maxBytes) throws IOException {
    this.target = target.toAbsolutePath();
    this.overwrite = overwrite;
    this.maxBytes = maxBytes;
    Path parent = this.target.getParent();
    this.temp = Files.createTempFile(parent, "." + this.target.getFileName() + ".", ".part");
    try {
      this.channel = FileChannel.open(temp, StandardOpenOption.WRITE);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
  }

  @Override
  public void write(ByteBuffer data) throws IOException, TftpAccessException {
    if (written + data.remaining() > maxBytes) {
      throw new TftpAccessException(
          ErrorCode.DISK_FULL, "more than " + maxBytes + " bytes; transfer refused");
    }
    written += data.remaining();
    while (data.hasRemaining()) {
      channel.write(data);
    }
  }

  @Override
  public void commit() throws IOException, TftpAccessException {
    try (channel) {
      channel.force(true);
    }
    readableByOthers();
    try {
      if (overwrite) {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } else {
        // a hard link fails if the name exists, with no window for another file to slip in
        Files.createLink(target, temp);
        Files.delete(temp);
      }
    } catch (FileAlreadyExistsException e) {
      abort();
      throw new TftpAccessException(ErrorCode.FILE_EXISTS, "file exists: " + target.getFileName());
    }
    try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // the file is in place; only the durability of its name is in doubt
      LOG.log(System.Logger.Level.WARNING, "could not sync the folder of " + target, e);
    }
  }

  /** Temporary files are created rw-------; a served file should be readable like any other. */
  private void readableByOthers() {
    try {
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
    } catch (UnsupportedOperationException | IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "left the permissions of " + temp, e);
    }
  }

  @Override
  public void abort() {
    try {
      channel.close();
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "could not remove " + temp, e);
    }
  }

  @Override
  public String toString() {
    return "FileSink[" + target + ", " + written + " bytes]";
  }
}
